"""delivery: channels per kind, school delivery settings, push subscriptions, the delivery outbox

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from chassis.migrations import enable_tenant_isolation

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notification_preferences", sa.Column("channels", postgresql.JSONB(), server_default=sa.text("'{}'::jsonb"), nullable=False))
    op.add_column("notification_preferences", sa.Column("digest", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    # The old yes/no per channel becomes the same channels for marks and absences, the kinds there were.
    op.execute("""
        UPDATE notification_preferences SET channels = jsonb_build_object(
            'mark', to_jsonb(array_remove(ARRAY[CASE WHEN email THEN 'email' END, CASE WHEN sms THEN 'sms' END], NULL)),
            'absence', to_jsonb(array_remove(ARRAY[CASE WHEN email THEN 'email' END, CASE WHEN sms THEN 'sms' END], NULL)))
    """)
    op.drop_column("notification_preferences", "email")
    op.drop_column("notification_preferences", "sms")
    op.create_table(
        "school_delivery_settings",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("quiet_start", sa.Time(), server_default=sa.text("'21:00'"), nullable=False),
        sa.Column("quiet_end", sa.Time(), server_default=sa.text("'08:00'"), nullable=False),
        sa.Column("digest_time", sa.Time(), server_default=sa.text("'18:00'"), nullable=False),
        sa.Column("sms_monthly_limit", sa.Integer(), server_default=sa.text("1000"), nullable=False),
        sa.Column("last_digest_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("school_id"),
    )
    op.create_table(
        "push_subscriptions",
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("endpoint", sa.String(length=1000), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("p256dh", sa.String(length=200), nullable=False),
        sa.Column("auth", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("school_id", "endpoint"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("recipient_id", sa.Uuid(), nullable=False),
        sa.Column("notification_id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=10), server_default=sa.text("'pending'"), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(length=100), nullable=True),
        sa.Column("sms_parts", sa.Integer(), nullable=True),
        sa.Column("digest_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("notification_id", "channel"),
    )
    op.create_index("deliveries_due", "deliveries", ["not_before"], postgresql_where=sa.text("state = 'pending'"))
    op.create_index("deliveries_school_state", "deliveries", ["school_id", "state"])
    for table in ("school_delivery_settings", "push_subscriptions"):
        enable_tenant_isolation(table)


def downgrade() -> None:
    op.drop_table("deliveries")
    op.drop_table("push_subscriptions")
    op.drop_table("school_delivery_settings")
    op.add_column("notification_preferences", sa.Column("email", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.add_column("notification_preferences", sa.Column("sms", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.drop_column("notification_preferences", "digest")
    op.drop_column("notification_preferences", "channels")
