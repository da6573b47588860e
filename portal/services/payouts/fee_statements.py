"""Monthly fee statement (bảng tính chi phí chi trả) owed to a post office for a payout month: one row per list it
paid, people × fee per person, with the contract or rule it comes from; as a dataclass (``documents.fee_statement``
renders the PDF) and as an .xlsx for the post office and the district.

Fee source, first that applies: the post office's service contract (``ServiceContract``, issued or signed, valid in
the month, covering the commune: ``fee_per_person`` đồng per person paid per month; An Giang plan §II.3b: 5.000 đ);
else the province's ``FeeRule`` valid in the month through ``entitlement.fee_for`` (``per_beneficiary`` đồng per
person + ``basis_points`` of the amount paid, Circular 76/2021/TT-BTC Art. 3.7); else the fee is pending (None, "chờ").
On the statement the fee is counted on people actually paid (result ``paid``, chi phí theo thực tế) whatever the channel
(``FEE_RULE``); failed lines are not charged, and while any line is still pending the statement is provisional
("tạm tính"). ``list_fee`` (a list's control totals before payment) still estimates on people listed. Money is integer
đồng. Read-only.
"""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ...extensions import db
from ...models import (
    TREE_2025_START,
    FeeRule,
    IssuedDocument,
    ListStatus,
    Organization,
    PayoutList,
    Programme,
    ServiceContract,
)
from ...spreadsheets.writing import write_workbook
from ..entitlement.rates import fee_for
from .results import paid_people_by_list, result_totals_by_list

RESULTS_IN = (ListStatus.REPORTED, ListStatus.SETTLED)
IN_FORCE = ("issued", "signed")
#: the one rule of the statement, printed on it (plan 2587/KH-SLĐTBXH §II.3b: 5.000 đ per person paid per month)
FEE_RULE = ("Chi phí chi trả tính trên số người đã nhận tiền (kết quả «Đã chi»), mọi hình thức chi trả: "
            "số người đã chi × mức chi phí mỗi người mỗi tháng; người không chi được không tính phí.")
NO_CONTRACT = "chưa có hợp đồng"


@dataclass(frozen=True)
class FeeRow:
    """One list on the statement: ids and names, ``people`` listed, ``paid_people`` / ``paid_amount`` (đồng),
    ``base_people`` (people the fee is counted on: the people paid), ``fee`` (đồng = paid × rate, None when no
    contract or rule applies), ``basis`` (Vietnamese source: contract number and date, or rule), ``failed_people``
    and ``pending_people`` (lines not paid / not reported yet), the list's programme (``programme_label``: "Trợ
    cấp xã hội" / "Trợ cấp hưu trí xã hội"; ``programme_short``: TCXH / HTXH)."""

    list_id: int
    commune_name: str
    channel_label: str
    status_label: str
    people: int
    amount: int
    paid_people: int
    paid_amount: int
    base_people: int
    fee: int | None
    basis: str
    failed_people: int = 0
    pending_people: int = 0
    programme_label: str = Programme.SOCIAL_ASSISTANCE.label
    programme_short: str = Programme.SOCIAL_ASSISTANCE.short


@dataclass
class FeeStatement:
    """Fee statement of ``post_office`` for ``month``: ``rows`` (FeeRow, by commune and channel), totals, and
    ``fee_total`` (None when any row's fee is pending)."""

    post_office: Organization
    month: date
    rows: list[FeeRow] = field(default_factory=list)

    @property
    def people(self) -> int:
        return sum(r.people for r in self.rows)

    @property
    def paid_people(self) -> int:
        return sum(r.paid_people for r in self.rows)

    @property
    def paid_amount(self) -> int:
        return sum(r.paid_amount for r in self.rows)

    @property
    def failed_people(self) -> int:
        return sum(r.failed_people for r in self.rows)

    @property
    def pending_people(self) -> int:
        return sum(r.pending_people for r in self.rows)

    @property
    def base_people(self) -> int:
        return sum(r.base_people for r in self.rows)

    @property
    def provisional(self) -> bool:
        """True ("tạm tính") while any line of the statement's lists is still pending (no result yet)."""
        return self.pending_people > 0

    @property
    def basis(self) -> str:
        """The distinct bases of the rows, joined by "; " ("" without rows)."""
        return "; ".join(dict.fromkeys(r.basis for r in self.rows))

    rule = FEE_RULE

    @property
    def programmes_title(self) -> str:
        """The programmes of the statement's lists as a title says them: "TRỢ CẤP XÃ HỘI", or "TRỢ CẤP XÃ HỘI VÀ
        TRỢ CẤP HƯU TRÍ XÃ HỘI" when a social-pension list is on it."""
        labels = [p.label for p in Programme if p.label in {r.programme_label for r in self.rows}]
        return " VÀ ".join(labels or [Programme.SOCIAL_ASSISTANCE.label]).upper()

    @property
    def fee_total(self) -> int | None:
        fees = [r.fee for r in self.rows]
        return None if any(f is None for f in fees) else sum(fees)


