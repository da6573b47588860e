"""Paged lists (phân trang): the page asked for in the query string, read safely for every view.

``page_arg(name)`` is the page number in ``?page=`` (or ``?trang=``…) as an int in 1..``MAX_PAGE``: missing, negative
or not a number → 1, huge → ``MAX_PAGE`` — never a value SQLite cannot bind (``?page=99999999999999999999`` would
raise ``OverflowError`` in the OFFSET). ``paged(fetch, size)`` and ``paged_list(items, size)`` give one ``Page`` of a
list, a page past the end showing the last page («Trang 14/14», never «Trang 999/14»).
"""
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import request

MAX_PAGE = 1_000_000  # far beyond any list (×100 rows still fits SQLite's 64-bit OFFSET)


def page_arg(name: str = "page", default: int | None = 1) -> int | None:
    """``request.args[name]`` as a page number 1..MAX_PAGE; missing or not a number → ``default`` (give None to
    carry the page into a redirect only when one was asked for)."""
    value = request.args.get(name, type=int)
    return default if value is None else min(max(1, value), MAX_PAGE)


def page_count(total: int, size: int) -> int:
    """Number of pages for ``total`` rows of ``size`` (at least 1, an empty list has one empty page)."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int) -> int:
    """``page`` limited to 1..page_count(total, size)."""
    return min(max(1, page), page_count(total, size))


@dataclass
class Page:
    """One page of a list: its ``rows``, the list's ``total``, the page ``number`` (1-based) of ``pages``."""

    rows: list
    total: int
    number: int
    pages: int
    size: int

    @property
    def first(self) -> int:
        """How many rows come before this page (for numbering rows across pages)."""
        return (self.number - 1) * self.size


def paged(fetch: Callable[[int], tuple[Sequence, int]], size: int, name: str = "page") -> Page:
    """The page ``?name=`` of a list read by ``fetch(page) -> (rows of that page, total)`` in pages of ``size``; past
    the end, the last page (``fetch`` called again)."""
    number = page_arg(name)
    rows, total = fetch(number)
    pages = page_count(total, size)
    if number > pages:
        number = pages
        rows, total = fetch(number)
    return Page(list(rows), total, number, pages, size)


def paged_list(items: Sequence, size: int, name: str = "page") -> Page:
    """The page ``?name=`` of ``items`` already in memory, in pages of ``size`` (past the end: the last page)."""
    number = clamp_page(page_arg(name), len(items), size)
    return Page(list(items[(number - 1) * size:number * size]), len(items), number, page_count(len(items), size), size)
