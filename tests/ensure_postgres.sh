#!/usr/bin/env bash
# Makes sure the Postgres server the Postgres-target tests use is up on 127.0.0.1:5432.
# With CI=true a server that cannot be started fails the run loudly instead of letting tests skip.
set -uo pipefail
host=${RELAY_PG_HOST:-127.0.0.1}
port=${RELAY_PG_PORT:-5432}
up() { pg_isready -q -h "$host" -p "$port" 2>/dev/null; }
if up; then exit 0; fi
if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
  echo "Postgres is down on $host:$port; starting it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  for _ in $(seq 1 30); do up && exit 0; sleep 1; done
fi
if [ "${CI:-}" = "true" ]; then
  echo "ERROR: no Postgres server on $host:$port and it could not be started; the Postgres tests need it." >&2
  exit 1
fi
echo "WARNING: no Postgres server on $host:$port; Postgres tests will be skipped." >&2
exit 0
