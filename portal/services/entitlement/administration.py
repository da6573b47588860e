"""The province edits the rates (quản lý mức chuẩn, hệ số, hỗ trợ thêm, chi phí chi trả) as dated rows with a legal
basis — never constants in code (Decree 20/2021 Art. 4, 6; Decree 76/2024; Decree 335/2026; Circular 76/2021
Art. 3.7). Only an organisation with the ``oversight`` duty (Sở) may change them; every change is audited.

A row whose valid-from month is already on payout lists is allowed: the next list back-pays the difference for
every month already paid (``entitlement.plan``). Money is integer đồng, months first-of-month dates. Raises
AccessDenied (no oversight duty) or ValidationError (Vietnamese message, ``field`` set)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select

from ...access import oversees
from ...clock import utcnow
from ...errors import AccessDenied, ValidationError
from ...extensions import db
from ...formatting import money
from ...models import (
    AuditEvent,
    Category,
    CoefficientRule,
    FeeRule,
    LocalTopUp,
    PayoutLine,
    PayoutList,
    SocialPensionLevel,
    StandardLevel,
    SupportRule,
    User,
)
from ..audit import record, snapshot
from .pension import PENSION_ONLY_CATEGORY
from .rates import SOCIAL_ASSISTANCE, SOCIAL_PENSION, parse_month

RATE_OBJECTS = ("standard_level", "coefficient_rule", "local_top_up", "fee_rule")
MAX_AMOUNT = 100_000_000


def _error(message: str, field: str | None = None) -> ValidationError:
    err = ValidationError(message)
    err.field = field
    return err


class RatesInvalid(ValidationError):
    """Every refused value of one rates form at once: ``errors`` field name → Vietnamese message (``field`` the first
    of them); ``str()`` joins the messages."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors
        self.field = next(iter(errors))


class _Checks:
    """Collects the refusals of one form (``run`` a parser, ``fail`` a rule) so that all are shown together;
    ``done`` raises ``RatesInvalid`` when there is any."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def run(self, fn, *args):
        """``fn(*args)``, or None with its ``ValidationError`` kept under the error's field."""
        try:
            return fn(*args)
        except ValidationError as err:
            self.fail(str(err), getattr(err, "field", None) or "legal_basis")
            return None

    def fail(self, message: str, field: str) -> None:
        self.errors.setdefault(field, message)

    def done(self) -> None:
        if self.errors:
            raise RatesInvalid(self.errors)


def _amount(amount, field: str = "amount") -> int:
    return amount if isinstance(amount, int) else parse_money(amount, field)


def _require_oversight(actor: User) -> None:
    if not oversees(actor):
        raise AccessDenied("Chỉ Sở (nhiệm vụ giám sát) được sửa mức chuẩn, hệ số và chi phí chi trả.")


def parse_money(text, field: str) -> int:
    """"540.000", "540000", "540.000 đ" → 540000 (integer đồng, 0…100.000.000). Raises ValidationError."""
    raw = str(text or "").replace("đ", "").replace(".", "").replace(" ", "").replace(",", "").strip()
    if not raw.isdigit():
        raise _error("Số tiền phải là số nguyên đồng, ví dụ 540.000.", field)
    value = int(raw)
    if value > MAX_AMOUNT:
        raise _error(f"Số tiền quá lớn (tối đa {money(MAX_AMOUNT)} đồng).", field)
    return value


def _month(value, field: str) -> date:
    if not isinstance(value, date):
        try:
            value = parse_month(str(value or ""))
        except Exception:
            raise _error("Tháng không hợp lệ (định dạng MM/YYYY, ví dụ 01/2027).", field) from None
    return value.replace(day=1)


def _basis(text, field: str = "legal_basis") -> str:
    text = " ".join(str(text or "").split())
    if len(text) < 5:
        raise _error("Cần ghi căn cứ pháp lý (số văn bản, điều khoản).", field)
    return text[:200]


def last_listed_month() -> date | None:
    """The latest month that has payout lines, or None."""
    return db.session.execute(select(func.max(PayoutLine.month))).scalar()


def retro_note(valid_from: date) -> str:
    """Vietnamese note when ``valid_from`` is already on lists: the next list back-pays the difference."""
    last = last_listed_month()
    if last is not None and valid_from <= last:
        return (f" Các tháng {valid_from:%m/%Y}–{last:%m/%Y} đã lập danh sách: danh sách kế tiếp sẽ truy lĩnh chênh "
                "lệch cho từng tháng.")
    return ""


