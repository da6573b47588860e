"""Property-based test of the commune import through the web pages (hypothesis): whatever a spreadsheet holds — IDs
as numbers, floats or broken text, dates in any shape, formulas without values, legacy-font text, formula-like names,
unknown categories, duplicate IDs — the upload, the preview and the confirmation never answer 5xx, and a confirmation
either writes every row of the file or nothing at all."""
import io
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEvent, Beneficiary, ImportBatch
from portal.spreadsheets.legacy import encode_tcvn3, encode_vni
from tests.services.commune_sheets import HEADER, build, first_data_row, national_id, person

COLUMN = {h: i for i, h in enumerate(HEADER)}
NAMES = ["Nguyễn Văn Đức", "Trương Thị Hoà", "Chau Sane Rết", "Néang Sóc Khol", "Lê  Thị\u00a0Ánh",
         "Nguye\u0302\u0303n Văn A"]
texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=25)
names = st.one_of(st.sampled_from(NAMES), st.sampled_from(NAMES).map(encode_tcvn3),
                  st.sampled_from(NAMES).map(encode_vni), texts, st.just("=HYPERLINK(\"http://x\")"), st.none())
births = st.one_of(st.datetimes(datetime(1899, 12, 31), datetime(2030, 1, 1)), st.integers(-5, 3000),
                   st.floats(allow_nan=True, allow_infinity=False),
                   st.from_regex(r"\d{1,2}/\d{1,2}/\d{2,4}", fullmatch=True), texts, st.none())
ids = st.one_of(st.integers(0, 10 ** 13), st.floats(0, 1e13), st.from_regex(r"'?0?89\d{6,10}", fullmatch=True),
                st.integers(1, 40).map(national_id), texts, st.none())
categories = st.one_of(st.sampled_from(["Người từ đủ 80 tuổi trở lên không có lương hưu", "K1", "Người khuyết tật nặng",
                                        "Trẻ em mồ côi", "Người đơn thân nghèo đang nuôi con"]), texts, st.none())
months = st.one_of(st.sampled_from(["03/2021", "2024-07", "T7/2024", "13/2024"]), st.dates(date(1900, 1, 1)),
                   st.integers(0, 300000), texts, st.none())
amounts = st.one_of(st.integers(-10 ** 9, 10 ** 9), st.floats(allow_nan=False), st.sampled_from(["1.250.000", "5,5"]),
                    texts, st.none())
channels = st.one_of(st.sampled_from(["Tài khoản", "Tiền mặt tại nhà", "Tiền mặt tại điểm chi trả", "Ví điện tử"]),
                     texts, st.none())
accounts = st.one_of(st.from_regex(r"\d{4,20}", fullmatch=True), st.integers(0, 10 ** 14), texts, st.none())
CELLS = {"Họ và tên": names, "Ngày sinh": births, "Số CCCD": ids, "Diện đối tượng": categories,
         "Hưởng từ tháng": months, "Mức trợ cấp (đồng)": amounts, "Hình thức nhận": channels,
         "Ngân hàng": st.sampled_from(["Agribank", "VietinBank", "Ngân hàng X", None]), "Số tài khoản": accounts,
         "Hệ số": st.one_of(st.sampled_from([1, 1.5, 2.5, "1,5"]), texts, st.none())}


@st.composite
def sheets(draw):
    """(xlsx bytes, number of people rows) of a commune list with hostile cells in some rows."""
    count = draw(st.integers(1, 5))
    rows = []
    for i in range(1, count + 1):
        changes = draw(st.dictionaries(st.sampled_from(sorted(CELLS)), st.none(), max_size=3))
        rows.append(person(i, **{k: draw(CELLS[k]) for k in changes}))
    two_rows = draw(st.booleans())
    formulas = {}
    if draw(st.booleans()):  # a formula without a cached value somewhere in the people rows
        col = draw(st.sampled_from("BCEHJL"))
        formulas[f"{col}{first_data_row(two_row_header=two_rows) + draw(st.integers(0, count - 1))}"] = "=1+1"
    return build(rows, formulas=formulas, total=draw(st.booleans()), two_row_header=two_rows), count


def count(model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


@pytest.fixture
def clerk_client(client):
    client.login("xa.vinhmy")
    return client


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(sheet=sheets())
def test_any_sheet_never_errors_and_never_half_imports(clerk_client, sheet):
    content, _rows = sheet
    client = clerk_client
    before = (count(Beneficiary), count(AuditEvent, AuditEvent.action.in_(("import_create", "import_update"))))
    resp = client.post("/xa/nhap", data={"file": (io.BytesIO(content), "ds.xlsx")}, content_type="multipart/form-data")
    assert resp.status_code in (302, 422), resp.status_code
    event(f"upload {resp.status_code}")
    if resp.status_code == 422:  # a file-level problem: said on the page, nothing stored
        assert count(Beneficiary) == before[0]
        return
    url = resp.headers["Location"]
    batch_id = int(url.rstrip("/").split("/")[-1])
    page = client.get(url)
    assert page.status_code == 200
    assert client.get(f"{url}/loi.xlsx").status_code in (200, 302)
    resp = client.post(f"{url}/xac-nhan")
    assert resp.status_code == 302
    batch = db.session.get(ImportBatch, batch_id)
    event(f"batch {batch.status}")
    after = (count(Beneficiary), count(AuditEvent, AuditEvent.action.in_(("import_create", "import_update"))))
    if batch.status == "committed":
        result = batch.summary["result"]
        assert after[0] == before[0] + result["created"]
        assert after[1] == before[1] + result["created"] + result["updated"]
        assert result["created"] + result["updated"] + result["unchanged"] == result["rows"]
    else:
        assert batch.status == "previewed" and after == before  # refused: not one row written
