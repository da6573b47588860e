"""Flask CLI commands (``flask --app wsgi <command>``) used by admins and by checks. Each command calls services and
commits once; a PortalError is printed in Vietnamese and the command exits non-zero. ``register_cli(app)`` attaches
these, the import commands (``cli_imports``) and the documents' ``dev-ca``."""
import sys
from collections import Counter
from pathlib import Path

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .cli_imports import IMPORT_COMMANDS
from .documents.cli import register_document_commands
from .errors import PortalError
from .extensions import db
from .models import Organization, User
from .schema import migrates_schema, needs_schema
from .services.demo import DEMO_PASSWORD, DEMO_USERS, DEMO_USERS_2025, seed_demo
from .services.entitlement.administration import confirm_social_pension_level
from .services.entitlement.rates import parse_month
from .services.reference_data import load_all_units, load_reference, load_succession
from .services.reform import apply_reform, plan_reform
from .services.sessions import change_password, check_password_policy, password_problem, set_active


def _fail(err: Exception):
    click.echo(f"Lỗi: {err}", err=True)
    sys.exit(1)


@click.command("seed-demo")
@with_appcontext
@migrates_schema
def seed_demo_cmd():
    """Load units and reference data and create the demo organisations and users (idempotent)."""
    counts = seed_demo()
    db.session.commit()
    click.echo(f"Đã nạp: {counts['units']} đơn vị hành chính mới, {counts['organizations']} cơ quan, "
               f"{counts['users']} người dùng mới.")
    click.echo(f"Tài khoản mẫu (mật khẩu {DEMO_PASSWORD}), đến 30/6/2025: " + ", ".join(u[0] for u in DEMO_USERS))
    click.echo("Từ 1/7/2025 (sau khi áp dụng sắp xếp đơn vị hành chính): " + ", ".join(u[0] for u in DEMO_USERS_2025))


@click.command("seed-reference")
@with_appcontext
@migrates_schema
def seed_reference_cmd():
    """Load administrative units, categories, coefficients, standard levels and providers (idempotent)."""
    units = load_all_units()
    counts = load_reference()
    db.session.commit()
    click.echo(f"Đơn vị hành chính mới: {units}; " + ", ".join(f"{k}: {v}" for k, v in counts.items()))


@click.command("create-user")
@click.option("--org", "org_id", type=int, required=True, help="id of the organisation")
@click.option("--approver", is_flag=True)
@click.argument("username")
@click.argument("full_name")
@click.password_option()
@with_appcontext
@needs_schema
def create_user_cmd(org_id, approver, username, full_name, password):
    """Create a user of an organisation."""
    if db.session.get(Organization, org_id) is None:
        _fail(PortalError(f"Không có cơ quan id {org_id}."))
    try:
        check_password_policy(password, username)
    except PortalError as err:
        _fail(err)
    user = User(username=username, full_name=full_name, organization_id=org_id, is_approver=approver)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Đã tạo người dùng {username}.")


def _user(username: str) -> User:
    user = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        _fail(PortalError(f"Không có người dùng {username}."))
    return user


@click.command("reset-password")
@click.argument("username")
@click.password_option(prompt="Mật khẩu mới")
@with_appcontext
@needs_schema
def reset_password_cmd(username, password):
    """Set a new password for USERNAME (password policy applies) and end every session of that user."""
    user = _user(username)
    problem = password_problem(password, username)
    if problem:
        _fail(PortalError(problem))
    ended = change_password(user, password)
    db.session.commit()
    click.echo(f"Đã đặt lại mật khẩu của {username}; {ended} phiên đăng nhập đã kết thúc.")


@click.command("set-user-active")
@click.argument("username")
@click.option("--off", is_flag=True, help="khóa tài khoản (mọi phiên đăng nhập kết thúc ngay)")
@with_appcontext
@needs_schema
def set_user_active_cmd(username, off):
    """Lock (--off) or unlock USERNAME."""
    set_active(_user(username), not off)
    db.session.commit()
    click.echo(f"Đã {'khóa' if off else 'mở lại'} tài khoản {username}.")


