"""the region's period marks counted per class, subject, period and value as they arrive (R-66)

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

from chassis.migrations import enable_tenant_isolation

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "period_mark_counts",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=False),
        sa.Column("subject_name", sa.String(length=200), nullable=False),
        sa.Column("period_name", sa.String(length=100), nullable=False),
        sa.Column("starts", sa.Date(), nullable=False),
        sa.Column("value", sa.String(length=10), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "class_id", "subject_name", "period_name", "starts", "value"),
    )
    op.create_index("period_mark_counts_by_period", "period_mark_counts", ["period_name", "starts", "school_id"])
    # Start the counts from the period marks already stored, read through the region-wide policy (row-level
    # security binds the migrations' role too) before the new table's own policies exist.
    op.execute("SELECT set_config('app.region_read', 'on', true)")
    op.execute("""
        INSERT INTO period_mark_counts (school_id, class_id, subject_name, period_name, starts, value, count)
        SELECT pm.school_id, s.class_id, pm.subject_name, pm.period_name, pm.starts, v.value, count(*)
        FROM period_marks pm
        JOIN students s ON s.school_id = pm.school_id AND s.id = pm.student_id
        CROSS JOIN LATERAL (
            SELECT CASE WHEN pm.not_attested_reason IS NOT NULL THEN 'н/а' ELSE pm.value END AS value
        ) v
        WHERE v.value IN ('5', '4', '3', '2', '1', 'н/а')
        GROUP BY 1, 2, 3, 4, 5, 6
    """)
    op.execute("SELECT set_config('app.region_read', '', true)")
    enable_tenant_isolation("period_mark_counts")


def downgrade() -> None:
    op.drop_table("period_mark_counts")