def _contract(post_office_id: int | None, commune_code: str, month: date) -> ServiceContract | None:
    if post_office_id is None:
        return None
    for c in db.session.execute(select(ServiceContract).where(
            ServiceContract.post_office_id == post_office_id, ServiceContract.status.in_(IN_FORCE),
            ServiceContract.valid_from <= month, ServiceContract.valid_to >= month)
            .order_by(ServiceContract.valid_from.desc(), ServiceContract.id.desc())).scalars():
        if not c.commune_codes or commune_code in c.commune_codes:
            return c
    return None


def fee_for_people(post_office_id: int | None, commune_code: str, month: date, people: int,
                   amount: int) -> tuple[int | None, str]:
    """(fee in đồng or None when no contract or rule applies, Vietnamese basis) for paying ``people`` persons
    ``amount`` đồng in ``commune_code`` in ``month``."""
    contract = _contract(post_office_id, commune_code, month)
    if contract is not None:
        return people * contract.fee_per_person, (f"{contract_reference(contract)}: "
                                                  f"{contract.fee_per_person:,} đ/người/tháng".replace(",", "."))
    rule = db.session.execute(select(FeeRule).where(FeeRule.valid_from <= month)
                              .order_by(FeeRule.valid_from.desc()).limit(1)).scalar_one_or_none()
    why = no_contract_reason(post_office_id, commune_code, month)
    if rule is not None:
        return fee_for((people, amount), month), f"{rule_basis(rule, month)} ({why})"
    return None, f"Chờ mức chi phí chi trả ({why}, chưa có quy định)"


def rule_basis(rule: FeeRule, month: date) -> str:
    """How the statement cites the province's ``rule`` for ``month``: its legal basis (``FeeRule.legal_basis``);
    for a month from 07/2025 (``TREE_2025_START``) a rule set before then is cited by its amount and start only
    ("mức chi phí chi trả của tỉnh áp dụng từ 08/2024: 5.000 đ/người/tháng"), since the plan it names (2587/KH-SLĐTBXH
    of the Sở LĐTBXH) governed the months before the reform only."""
    if not rule.valid_from < TREE_2025_START <= month:
        return rule.legal_basis
    parts = [f"{rule.per_beneficiary:,} đ/người/tháng".replace(",", ".")] if rule.per_beneficiary else []
    if rule.basis_points:
        parts.append(f"{rule.basis_points / 100:g}% số tiền đã chi".replace(".", ","))
    return f"mức chi phí chi trả của tỉnh áp dụng từ {rule.valid_from:%m/%Y}: {' + '.join(parts) or '0 đ'}"


def no_contract_reason(post_office_id: int | None, commune_code: str, month: date) -> str:
    """Why no contract sets the fee of ``commune_code`` paid by the post office in ``month`` (Vietnamese): the
    contract with it is still a draft ("hợp đồng dịch vụ chi trả đang là dự thảo, chưa ban hành"), or the issued
    one does not cover the month ("Hợp đồng dịch vụ chi trả số 01/HĐ-UBND ngày 07/12/2026 có hiệu lực 01/12/2026 –
    31/12/2026, không gồm tháng 08/2025"), else "chưa có hợp đồng"."""
    if post_office_id is None:
        return NO_CONTRACT
    mine = [c for c in db.session.execute(select(ServiceContract).where(
        ServiceContract.post_office_id == post_office_id)
        .order_by(ServiceContract.valid_from.desc(), ServiceContract.id.desc())).scalars()
        if not c.commune_codes or commune_code in c.commune_codes]
    if any(c.status not in IN_FORCE and c.valid_from <= month <= c.valid_to for c in mine):
        return "hợp đồng dịch vụ chi trả đang là dự thảo, chưa ban hành"
    issued = next((c for c in mine if c.status in IN_FORCE), None)
    if issued is not None:
        return (f"{contract_reference(issued)} có hiệu lực {issued.valid_from:%d/%m/%Y} – "
                f"{issued.valid_to:%d/%m/%Y}, không gồm tháng {month:%m/%Y}")
    return NO_CONTRACT