def add_standard_level(actor: User, valid_from, amount, legal_basis: str) -> StandardLevel:
    """Add a mức chuẩn valid from ``valid_from`` (date or "YYYY-MM") until the next row. ``amount`` đồng (int or
    text). Raises ``RatesInvalid`` (a ValidationError) naming every refused value, among them a level already
    starting that month (edit it instead)."""
    _require_oversight(actor)
    checks = _Checks()
    valid_from = checks.run(_month, valid_from, "valid_from")
    amount = checks.run(_amount, amount)
    if amount is not None and amount <= 0:
        checks.fail("Mức chuẩn phải lớn hơn 0.", "amount")
    basis = checks.run(_basis, legal_basis)
    if valid_from and db.session.execute(select(StandardLevel).where(StandardLevel.valid_from == valid_from)).scalar():
        checks.fail(f"Đã có mức chuẩn áp dụng từ tháng {valid_from:%m/%Y}; hãy sửa dòng đó.", "valid_from")
    checks.done()
    row = StandardLevel(valid_from=valid_from, amount=amount, legal_basis=basis)
    db.session.add(row)
    db.session.flush()
    record(actor, "create", "standard_level", row.id,
           f"Thêm mức chuẩn {money(amount)} đồng từ tháng {valid_from:%m/%Y} ({basis})." + retro_note(valid_from),
           after=snapshot(row, ("valid_from", "amount", "legal_basis")))
    return row


def pension_back_pay(row: SocialPensionLevel) -> tuple[int, int]:
    """(people, đồng) the lists will back-pay once ``row`` is paid: for every month from ``row.valid_from`` already on
    a social-pension list at a lower level, the difference (row amount − printed level) per person and month."""
    people, amount = db.session.execute(
        select(func.count(func.distinct(PayoutLine.beneficiary_id)),
               func.coalesce(func.sum(row.amount - PayoutLine.standard_level), 0))
        .join(PayoutList, PayoutList.id == PayoutLine.payout_list_id)
        .where(PayoutList.programme == "social_pension", PayoutLine.programme == "tcxh",
               PayoutLine.month >= row.valid_from, PayoutLine.standard_level < row.amount)).one()
    return int(people), int(amount)


def confirm_social_pension_level(actor: User, valid_from, official_text: str) -> tuple[SocialPensionLevel, int, int]:
    """The province records the official text of a provisional (tạm tính) social-pension level valid from
    ``valid_from`` (date or "YYYY-MM"), e.g. "Nghị định 335/2026/NĐ-CP ngày 21/8/2026": from then on the level is
    paid, and the next lists back-pay the difference for every month already paid at the old level (truy lĩnh chênh
    lệch, reference §5.3.2). Returns (row, people, đồng) of that back pay. Raises ValidationError when no
    provisional level starts that month or the text is missing; AccessDenied without the oversight duty."""
    _require_oversight(actor)
    valid_from = _month(valid_from, "valid_from")
    text = _basis(official_text, "official_text")
    row = db.session.execute(select(SocialPensionLevel).where(
        SocialPensionLevel.valid_from == valid_from)).scalar_one_or_none()
    if row is None or not row.provisional:
        raise _error(f"Không có mức trợ cấp hưu trí xã hội tạm tính từ tháng {valid_from:%m/%Y} để xác nhận.",
                     "valid_from")
    before = snapshot(row, ("provisional", "official_text"))
    row.provisional, row.official_text = False, text
    row.confirmed_at, row.confirmed_by_id = utcnow(), actor.id
    db.session.flush()
    people, amount = pension_back_pay(row)
    record(actor, "confirm", "social_pension_level", row.id,
           f"Xác nhận mức trợ cấp hưu trí xã hội {money(row.amount)} đồng từ tháng {valid_from:%m/%Y} theo {text}."
           + (f" Truy lĩnh chênh lệch cho {people} người, {money(amount)} đồng, trong danh sách kế tiếp."
              if people else ""),
           before=before, after=snapshot(row, ("provisional", "official_text")))
    return row, people, amount


