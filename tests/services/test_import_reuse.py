"""The commit of a beneficiary import reuses its preview's analysis only while nothing changed in between, and writes
new people, their accounts and their audit entries in bulk."""
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Beneficiary, PaymentAccount
from portal.services.demo import user_by_username
from portal.services.imports import beneficiaries as imports
from portal.services.imports import plan as import_plan
from portal.services.registry.beneficiaries import form_data, update_beneficiary
from tests.conftest import VINH_MY_FILE
from tests.services.test_imports import VINH_MY, by_id, edited, read


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def analyses(monkeypatch) -> list:
    calls = []
    real = import_plan.analyse
    monkeypatch.setattr(import_plan, "analyse", lambda *a, **k: calls.append(1) or real(*a, **k))
    return calls


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
