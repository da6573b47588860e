"""The commit of a beneficiary import reuses its preview's analysis only while nothing changed in between; in another
process it starts from the sheet as the preview read it (kept with the batch) and checks every row again; it writes
new people, their accounts and their audit entries in bulk."""
import pytest
from sqlalchemy import func, select

from portal.errors import PortalError
from portal.extensions import db
from portal.models import AuditEvent, Beneficiary, CategorySynonym, ImportBatch, PaymentAccount
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import plan as import_plan
from portal.services.imports import rows as import_rows
from portal.services.registry.beneficiaries import form_data, update_beneficiary
from tests.conftest import VINH_MY_FILE
from tests.factories import make_beneficiary
from tests.services.test_imports import TAN_LOI, VINH_MY, by_id, edited, read


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def calls_of(monkeypatch, module, name: str) -> list:
    """A list that grows by one at each call of ``module.name`` (which still runs)."""
    calls = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


def analyses(monkeypatch) -> list:
    return calls_of(monkeypatch, import_plan, "analyse")


def test_commit_right_after_preview_does_not_check_the_rows_again(app, monkeypatch):
    clerk = user_by_username("xa.vinhmy")
    calls = analyses(monkeypatch)
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    result = imports.commit(clerk, p.batch_id)
    assert len(calls) == 1 and result["created"] == 340
    assert count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 340
    events = db.session.execute(select(AuditEvent).where(AuditEvent.action == "import_create")).scalars().all()
    assert len(events) == 340 and {e.user_id for e in events} == {clerk.id}
    row11 = by_id("089077105153")  # row 11: Agribank 1164963643329, written in bulk with its audit entry
    assert (row11.active_account.account_number, row11.active_account.holder_name) == ("1164963643329", "BUI NGOC VU")
    assert row11.name_fold and row11.status == "active"
    event = next(e for e in events if e.object_id == row11.id)
    assert event.after["Tài khoản"] == "VBA 1164963643329" and "(dòng 11)" in event.summary
    assert count(PaymentAccount) == result["accounts"]


def test_a_change_between_preview_and_commit_is_seen(app, monkeypatch):
    clerk = user_by_username("xa.vinhmy")
    first = imports.preview(clerk, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    imports.commit(clerk, first.batch_id)
    calls = analyses(monkeypatch)
    p = imports.preview(clerk, VINH_MY, "ds2.xlsx", edited(VINH_MY_FILE, {"F9": "0911222333"}))
    person = by_id("089218589283")
    update_beneficiary(clerk, person, form_data(person) | {"note": "Đã xác minh"})  # written after the preview
    result = imports.commit(clerk, p.batch_id)
    assert len(calls) == 2  # analysed again: the register changed
    assert result["updated"] == 1 and by_id("089218589283").phone == "0911222333"
    assert by_id("089218589283").note == "Đã xác minh"


def other_process():
    """What a commit in another process (a background job) starts from: no analysis or sheet kept in memory."""
    imports.forget_kept()


def cell_reads(monkeypatch) -> list:
    return calls_of(monkeypatch, import_rows, "_read_sheet")


def test_commit_in_another_process_uses_the_sheet_kept_with_the_batch(app, monkeypatch):
    clerk = user_by_username("xa.vinhmy")
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    batch = db.session.get(ImportBatch, p.batch_id)
    assert batch.summary["parsed"]
    other_process()
    reads = cell_reads(monkeypatch)
    result = imports.commit(clerk, p.batch_id)
    assert reads == [] and result["created"] == 340  # every row checked again, no cell read again
    row11 = by_id("089077105153")
    assert (row11.full_name, row11.active_account.account_number) == ("Bùi Ngọc Vũ", "1164963643329")
    assert "parsed" not in batch.summary and batch.summary["result"]["created"] == 340


def test_commit_in_another_process_sees_a_person_registered_meanwhile(app, monkeypatch):
    clerk = user_by_username("xa.vinhmy")
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    person = import_rows.read_sheet(read(VINH_MY_FILE)).rows[2]
    make_beneficiary("Người Khác", commune_code=TAN_LOI, birth_year=1977,
                     national_id=person.national_id)  # registered in Tân Lợi after the preview
    other_process()
    reads = cell_reads(monkeypatch)
    with pytest.raises(PortalError, match=f"Dòng {person.row_number}: Số định danh {person.national_id} đã được "
                                          "đăng ký hưởng trợ cấp tại"):
        imports.commit(clerk, p.batch_id)
    assert reads == [] and count(Beneficiary, Beneficiary.commune_code == VINH_MY) == 0


def test_a_sheet_kept_under_other_look_ups_is_read_again(app, monkeypatch):
    clerk = user_by_username("xa.vinhmy")
    p = imports.preview(clerk, VINH_MY, "ds.xlsx", read(VINH_MY_FILE))
    db.session.add(CategorySynonym(text="Cao tuổi đặc biệt", text_fold="cao tuoi dac biet", category_code="K5c"))
    db.session.flush()
    other_process()
    reads = cell_reads(monkeypatch)
    assert imports.commit(clerk, p.batch_id)["created"] == 340
    assert reads == [1]
