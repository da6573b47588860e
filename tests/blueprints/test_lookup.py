"""Public status lookup (no login): each status of the last three months with amount and channel and nothing personal,
a wrong date of birth answered exactly like an unknown ID, 50 guesses in a row throttled and audited with the ID
only as a keyed digest, the arithmetic question after failures (used once), a small page without JavaScript."""
import logging
import re
import time
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from portal import create_app
from portal.extensions import db, limiter
from portal.models import LookupAttempt
from portal.services.demo import user_by_username as user
from portal.services.payouts.build import build_lists
from portal.services.payouts.results import record_result
from tests.conftest import WebClient, _config, pinned_clock
from tests.factories import chau_doc_people, run_to_accepted

pytestmark = pinned_clock
OCT, NOV, DEC = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)
VU_BIRTH = "1977-09-06"


@pytest.fixture
def client(app):
    """The web client, its app with the rate limits on (the test config turns them off for logins) and counters of
    its own."""
    web = WebClient(app)
    web.web_app = create_app(type("Limited", (_config(app.config["SQLALCHEMY_DATABASE_URI"]),), {
        "RATELIMIT_ENABLED": True, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}))
    web.c = web.web_app.test_client()
    return web


@pytest.fixture(autouse=True)
def fresh_limits(client):
    limiter.reset()  # the in-memory counters live as long as the process
    yield
    limiter.reset()


@pytest.fixture
def months(app):
    """Vĩnh Mỹ: 10/2026 accepted and Vũ paid on 05/10; 11/2026 accepted and Vũ's transfer failed; 12/2026 built."""
    people = chau_doc_people()
    db.session.commit()
    octo = run_to_accepted(OCT, datetime(2026, 10, 1, 1, tzinfo=UTC))
    post = user("buudien.chaudoc")
    for lst in octo.values():
        for line in lst.lines:
            record_result(post, line, "paid", paid_on=date(2026, 10, 5))
    nov = run_to_accepted(NOV, datetime(2026, 11, 1, 1, tzinfo=UTC))
    vu_nov = next(ln for ln in nov["account"].lines if ln.beneficiary_id == people["vu"].id)
    record_result(post, vu_nov, "failed", "Tài khoản bị khóa", reason_code="account")
    build_lists(user("pld.chaudoc"), DEC)
    db.session.commit()
    return people


def _ask(client, national_id, birth=VU_BIRTH, **extra):
    return client.post("/tra-cuu/", {"national_id": national_id, "birth_date": birth} | extra)


def _answer(resp) -> str:
    m = re.search(r'<(?:section|p) id="answer"[^>]*>(.*?)</(?:section|p)>', resp.get_data(as_text=True), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", m.group(1))).replace(" :", ":").strip() if m else ""


def test_each_status_with_amount_and_channel_and_nothing_personal(client, months):
    vu = months["vu"]
    resp = _ask(client, vu.national_id)
    assert resp.status_code == 200
    text = _answer(resp)
    body = resp.get_data(as_text=True)
    dec, nov, octo = text.split("Tháng ")[1:4]  # K6 especially severe adult: 2,0 × 540.000 đ
    assert dec.startswith("12/2026: 2.160.000 đồng") and "Sẽ chi trả: danh sách đang được duyệt" in dec
    assert "Tiền mặt tại điểm chi trả của Phường Vĩnh Mỹ" in dec  # the account failed: cash, November carried
    assert nov.startswith("11/2026: 1.080.000 đồng") and "••3329 tại Agribank" in nov and "Chưa nhận được" in nov
    assert "Liên hệ UBND Phường Vĩnh Mỹ để được chi lại" in nov
    assert octo.startswith("10/2026: 1.080.000 đồng") and "Đã chi trả ngày 05/10/2026" in octo
    for personal in (vu.full_name, "K6", vu.hamlet, "đặc biệt nặng", "Khuyết tật"):
        assert personal not in body
    assert "KHÔNG BAO GIỜ hỏi mật khẩu, mã OTP" in body
    home = _answer(_ask(client, months["thoa"].national_id, "1950-03-27"))
    assert "Tiền mặt, nhân viên bưu điện chi tại nhà" in home and "Đã chi trả ngày 05/10/2026" in home


def test_wrong_birth_date_answers_like_an_unknown_id(client, months):
    wrong = _ask(client, months["vu"].national_id, "1977-09-07")
    unknown = _ask(client, "089099999999")
    assert wrong.status_code == unknown.status_code == 200
    assert _answer(wrong) == _answer(unknown) and "Không tìm thấy thông tin phù hợp" in _answer(wrong)
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))


