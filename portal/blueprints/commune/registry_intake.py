"""Inline checks of the intake form (kiểm tra từng ô khi nhập): each input posts the whole form (htmx, on change) and
gets back a small fragment (≤ 5 KB) with the messages of its own field, plus out-of-band updates of the fields whose
checks depend on it (the birth date re-checks the ID and the category). The same rules run again on submit
(``services.registry.create_beneficiary`` / ``update_beneficiary``), so the form works without JavaScript."""
from flask import request
from flask_login import current_user

from ...areas import get_visible_or_404
from ...extensions import htmx
from ...models import Beneficiary
from ...models.registry import FIELD_LABELS
from ...rendering import render
from ...services.registry.beneficiaries import check_intake
from ...services.registry.fields import OVERRIDE_HINT
from .blueprint import bp

#: form field → the other fields whose messages change with it (re-rendered out of band when they hold a value)
RELATED = {
    "full_name": ("birth",), "birth": ("national_id", "category_code", "full_name", "household_poverty"),
    "gender": ("national_id",),
    "national_id": ("guardian_national_id",), "category_code": ("disability_level", "disability_age_group",
                                                               "disability_certified_month", "children_count",
                                                               "household_poverty", "receives_pension"),
    "household_poverty": ("category_code",), "receives_pension": ("category_code",),
    "disability_level": ("category_code",), "disability_age_group": ("category_code",),
    "start_month": ("category_code",), "payment_channel": ("cash_at_home_reason", "cash_at_home_note"),
    "cash_at_home_reason": ("cash_at_home_note",), "guardian_national_id": ("guardian_name",),
    "guardian_relationship": ("guardian_name",), "guardian_phone": ("guardian_name",),
}
#: error/warning key → the field slot showing it
SLOT_OF = {"birth_date": "birth", "birth_year": "birth", "hamlet": "hamlet_id",
           "id_warning_override_reason": "national_id", "category_override_reason": "category_code"}
#: field slot → its override-reason input (shown once the slot has a warning or an overridable error)
REASON_OF = {"national_id": "id_warning_override_reason", "category_code": "category_override_reason"}
FIELDS_CHECKED = set(RELATED) | {k for v in RELATED.values() for k in v} | {
    "legacy_id_number", "phone", "hamlet_id", "decision_number", "decision_date", "preferred_bank", "note"}


def slot_messages(errors: dict[str, list[str]], warnings: dict[str, list[str]] | None = None,
                  links: dict[str, list[int]] | None = None, info: dict[str, list[str]] | None = None) -> dict:
    """Messages per field slot: ``{slot: {"errors": [...], "warnings": [...], "links": [ids], "info": [...],
    "reason": bool}}``; ``reason`` says the slot shows its override-reason input (``REASON_OF``)."""
    out: dict[str, dict] = {}
    for kind, source in (("errors", errors), ("warnings", warnings or {}), ("links", links or {}),
                         ("info", info or {})):
        for key, items in source.items():
            slot = SLOT_OF.get(key, key)
            out.setdefault(slot, {"errors": [], "warnings": [], "links": [], "info": [], "reason": False})[
                kind] += list(items)
    for slot, m in out.items():
        m["reason"] = slot in REASON_OF and bool(m["warnings"] or any(e.endswith(OVERRIDE_HINT) for e in m["errors"]))
    return out


def form_messages(form, checked) -> dict[str, dict]:
    """``slot_messages`` of a submitted form: its fields' errors, plus the warnings and links of a failed save
    (``BeneficiaryInvalid``) or None."""
    errors = {name: f.errors for name, f in form._fields.items() if f.errors}
    return slot_messages(errors, getattr(checked, "field_warnings", None), getattr(checked, "links", None))


def _check(current: Beneficiary | None):
    field = request.args.get("o") or htmx.trigger_name or ""
    if field not in FIELDS_CHECKED:
        return "", 204
    data = request.form.to_dict()
    result = check_intake(current_user.organization.unit_code if current is None else current.commune_code,
                          data, current)
    related = [f for f in RELATED.get(field, ()) if f != field]
    msgs = slot_messages({k: [v] for k, v in result.errors.items()}, result.field_warnings, result.links,
                         result.info)
    return render("commune/_checks.html", msgs=msgs, slots=[field] + related, main=field, data=data,
                  filled={f for f in related if (data.get(f) or "").strip()}, reason_of=REASON_OF,
                  labels=FIELD_LABELS)


@bp.route("/doi-tuong/kiem-tra", methods=["POST"])
def beneficiary_check_new():
    """Kiểm tra một ô của biểu mẫu thêm đối tượng: ``o`` (or the HX-Trigger-Name header) names the field."""
    return _check(None)


@bp.route("/doi-tuong/<int:beneficiary_id>/kiem-tra", methods=["POST"])
def beneficiary_check_edit(beneficiary_id: int):
    """Kiểm tra một ô của biểu mẫu sửa hồ sơ (the record itself is left out of the duplicate checks)."""
    return _check(get_visible_or_404(Beneficiary, beneficiary_id))
