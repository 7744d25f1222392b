"""indexes that answer the join of memory rows to the active questions of a set alone

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-30 11:40:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_set_active')
        batch_op.create_index('ix_questions_set_active', ['set_id', 'is_active', 'id'], unique=False)
        batch_op.create_index('ix_questions_id_set_active', ['id', 'set_id', 'is_active'], unique=False)


def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_id_set_active')
        batch_op.drop_index('ix_questions_set_active')
        batch_op.create_index('ix_questions_set_active', ['set_id', 'is_active'], unique=False)
