"""replicas guarded by versions: absence days (and a withdrawal as an uncounted tombstone), class teachers,
enrolments by their date

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("absences", sa.Column("version", sa.Integer(), server_default="0", nullable=False))
    op.add_column("absences", sa.Column("counted", sa.Boolean(), server_default=sa.text("true"), nullable=False))
    op.add_column("enrolments", sa.Column("enrolled_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("enrolments", "enrolled_on")
    op.execute("DELETE FROM absences WHERE NOT counted")
    op.drop_column("absences", "counted")
    op.drop_column("absences", "version")
