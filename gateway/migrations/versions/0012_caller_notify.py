"""caller cache invalidation: a change to a session, person, role or login notifies every gateway instance

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:15:00
"""

from alembic import op


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: Tables whose rows make up a signed-in caller (``gateway.deps``), and the changes that matter.
#: A session's ``last_seen_at`` moving forward (a request used it) changes no caller: only other
#: changes of a session notify (its end, its expiry, its idle clock set back).
#: Region roles are found by ESIA oid, which may belong to a person of any id: they clear every entry.
SESSION_CHANGED = (
    'WHEN (OLD.last_seen_at > NEW.last_seen_at OR '
    '(OLD.person_id, OLD.esia_oid, OLD.csrf_token, OLD.expires_at) IS DISTINCT FROM '
    '(NEW.person_id, NEW.esia_oid, NEW.csrf_token, NEW.expires_at))'
)
ALL_CHANGES = 'INSERT OR UPDATE OR DELETE'
#: (trigger, table, events, condition, whose entries go)
TRIGGERS = [
    ('sessions_ended', 'sessions', 'DELETE', '', 'person'),
    ('sessions_changed', 'sessions', 'UPDATE', SESSION_CHANGED, 'person'),
    *[
        (f'{table}_changed', table, ALL_CHANGES, '', 'person')
        for table in ('people', 'school_roles', 'local_logins', 'compromise_reports')
    ],
    ('region_accounts_changed', 'region_accounts', ALL_CHANGES, '', 'all'),
]


def upgrade() -> None:
    # The payload is the person whose cached callers are stale (gateway.callers); PostgreSQL sends
    # each distinct payload once per transaction, at its commit.
    op.execute(
        """
        CREATE FUNCTION notify_caller_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_ARGV[0] = 'all' THEN
                PERFORM pg_notify('gateway_callers', '*');
                RETURN NULL;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                PERFORM pg_notify('gateway_callers', OLD.person_id::text);
            END IF;
            IF TG_OP <> 'DELETE' THEN
                PERFORM pg_notify('gateway_callers', NEW.person_id::text);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    for name, table, events, when, scope in TRIGGERS:
        op.execute(
            f'CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH ROW {when} '
            f"EXECUTE FUNCTION notify_caller_changed('{scope}')"
        )


def downgrade() -> None:
    for name, table, _, _, _ in TRIGGERS:
        op.execute(f'DROP TRIGGER {name} ON {table}')
    op.execute('DROP FUNCTION notify_caller_changed()')
