"""The 1/7/2025 reform as one operation (``services.reform``, ``flask apply-reform``): people, open changes,
hamlets and bank coverage move to the new commune by the official mapping; a split commune's people wait for
placement and block the new communes' lists until placed; months before the reform stay with the old commune;
counts balance, the run is audited, a second run changes nothing, a bad mapping changes nothing."""
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.errors import StateError, ValidationError
from portal.extensions import db
from portal.models import (
    AuditEvent,
    BankCoverage,
    Beneficiary,
    ChangeSubmission,
    Hamlet,
    IdentityCheck,
    Organization,
    PayoutList,
    PayoutPointSession,
    RegistryEvent,
    UnitSuccession,
    UnitTransfer,
    User,
)
from portal.services.demo import user_by_username
from portal.services.payouts.build import build_lists
from portal.services.payouts.exclusions import month_exclusions
from portal.services.payouts.payers import month_payers
from portal.services.reform import apply_reform, place_hamlet, plan_reform, unplaced
from tests.conftest import pinned_clock
from tests.factories import make_account, make_beneficiary

pytestmark = pinned_clock
REFORM, JUN25, AUG25 = date(2025, 7, 1), date(2025, 6, 1), date(2025, 8, 1)
CHAU_DOC, VINH_TE, VINH_MY, VINH_CHAU = "30316@2025", "30325@2025", "30322", "30334"


@pytest.fixture
def register(app):
    """Two K6 severe adults of Vĩnh Mỹ (one with an Agribank account, one with an open change and a hamlet from
    the commune's list), one of Xã Vĩnh Châu (split between Châu Đốc and Vĩnh Tế) in Ấp Vĩnh Phú."""
    common = dict(birth_date=date(1980, 2, 2), category_code="K6", disability_level="severe",
                  start_month=date(2024, 1, 1))
    a = make_beneficiary("Ngô Văn An", payment_channel="bank_account", **common)
    make_account(a, "7700123456789", "VBA", opened_on=date(2024, 7, 20))
    hamlet = Hamlet(commune_code=VINH_MY, name="Khóm Xa Lạ", name_fold="khom xa la", name_sort="khom xa la")
    db.session.add(hamlet)
    db.session.flush()
    b = make_beneficiary("Trần Thị Bình", gender="female", hamlet="Khóm Xa Lạ", **common)
    b.hamlet_id = hamlet.id
    c = make_beneficiary("Lý Văn Châu", commune_code=VINH_CHAU, hamlet="Ấp Vĩnh Phú", **common)
    old = RegistryEvent(beneficiary_id=b.id, commune_code=VINH_MY, kind="adjust", effective_month=date(2024, 9, 1),
                        status="accepted", details={})
    open_ = RegistryEvent(beneficiary_id=b.id, commune_code=VINH_MY, kind="suspend", effective_month=AUG25,
                          status="draft", details={})
    db.session.add_all([old, open_])
    db.session.commit()
    return a, b, c, old, open_


