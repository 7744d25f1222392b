"""a learner's holds on a question (suspended, buried) and flags for the instructor

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 06:24:27.561211

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('question_flags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_flags_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_question_flags_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_flags'))
    )
    with op.batch_alter_table('question_flags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_flags_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_flags_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('memory_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suspended_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('suspended_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('buried_until', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('memory_states', schema=None) as batch_op:
        batch_op.drop_column('buried_until')
        batch_op.drop_column('suspended_reason')
        batch_op.drop_column('suspended_at')

    with op.batch_alter_table('question_flags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_flags_user_id'))
        batch_op.drop_index(batch_op.f('ix_question_flags_question_id'))

    op.drop_table('question_flags')
