"""The pages, downloads and documents of a commune committee that pays (two-tier set-up since 7/2025) beside those
of a district office (2024): each names the list's own payout office, the two programmes' lists never share a file
name, and the service contract with the post office is the committee's (signed by its chairman, covering both
programmes)."""
from datetime import UTC, date, datetime

import pytest

from portal.extensions import db
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.workflow import approve_list, confirm_list
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary

pytestmark = pinned_clock
AUG25 = date(2025, 8, 1)
CHAU_DOC = "30316@2025"


@pytest.fixture
def lists_2025(app):
    """Phường Châu Đốc (2025 tree) pays 08/2025 at its post office: Trần Văn Sáu, K6 especially severe adult, on
    social assistance, and Lê Thị Tám Mươi, K5c since 2024, on the social pension — both cash at the payout point;
    built by the officer (ubnd.chaudoc), confirmed, approved by the chairman (ubnd.chaudoc.ct). Returns the lists
    by programme."""
    common = dict(commune_code=CHAU_DOC, hamlet="Khóm Châu Long 1")
    make_beneficiary("Trần Văn Sáu", birth_date=date(1980, 6, 6), category_code="K6",
                     disability_level="especially_severe", **common)
    make_beneficiary("Lê Thị Tám Mươi", birth_date=date(1940, 3, 1), gender="female", category_code="K5c",
                     **common)
    db.session.commit()
    officer, chairman = user("ubnd.chaudoc"), user("ubnd.chaudoc.ct")
    built = build_lists(officer, AUG25, [CHAU_DOC])
    for lst in built.lists:
        confirm_list(officer, lst)
        approve_list(chairman, lst)
        lst.approved_at = datetime(2025, 8, 1, 1, 0, tzinfo=UTC)
    db.session.commit()
    return {lst.programme: lst for lst in built.lists}


def test_the_two_programmes_lists_download_under_their_own_names(client, lists_2025):
    assert {p: (lst.channel, lst.people_count) for p, lst in lists_2025.items()} == {
        "social_assistance": ("cash_at_point", 1), "social_pension": ("cash_at_point", 1)}
    client.login("buudien.phuongchaudoc")
    names = {}
    for programme, lst in lists_2025.items():
        sheet = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.xlsx")
        names[programme] = sheet.headers["Content-Disposition"]
    assert names == {
        "social_assistance": 'attachment; filename="Bang-ke-chi-tra-2025-08-Phuong-Chau-Doc-TCXH-tien-mat-tai-diem-'
                             'chi-tra.xlsx"',
        "social_pension": 'attachment; filename="Bang-ke-chi-tra-2025-08-Phuong-Chau-Doc-HTXH-tien-mat-tai-diem-'
                          'chi-tra.xlsx"'}
