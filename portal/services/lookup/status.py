"""Answering "was I paid, and where" without a login (plan: nobody left behind; elderly beneficiaries cannot check a
balance, and fraudsters call them offering help).

- ``lookup(national_id, birth)``: the answer for the last three months (this month and the two before, Vietnam
  time), or None — the same None for an unknown ID and for a wrong date of birth, so the answer never tells whether
  an ID exists. ``birth`` is the full date, or the year alone for a person the register knows by year of birth only
  (``parse_birth``); a person recorded with a full date must give it.
- ``digest(secret, value)``: HMAC-SHA256 (hex) keyed with the app's secret key; the only form in which an ID or an
  address is stored (``LookupAttempt``) — never in clear, never in a log.
- ``record_attempt``: the audit row, written in its own transaction so that it survives a refused request.
- ``needs_challenge`` / ``new_challenge`` / ``verify_challenge``: after ``CHALLENGE_AFTER`` failures within an hour
  (from the address or for the ID) an arithmetic question must be answered; its answer is signed into the form and
  each challenge is accepted once (its nonce is stored with the attempt).

Money is integer đồng; months are first-of-month dates.
"""
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, insert, or_, select

from ...clock import this_month_vn, utcnow
from ...errors import ValidationError
from ...extensions import db
from ...formatting import provider_name
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    LineResult,
    ListChannel,
    ListStatus,
    LookupAttempt,
    PayoutLine,
    PayoutList,
)
from ...spreadsheets.dates import parse_birth_date, parse_date
from ..payouts.lines import PROGRAMME
from ..payouts.reissue import REISSUE

MONTHS_SHOWN = 3
CHALLENGE_AFTER = 3
CHALLENGE_TTL_SECONDS = 600
FAILURES = ("not_found", "challenge_failed", "throttled")
WARNING = ("Cán bộ xã, bưu điện, ngân hàng KHÔNG BAO GIỜ hỏi mật khẩu, mã OTP, mã PIN hay yêu cầu chuyển tiền để "
           "«hỗ trợ sinh trắc học», «nhận tiền trợ cấp». Ai hỏi những thông tin này là kẻ lừa đảo: không cung cấp, "
           "báo ngay UBND xã/phường hoặc công an.")
WRONG_ANSWER = "Câu trả lời kiểm tra chưa đúng hoặc đã hết hạn. Hãy trả lời câu hỏi mới."
NOT_FOUND = ("Không tìm thấy thông tin phù hợp với số định danh và ngày sinh đã nhập. Kiểm tra lại, hoặc liên hệ UBND "
             "xã/phường nơi đang hưởng trợ cấp.")


@dataclass
class MonthStatus:
    """One month's payment: ``amount`` đồng (0 when no list yet), ``channel`` text, ``status`` ("paid",
    "to_be_paid", "not_received", "no_list") with its Vietnamese ``label`` and ``advice``."""

    month: date
    amount: int
    channel: str
    status: str
    label: str
    advice: str = ""


@dataclass
class StatusAnswer:
    """The answer: ``months`` newest first, the commune's ``contact`` (its committee's name)."""

    contact: str
    months: list = field(default_factory=list)