def update_standard_level(actor: User, row: StandardLevel, amount, legal_basis: str) -> StandardLevel:
    """Correct the amount or legal basis of an existing mức chuẩn (audited with before/after). Raises
    ``RatesInvalid`` naming every refused value."""
    _require_oversight(actor)
    checks = _Checks()
    amount = checks.run(_amount, amount)
    if amount is not None and amount <= 0:
        checks.fail("Mức chuẩn phải lớn hơn 0.", "amount")
    basis = checks.run(_basis, legal_basis)
    checks.done()
    fields = ("amount", "legal_basis")
    before = snapshot(row, fields)
    row.amount, row.legal_basis = amount, basis
    db.session.flush()
    record(actor, "update", "standard_level", row.id,
           f"Sửa mức chuẩn từ tháng {row.valid_from:%m/%Y}: {money(before['amount'])} → {money(amount)} đồng."
           + retro_note(row.valid_from), before=before, after=snapshot(row, fields))
    return row


def set_coefficient(actor: User, rule: CoefficientRule, coefficient, valid_from, legal_basis: str) -> CoefficientRule:
    """A new hệ số for ``rule``'s category and age band from ``valid_from``: the old row ends there and a new row
    starts (same month as the rule's own start: corrected in place). Returns the row now in force. ``coefficient``
    Decimal or text "1,5" (0 < x ≤ 10). Raises ``RatesInvalid`` naming every refused value."""
    _require_oversight(actor)
    checks = _Checks()
    valid_from = checks.run(_month, valid_from, "valid_from")
    value = checks.run(_coefficient, coefficient)
    basis = checks.run(_basis, legal_basis)
    if valid_from and (valid_from < rule.valid_from or (rule.valid_to is not None and valid_from >= rule.valid_to)):
        checks.fail(f"Tháng áp dụng phải trong thời gian hiệu lực của dòng hệ số (từ {rule.valid_from:%m/%Y}).",
                    "valid_from")
    checks.done()
    fields = ("category_code", "disability_level", "age_from", "age_to", "coefficient", "valid_from", "valid_to",
              "legal_basis")
    before = snapshot(rule, fields)
    if valid_from == rule.valid_from:
        rule.coefficient, rule.legal_basis = value, basis
        new = rule
    else:
        new = CoefficientRule(category_code=rule.category_code, disability_level=rule.disability_level,
                              age_from=rule.age_from, age_to=rule.age_to, coefficient=value,
                              per_child=rule.per_child, valid_from=valid_from, valid_to=rule.valid_to,
                              label=rule.label, legal_basis=basis)
        rule.valid_to = valid_from
        db.session.add(new)
    db.session.flush()
    record(actor, "update", "coefficient_rule", new.id,
           f"Hệ số «{rule.label}»: {before['coefficient']} → {value} từ tháng {valid_from:%m/%Y} ({basis})."
           + retro_note(valid_from), before=before, after=snapshot(new, fields))
    return new


def _coefficient(text) -> Decimal:
    try:
        value = Decimal(str(text).replace(",", ".").strip())
    except InvalidOperation:
        raise _error("Hệ số không hợp lệ, ví dụ 1,5.", "coefficient") from None
    if not value.is_finite() or not (Decimal(0) < value <= Decimal(10)) or value != value.quantize(Decimal("0.01")):
        raise _error("Hệ số phải lớn hơn 0, tối đa 10, hai chữ số thập phân.", "coefficient")
    return value


def add_top_up(actor: User, category_code: str | None, amount, valid_from, valid_to, legal_basis: str) -> LocalTopUp:
    """Khoản hỗ trợ thêm của tỉnh (Decree 20/2021 Art. 4.3): ``amount`` đồng per beneficiary and month for
    ``category_code`` (None or "" = every category; ``HTXH`` = every social pensioner, Decree 176/2025), months
    ``[valid_from, valid_to)``. Raises ``RatesInvalid`` naming every refused value."""
    _require_oversight(actor)
    checks = _Checks()
    valid_from = checks.run(_month, valid_from, "valid_from")
    valid_to = checks.run(_month, valid_to, "valid_to") if valid_to else None
    if valid_from and valid_to is not None and valid_to <= valid_from:
        checks.fail("Tháng kết thúc phải sau tháng bắt đầu.", "valid_to")
    amount = checks.run(_amount, amount)
    if amount is not None and amount <= 0:
        checks.fail("Số tiền hỗ trợ thêm phải lớn hơn 0.", "amount")
    code = category_code or None
    if code is not None and db.session.get(Category, code) is None:
        checks.fail("Diện đối tượng không có trong danh mục.", "category_code")
    basis = checks.run(_basis, legal_basis)
    checks.done()
    programme = SOCIAL_PENSION if code == PENSION_ONLY_CATEGORY else SOCIAL_ASSISTANCE
    row = LocalTopUp(category_code=None if programme == SOCIAL_PENSION else code, programme=programme,
                     amount=amount, valid_from=valid_from, valid_to=valid_to, legal_basis=basis)
    db.session.add(row)
    db.session.flush()
    record(actor, "create", "local_top_up", row.id,
           f"Thêm hỗ trợ thêm của tỉnh {money(amount)} đồng/tháng cho {code or 'mọi diện'} từ tháng "
           f"{valid_from:%m/%Y}." + retro_note(valid_from),
           after=snapshot(row, ("category_code", "amount", "valid_from", "valid_to", "legal_basis")))
    return row


