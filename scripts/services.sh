#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the tests use are answering, starting them if they are
# installed but stopped; leaves them alone when they already run.
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}; PGPORT=${PGPORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 60); do port_open "$1" "$2" && return 0; sleep 0.5; done
  echo "error: nothing answers on $1:$2" >&2; return 1
}

if ! port_open "$PGHOST" "$PGPORT"; then
  if command -v pg_ctlcluster >/dev/null && ls /etc/postgresql >/dev/null 2>&1; then
    echo "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  else
    echo "error: PostgreSQL is not running on $PGHOST:$PGPORT and is not installed here" >&2; exit 1
  fi
  wait_port "$PGHOST" "$PGPORT"
fi

if ! port_open 127.0.0.1 "$REDIS_PORT"; then
  if command -v redis-server >/dev/null; then
    echo "starting Redis"
    redis-server --daemonize yes --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no
  else
    echo "error: Redis is not running on 127.0.0.1:$REDIS_PORT and is not installed here" >&2; exit 1
  fi
  wait_port 127.0.0.1 "$REDIS_PORT"
fi