def digest(secret: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` keyed with ``secret`` (hex, 64 characters)."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def record_attempt(address_hash: str, id_hash: str | None, outcome: str, nonce: str | None = None) -> None:
    """Write one ``LookupAttempt`` in its own transaction (it stays even when the request's work is rolled back, e.g.
    a throttled request). ``outcome``: "found", "not_found", "challenge_failed", "throttled"."""
    with db.engine.begin() as conn:
        conn.execute(insert(LookupAttempt.__table__).values(at=utcnow(), address_hash=address_hash, id_hash=id_hash,
                                                            outcome=outcome, challenge_nonce=nonce))


def recent_failures(address_hash: str, id_hash: str | None, within: timedelta = timedelta(hours=1)) -> int:
    """Failed attempts in the last ``within`` from the address or for the ID."""
    who = LookupAttempt.address_hash == address_hash
    if id_hash:
        who = or_(who, LookupAttempt.id_hash == id_hash)
    return db.session.execute(select(func.count()).where(
        who, LookupAttempt.outcome.in_(FAILURES), LookupAttempt.at >= utcnow() - within)).scalar_one()


def needs_challenge(address_hash: str, id_hash: str | None) -> bool:
    """True after ``CHALLENGE_AFTER`` failures within an hour."""
    return recent_failures(address_hash, id_hash) >= CHALLENGE_AFTER


@dataclass(frozen=True)
class Challenge:
    """An arithmetic question (Vietnamese) and the signed token carrying its answer."""

    question: str
    token: str


def new_challenge(secret: str) -> Challenge:
    """A new question "a + b" (a, b from 2 to 9) and its token ``issued.nonce.signature``."""
    a, b = 2 + secrets.randbelow(8), 2 + secrets.randbelow(8)
    issued, nonce = int(time.time()), secrets.token_hex(8)
    sig = digest(secret, f"{issued}.{nonce}.{a + b}")[:32]
    return Challenge(f"{a} cộng {b} bằng bao nhiêu?", f"{issued}.{nonce}.{sig}")


def verify_challenge(secret: str, token: str | None, answer: str | None) -> str | None:
    """The challenge's nonce when ``answer`` is right, the token recent (``CHALLENGE_TTL_SECONDS``) and not used
    before; None otherwise (``WRONG_ANSWER`` says why)."""
    try:
        issued, nonce, sig = (token or "").split(".")
        fresh = 0 <= time.time() - int(issued) <= CHALLENGE_TTL_SECONDS
    except ValueError:
        fresh, nonce, sig, issued = False, "", "", "0"
    expected = digest(secret, f"{issued}.{nonce}.{(answer or '').strip()}")[:32]
    used = nonce and db.session.execute(select(LookupAttempt.id).where(
        LookupAttempt.challenge_nonce == nonce)).first() is not None
    if not (fresh and hmac.compare_digest(sig, expected)) or used:
        return None
    return nonce


def last_months(today_month: date | None = None) -> list[date]:
    """This month and the two before, newest first (first-of-month dates)."""
    m = today_month or this_month_vn()
    out = []
    for _ in range(MONTHS_SHOWN):
        out.append(m)
        m = (m - timedelta(days=1)).replace(day=1)
    return out


def parse_birth(raw: str | None) -> date | int:
    """What the person typed as their birth: a full date (dd/mm/yyyy, or yyyy-mm-dd from a date picker) → ``date``;
    four digits alone → the year (``int``, 1900–2100). Raises ``ValidationError`` (Vietnamese) for anything else,
    e.g. a month and year only."""
    text = " ".join((raw or "").split())
    if not text:
        raise ValidationError("Nhập ngày sinh (dd/mm/yyyy), hoặc năm sinh nếu giấy tờ chỉ ghi năm.")
    if text.isascii() and text.isdigit() and len(text) == 4:
        return parse_birth_date(text).year
    day = parse_date(text, "Ngày sinh")
    if day is None:
        raise ValidationError(f"Ngày sinh không hợp lệ: {text}.")
    return day


def _birth_matches(person: Beneficiary, birth: date | int) -> bool:
    """A full date matches the recorded date, or the recorded year when only the year is recorded; a year alone
    matches only a person recorded by year of birth only."""
    if person.birth_date is not None:
        return isinstance(birth, date) and person.birth_date == birth
    year = birth.year if isinstance(birth, date) else birth
    return person.birth_year is not None and person.birth_year == year


def lookup(national_id: str, birth: date | int) -> StatusAnswer | None:
    """The status of the person with this 12-digit ID (already parsed) AND this birth (``parse_birth``: a ``date``,
    or a year as ``int``), or None — the same None for an unknown ID, a wrong date, and a year alone given for a
    person recorded with a full date. A person recorded by year of birth only is found with that year, or with a
    full date in that year. Reads the lines of the last three months (programmes ``tcxh`` and ``reissue``) on lists
    the payout office approved; a month without one is "no_list"."""
    person = db.session.execute(select(Beneficiary).where(Beneficiary.national_id == national_id)).scalars().first()
    if person is None or not _birth_matches(person, birth):
        return None
    commune = db.session.get(AdministrativeUnit, person.commune_code)
    months = last_months()
    rows = db.session.execute(
        select(PayoutLine, PayoutList).join(PayoutList, PayoutLine.payout_list_id == PayoutList.id)
        .where(PayoutLine.beneficiary_id == person.id, PayoutLine.programme.in_((PROGRAMME, REISSUE)),
               PayoutLine.month.in_(months))
        .order_by(PayoutLine.month.desc(), PayoutLine.id)).all()
    answer = StatusAnswer(contact=f"UBND {commune.name}" if commune else "UBND xã/phường nơi cư trú")
    for m in months:
        lines = [(ln, lst) for ln, lst in rows if ln.month == m]
        if not lines:
            answer.months.append(MonthStatus(m, 0, "", "no_list", "Chưa có danh sách chi trả tháng này.",
                                             f"Nếu đang hưởng trợ cấp, liên hệ {answer.contact}."))
        for line, lst in lines:
            answer.months.append(_month_status(line, lst, answer.contact, commune))
    return answer


def _channel_text(line: PayoutLine, lst: PayoutList, commune) -> str:
    if lst.channel == ListChannel.ACCOUNT.value:
        last4 = (line.account_number or "")[-4:]
        return f"Chuyển khoản vào tài khoản ••{last4} tại {provider_name(line.provider_code)}"
    if lst.channel == ListChannel.CASH_AT_HOME.value:
        return "Tiền mặt, nhân viên bưu điện chi tại nhà"
    place = f"điểm chi trả của {commune.name}" if commune else "điểm chi trả của xã/phường"
    return f"Tiền mặt tại {place}"


def _month_status(line: PayoutLine, lst: PayoutList, contact: str, commune) -> MonthStatus:
    channel = _channel_text(line, lst, commune)
    if line.programme == REISSUE:
        channel += " (chi lại)"
    if line.result == LineResult.PAID.value:
        when = f" ngày {line.paid_on:%d/%m/%Y}" if line.paid_on else ""
        return MonthStatus(line.month, line.total, channel, "paid", f"Đã chi trả{when}.")
    if line.result == LineResult.FAILED.value:
        return MonthStatus(line.month, line.total, channel, "not_received", "Chưa nhận được (không chi được).",
                           f"Liên hệ {contact} để được chi lại hoặc đổi hình thức nhận; không cần nộp gì qua điện "
                           "thoại.")
    if lst.status in (ListStatus.DRAFT.value, ListStatus.CONFIRMED.value, ListStatus.RETURNED.value):
        return MonthStatus(line.month, line.total, channel, "to_be_paid", "Sẽ chi trả: danh sách đang được duyệt.")
    return MonthStatus(line.month, line.total, channel, "to_be_paid", "Sẽ chi trả: đã có trong danh sách chi trả.",
                       "Tiền mặt: nhận theo lịch của bưu điện; chuyển khoản: tiền về tài khoản trong kỳ chi trả.")
