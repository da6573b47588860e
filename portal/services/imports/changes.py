"""What a re-import would change, and which of it a clerk edited on the portal (thông tin đã sửa trên cổng).

A clerk corrects a person in the form (phone, hamlet, channel, number of children…); the commune's spreadsheet, made
before, still holds the old values. Re-importing it must not silently undo the correction. The rule, per field: a
field whose current value was last written by the form — a form "update" audit event naming it, with no later
import ("import_update") event naming it — is *edited on the portal*. A row whose file value differs from such a
field keeps the portal's value (with a warning naming the field, the date and the person of the edit) unless the
clerk chooses to overwrite. Importing the same file again then finds the same fields and keeps them again, so it
changes nothing; once an import overwrites a field, that import is its last writer and the field is the file's
again. Coupled fields travel together (channel with its cash-at-home reason, category with its disability level and
children, birth date with birth year) so that the kept record stays valid."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...clock import to_vn
from ...extensions import db
from ...models import AuditEvent, HouseholdPoverty
from ...models.registry import FIELD_LABELS
from ..registry.fields import FIELDS, display_value
from .columns import PENSION_FIELDS

#: the fields an import compares and writes: the register's (``registry.fields.FIELDS``) and the social pension's
IMPORTED_FIELDS = [*FIELDS, *(k for k in PENSION_FIELDS if k not in FIELDS)]
#: audit label (``registry.audit_snapshot`` keys) → model fields
LABEL_FIELDS = {label: [k] for k, label in FIELD_LABELS.items() if k in IMPORTED_FIELDS and k != "birth_date"}
LABEL_FIELDS[FIELD_LABELS["birth_date"]] = ["birth_date", "birth_year"]
#: fields validated together: keeping one keeps the others, so the record stays consistent
GROUPS = (("payment_channel", "cash_at_home_reason", "cash_at_home_note"),
          ("category_code", "disability_level", "children_count"), ("birth_date", "birth_year"))
FORM_ACTION, IMPORT_ACTION = "update", "import_update"
OVERWRITE_LABEL = "Ghi đè cả các thông tin đã sửa trên cổng"


@dataclass(frozen=True)
class ManualEdit:
    """A form edit (sửa trên cổng) that last wrote a field: when (``at``, UTC) and by whom (``by``, a full name)."""

    at: datetime
    by: str

    @property
    def day(self) -> str:
        """The edit's date in Vietnam time, dd/mm/yyyy."""
        return to_vn(self.at).strftime("%d/%m/%Y")


def manual_edits(beneficiary_ids: list[int]) -> dict[int, dict[str, ManualEdit]]:
    """For each beneficiary id, the fields (model names) whose current value was last written by the form, with the
    edit that wrote it (see the module docstring). Read from the audit trail; beneficiaries without such fields are
    left out."""
    found: dict[int, dict[str, ManualEdit]] = {}
    for start in range(0, len(beneficiary_ids), 500):
        events = db.session.execute(select(AuditEvent).options(selectinload(AuditEvent.user)).where(
            AuditEvent.object_type == "beneficiary", AuditEvent.object_id.in_(beneficiary_ids[start:start + 500]),
            AuditEvent.action.in_((FORM_ACTION, IMPORT_ACTION))).order_by(AuditEvent.id)).scalars()
        for event in events:
            fields = found.setdefault(event.object_id, {})
            edit = ManualEdit(event.at, event.user.full_name if event.user else "hệ thống")
            for label in (event.after or {}):
                for name in LABEL_FIELDS.get(label, ()):
                    if event.action == FORM_ACTION:
                        fields[name] = edit
                    else:
                        fields.pop(name, None)
    return {k: v for k, v in found.items() if v}


def pension_values(beneficiary) -> dict:
    """The social-pension fields (``columns.PENSION_FIELDS``) of ``beneficiary`` as a dict."""
    return {k: getattr(beneficiary, k) for k in PENSION_FIELDS}


