"""Identity helpers: names, sort key, personal ID numbers, phones, bank names, legacy encodings (reference §4, §6)."""
import sqlite3
import unicodedata
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from portal.errors import ValidationError
from portal.services.registry.identity import (
    PROVINCE_CODES,
    PROVINCE_NAMES,
    NationalIdResult,
    ascii_upper,
    fold,
    name_sort_key,
    names_match_bank,
    national_id_warnings,
    nfc,
    normalize_national_id,
    parse_national_id,
    phone_normalize,
)
from portal.spreadsheets.legacy import detect_legacy_encoding

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("2024-07_*.xlsx"))
TODAY = date(2026, 11, 29)


def _sample_names() -> list[str]:
    """Column B ("Họ và tên") of the people rows (STT is an int) of both commune lists."""
    assert len(SAMPLES) == 2, "the two commune sample lists ship in samples/"
    names = []
    for path in SAMPLES:
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        names += [row[1] for row in sheet.iter_rows(min_row=9, values_only=True) if isinstance(row[0], int)]
    return names


# Test-only encoders reproducing what legacy fonts leave behind when their text is pasted as Unicode.
_TCVN3 = dict(zip("àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵĂÂĐÊÔƠƯ",
                  "µ¸¶·¹¨»¾¼½Æ©ÇÊÈÉË®ÌÐÎÏÑªÒÕÓÔÖ×ÝØÜÞßãáâä«åèæçé¬êíëìîïóñòô\xadõøö÷ùúýûüþ¡¢§£¤¥¦", strict=False))
_TONES = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")  # none sắc huyền hỏi ngã nặng
_VNI = {"tone": dict(zip(_TONES, ["", *"ùøûõï"], strict=False)), "\u0302": dict(zip(_TONES, "âáàåãä", strict=False)),
        "\u0306": dict(zip(_TONES, "êéèúüë", strict=False)), "i": dict(zip(_TONES, "iíìæóò", strict=False))}


def to_tcvn3(text: str) -> str:
    return "".join(_TCVN3.get(c) or _TCVN3.get(c.lower(), c) for c in text)  # capitals: the .VnTimeH glyphs


def to_vni(text: str) -> str:
    out = []
    for c in unicodedata.normalize("NFC", text):
        low = c.lower()
        base, *marks = unicodedata.normalize("NFD", low)
        tone = next((m for m in marks if m in _TONES), "")
        if low == "đ":
            code = "ñ"
        elif c.isascii() or not c.isalpha():
            code = low
        elif "\u0302" in marks or "\u0306" in marks:
            code = base + _VNI["\u0302" if "\u0302" in marks else "\u0306"][tone]
        elif "\u031b" in marks:
            code = {"o": "ô", "u": "ö"}[base] + _VNI["tone"][tone]
        elif base == "i" or (base == "y" and tone == "\u0323"):
            code = _VNI["i"][tone] if base == "i" else "î"
        else:
            code = base + _VNI["tone"][tone]
        out.append(code.upper() if c != low else code)
    return "".join(out)


def test_encoders_reproduce_the_reference_examples():
    assert to_tcvn3("Nguyễn") == "NguyÔn" and to_vni("Nguyễn") == "Nguyeãn"
    assert to_vni("Xin chào các bạn") == "Xin chaøo caùc baïn" and to_vni("ĐỖ VĂN ĐỨC") == "ÑOÃ VAÊN ÑÖÙC"


# --- nfc / fold ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    (None, ""), ("", ""), ("  Huỳnh  Thanh Tài ", "Huỳnh Thanh Tài"), ("\ufeffLê\u200b Thị", "Lê Thị"),
    ("Nguye\u0302\u0303n\u00a0Văn\tA\n", "Nguyễn Văn A"), ("Ho\u0300a", "Hòa"),
])
def test_nfc(raw, expected):
    assert nfc(raw) == expected
    assert unicodedata.is_normalized("NFC", nfc(raw))