def _count(model, *where) -> int:
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_reform_moves_people_and_their_commune_records(register):
    a, b, c, old, open_ = register
    vinh_my_people = _count(Beneficiary, Beneficiary.commune_code == VINH_MY)
    plan = apply_reform(None, REFORM)
    db.session.commit()
    assert plan.moved_per_new[CHAU_DOC] == vinh_my_people == 2 and plan.balanced
    assert plan.waiting_per_old == {VINH_CHAU: 1}
    assert (db.session.get(Beneficiary, a.id).commune_code, db.session.get(Beneficiary, b.id).commune_code,
            db.session.get(Beneficiary, c.id).commune_code) == (CHAU_DOC, CHAU_DOC, VINH_CHAU)
    assert db.session.get(Beneficiary, a.id).active_account.account_number == "7700123456789"
    # open changes go with the commune; accepted changes of earlier months stay with the old one
    assert db.session.get(RegistryEvent, open_.id).commune_code == CHAU_DOC
    assert db.session.get(RegistryEvent, old.id).commune_code == VINH_MY
    assert db.session.execute(select(Hamlet.commune_code).where(Hamlet.name == "Khóm Xa Lạ")).scalar_one() == CHAU_DOC
    # Agribank Châu Đốc covered Vĩnh Mỹ: it covers Phường Châu Đốc
    agribank = db.session.execute(select(Organization).where(Organization.name == "Agribank Chi nhánh Châu Đốc")
                                  ).scalar_one()
    assert db.session.get(BankCoverage, (agribank.id, CHAU_DOC)).status == "approved"
    # competence from 1/7/2025 (Decree 147/2025): the district office and the old committee lose their duties
    assert user_by_username("pld.chaudoc").organization.duties == ""
    assert user_by_username("xa.vinhmy").organization.duties == ""
    assert {"intake", "payout_management", "post_office_contract"} <= user_by_username(
        "ubnd.chaudoc").organization.duty_set
    audit = db.session.execute(select(AuditEvent).where(AuditEvent.action == "apply_reform")).scalar_one()
    assert audit.after["moved"] == {"30316": 2} and audit.after["waiting"] == {"30334": 1}
    # a month before the reform is still the old commune's
    payers = month_payers(JUN25)
    assert payers.of(db.session.get(Beneficiary, a.id)) == VINH_MY
    assert month_payers(AUG25).of(db.session.get(Beneficiary, a.id)) == CHAU_DOC
    # a second run changes nothing
    again = apply_reform(None, REFORM)
    assert again.people == 0 and not again.moved_per_new and not again.waiting_per_old
    assert _count(UnitTransfer) == 3 and _count(AuditEvent, AuditEvent.action == "apply_reform") == 1


def test_split_commune_is_placed_before_the_first_list(register):
    a, b, c, *_ = register
    apply_reform(None, REFORM)
    db.session.commit()
    officer = user_by_username("ubnd.chaudoc")
    assert [t.beneficiary_id for t in db.session.execute(unplaced([CHAU_DOC])).scalars()] == [c.id]
    assert [t.beneficiary_id for t in db.session.execute(unplaced([VINH_TE])).scalars()] == [c.id]
    reasons = dict((p.id, r) for p, r in month_exclusions(user_by_username("syt.angiang"), AUG25))
    assert reasons[c.id].startswith("Chờ xếp vào xã/phường mới: Xã Vĩnh Châu đã bị chia tách")
    with pytest.raises(StateError, match="Còn 1 người"):
        build_lists(officer, AUG25)
    assert place_hamlet(officer, VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM) == 1
    assert db.session.get(Beneficiary, c.id).commune_code == CHAU_DOC
    built = build_lists(officer, AUG25)
    lines = {(lst.commune_code, lst.channel): (lst.people_count, lst.total_amount) for lst in built.lists}
    assert lines == {(CHAU_DOC, "account"): (1, 750_000), (CHAU_DOC, "cash_at_point"): (2, 1_500_000)}
    assert all(lst.payout_office.unit_code == CHAU_DOC for lst in built.lists)


def test_unknown_or_still_valid_unit_in_the_mapping_changes_nothing(register):
    db.session.add(UnitSuccession(old_key="30742", new_key=CHAU_DOC, valid_from=REFORM))  # a 2025 unit as "old"
    db.session.commit()
    with pytest.raises(ValidationError, match="30742 Phường Rạch Giá không hiệu lực"):
        plan_reform(REFORM)
    with pytest.raises(ValidationError):
        apply_reform(None, REFORM)
    db.session.rollback()
    assert _count(UnitTransfer) == 0 and _count(Beneficiary, Beneficiary.commune_code == CHAU_DOC) == 0


