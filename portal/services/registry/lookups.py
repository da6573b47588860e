"""Reference rows the register's checks look up (danh mục diện đối tượng, khóm/ấp của xã), read once per batch.

``lookups_memoised()`` opens a block in which ``category_of`` and ``hamlet_named`` read their table once and keep
it: a spreadsheet import checks and writes thousands of rows, and one query per row (each also flushing the rows
pending in the session) cost most of its time. Outside such a block every call queries.
"""
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import select

from ...extensions import db
from ...models import Category, Hamlet

_MEMO: ContextVar[dict | None] = ContextVar("registry_lookup_memo", default=None)


@contextmanager
def lookups_memoised() -> Iterator[None]:
    """Within this block categories and a commune's hamlets are read once and kept (rows added to those tables
    inside the block are not seen)."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)


def category_of(code: str) -> Category | None:
    """The category (diện đối tượng) with Art. 5 code ``code``, or None."""
    memo = _MEMO.get()
    if memo is None:
        return db.session.get(Category, code)
    if "categories" not in memo:
        memo["categories"] = {c.code: c for c in db.session.execute(select(Category)).scalars()}
    return memo["categories"].get(code)


def hamlet_named(commune_code: str, name_fold: str) -> Hamlet | None:
    """The hamlet (khóm/ấp) of ``commune_code`` whose folded name is ``name_fold``, or None."""
    memo = _MEMO.get()
    if memo is None:
        return db.session.execute(select(Hamlet).where(Hamlet.commune_code == commune_code,
                                                       Hamlet.name_fold == name_fold)).scalar_one_or_none()
    key = ("hamlets", commune_code)
    if key not in memo:
        with db.session.no_autoflush:
            memo[key] = {h.name_fold: h for h in db.session.execute(
                select(Hamlet).where(Hamlet.commune_code == commune_code)).scalars()}
    return memo[key].get(name_fold)


def hamlet_of(commune_code: str, raw_id) -> Hamlet | None:
    """The hamlet (khóm/ấp) with id ``raw_id`` (an int, or the digits a form sent) when it belongs to
    ``commune_code``; None for anything else (not digits, unknown, another commune's)."""
    text = str(raw_id)
    if not isinstance(raw_id, int) and not (text.isascii() and text.isdigit() and len(text) < 10):
        return None
    found = db.session.get(Hamlet, int(raw_id))
    return found if found is not None and found.commune_code == commune_code else None
