"""152-ФЗ: subjects' requests (arts. 14, 20, 21) and the breach register (art. 21 part 3.1)

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('subject_requests',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('requester_id', sa.Uuid(), nullable=False),
    sa.Column('requester_name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('subject_id', sa.Uuid(), nullable=False),
    sa.Column('subject_name', sa.String(length=300), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=True),
    sa.Column('mark_id', sa.Uuid(), nullable=True),
    sa.Column('wanted', sa.Text(), nullable=True),
    sa.Column('received_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('owner', sa.String(length=20), nullable=False),
    sa.Column('owner_ref', sa.Uuid(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('answered_by', sa.Uuid(), nullable=True),
    sa.Column('answered_by_name', sa.String(length=300), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('sent', postgresql.JSONB(astext_type=sa.Text()), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_subject_requests_school_id', 'subject_requests', ['school_id'])
    op.create_index('ix_subject_requests_requester_id', 'subject_requests', ['requester_id'])
    op.create_table('breach_incidents',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('school_id', sa.Uuid(), nullable=False),
    sa.Column('detected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('measures', sa.Text(), nullable=True),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=False),
    sa.Column('recorded_by_name', sa.String(length=300), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_breach_incidents_school_id', 'breach_incidents', ['school_id'])


def downgrade() -> None:
    op.drop_table('breach_incidents')
    op.drop_table('subject_requests')