def test_fifty_guesses_are_throttled_and_audited_without_the_id(client, months, caplog):
    caplog.set_level(logging.DEBUG)
    guesses = [f"0890770{n:05d}" for n in range(50)]
    codes = [_ask(client, g).status_code for g in guesses]
    assert codes[:3] == [200, 200, 200]  # answered "not found"
    assert set(codes[3:10]) == {422}  # then a question to answer first
    assert set(codes[10:]) == {429}  # then throttled (10 a minute from one address)
    rows = db.session.execute(select(LookupAttempt.outcome, func.count()).group_by(LookupAttempt.outcome)).all()
    assert dict(rows) == {"not_found": 3, "challenge_failed": 7, "throttled": 40}
    stored = db.session.execute(select(LookupAttempt.address_hash, LookupAttempt.id_hash)).all()
    assert all(len(a) == 64 and len(i) == 64 for a, i in stored)
    assert len({i for _, i in stored}) == 50
    logged = caplog.text
    assert not any(g in logged for g in guesses)
    assert not any(g in str(tuple(r)) for r in stored for g in guesses)


def test_question_after_failures_is_answered_once(client, months):
    for n in range(3):
        _ask(client, f"08907700000{n}")
    resp = _ask(client, months["vu"].national_id)
    assert resp.status_code == 422
    body = resp.get_data(as_text=True)
    a, b = map(int, re.search(r"(\d+) cộng (\d+) bằng bao nhiêu", body).groups())
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', body).group(1)
    ok = _ask(client, months["vu"].national_id, answer=str(a + b), token=token)
    assert ok.status_code == 200 and "Đã chi trả ngày 05/10/2026" in _answer(ok)
    replay = _ask(client, months["vu"].national_id, answer=str(a + b), token=token)
    assert replay.status_code == 422 and "Câu trả lời kiểm tra chưa đúng" in replay.get_data(as_text=True)


def test_small_page_without_script_and_fast_answer(client, months):
    page = client.get("/tra-cuu/")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and len(page.get_data()) < 30_000 and "<script" not in body
    assert 'method="post"' in body and 'name="viewport"' in body
    start = time.perf_counter()
    resp = _ask(client, months["vu"].national_id)
    assert resp.status_code == 200 and time.perf_counter() - start < 1.0


def test_one_id_is_throttled_whatever_the_address(client, months):
    codes = [client.post("/tra-cuu/", {"national_id": months["vu"].national_id, "birth_date": VU_BIRTH},
                         environ_base={"REMOTE_ADDR": f"10.0.0.{n}"}).status_code for n in range(1, 8)]
    assert codes == [200] * 5 + [429] * 2  # 5 an hour per ID
    outcomes = db.session.execute(select(LookupAttempt.outcome).order_by(LookupAttempt.id)).scalars().all()
    assert outcomes == ["found"] * 5 + ["throttled"] * 2


def test_a_person_recorded_by_year_only_finds_themselves_with_the_year(client, months):
    moi, vu = months["moi"], months["vu"]  # Mới: born 1941, no day or month recorded
    assert moi.birth_date is None and moi.birth_year == 1941
    page = client.get("/tra-cuu/").get_data(as_text=True)
    assert "nếu giấy tờ chỉ ghi năm sinh: chỉ nhập năm" in page and 'type="date"' not in page
    found = _answer(_ask(client, moi.national_id, "1941"))
    assert found.startswith("Ba tháng gần nhất Tháng 12/2026: 500.000 đồng")
    assert "Tháng 10/2026: 500.000 đồng Tiền mặt tại điểm chi trả của Phường Vĩnh Mỹ Đã chi trả ngày 05/10/2026" \
        in found
    assert _answer(_ask(client, moi.national_id, "02/05/1941")) == found  # a full date in that year: the same person
    unknown = _ask(client, "089099999999", "1941")
    assert "Không tìm thấy thông tin phù hợp" in _answer(unknown)
    strip = re.compile(r'value="[^"]*"')
    for wrong in (_ask(client, moi.national_id, "1942"), _ask(client, vu.national_id, "1977")):  # Vũ: full date
        assert wrong.status_code == unknown.status_code == 200
        assert strip.sub("", wrong.get_data(as_text=True)) == strip.sub("", unknown.get_data(as_text=True))
    bad = _ask(client, moi.national_id, "05/1941")
    assert bad.status_code == 422 and "Ngày sinh không hợp lệ" in bad.get_data(as_text=True)
    outcomes = db.session.execute(select(LookupAttempt.outcome).order_by(LookupAttempt.id)).scalars().all()
    assert outcomes[-5:] == ["found", "found", "not_found", "not_found", "not_found"]
