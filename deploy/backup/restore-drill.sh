#!/usr/bin/env bash
# The restore drill: a private PostgreSQL (initdb in a temporary directory, a free port; the
# machine's own server is never touched) with WAL archived by pgBackRest. It migrates the
# gradebook's database with the release's own migration command, takes a full backup, writes
# marks with their events, loses them (a DELETE by mistake), restores the database to the moment
# before the loss, checks that every mark is back and the mistake is not, and runs the invariant
# checker (python -m chassis.invariants) on the restored database. Prints the times it took.
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

school=00000000-0000-0000-0000-000000000001
course=00000000-0000-0000-0000-000000000002
lesson=00000000-0000-0000-0000-000000000003
# A lesson record and its event, as the service writes them; the relay published it (sent_at).
psql_drill -d journal_gradebook -c "
  INSERT INTO courses (id, school_id, teacher_id, subject_id, subject_name, class_id, class_name)
  VALUES ('$course', '$school', gen_random_uuid(), gen_random_uuid(), 'Математика', gen_random_uuid(), '5А');
  INSERT INTO lessons (id, school_id, course_id, date, topic, version, recorded_by)
  VALUES ('$lesson', '$school', '$course', current_date, 'Дроби', 1, gen_random_uuid());
  INSERT INTO outbox (event_id, type, school_id, envelope, sent_at)
  VALUES (gen_random_uuid(), 'gradebook.lesson.recorded.v1', '$school', jsonb_build_object(
    'subject', '$lesson', 'data', jsonb_build_object('lesson_id', '$lesson', 'version', 1)), now())"

started=$(seconds)
backrest --type=full backup
backed_up=$(seconds)
sleep 1   # the backup's stop time has whole seconds: the target must come after it

write_marks() {  # $1 marks of value $2, each with its event, in one transaction, as the service writes them
  psql_drill -d journal_gradebook -c "
    WITH posted AS (
      INSERT INTO marks (id, school_id, lesson_id, student_id, value, work_type, weight, version, posted_by)
      SELECT gen_random_uuid(), '$school', '$lesson', gen_random_uuid(), '$2', 'answer', 1, 1, gen_random_uuid()
      FROM generate_series(1, $1) RETURNING id)
    INSERT INTO outbox (event_id, type, school_id, envelope, sent_at)
    SELECT gen_random_uuid(), 'gradebook.mark.posted.v1', '$school', jsonb_build_object(
      'subject', id::text, 'data', jsonb_build_object('mark_id', id)), now() FROM posted"
}
write_marks "$rows" 5
target="$(psql_drill -d journal_gradebook -c "SELECT clock_timestamp()")"
sleep 1
psql_drill -d journal_gradebook -c "DELETE FROM marks"   # the loss
write_marks 7 4   # after the loss
psql_drill -c "SELECT pg_switch_wal()" >/dev/null
backrest check   # waits until the WAL with the loss is in the repository

stop_server
restore_started=$(seconds)
backrest --delta --type=time "--target=$target" --target-action=promote restore
as_pg "$pgbin/pg_ctl" -D "$work/data" -l "$work/server.log" -w -t 300 start >/dev/null
until [ "$(psql_drill -c 'SELECT pg_is_in_recovery()')" = f ]; do sleep 0.2; done
restored=$(seconds)

kept="$(psql_drill -d journal_gradebook -c "SELECT count(*) FROM marks WHERE value = '5'")"
after="$(psql_drill -d journal_gradebook -c "SELECT count(*) FROM marks WHERE value = '4'")"
revision="$(psql_drill -d journal_gradebook -c "SELECT version_num FROM alembic_version")"
echo "restore-drill: backup $(printf %.1f "$(echo "$backed_up - $started" | bc)") s," \
  "point-in-time restore to $target $(printf %.1f "$(echo "$restored - $restore_started" | bc)") s;" \
  "$kept of $rows marks back, $after written after the target, schema at $revision"
[ "$kept" = "$rows" ] && [ "$after" = 0 ] && [ -n "$revision" ]

# The restored database reconciles: every mark has its event, no version is missing, nothing waits unsent.
JOURNAL_LOG_LEVEL=WARNING "$python" -m chassis.invariants \
  --database-url "gradebook=postgresql+asyncpg://postgres@127.0.0.1:$port/journal_gradebook"