def test_nfc_rejects_non_text():
    with pytest.raises(TypeError):
        nfc(123)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Hoà", "hoa"), ("Hòa", "hoa"), ("HOA", "hoa"), ("Nguyễn", "nguyen"), ("Nguye\u0302\u0303n", "nguyen"),
    ("  ĐỖ  Văn Đức ", "do van duc"), ("Ðặng", "dang"), ("Thuý", "thuy"), ("Thúy", "thuy"), ("KHOẺ", "khoe"),
    ("Trương Thị Ưng", "truong thi ung"), (None, ""),
])
def test_fold(raw, expected):
    assert fold(raw) == expected


def test_fold_of_nfd_equals_fold_of_nfc_for_every_sample_name():
    names = _sample_names()
    assert len(names) == 550
    assert any(not unicodedata.is_normalized("NFC", n) for n in names)  # the files do contain NFD names
    for name in names:
        assert fold(unicodedata.normalize("NFD", name)) == fold(unicodedata.normalize("NFC", name)) == fold(name)
        assert fold(name).isascii() and "  " not in fold(name)


# --- name_sort_key -------------------------------------------------------------------------------------------------
def test_sort_by_given_name_with_vietnamese_letter_order():
    names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Ánh", "Đỗ Văn Đức", "Phạm Văn Dũng", "Võ Thị Ân"]
    # Letters first (a < ă < â, d < đ), tone only breaks ties: "Ánh" (a-n-h) sorts before "Ân" (â-n).
    assert sorted(names, key=name_sort_key) == [
        "Nguyễn Thị An", "Lê Ánh", "Võ Thị Ân", "Trần Văn Bình", "Phạm Văn Dũng", "Đỗ Văn Đức"]


def test_ties_on_given_name_sort_by_family_then_middle_name():
    names = ["Trần Thị An", "Nguyễn Văn An", "Lê An", "Nguyễn Thị An", "Đặng An", "Dương An"]
    assert sorted(names, key=name_sort_key) == [
        "Dương An", "Đặng An", "Lê An", "Nguyễn Thị An", "Nguyễn Văn An", "Trần Thị An"]


@pytest.mark.parametrize("ordered", [
    ["Lê Ma", "Lê Mà", "Lê Mả", "Lê Mã", "Lê Má", "Lê Mạ", "Lê Mai"],  # tone order, then longer word
    ["Lê A", "Lê Ă", "Lê Â", "Lê B", "Lê Đ", "Lê E", "Lê Ê", "Lê O", "Lê Ô", "Lê Ơ", "Lê P", "Lê U", "Lê Ư", "Lê V"],
    ["Lê Anh", "Lê Ánh", "Lê Ăn", "Lê Ân", "Lê Ấn", "Lê Út", "Lê Ưng", "Lê Y", "Lê Yến"],
    ["Chau Sane Rết", "Néang Thi Sơn", "Néang Pha Thy"],
])
def test_sort_orders(ordered):
    assert sorted(reversed(ordered), key=name_sort_key) == ordered
    assert sorted(ordered, key=name_sort_key) == ordered


def test_sort_key_is_stable_under_spelling_variants_and_plain_digits():
    assert name_sort_key("Lê Ánh") == "203731040352800"
    assert name_sort_key("Võ Thị Hoà") == name_sort_key("Võ Thị Hòa") == name_sort_key(" VÕ  THỊ HÒA ")
    assert name_sort_key("Nguye\u0302\u0303n Thuý") == name_sort_key("Nguyễn Thúy")
    assert name_sort_key("Lê Thuỷ") != name_sort_key("Lê Thủ")
    assert name_sort_key("") == name_sort_key(None) == ""
    assert name_sort_key("Nguyễn Văn A").isdigit()


def test_sort_key_orders_the_same_in_sqlite_as_in_python():
    names = [nfc(n) for n in _sample_names()]
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE person (name TEXT, sort_key TEXT)")
    con.executemany("INSERT INTO person VALUES (?, ?)", [(n, name_sort_key(n)) for n in names])
    in_db = [row[0] for row in con.execute("SELECT name FROM person ORDER BY sort_key, name")]
    assert in_db == sorted(names, key=lambda n: (name_sort_key(n), n))
    keys = [name_sort_key(n) for n in in_db]
    assert all(k.isdigit() and k.isascii() for k in keys)


