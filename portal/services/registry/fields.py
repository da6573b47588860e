"""The register's rules on values (Decree 20/2021 Art. 5): the fields a record has, age bands and disability age
groups, the result types of a check (``Checked``, ``Cleaned``,
``BeneficiaryInvalid``), the category-versus-age rule (``category_age_problem``), and the display values and audit
snapshot of a record. Pure: no writes."""
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from ...errors import ValidationError
from ...models import CashAtHomeReason, DisabilityLevel, Gender, HouseholdPoverty, PaymentChannel
from ...models.registry import FIELD_LABELS
from ..entitlement.rates import age_in_month
from .identity import nfc

#: fields written by ``clean_beneficiary`` (and compared / audited)
FIELDS = ["full_name", "birth_date", "birth_year", "gender", "national_id", "legacy_id_number", "phone", "hamlet",
          "category_code", "disability_level", "disability_certified_month", "children_count",
          "decision_number", "decision_date", "start_month", "payment_channel", "cash_at_home_reason",
          "cash_at_home_note", "preferred_bank", "guardian_name", "guardian_national_id", "guardian_relationship",
          "guardian_phone", "note", "id_warning_override_reason", "category_override_reason", "household_poverty",
          "receives_pension"]
#: fields kept for the system, not shown in the audit trail (the hamlet's name is)
_UNAUDITED = {"hamlet_id"}


#: Art. 5 categories bound to an age (Decree 20/2021 Art. 5; reference §1.2–1.3; "trẻ em" = under 16, "người cao
#: tuổi" = 60+): code → (from age, below age, words). Age as ``entitlement.age_in_month`` (birthday month counts).
AGE_BANDS = {
    "K1": (None, 16, "dưới 16 tuổi"), "K2": (16, 23, "từ đủ 16 đến 22 tuổi"), "K3": (None, 16, "dưới 16 tuổi"),
    "K5a": (60, None, "từ đủ 60 tuổi"), "K5b": (75, 80, "từ đủ 75 đến dưới 80 tuổi"),
    "K5c": (80, None, "từ đủ 80 tuổi"), "K5d": (60, None, "từ đủ 60 tuổi"), "K7": (None, 3, "dưới 3 tuổi"),
}
#: K6 sub-cases by age (Art. 6.1.đ): child under 16, adult 16–59, elderly 60+ — they set the coefficient
DISABILITY_AGE_GROUPS = {
    "child": (None, 16, "Trẻ em khuyết tật (dưới 16 tuổi)"), "adult": (16, 60, "Người khuyết tật (16–59 tuổi)"),
    "elderly": (60, None, "Người cao tuổi khuyết tật (từ đủ 60 tuổi)"),
}
OVERRIDE_HINT = "Kiểm tra lại, hoặc ghi lý do để vẫn lưu."


class BeneficiaryInvalid(ValidationError):
    """Validation failed on one or more fields; ``errors`` maps a field name (as in ``FIELD_LABELS``; ``birth`` for
    the birth date) to a Vietnamese message. ``str(err)`` joins the messages. ``field_warnings`` and ``links`` are
    those of the failed ``Checked`` (shown next to the fields when the form is re-rendered)."""

    def __init__(self, errors: dict[str, str], field_warnings: dict[str, list[str]] | None = None,
                 links: dict[str, list[int]] | None = None):
        self.errors = errors
        self.field_warnings = field_warnings or {}
        self.links = links or {}
        super().__init__(" ".join(errors.values()))


@dataclass
class Checked:
    """Outcome of ``check_beneficiary``: cleaned ``values`` (keys of ``FIELDS``, may be partial when ``errors``),
    ``errors`` (field → message), ``field_warnings`` (field → soft warnings, cảnh báo) and ``links`` (field → ids of
    records of the same commune the clerk may open, e.g. the holder of a duplicate ID). Another commune's record is
    never linked nor named: only its commune is said."""

    values: dict
    errors: dict[str, str] = field(default_factory=dict)
    field_warnings: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[int]] = field(default_factory=dict)
    info: dict[str, list[str]] = field(default_factory=dict)  # neutral notes (e.g. the category's sub-case)

    def warn(self, key: str, message: str) -> None:
        """Add a warning under ``key``."""
        self.field_warnings.setdefault(key, []).append(message)

    @property
    def warnings(self) -> list[str]:
        """Every warning, in field order."""
        return [w for ws in self.field_warnings.values() for w in ws]


@dataclass
class Cleaned:
    """Validated values ready to set on a ``Beneficiary`` (keys of ``FIELDS``) and soft warnings (cảnh báo)."""

    values: dict
    warnings: list[str] = field(default_factory=list)
    field_warnings: dict[str, list[str]] = field(default_factory=dict)
    links: dict[str, list[int]] = field(default_factory=dict)


_NAME_PUNCTUATION = frozenset(" '\u2019-.")  # space, apostrophe (also ’), hyphen, dot (e.g. "Néang", "H'Hen")
_NAME_PUNCTUATION_GONE = str.maketrans("", "", "".join(_NAME_PUNCTUATION))


