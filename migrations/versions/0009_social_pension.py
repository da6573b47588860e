"""social pension: programme on payout lists, reason on lines, social-pension levels, provincial top-up per
programme, eligibility facts on beneficiaries, Mẫu 01 requests

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'social_pension_level',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('valid_from', sa.Date(), nullable=False),
        sa.Column('amount', sa.Integer(), nullable=False),
        sa.Column('legal_basis', sa.String(length=200), nullable=False),
        sa.Column('provisional', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('official_text', sa.String(length=200), nullable=True),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'],
                                name=op.f('fk_social_pension_level_confirmed_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_social_pension_level')),
        sa.UniqueConstraint('valid_from', name=op.f('uq_social_pension_level_valid_from')),
    )
    op.create_table(
        'pension_request',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=10), nullable=False),
        sa.Column('beneficiary_id', sa.Integer(), nullable=True),
        sa.Column('full_name', sa.String(length=120), nullable=False),
        sa.Column('national_id', sa.String(length=12), nullable=False),
        sa.Column('birth_date', sa.Date(), nullable=True),
        sa.Column('birth_year', sa.Integer(), nullable=False),
        sa.Column('gender', sa.String(length=6), nullable=False),
        sa.Column('hamlet', sa.String(length=120), nullable=True),
        sa.Column('household_poverty', sa.String(length=10), nullable=True),
        sa.Column('receives_pension', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('payment_channel', sa.String(length=20), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('decision_number', sa.String(length=60), nullable=True),
        sa.Column('decision_date', sa.Date(), nullable=True),
        sa.Column('start_month', sa.Date(), nullable=True),
        sa.Column('refusal_reason', sa.String(length=300), nullable=True),
        sa.Column('registered_by_id', sa.Integer(), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiary.id'],
                                name=op.f('fk_pension_request_beneficiary_id_beneficiary')),
        sa.ForeignKeyConstraint(['commune_code'], ['administrative_unit.code'],
                                name=op.f('fk_pension_request_commune_code_administrative_unit')),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_pension_request_decided_by_id_user')),
        sa.ForeignKeyConstraint(['registered_by_id'], ['user.id'],
                                name=op.f('fk_pension_request_registered_by_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_pension_request')),
    )
    with op.batch_alter_table('pension_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pension_request_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_request_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_request_national_id'), ['national_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pension_request_status'), ['status'], unique=False)

    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.add_column(sa.Column('household_poverty', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('receives_pension', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('pension_from', sa.Date(), nullable=True))

    with op.batch_alter_table('local_top_up', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme', sa.String(length=20), server_default='social_assistance',
                                      nullable=False))

    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme_reason', sa.String(length=200), nullable=True))

    with op.batch_alter_table('payout_list', schema=None) as batch_op:
        batch_op.add_column(sa.Column('programme', sa.String(length=20), server_default='social_assistance',
                                      nullable=False))
        batch_op.drop_constraint(batch_op.f('uq_payout_list_month_commune_code_channel_sequence'), type_='unique')
        batch_op.create_unique_constraint(
            batch_op.f('uq_payout_list_month_commune_code_channel_programme_sequence'),
            ['month', 'commune_code', 'channel', 'programme', 'sequence'])


def downgrade():
    with op.batch_alter_table('payout_list', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_payout_list_month_commune_code_channel_programme_sequence'),
                                 type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_payout_list_month_commune_code_channel_sequence'),
                                          ['month', 'commune_code', 'channel', 'sequence'])
        batch_op.drop_column('programme')
    with op.batch_alter_table('payout_line', schema=None) as batch_op:
        batch_op.drop_column('programme_reason')
    with op.batch_alter_table('local_top_up', schema=None) as batch_op:
        batch_op.drop_column('programme')
    with op.batch_alter_table('beneficiary', schema=None) as batch_op:
        batch_op.drop_column('pension_from')
        batch_op.drop_column('receives_pension')
        batch_op.drop_column('household_poverty')
    op.drop_table('pension_request')
    op.drop_table('social_pension_level')
