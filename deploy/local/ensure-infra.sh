#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ answer on localhost: installs them from Debian's
# packages when missing, starts them when stopped. Idempotent; prints what it did.
set -euo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" && return 0; sleep 1; done
  echo "ensure-infra: $2 did not come up on port $1" >&2; exit 1
}

if ! port_open 5432; then
  if ! command -v pg_ctlcluster >/dev/null; then
    echo "ensure-infra: installing PostgreSQL"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  hba="/etc/postgresql/$version/main/pg_hba.conf"
  # Local development trusts loopback connections, as the machines here do.
  if ! as_root grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
    as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\nlocal all all trust' "$hba"
  fi
  echo "ensure-infra: starting PostgreSQL $version"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_port 5432 PostgreSQL
fi

# A test run keeps about 150 connections open per pytest-xdist worker (two), and two runs may share the machine.
wanted_connections=700
if [ "$(psql -h 127.0.0.1 -U postgres -Atc 'SHOW max_connections')" -lt "$wanted_connections" ]; then
  echo "ensure-infra: raising PostgreSQL's max_connections to $wanted_connections (a restart)"
  psql -h 127.0.0.1 -U postgres -qc "ALTER SYSTEM SET max_connections = $wanted_connections"
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  as_root pg_ctlcluster --skip-systemctl-redirect "$version" main restart
  wait_port 5432 PostgreSQL
fi

# The restore drill (deploy/backup/restore-drill.sh, run by the tests) backs up with pgBackRest.
if ! command -v pgbackrest >/dev/null; then
  echo "ensure-infra: installing pgBackRest"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pgbackrest >/dev/null
fi

if ! port_open 5672; then
  if ! command -v rabbitmq-server >/dev/null; then
    echo "ensure-infra: installing RabbitMQ"
    as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
  fi
  echo "ensure-infra: starting RabbitMQ"
  as_root rabbitmq-server -detached || true
  wait_port 5672 RabbitMQ
fi

# Each quorum queue keeps about three files open, and RabbitMQ takes the descriptors for connections from
# what is left: under Debian's default of 1024 a few hundred queues (a test run beside a demo and another run)
# leave none, and the broker stops accepting connections without an alarm. Its environment file (read after
# `su rabbitmq`, which applies the default) raises the limit to the hard one; a node running below it restarts.
rabbitmq_env=/etc/rabbitmq/rabbitmq-env.conf
if ! as_root grep -qs '^ulimit -n' "$rabbitmq_env"; then
  echo 'ulimit -n "$(ulimit -Hn)"' | as_root tee -a "$rabbitmq_env" >/dev/null
fi
rabbitmq_pid="$(ss -ltnpH 'sport = :5672' | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true)"
if [ -n "$rabbitmq_pid" ] && as_root awk '/Max open files/ { exit !($4 < 16384 && $4 < $5) }' "/proc/$rabbitmq_pid/limits"; then
  echo "ensure-infra: restarting RabbitMQ with more file descriptors"
  as_root timeout 60 rabbitmqctl -q stop || as_root kill -9 "$rabbitmq_pid"
  for _ in $(seq 1 30); do port_open 5672 || break; sleep 1; done
  as_root rabbitmq-server -detached || true
  wait_port 5672 RabbitMQ
fi

# The management API: `make run` and the tests make the services' users and policies through it, as a deploy does.
if ! port_open 15672; then
  echo "ensure-infra: enabling RabbitMQ's management API"
  as_root rabbitmq-plugins -q enable rabbitmq_management >/dev/null
  wait_port 15672 "RabbitMQ's management API"
fi

# OpenSSL's GOST engine: the tests cross-check the pure-Python GOST signer against it (docs/security.md).
if ! openssl engine gost >/dev/null 2>&1; then
  echo "ensure-infra: installing OpenSSL's GOST engine"
  as_root apt-get update -qq && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libengine-gost-openssl >/dev/null \
    || echo "ensure-infra: libengine-gost-openssl not installed; the GOST cross-check tests will be skipped" >&2
fi
