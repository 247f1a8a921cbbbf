"""the region's periods read from an index of (period name, first day) instead of every period mark

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "period_marks_periods",
        "period_marks",
        ["period_name", "starts", "school_id"],
        postgresql_where=sa.text("value IS NOT NULL OR not_attested_reason IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("period_marks_periods", table_name="period_marks")
