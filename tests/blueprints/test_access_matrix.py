"""Access matrix: every route in ``app.url_map`` × every role, with ids of rows OUTSIDE every demo user's area
(Long Xuyên, district 883, which has no demo users). Derived from the URL map, so a new route is covered
automatically: anonymous → login; wrong duty → 403; out-of-area id → 404; never a 5xx; every POST needs CSRF."""
from datetime import date
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import ImportBatch, Job, Organization, PayoutLine, PayoutList, User
from tests.factories import make_beneficiary

ROLES = ["xa.vinhmy", "agribank.chaudoc", "pld.chaudoc", "pld.chaudoc.duyet", "buudien.chaudoc", "so.angiang",
         "congan.vinhmy"]
#: blueprint → users holding its duty
HOLDERS = {
    "commune": {"xa.vinhmy"}, "bank": {"agribank.chaudoc"}, "district": {"pld.chaudoc", "pld.chaudoc.duyet"},
    "post_office": {"buudien.chaudoc"}, "province": {"so.angiang"}, "police": {"congan.vinhmy"},
    "reference_admin": {"so.angiang"},
    "rates": {"so.angiang"},
    "contracts": {"pld.chaudoc", "pld.chaudoc.duyet"},
    "reports": {"xa.vinhmy", "pld.chaudoc", "pld.chaudoc.duyet", "so.angiang"},
    "complaints": {"xa.vinhmy", "agribank.chaudoc", "pld.chaudoc", "pld.chaudoc.duyet", "buudien.chaudoc",
                   "so.angiang"},
    "account_checks": {"xa.vinhmy", "agribank.chaudoc", "pld.chaudoc", "pld.chaudoc.duyet"},
    "account_watch": {"xa.vinhmy", "agribank.chaudoc", "pld.chaudoc", "pld.chaudoc.duyet", "so.angiang"},
    "life_signals": {"xa.vinhmy", "pld.chaudoc", "pld.chaudoc.duyet", "so.angiang"},
}
PUBLIC = {"auth.login", "auth.home", "static", "assets.versioned",  # versioned static files
          "verify.page", "verify.check",  # verify: public by design
          "health.check",  # the health endpoint for the proxy and monitoring
          "lookup.page"}  # the beneficiary's status lookup: public by design


def _changes_rows(b) -> dict:
    """Register rows of the foreign beneficiary: a submission with an event, an authorization, an identity check."""
    from portal.models import Authorization, ChangeSubmission, IdentityCheck, RegistryEvent
    sub = ChangeSubmission(commune_code="30280", month=date(2024, 8, 1), status="submitted")
    db.session.add(sub)
    db.session.flush()
    ev = RegistryEvent(beneficiary_id=b.id, commune_code="30280", kind="suspend", effective_month=date(2024, 9, 1),
                       decision_number="1/QĐ", status="submitted", submission_id=sub.id)
    auth = Authorization(beneficiary_id=b.id, proxy_name="Người Nhận Thay", proxy_national_id="089000000001",
                         proxy_relationship="Con", valid_from=date(2024, 1, 1), certification_number="1",
                         certified_on=date(2024, 1, 1))
    check = IdentityCheck(beneficiary_id=b.id, commune_code="30280", result="mismatched", mismatch_fields="gender")
    db.session.add_all([ev, auth, check])
    db.session.commit()
    return {"submission_id": sub.id, "event_id": ev.id, "authorization_id": auth.id, "check_id": check.id}


def _document_rows() -> dict:
    """Document rows of Long Xuyên's labour office: a draft service contract and an issued document."""
    from portal.models import IssuedDocument, ServiceContract
    district = Organization.query.filter_by(kind="district_office", unit_code="883").one()
    officer = User.query.filter_by(username="pld.chaudoc").one()
    contract = ServiceContract(district_org_id=district.id, post_office_id=district.id, commune_codes=["30280"],
                               fee_per_person=5000, estimated_people=1, estimated_months=12, estimated_value=60000,
                               valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31), party_a_signer="A",
                               party_a_title="Trưởng phòng", party_b_signer="B", party_b_title="Giám đốc",
                               created_by_id=officer.id)
    doc = IssuedDocument(organization_id=district.id, kind="service_contract", year=2024, series="HĐ", number=1,
                         symbol="HĐ-LĐTBXH", title="x", issued_on=date(2024, 1, 2), filename="x.pdf",
                         content=b"%PDF-x", sha256="0" * 64, verify_token="foreign-token")
    db.session.add_all([contract, doc])
    db.session.commit()
    return {"contract_id": contract.id, "document_id": doc.id}


