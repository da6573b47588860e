"""QR code (mã QR) printed on issued documents, pointing at the public verification page. Uses ``segno``.

Rendered as inline SVG (no file, no ``data:`` URL: the PDF renderer's URL fetcher refuses both)."""
import segno


def svg(url: str, scale: int = 2) -> str:
    """Inline ``<svg>`` element (no XML declaration) of a QR code for ``url``, error correction M, dark modules
    black, no fixed size (the template sets width/height in mm)."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_inline(scale=scale, dark="#000", light=None, omitsize=True)