@click.command("list-organizations")
@click.option("--kind", help="bank_branch, post_office, district_office, commune_committee, police, …")
@click.option("--unit", "unit_code", help="mã đơn vị hành chính nơi đặt trụ sở, ví dụ 884")
@with_appcontext
@needs_schema
def list_organizations_cmd(kind, unit_code):
    """Print organisations (id, kind, unit, name, users) — the ids that other commands take."""
    stmt = (select(Organization, func.count(User.id)).outerjoin(User, User.organization_id == Organization.id)
            .group_by(Organization.id).order_by(Organization.kind, Organization.unit_code, Organization.id))
    if kind:  # a listing filter the admin typed, not a decision on who may act
        stmt = stmt.where(Organization.kind == kind)
    if unit_code:
        stmt = stmt.where(Organization.unit_code == unit_code)
    for org, users in db.session.execute(stmt):
        click.echo(f"{org.id}\t{org.kind}\t{org.unit_code}\t{org.display_name}\t{users} người dùng")


@click.command("apply-reform")
@click.argument("month")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="bảng chuyển đổi (CSV như portal/data/an-giang-units-2024-to-2025.csv), nạp trước khi chuyển")
@click.option("--dry-run", is_flag=True, help="chỉ xem trước, không ghi")
@with_appcontext
@needs_schema
def apply_reform_cmd(month, mapping, dry_run):
    """Move every beneficiary to the new commune by the official mapping valid from MONTH (YYYY-MM), e.g. 2025-07:
    one line per old commune, then the counts per new commune. Changes nothing on an error."""
    try:
        if mapping is not None:
            load_succession(mapping)
        plan = plan_reform(parse_month(month)) if dry_run else apply_reform(None, parse_month(month))
    except PortalError as err:
        db.session.rollback()
        _fail(err)
    for row in plan.rows:
        if row.people:
            to = ", ".join(f"{code} {name}" for _, code, name in row.targets)
            click.echo(f"{row.old_code}\t{row.old_name}\t{row.people}\t→ {to}"
                       + ("\t(chia tách: chờ xếp)" if row.split else ""))
    moved = plan.moved_per_new if not dry_run else Counter()
    if dry_run:
        for row in plan.rows:
            if not row.split and row.people - row.waiting:
                moved[row.targets[0][0]] += row.people - row.waiting
    for key, n in sorted(moved.items(), key=lambda kv: plan.new_names[kv[0]][0]):
        click.echo(f"= {plan.new_names[key][0]}\t{plan.new_names[key][1]}\t{n}")
    waiting = sum(plan.waiting_per_old.values()) if not dry_run else sum(
        r.people - r.waiting for r in plan.rows if r.split)
    click.echo(f"Tổng: {plan.people} người ở {sum(1 for r in plan.rows if r.people - r.waiting)} xã/phường cũ = "
               f"{sum(moved.values())} người ở {len(moved)} xã/phường mới + {waiting} người chờ xếp"
               + (" (xem trước, chưa ghi)." if dry_run else "."))
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()


@click.command("confirm-pension-level")
@click.option("--from", "valid_from", required=True, help="tháng áp dụng của mức tạm tính, YYYY-MM (ví dụ 2026-07)")
@click.option("--text", "official_text", required=True,
              help="văn bản chính thức, ví dụ «Nghị định 335/2026/NĐ-CP ngày 21/8/2026»")
@click.option("--user", "username", required=True, help="người dùng của Sở (nhiệm vụ giám sát) ghi nhận")
@with_appcontext
@needs_schema
def confirm_pension_level_cmd(valid_from, official_text, username):
    """Confirm a provisional social-pension level with its official text; the next lists back-pay the difference."""
    actor = db.session.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if actor is None:
        _fail(PortalError(f"Không có người dùng {username}."))
    try:
        row, people, amount = confirm_social_pension_level(actor, valid_from, official_text)
    except PortalError as err:
        _fail(err)
    db.session.commit()
    click.echo(f"Đã xác nhận mức trợ cấp hưu trí xã hội {row.amount} đồng từ tháng {row.valid_from:%m/%Y}. "
               f"Truy lĩnh chênh lệch trong danh sách kế tiếp: {people} người, {amount} đồng.")


ADMIN_COMMANDS = (seed_demo_cmd, seed_reference_cmd, create_user_cmd, reset_password_cmd, set_user_active_cmd,
                  list_organizations_cmd, apply_reform_cmd, confirm_pension_level_cmd)


def register_cli(app: Flask) -> None:
    """Attach the commands to ``app``."""
    for command in ADMIN_COMMANDS + IMPORT_COMMANDS:
        app.cli.add_command(command)
    register_document_commands(app)
