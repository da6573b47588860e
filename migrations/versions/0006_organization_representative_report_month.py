"""organisation representative (who signs its documents)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 23:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('representative_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('representative_title', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('representative_gender', sa.String(length=10), nullable=True))


def downgrade():
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('representative_gender')
        batch_op.drop_column('representative_title')
        batch_op.drop_column('representative_name')
