"""Writing a planned beneficiary import (ghi kết quả nhập): create the new people, update the changed fields of the
others, record the accounts given in the sheet, with one audit event per written beneficiary. The plans come from
``imports.plan.analyse``; ``imports.beneficiaries`` calls this only once no row has an error (all-or-nothing)."""


from sqlalchemy import select

from ...extensions import db
from ...models import AuditEvent, Beneficiary, PaymentAccount
from ...models.registry import FIELD_LABELS
from ..audit import event_row, record
from ..bulk import insert_rows
from ..registry.beneficiaries import apply_values, new_row
from ..registry.fields import audit_snapshot
from ..registry.identity import ascii_upper
from ..registry.lookups import lookups_memoised
from .changes import pension_snapshot
from .plan import Plan, counts_of

#: the social-pension fields of a new person whose sheet does not give them (the model's defaults): every row of
#: one bulk insert has the same keys
_PENSION_DEFAULTS = {"receives_pension": False, "household_poverty": None}


def _kept_note(plan: Plan) -> str:
    if plan.result.kept:
        return "; giữ thông tin đã sửa trên cổng: " + ", ".join(line.split(":")[0] for line in plan.result.kept)
    if plan.result.overwritten:
        return "; ghi đè thông tin đã sửa trên cổng"
    return ""


def apply_plans(actor, plans: list[Plan], commune_code: str) -> dict:
    """Write the planned rows of ``commune_code`` as ``actor`` (a User, or None for the system). New people, their
    accounts and their "import_create" events are written in bulk (``bulk.insert_rows``: one statement per table, in
    the session's transaction); updates go through the ORM. Only the ``changed`` fields of an update are written, so
    fields kept at their portal value stay as they are and are not named in the "import_update" event (they remain
    "edited on the portal", see ``imports.changes``). Returns counts rows / created / updated / unchanged /
    accounts / warnings / kept / overwritten. Flushes; afterwards each new row's ``plan.existing`` is its
    Beneficiary (loaded only for rows holding a death or departure, ``departures.record_events``; others None)."""
    new = [p for p in plans if p.result.action == "new"]
    with lookups_memoised():
        db.session.flush()
        insert_rows(Beneficiary.__table__, [new_row(commune_code, _PENSION_DEFAULTS | p.values) for p in new])
        ids = _ids_by_national_id([p.values["national_id"] for p in new])
        accounts = [_account_row(actor, ids[p.values["national_id"]], p.values["full_name"], p.account)
                    for p in new if p.account]
        insert_rows(PaymentAccount.__table__, accounts)
        insert_rows(AuditEvent.__table__, [event_row(
            actor, "import_create", "beneficiary", ids[p.values["national_id"]],
            f"Thêm đối tượng {p.values['full_name']} từ tệp Excel (dòng {p.result.row_number})",
            after=audit_snapshot(p.values, skip_empty=True) | pension_snapshot(p.values) | _account_extra(p))
            for p in new])
        held = {ids[p.values["national_id"]]: p for p in new if p.result.departure}
        for b in (db.session.execute(select(Beneficiary).where(Beneficiary.id.in_(held))).scalars() if held else ()):
            held[b.id].existing = b
        r = _write_updates(actor, plans)
    r["accounts"] += len(accounts)
    return r


def _ids_by_national_id(national_ids: list[str]) -> dict[str, int]:
    """Beneficiary id by personal ID (unique in the province), read back after the bulk insert."""
    ids = {}
    for start in range(0, len(national_ids), 500):
        ids.update(db.session.execute(select(Beneficiary.national_id, Beneficiary.id).where(
            Beneficiary.national_id.in_(national_ids[start:start + 500]))).all())
    return ids


def _account_row(actor, beneficiary_id: int, full_name: str, account: tuple[str, str]) -> dict:
    """A bank account given in the commune's sheet (no opening date there: left unknown, None)."""
    return {"beneficiary_id": beneficiary_id, "kind": "bank_account", "provider_code": account[0],
            "account_number": account[1], "holder_kind": "self", "holder_name": ascii_upper(full_name),
            "opened_on": None, "opened_by_user_id": getattr(actor, "id", None)}


def _account_extra(p: Plan) -> dict:
    return {"Tài khoản": f"{p.account[0]} {p.account[1]}"} if p.account else {}


def _write_updates(actor, plans: list[Plan]) -> dict:
    accounts = 0
    for p in plans:
        if p.result.action != "update":
            continue
        b, changed = p.existing, p.changed or {}
        before = {k: getattr(b, k) for k in changed}
        if changed:
            apply_values(b, changed)
        if p.account:
            db.session.add(PaymentAccount(beneficiary=b, **_account_row(actor, b.id, b.full_name, p.account)))
            accounts += 1
        labels = ", ".join(FIELD_LABELS[k] for k in changed if k != "birth_year" or "birth_date" not in changed)
        record(actor, "import_update", "beneficiary", b.id, f"Cập nhật đối tượng từ tệp Excel "
               f"(dòng {p.result.row_number}): {labels or 'Tài khoản'}{_kept_note(p)}",
               before=audit_snapshot(before) | pension_snapshot(before) if changed else None,
               after=audit_snapshot(changed) | pension_snapshot(changed) | _account_extra(p))
    db.session.flush()
    counts = counts_of(plans)
    return {"created": counts["new"], "updated": counts["update"], "unchanged": counts["unchanged"],
            "accounts": accounts, "warnings": counts["warning"], "rows": counts["rows"], "kept": counts["kept"],
            "overwritten": counts["overwritten"]}
