"""the class's estimate of each question (on its row) and of each set

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 08:49:23.732953

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('class_estimates',
    sa.Column('set_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.Column('learners', sa.Integer(), nullable=False),
    sa.Column('mean', sa.Double(), nullable=True),
    sa.Column('estimated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['set_id'], ['question_sets.id'], name=op.f('fk_class_estimates_set_id_question_sets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('set_id', name=op.f('pk_class_estimates'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('class_easiness', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('class_mean', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('class_learners', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('class_learners')
        batch_op.drop_column('class_mean')
        batch_op.drop_column('class_easiness')

    op.drop_table('class_estimates')
