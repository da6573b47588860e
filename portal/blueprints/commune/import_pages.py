"""The preview's errors and warnings as a spreadsheet with Excel row numbers (tải tệp lỗi khi nhập Excel). The
upload → preview → confirm pages are in ``registry``; rules in ``services.imports.jobs``."""
from flask import url_for
from flask_login import current_user

from ...areas import get_visible_or_404
from ...downloads import download
from ...errors_web import flash_refusal
from ...models import ImportBatch
from ...services.imports import jobs as import_jobs
from .blueprint import bp


@bp.route("/nhap/<int:batch_id>/loi.xlsx")
def import_errors_file(batch_id: int):
    """Tải tệp lỗi và cảnh báo (.xlsx): one message per line with its row number in the uploaded file. Another
    organisation's upload: 404; one no longer in preview: back to its page with the message."""
    batch = get_visible_or_404(ImportBatch, batch_id)
    flash_refusal(url_for("commune.import_preview", batch_id=batch.id))
    name, data = import_jobs.errors_workbook(current_user, batch.id)
    return download(data, name)
