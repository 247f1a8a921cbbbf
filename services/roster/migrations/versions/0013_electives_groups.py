"""electives and clubs (R-14) as groups of their own: no class, a teacher and a year; places carry a version

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('groups', sa.Column('kind', sa.String(length=16), server_default='subgroup', nullable=False))
    op.alter_column('groups', 'class_id', existing_type=sa.Uuid(), nullable=True)
    op.add_column('groups', sa.Column('teacher_id', sa.Uuid(), nullable=True))
    op.add_column('groups', sa.Column('year_id', sa.Uuid(), nullable=True))
    op.create_foreign_key('groups_teacher_id_fkey', 'groups', 'people', ['teacher_id'], ['id'])
    op.create_foreign_key('groups_year_id_fkey', 'groups', 'academic_years', ['year_id'], ['id'])
    op.create_unique_constraint('groups_year_id_name_key', 'groups', ['year_id', 'name'])
    op.add_column('group_members', sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade() -> None:
    op.drop_column('group_members', 'version')
    op.drop_constraint('groups_year_id_name_key', 'groups', type_='unique')
    op.drop_constraint('groups_year_id_fkey', 'groups', type_='foreignkey')
    op.drop_constraint('groups_teacher_id_fkey', 'groups', type_='foreignkey')
    op.drop_column('groups', 'year_id')
    op.drop_column('groups', 'teacher_id')
    # Row-level security binds the migrations' role too: lifted for the electives' removal.
    for table in ('group_members', 'groups'):
        op.execute(f'ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY')
    op.execute("DELETE FROM group_members WHERE group_id IN (SELECT id FROM groups WHERE kind <> 'subgroup')")
    op.execute("DELETE FROM groups WHERE kind <> 'subgroup'")
    for table in ('group_members', 'groups'):
        op.execute(f'ALTER TABLE {table} FORCE ROW LEVEL SECURITY')
    op.alter_column('groups', 'class_id', existing_type=sa.Uuid(), nullable=False)
    op.drop_column('groups', 'kind')
