"""answers keyed by session step; revocable logins

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 23:20:00

"""
from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_step', sa.Integer(), nullable=True))
        batch_op.create_index(
            'uq_review_logs_session_step',
            ['session_id', 'session_step'],
            unique=True,
            sqlite_where=sa.text('undone_at IS NULL'),
            postgresql_where=sa.text('undone_at IS NULL'),
        )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_version', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
    with op.batch_alter_table('review_logs', schema=None) as batch_op:
        batch_op.drop_index('uq_review_logs_session_step')
        batch_op.drop_column('session_step')
