"""reports: schools, class grades, reporting periods, lesson teachers; the journal's states; journal reads; report jobs

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from chassis.migrations import enable_tenant_isolation

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def state_columns() -> list[sa.Column]:
    """What every state row of the journal carries: the event, its record's version and time, class and date."""
    return [
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "schools",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("short_name", sa.String(length=200), nullable=False),
        sa.Column("municipality", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("school_id"),
    )
    op.create_table(
        "class_grades",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("grade", sa.SmallInteger(), nullable=False),
        sa.Column("academic_year", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "class_id"),
    )
    op.create_table(
        "period_schemes",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("scheme_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("grades", postgresql.ARRAY(sa.Integer()), nullable=False),
        sa.Column("periods", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "scheme_id"),
    )
    op.create_table(
        "lesson_teachers",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("teacher_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "lesson_id"),
    )
    op.create_table(
        "lesson_states",
        *state_columns(),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("homework", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("school_id", "event_id"),
    )
    op.create_index("lesson_states_by_class", "lesson_states", ["school_id", "class_id", "subject_id", "date"])
    op.create_table(
        "mark_states",
        *state_columns(),
        sa.Column("mark_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("value", sa.String(length=10), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "event_id"),
    )
    op.create_index("mark_states_by_class", "mark_states", ["school_id", "class_id", "subject_id", "date"])
    op.create_table(
        "absence_states",
        *state_columns(),
        sa.Column("absence_id", sa.Uuid(), nullable=False),
        sa.Column("lesson_id", sa.Uuid(), nullable=False),
        sa.Column("student_id", sa.Uuid(), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "event_id"),
    )
    op.create_index("absence_states_by_class", "absence_states", ["school_id", "class_id", "date"])
    op.create_table(
        "journal_reads",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reader_id", sa.Uuid(), nullable=False),
        sa.Column("reader_name", sa.String(length=300), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "id"),
    )
    op.create_table(
        "report_jobs",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("done_steps", sa.Integer(), nullable=False),
        sa.Column("total_steps", sa.Integer(), nullable=False),
        sa.Column("file_key", sa.String(length=512), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("school_id", "id"),
    )
    for table in TABLES:
        enable_tenant_isolation(table)


TABLES = (
    "schools",
    "class_grades",
    "period_schemes",
    "lesson_teachers",
    "lesson_states",
    "mark_states",
    "absence_states",
    "journal_reads",
    "report_jobs",
)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
