"""Uploaded spreadsheets kept between preview and commit (tệp nhập liệu), so an import is previewed and then
committed all-or-nothing from exactly the bytes that were previewed, by any web process."""
from ..clock import utcnow
from ..extensions import db


class ImportBatch(db.Model):
    """One uploaded file. ``kind`` is ``beneficiaries`` or ``bank_accounts``; ``scope`` the commune code or bank
    organisation id it was uploaded for; ``status`` previewed → committed | discarded; ``summary`` holds the counts
    shown after commit (JSON)."""

    __tablename__ = "import_batch"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False)
    scope = db.Column(db.String(20), nullable=False)
    organization_id = db.Column(db.Integer, db.ForeignKey("organization.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    filename = db.Column(db.String(200), nullable=False)
    sha256 = db.Column(db.String(64), nullable=False)
    content = db.Column(db.LargeBinary, nullable=False)
    status = db.Column(db.String(12), nullable=False, default="previewed")
    summary = db.Column(db.JSON)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    committed_at = db.Column(db.DateTime(timezone=True))
    job_id = db.Column(db.Integer, db.ForeignKey("job.id"))  # latest preview/commit background job (large files)
