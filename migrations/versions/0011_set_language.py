"""a set's language

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30 00:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_sets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), server_default='en', nullable=False))



def downgrade():
    with op.batch_alter_table('question_sets', schema=None) as batch_op:
        batch_op.drop_column('language')

