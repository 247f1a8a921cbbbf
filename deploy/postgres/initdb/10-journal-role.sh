#!/usr/bin/env bash
# First start of the compose PostgreSQL: the role every service logs in as. Never a superuser
# and never BYPASSRLS, so row-level security binds it; the services create their databases.
set -euo pipefail
psql -v ON_ERROR_STOP=1 -v password="$JOURNAL_DB_PASSWORD" --username "$POSTGRES_USER" <<'SQL'
CREATE ROLE journal LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'password';
SQL
