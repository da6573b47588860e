"""Flask CLI commands (``flask --app wsgi <command>``) used by admins and by checks. Each command calls services and
commits once; a PortalError is printed in Vietnamese and the command exits non-zero. ``register_cli(app)`` attaches
these, the import commands (``cli_imports``) and the documents' ``dev-ca``."""
import sys

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
from .services.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo
from .services.entitlement.administration import confirm_social_pension_level
from .services.reference_data import load_reference, load_units


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
    click.echo(f"Tài khoản mẫu (mật khẩu {DEMO_PASSWORD}): " + ", ".join(u[0] for u in DEMO_USERS))


@click.command("seed-reference")
@with_appcontext
@migrates_schema
def seed_reference_cmd():
    """Load administrative units, categories, coefficients, standard levels and providers (idempotent)."""
    units = load_units()
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
    user = User(username=username, full_name=full_name, organization_id=org_id, is_approver=approver)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Đã tạo người dùng {username}.")


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


ADMIN_COMMANDS = (seed_demo_cmd, seed_reference_cmd, create_user_cmd, list_organizations_cmd,
                  confirm_pension_level_cmd)


def register_cli(app: Flask) -> None:
    """Attach the commands to ``app``."""
    for command in ADMIN_COMMANDS + IMPORT_COMMANDS:
        app.cli.add_command(command)
    register_document_commands(app)
