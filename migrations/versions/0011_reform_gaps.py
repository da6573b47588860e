"""change submissions: at most one open (draft or returned) per commune and month instead of one in all, so the
2025 reform can give a new commune a draft for a month whose list it had already sent (changes of its old communes
never join a sent list)

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

_OPEN = "status IN ('draft', 'returned')"


def upgrade():
    with op.batch_alter_table('change_submission', schema=None) as batch_op:
        batch_op.drop_constraint('uq_change_submission_commune_code_month', type_='unique')
    op.create_index('uq_change_submission_open_commune_month', 'change_submission', ['commune_code', 'month'],
                    unique=True, sqlite_where=sa.text(_OPEN), postgresql_where=sa.text(_OPEN))


def downgrade():
    op.drop_index('uq_change_submission_open_commune_month', table_name='change_submission')
    with op.batch_alter_table('change_submission', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_change_submission_commune_code_month', ['commune_code', 'month'])