def test_cli_dry_run_then_apply_then_bad_mapping(register, app, tmp_path):
    runner = app.test_cli_runner()
    preview = runner.invoke(args=["apply-reform", "2025-07", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "30322\tPhường Vĩnh Mỹ\t2\t→ 30316 Phường Châu Đốc" in preview.output
    assert _count(UnitTransfer) == 0
    bad = tmp_path / "map.csv"
    bad.write_text("old_commune_code,old_commune_name,new_commune_code,new_commune_name\n"
                   "30322,Phường Vĩnh Mỹ,99999,Phường Không Có\n", encoding="utf-8")
    refused = runner.invoke(args=["apply-reform", "2025-07", "--mapping", str(bad)])
    assert refused.exit_code == 1 and "mã 99999" in refused.output
    assert _count(UnitTransfer) == 0
    done = runner.invoke(args=["apply-reform", "2025-07"])
    assert done.exit_code == 0, done.output
    assert "= 30316\tPhường Châu Đốc\t2" in done.output
    assert "Tổng: 3 người ở 2 xã/phường cũ = 2 người ở 1 xã/phường mới + 1 người chờ xếp." in done.output


def test_documents_come_from_the_acting_organisation(register):
    from portal.documents.payout_list import render_payout_list
    from portal.services.documents.printing import print_report
    from portal.services.payouts.pdf import build_payout_list_doc
    from portal.services.payouts.workflow import approve_list, confirm_list
    from portal.services.reporting.monthly_report import build_report
    from tests.documents import pdfcheck
    apply_reform(None, REFORM)
    officer, chairman = user_by_username("ubnd.chaudoc"), user_by_username("ubnd.chaudoc.ct")
    place_hamlet(officer, VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM)
    lst = next(x for x in build_lists(officer, AUG25).lists if x.channel == "cash_at_point")
    confirm_list(officer, lst)
    approve_list(chairman, lst)
    assert lst.post_office.name == "Bưu điện Phường Châu Đốc"
    text = " ".join(pdfcheck.page_texts(render_payout_list(build_payout_list_doc(lst))))
    for expected in ("ỦY BAN NHÂN DÂN", "PHƯỜNG CHÂU ĐỐC", "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH",
                     "Lê Văn Chủ", "Trần Thị Bình", "Lý Văn Châu"):
        assert expected in text, expected
    assert "PHÒNG LAO ĐỘNG" not in text and "TRƯỞNG PHÒNG" not in text
    report = " ".join(pdfcheck.page_texts(print_report(build_report(officer, AUG25), issued_on=date(2025, 9, 3))))
    assert "Sở Y tế tỉnh An Giang" in report and "Phòng Lao động" not in report
    province = " ".join(pdfcheck.page_texts(print_report(build_report(user_by_username("syt.angiang"), AUG25),
                                                         issued_on=date(2025, 9, 5))))
    for expected in ("ỦY BAN NHÂN DÂN", "TỈNH AN GIANG", "SỞ Y TẾ", "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"):
        assert expected in province, expected


def test_province_page_previews_the_reform(register, client):
    client.login("syt.angiang")
    page = client.get("/tinh/sap-xep-don-vi")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<td>30322</td><td>Phường Vĩnh Mỹ</td><td class=\"num\">2</td>" in html
    assert "30316 Phường Châu Đốc; 30325 Phường Vĩnh Tế <strong>(chia tách" in html  # Xã Vĩnh Châu
    assert _count(UnitTransfer) == 0  # a preview writes nothing
    apply_reform(None, REFORM)
    db.session.commit()
    html = client.get("/tinh/sap-xep-don-vi").get_data(as_text=True)
    assert "<td>30316</td><td>Phường Châu Đốc</td><td class=\"num\">0</td><td class=\"num\">2</td>" in html
    assert "1 người từ xã/phường bị chia tách đang chờ" in html
    client.logout()
    client.login("agribank.chaudoc")
    assert client.get("/tinh/sap-xep-don-vi").status_code == 403


def test_everyone_entitled_in_june_is_listed_or_excluded_with_a_reason_in_july(register):
    """Completeness across the reform: each person entitled in 06/2025 (then at the old communes) is, in 07/2025,
    on exactly one line of a new commune's list or excluded with a reason — at the commune and at the province. The
    K5c person (category ended on 1/7/2025) is on the social-pension list, not dropped (Decree 176/2025)."""
    a, b, c, *_ = register
    k5c = make_beneficiary("Phạm Thị Cụ", gender="female", birth_date=date(1938, 5, 5), category_code="K5c")
    db.session.commit()
    entitled_june = {a.id, b.id, c.id, k5c.id}
    assert {p.id for p in db.session.execute(select(Beneficiary).where(
        month_payers(JUN25).condition({VINH_MY, VINH_CHAU}))).scalars()} >= entitled_june
    apply_reform(None, REFORM)
    officer = user_by_username("ubnd.chaudoc")
    place_hamlet(officer, VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM)
    built = build_lists(officer, REFORM)
    on_lines = [line.beneficiary_id for lst in built.lists for line in lst.lines if line.programme == "tcxh"]
    assert len(on_lines) == len(set(on_lines))
    for who in (officer, user_by_username("syt.angiang")):
        excluded = {p.id: reason for p, reason in month_exclusions(who, REFORM)}
        assert set(on_lines) | set(excluded) >= entitled_june and not set(on_lines) & set(excluded)
    pension = {(line.beneficiary_id, line.total) for lst in built.lists if lst.programme == "social_pension"
               for line in lst.lines}
    assert pension == {(k5c.id, 500_000)} and on_lines.count(k5c.id) == 1


def test_commune_worklist_places_a_hamlet(register, client):
    a, b, c, *_ = register
    apply_reform(None, REFORM)
    db.session.commit()
    client.login("ubnd.chilang")  # Chi Lăng took no part of Vĩnh Châu: nothing to place, may not place
    assert "Không có ai chờ xếp." in client.get("/xa/xep-xa-moi").get_data(as_text=True)
    assert client.post("/xa/xep-xa-moi", data={"old": VINH_CHAU, "hamlet": "Ấp Vĩnh Phú"}).status_code == 422
    assert db.session.get(Beneficiary, c.id).commune_code == VINH_CHAU
    client.logout()
    client.login("ubnd.chaudoc")
    page = client.get("/xa/xep-xa-moi").get_data(as_text=True)
    assert "Xã Vĩnh Châu — Ấp Vĩnh Phú (1 người, từ 07/2025)" in page and "Lý Văn Châu" in page
    client.post("/xa/xep-xa-moi", data={"old": VINH_CHAU, "hamlet": "Ấp Vĩnh Phú"})
    db.session.expire_all()
    assert db.session.get(Beneficiary, c.id).commune_code == CHAU_DOC
    assert "Không có ai chờ xếp." in client.get("/xa/xep-xa-moi").get_data(as_text=True)


def test_province_page_without_a_mapping_says_so(register, client):
    client.login("syt.angiang")
    page = client.get("/tinh/sap-xep-don-vi?thang=2026-07")
    assert page.status_code == 409
    assert "Không có bảng chuyển đổi đơn vị hành chính từ 07/2026." in page.get_data(as_text=True)


def test_the_reform_moves_what_is_still_open_audited_and_once(register):
    """Pending change submissions (merged when two old communes send one for the same month), identity checks still
    at the police and payout-point sessions from 07/2025 go to the new commune; done ones stay; a second run moves
    nothing and writes no audit entry."""
    a, b, c, old, open_ = register
    chau_phu_a = make_beneficiary("Võ Văn Phú", commune_code="30319", birth_date=date(1980, 2, 2),
                                  category_code="K6", disability_level="severe", start_month=date(2024, 1, 1))
    sub_vinh_my = ChangeSubmission(commune_code=VINH_MY, month=AUG25, status="submitted")
    sub_phu_a = ChangeSubmission(commune_code="30319", month=AUG25, status="draft")
    done = ChangeSubmission(commune_code=VINH_MY, month=date(2024, 9, 1), status="accepted")
    db.session.add_all([sub_vinh_my, sub_phu_a, done])
    db.session.flush()
    open_.submission_id, old.submission_id = sub_vinh_my.id, done.id
    phu_a_event = RegistryEvent(beneficiary_id=chau_phu_a.id, commune_code="30319", kind="suspend",
                                effective_month=AUG25, status="draft", details={}, submission_id=sub_phu_a.id)
    pending = IdentityCheck(beneficiary_id=a.id, commune_code=VINH_MY)
    answered = IdentityCheck(beneficiary_id=b.id, commune_code=VINH_MY, result="matched", checked_on=JUN25)
    split_pending = IdentityCheck(beneficiary_id=c.id, commune_code=VINH_CHAU)
    bank = db.session.execute(select(Organization).where(Organization.provider_code == "VBA",
                                                         Organization.unit_code == "884")).scalar_one()
    session = dict(bank_id=bank.id, commune_code=VINH_MY, place_kind="commune_office",
                   place_name="Trụ sở UBND phường", staff_present="Võ Minh Ngân")
    coming = PayoutPointSession(session_date=date(2025, 7, 15), **session)
    held = PayoutPointSession(session_date=date(2025, 6, 10), **session)
    db.session.add_all([phu_a_event, pending, answered, split_pending, coming, held])
    db.session.commit()

    apply_reform(None, REFORM)
    db.session.commit()
    assert db.session.get(ChangeSubmission, sub_vinh_my.id).commune_code == CHAU_DOC
    # Vĩnh Mỹ's list of 08/2025 was already sent: Châu Phú A's draft change goes into a draft of Châu Đốc for
    # 08/2025, never into the sent one
    moved = db.session.get(RegistryEvent, phu_a_event.id)
    assert (moved.commune_code, moved.submission.commune_code, moved.submission.month, moved.submission.status,
            moved.status) == (CHAU_DOC, CHAU_DOC, AUG25, "draft", "draft")
    assert [e.id for e in db.session.get(ChangeSubmission, sub_vinh_my.id).events] == [open_.id]
    assert db.session.get(ChangeSubmission, done.id).commune_code == VINH_MY
    assert [db.session.get(IdentityCheck, x.id).commune_code for x in (pending, answered, split_pending)] == [
        CHAU_DOC, VINH_MY, VINH_CHAU]
    assert (db.session.get(PayoutPointSession, coming.id).commune_code,
            db.session.get(PayoutPointSession, held.id).commune_code) == (CHAU_DOC, VINH_MY)
    entry = db.session.execute(select(AuditEvent).where(AuditEvent.action == "apply_reform")).scalar_one()
    assert entry.after["open_items"] == {"submissions": 2, "identity_checks": 1, "payout_point_sessions": 1}

    apply_reform(None, REFORM)
    db.session.commit()
    assert _count(AuditEvent, AuditEvent.action == "apply_reform") == 1
    assert db.session.get(ChangeSubmission, sub_vinh_my.id).commune_code == CHAU_DOC

    place_hamlet(user_by_username("ubnd.chaudoc"), VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM)
    assert db.session.get(IdentityCheck, split_pending.id).commune_code == CHAU_DOC  # follows the placed person


def test_open_changes_of_a_split_commune_follow_each_person_to_where_they_are_placed(register):
    """Vĩnh Châu went into Châu Đốc and Vĩnh Tế: its change submission of 08/2025, still a draft, holds one change
    for a person placed in Châu Đốc and one for a person placed in Vĩnh Tế; each change goes to the draft
    submission of the commune where its person is placed, and the emptied submission of the old commune goes."""
    a, b, c, *_ = register
    d = make_beneficiary("Đặng Thị Dung", commune_code=VINH_CHAU, hamlet="Ấp Vĩnh Tây", gender="female",
                         birth_date=date(1980, 2, 2), category_code="K6", disability_level="severe",
                         start_month=date(2024, 1, 1))
    sub = ChangeSubmission(commune_code=VINH_CHAU, month=AUG25, status="draft")
    db.session.add(sub)
    db.session.flush()
    ev_c, ev_d = (RegistryEvent(beneficiary_id=p.id, commune_code=VINH_CHAU, kind="suspend", effective_month=AUG25,
                                status="draft", details={}, submission_id=sub.id) for p in (c, d))
    db.session.add_all([ev_c, ev_d])
    db.session.commit()
    apply_reform(None, REFORM)
    db.session.commit()
    assert db.session.get(ChangeSubmission, sub.id).commune_code == VINH_CHAU  # waits with its people

    assert place_hamlet(user_by_username("ubnd.chaudoc"), VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM) == 1
    db.session.commit()
    at_chau_doc = db.session.get(RegistryEvent, ev_c.id)
    assert (at_chau_doc.commune_code, at_chau_doc.submission.commune_code, at_chau_doc.submission.month,
            at_chau_doc.submission.status) == (CHAU_DOC, CHAU_DOC, AUG25, "draft")
    still = db.session.get(RegistryEvent, ev_d.id)  # not placed yet: stays with the old commune's submission
    assert (still.commune_code, still.submission_id) == (VINH_CHAU, sub.id)

    vinh_te = db.session.execute(select(Organization).where(Organization.kind == "commune_committee",
                                                            Organization.unit_code == VINH_TE)).scalar_one()
    officer = User(organization_id=vinh_te.id, username="ubnd.vinhte", full_name="Cán bộ Vĩnh Tế", password_hash="x")
    db.session.add(officer)
    db.session.flush()
    assert place_hamlet(officer, VINH_CHAU, "Ấp Vĩnh Tây", VINH_TE, REFORM) == 1
    db.session.commit()
    at_vinh_te = db.session.get(RegistryEvent, ev_d.id)
    assert (at_vinh_te.commune_code, at_vinh_te.submission.commune_code, at_vinh_te.submission.month,
            at_vinh_te.submission.status) == (VINH_TE, VINH_TE, AUG25, "draft")
    assert at_vinh_te.submission_id != at_chau_doc.submission_id
    assert db.session.get(ChangeSubmission, sub.id) is None  # nothing left in it


def test_two_draft_lists_of_one_month_become_one_and_a_sent_one_stays_apart(register, client):
    """Vĩnh Mỹ and Châu Phú A both went into Châu Đốc: their drafts of 08/2025 become one draft of Châu Đốc; Châu
    Phú B's list of 08/2025, already sent, moves as it is and takes in no draft change."""
    a, b, c, old, open_ = register
    common = dict(birth_date=date(1980, 2, 2), category_code="K6", disability_level="severe",
                  start_month=date(2024, 1, 1))
    phu_a = make_beneficiary("Võ Văn Phú", commune_code="30319", **common)
    phu_b = make_beneficiary("Lâm Thị Bé", commune_code="30316", gender="female", **common)
    drafts = [ChangeSubmission(commune_code=code, month=AUG25, status="draft") for code in (VINH_MY, "30319")]
    sent = ChangeSubmission(commune_code="30316", month=AUG25, status="submitted")
    db.session.add_all([sent, *drafts])  # the sent one first: it is met first
    db.session.flush()
    open_.submission_id = drafts[0].id
    ev_a = RegistryEvent(beneficiary_id=phu_a.id, commune_code="30319", kind="suspend", effective_month=AUG25,
                         status="draft", details={}, submission_id=drafts[1].id)
    ev_b = RegistryEvent(beneficiary_id=phu_b.id, commune_code="30316", kind="suspend", effective_month=AUG25,
                         status="submitted", details={}, submission_id=sent.id)
    db.session.add_all([ev_a, ev_b])
    db.session.commit()
    apply_reform(None, REFORM)
    db.session.commit()
    at_chau_doc = db.session.execute(select(ChangeSubmission.status, func.count(RegistryEvent.id))
                                     .join(RegistryEvent, RegistryEvent.submission_id == ChangeSubmission.id)
                                     .where(ChangeSubmission.commune_code == CHAU_DOC,
                                            ChangeSubmission.month == AUG25)
                                     .group_by(ChangeSubmission.id, ChangeSubmission.status)
                                     .order_by(ChangeSubmission.status)).all()
    assert at_chau_doc == [("draft", 2), ("submitted", 1)]
    assert db.session.get(RegistryEvent, ev_b.id).submission_id == sent.id
    assert db.session.get(RegistryEvent, ev_a.id).submission_id == db.session.get(RegistryEvent, open_.id).submission_id
    # a change the new commune writes now goes into its draft of 08/2025
    from portal.services.registry.events import open_submission
    assert open_submission(None, CHAU_DOC, AUG25).id == db.session.get(RegistryEvent, ev_a.id).submission_id
    client.login("ubnd.chaudoc")
    page = client.get("/xa/bien-dong?thang=2025-08").get_data(as_text=True)
    assert "Danh sách 1" in page and "Danh sách 2" in page
    assert page.count("Đã gửi duyệt</span>") == 1 and page.count("Đang lập</span>") == 1
    assert "Gửi duyệt (2 biến động)" in page


def test_a_placed_persons_changes_never_join_a_list_the_new_commune_has_sent(register):
    """Châu Đốc sent its list of 08/2025 before placing Vĩnh Châu's people: the placed person's draft change goes
    into a new draft of Châu Đốc for 08/2025; a change Vĩnh Châu had already sent stays sent, in a sent list of
    Châu Đốc for that month."""
    a, b, c, *_ = register
    apply_reform(None, REFORM)
    sent_here = ChangeSubmission(commune_code=CHAU_DOC, month=AUG25, status="submitted")
    draft_there = ChangeSubmission(commune_code=VINH_CHAU, month=AUG25, status="draft")
    sent_there = ChangeSubmission(commune_code=VINH_CHAU, month=AUG25, status="submitted")
    db.session.add_all([sent_here, draft_there, sent_there])
    db.session.flush()
    drafted = RegistryEvent(beneficiary_id=c.id, commune_code=VINH_CHAU, kind="suspend", effective_month=AUG25,
                            status="draft", details={}, submission_id=draft_there.id)
    sent = RegistryEvent(beneficiary_id=c.id, commune_code=VINH_CHAU, kind="resume",
                         effective_month=date(2025, 9, 1), status="submitted", details={},
                         submission_id=sent_there.id)
    db.session.add_all([drafted, sent])
    db.session.commit()
    place_hamlet(user_by_username("ubnd.chaudoc"), VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM)
    db.session.commit()
    drafted, sent = db.session.get(RegistryEvent, drafted.id), db.session.get(RegistryEvent, sent.id)
    assert (drafted.submission.commune_code, drafted.submission.month, drafted.submission.status) == (
        CHAU_DOC, AUG25, "draft")
    assert drafted.submission_id != sent_here.id and sent_here.events == []
    assert (sent.commune_code, sent.status, sent.submission.commune_code, sent.submission.status) == (
        CHAU_DOC, "submitted", CHAU_DOC, "submitted")
    assert sent.submission_id != sent_here.id
    assert db.session.get(ChangeSubmission, draft_there.id) is None
    assert db.session.get(ChangeSubmission, sent_there.id) is None


def test_changes_accepted_for_the_reform_month_follow_a_placed_person(register):
    """Vĩnh Châu accepted, before the reform, a stop of Lý Văn Châu from 08/2025: once he is placed in Châu Đốc the
    stop is Châu Đốc's (it pays 07/2025, the last month, and its build finds him although he is stopped); his
    change accepted for 09/2024 stays with Vĩnh Châu (history keeps the old commune)."""
    a, b, c, *_ = register
    stop = RegistryEvent(beneficiary_id=c.id, commune_code=VINH_CHAU, kind="stop", effective_month=AUG25,
                         status="accepted", details={})
    earlier = RegistryEvent(beneficiary_id=c.id, commune_code=VINH_CHAU, kind="adjust",
                            effective_month=date(2024, 9, 1), status="accepted", details={})
    db.session.add_all([stop, earlier])
    db.session.get(Beneficiary, c.id).status = "stopped"
    db.session.commit()
    apply_reform(None, REFORM)
    db.session.commit()
    assert db.session.get(RegistryEvent, stop.id).commune_code == VINH_CHAU  # waits with its person

    officer = user_by_username("ubnd.chaudoc")
    assert place_hamlet(officer, VINH_CHAU, "Ấp Vĩnh Phú", CHAU_DOC, REFORM) == 1
    db.session.commit()
    assert (db.session.get(RegistryEvent, stop.id).commune_code,
            db.session.get(RegistryEvent, earlier.id).commune_code) == (CHAU_DOC, VINH_CHAU)
    built = build_lists(officer, REFORM)
    paid = {line.beneficiary_id: line.total for lst in built.lists for line in lst.lines}
    assert paid[c.id] == 750_000
    assert build_lists(officer, AUG25).lists and c.id not in {
        line.beneficiary_id for lst in db.session.execute(select(PayoutList).where(
            PayoutList.month == AUG25, PayoutList.commune_code == CHAU_DOC)).scalars() for line in lst.lines}
