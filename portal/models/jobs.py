"""Background jobs (PDF lists, large imports, reports): a row per job with progress, so any web process can show a
progress bar whether the job runs in RQ (Redis) or in the in-process runner."""
from ..clock import utcnow
from ..extensions import db


class Job(db.Model):
    """One background job. ``status``: queued | running | done | failed; ``progress`` 0–100; ``message`` Vietnamese
    text for the progress bar; ``result`` JSON (e.g. a stored file id); ``owner_org_id``/``user_id`` scope who may
    see it."""

    __tablename__ = "job"
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(40), nullable=False)
    status = db.Column(db.String(10), nullable=False, default="queued", index=True)
    progress = db.Column(db.Integer, nullable=False, default=0)
    message = db.Column(db.String(300))
    params = db.Column(db.JSON)
    result = db.Column(db.JSON)
    error = db.Column(db.String(500))
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    owner_org_id = db.Column(db.Integer, db.ForeignKey("organization.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime(timezone=True))
    finished_at = db.Column(db.DateTime(timezone=True))
    #: refreshed by the running worker (``portal.jobs``) every few seconds; a running job whose heartbeat is older
    #: than ``jobs.DEAD_AFTER`` lost its worker (killed process) and is marked failed when a page asks
    heartbeat_at = db.Column(db.DateTime(timezone=True))

    user = db.relationship("User", foreign_keys=[user_id])

    @property
    def finished(self) -> bool:
        """True once the job is ``done`` or ``failed`` (the progress bar stops polling)."""
        return self.status in ("done", "failed")
