"""complaints tied to payouts, public status lookups, notices to beneficiaries

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 23:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'complaint',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=10), nullable=False),
        sa.Column('month', sa.Date(), nullable=True),
        sa.Column('payout_line_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('channel', sa.String(length=12), nullable=False),
        sa.Column('description', sa.String(length=1000), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('received_org_id', sa.Integer(), nullable=False),
        sa.Column('received_by_id', sa.Integer(), nullable=False),
        sa.Column('assigned_org_id', sa.Integer(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('resolution', sa.String(length=20), nullable=True),
        sa.Column('resolution_note', sa.String(length=500), nullable=True),
        sa.Column('reissue_line_id', sa.Integer(), nullable=True),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('closed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['assigned_org_id'], ['organization.id'],
                                name=op.f('fk_complaint_assigned_org_id_organization')),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'],
                                name=op.f('fk_complaint_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_complaint_closed_by_id_user')),
        sa.ForeignKeyConstraint(['commune_code'], ['administrative_unit.code'],
                                name=op.f('fk_complaint_commune_code_administrative_unit')),
        sa.ForeignKeyConstraint(['payout_line_id'], ['payout_line.id'],
                                name=op.f('fk_complaint_payout_line_id_payout_line')),
        sa.ForeignKeyConstraint(['received_by_id'], ['user.id'], name=op.f('fk_complaint_received_by_id_user')),
        sa.ForeignKeyConstraint(['received_org_id'], ['organization.id'],
                                name=op.f('fk_complaint_received_org_id_organization')),
        sa.ForeignKeyConstraint(['reissue_line_id'], ['payout_line.id'],
                                name=op.f('fk_complaint_reissue_line_id_payout_line')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint')),
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_received_org_id'), ['received_org_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_assigned_org_id'), ['assigned_org_id'], unique=False)
    op.create_table(
        'lookup_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('address_hash', sa.String(length=64), nullable=False),
        sa.Column('id_hash', sa.String(length=64), nullable=True),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('challenge_nonce', sa.String(length=32), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lookup_attempt')),
        sa.UniqueConstraint('challenge_nonce', name=op.f('uq_lookup_attempt_challenge_nonce')),
    )
    with op.batch_alter_table('lookup_attempt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lookup_attempt_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_attempt_address_hash'), ['address_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_lookup_attempt_id_hash'), ['id_hash'], unique=False)
    op.create_table(
        'notice_consent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('given_on', sa.Date(), nullable=False),
        sa.Column('withdrawn_on', sa.Date(), nullable=True),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'],
                                name=op.f('fk_notice_consent_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id'], name=op.f('fk_notice_consent_recorded_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_consent')),
    )
    with op.batch_alter_table('notice_consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_consent_beneficiary_id'), ['beneficiary_id'], unique=False)
    op.create_table(
        'notice',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=10), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('payout_line_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.String(length=160), nullable=False),
        sa.Column('text_ascii', sa.String(length=160), nullable=False),
        sa.Column('phone_masked', sa.String(length=15), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('sender', sa.String(length=20), nullable=True),
        sa.Column('error', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'], name=op.f('fk_notice_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['commune_code'], ['administrative_unit.code'],
                                name=op.f('fk_notice_commune_code_administrative_unit')),
        sa.ForeignKeyConstraint(['payout_line_id'], ['payout_line.id'], name=op.f('fk_notice_payout_line_id_payout_line')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notice')),
        sa.UniqueConstraint('beneficiary_id', 'kind', 'month', name=op.f('uq_notice_beneficiary_id_kind_month')),
    )
    with op.batch_alter_table('notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notice_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notice_commune_code'), ['commune_code'], unique=False)


def downgrade():
    op.drop_table('notice')
    op.drop_table('notice_consent')
    op.drop_table('lookup_attempt')
    op.drop_table('complaint')
