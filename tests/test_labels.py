"""Enums carry their Vietnamese labels (portal/models/enums.py ``LabelledEnum``), and the register has one table of
field labels (``models.registry.FIELD_LABELS``)."""
import pytest

from portal import models
from portal.models.enums import LabelledEnum
from portal.models.registry import FIELD_LABELS
from portal.services.registry.fields import FIELDS, display_value

LABELLED = [getattr(models, name) for name in models.__all__
            if isinstance(getattr(models, name), type) and issubclass(getattr(models, name), LabelledEnum)]


def test_the_coded_values_are_labelled_enums():
    assert {e.__name__ for e in LABELLED} >= {"Gender", "BeneficiaryStatus", "DisabilityLevel", "PaymentChannel",
                                              "CashAtHomeReason", "ListStatus", "ListChannel", "LineResult",
                                              "EventKind", "CheckResult", "DocumentKind", "ContractStatus"}


@pytest.mark.parametrize("enum", LABELLED, ids=lambda e: e.__name__)
def test_every_member_has_a_vietnamese_label(enum):
    labels = [member.label for member in enum]
    assert all(labels) and len(set(labels)) == len(labels)
    assert enum.choices() == [(member.value, member.label) for member in enum]
    first = next(iter(enum))
    assert enum.has(first.value) and enum.label_of(first.value) == first.label
    assert not enum.has("không-có") and enum.label_of("không-có") == "không-có" and enum.label_of(None) is None


def test_labels_the_register_shows():
    assert [g.label for g in models.Gender] == ["Nam", "Nữ"]
    assert models.BeneficiaryStatus.label_of("suspended") == "Tạm dừng"
    assert models.DisabilityLevel.choices() == [("severe", "Nặng"), ("especially_severe", "Đặc biệt nặng")]
    b = models.Beneficiary(gender="female", status="stopped", disability_level="especially_severe")
    assert (b.gender_label, b.status_label, b.disability_level_label) == ("Nữ", "Thôi hưởng", "Đặc biệt nặng")
    assert models.Beneficiary(gender="male").disability_level_label is None
    assert [display_value(k, v) for k, v in (("gender", "male"), ("disability_level", "severe"),
                                             ("payment_channel", "e_wallet"))] == ["Nam", "Nặng", "Ví điện tử"]


def test_one_label_per_register_field():
    assert set(FIELDS) <= set(FIELD_LABELS)
    assert FIELD_LABELS["national_id"] == "Số định danh cá nhân"
    assert FIELD_LABELS["decision_number"] == "Số quyết định hưởng"
