"""PAdES signatures (chữ ký số) of issued PDFs with pyHanko, using the issuing organisation's certificate.

Configuration: ``SIGNING_CERT_DIR`` (default ``<instance>/certs``) holds one PKCS#12 file per organisation,
``org-<organisation id>.p12``, protected by ``SIGNING_P12_PASSWORD``; the demo set-up creates them with
``flask dev-ca --out instance/certs`` (``portal.documents.devca``). An organisation without a file issues unsigned
documents (still numbered, hashed and verifiable). Signatures are PAdES B-B (no timestamp authority is reachable);
the signing time is recorded in the signed attributes. Validation: :func:`validate` (pyHanko) and poppler's
``pdfsig``.
"""
from __future__ import annotations

import os
from io import BytesIO
from pathlib import Path

from flask import current_app, has_app_context
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

from ..models import Organization

FIELD_NAME = "ChuKyCoQuan"


def cert_dir() -> Path:
    """Folder of the organisations' PKCS#12 files (``SIGNING_CERT_DIR`` or ``<instance>/certs``)."""
    configured = current_app.config.get("SIGNING_CERT_DIR") if has_app_context() else None
    if configured:
        return Path(configured)
    base = current_app.instance_path if has_app_context() else "instance"
    return Path(base) / "certs"


def p12_path(org_id: int, folder: Path | None = None) -> Path:
    """Path of organisation ``org_id``'s PKCS#12 file."""
    return (folder or cert_dir()) / f"org-{org_id}.p12"


def p12_password() -> bytes:
    """Password of the PKCS#12 files (``SIGNING_P12_PASSWORD`` in the config or the environment; "asxh-dev" for the
    demo)."""
    value = (current_app.config.get("SIGNING_P12_PASSWORD") if has_app_context() else None) \
        or os.environ.get("SIGNING_P12_PASSWORD") or "asxh-dev"
    return value.encode()


def signer_for(org: Organization) -> signers.SimpleSigner | None:
    """pyHanko signer from ``org``'s PKCS#12 file, or None when the organisation has no certificate."""
    path = p12_path(org.id)
    if not path.is_file():
        return None
    chain = [str(p) for p in [path.parent / "ca.pem"] if p.is_file()]
    return signers.SimpleSigner.load_pkcs12(str(path), ca_chain_files=chain or None, passphrase=p12_password())


def sign_pdf(pdf: bytes, signer: signers.SimpleSigner, reason: str | None = None, location: str | None = None,
             field_name: str = FIELD_NAME) -> bytes:
    """Sign ``pdf`` (bytes) with a PAdES signature in an invisible field ``field_name`` (default ``ChuKyCoQuan``;
    a second party uses another name); returns the signed bytes (an incremental update: the original bytes are a
    prefix, so earlier signatures stay valid)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    meta = signers.PdfSignatureMetadata(field_name=field_name, reason=reason, location=location,
                                        subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256")
    out = signers.PdfSigner(meta, signer=signer,
                            new_field_spec=fields.SigFieldSpec(sig_field_name=field_name)).sign_pdf(writer)
    return out.getvalue()


def validate(pdf: bytes, trust_roots: list | None = None) -> dict:
    """Validate every signature of ``pdf`` with pyHanko. ``trust_roots``: ``asn1crypto`` certificates trusted as
    roots (e.g. the development CA). Returns ``{"count": n, "intact": bool, "valid": bool, "trusted": bool,
    "signers": [common names]}`` — intact: the signed bytes are unchanged; valid: the cryptography checks out;
    trusted: the chain ends in a trust root. A PDF without signatures gives count 0 and all False."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(BytesIO(pdf), strict=False)
    sigs = reader.embedded_signatures
    result = {"count": len(sigs), "intact": bool(sigs), "valid": bool(sigs), "trusted": bool(sigs), "signers": []}
    for sig in sigs:
        vc = ValidationContext(trust_roots=trust_roots or [], allow_fetching=False)
        status = validate_pdf_signature(sig, vc)
        result["intact"] &= bool(status.intact)
        result["valid"] &= bool(status.valid)
        result["trusted"] &= bool(status.trusted)
        result["signers"].append(status.signing_cert.subject.native.get("common_name", ""))
    return result
