"""Install pinned third-party browser files into portal/static/vendor/ (not committed).

htmx 2.0.11 comes from the npm registry (package ``htmx.org``) through ``npm pack``; the tarball's SHA-512 must equal
the integrity the registry published for that version (pinned below), else nothing is installed.
Usage: python scripts/fetch_vendor.py  (idempotent: does nothing when the installed file matches)."""
import base64
import hashlib
import io
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile

HTMX_VERSION = "2.0.11"
HTMX_INTEGRITY = "sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
VENDOR = pathlib.Path(__file__).resolve().parent.parent / "portal" / "static" / "vendor"
STAMP = VENDOR / f"htmx-{HTMX_VERSION}.integrity"


def integrity_of(data: bytes) -> str:
    """npm-style SRI string of ``data``."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def main() -> int:
    target = VENDOR / "htmx.min.js"
    if target.exists() and STAMP.exists() and STAMP.read_text().strip() == HTMX_INTEGRITY:
        return 0
    if not shutil.which("npm"):
        print("npm is required to fetch htmx (apt-get install npm)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", f"htmx.org@{HTMX_VERSION}", "--silent", "--pack-destination", tmp],
                       check=True, stdout=subprocess.DEVNULL)
        tgz = next(pathlib.Path(tmp).glob("htmx.org-*.tgz")).read_bytes()
    got = integrity_of(tgz)
    if got != HTMX_INTEGRITY:
        print(f"htmx tarball integrity mismatch: expected {HTMX_INTEGRITY}, got {got}", file=sys.stderr)
        return 1
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        js = tar.extractfile("package/dist/htmx.min.js").read()
    VENDOR.mkdir(parents=True, exist_ok=True)
    target.write_bytes(js)
    STAMP.write_text(HTMX_INTEGRITY + "\n")
    print(f"htmx {HTMX_VERSION} installed ({len(js)} bytes), integrity verified")
    return 0


if __name__ == "__main__":
    sys.exit(main())
