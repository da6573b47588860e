"""Notes shown next to payout-list lines (ghi chú dòng danh sách chi trả), read from the register when a page or
the PDF is rendered — one query for the lines at hand, never one per line:

* ``awaiting_account`` (chờ mở tài khoản): the person chose an account channel (bank account, e-wallet, mobile
  money) but is on a cash list, because no account was open when the list was built (``payouts.list_channel``).
  They are paid in cash this month; the commune and the bank should follow up.
* ``proxy_name``: who receives the money for the person (guardian / proxy, người giám hộ / người nhận thay), with
  the relationship — printed on cash lists (reference §2.3) so the post office knows whom to pay. Only shown where
  ``access.may_see("guardian_name")`` allows.
"""
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..models import Beneficiary, ListChannel, PaymentChannel, PayoutLine, PayoutList

AWAITING_ACCOUNT = "Chờ mở tài khoản"


@dataclass(frozen=True)
class LineNote:
    """Notes of one line: ``awaiting_account`` (bool) and ``proxy_name`` ("Lê Văn B (con)", or "" when none)."""

    awaiting_account: bool = False
    proxy_name: str = ""


NO_NOTE = LineNote()


def line_notes(lst: PayoutList, lines=None) -> dict[int, LineNote]:
    """Notes of ``lst``'s lines (all of them, or only ``lines``), as line id → ``LineNote``, in one query joining
    each line to its beneficiary. ``awaiting_account`` is only ever true on a cash list."""
    stmt = (select(PayoutLine.id, Beneficiary.payment_channel, Beneficiary.guardian_name,
                   Beneficiary.guardian_relationship)
            .join(Beneficiary, PayoutLine.beneficiary_id == Beneficiary.id)
            .where(PayoutLine.payout_list_id == lst.id))
    if lines is not None:
        ids = [line.id for line in lines]
        if not ids:
            return {}
        stmt = stmt.where(PayoutLine.id.in_(ids))
    cash = lst.channel != ListChannel.ACCOUNT
    out = {}
    for line_id, channel, name, relationship in db.session.execute(stmt):
        name = (name or "").strip()
        proxy = f"{name} ({relationship.strip()})" if name and (relationship or "").strip() else name
        out[line_id] = LineNote(awaiting_account=cash and PaymentChannel(channel).is_account, proxy_name=proxy)
    return out
