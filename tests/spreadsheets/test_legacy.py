"""Legacy font encodings (TCVN3 / VNI Windows) → Unicode: tables, round trips, detection + conversion of a cell,
header labels, total rows and signature blocks typed with a legacy font (pitfalls §Spreadsheets item 7)."""
import unicodedata
from pathlib import Path

import openpyxl
import pytest

from portal.spreadsheets.header import _label_keys
from portal.spreadsheets.legacy import (
    TCVN3_DECODE,
    decode_tcvn3,
    decode_vni,
    encode_tcvn3,
    encode_vni,
    fix_legacy,
    implausible,
)
from portal.spreadsheets.rows import _is_signature_row, _is_total_label

SAMPLES = sorted((Path(__file__).resolve().parents[2] / "samples").glob("2024-07_*.xlsx"))
#: the 89 lower-case Vietnamese letters (22 ASCII, 67 with a tone or a modifier, đ included)
LOWER = "aàáảãạăằắẳẵặâầấẩẫậbcdđeèéẻẽẹêềếểễệghiìíỉĩịklmnoòóỏõọôồốổỗộơờớởỡợpqrstuùúủũụưừứửữựvxyỳýỷỹỵ"


def _sample_names() -> list[str]:
    assert len(SAMPLES) == 2, "the two commune sample lists ship in samples/"
    names = []
    for path in SAMPLES:
        ws = openpyxl.load_workbook(path, read_only=True).worksheets[0]
        names += [unicodedata.normalize("NFC", " ".join(r[1].split()))
                  for r in ws.iter_rows(min_row=9, values_only=True) if isinstance(r[0], int)]
    return names


@pytest.mark.parametrize(("unicode", "tcvn3", "vni"), [
    ("Nguyễn Văn Đức", "NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"),
    ("ĐỖ VĂN ĐỨC", "§ç V¡N §øC", "ÑOÃ VAÊN ÑÖÙC"),
    ("Trương Thị Hoà", "Tr\xad¬ng ThÞ Hoµ", "Tröông Thò Hoaø"),
    ("Người lập biểu", "Ng\xadêi lËp biÓu", "Ngöôøi laäp bieåu"),
    ("Tổng cộng", "Tæng céng", "Toång coäng"),
])
def test_reference_examples(unicode, tcvn3, vni):
    assert encode_tcvn3(unicode) == tcvn3 and encode_vni(unicode) == vni
    assert decode_tcvn3(tcvn3) == unicode and decode_vni(vni) == unicode


def test_every_vietnamese_letter_round_trips():
    assert len(LOWER) == 89 and len(set(LOWER)) == 89
    for ch in LOWER:
        for text in (ch, f"x{ch}x", f"X{ch}X".upper(), f"ab {ch}n", f"Ab {ch.upper()}n"):
            assert decode_vni(encode_vni(text)) == text, text
            assert decode_tcvn3(encode_tcvn3(text)) == text, text
        assert decode_vni(encode_vni(ch.upper())) == ch.upper()  # VNI carries case in its bytes
    assert len(TCVN3_DECODE) == 67 + 7  # every non-ASCII lower-case letter, and Ă Â Đ Ê Ô Ơ Ư
    assert len({encode_vni(ch) for ch in LOWER}) == len({encode_tcvn3(ch) for ch in LOWER}) == 89  # one code each


def test_nfd_input_is_encoded_like_nfc():
    text = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    assert encode_tcvn3(text) == encode_tcvn3("Nguyễn Thị Ánh") and encode_vni(text) == encode_vni("Nguyễn Thị Ánh")


@pytest.mark.parametrize("case", [str, str.upper, str.title])
def test_every_sample_name_round_trips(case):
    names = _sample_names()
    assert len(names) == 550
    for name in map(case, names):
        assert decode_vni(encode_vni(name)) == name
        assert decode_tcvn3(encode_tcvn3(name)) == name


@pytest.mark.parametrize(("encode", "label"), [(encode_tcvn3, "TCVN3"), (encode_vni, "VNI")])
def test_every_converted_sample_name_is_plausible(encode, label):
    for name in _sample_names():
        encoded = encode(name)
        fix = fix_legacy(encoded, assume=label)
        assert fix is None or (fix.after, fix.doubtful) == (name, False), name
    assert implausible("Nguyễn Vaờn ẹửực") and implausible("Hêân") and implausible("NguyƠn")
    assert not implausible("Trương Người Khuyến")


def test_tcvn3_title_case_restores_a_capital_toned_initial():
    assert decode_tcvn3(encode_tcvn3("Ấu Thị Ánh")) == "Ấu Thị Ánh"  # TCVN3 has no code for a capital "Ấ"
    assert decode_tcvn3(encode_tcvn3("ẤU THỊ ÁNH")) == "ẤU THỊ ÁNH"


@pytest.mark.parametrize(("text", "encoding", "after"), [
    ("NguyÔn V¨n §øc", "TCVN3", "Nguyễn Văn Đức"),
    ("Nguyeãn Vaên Ñöùc", "VNI", "Nguyễn Văn Đức"),
    (encode_tcvn3("Người cao tuổi hộ nghèo"), "TCVN3", "Người cao tuổi hộ nghèo"),
    (encode_vni("Khóm Mỹ Thới 2"), "VNI", "Khóm Mỹ Thới 2"),
])
def test_fix_legacy_detects_and_converts(text, encoding, after):
    fix = fix_legacy(text)
    assert fix is not None and (fix.encoding, fix.before, fix.after, fix.doubtful) == (encoding, text, after, False)


@pytest.mark.parametrize("text", ["Nguyễn Văn Đức", "Chau Sane Rết", "Néang Sóc Khol", "", None, "0822881621"])
def test_unicode_text_is_left_alone(text):
    assert fix_legacy(text) is None


def test_an_undecided_cell_takes_the_files_encoding_only_when_pure_latin1():
    assert fix_legacy("Hoà") is None  # valid Unicode on its own, though VNI "Hoà" is "Hồ"
    assert fix_legacy("Hoà", assume="VNI").after == "Hồ"
    assert fix_legacy("Nguyễn Hoà", assume="VNI") is None  # has a letter outside Latin-1: real Unicode


def test_legacy_header_labels_match():
    assert "ho va ten" in _label_keys(encode_tcvn3("Họ và tên"))
    assert "ho va ten" in _label_keys(encode_vni("Họ và tên"))
    assert "so dinh danh ca nhan" in _label_keys(encode_vni("Số định danh cá nhân"))
    assert "dien doi tuong" in _label_keys(encode_tcvn3("Diện đối tượng"))


@pytest.mark.parametrize("encode", [encode_tcvn3, encode_vni])
def test_legacy_total_row_and_signature_block_are_recognised(encode):
    assert _is_total_label(decode_tcvn3(encode("Tổng cộng"))) or _is_total_label(decode_vni(encode("Tổng cộng")))
    assert _is_signature_row([encode("Người lập biểu")])
    assert _is_signature_row([encode("TM. ỦY BAN NHÂN DÂN")])
    assert _is_signature_row([encode("Vĩnh Mỹ, ngày 25 tháng 7 năm 2024")])
