"""Development certificate authority (CA thử nghiệm) for the demo set-up: a self-signed root and one PKCS#12
certificate per organisation, written where ``portal.documents.signing`` looks for them. Uses ``cryptography``.

NOT for production: production certificates come from a licensed CA (e.g. the Government CA, Ban Cơ yếu Chính phủ)
and are placed in ``SIGNING_CERT_DIR`` under the same file names."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from ..clock import utcnow

CA_NAME = "ASXH Portal Development CA"


def _fit(text: str, limit: int = 64) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes (X.509 name attributes are limited to 64)."""
    while len(text.encode()) > limit:
        text = text[:-1]
    return text.strip()


def _name(common_name: str, org: str | None = None) -> x509.Name:
    common_name, org = _fit(common_name), _fit(org) if org else None
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"), x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if org:
        attrs.insert(1, x509.NameAttribute(NameOID.ORGANIZATION_NAME, org))
    return x509.Name(attrs)


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def load_or_create_ca(out: Path):
    """The CA key and certificate in ``out`` (``ca-key.pem``, ``ca.pem``), created when missing. Returns
    ``(key, cert)``."""
    out.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = out / "ca-key.pem", out / "ca.pem"
    if key_path.is_file() and cert_path.is_file():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = _key()
    now = utcnow()
    name = _name(CA_NAME, "ASXH Portal (demo)")
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def issue_org_certificate(out: Path, org_id: int, org_name: str, password: bytes, ca=None) -> Path:
    """Write ``org-<org_id>.p12`` (key + certificate signed by the CA, CA certificate included) protected by
    ``password``; returns its path. Overwrites an existing file."""
    ca_key, ca_cert = ca or load_or_create_ca(out)
    key = _key()
    now = utcnow()
    cert = (x509.CertificateBuilder().subject_name(_name(org_name, org_name))
            .issuer_name(ca_cert.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    data = pkcs12.serialize_key_and_certificates(
        f"org-{org_id}".encode(), key, cert, [ca_cert], serialization.BestAvailableEncryption(password))
    path = out / f"org-{org_id}.p12"
    path.write_bytes(data)
    path.chmod(0o600)
    return path


def create_dev_ca(out: Path, orgs: list[tuple[int, str]], password: bytes) -> list[Path]:
    """Create (or reuse) the CA in ``out`` and a certificate for each ``(org id, name)``; returns the .p12 paths."""
    ca = load_or_create_ca(Path(out))
    return [issue_org_certificate(Path(out), org_id, name, password, ca) for org_id, name in orgs]
