"""Payout-list PDF: amounts never wrap mid-number; the issuing body breaks only between phrases (the list engine:
list_text.py, list_grid.py)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from io import BytesIO

import pdfplumber

from portal.documents import list_grid, list_pdf, list_text
from portal.documents import payout_list as pl
from tests.documents.test_payout_list_pdf import make_doc, make_lines


def _text_lines(pdf: bytes) -> list[str]:
    with pdfplumber.open(BytesIO(pdf)) as doc:
        return [line for page in doc.pages for line in (page.extract_text() or "").splitlines()]


def test_big_amounts_stay_on_one_line_and_the_unit_name_is_not_split():
    lines = make_lines(3)
    lines[1] = replace(lines[1], amount=35_500_000, back_pay=1_976_850_000, total=2_012_350_000)
    doc = replace(make_doc(lines=lines), issuer_parent="ỦY BAN NHÂN DÂN TỈNH AN GIANG",
                  issuer="SỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI TỈNH AN GIANG")
    text = _text_lines(pl.render_payout_list(doc))
    joined = "\n".join(text)
    for amount in ("35.500.000", "1.976.850.000", "2.012.350.000"):
        assert any(amount in line for line in text), amount
    grand = sum(x.total for x in lines)
    assert f"{grand:,}".replace(",", ".") in joined  # the totals row (bold) too
    assert "35.500." not in joined.replace("35.500.000", "")
    assert any("TỈNH AN GIANG" in line for line in text)
    assert "THƯƠNG BINH VÀ XÃ HỘI" in joined
    assert not any(line.rstrip().endswith(("TỈNH AN", "THƯƠNG")) for line in text)


def test_wrap_phrases_breaks_between_unit_phrases_only():
    list_text.register_fonts()
    narrow = list_text.width("ỦY BAN NHÂN DÂN TỈNH", list_text.BOLD, 12.5)
    assert list_text.wrap_phrases("ỦY BAN NHÂN DÂN TỈNH AN GIANG", list_text.BOLD, 12.5, narrow) == [
        "ỦY BAN NHÂN DÂN", "TỈNH AN GIANG"]
    assert list_text.wrap_phrases("PHÒNG LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI THỊ XÃ TÂN CHÂU", list_text.BOLD, 12.5,
                                 narrow * 1.3) == ["PHÒNG LAO ĐỘNG -", "THƯƠNG BINH VÀ XÃ HỘI", "THỊ XÃ TÂN CHÂU"]


def test_a_number_wider_than_its_column_is_shrunk_not_wrapped():
    list_text.register_fonts()
    spec = list_pdf.ListSpec(issuer_parent="", issuer="UBND XÃ VĨNH MỸ", place="Châu Đốc",
                             issued_on=dt.date(2024, 8, 5),
                             columns=[list_grid.Column("Tên", 97), list_grid.Column("Tiền", 3, "RIGHT")])
    grid = list_grid.Grid(spec.columns, spec.min_row_height)
    (font, size), placed, count = grid.cell("2.476.850.000", 1)
    assert count == 1 and [p[0] for p in placed] == ["2.476.850.000"] and size < list_text.BODY_SIZE
    assert grid.cell("Nguyễn Văn A", 0)[0] == list_text.REGULAR  # ordinary text unchanged
