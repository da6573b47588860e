"""The page argument of paged lists (tham số trang): ``?page=`` read safely for every view.

``page_arg()`` returns an int in 1..``MAX_PAGE`` — never a value SQLite cannot bind (``?page=99999999999999999999``
would raise ``OverflowError`` in the OFFSET) — and ``clamp_page(page, total, size)`` the page to show once the row
count is known (a page past the end shows the last page, as «Trang 14/14», never «Trang 999/14»).
"""
from flask import request

MAX_PAGE = 1_000_000  # far beyond any list (×100 rows still fits SQLite's 64-bit OFFSET)


def page_arg(name: str = "page") -> int:
    """``request.args[name]`` as a page number 1..MAX_PAGE (missing or not a number → 1)."""
    value = request.args.get(name, 1, type=int)
    return min(max(1, value if value is not None else 1), MAX_PAGE)


def page_count(total: int, size: int) -> int:
    """Number of pages for ``total`` rows of ``size`` (at least 1, an empty list has one empty page)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int) -> int:
    """``page`` limited to 1..page_count(total, size)."""
    return min(max(1, page), page_count(total, size))
