#!/usr/bin/env bash
# The restore drill: a private PostgreSQL (initdb in a temporary directory, a free port; the
# machine's own server is never touched) with WAL archived by pgBackRest. It migrates the
# gradebook's database with the release's own migration command, takes a full backup, writes
# events, loses them (a DELETE by mistake), restores the database to the moment before the
# loss, and checks that every row is back and the mistake is not. Prints the times it took.
#   bash deploy/backup/restore-drill.sh            (needs pgbackrest: apt-get install pgbackrest)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
python="${PYTHON:-$repo/.venv/bin/python}"
pgbin="/usr/lib/postgresql/$(ls /usr/lib/postgresql | sort -V | tail -1)/bin"
work="$(mktemp -d /tmp/journal-restore-drill.XXXXXX)"
port="$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
stanza=drill
rows=500

# PostgreSQL refuses to run as root: the private server and pgBackRest run as `postgres` then.
if [ "$(id -u)" = 0 ]; then as_pg() { runuser -u postgres -- "$@"; }; chown postgres "$work"; else as_pg() { "$@"; }; fi
psql_drill() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -At "$@"; }
stop_server() { as_pg "$pgbin/pg_ctl" -D "$work/data" -m fast -w stop >/dev/null 2>&1 || true; }
trap 'stop_server; rm -rf "$work"' EXIT
seconds() { date +%s.%N; }

cat >"$work/pgbackrest.conf" <<CONF
[global]
repo1-path=$work/repo
repo1-retention-full=1
log-path=$work/log
lock-path=$work/lock
log-level-console=warn
log-level-file=info
start-fast=y
archive-timeout=60

[$stanza]
pg1-path=$work/data
pg1-port=$port
pg1-host-user=postgres
pg1-socket-path=$work
CONF
backrest() { as_pg pgbackrest --config="$work/pgbackrest.conf" --stanza="$stanza" "$@"; }

as_pg mkdir "$work/log" "$work/lock"
as_pg "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust >/dev/null
cat >>"$work/data/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
archive_mode = on
archive_command = 'pgbackrest --config=$work/pgbackrest.conf --stanza=$stanza archive-push %p'
archive_timeout = 60
CONF
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start >/dev/null
backrest stanza-create
backrest check

# The gradebook's real schema, by the command the migration Job runs.
JOURNAL_PROFILE=development JOURNAL_LOG_LEVEL=WARNING \
  JOURNAL_ADMIN_DATABASE_URL="postgresql://postgres@127.0.0.1:$port/postgres" \
  JOURNAL_DATABASE_URL="postgresql+asyncpg://journal@127.0.0.1:$port/journal_gradebook" \
  "$python" -m chassis.migrations gradebook.main:app

started=$(seconds)
backrest --type=full backup
backed_up=$(seconds)
sleep 1   # the backup's stop time has whole seconds: the target must come after it

write_events() {  # $1 events of type $2, one transaction each, as the service writes them
  psql_drill -d journal_gradebook -c "
    INSERT INTO outbox (event_id, type, school_id, envelope)
    SELECT gen_random_uuid(), '$2', '00000000-0000-0000-0000-000000000001',
           jsonb_build_object('n', n) FROM generate_series(1, $1) AS n"
}
write_events "$rows" gradebook.mark.recorded.v1
target="$(psql_drill -d journal_gradebook -c "SELECT clock_timestamp()")"
sleep 1
psql_drill -d journal_gradebook -c "DELETE FROM outbox"   # the loss
write_events 7 after.the.loss.v1
psql_drill -c "SELECT pg_switch_wal()" >/dev/null
backrest check   # waits until the WAL with the loss is in the repository

stop_server
restore_started=$(seconds)
backrest --delta --type=time "--target=$target" --target-action=promote restore
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 300 start >/dev/null
until [ "$(psql_drill -c 'SELECT pg_is_in_recovery()')" = f ]; do sleep 0.2; done
restored=$(seconds)

kept="$(psql_drill -d journal_gradebook -c "SELECT count(*) FROM outbox WHERE type = 'gradebook.mark.recorded.v1'")"
after="$(psql_drill -d journal_gradebook -c "SELECT count(*) FROM outbox WHERE type = 'after.the.loss.v1'")"
revision="$(psql_drill -d journal_gradebook -c "SELECT version_num FROM alembic_version")"
echo "restore-drill: backup $(printf %.1f "$(echo "$backed_up - $started" | bc)") s," \
  "point-in-time restore to $target $(printf %.1f "$(echo "$restored - $restore_started" | bc)") s;" \
  "$kept of $rows events back, $after written after the target, schema at $revision"
[ "$kept" = "$rows" ] && [ "$after" = 0 ] && [ -n "$revision" ]
