"""Province rates pages (/tinh/muc-chuan): the seeded levels with their legal basis, adding a level (audited), a
refused value re-rendered with 422 and what was typed, a new coefficient from a month, top-up and fee rules; other
roles are refused."""
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, CoefficientRule, FeeRule, LocalTopUp, StandardLevel
from portal.services.entitlement import RateBook


def test_province_sees_the_three_standard_levels_and_the_fee(client):
    client.login("so.angiang")
    page = client.get("/tinh/muc-chuan/").get_data(as_text=True)
    for text in ("360.000", "500.000", "540.000", "Nghị định 335/2026/NĐ-CP", "5.000", "Hỗ trợ chi phí mai táng"):
        assert text in page
    assert 'href="/tinh/muc-chuan/"' in client.get("/tinh/").get_data(as_text=True)


def test_add_level_is_audited_and_a_bad_amount_keeps_what_was_typed(client):
    client.login("so.angiang")
    bad = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "năm trăm",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert bad.status_code == 422
    body = bad.get_data(as_text=True)
    assert "Số tiền phải là số nguyên đồng" in body and 'value="Nghị định 999/2027/NĐ-CP"' in body
    ok = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "600.000",
                                                   "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert ok.status_code == 302
    row = db.session.execute(select(StandardLevel).where(StandardLevel.valid_from == date(2027, 7, 1))).scalar_one()
    assert (row.amount, row.legal_basis) == (600_000, "Nghị định 999/2027/NĐ-CP")
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "standard_level")).scalar_one()
    assert audit.user.username == "so.angiang"
    assert audit.summary.startswith("Thêm mức chuẩn 600.000 đồng từ tháng 07/2027")
    assert "Nghị định 999/2027" in client.get("/tinh/muc-chuan/").get_data(as_text=True)
    fix = client.post(f"/tinh/muc-chuan/muc-chuan/{row.id}", {"amount": "610.000",
                                                             "legal_basis": "Nghị định 999/2027/NĐ-CP Điều 4"})
    assert fix.status_code == 302 and db.session.get(StandardLevel, row.id).amount == 610_000
    events = db.session.execute(select(AuditEvent).where(AuditEvent.object_type == "standard_level")
                                .order_by(AuditEvent.id)).scalars().all()
    assert (events[-1].before["amount"], events[-1].after["amount"]) == (600_000, 610_000)
    dup = client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "610.000",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"})
    assert dup.status_code == 422 and "Đã có mức chuẩn áp dụng từ tháng 07/2027" in dup.get_data(as_text=True)


def test_new_coefficient_from_a_month_closes_the_old_row(client):
    client.login("so.angiang")
    rule = db.session.execute(select(CoefficientRule).where(CoefficientRule.category_code == "K8")).scalar_one()
    resp = client.post("/tinh/muc-chuan/he-so", {"rule_id": str(rule.id), "coefficient": "1,8",
                                                 "valid_from": "2027-01", "legal_basis": "Nghị quyết HĐND tỉnh (thử)"})
    assert resp.status_code == 302
    rows = db.session.execute(select(CoefficientRule).where(CoefficientRule.category_code == "K8")
                              .order_by(CoefficientRule.valid_from)).scalars().all()
    assert [(r.coefficient, r.valid_from, r.valid_to) for r in rows] == [
        (Decimal("1.5"), date(2021, 7, 1), date(2027, 1, 1)), (Decimal("1.8"), date(2027, 1, 1), None)]
    p = SimpleNamespace(category_code="K8", disability_level=None, children_count=1, birth_date=date(1980, 1, 1),
                        birth_year=1980)
    book = RateBook.load()
    assert (book.amount_for(p, date(2026, 12, 1)).amount, book.amount_for(p, date(2027, 1, 1)).amount) == (
        810_000, 972_000)


def test_top_up_and_fee_rules(client):
    client.login("so.angiang")
    assert client.post("/tinh/muc-chuan/ho-tro-them", {"category_code": "", "amount": "100.000",
                                                      "valid_from": "2027-01", "valid_to": "",
                                                      "legal_basis": "Nghị quyết HĐND tỉnh (thử)"}).status_code == 302
    assert db.session.execute(select(LocalTopUp.amount)).scalar_one() == 100_000
    none = client.post("/tinh/muc-chuan/chi-phi", {"valid_from": "2027-01", "per_beneficiary": "0",
                                                   "basis_points": "0", "legal_basis": "TT 76/2021/TT-BTC"})
    assert none.status_code == 422 and "Cần mức chi phí" in none.get_data(as_text=True)
    assert client.post("/tinh/muc-chuan/chi-phi", {"valid_from": "2027-01", "per_beneficiary": "0",
                                                  "basis_points": "50", "legal_basis": "TT 76/2021/TT-BTC Điều 3.7"}
                       ).status_code == 302
    assert db.session.execute(select(FeeRule.basis_points).where(FeeRule.valid_from == date(2027, 1, 1))
                              ).scalar_one() == 50


def test_other_roles_cannot_edit_rates(client):
    client.login("pld.chaudoc")
    assert client.get("/tinh/muc-chuan/").status_code == 403
    assert client.post("/tinh/muc-chuan/muc-chuan", {"valid_from": "2027-07", "amount": "600.000",
                                                    "legal_basis": "Nghị định 999/2027/NĐ-CP"}).status_code == 403


def test_rates_fragment_renders_for_htmx_with_decimal_comma_coefficients(client):
    client.login("so.angiang")
    resp = client.get("/tinh/muc-chuan/", htmx=True)
    assert resp.status_code == 200
    body = resp.get_data(as_text=True)
    assert 'name="csrf_token"' in body and "<html" not in body
    assert ">2,5<" in body and ">2.50<" not in body