# --- national ID ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "value", "padded"), [
    ("089218589283", "089218589283", False),
    (" 089 218 589 283 ", "089218589283", False),
    ("089.218.589.283", "089218589283", False),
    ("089-218-589283", "089218589283", False),
    ("'089218589283", "089218589283", False),
    (89077105153, "089077105153", True),
    (1234567890, "001234567890", True),
    (89077105153.0, "089077105153", True),
    (Decimal("89077105153"), "089077105153", True),
    ("089077105153.0", "089077105153", False),
    (891234567890, "891234567890", False),
])
def test_parse_national_id(raw, value, padded):
    assert parse_national_id(raw) == NationalIdResult(value, padded)
    assert normalize_national_id(raw) == value


@pytest.mark.parametrize("raw", [
    "0890771051", "08907710515300", "8.9077105153E+10", "0891234567.0", "08921858928A", 123456789, 12345,
    89077105153.5, float("nan"), -89077105153, True, ["089218589283"], "",
])
def test_parse_national_id_rejects(raw):
    with pytest.raises(ValidationError):
        normalize_national_id(raw)


@pytest.mark.parametrize("raw", ["89077105153", "08907710515", "8907710515", "89.077.105.153", "89077105153.0",
                                 "0890771051.0"])
def test_text_of_10_or_11_digits_is_refused_not_padded_because_only_a_number_cell_surely_lost_a_leading_zero(raw):
    # A typed or text-cell ID of 11 digits may miss any digit ("08907710515" is "089077105153" without its last 3):
    # padding it would register a wrong person. Only int/float spreadsheet cells are padded (pitfall 1).
    with pytest.raises(ValidationError, match=r"phải gồm đúng 12 chữ số .*kiểm tra lại, kể cả các số 0 ở đầu"):
        parse_national_id(raw)


def test_national_id_error_messages():
    with pytest.raises(ValidationError, match=r"^Số định danh cá nhân phải gồm đúng 12 chữ số \(đã nhập: 0890771051\)"):
        normalize_national_id("0890771051")
    with pytest.raises(ValidationError, match="CMND"):
        normalize_national_id("123456789")
    with pytest.raises(ValidationError, match="Chưa nhập"):
        normalize_national_id(None)


def test_sample_ids_all_normalise_and_numbers_are_flagged():
    results = []
    for path in SAMPLES:
        sheet = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        results += [(row[4], parse_national_id(row[4])) for row in sheet.iter_rows(min_row=9, values_only=True)
                    if isinstance(row[0], int)]
    assert len(results) == 550
    assert all(r.value.startswith("089") and len(r.value) == 12 for _, r in results)
    assert all(r.padded == isinstance(raw, int) for raw, r in results)


def test_province_codes():
    assert len(PROVINCE_CODES) == 63 and PROVINCE_NAMES["089"] == "An Giang" and PROVINCE_NAMES["091"] == "Kiên Giang"
    assert {"001", "079", "096"} <= PROVINCE_CODES and "003" not in PROVINCE_CODES


@pytest.mark.parametrize(("value", "birth_year", "gender", "expected"), [
    ("089077105153", 1977, "Nam", []),
    ("089177105153", date(1977, 9, 6), "Nữ", []),
    ("089218589283", 2018, "male", []),
    ("089317883939", 2017, "FEMALE", []),
    ("089077105153", None, None, []),
    ("089077105153", 1978, None, ["Năm sinh theo số định danh là 1977, khác năm sinh khai báo (1978)."]),
    ("089077105153", None, "Nu",
     ["Chữ số thứ 4 của số định danh (0) ứng với giới tính Nam, khác giới tính khai báo (Nữ)."]),
    ("089177105153", None, "nam",
     ["Chữ số thứ 4 của số định danh (1) ứng với giới tính Nữ, khác giới tính khai báo (Nam)."]),
    ("003077105153", 1977, "Nam",
     ["Mã tỉnh 003 (3 chữ số đầu) không có trong danh mục 63 tỉnh, thành phố — kiểm tra lại."]),
    ("089277105153", 2077, None, ["Năm sinh suy ra từ số định danh (2077) ở tương lai — kiểm tra chữ số thứ 4–6.",
                                  "Năm sinh khai báo (2077) ở tương lai."]),
])
def test_national_id_warnings(value, birth_year, gender, expected):
    assert national_id_warnings(value, birth_year, gender, today=TODAY) == expected


