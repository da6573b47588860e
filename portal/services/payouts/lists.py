"""What every payout module shares about a payout list (danh sách chi trả): its description and channel, the post
office serving its commune (``post_office_for``), the payout-management gate and area (``require_manager``,
``area_communes``), readable ASCII download names, and the freeze of approved lists: a ``Session``
``before_flush`` listener (registered on import) refuses any change to the lines or amounts of a list from
``approved`` on (Decree 20/2021 Art. 34: the list sent to the provider does not change; corrections go on a
supplementary list)."""
import re
import unicodedata

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from ...access import manages_payouts
from ...areas import area_commune_codes
from ...errors import AccessDenied, StateError
from ...extensions import db
from ...models import (
    AdministrativeUnit,
    Beneficiary,
    Duty,
    ListChannel,
    ListStatus,
    Organization,
    PayoutLine,
    PayoutList,
    User,
)
from ..accounts.opening import payable_account
from ..organizations import serving_organization

FROZEN = [s.value for s in ListStatus if s.frozen]


def describe(lst: PayoutList) -> str:
    """Short Vietnamese name of a list: "tháng 08/2024 – Phường Vĩnh Mỹ – Chuyển khoản"; a social-pension list
    names its programme: "tháng 08/2025 – Phường Vĩnh Mỹ – Trợ cấp hưu trí xã hội – Chuyển khoản"."""
    programme = " – Trợ cấp hưu trí xã hội" if lst.programme == "social_pension" else ""
    return f"tháng {lst.month:%m/%Y} – {lst.commune.name}{programme} – {lst.channel_enum.label}"


def supplement_reason(lst: PayoutList) -> str:
    """Why a person entitled in ``lst``'s month is on none of its lines: ``lst`` (their list) was approved before they
    qualified — a supplementary list (danh sách bổ sung) pays them (``cycle.build_supplement``)."""
    return f"Danh sách {describe(lst)} đã phê duyệt; cần lập danh sách bổ sung."


def list_channel(beneficiary: Beneficiary) -> ListChannel:
    """Which list a beneficiary goes on: ``account`` when they chose an account channel AND have an active
    account; ``cash_at_home`` when they chose cash at home; otherwise ``cash_at_point`` (including people whose
    chosen account is not opened yet)."""
    if beneficiary.channel.is_account and payable_account(beneficiary) is not None:  # flagged account = none
        return ListChannel.ACCOUNT
    if beneficiary.payment_channel == ListChannel.CASH_AT_HOME.value:
        return ListChannel.CASH_AT_HOME
    return ListChannel.CASH_AT_POINT


def post_office_for(commune_code: str) -> Organization | None:
    """The post office (``payment_service``) serving a commune: seated at the commune itself, else at its nearest
    ancestor unit (the district's post office in the 2024 tree) — ``organizations.serving_organization``."""
    return serving_organization(commune_code, Duty.PAYMENT_SERVICE)


def require_manager(actor: User) -> None:
    """Raise AccessDenied unless the actor's organisation manages payouts (``access.manages_payouts``)."""
    if not manages_payouts(actor):
        raise AccessDenied("Cơ quan của bạn không có nhiệm vụ quản lý chi trả.")


def area_communes(actor: User, commune_codes) -> list[AdministrativeUnit]:
    """The communes of the actor's area by code, or only ``commune_codes`` of them (None: all); raises AccessDenied
    naming the codes outside the area."""
    stmt = select(AdministrativeUnit).where(AdministrativeUnit.level == "commune")
    area = area_commune_codes(actor)
    if area is not None:
        stmt = stmt.where(AdministrativeUnit.code.in_(area))
    communes = list(db.session.execute(stmt.order_by(AdministrativeUnit.code)).scalars())
    if commune_codes is not None:
        wanted = set(commune_codes)
        outside = wanted - {c.code for c in communes}
        if outside:
            raise AccessDenied(f"Xã/phường ngoài địa bàn quản lý: {', '.join(sorted(outside))}.")
        communes = [c for c in communes if c.code in wanted]
    return communes


_AMOUNT_FIELDS = ("regular_amount", "back_pay", "total", "beneficiary_id", "payout_list_id", "month",
                  "account_number", "full_name", "national_id")


@event.listens_for(Session, "before_flush")
def _guard_frozen(session, _ctx, _instances):
    """Model-level safety net: a line of a frozen list cannot be added, deleted or have its amount, person or
    account changed, and a frozen list's control totals cannot change — whatever code tries (StateError)."""
    for obj in list(session.new) + list(session.deleted):
        if isinstance(obj, PayoutLine):
            lst = obj.payout_list or (session.get(PayoutList, obj.payout_list_id) if obj.payout_list_id else None)
            if lst is not None and ListStatus(lst.status).frozen:
                raise StateError("Danh sách đã phê duyệt, không thể thêm hoặc xoá dòng.")
    for obj in session.dirty:
        if isinstance(obj, PayoutLine) and obj.payout_list is not None and ListStatus(obj.payout_list.status).frozen:
            state = inspect(obj)
            if any(state.attrs[f].history.has_changes() for f in _AMOUNT_FIELDS):
                raise StateError("Danh sách đã phê duyệt, không thể thay đổi số tiền hoặc người nhận.")
        if isinstance(obj, PayoutList):
            state = inspect(obj)
            before = state.attrs.status.history.deleted or [obj.status]
            if before and before[0] and ListStatus(before[0]).frozen and any(
                    state.attrs[f].history.has_changes() for f in ("people_count", "total_amount", "month",
                                                                   "commune_code", "channel")):
                raise StateError("Danh sách đã phê duyệt, không thể thay đổi tổng số người hoặc số tiền.")


def file_slug(text: str) -> str:
    """ASCII slug of a Vietnamese label for download file names (old browsers): diacritics dropped, đ → d, case
    kept, every run of other characters → "-". "Phường Vĩnh Mỹ" → "Phuong-Vinh-My"."""
    text = unicodedata.normalize("NFD", (text or "").replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("M"))
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")


def download_name(lst: PayoutList, ext: str, kind: str = "DS-chi-tra") -> str:
    """Readable ASCII file name of a payout list's download: ``<kind>-<YYYY-MM>-<commune>-<programme>-<channel>
    [-bo-sung-N].<ext>`` with the programme's short label (``Programme.short``: TCXH, HTXH), so the two programmes'
    lists of one commune and channel never share a name, e.g.
    "DS-chi-tra-2024-08-Phuong-Vinh-My-TCXH-tien-mat-tai-diem-chi-tra.pdf" (``kind`` "Bang-ke-chi-tra" for the
    payment sheet)."""
    parts = [kind, f"{lst.month:%Y-%m}", file_slug(lst.commune.name if lst.commune else lst.commune_code),
             lst.programme_enum.short, file_slug(lst.channel_enum.label).lower()]
    if lst.sequence:
        parts.append(f"bo-sung-{lst.sequence}")
    return "-".join(parts) + f".{ext}"
