"""CLI commands of the documents package: ``flask dev-ca --out instance/certs`` (demo certificates)."""
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from ..extensions import db
from ..models import Organization, User
from ..schema import needs_schema
from .devca import create_dev_ca
from .signing import cert_dir, p12_password


def register_document_commands(app: Flask) -> None:
    """Attach ``dev-ca`` to ``app``."""

    @app.cli.command("dev-ca")
    @click.option("--out", "out", default=None, help="thư mục chứa chứng thư (mặc định instance/certs)")
    @click.option("--all-orgs", is_flag=True, help="mọi cơ quan, không chỉ cơ quan có người dùng")
    @needs_schema
    def dev_ca_cmd(out, all_orgs):
        """Create a development CA and a PKCS#12 certificate per organisation (demo only, never production)."""
        folder = Path(out) if out else cert_dir()
        stmt = select(Organization.id, Organization.name).order_by(Organization.id)
        if not all_orgs:
            stmt = stmt.where(Organization.id.in_(select(User.organization_id)))
        orgs = [(i, n) for i, n in db.session.execute(stmt)]
        paths = create_dev_ca(folder, orgs, p12_password())
        click.echo(f"Đã tạo CA thử nghiệm và {len(paths)} chứng thư trong {folder}.")
        if out and Path(out).resolve() != cert_dir().resolve():
            click.echo(f"Lưu ý: đặt SIGNING_CERT_DIR={folder} để cổng dùng các chứng thư này "
                       f"(hiện tại: {cert_dir()}; app {current_app.name}).")
