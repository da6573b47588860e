"""Each reader's copy of a payout-list PDF prints only what ``access`` lets that reader see: categories (HIV ones
among them) only for the commune and the payout office, the full CCCD for all but the province (masked there).
Each copy is stored and cached apart; a one-off print of a list still open is never served to another reader.
Downloads are audited."""
import io
from datetime import date
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

import portal.jobs
from portal.extensions import db
from portal.models import AuditEvent, Job, StoredFile
from portal.services.payouts import pdf as payout_pdf
from tests.factories import chau_doc_people, make_beneficiary, run_to_approved

HIV_ID = "089180008888"


def _text(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def cash_list(app):
    """Vĩnh Mỹ's approved cash list of 08/2024 with Sơn Thị Tám (K8, HIV/AIDS) and Trương Văn Phúc (K5c)."""
    chau_doc_people()
    make_beneficiary("Sơn Thị Tám", birth_date=date(1980, 8, 8), gender="female", category_code="K8",
                     national_id=HIV_ID)
    db.session.commit()
    return run_to_approved()["cash_at_point"]


def _copy(client, username, lst, query=""):
    client.login(username)
    resp = client.get(f"/van-ban/danh-sach-chi-tra/{lst.id}.pdf{query}")
    client.logout()
    assert resp.status_code == 200 and resp.mimetype == "application/pdf", username
    assert resp.headers["Cache-Control"] == "no-store"
    return _text(resp.data)


def test_each_reader_gets_only_what_they_may_see(client, cash_list):
    phuc = next(line for line in cash_list.lines if line.full_name == "Trương Văn Phúc")
    copies = {u: _copy(client, u, cash_list) for u in ("xa.vinhmy", "pld.chaudoc", "buudien.chaudoc", "so.angiang")}
    for username in ("xa.vinhmy", "pld.chaudoc"):
        text = copies[username]
        assert "Sơn Thị Tám" in text and " K8 " in text and " K5c " in text and HIV_ID in text, username
    post = copies["buudien.chaudoc"]
    assert "Sơn Thị Tám" in post and HIV_ID in post and phuc.national_id in post
    assert "K8" not in post and "K5c" not in post  # no category at all: a blank only on HIV lines would tell
    province = copies["so.angiang"]
    assert "Sơn Thị Tám" in province and "K8" not in province and "K5c" not in province
    assert HIV_ID not in province and phuc.national_id not in province
    assert "********8888" in province and "********" + phuc.national_id[-4:] in province
    stored = db.session.query(StoredFile.fingerprint).filter_by(kind=payout_pdf.KIND, subject_id=cash_list.id).all()
    keys = sorted(f.partition("-v:")[2] for (f,) in stored)
    assert keys == ["", "ni", "nm"]  # one cached copy per view, shared by readers of the same view
    downloads = AuditEvent.query.filter_by(action="download", object_type="payout_list", object_id=cash_list.id)
    assert downloads.count() == 4


def test_the_province_cannot_fetch_the_communes_print_of_a_draft(client, app):
    chau_doc_people()
    make_beneficiary("Sơn Thị Tám", birth_date=date(1980, 8, 8), gender="female", category_code="K8",
                     national_id=HIV_ID)
    db.session.commit()
    from portal.services.demo import user_by_username
    from portal.services.payouts.build import build_lists
    result = build_lists(user_by_username("pld.chaudoc"), date(2024, 8, 1))
    draft = next(lst for lst in result.lists if lst.commune_code == "30322" and lst.channel == "cash_at_point")
    db.session.commit()
    assert " K8 " in _copy(client, "pld.chaudoc", draft)
    office_file = db.session.query(StoredFile).filter_by(kind=payout_pdf.KIND, subject_id=draft.id).one()
    province = _copy(client, "so.angiang", draft, f"?tep={office_file.id}")
    assert "Sơn Thị Tám" in province and "K8" not in province and HIV_ID not in province


def test_a_second_request_for_a_draft_joins_the_running_job(client, app, monkeypatch):
    chau_doc_people()
    db.session.commit()
    from portal.services.demo import user_by_username
    from portal.services.payouts.build import build_lists
    result = build_lists(user_by_username("pld.chaudoc"), date(2024, 8, 1))
    draft = next(lst for lst in result.lists if lst.commune_code == "30322" and lst.channel == "cash_at_point")
    db.session.commit()
    client.web_app.config["JOBS_SYNC"] = False
    monkeypatch.setattr(portal.jobs, "_pool", lambda app: SimpleNamespace(submit=lambda *a: None))  # stays queued
    client.login("pld.chaudoc")
    first = client.get(f"/van-ban/danh-sach-chi-tra/{draft.id}.pdf")
    second = client.get(f"/van-ban/danh-sach-chi-tra/{draft.id}.pdf")
    assert first.status_code == second.status_code == 200
    jobs = Job.query.filter_by(kind=payout_pdf.KIND).all()
    assert len(jobs) == 1, [(j.id, j.status, j.error) for j in jobs]
