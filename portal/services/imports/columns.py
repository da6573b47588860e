"""The layout of a commune's beneficiary spreadsheet (mẫu danh sách đối tượng của xã): which columns are looked for
(several wordings per header, ``spreadsheets.header`` compares them folded), which register field each one feeds,
and the clerks' usual words for a payment channel, a cash-at-home reason, a pension or monthly social-insurance
benefit and a poor / near-poor household. Data only; ``imports.typed_row`` reads the cells with it."""
from ...models import CashAtHomeReason, HouseholdPoverty, PaymentChannel
from ...spreadsheets.reading import Column

COLUMNS = (
    Column("name", ("Họ và tên", "Họ tên", "Họ và tên đối tượng")),
    Column("birth", ("Ngày sinh", "Năm sinh", "Ngày tháng năm sinh", "Ngày, tháng, năm sinh")),
    Column("gender", ("Giới tính", "Nam/Nữ"), required=False),
    Column("national_id", ("Số CCCD", "Số định danh cá nhân", "CMND/CCCD", "Số CMND/CCCD", "Số CCCD/CMND",
                           "Số định danh", "CCCD")),
    Column("phone", ("Số điện thoại", "Điện thoại", "SĐT"), required=False),
    Column("hamlet", ("Khóm/Ấp", "Ấp/Khóm", "Địa chỉ", "Khóm", "Ấp"), required=False),
    Column("category", ("Diện đối tượng", "Đối tượng", "Diện hưởng")),
    Column("coefficient", ("Hệ số",), required=False),
    Column("amount", ("Mức trợ cấp", "Mức hưởng", "Số tiền"), required=False),
    Column("decision", ("Số QĐ hưởng", "Số quyết định", "Số QĐ"), required=False),
    Column("start_month", ("Hưởng từ tháng", "Tháng bắt đầu hưởng", "Thời điểm hưởng")),
    Column("channel", ("Hình thức nhận", "Hình thức chi trả", "Hình thức nhận trợ cấp"), required=False),
    Column("bank", ("Ngân hàng", "Tên ngân hàng"), required=False),
    Column("account", ("Số tài khoản", "Số TK"), required=False),
    Column("note", ("Ghi chú",), required=False),
    # the social pension's conditions (Luật BHXH 2024 Art. 21; Decree 176/2025 Art. 3), ``Beneficiary`` fields
    Column("receives_pension", ("Hưởng lương hưu/BHXH hằng tháng", "Hưởng lương hưu, trợ cấp BHXH hằng tháng",
                                "Có lương hưu/BHXH hằng tháng", "Có lương hưu, trợ cấp BHXH hằng tháng",
                                "Lương hưu/BHXH hằng tháng", "Lương hưu, trợ cấp BHXH hằng tháng",
                                "Hưởng lương hưu/trợ cấp BHXH", "Lương hưu/BHXH", "Có lương hưu",
                                "Hưởng lương hưu"), required=False),
    Column("household_poverty", ("Hộ nghèo/cận nghèo", "Hộ nghèo/hộ cận nghèo", "Hộ nghèo, cận nghèo",
                                 "Hộ nghèo, hộ cận nghèo", "Thuộc hộ nghèo/cận nghèo", "Hộ nghèo hoặc cận nghèo",
                                 "HN/HCN"), required=False),
    Column("poor", ("Hộ nghèo",), required=False),
    Column("near_poor", ("Hộ cận nghèo",), required=False),
)

#: ``registry.clean_beneficiary`` field → the column it is read from (to name the cell in a row error)
FIELD_COLUMNS = {"full_name": "name", "birth": "birth", "gender": "gender", "national_id": "national_id",
                 "phone": "phone", "hamlet": "hamlet", "category_code": "category", "disability_level": "category",
                 "children_count": "coefficient", "decision_number": "decision", "start_month": "start_month",
                 "payment_channel": "channel", "note": "note"}
#: folded wording of the "Hình thức nhận" column → channel
CHANNEL_WORDS = {
    "tai khoan": PaymentChannel.BANK_ACCOUNT, "tai khoan ngan hang": PaymentChannel.BANK_ACCOUNT,
    "chuyen khoan": PaymentChannel.BANK_ACCOUNT, "ngan hang": PaymentChannel.BANK_ACCOUNT,
    "vi dien tu": PaymentChannel.E_WALLET, "mobile money": PaymentChannel.MOBILE_MONEY,
    "tien mat": PaymentChannel.CASH_AT_POINT, "tien mat tai diem chi tra": PaymentChannel.CASH_AT_POINT,
    "diem chi tra": PaymentChannel.CASH_AT_POINT, "tai diem chi tra": PaymentChannel.CASH_AT_POINT,
    "tien mat tai nha": PaymentChannel.CASH_AT_HOME, "tai nha": PaymentChannel.CASH_AT_HOME,
    "chi tai nha": PaymentChannel.CASH_AT_HOME,
}
#: folded words in "Ghi chú" that name a cash-at-home reason
REASON_WORDS = {
    CashAtHomeReason.BEDRIDDEN: ("liet giuong", "nam liet"),
    CashAtHomeReason.VERY_OLD: ("tuoi cao", "gia yeu", "suc yeu"),
    CashAtHomeReason.SEVERE_DISABILITY: ("khuyet tat nang", "khong tu di lai", "khong di lai"),
    CashAtHomeReason.NO_PHONE: ("khong co dien thoai", "khong dien thoai"),
    CashAtHomeReason.NO_PROXY: ("khong co nguoi nhan thay", "khong nguoi nhan thay"),
}
#: folded marks of a yes / no column (a cross, "có", "không"…): a filled mark column, or "Hưởng lương hưu/BHXH"
YES_WORDS = frozenset(("x", "co", "c", "1", "true", "yes", "v", "co luong huu", "co bhxh", "huong", "dang huong",
                       "co huong", "luong huu", "bhxh", "tro cap bhxh"))
NO_WORDS = frozenset(("khong", "k", "ko", "0", "false", "no", "-", "khong co", "khong huong", "chua", "chua huong"))
#: folded wording of the "Hộ nghèo/cận nghèo" column → household (``None``: neither)
POVERTY_WORDS = {
    "ngheo": HouseholdPoverty.POOR.value, "ho ngheo": HouseholdPoverty.POOR.value, "hn": HouseholdPoverty.POOR.value,
    "can ngheo": HouseholdPoverty.NEAR_POOR.value, "ho can ngheo": HouseholdPoverty.NEAR_POOR.value,
    "cn": HouseholdPoverty.NEAR_POOR.value, "hcn": HouseholdPoverty.NEAR_POOR.value,
    **dict.fromkeys(NO_WORDS, None),
}
#: the social-pension fields of ``Beneficiary`` an import may carry (not part of ``registry.fields.FIELDS``)
PENSION_FIELDS = ("household_poverty", "receives_pension")
#: columns read as text, where a legacy font encoding (TCVN3 / VNI) is looked for
TEXT_KEYS = ("name", "gender", "hamlet", "category", "channel", "bank", "decision", "note", "receives_pension",
             "household_poverty", "poor", "near_poor")
#: columns without which a row cannot be imported (a formula there without a value is an error, elsewhere a warning)
NEEDED_KEYS = ("name", "birth", "national_id", "category", "start_month")
