"""an index of suspended memory states

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 07:16:43.243594

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('memory_states', schema=None) as batch_op:
        batch_op.create_index('ix_memory_states_suspended', ['question_id', 'user_id'], unique=False, sqlite_where=sa.text('suspended_reason IS NOT NULL'), postgresql_where=sa.text('suspended_reason IS NOT NULL'))



def downgrade():
    with op.batch_alter_table('memory_states', schema=None) as batch_op:
        batch_op.drop_index('ix_memory_states_suspended', sqlite_where=sa.text('suspended_reason IS NOT NULL'), postgresql_where=sa.text('suspended_reason IS NOT NULL'))