def add_fee_rule(actor: User, valid_from, per_beneficiary, basis_points, legal_basis: str) -> FeeRule:
    """Chi phí chi trả from ``valid_from``: ``per_beneficiary`` đồng per beneficiary per month and/or
    ``basis_points`` (0,01 %) of the amount paid (Circular 76/2021/TT-BTC Art. 3.7). Both 0 is refused. Raises
    ``RatesInvalid`` naming every refused value."""
    _require_oversight(actor)
    checks = _Checks()
    valid_from = checks.run(_month, valid_from, "valid_from")
    per = checks.run(_amount, per_beneficiary or "0", "per_beneficiary")
    bp = checks.run(_basis_points, basis_points)
    if per == 0 and bp == 0:
        checks.fail("Cần mức chi phí theo người hoặc theo tỷ lệ số tiền chi trả.", "per_beneficiary")
    basis = checks.run(_basis, legal_basis)
    if valid_from and db.session.execute(select(FeeRule).where(FeeRule.valid_from == valid_from)).scalar():
        checks.fail(f"Đã có quy định chi phí áp dụng từ tháng {valid_from:%m/%Y}.", "valid_from")
    checks.done()
    row = FeeRule(valid_from=valid_from, per_beneficiary=per, basis_points=bp, legal_basis=basis)
    db.session.add(row)
    db.session.flush()
    record(actor, "create", "fee_rule", row.id,
           f"Thêm chi phí chi trả từ tháng {valid_from:%m/%Y}: {money(per)} đồng/đối tượng/tháng"
           f"{f' + {bp / 100:g} % số tiền chi trả' if bp else ''} ({basis}).",
           after=snapshot(row, ("valid_from", "per_beneficiary", "basis_points", "legal_basis")))
    return row


def _basis_points(text) -> int:
    try:
        bp = int(text or 0)
    except (TypeError, ValueError):
        raise _error("Tỷ lệ phải là số nguyên phần vạn (50 = 0,5 %).", "basis_points") from None
    if not 0 <= bp <= 1000:
        raise _error("Tỷ lệ từ 0 đến 1000 phần vạn (tối đa 10 %).", "basis_points")
    return bp


@dataclass
class RatesOverview:
    """Everything the rates page shows, rows ordered by start month."""

    levels: list
    rules: list
    top_ups: list
    fees: list
    supports: list
    history: list
    pension_levels: list = None  # SocialPensionLevel rows (a provisional one shown as tạm tính)


def rates_overview() -> RatesOverview:
    """Rows of every rate table and the last 50 audited rate changes (one query each)."""

    def rows(model, *order):
        return list(db.session.execute(select(model).order_by(*order)).scalars())

    history = list(db.session.execute(select(AuditEvent).where(AuditEvent.object_type.in_(
        RATE_OBJECTS + ("social_pension_level",)))
                                      .order_by(AuditEvent.id.desc()).limit(50)).scalars())
    return RatesOverview(
        rows(StandardLevel, StandardLevel.valid_from),
        rows(CoefficientRule, CoefficientRule.category_code, CoefficientRule.disability_level,
             CoefficientRule.age_from, CoefficientRule.valid_from),
        rows(LocalTopUp, LocalTopUp.valid_from), rows(FeeRule, FeeRule.valid_from),
        rows(SupportRule, SupportRule.kind, SupportRule.valid_from), history,
        rows(SocialPensionLevel, SocialPensionLevel.valid_from))
