"""Amounts in words (số tiền bằng chữ), accounting style — domain reference §6, pitfalls item 12."""
from decimal import Decimal

import pytest

from portal.errors import ValidationError
from portal.formatting import MAX_AMOUNT, amount_in_words


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (1, "Một đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (11, "Mười một đồng"),
        (14, "Mười bốn đồng"),
        (15, "Mười lăm đồng"),
        (20, "Hai mươi đồng"),
        (21, "Hai mươi mốt đồng"),
        (24, "Hai mươi bốn đồng"),
        (25, "Hai mươi lăm đồng"),
        (55, "Năm mươi lăm đồng"),
        (91, "Chín mươi mốt đồng"),
        (100, "Một trăm đồng"),
        (101, "Một trăm linh một đồng"),
        (105, "Một trăm linh năm đồng"),
        (110, "Một trăm mười đồng"),
        (111, "Một trăm mười một đồng"),
        (115, "Một trăm mười lăm đồng"),
        (121, "Một trăm hai mươi mốt đồng"),
        (1000, "Một nghìn đồng"),
        (1004, "Một nghìn không trăm linh bốn đồng"),
        (1010, "Một nghìn không trăm mười đồng"),
        (1015, "Một nghìn không trăm mười lăm đồng"),
        (2021, "Hai nghìn không trăm hai mươi mốt đồng"),
        (2_024, "Hai nghìn không trăm hai mươi bốn đồng"),
        (5_000, "Năm nghìn đồng"),
        (15_000, "Mười lăm nghìn đồng"),
        (21_000, "Hai mươi mốt nghìn đồng"),
        (105_000, "Một trăm linh năm nghìn đồng"),
        (360_000, "Ba trăm sáu mươi nghìn đồng"),
        (540_000, "Năm trăm bốn mươi nghìn đồng"),
        (750_000, "Bảy trăm năm mươi nghìn đồng"),
        (1_000_000, "Một triệu đồng"),
        (1_050_000, "Một triệu không trăm năm mươi nghìn đồng"),
        (1_005_000, "Một triệu không trăm linh năm nghìn đồng"),
        (1_000_500, "Một triệu năm trăm đồng"),
        (1_000_001, "Một triệu không trăm linh một đồng"),
        (2_430_000, "Hai triệu bốn trăm ba mươi nghìn đồng"),
        (21_000_000, "Hai mươi mốt triệu đồng"),
        (143_000_000, "Một trăm bốn mươi ba triệu đồng"),
        (240_000_000, "Hai trăm bốn mươi triệu đồng"),
        (500_000_000, "Năm trăm triệu đồng"),
        (1_000_000_000, "Một tỷ đồng"),
        (1_234_567_890, "Một tỷ hai trăm ba mươi bốn triệu năm trăm sáu mươi bảy nghìn tám trăm chín mươi đồng"),
        (1_000_000_001, "Một tỷ không trăm linh một đồng"),
        (1_000_050_000, "Một tỷ không trăm năm mươi nghìn đồng"),
        (1_200_000_000, "Một tỷ hai trăm triệu đồng"),
        (10**12, "Một nghìn tỷ đồng"),
        (1_000_001_000_000, "Một nghìn tỷ không trăm linh một triệu đồng"),
        (10**15, "Một triệu tỷ đồng"),
        (
            123_456_789_012_345,
            "Một trăm hai mươi ba nghìn bốn trăm năm mươi sáu tỷ bảy trăm tám mươi chín triệu "
            "không trăm mười hai nghìn ba trăm bốn mươi lăm đồng",
        ),
    ],
)
def test_amount_in_words(amount, words):
    assert amount_in_words(amount) == words


def test_largest_amount_and_no_tu_or_ngan():
    words = amount_in_words(MAX_AMOUNT)
    assert words.startswith("Chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn")
    assert words.endswith("chín trăm chín mươi chín đồng")
    for amount in (24, 1_234_567_894, 10**15 + 444):
        text = amount_in_words(amount)
        assert " tư " not in f" {text} " and "ngàn" not in text and "lẻ" not in text


@pytest.mark.parametrize(
    "amount", [-1, -1_000_000, 1.0, 1_050_000.0, Decimal("1000"), "1000", None, True, MAX_AMOUNT + 1]
)
def test_rejects_negative_non_integer_and_too_large(amount):
    with pytest.raises(ValidationError) as info:
        amount_in_words(amount)
    assert "Số tiền" in str(info.value)
