"""Further categories of one beneficiary (diện hưởng khác, Decree 20/2021 Art. 6.2), as the commune records them:
checked against the person's age and the rate tables, added from a month under a decision, ended, or deleted only
when entered by mistake and not yet counted on a list. Every write records an audit entry on the beneficiary.
Raises ``ExtrasInvalid`` (Vietnamese messages by field). Flushes, never commits."""
from datetime import date

from ...errors import PortalError, StateError, ValidationError
from ...extensions import db
from ...models import AdditionalCategory, Beneficiary, Category, DisabilityLevel
from ..audit import record
from ..registry.fields import category_age_problem
from ..registry.identity import nfc
from .extras import (
    MAX_AHEAD_MONTHS,
    MAX_CHILDREN,
    ExtrasInvalid,
    as_person,
    categories_of,
    decision_number,
    entry_month,
    listed_months,
    months_text,
    overlaps,
    refuse_inactive,
)
from .months import add_months
from .rates import RateBook


def _category_problem(beneficiary: Beneficiary, code: str, level: str | None, children: int | None, month: date,
                      book: RateBook, when: str) -> str | None:
    """Why ``code`` gives the person no rate in ``month`` (age band, then the coefficient rules), or None. ``when``
    names the month in the message ("hưởng từ tháng" / "tháng của danh sách tới")."""
    problem = category_age_problem(code, beneficiary.birth_date, beneficiary.birth_year, month)
    if problem:
        return problem.replace("(hưởng từ tháng)", f"({when})")
    try:
        book.amount_for(as_person(beneficiary, code, level, children), month)
    except PortalError as err:
        return str(err)
    return None


def clean_category(beneficiary: Beneficiary, data: dict, month: date, book: RateBook | None = None) -> dict:
    """Check a further category for ``beneficiary``. ``data``: ``category_code``, ``disability_level`` (K6 only:
    ``severe`` / ``especially_severe``), ``children_count`` (K4 only: 1–20; ignored otherwise), ``valid_from`` (the
    first month it counts, ``MM/YYYY`` or ``YYYY-MM``; may be before ``month`` — a backdated decision, the next
    list then back-pays the difference for months already listed) and ``decision_number`` (the chairman's decision).
    ``month`` is the month of the next list (first-of-month date).

    Rules: the category exists, differs from the main one and from recorded rows whose months overlap, is still in
    force in ``valid_from``; ``valid_from`` is not before the person's ``start_month`` nor more than
    ``MAX_AHEAD_MONTHS`` after ``month``; the category gives a rate at the person's age in ``valid_from`` and, when
    ``valid_from`` ≤ ``month`` and the category still exists then, in ``month``. Returns the values for
    ``AdditionalCategory`` (``valid_to`` None); raises ``ExtrasInvalid`` (Decree 20/2021 Art. 5, 6)."""
    errors: dict[str, str] = {}
    book = book or RateBook.load()
    code = nfc(data.get("category_code"))
    level = nfc(data.get("disability_level")) or None
    raw_children = nfc(str(data.get("children_count") or ""))
    valid_from = entry_month(data.get("valid_from"), "Hưởng từ tháng", errors, "valid_from", True)
    latest = add_months(month, MAX_AHEAD_MONTHS)
    if valid_from is not None and valid_from < beneficiary.start_month:
        errors["valid_from"] = (f"Hưởng từ tháng ({valid_from:%m/%Y}) không được trước tháng đối tượng bắt đầu hưởng "
                                f"trợ cấp ({beneficiary.start_month:%m/%Y}).")
    elif valid_from is not None and valid_from > latest:
        errors["valid_from"] = (f"Hưởng từ tháng ({valid_from:%m/%Y}) quá xa: ghi được đến {latest:%m/%Y} "
                                f"({MAX_AHEAD_MONTHS} tháng sau tháng của danh sách tới {month:%m/%Y}).")
    category = db.session.get(Category, code) if code else None
    _check_code(beneficiary, code, category, valid_from or month, errors)
    if code == "K6" and not DisabilityLevel.has(level):
        errors["disability_level"] = "Diện K6 cần mức độ khuyết tật: nặng hoặc đặc biệt nặng."
    elif code != "K6" and level:
        errors["disability_level"] = "Chỉ diện K6 (người khuyết tật) mới ghi mức độ khuyết tật."
    children = _children(raw_children, errors) if code == "K4" else None
    decision = decision_number(data, errors, "hưởng diện này")
    if not errors:
        problem = _category_problem(beneficiary, code, level, children, valid_from, book, "hưởng từ tháng")
        if problem is None and valid_from <= month and (category.valid_to is None or month < category.valid_to):
            problem = _category_problem(beneficiary, code, level, children, month, book, "tháng của danh sách tới")
        if problem:
            errors["category_code"] = problem
    if errors:
        raise ExtrasInvalid(errors)
    return {"category_code": code, "disability_level": level if code == "K6" else None, "children_count": children,
            "valid_from": valid_from, "valid_to": None, "decision_number": decision}


