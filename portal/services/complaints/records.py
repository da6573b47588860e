"""One complaint's life (tiếp nhận → chuyển xử lý → giải quyết → đóng), each step one audit entry
(``object_type`` "complaint"). Flushes, never commits.

Routing (``ROUTES``): who can act on each kind — the payout office (duty ``payout_management``) for money not
received, short, or suspected fraud (it re-issues on a supplementary list); the commune committee (``intake``) for
the account, a proxy (ủy quyền), eligibility and anything else; the bank holding the person's account for a card or
PIN problem and for fees on an account (the post office for fees on cash). Plan §V.5–V.6: banks and the post office
settle a beneficiary's problem with the labour office quickly.
"""
from datetime import date, timedelta

from sqlalchemy import select

from ...access import covers, handles_complaint, is_commune_of, may_reissue
from ...areas import holds_any, visible
from ...clock import today_vn
from ...errors import AccessDenied, StateError, ValidationError
from ...extensions import db
from ...formatting import money
from ...models import (
    Beneficiary,
    CashAtHomeReason,
    Complaint,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Duty,
    LineResult,
    Organization,
    OrgKind,
    PaymentChannel,
    PayoutLine,
    Resolution,
    User,
)
from ..accounts.flags import dispute
from ..accounts.opening import payable_account
from ..audit import record
from ..organizations import serving_organization
from ..payouts.lines import PROGRAMME
from ..payouts.reissue import check_reissuable, reissue_line
from ..registry.identity import nfc, parse_national_id
from .deadlines import due_date

#: duties whose holders receive complaints (commune, payout office, province, bank, post office)
RECEIVING_DUTIES = (Duty.INTAKE, Duty.PAYOUT_MANAGEMENT, Duty.OVERSIGHT, Duty.ACCOUNT_OPENING, Duty.PAYMENT_SERVICE)
#: kind → who acts: a duty served at the person's commune, or "bank" (the branch holding the person's account)
ROUTES = {
    ComplaintKind.NOT_RECEIVED: Duty.PAYOUT_MANAGEMENT, ComplaintKind.SHORT_PAID: Duty.PAYOUT_MANAGEMENT,
    ComplaintKind.FRAUD: Duty.PAYOUT_MANAGEMENT, ComplaintKind.ACCOUNT: Duty.INTAKE,
    ComplaintKind.AUTHORIZATION: Duty.INTAKE, ComplaintKind.ELIGIBILITY: Duty.INTAKE, ComplaintKind.OTHER: Duty.INTAKE,
    ComplaintKind.CARD_PIN: "bank", ComplaintKind.FEE_CHARGED: "bank",
}
#: targets a complaint can be routed to by hand, with their Vietnamese label
TARGETS = {"commune": "UBND xã/phường", "payout_office": "Cơ quan quản lý chi trả", "post_office": "Bưu điện",
           "bank": "Ngân hàng nơi mở tài khoản", "province": "Sở"}
OLDEST_RECEIPT_DAYS = 366


def find_person(actor: User, national_id: str) -> Beneficiary:
    """The beneficiary with this 12-digit ID among those ``actor`` may see (``areas.visible``). Raises
    ValidationError (bad ID, or nobody visible with it — the same message whether or not the ID exists elsewhere)."""
    value = parse_national_id(national_id or "").value
    person = db.session.execute(visible(Beneficiary, actor).where(Beneficiary.national_id == value)).scalars().first()
    if person is None:
        raise ValidationError("Không tìm thấy đối tượng có số định danh này trong địa bàn của cơ quan bạn.")
    return person


def line_for(person: Beneficiary, month: date | None) -> PayoutLine | None:
    """The person's monthly allowance line (programme ``tcxh``) of ``month``, or None."""
    if month is None:
        return None
    return db.session.execute(select(PayoutLine).where(
        PayoutLine.beneficiary_id == person.id, PayoutLine.month == month.replace(day=1),
        PayoutLine.programme == PROGRAMME)).scalar_one_or_none()


def bank_of(person: Beneficiary) -> Organization | None:
    """The bank branch of the person's payable account that covers their commune, or None."""
    account = payable_account(person)
    if account is None:
        return None
    for org in db.session.execute(select(Organization).where(
            Organization.kind == OrgKind.BANK, Organization.provider_code == account.provider_code,
            Organization.active.is_(True)).order_by(Organization.id)).scalars():
        if covers(org, person.commune_code):
            return org
    return None


