"""The outbox of messages (hộp thư đi): for a month, one message per person who consented and has a phone, by what
happened to their payment — paid (đã chi), not received (chưa chi được), or the account needs attention (the post
office could not pay because of the account). Each text is ≤ 160 characters, with an unaccented variant (plain
SMS). ``deliver`` sends the queued ones through a sender (``senders``). Flushes, never commits."""
from datetime import date

from sqlalchemy import select
from unidecode import unidecode

from ...access import in_area, is_commune_of, manages_payouts
from ...clock import utcnow
from ...errors import AccessDenied
from ...extensions import db
from ...formatting import money
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    LineResult,
    ListChannel,
    Notice,
    NoticeConsent,
    NoticeKind,
    PayoutLine,
    PayoutList,
    User,
)
from ..audit import record
from ..payouts.lines import PROGRAMME
from ..payouts.reissue import REISSUE
from .senders import mask_phone

LIMIT = 160
SAFETY = "Cán bộ không bao giờ hỏi mật khẩu, OTP."


def _fit(parts: list[str], contact: str) -> str:
    """Join ``parts`` and the contact, shortening the contact (then dropping it) to stay within ``LIMIT``."""
    text = " ".join(parts + [f"LH {contact}."])
    while len(text) > LIMIT and len(contact) > 8:
        contact = contact[:-1]
        text = " ".join(parts + [f"LH {contact.rstrip()}…"])
    return text if len(text) <= LIMIT else " ".join(parts)[:LIMIT]


def compose(kind: NoticeKind, line: PayoutLine, lst: PayoutList, contact: str) -> tuple[str, str]:
    """(text with diacritics, text without) for ``kind`` about ``line``, each ≤ 160 characters. No name, category or
    account number beyond its last 4 digits."""
    month = f"{line.month:%m/%Y}"
    where = ""
    if lst.channel == ListChannel.ACCOUNT.value and line.account_number:
        where = f" vào TK ••{line.account_number[-4:]}"
    if kind == NoticeKind.PAID:
        parts = [f"Trợ cấp XH tháng {month}: đã chi {money(line.total)}đ{where}.", SAFETY]
    elif kind == NoticeKind.NOT_RECEIVED:
        parts = [f"Trợ cấp XH tháng {month}: {money(line.total)}đ chưa chi được. Đến UBND xã để nhận lại.", SAFETY]
    else:
        parts = [f"Trợ cấp XH tháng {month}: tài khoản{where.replace(' vào TK', '')} cần kiểm tra, tiền chưa về. "
                 "Đến UBND xã.", SAFETY]
    text = _fit(parts, contact)
    plain = _fit([unidecode(p.replace("••", "**")) for p in parts], unidecode(contact))
    return text, plain


def _kind_of(line: PayoutLine) -> NoticeKind:
    if line.result == LineResult.PAID.value:
        return NoticeKind.PAID
    return NoticeKind.ACCOUNT_ATTENTION if line.result_reason_code == "account" else NoticeKind.NOT_RECEIVED


def queue_month(actor: User, commune_code: str, month: date) -> list[Notice]:
    """Queue the messages of ``month`` (first-of-month date) for ``commune_code``: every allowance line (``tcxh``, or
    a re-issue) with a result (paid / failed) of a person with a consent in force and a phone, not messaged yet for
    that kind and month. Returns the new notices. Raises AccessDenied (not the commune committee or the payout office
    of the commune)."""
    if not (is_commune_of(actor, commune_code) or (manages_payouts(actor) and in_area(actor, commune_code))):
        raise AccessDenied("Chỉ UBND xã/phường hoặc cơ quan quản lý chi trả của địa bàn gửi tin nhắn.")
    month = month.replace(day=1)
    consenting = select(NoticeConsent.beneficiary_id).where(NoticeConsent.withdrawn_on.is_(None))
    rows = db.session.execute(
        select(PayoutLine, PayoutList, Beneficiary).join(PayoutList, PayoutLine.payout_list_id == PayoutList.id)
        .join(Beneficiary, Beneficiary.id == PayoutLine.beneficiary_id)
        .where(PayoutList.commune_code == commune_code, PayoutLine.month == month,
               PayoutLine.programme.in_((PROGRAMME, REISSUE)),
               PayoutLine.result.in_((LineResult.PAID.value, LineResult.FAILED.value)),
               PayoutLine.beneficiary_id.in_(consenting), Beneficiary.phone.is_not(None))
        .order_by(PayoutLine.id)).all()
    done = {tuple(r) for r in db.session.execute(select(Notice.beneficiary_id, Notice.kind).where(
        Notice.month == month, Notice.commune_code == commune_code))}
    unit = db.session.get(AdministrativeUnit, commune_code)
    contact = f"UBND {unit.name}" if unit else "UBND xã"
    out = []
    for line, lst, person in rows:
        kind = _kind_of(line)
        if (person.id, kind.value) in done or not (person.phone or "").strip():
            continue
        text, plain = compose(kind, line, lst, contact)
        notice = Notice(beneficiary_id=person.id, commune_code=commune_code, kind=kind.value, month=month,
                        payout_line_id=line.id, text=text, text_ascii=plain, phone_masked=mask_phone(person.phone),
                        status="queued")
        db.session.add(notice)
        done.add((person.id, kind.value))
        out.append(notice)
    db.session.flush()
    if out:
        record(actor, "notices_queued", "administrative_unit", None,
               f"Tạo {len(out)} tin nhắn thông báo chi trả tháng {month:%m/%Y} cho {contact}.",
               after={"commune_code": commune_code, "month": month, "count": len(out)})
    return out


def deliver(notices: list[Notice], sender, accented: bool = False) -> tuple[int, int]:
    """Send each queued notice through ``sender`` (the unaccented text unless ``accented``), marking it "sent" or
    "failed" with the error. Returns (sent, failed). The phone is read from the register at sending time and goes
    nowhere else."""
    sent = failed = 0
    for notice in notices:
        if notice.status != "queued":
            continue
        error = sender.send(notice.beneficiary.phone or "", notice.text if accented else notice.text_ascii)
        notice.sender = sender.name
        if error:
            notice.status, notice.error = "failed", error[:200]
            failed += 1
        else:
            notice.status, notice.sent_at = "sent", utcnow()
            sent += 1
    db.session.flush()
    return sent, failed
