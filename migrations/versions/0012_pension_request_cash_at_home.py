"""social-pension requests: the reason for cash at home (closed list, and a note for "other"), as the beneficiary
form records it, so a request may choose cash at home and the granted register row keeps the reason

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('pension_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cash_at_home_reason', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('cash_at_home_note', sa.String(length=200), nullable=True))


def downgrade():
    with op.batch_alter_table('pension_request', schema=None) as batch_op:
        batch_op.drop_column('cash_at_home_note')
        batch_op.drop_column('cash_at_home_reason')
