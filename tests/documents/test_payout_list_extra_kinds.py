"""Payout list PDF with the extra kinds of money (funeral support, care support): the rows add up through the
"Truy lĩnh, khác" column, the note names the kind and the payee; a failed print job is shown (Vietnamese, "Thử lại")
instead of being restarted on every reload."""
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.documents.payout_list import render_payout_list
from portal.extensions import db
from portal.models import CareArrangement, Job, PayoutList, RegistryEvent
from portal.services.demo import user_by_username as user
from portal.services.payouts import pdf as payout_list_pdf
from portal.services.payouts.build import build_lists
from portal.services.payouts.pdf import build_payout_list_doc
from tests.factories import make_beneficiary

SEP, OCT = date(2026, 9, 1), date(2026, 10, 1)


def _money(value: int) -> str:
    return f"{value:,}".replace(",", ".")


@pytest.fixture
def cash_list(app):
    """Commune 30322, 10/2026, cash at the point: Hồ Văn Mất died 15/09 (funeral support 10.800.000 đ to Hồ Thị
    Con) and Ngô Văn Nặng's carer Ngô Thị Mẹ (care support 540.000 đ), next to his own allowance."""
    dead = make_beneficiary("Hồ Văn Mất", birth_date=date(1944, 6, 6), category_code="K5a", start_month=SEP)
    cared = make_beneficiary("Ngô Văn Nặng", birth_date=date(1990, 5, 5), category_code="K6",
                             disability_level="especially_severe", start_month=SEP)
    db.session.add(CareArrangement(beneficiary_id=cared.id, kind="household_especially_severe",
                                   payee_name="Ngô Thị Mẹ", payee_relationship="Mẹ", valid_from=SEP))
    db.session.commit()
    build_lists(user("pld.chaudoc"), SEP, ["30322"])
    db.session.add(RegistryEvent(beneficiary_id=dead.id, commune_code="30322", kind="death", effective_month=OCT,
                                 event_date=date(2026, 9, 15), status="accepted",
                                 details={"organiser_name": "Hồ Thị Con", "organiser_relationship": "Con"}))
    dead.status = "stopped"
    db.session.commit()
    build_lists(user("pld.chaudoc"), OCT, ["30322"])
    db.session.commit()
    return db.session.execute(select(PayoutList).where(
        PayoutList.commune_code == "30322", PayoutList.month == OCT, PayoutList.channel == "cash_at_point")
    ).scalar_one()


def test_funeral_and_care_lines_add_up_and_are_named(cash_list):
    doc = build_payout_list_doc(cash_list)
    by_name = {}
    for line in doc.lines:
        by_name.setdefault(line.full_name, []).append(line)
    (funeral,) = by_name["Hồ Văn Mất"]
    assert (funeral.amount, funeral.back_pay, funeral.other, funeral.total) == (0, 0, 10_800_000, 10_800_000)
    assert funeral.note.startswith("Mai táng phí — người nhận: Hồ Thị Con")
    care = next(item for item in by_name["Ngô Văn Nặng"] if item.other)
    assert (care.amount, care.other, care.total) == (0, 540_000, 540_000)
    assert care.note.startswith("Hỗ trợ chăm sóc — người nhận: Ngô Thị Mẹ")
    assert doc.totals.total == cash_list.total_amount == doc.totals.amount + doc.totals.back_pay + doc.totals.other
    assert doc.totals.other == 10_800_000 + 540_000

    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(render_payout_list(doc))).pages)
    for expected in ("Truy lĩnh, khác", "Mai táng phí", "Hồ Thị Con", "Hỗ trợ chăm sóc", "Ngô Thị Mẹ",
                     _money(10_800_000), _money(cash_list.total_amount)):
        assert expected in text, expected


def test_the_route_serves_the_list_with_a_funeral_line(client, cash_list):
    client.login("pld.chaudoc")
    resp = client.get(f"/van-ban/danh-sach-chi-tra/{cash_list.id}.pdf")  # sync jobs in tests
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(resp.data)).pages[0].extract_text().split())
    assert "Mai táng phí" in text and "Hồ Thị Con" in text


def _jobs() -> int:
    return db.session.execute(select(func.count(Job.id)).where(Job.kind == payout_list_pdf.KIND)).scalar_one()


def test_failed_job_is_shown_in_vietnamese_with_a_retry_and_not_restarted(client, cash_list, monkeypatch):
    def broken(doc, progress=None):
        raise ValueError("line 96: total 10000000 ≠ amount 0 + back_pay 0")

    monkeypatch.setattr(payout_list_pdf, "render_payout_list", broken)
    client.login("pld.chaudoc")
    url = f"/van-ban/danh-sach-chi-tra/{cash_list.id}.pdf"
    first = client.get(url)
    assert first.status_code == 200 and _jobs() == 1
    page = first.get_data(as_text=True)
    for english in ("ValueError", "line 96", "Error"):
        assert english not in page
    assert "Lỗi hệ thống khi chạy công việc. Vui lòng thử lại hoặc báo quản trị viên." in page
    retry = f"/van-ban/danh-sach-chi-tra/{cash_list.id}/in-lai"
    assert f'action="{retry}"' in page and "Thử lại" in page and 'name="csrf_token"' in page

    again = client.get(url).get_data(as_text=True)  # reload: the same failed job, no new one
    assert _jobs() == 1 and "Thử lại" in again and "ValueError" not in again
    job_id = db.session.execute(select(Job.id)).scalar_one()
    job_page = client.get(f"/cong-viec/{job_id}").get_data(as_text=True)
    assert "Thử lại" in job_page and "ValueError" not in job_page

    assert client.post(retry, csrf=False).status_code == 400
    monkeypatch.undo()
    resp = client.post(retry)
    assert resp.status_code == 302 and _jobs() == 2
    new_job = db.session.execute(select(Job).order_by(Job.id.desc())).scalars().first()
    assert new_job.status == "done" and resp.headers["Location"].endswith(f"/cong-viec/{new_job.id}")
    done = client.get(url)  # the newest job succeeded: the reload prints afresh (draft list), no failure shown
    assert done.status_code == 200 and done.mimetype == "application/pdf"


def test_note_gives_each_amount_when_the_cell_mixes_kinds():
    from types import SimpleNamespace

    from portal.services.payouts.lines import NO_NOTE

    line = SimpleNamespace(full_name="Phạm Văn Trễ", holder_name=None, funeral_support=10_800_000, care_support=0,
                           top_up=0, back_pay=540_000, payee_name="Phạm Thị Lo",
                           back_pay_months=[{"month": "2026-09", "kind": "gap", "amount": 540_000},
                                            {"month": "2026-10", "kind": "recovery", "amount": 1_080_000}])
    assert payout_list_pdf.note_text(line, NO_NOTE) == ("Mai táng phí 10.800.000 đ — người nhận: Phạm Thị Lo; "
                                    "Truy lĩnh 09/2026: 540.000 đ; Thu hồi 10/2026: 1.080.000 đ")
