"""people through the years: card history, movement records, promotion, transfers between schools, ended links

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from chassis.migrations import enable_tenant_isolation

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

#: Tables whose rows carry OneRoster's dateLastModified.
MODIFIED = ('people', 'classes', 'enrolments', 'academic_years')
NEW_TABLES = ('person_changes', 'movements', 'promotions', 'incoming_transfers', 'ended_links', 'import_jobs')


def upgrade() -> None:
    op.add_column('people', sa.Column('phone', sa.String(length=32), nullable=True))
    op.add_column('people', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('people', sa.Column('document_kind', sa.String(length=60), nullable=True))
    op.add_column('people', sa.Column('document_number', sa.String(length=40), nullable=True))
    op.add_column('people', sa.Column('e_service_refused_on', sa.Date(), nullable=True))
    op.add_column('people', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.add_column('people', sa.Column('source_school_id', sa.Uuid(), nullable=True))
    op.add_column('people', sa.Column('source_person_id', sa.Uuid(), nullable=True))
    op.add_column('assignments', sa.Column('ended_on', sa.Date(), nullable=True))
    for table in MODIFIED:
        op.add_column(
            table, sa.Column('modified_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False)
        )
    op.create_table(
        'person_changes',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('person_id', sa.Uuid(), sa.ForeignKey('people.id'), nullable=False),
        sa.Column('field', sa.String(length=40), nullable=False),
        sa.Column('old', sa.String(length=500), nullable=True),
        sa.Column('new', sa.String(length=500), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('changed_by', sa.Uuid(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_person_changes_person_id', 'person_changes', ['person_id'])
    op.create_table(
        'movements',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('student_id', sa.Uuid(), sa.ForeignKey('people.id'), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('moved_on', sa.Date(), nullable=False),
        sa.Column('from_class_id', sa.Uuid(), sa.ForeignKey('classes.id'), nullable=True),
        sa.Column('to_class_id', sa.Uuid(), sa.ForeignKey('classes.id'), nullable=True),
        sa.Column('order_number', sa.String(length=60), nullable=True),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('other_school_id', sa.Uuid(), nullable=True),
        sa.Column('other_school_name', sa.String(length=500), nullable=True),
        sa.Column('debt_subjects', postgresql.ARRAY(sa.String(length=200)), server_default='{}', nullable=False),
        sa.Column('debt_deadline', sa.Date(), nullable=True),
        sa.Column('recorded_by', sa.Uuid(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_movements_student_id', 'movements', ['student_id'])
    op.create_index('movements_school_day', 'movements', ['school_id', 'moved_on'])
    op.create_table(
        'promotions',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('from_year', sa.String(length=9), nullable=False),
        sa.Column('to_year', sa.String(length=9), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('summary', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('run_by', sa.Uuid(), nullable=False),
        sa.Column('run_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'from_year'),
    )
    op.create_table(
        'incoming_transfers',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('source_school_id', sa.Uuid(), nullable=False),
        sa.Column('source_school_name', sa.String(length=500), nullable=False),
        sa.Column('source_student_id', sa.Uuid(), nullable=False),
        sa.Column('person', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('history', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('grade', sa.SmallInteger(), nullable=True),
        sa.Column('left_on', sa.Date(), nullable=False),
        sa.Column('order_number', sa.String(length=60), nullable=False),
        sa.Column('offered_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('person_id', sa.Uuid(), sa.ForeignKey('people.id'), nullable=True),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('school_id', 'source_school_id', 'source_student_id'),
    )
    op.create_table(
        'ended_links',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('person_id', sa.Uuid(), sa.ForeignKey('people.id'), nullable=False),
        sa.Column('detail', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('ended_by', sa.Uuid(), nullable=False),
        sa.Column('ended_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ended_links_person_id', 'ended_links', ['person_id'])
    op.create_table(
        'import_jobs',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('school_id', sa.Uuid(), sa.ForeignKey('schools.id'), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('filename', sa.String(length=300), nullable=False),
        sa.Column('academic_year', sa.String(length=9), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('mode', sa.String(length=8), nullable=True),
        sa.Column('total_rows', sa.Integer(), nullable=False),
        sa.Column('valid_rows', sa.Integer(), nullable=False),
        sa.Column('existing_rows', sa.Integer(), nullable=False),
        sa.Column('rows', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('errors', postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column('applied_rows', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=1000), nullable=True),
        sa.Column('created_by', sa.Uuid(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    # The worker looks for jobs to resume across schools.
    op.create_index('import_jobs_applying', 'import_jobs', ['status'], postgresql_where=sa.text("status = 'applying'"))
    for table in NEW_TABLES:
        enable_tenant_isolation(table)


def downgrade() -> None:
    for table in reversed(NEW_TABLES):
        op.drop_table(table)
    op.drop_column('assignments', 'ended_on')
    for table in MODIFIED:
        op.drop_column(table, 'modified_at')
    for column in (
        'source_person_id', 'source_school_id', 'version', 'e_service_refused_on',
        'document_number', 'document_kind', 'email', 'phone',
    ):
        op.drop_column('people', column)