def target_org(target: str, person: Beneficiary) -> Organization | None:
    """The organisation behind a routing ``target`` (``TARGETS`` key) for this person, or None."""
    if target == "bank":
        return bank_of(person)
    duty = {"commune": Duty.INTAKE, "payout_office": Duty.PAYOUT_MANAGEMENT, "post_office": Duty.PAYMENT_SERVICE,
            "province": Duty.OVERSIGHT}.get(target)
    return serving_organization(person.commune_code, duty) if duty else None


def route_for(kind: ComplaintKind, person: Beneficiary) -> Organization:
    """Who acts on a complaint of ``kind`` about ``person`` (``ROUTES``); a bank kind about a person without an
    account goes to the post office (fees on cash), else to the payout office."""
    duty = ROUTES[kind]
    if duty == "bank":
        org = bank_of(person) or (serving_organization(person.commune_code, Duty.PAYMENT_SERVICE)
                                  if kind == ComplaintKind.FEE_CHARGED else None)
        return org or serving_organization(person.commune_code, Duty.PAYOUT_MANAGEMENT)
    org = serving_organization(person.commune_code, duty)
    if org is None:
        raise StateError("Chưa có cơ quan xử lý loại phản ánh này cho xã/phường của đối tượng.")
    return org


def _text(value: str | None, what: str, least: int, most: int) -> str:
    text = " ".join(nfc(value or "").split())
    if len(text) < least:
        raise ValidationError(f"Ghi {what} (ít nhất {least} ký tự).")
    if len(text) > most:
        raise ValidationError(f"{what[:1].upper()}{what[1:]} dài quá {most} ký tự.")
    return text


def receive(actor: User, person: Beneficiary, *, kind: str, channel: str, description: str,
            received_on: date, month: date | None = None) -> Complaint:
    """Tiếp nhận: record a complaint about ``person`` received by ``actor``'s organisation on ``received_on`` by
    ``channel`` (``ComplaintChannel``), of ``kind`` (``ComplaintKind``), about ``month`` (first-of-month date, or
    None); the month's allowance line is linked when there is one (``line_for``). It is routed (``route_for``) and
    due ``deadlines.due_date(received_on)``. Raises AccessDenied (organisation receives no complaints, or the person
    is not visible to it), ValidationError (kind, channel, text of 5–1000 characters, a date in the future or more
    than a year back, a month after this one)."""
    if not holds_any(actor.organization, *RECEIVING_DUTIES):
        raise AccessDenied("Cơ quan của bạn không tiếp nhận phản ánh.")
    if db.session.execute(visible(Beneficiary, actor).where(Beneficiary.id == person.id)).first() is None:
        raise AccessDenied("Đối tượng ngoài địa bàn của cơ quan bạn.")
    if not ComplaintKind.has(kind):
        raise ValidationError("Chọn loại phản ánh trong danh mục.")
    if not ComplaintChannel.has(channel):
        raise ValidationError("Chọn hình thức tiếp nhận: điện thoại, trực tiếp hoặc đơn, thư.")
    text = _text(description, "nội dung phản ánh", 5, 1000)
    today = today_vn()
    if received_on is None or received_on > today:
        raise ValidationError("Ngày tiếp nhận không được sau hôm nay.")
    if received_on < today - timedelta(days=OLDEST_RECEIPT_DAYS):
        raise ValidationError("Ngày tiếp nhận quá một năm trước: kiểm tra lại.")
    if month is not None:
        month = month.replace(day=1)
        if month > today.replace(day=1):
            raise ValidationError(f"Tháng {month:%m/%Y} chưa tới.")
    line = line_for(person, month)
    kind_enum = ComplaintKind(kind)
    assigned = route_for(kind_enum, person)
    c = Complaint(beneficiary_id=person.id, commune_code=person.commune_code, month=month,
                  payout_line_id=line.id if line else None, kind=kind, channel=channel, description=text,
                  received_on=received_on, received_org_id=actor.organization_id, received_by_id=actor.id,
                  assigned_org_id=assigned.id, due_on=due_date(received_on), status=ComplaintStatus.OPEN.value)
    db.session.add(c)
    db.session.flush()
    record(actor, "complaint_received", "complaint", c.id,
           f"Tiếp nhận phản ánh «{kind_enum.label}» của {person.full_name}"
           + (f" về tháng {month:%m/%Y}" if month else "") + f" ({ComplaintChannel(channel).label.lower()}); "
           f"chuyển {assigned.display_name} xử lý, hạn {c.due_on:%d/%m/%Y}.",
           after={"kind": kind, "channel": channel, "assigned_org_id": assigned.id, "due_on": c.due_on})
    db.session.flush()
    return c