def check_person_name(name: str, label: str = "Họ và tên") -> None:
    """Refuse a personal name (họ và tên) with characters no Vietnamese or Khmer-romanised name has: it must start
    with a letter and hold only letters (any script, with diacritics), spaces, apostrophes, hyphens and dots — so
    digits and ``= + @ < > " ( ) ,`` are refused, which also keeps formulas such as ``=HYPERLINK(…)`` out of the
    register and the exported lists (pitfalls item 8). ``name`` is NFC text. Raises ``ValidationError`` naming the
    characters."""
    if name[:1].isalpha() and name.translate(_NAME_PUNCTUATION_GONE).isalpha():
        return  # letters only (``str.isalpha``: the L categories), the usual name
    bad = sorted({ch for ch in name if ch not in _NAME_PUNCTUATION and unicodedata.category(ch)[0] not in "LM"})
    if bad:
        shown = ", ".join(f"«{ch}»" for ch in bad)
        raise ValidationError(f"{label} «{name}» có ký tự không dùng trong tên người: {shown}. Chỉ dùng chữ cái, "
                              "khoảng trắng, dấu nháy ('), gạch nối (-) và dấu chấm.")
    if not unicodedata.category(name[0]).startswith("L"):
        raise ValidationError(f"{label} «{name}» phải bắt đầu bằng chữ cái.")


_ID_SEPARATORS = str.maketrans("", "", " .-")


def parse_legacy_id(raw) -> str | None:
    """The old identity card number (số CMND cũ) as digits: 9 digits, or 12 for the cards of 2012–2016; ``None``
    when empty. Spaces, dots and dashes are ignored. Raises ``ValidationError``. Source: reference §4.3."""
    text = nfc(str(raw)) if raw is not None else ""
    digits = text.translate(_ID_SEPARATORS)
    if not digits:
        return None
    if digits.isascii() and digits.isdigit() and len(digits) in (9, 12):
        return digits
    raise ValidationError(f"Số CMND cũ phải gồm 9 chữ số (hoặc 12 chữ số với CMND cấp từ 2012) (đã nhập: {text}).")


def age_group(age: int) -> str:
    """The K6 age group (``DISABILITY_AGE_GROUPS`` key) of a person of ``age`` whole years."""
    return "child" if age < 16 else "adult" if age < 60 else "elderly"


def category_age_problem(category_code: str | None, birth_date: date | None, birth_year: int | None,
                         month: date | None, disability_age_group: str | None = None) -> str | None:
    """Why ``category_code`` cannot apply at the person's age in ``month`` (the start month), or None.

    Age as ``entitlement.age_in_month`` (a year-only birth counts from 1 January). Bands: ``AGE_BANDS`` (K1 and K3
    under 16, K2 16–22, K5a/K5d 60+, K5b 75–79, K5c 80+, K7 under 3); for K6, ``disability_age_group`` (child /
    adult / elderly, optional) must be the person's group. Categories without a band (K4, K6 without a group, K8)
    never fail. The intake form and the spreadsheet import both show a problem as the same warning
    (``registry.checks.category_age_warning``); the clerk may note a reason (``category_override_reason``).
    Source: Decree 20/2021 Art. 5, 6; reference §1.2–1.3."""
    if not category_code or birth_year is None or month is None:
        return None
    age = age_in_month(birth_date, birth_year, month)
    if category_code == "K6" and disability_age_group in DISABILITY_AGE_GROUPS:
        actual = age_group(age)
        if actual != disability_age_group:
            return (f"Nhóm «{DISABILITY_AGE_GROUPS[disability_age_group][2]}» không khớp tuổi: tháng {month:%m/%Y} "
                    f"đối tượng {age} tuổi, thuộc nhóm «{DISABILITY_AGE_GROUPS[actual][2]}».")
        return None
    band = AGE_BANDS.get(category_code)
    if band is None:
        return None
    low, high, words = band
    if (low is not None and age < low) or (high is not None and age >= high):
        return (f"Diện {category_code} dành cho người {words}; theo ngày sinh, tháng {month:%m/%Y} (hưởng từ tháng) "
                f"đối tượng {age} tuổi.")
    return None


def display_value(key: str, value) -> str | None:
    """A field value as shown to a clerk: Nam/Nữ, channel and reason labels, dd/mm/yyyy, MM/YYYY."""
    if value is None or value == "":
        return None
    if key == "gender":
        return Gender.label_of(value)
    if key == "payment_channel":
        return PaymentChannel(value).label
    if key == "cash_at_home_reason":
        return CashAtHomeReason(value).label
    if key == "disability_level":
        return DisabilityLevel.label_of(value)
    if key == "household_poverty":
        return HouseholdPoverty.label_of(value)
    if key == "receives_pension":
        return "Có" if value else "Không"
    if key in ("start_month", "disability_certified_month"):
        return value.strftime("%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def audit_snapshot(values: dict, skip_empty: bool = False) -> dict:
    """``values`` (model field → value) keyed by Vietnamese labels with display values, for the audit trail;
    ``skip_empty`` leaves out empty fields (for a new record). The birth year is left out when the full date is
    there."""
    out = {}
    for k in FIELDS:
        if k not in values or k in _UNAUDITED or (k == "birth_year" and values.get("birth_date")):
            continue
        shown = display_value(k, values[k])
        if shown is not None or not skip_empty:
            out[FIELD_LABELS[k]] = shown
    return out
