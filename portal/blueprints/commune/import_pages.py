"""Import pages added for issue #3 (nhập Excel): the preview's errors and warnings as a spreadsheet with Excel row
numbers. The upload → preview → confirm pages are in ``registry``; rules in ``services.import_jobs``."""
from flask import Response, abort, flash, redirect, url_for
from flask_login import current_user

from ...errors import AccessDenied, PortalError
from ...services.imports import jobs as import_jobs
from .blueprint import bp


@bp.route("/nhap/<int:batch_id>/loi.xlsx")
def import_errors_file(batch_id: int):
    """Tải tệp lỗi và cảnh báo (.xlsx): one message per line with its row number in the uploaded file."""
    try:
        name, data = import_jobs.errors_workbook(current_user, batch_id)
    except AccessDenied:
        abort(404)
    except PortalError as err:
        flash(str(err), "error")
        return redirect(url_for("commune.import_preview", batch_id=batch_id))
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f"attachment; filename*=UTF-8''{_quote(name)}",
                             "Cache-Control": "no-store"})


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