def _require_open(c: Complaint) -> None:
    if c.status == ComplaintStatus.CLOSED.value:
        raise StateError("Phản ánh đã đóng.")


def _require_handler(actor: User, c: Complaint) -> None:
    if not handles_complaint(actor, c):
        raise AccessDenied("Cơ quan của bạn không xử lý phản ánh này.")


def route(actor: User, c: Complaint, target: str, note: str = "") -> Complaint:
    """Chuyển xử lý: hand ``c`` to another organisation (``TARGETS``: the commune, the payout office, the post office,
    the bank of the person's account, the province). Raises AccessDenied (``access.handles_complaint``), StateError
    (closed, or no such organisation for the person), ValidationError (unknown target)."""
    _require_handler(actor, c)
    _require_open(c)
    if target not in TARGETS:
        raise ValidationError("Chọn cơ quan nhận xử lý.")
    org = target_org(target, c.beneficiary)
    if org is None:
        raise StateError(f"Không có {TARGETS[target].lower()} phù hợp cho đối tượng này.")
    before = c.assigned_org_id
    c.assigned_org_id = org.id
    note = " ".join(nfc(note or "").split())[:300]
    record(actor, "complaint_routed", "complaint", c.id,
           f"Chuyển phản ánh cho {org.display_name} xử lý" + (f": {note}" if note else "."),
           before={"assigned_org_id": before}, after={"assigned_org_id": org.id})
    db.session.flush()
    return c


def _resolve(actor: User, c: Complaint, resolution: Resolution, summary: str, status=ComplaintStatus.RESOLVING,
             note: str | None = None, **after) -> None:
    c.resolution, c.status = resolution.value, status.value
    if note:
        c.resolution_note = note[:500]
    record(actor, "complaint_resolved", "complaint", c.id, summary,
           after={"resolution": resolution.value, "status": status.value, **after})
    db.session.flush()


def reissue(actor: User, c: Complaint) -> PayoutLine:
    """Chi lại (one click): the failed allowance line the complaint is about goes on a supplementary list of its
    month (``payouts.reissue.reissue_line``: never twice, never when already carried over). Returns the new line;
    the complaint waits for its payment (``resolving``) and may be closed once it is paid. Raises AccessDenied (not
    the payout office of the commune — ``access.may_reissue``), StateError (closed, no line, line not reissuable)."""
    if not may_reissue(actor, c):
        raise AccessDenied("Chỉ cơ quan quản lý chi trả của địa bàn được chi lại.")
    _require_open(c)
    if c.payout_line is None:
        raise StateError("Phản ánh chưa gắn với dòng chi trả của tháng: không có khoản nào để chi lại.")
    new = reissue_line(actor, c.payout_line)
    c.reissue_line_id = new.id
    _resolve(actor, c, Resolution.REISSUED,
             f"Chi lại {money(new.total)} đồng tháng {new.month:%m/%Y} trên danh sách bổ sung số "
             f"{new.payout_list.sequence}.",
             reissue_line=new.id)
    return new


def can_reissue(c: Complaint) -> bool:
    """True when the linked line could be re-issued now (``payouts.reissue.check_reissuable``)."""
    if c.payout_line is None or c.status == ComplaintStatus.CLOSED.value:
        return False
    try:
        check_reissuable(c.payout_line)
    except StateError:
        return False
    return True


def change_channel(actor: User, c: Complaint, channel: str, cash_at_home_reason: str | None = None) -> Complaint:
    """Đổi hình thức chi trả: the commune moves the person to cash at a payout point, or at home with a reason
    (``CashAtHomeReason``); from the next list on. Raises AccessDenied (not the person's commune), StateError
    (closed), ValidationError (another channel, missing reason)."""
    if not is_commune_of(actor, c.commune_code):
        raise AccessDenied("Chỉ UBND xã/phường của đối tượng được đổi hình thức chi trả.")
    _require_open(c)
    if channel not in (PaymentChannel.CASH_AT_POINT.value, PaymentChannel.CASH_AT_HOME.value):
        raise ValidationError("Chọn tiền mặt tại điểm chi trả hoặc tiền mặt tại nhà.")
    if channel == PaymentChannel.CASH_AT_HOME.value and not CashAtHomeReason.has(cash_at_home_reason):
        raise ValidationError("Chi tại nhà cần lý do trong danh mục.")
    person = c.beneficiary
    before = {"payment_channel": person.payment_channel, "cash_at_home_reason": person.cash_at_home_reason}
    person.payment_channel = channel
    person.cash_at_home_reason = cash_at_home_reason if channel == PaymentChannel.CASH_AT_HOME.value else None
    record(actor, "channel_changed", "beneficiary", person.id,
           f"Đổi hình thức chi trả của {person.full_name} thành «{PaymentChannel(channel).label}» theo phản ánh "
           f"số {c.id}.", before=before,
           after={"payment_channel": channel, "cash_at_home_reason": person.cash_at_home_reason})
    _resolve(actor, c, Resolution.CHANNEL_CHANGED, f"Đổi hình thức chi trả thành «{PaymentChannel(channel).label}».",
             payment_channel=channel)
    return c