def _check_code(beneficiary: Beneficiary, code: str, category: Category | None, start: date, errors: dict) -> None:
    """The further category exists, is not the main one, is still in force from ``start`` and is not already held
    over those months."""
    if not code:
        errors["category_code"] = "Chọn diện đối tượng khác."
    elif category is None:
        errors["category_code"] = f"Không có diện đối tượng «{code}»."
    elif code == beneficiary.category_code:
        errors["category_code"] = (f"Diện {code} là diện chính của đối tượng; chọn một diện khác (muốn đổi diện chính "
                                   "thì sửa hồ sơ hoặc ghi biến động điều chỉnh).")
    elif category.valid_to is not None and category.valid_to <= start:
        errors["category_code"] = (f"Diện {code} chỉ áp dụng đến hết tháng "
                                   f"{add_months(category.valid_to, -1):%m/%Y}; không ghi thêm được.")
    else:
        same = [r for r in categories_of(beneficiary.id) if r.category_code == code
                and overlaps(r.valid_from or date.min, r.valid_to, start, None)]
        if same:
            errors["category_code"] = (f"Diện {code} đã được ghi cho đối tượng này ({months_text(same[0])}); muốn "
                                       "ghi lại thì ghi tháng thôi hưởng cho bản ghi cũ trước.")


def _children(raw: str, errors: dict) -> int | None:
    """K4: the number of children raised, 1 to ``MAX_CHILDREN``."""
    if not raw:
        errors["children_count"] = "Diện K4 cần số con đang nuôi (từ 1 đến 20)."
    elif not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_CHILDREN:
        errors["children_count"] = f"Số con đang nuôi phải là số nguyên từ 1 đến {MAX_CHILDREN} (đã nhập: {raw})."
    else:
        return int(raw)
    return None


def category_text(row) -> str:
    """The category as a list or page prints it: the code, the disability level in brackets ("K6 (đặc biệt nặng)"), the
    number of children for K4. ``row``: anything with ``category_code``, ``disability_level``, ``children_count``."""
    text = row.category_code
    if row.disability_level:
        text += f" ({DisabilityLevel.label_of(row.disability_level).lower()})"
    if row.category_code == "K4" and row.children_count:
        text += f", nuôi {row.children_count} con"
    return text


def _category_audit(row) -> dict:
    return {"Diện khác": category_text(row),
            "Hưởng từ tháng": f"{row.valid_from:%m/%Y}" if row.valid_from else None,
            "Thôi hưởng từ tháng": f"{row.valid_to:%m/%Y}" if row.valid_to else None,
            "Số quyết định": row.decision_number}


def add_category(actor, beneficiary: Beneficiary, data: dict, month: date) -> AdditionalCategory:
    """Record a further category from its ``valid_from`` month (``clean_category`` rules; ``month`` = the next
    list's month); audit on the beneficiary. Refused (``ExtrasInvalid`` key ``status``) while the person is stopped or
    suspended in ``month``. Raises ``ExtrasInvalid``. Flushes."""
    refuse_inactive(beneficiary, month, "diện hưởng khác")
    values = clean_category(beneficiary, data, month)
    row = AdditionalCategory(beneficiary_id=beneficiary.id, **values)
    db.session.add(row)
    db.session.flush()
    record(actor, "create", "beneficiary", beneficiary.id,
           f"Ghi thêm diện hưởng khác {category_text(row)} {months_text(row)} (QĐ {row.decision_number}; chỉ "
           "hưởng mức cao nhất, NĐ 20/2021 Điều 6.2)", after=_category_audit(row))
    return row


