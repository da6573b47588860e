"""Static files under versioned names (tệp tĩnh có tên kèm mã nội dung), served as immutable.

``asset_url("css/app.css")`` gives ``/tai-nguyen/css/app.3f9a1c2b4d5e.css``: the name carries the first 12 hex digits
of the file's SHA-256, so a browser keeps it a year without asking again (``Cache-Control: public,
max-age=31536000, immutable``) and a later full page costs one round trip; a changed file gets a new name. The
digest is computed once per file (and again when its modification time changes). A request for a name whose digest
is not the file's current one still gets the file, but with ``no-cache`` (an old page asking for an old version).
"""
import hashlib
import os
import re

from flask import Blueprint, abort, current_app, send_from_directory, url_for
from werkzeug.security import safe_join

bp = Blueprint("assets", __name__)
IMMUTABLE = "public, max-age=31536000, immutable"
_VERSIONED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{12})(?P<ext>\.[A-Za-z0-9]+)$")
_DIGESTS: dict[str, tuple[float, str]] = {}


def _digest(filename: str) -> str:
    """First 12 hex digits of the SHA-256 of ``static/<filename>``; raises ``FileNotFoundError`` (also for a name
    leaving the static folder)."""
    path = safe_join(current_app.static_folder, filename)
    if path is None or not os.path.isfile(path):
        raise FileNotFoundError(filename)
    mtime = os.path.getmtime(path)
    cached = _DIGESTS.get(path)
    if cached is None or cached[0] != mtime:
        with open(path, "rb") as fh:
            cached = (mtime, hashlib.sha256(fh.read()).hexdigest()[:12])
        _DIGESTS[path] = cached
    return cached[1]


def asset_url(filename: str) -> str:
    """The versioned URL of ``static/<filename>`` ("css/app.css" → "/tai-nguyen/css/app.<digest>.css")."""
    stem, ext = os.path.splitext(filename)
    return url_for("assets.versioned", name=f"{stem}.{_digest(filename)}{ext}")


@bp.route("/tai-nguyen/<path:name>")
def versioned(name):
    """A static file by its versioned name; immutable for a year when the digest is the file's current one."""
    m = _VERSIONED.match(name)
    if m is None:
        abort(404)
    filename = m.group("stem") + m.group("ext")
    try:
        current = _digest(filename)
    except OSError:  # no such file, or a name leaving the static folder
        abort(404)
    resp = send_from_directory(current_app.static_folder, filename, max_age=0)
    resp.headers["Cache-Control"] = IMMUTABLE if current == m.group("digest") else "no-cache"
    return resp


bp.add_app_template_global(asset_url, "asset_url")