def shown(key: str, value) -> str | None:
    """A field value as a clerk reads it (``registry.fields.display_value``; "Có" / "Không" for a pension or
    monthly social-insurance benefit, "Hộ nghèo" / "Hộ cận nghèo"); None for empty."""
    if key == "receives_pension":
        return None if value is None else "Có" if value else "Không"
    if key == "household_poverty":
        return HouseholdPoverty(value).label if value else None
    return display_value(key, value)


def pension_snapshot(values: dict) -> dict:
    """The social-pension fields present in ``values``, keyed by their Vietnamese labels with values as shown
    (``shown``), for the audit trail beside ``registry.fields.audit_snapshot``."""
    return {FIELD_LABELS[k]: shown(k, values[k]) for k in PENSION_FIELDS if k in values}


def _group(name: str) -> tuple[str, ...]:
    return next((g for g in GROUPS if name in g), (name,))


def keep_edited(changed: dict, edits: dict[str, ManualEdit]) -> dict[str, ManualEdit]:
    """Of the ``changed`` fields (model name → file value), those to keep at their portal value because they were
    edited on the portal (``edits``, from ``manual_edits``), each with the edit that explains it (a coupled field
    takes the edit of its group). Empty when ``edits`` touch no changed field."""
    kept: dict[str, ManualEdit] = {}
    for name in changed:
        if name in edits:
            for member in _group(name):
                if member in changed:
                    kept.setdefault(member, edits[name])
    return kept


def _birth(values: dict) -> str | None:
    return display_value("birth_date", values.get("birth_date")) or display_value("birth_year",
                                                                                    values.get("birth_year"))


def changes(before: dict, after: dict, names) -> list[tuple[str, str, str]]:
    """(label, old, new) for the fields ``names`` (model names) from ``before`` to ``after``, in ``FIELDS`` order,
    shown as a clerk reads them (Nam/Nữ, channel labels, dd/mm/yyyy, MM/YYYY; "—" for empty). Birth date and year
    are one "Ngày sinh" line."""
    names = set(names)
    out = []
    for k in IMPORTED_FIELDS:
        if k not in names or (k == "birth_year" and "birth_date" in names):
            continue
        if k in ("birth_date", "birth_year"):
            old, new = _birth(before), _birth(after)
            label = FIELD_LABELS["birth_date"]
        else:
            old, new, label = shown(k, before.get(k)), shown(k, after.get(k)), FIELD_LABELS[k]
        out.append((label, old or "—", new or "—"))
    return out


def change_lines(before: dict, after: dict, names) -> list[str]:
    """``changes`` as "Trường: cũ → mới" lines, e.g. "Số điện thoại: 0822881621 → 0911222333"."""
    return [f"{label}: {old} → {new}" for label, old, new in changes(before, after, names)]


def edited_warnings(before: dict, file_values: dict, kept: dict[str, ManualEdit], overwrite: bool) -> list[str]:
    """One warning per portal edit whose fields the file would change: "Dữ liệu trên cổng đã được sửa ngày
    dd/mm/yyyy (Nguyễn Thị Xuân): Số con đang nuôi 2 → 1 trong tệp." followed by what the import does — keep the
    portal's value (default), or "Nhập tệp sẽ ghi đè." when ``overwrite``."""
    by_edit: dict[ManualEdit, list[str]] = {}
    for name, edit in kept.items():
        by_edit.setdefault(edit, []).append(name)
    tail = ("Nhập tệp sẽ ghi đè." if overwrite else
            f"Giữ giá trị trên cổng, không nhập giá trị trong tệp (muốn lấy theo tệp: chọn «{OVERWRITE_LABEL}»).")
    return [f"Dữ liệu trên cổng đã được sửa ngày {edit.day} ({edit.by}): "
            + "; ".join(f"{label} {old} → {new} trong tệp" for label, old, new in changes(before, file_values, names))
            + f". {tail}" for edit, names in sorted(by_edit.items(), key=lambda item: item[0].at)]
