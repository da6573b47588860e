"""The commune's change form: moving a disabled person (K6) to another category clears the disability level — the
blank level is applied, not dropped — and the recorded change keeps the values before and after."""
from datetime import date

from sqlalchemy import select

from portal.extensions import db
from portal.models import RegistryEvent
from tests.conftest import pinned_clock
from tests.factories import make_beneficiary

pytestmark = pinned_clock


def test_k6_to_k8_through_the_form_clears_the_level(client):
    b = make_beneficiary("Ngô Văn Đổi", birth_date=date(1975, 1, 10), category_code="K6", disability_level="severe",
                         start_month=date(2024, 1, 1))
    db.session.commit()
    client.login("xa.vinhmy")
    url = f"/xa/doi-tuong/{b.id}/bien-dong?thang=2026-12"
    resp = client.post(url, {"kind": "adjust", "effective_month": "01/2027", "decision_number": "5/QĐ-UBND",
                             "category_code": "K8", "disability_level": "", "children_count": ""})
    assert resp.status_code == 302
    (event,) = db.session.execute(select(RegistryEvent).where(RegistryEvent.beneficiary_id == b.id)).scalars()
    assert event.details == {"category_code": "K8", "disability_level": None}
    page = client.get("/xa/bien-dong?thang=2026-12").get_data(as_text=True)
    assert "Diện K8 Bỏ mức độ khuyết tật" in page