def _shown(months: list[date], most: int = 6) -> str:
    text = ", ".join(f"{m:%m/%Y}" for m in months[:most])
    return text + (f" và {len(months) - most} tháng khác" if len(months) > most else "")


def end_category(actor, beneficiary: Beneficiary, row: AdditionalCategory, valid_to_text: str,
                 month: date) -> list[str]:
    """End a further category: ``valid_to_text`` (``MM/YYYY`` or ``YYYY-MM``) is the first month it no longer counts,
    at least one month after ``valid_from`` and at most ``MAX_AHEAD_MONTHS`` after ``month`` (the next list's
    month). Returns Vietnamese warnings: allowance lines already listed for months from then on are not recovered
    automatically. Raises ``ExtrasInvalid`` (key ``valid_to``). Audits; flushes (Decree 20/2021 Art. 6.2, 8.2)."""
    if row.beneficiary_id != beneficiary.id:
        raise ValidationError("Diện này không thuộc đối tượng đang xem.")
    errors: dict[str, str] = {}
    valid_to = entry_month(valid_to_text, "Thôi hưởng từ tháng", errors, "valid_to", True)
    latest = add_months(month, MAX_AHEAD_MONTHS)
    if valid_to is not None and row.valid_from is not None and valid_to <= row.valid_from:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) phải sau tháng bắt đầu hưởng "
                              f"({row.valid_from:%m/%Y}).")
    elif valid_to is not None and valid_to > latest:
        errors["valid_to"] = (f"Tháng thôi hưởng ({valid_to:%m/%Y}) quá xa: ghi được đến {latest:%m/%Y} "
                              f"({MAX_AHEAD_MONTHS} tháng sau tháng của danh sách tới {month:%m/%Y}).")
    if errors:
        raise ExtrasInvalid(errors)
    before = _category_audit(row)
    old_to = row.valid_to
    row.valid_to = valid_to
    db.session.flush()
    record(actor, "update", "beneficiary", beneficiary.id,
           f"Thôi hưởng diện khác {category_text(row)} từ tháng {valid_to:%m/%Y}", before=before,
           after=_category_audit(row))
    listed = [m for m in listed_months(beneficiary.id, "tcxh", valid_to) if old_to is None or m < old_to]
    if listed:
        return [f"Đã có dòng trợ cấp trên danh sách chi trả tháng {_shown(listed)} (từ tháng thôi hưởng diện "
                f"{row.category_code}): số đã lập không tự thu hồi; nếu danh sách chưa duyệt, đề nghị cơ quan lập "
                "danh sách lập lại."]
    return []


def remove_category(actor, beneficiary: Beneficiary, row: AdditionalCategory) -> None:
    """Delete a further category entered by mistake — only while it has counted on no list: no allowance line of
    the person (nor back pay on one) for its first month or later, i.e. ``valid_from`` after the last listed month
    (a row without ``valid_from`` counts for every month). Otherwise it can only be ended (``end_category``).
    Raises ``StateError``. Audits on the beneficiary; flushes."""
    if row.beneficiary_id != beneficiary.id:
        raise ValidationError("Diện này không thuộc đối tượng đang xem.")
    listed = listed_months(beneficiary.id, "tcxh", row.valid_from)
    if listed:
        raise StateError(f"Diện {row.category_code} đã được tính khi lập danh sách chi trả (tháng {listed[-1]:%m/%Y}); "
                         "không xóa được. Nếu đối tượng không còn hưởng diện này, ghi «Thôi hưởng từ tháng».")
    before = _category_audit(row)
    text = category_text(row)
    db.session.delete(row)
    db.session.flush()
    record(actor, "delete", "beneficiary", beneficiary.id, f"Xóa diện hưởng khác {text} (ghi nhầm, chưa chi trả)",
           before=before, after={k: None for k in before})
