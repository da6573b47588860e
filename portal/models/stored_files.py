"""Generated files kept for reuse (tệp đã tạo sẵn): e.g. the PDF of an approved payout list, rendered once in a
background job and served from here afterwards. Not an issued document (no number, no signature — see
``models/documents.IssuedDocument``): a cache whose key says exactly what the bytes were made from."""
from ..clock import utcnow
from ..extensions import db


class StoredFile(db.Model):
    """One generated file. ``kind`` (e.g. ``payout_list_pdf``) + ``subject_id`` (e.g. the PayoutList id) +
    ``fingerprint`` (what the content depends on, e.g. the approval time; ``draft-<job id>`` for a one-off print of
    a list still open) are unique. ``content`` is loaded only when asked for (deferred); ``size`` in bytes,
    ``sha256`` hex of the content; ``job_id`` the job that made it."""

    __tablename__ = "stored_file"
    __table_args__ = (db.UniqueConstraint("kind", "subject_id", "fingerprint", name="uq_stored_file_key"),)
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(40), nullable=False)
    subject_id = db.Column(db.Integer, nullable=False)
    fingerprint = db.Column(db.String(80), nullable=False)
    filename = db.Column(db.String(200), nullable=False)
    mimetype = db.Column(db.String(100), nullable=False, default="application/pdf")
    content = db.deferred(db.Column(db.LargeBinary, nullable=False))
    size = db.Column(db.Integer, nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    job_id = db.Column(db.Integer, db.ForeignKey("job.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
