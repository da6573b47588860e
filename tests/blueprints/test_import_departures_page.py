"""The preview page of a spreadsheet naming a death: a plain form (no JavaScript) where the clerk decides the row;
a confirmation without a decision comes back (422) with the message and what was typed, nothing imported."""
import io

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Beneficiary, RegistryEvent
from tests.conftest import pinned_clock
from tests.services.commune_sheets import build, first_data_row, person

pytestmark = pinned_clock
ROW = first_data_row()


@pytest.fixture
def clerk(client):
    return client.login("xa.vinhmy")


def test_the_clerk_decides_a_death_row_on_the_preview_page(clerk):
    sheet = build([person(1, **{"Ghi chú": "Đã chết 6/2024"}), person(2)])
    resp = clerk.post("/xa/nhap", data={"file": (io.BytesIO(sheet), "ds.xlsx")}, content_type="multipart/form-data")
    page = clerk.get(resp.headers["Location"]).get_data(as_text=True)
    batch_id = int(resp.headers["Location"].split("/")[-1])
    assert "Đối tượng chết / chuyển đi / thôi hưởng ghi trong tệp (1)" in page
    assert f'name="d-{ROW}-action" value="record"' in page and f'name="d-{ROW}-month"' in page
    assert 'value="06/2024"' in page  # the month read from the note, ready to confirm
    # confirmed without choosing: refused, the page comes back with what was typed
    resp = clerk.post(f"/xa/nhap/{batch_id}/xac-nhan", {"batch_id": batch_id, f"d-{ROW}-month": "05/2024"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and f"Dòng {ROW} (chết: «Đã chết 6/2024»)" in html
    assert 'value="05/2024"' in html
    assert db.session.execute(select(func.count()).select_from(Beneficiary)).scalar_one() == 0
    decided = {f"d-{ROW}-action": "record", f"d-{ROW}-month": "06/2024", f"d-{ROW}-event_date": "20/06/2024"}
    resp = clerk.post(f"/xa/nhap/{batch_id}/xac-nhan", {"batch_id": batch_id, **decided})
    assert resp.status_code == 302
    assert "1 biến động chết / thôi hưởng ghi theo tệp" in clerk.get(resp.headers["Location"]).get_data(as_text=True)
    (event,) = db.session.execute(select(RegistryEvent)).scalars()
    assert (event.kind, event.event_date.isoformat(), event.effective_month.isoformat()) == (
        "death", "2024-06-20", "2024-07-01")