def contract_reference(contract: ServiceContract | None) -> str:
    """How the statement cites the contract: "Hợp đồng dịch vụ chi trả số 01/HĐ-LĐTBXH ngày 15/01/2024" from its
    issued document (``IssuedDocument.number_text`` and ``issued_on``), or "chưa có hợp đồng" when there is no
    contract or it has not been issued with a number."""
    doc = db.session.get(IssuedDocument, contract.document_id) if contract is not None and contract.document_id \
        else None
    if doc is None:
        return NO_CONTRACT
    return f"Hợp đồng dịch vụ chi trả số {doc.number_text} ngày {doc.issued_on:%d/%m/%Y}"


def list_fee(lst: PayoutList) -> int | None:
    """Fee of one list (đồng; None pending): on people paid once results are in, else on people listed."""
    if lst.status_enum in RESULTS_IN:
        t = result_totals_by_list([lst.id]).get(lst.id)
        people, amount = paid_people_by_list([lst.id]).get(lst.id, 0), (t.paid_amount if t else 0)
    else:
        people, amount = lst.people_count, lst.total_amount
    return fee_for_people(lst.post_office_id, lst.commune_code, lst.month, people, amount)[0]


def fee_statement(post_office: Organization, month: date) -> FeeStatement:
    """The statement of ``post_office`` for ``month`` (first-of-month date): every list assigned to it from
    approval on (main and supplementary), with people listed, paid, failed and pending, and the fee per list on
    people paid (``FEE_RULE``). Three queries plus one per contract lookup."""
    month = month.replace(day=1)
    frozen = [s.value for s in ListStatus if s.frozen]
    lists = list(db.session.execute(select(PayoutList).where(
        PayoutList.post_office_id == post_office.id, PayoutList.month == month, PayoutList.status.in_(frozen))
        .order_by(PayoutList.commune_code, PayoutList.programme, PayoutList.channel, PayoutList.sequence)).scalars())
    totals = result_totals_by_list([lst.id for lst in lists])
    paid = paid_people_by_list([lst.id for lst in lists])
    out = FeeStatement(post_office, month)
    for lst in lists:
        t = totals.get(lst.id)
        paid_people, paid_amount = paid.get(lst.id, 0), (t.paid_amount if t else 0)
        fee, basis = fee_for_people(post_office.id, lst.commune_code, month, paid_people, paid_amount)
        name = lst.commune.name + (f" (bổ sung {lst.sequence})" if lst.sequence else "")
        out.rows.append(FeeRow(lst.id, name, lst.channel_enum.label, lst.status_enum.label, lst.people_count,
                               lst.total_amount, paid_people, paid_amount, paid_people, fee, basis,
                               t.failed_count if t else 0, t.pending_count if t else 0,
                               lst.programme_enum.label, lst.programme_enum.short))
    return out


FEE_HEADERS = ["STT", "Xã/phường", "Hình thức", "Trạng thái", "Số người trong danh sách", "Số tiền danh sách",
               "Số người đã chi", "Số tiền đã chi", "Số người tính phí", "Chi phí chi trả", "Căn cứ",
               "Không chi được (người)", "Chưa có kết quả (người)", "Chương trình"]


def fee_statement_xlsx(statement: FeeStatement) -> bytes:
    """The statement as .xlsx bytes: title block, one row per list (its programme in the last column), a "Tổng
    cộng" row; money as integer cells."""
    rows = [[i, r.commune_name, r.channel_label, r.status_label, r.people, r.amount, r.paid_people, r.paid_amount,
             r.base_people, r.fee if r.fee is not None else "Chờ", r.basis, r.failed_people, r.pending_people,
             r.programme_label]
            for i, r in enumerate(statement.rows, 1)]
    fee = statement.fee_total
    rows.append([None, "Tổng cộng", None, None, statement.people, sum(r.amount for r in statement.rows),
                 statement.paid_people, statement.paid_amount, statement.base_people,
                 fee if fee is not None else "Chờ", None, statement.failed_people, statement.pending_people])
    titles = [f"BẢNG TÍNH CHI PHÍ CHI TRẢ {statement.programmes_title} - THÁNG {statement.month:%m/%Y}"
              + (" (TẠM TÍNH)" if statement.provisional else ""),
              statement.post_office.name, FEE_RULE]
    return write_workbook(titles, FEE_HEADERS, rows, text_columns=set(),
                          sheet_title=f"Chi phi T{statement.month:%m-%Y}")
