"""Access matrix: every route in ``app.url_map`` × every role, with ids of rows OUTSIDE every demo user's area
(Long Xuyên, district 883, which has no demo users). Derived from the URL map, so a new route is covered
automatically: anonymous → login; wrong duty → 403; out-of-area id → 404; never a 5xx; every POST needs CSRF."""
from datetime import date
from decimal import Decimal

import pytest

from portal.extensions import db
from portal.models import ImportBatch, Organization, PayoutLine, PayoutList, User
from tests.factories import make_beneficiary

ROLES = ["xa.vinhmy", "agribank.chaudoc", "pld.chaudoc", "pld.chaudoc.duyet", "buudien.chaudoc", "so.angiang",
         "congan.vinhmy"]
#: blueprint → users holding its duty
HOLDERS = {
    "commune": {"xa.vinhmy"}, "bank": {"agribank.chaudoc"}, "district": {"pld.chaudoc", "pld.chaudoc.duyet"},
    "post_office": {"buudien.chaudoc"}, "province": {"so.angiang"}, "police": {"congan.vinhmy"},
}
PUBLIC = {"auth.login", "auth.home", "static"}


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
    db.session.commit()
    return {"beneficiary_id": b.id, "list_id": lst.id, "line_id": line.id, "batch_id": batch.id}


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
        if role == "so.angiang" and rule.endpoint == "documents.payout_list_pdf":
            return {200}  # the province sees every list
        return {403, 404}
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
