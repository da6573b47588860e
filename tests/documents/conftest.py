"""Fixtures of the document tests: development signing certificates for the demo organisations."""
import pytest
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from portal.documents.devca import create_dev_ca
from portal.services.demo import user_by_username


@pytest.fixture
def certs(app, tmp_path):
    """Development CA and certificates for the demo district office and commune; returns the CA certificate."""
    folder = tmp_path / "certs"
    orgs = [(user_by_username(u).organization_id, user_by_username(u).organization.name)
            for u in ("pld.chaudoc", "xa.vinhmy", "buudien.chaudoc")]
    create_dev_ca(folder, orgs, b"asxh-dev")
    app.config["SIGNING_CERT_DIR"] = str(folder)
    app.config["SIGNING_P12_PASSWORD"] = "asxh-dev"
    _, _, der = pem.unarmor((folder / "ca.pem").read_bytes())
    return asn1_x509.Certificate.load(der)
