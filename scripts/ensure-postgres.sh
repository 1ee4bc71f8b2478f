#!/usr/bin/env bash
# Makes sure the PostgreSQL server the tests use answers; starts the local cluster if it is
# installed but stopped. Usage: scripts/ensure-postgres.sh postgres://user@host:port/db
set -euo pipefail
url=$1
if command -v pg_isready >/dev/null && pg_isready -q -d "$url"; then
  exit 0
fi
if command -v pg_ctlcluster >/dev/null; then
  for v in /etc/postgresql/*; do
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
  done
fi
for _ in $(seq 1 30); do
  if pg_isready -q -d "$url"; then exit 0; fi
  sleep 1
done
echo "PostgreSQL at $url does not answer" >&2
exit 1