def dispute_account(actor: User, c: Complaint, reason: str) -> Complaint:
    """Khiếu nại tài khoản: the commune stops the person's account (``accounts.flags.dispute``: back to their previous
    cash channel) and the bank is told through its flagged accounts. Raises AccessDenied, StateError (closed, no
    active account), ValidationError (reason)."""
    _require_open(c)
    account = payable_account(c.beneficiary)
    if account is None:
        raise StateError("Đối tượng không có tài khoản đang sử dụng.")
    dispute(actor, account, reason)
    _resolve(actor, c, Resolution.ACCOUNT_DISPUTED, f"Khiếu nại tài khoản ••{account.account_number[-4:]}.",
             note=reason)
    return c


def refer_to_bank(actor: User, c: Complaint, note: str = "") -> Complaint:
    """Chuyển ngân hàng: a card or PIN problem goes to the branch holding the person's account, which then handles
    the complaint. Raises AccessDenied (``handles_complaint``), StateError (closed, no bank account)."""
    _require_handler(actor, c)
    _require_open(c)
    bank = bank_of(c.beneficiary)
    if bank is None:
        raise StateError("Đối tượng không có tài khoản tại ngân hàng phụ trách địa bàn.")
    c.assigned_org_id = bank.id
    _resolve(actor, c, Resolution.REFERRED_TO_BANK, f"Chuyển {bank.display_name} xử lý thẻ/mã PIN.",
             status=ComplaintStatus.OPEN, note=note or None, assigned_org_id=bank.id)
    return c


def may_close(actor: User, c: Complaint) -> bool:
    """The handler, the receiving organisation, the person's commune or the province may close."""
    return handles_complaint(actor, c) or actor.organization_id == c.received_org_id


def close(actor: User, c: Complaint, answer: str) -> Complaint:
    """Đóng phản ánh with the answer given to the person; a re-issue closes only once the new line is paid.
    ``closed_on`` is today (Vietnam); days to close = ``closed_on − received_on``. Raises AccessDenied
    (``may_close``), StateError (closed already, re-issued line not paid yet), ValidationError (answer < 5 chars)."""
    if not may_close(actor, c):
        raise AccessDenied("Cơ quan của bạn không đóng được phản ánh này.")
    _require_open(c)
    answer = _text(answer, "nội dung trả lời", 5, 500)
    if c.resolution == Resolution.REISSUED and (c.reissue_line is None
                                                or c.reissue_line.result != LineResult.PAID.value):
        raise StateError("Khoản chi lại chưa được bưu điện báo «Đã chi»: chưa đóng được phản ánh.")
    if c.resolution is None:
        c.resolution = Resolution.ANSWERED.value
    c.status, c.closed_on, c.closed_by_id = ComplaintStatus.CLOSED.value, today_vn(), actor.id
    c.resolution_note = answer
    record(actor, "complaint_closed", "complaint", c.id,
           f"Đóng phản ánh sau {c.days_to_close} ngày: {answer}",
           after={"status": c.status, "closed_on": c.closed_on, "days_to_close": c.days_to_close})
    db.session.flush()
    return c


def is_overdue(c: Complaint, today: date | None = None) -> bool:
    """True when ``c`` is not closed and its deadline passed."""
    return c.status != ComplaintStatus.CLOSED.value and c.due_on < (today or today_vn())


def overdue_filter(today: date | None = None):
    """SQL condition for overdue complaints (for ``visible(Complaint).where(...)``)."""
    return (Complaint.status != ComplaintStatus.CLOSED.value) & (Complaint.due_on < (today or today_vn()))

