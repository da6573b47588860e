"""Authorizations (giấy ủy quyền nhận trợ cấp / mở tài khoản, reference §2.4, plan §III.4, §V.6): recording and
revoking the letters the commune certifies (chứng thực chữ ký, ND 23/2015), the expiry warning list, and the check
used at payout and account opening — a proxy outside the validity period is refused.

Scopes: ``receive`` (nhận trợ cấp, incl. back pay and funeral money) and ``open_account`` (mở tài khoản thay).
Services flush, never commit; every write is audited."""
from datetime import date, timedelta

from sqlalchemy import select

from ...errors import StateError, ValidationError
from ...extensions import db
from ...models import Authorization, Beneficiary
from ..audit import record, snapshot
from .fields import check_person_name
from .identity import nfc, normalize_national_id

SCOPES = {"receive": "Nhận trợ cấp", "open_account": "Mở tài khoản"}
#: bank / BHXH practice limits a letter to 12 months [L]: a longer term is a warning, not an error
USUAL_MAX_DAYS = 366
EXPIRY_WARNING_DAYS = 30
FIELDS = ["proxy_name", "proxy_national_id", "proxy_birth_year", "proxy_relationship", "proxy_phone",
          "proxy_address", "scope_receive", "scope_open_account", "valid_from", "valid_to", "certification_number",
          "certified_on", "revoked_on", "note"]


def _scope_column(scope: str):
    if scope not in SCOPES:
        raise ValueError(f"unknown authorization scope {scope!r}")
    return Authorization.scope_receive if scope == "receive" else Authorization.scope_open_account


def create_authorization(actor, beneficiary: Beneficiary, values: dict,
                         today: date | None = None) -> tuple[Authorization, list[str]]:
    """Record a certified letter. ``values``: proxy_name, proxy_national_id (12 digits), proxy_relationship,
    proxy_birth_year?, proxy_phone?, proxy_address?, scope_receive / scope_open_account (bools, at least one),
    valid_from, valid_to? (dates), certification_number, certified_on (date, not after ``valid_from``… and not in
    the future), note?. Returns ``(authorization, warnings)`` — a term over 12 months is a warning. Raises
    ``ValidationError`` (Vietnamese) on the first broken rule."""
    v = {k: (nfc(x).strip() if isinstance(x, str) else x) for k, x in values.items()}
    name = v.get("proxy_name") or ""
    if not name:
        raise ValidationError("Chưa nhập họ tên người được ủy quyền.")
    check_person_name(name, "Họ tên người được ủy quyền")
    national_id = normalize_national_id(v.get("proxy_national_id") or "")
    if national_id == beneficiary.national_id:
        raise ValidationError("Người được ủy quyền không thể là chính đối tượng.")
    if not v.get("proxy_relationship"):
        raise ValidationError("Chưa nhập quan hệ với đối tượng.")
    if not (v.get("scope_receive") or v.get("scope_open_account")):
        raise ValidationError("Chọn ít nhất một phạm vi ủy quyền (nhận trợ cấp, mở tài khoản).")
    valid_from, valid_to = v.get("valid_from"), v.get("valid_to")
    if valid_from is None:
        raise ValidationError("Chưa nhập ngày bắt đầu hiệu lực.")
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError("Ngày hết hiệu lực phải sau ngày bắt đầu.")
    if not v.get("certification_number") or v.get("certified_on") is None:
        raise ValidationError("Chưa nhập số và ngày chứng thực của UBND xã.")
    if today is not None and v["certified_on"] > today:
        raise ValidationError("Ngày chứng thực không được sau hôm nay.")
    warnings = []
    if valid_to is None or (valid_to - valid_from).days > USUAL_MAX_DAYS:
        warnings.append("Thời hạn ủy quyền quá 12 tháng; ngân hàng thường chỉ chấp nhận tối đa 12 tháng.")
    auth = Authorization(
        beneficiary_id=beneficiary.id, proxy_name=name, proxy_national_id=national_id,
        proxy_birth_year=v.get("proxy_birth_year") or None, proxy_relationship=v["proxy_relationship"],
        proxy_phone=v.get("proxy_phone") or None, proxy_address=v.get("proxy_address") or None,
        scope_receive=bool(v.get("scope_receive")), scope_open_account=bool(v.get("scope_open_account")),
        valid_from=valid_from, valid_to=valid_to, certification_number=v["certification_number"],
        certified_on=v["certified_on"], certified_by_id=getattr(actor, "id", None), note=v.get("note") or None,
        created_by_id=getattr(actor, "id", None))
    db.session.add(auth)
    db.session.flush()
    record(actor, "create", "authorization", auth.id,
           f"Ghi giấy ủy quyền của {beneficiary.full_name} cho {name} ({auth.proxy_relationship})",
           after=snapshot(auth, FIELDS))
    record(actor, "authorization", "beneficiary", beneficiary.id,
           f"Ghi giấy ủy quyền cho {name} (số chứng thực {auth.certification_number})")
    return auth, warnings


def revoke(actor, auth: Authorization, on_date: date, reason: str | None = None) -> Authorization:
    """Thu hồi from ``on_date`` (not valid on that day and after). Raises ``StateError`` when already revoked."""
    if auth.revoked_on is not None:
        raise StateError("Giấy ủy quyền này đã bị thu hồi.")
    before = snapshot(auth, FIELDS)
    auth.revoked_on = on_date
    if reason:
        auth.note = (f"{auth.note}; " if auth.note else "") + f"Thu hồi: {reason}"[:250]
    db.session.flush()
    record(actor, "revoke", "authorization", auth.id,
           f"Thu hồi giấy ủy quyền cho {auth.proxy_name} từ {on_date:%d/%m/%Y}",
           before=before, after=snapshot(auth, FIELDS))
    return auth