def test_national_id_warnings_rejects_bad_input():
    with pytest.raises(ValidationError):
        national_id_warnings("89077105153")
    with pytest.raises(ValidationError, match="Giới tính"):
        national_id_warnings("089077105153", gender="khác")


# --- phone ---------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("raw", "expected"), [
    ("0912345678", "0912345678"), ("0912 345 678", "0912345678"), ("0912.345.678", "0912345678"),
    ("0912-345-678", "0912345678"), ("+84 912 345 678", "0912345678"), ("+84 (0) 912 345 678", "0912345678"),
    ("84912345678", "0912345678"), ("0084912345678", "0912345678"), (912345678, "0912345678"),
    (912345678.0, "0912345678"), ("912345678", "0912345678"), (84912345678, "0912345678"),
    ("0328115219", "0328115219"), ("0587654321", "0587654321"), ("0789245637", "0789245637"),
    (None, ""), ("", ""), ("  ", ""), ("-", ""),
])
def test_phone_normalize(raw, expected):
    assert phone_normalize(raw) == expected


@pytest.mark.parametrize("raw", ["0212345678", "02963852123", "091234567", "09123456789", "0123456789", "0912abc678",
                                 12345, 912345678.5, True, -912345678])
def test_phone_normalize_rejects(raw):
    with pytest.raises(ValidationError, match="Số điện thoại"):
        phone_normalize(raw)


# --- bank names ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "expected"), [
    ("Nguyễn Văn A", "NGUYEN VAN A"), ("Đỗ Văn Đức", "DO VAN DUC"), ("  Trương  Thị Ưng ", "TRUONG THI UNG"),
    ("Nguye\u0302\u0303n Thị Hoà", "NGUYEN THI HOA"), ("Néang Thi Sơn", "NEANG THI SON"), (None, ""),
])
def test_ascii_upper(name, expected):
    assert ascii_upper(name) == expected


def test_names_match_bank():
    assert names_match_bank("Nguyễn Văn Đức", "NGUYEN VAN DUC")
    assert names_match_bank("  Huỳnh  Thanh Tài ", "huynh thanh  tai")
    assert not names_match_bank("Nguyễn Văn Đức", "NGUYEN VAN DUNG")
    assert not names_match_bank("", "") and not names_match_bank(None, "NGUYEN VAN A")


# --- legacy encodings ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("NguyÔn", "TCVN3"), ("Lª V¨n §øc", "TCVN3"), ("Tr\xad¬ng ThÞ Hoµ", "TCVN3"), ("C«ng", "TCVN3"),
    ("NGUYÔN KIM óT", "TCVN3"), ("Nguyeãn", "VNI"), ("Ñoã Vaên Ñöùc", "VNI"), ("Leâ Thò Hoaøng", "VNI"),
    ("NGUYEÃN", "VNI"), ("Nguyễn Văn A", None), ("Hoà", None), ("Khoá Đoãn Thuý Quý Xuân Huế", None),
    ("NGUYỄN THỊ HOÀ", None), ("«Nguyễn»", None), ("25°C", None), ("Ðỗ Văn Ðức", None), ("", None), (None, None),
])
def test_detect_legacy_encoding(text, expected):
    assert detect_legacy_encoding(text) == expected


def test_no_false_legacy_detection_on_sample_names():
    names = _sample_names()
    assert [n for n in names if detect_legacy_encoding(n)] == []
    assert [n for n in names if detect_legacy_encoding(unicodedata.normalize("NFD", n))] == []


@pytest.mark.parametrize(("encode", "label"), [(to_tcvn3, "TCVN3"), (to_vni, "VNI")])
def test_sample_names_in_legacy_fonts_are_detected(encode, label):
    names = [nfc(n) for n in _sample_names()]
    for case in (str, str.upper):
        assert detect_legacy_encoding(encode(case("Nguyễn Văn Đức"))) == label
        encoded = [encode(case(n)) for n in names if encode(case(n)) != case(n)]
        found = [detect_legacy_encoding(e) for e in encoded]
        assert found.count(label) >= 0.95 * len(encoded)  # the rest look like valid Unicode (VNI "Hoà Thò" = Hồ Thị)
        assert found.count(label) + found.count(None) >= 0.98 * len(encoded)  # wrong label: TCVN3 "YÕN" ~ VNI "Ỹ"