def _account_rows(b) -> dict:
    """Account rows: an account of the foreign beneficiary and a payout-point session in Mỹ Bình (30280)."""
    from portal.models import PaymentAccount, PayoutPointSession
    bank = Organization.query.filter_by(kind="bank_branch", unit_code="890", provider_code="VBA").one()
    account = PaymentAccount(beneficiary_id=b.id, provider_code="VBA", account_number="123456789",
                             holder_name="NGOAI DIA BAN", flags="duplicate_number")
    point = PayoutPointSession(bank_id=bank.id, commune_code="30280", session_date=date(2024, 8, 5),
                               place_kind="commune_office", place_name="UBND phường Mỹ Bình", staff_present="A")
    db.session.add_all([account, point])
    db.session.commit()
    return {"account_id": account.id, "session_id": point.id}


@pytest.fixture
def foreign_ids(app):
    """Rows in Phường Mỹ Bình (30280, Long Xuyên): a beneficiary, an approved list with a line, an import batch."""
    b = make_beneficiary("Ngoài Địa Bàn", commune_code="30280", birth_year=1940, payment_channel="bank_account")
    officer = User.query.filter_by(username="pld.chaudoc").one()
    district = Organization.query.filter_by(kind="district_office", unit_code="883").one()
    lst = PayoutList(month=date(2024, 8, 1), commune_code="30280", channel="account", payout_office_id=district.id,
                     status="draft", people_count=1, total_amount=500000, prepared_by_id=officer.id)
    db.session.add(lst)
    db.session.flush()
    line = PayoutLine(payout_list_id=lst.id, beneficiary_id=b.id, month=lst.month, position=1, full_name=b.full_name,
                      name_sort=b.name_sort, birth_display="1940", gender="male", national_id=b.national_id,
                      category_code="K5c", coefficient=Decimal("1"), standard_level=500000, regular_amount=500000,
                      total=500000)
    commune_org = Organization.query.filter_by(kind="commune_committee", unit_code="30280").one()
    batch = ImportBatch(kind="beneficiaries", scope="30280", organization_id=commune_org.id, filename="x.xlsx",
                        sha256="0" * 64, content=b"x")
    db.session.add_all([line, batch])
    db.session.commit()
    lst.status = "approved"  # approved lists are visible to the post office role too
    job = Job(kind="payout_list_pdf", status="running", params={}, owner_org_id=commune_org.id)
    db.session.add(job)
    db.session.commit()
    ids = {"beneficiary_id": b.id, "list_id": lst.id, "line_id": line.id, "batch_id": batch.id, "job_id": job.id}
    ids["level_id"] = 999_999  # rates are province-wide: an unknown standard level answers 404
    ids["office_id"] = district.id  # fee statement of a post office paying none of the user's lists: 404
    from portal.services.registry.hamlets import (  # a khóm of Mỹ Bình: out of every demo user's area
        add_hamlet,
    )
    ids["hamlet_id"] = add_hamlet(None, "30280", "Khóm Đông Thịnh 1").id
    from portal.models import AdditionalCategory  # a further category of the foreign person (commune extras pages)
    extra = AdditionalCategory(beneficiary_id=b.id, category_code="K5a")
    db.session.add(extra)
    db.session.flush()
    ids["row_id"] = extra.id
    from portal.models import PensionRequest  # a social-pension request of Mỹ Bình (commune pages)
    clerk = User.query.filter_by(organization_id=commune_org.id).first() or officer
    pension = PensionRequest(commune_code="30280", full_name="Ngoài Địa Bàn", national_id=b.national_id,
                             birth_year=1940, gender="male", received_on=date(2024, 8, 1), due_on=date(2024, 8, 15),
                             registered_by_id=clerk.id)
    db.session.add(pension)
    db.session.flush()
    ids["request_id"] = pension.id
    db.session.commit()
    return ids | _changes_rows(b) | _document_rows() | _account_rows(b) | _complaint_rows(b, commune_org)