def valid_proxy(beneficiary: Beneficiary, on_date: date, scope: str,
                national_id: str | None = None) -> Authorization | None:
    """The authorization letting a proxy act for ``beneficiary`` on ``on_date`` within ``scope`` (``receive`` or
    ``open_account``): certified, not revoked, ``valid_from ≤ on_date ≤ valid_to``; if ``national_id`` is given,
    only that proxy's letter. The one ending last if several. None if there is none. Read-only."""
    stmt = select(Authorization).where(Authorization.beneficiary_id == beneficiary.id, _scope_column(scope).is_(True))
    if national_id:
        stmt = stmt.where(Authorization.proxy_national_id == national_id)
    rows = [a for a in db.session.execute(stmt).scalars() if a.valid_on(on_date)]
    rows.sort(key=lambda a: (a.valid_to or date.max, a.id))
    return rows[-1] if rows else None


def check_proxy(beneficiary: Beneficiary, on_date: date, scope: str, national_id: str | None = None) -> Authorization:
    """Like ``valid_proxy`` but raises ``ValidationError`` with the reason in Vietnamese when no letter is valid:
    expired (with the end date), not yet valid, revoked, not certified, outside the scope, or none for that
    person. Returns the valid ``Authorization``."""
    found = valid_proxy(beneficiary, on_date, scope, national_id)
    if found is not None:
        return found
    who = f" cho người có số định danh {national_id}" if national_id else ""
    stmt = select(Authorization).where(Authorization.beneficiary_id == beneficiary.id)
    if national_id:
        stmt = stmt.where(Authorization.proxy_national_id == national_id)
    letters = list(db.session.execute(stmt.order_by(Authorization.valid_from.desc())).scalars())
    in_scope = [a for a in letters if getattr(a, _scope_column(scope).key)]
    if letters and not in_scope:
        raise ValidationError(f"Giấy ủy quyền{who} không bao gồm việc «{SCOPES[scope].lower()}».")
    if not in_scope:
        raise ValidationError(f"{beneficiary.full_name} không có giấy ủy quyền{who}; không chấp nhận người nhận thay.")
    a = in_scope[0]
    if a.revoked_on is not None and a.revoked_on <= on_date:
        raise ValidationError(f"Giấy ủy quyền{who} đã bị thu hồi từ ngày {a.revoked_on:%d/%m/%Y}.")
    if a.certified_on is None:
        raise ValidationError(f"Giấy ủy quyền{who} chưa được UBND xã chứng thực.")
    if on_date < a.valid_from:
        raise ValidationError(f"Giấy ủy quyền{who} chỉ có hiệu lực từ ngày {a.valid_from:%d/%m/%Y}.")
    raise ValidationError(f"Giấy ủy quyền{who} đã hết hạn ngày {a.valid_to:%d/%m/%Y}; không chấp nhận người nhận thay.")


def expiring(beneficiary_stmt, today: date, days: int = EXPIRY_WARNING_DAYS) -> list[Authorization]:
    """Letters still valid ``today`` that end within ``days`` days (sắp hết hạn), soonest first. ``beneficiary_stmt``
    is a ``visible(Beneficiary)`` select (limits to the area)."""
    ids = beneficiary_stmt.with_only_columns(Beneficiary.id)
    rows = db.session.execute(select(Authorization).where(
        Authorization.beneficiary_id.in_(ids), Authorization.revoked_on.is_(None),
        Authorization.valid_to.is_not(None), Authorization.valid_to >= today,
        Authorization.valid_to <= today + timedelta(days=days), Authorization.valid_from <= today)
        .order_by(Authorization.valid_to, Authorization.id)).scalars()
    return list(rows)


def in_area(beneficiary_stmt, limit: int = 500) -> list[Authorization]:
    """Every letter of the people in ``beneficiary_stmt`` (a ``visible(Beneficiary)`` select), by the person's
    Vietnamese name order then newest first; at most ``limit``."""
    ids = beneficiary_stmt.with_only_columns(Beneficiary.id)
    return list(db.session.execute(
        select(Authorization).join(Beneficiary, Beneficiary.id == Authorization.beneficiary_id)
        .where(Authorization.beneficiary_id.in_(ids))
        .order_by(Beneficiary.name_sort, Authorization.valid_from.desc(), Authorization.id.desc()).limit(limit))
        .scalars())


def state_label(a: Authorization, today: date) -> str:
    """Where a letter stands ``today``: «Đã thu hồi», «Chưa chứng thực», «Chưa hiệu lực», «Hết hạn», «Còn hiệu lực»."""
    if a.revoked_on is not None and a.revoked_on <= today:
        return "Đã thu hồi"
    if a.certified_on is None:
        return "Chưa chứng thực"
    if a.valid_from > today:
        return "Chưa hiệu lực"
    if a.valid_to is not None and a.valid_to < today:
        return "Hết hạn"
    return "Còn hiệu lực"


def of_beneficiary(beneficiary_id: int) -> list[Authorization]:
    """Every letter of one beneficiary, newest first."""
    return list(db.session.execute(select(Authorization).where(Authorization.beneficiary_id == beneficiary_id)
                                   .order_by(Authorization.valid_from.desc(), Authorization.id.desc())).scalars())
