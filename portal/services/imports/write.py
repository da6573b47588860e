"""Writing a planned beneficiary import (ghi kết quả nhập): create the new people, update the changed fields of the
others, record the accounts given in the sheet, with one audit event per written beneficiary. The plans come from
``imports.plan.analyse``; ``imports.beneficiaries`` calls this only once no row has an error (all-or-nothing)."""


from ...extensions import db
from ...models import Beneficiary, PaymentAccount
from ...models.registry import FIELD_LABELS
from ..audit import record
from ..registry.beneficiaries import apply_values
from ..registry.fields import audit_snapshot
from ..registry.identity import ascii_upper
from ..registry.lookups import lookups_memoised
from .plan import Plan, counts_of


def _kept_note(plan: Plan) -> str:
    if plan.result.kept:
        return "; giữ thông tin đã sửa trên cổng: " + ", ".join(line.split(":")[0] for line in plan.result.kept)
    if plan.result.overwritten:
        return "; ghi đè thông tin đã sửa trên cổng"
    return ""


def apply_plans(actor, plans: list[Plan], commune_code: str) -> dict:
    """Write the planned rows of ``commune_code`` as ``actor`` (a User, or None for the system). Only the
    ``changed`` fields of an update are written, so fields kept at their portal value stay as they are and are
    not named in the "import_update" event (they remain "edited on the portal", see ``imports.changes``). Returns
    counts rows / created / updated / unchanged / accounts / warnings / kept / overwritten. Flushes."""
    new = [p for p in plans if p.result.action == "new"]
    with lookups_memoised():
        for p in new:
            p.existing = Beneficiary(commune_code=commune_code, status="active")
            apply_values(p.existing, p.values)
            db.session.add(p.existing)
        db.session.flush()
        return _write_rest(actor, plans)


def _write_rest(actor, plans: list[Plan]) -> dict:
    accounts = 0
    for p in plans:
        if p.result.action not in ("new", "update"):
            continue
        b, changed = p.existing, p.changed or {}
        before = {k: getattr(b, k) for k in changed}
        if p.result.action == "update" and changed:
            apply_values(b, changed)
        if p.account:
            db.session.add(PaymentAccount(  # the commune's sheet has no opening date: left unknown (None)
                beneficiary=b, kind="bank_account", provider_code=p.account[0], account_number=p.account[1],
                holder_kind="self", holder_name=ascii_upper(b.full_name), opened_on=None,
                opened_by_user_id=getattr(actor, "id", None)))
            accounts += 1
        extra = {"Tài khoản": f"{p.account[0]} {p.account[1]}"} if p.account else {}
        if p.result.action == "new":
            record(actor, "import_create", "beneficiary", b.id, f"Thêm đối tượng {b.full_name} từ tệp Excel "
                   f"(dòng {p.result.row_number})", after=audit_snapshot(p.values, skip_empty=True) | extra)
        else:
            labels = ", ".join(FIELD_LABELS[k] for k in changed if k != "birth_year" or "birth_date" not in changed)
            record(actor, "import_update", "beneficiary", b.id, f"Cập nhật đối tượng từ tệp Excel "
                   f"(dòng {p.result.row_number}): {labels or 'Tài khoản'}{_kept_note(p)}",
                   before=audit_snapshot(before) if changed else None, after=audit_snapshot(changed) | extra)
    db.session.flush()
    counts = counts_of(plans)
    return {"created": counts["new"], "updated": counts["update"], "unchanged": counts["unchanged"],
            "accounts": accounts, "warnings": counts["warning"], "rows": counts["rows"], "kept": counts["kept"],
            "overwritten": counts["overwritten"]}
