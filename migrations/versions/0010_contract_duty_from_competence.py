"""post-office contract as its own duty: district labour offices that manage payouts also hold
``post_office_contract`` (what the rules until 30/6/2025 give them, Nghị định 20/2021/NĐ-CP); the commune committees
of the 2025 tree get it from ``apply-reform``. Organisation's own report recipients (Sở Y tế → Bộ Y tế, UBND tỉnh)

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_ORG = sa.table('organization', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                sa.column('duties', sa.String))


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_recipients', sa.String(length=400), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_ORG.c.id, _ORG.c.duties).where(_ORG.c.kind == 'district_office')).all()
    for org_id, duties in rows:
        held = {d for d in (duties or '').split(',') if d}
        if 'payout_management' in held and 'post_office_contract' not in held:
            conn.execute(_ORG.update().where(_ORG.c.id == org_id).values(
                duties=','.join(sorted(held | {'post_office_contract'}))))
    unit = sa.table('administrative_unit', sa.column('code', sa.String), sa.column('name', sa.String))
    org = sa.table('organization', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                   sa.column('symbol', sa.String), sa.column('unit_code', sa.String),
                   sa.column('report_recipients', sa.String))
    for org_id, name in conn.execute(sa.select(org.c.id, unit.c.name).join(unit, unit.c.code == org.c.unit_code).where(
            org.c.kind == 'province_department', org.c.symbol == 'SYT')).all():
        province = name[0].lower() + name[1:]
        conn.execute(org.update().where(org.c.id == org_id).values(
            report_recipients=f'Bộ Y tế; UBND {province}; Lưu: VT'))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('report_recipients')
    conn = op.get_bind()
    rows = conn.execute(sa.select(_ORG.c.id, _ORG.c.duties).where(_ORG.c.kind == 'district_office')).all()
    for org_id, duties in rows:
        held = {d for d in (duties or '').split(',') if d}
        if 'post_office_contract' in held:
            conn.execute(_ORG.update().where(_ORG.c.id == org_id).values(
                duties=','.join(sorted(held - {'post_office_contract'}))))
