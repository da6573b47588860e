"""account checks before transfer, account identity document, home visits

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 23:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payment_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('check_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('check_month', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('id_document_kind', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('id_document_expiry', sa.Date(), nullable=True))

    op.create_table(
        'account_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=10), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=False),
        sa.Column('answered_by_id', sa.Integer(), nullable=True),
        sa.Column('moved_to_cash', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['payment_account.id'],
                                name=op.f('fk_account_check_account_id_payment_account')),
        sa.ForeignKeyConstraint(['answered_by_id'], ['user.id'], name=op.f('fk_account_check_answered_by_id_user')),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'],
                                name=op.f('fk_account_check_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['commune_code'], ['administrative_unit.code'],
                                name=op.f('fk_account_check_commune_code_administrative_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_check')),
        sa.UniqueConstraint('account_id', 'month', name=op.f('uq_account_check_account_id_month')),
    )
    with op.batch_alter_table('account_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_check_month'), ['month'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_check_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_check_commune_code'), ['commune_code'], unique=False)

    op.create_table(
        'home_visit',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=10), nullable=False),
        sa.Column('visited_on', sa.Date(), nullable=False),
        sa.Column('note', sa.String(length=300), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'],
                                name=op.f('fk_home_visit_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['commune_code'], ['administrative_unit.code'],
                                name=op.f('fk_home_visit_commune_code_administrative_unit')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_home_visit_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_home_visit')),
    )
    with op.batch_alter_table('home_visit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_visit_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_home_visit_commune_code'), ['commune_code'], unique=False)


def downgrade():
    op.drop_table('home_visit')
    op.drop_table('account_check')
    with op.batch_alter_table('payment_account', schema=None) as batch_op:
        batch_op.drop_column('id_document_expiry')
        batch_op.drop_column('id_document_kind')
        batch_op.drop_column('check_month')
        batch_op.drop_column('check_status')