def _complaint_rows(b, commune_org) -> dict:
    """A complaint of the foreign beneficiary received by Mỹ Bình's commune committee."""
    from portal.models import Complaint
    clerk = User.query.filter_by(username="xa.vinhmy").one()
    c = Complaint(beneficiary_id=b.id, commune_code="30280", kind="other", channel="phone", description="Ngoài địa bàn",
                  received_on=date(2024, 8, 5), received_org_id=commune_org.id, received_by_id=clerk.id,
                  assigned_org_id=commune_org.id, due_on=date(2024, 8, 19), status="open")
    db.session.add(c)
    db.session.commit()
    return {"complaint_id": c.id}


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, ids):
    return rule.build({arg: ids[arg] for arg in rule.arguments})[1]


def _expected(role, rule):
    """Allowed status codes for ``role`` on ``rule`` with foreign ids."""
    bp = rule.endpoint.split(".")[0]
    if bp in HOLDERS and role not in HOLDERS[bp]:
        return {403}
    if bp == "documents":
        if role == "buudien.chaudoc" and rule.endpoint in ("documents.post_office_contracts",
                                                           "documents.fee_statement_pdf"):
            return {200}  # its own contracts (none in the demo) and fee statement
        if role in HOLDERS["contracts"] and rule.endpoint == "documents.post_office_contracts":
            return {302}  # bên A of the contracts: sent to its own contracts page (/huyen/hop-dong/)
        if role == "buudien.chaudoc" and rule.endpoint == "documents.issue_fee_statement_view":
            return {302}  # its own statement: refused with a message (no list of the month paid yet)
        if role == "so.angiang" and rule.endpoint in ("documents.payout_list_pdf", "documents.issued_pdf"):
            return {200}  # the province sees every list
        if role == "so.angiang" and rule.endpoint == "documents.payout_list_pdf_retry":
            return {302}  # … and may print it again after a failed job
        return {403, 404}
    if bp == "complaints" and role == "so.angiang" and rule.arguments:
        return {200, 302, 403}  # the province sees every commune's complaints; acts on some (re-issue: 403)
    if rule.arguments:
        return {404}
    return None  # a page of the role's own: anything but 403/5xx


def test_every_route_for_every_role(app, client, foreign_ids):
    seen = 0
    for role in ROLES:
        client.login(role)
        for rule, method in _routes(app):
            if rule.endpoint in ("auth.logout", "auth.logout_all"):
                continue  # would end the walk's session; covered in test_auth
            url = _url(rule, foreign_ids)
            resp = client.get(url) if method == "GET" else client.post(url, {})
            allowed = _expected(role, rule)
            label = f"{role} {method} {url} → {resp.status_code}"
            assert resp.status_code < 500, label
            if allowed is None:
                if rule.endpoint.startswith("auth."):
                    continue
                assert resp.status_code not in (401, 403, 404), label
            else:
                assert resp.status_code in allowed, label
            seen += 1
        client.logout()
    assert seen > 7 * 25


def test_anonymous_is_sent_to_login_everywhere(app, client, foreign_ids):
    for rule, method in _routes(app):
        url = _url(rule, foreign_ids)
        resp = client.get(url) if method == "GET" else client.post(url, {})
        assert resp.status_code == 302, f"{method} {url} → {resp.status_code}"
        assert "/login" in resp.headers["Location"]


def test_every_post_needs_csrf(app, client, foreign_ids):
    client.login("xa.vinhmy")
    posts = [(r, m) for r, m in _routes(app) if m == "POST"]
    assert len(posts) >= 10
    for rule, _ in posts:
        resp = client.post(_url(rule, foreign_ids), {}, csrf=False)
        assert resp.status_code == 400, f"POST {rule.rule} without CSRF → {resp.status_code}"
