#!/usr/bin/env bash
# Load benchmark of an authenticated read (issue: access control):
#   GET /bench/__ctl/Role('r1') with an AR~ token whose account holds 10 roles, each granted by
#   the cell ACL — token check, role lookup, ACL decision and the entity read on every request.
# Target: p99 under 5 ms at 64 connections.
#
# Three measurements, all with wrk from this machine:
#   saturated  closed loop at CONNS connections (each sends as soon as it has its answer): the
#              throughput; its p99 is mostly queueing and CPU scheduling, since wrk and the
#              server share the 2 cores;
#   paced      64 connections, each waiting PAUSE_MS (5) after every answer: 64 clients with a
#              little think time (about 10,000 requests/s offered on the reference machine). The
#              target is checked here;
#   floor      GET / (no database, no token) saturated at 64 connections: the p99 this machine
#              gives a request that does nothing, for reading the saturated p99 against.
#
#   bench/auth.sh [path/to/unitcell]      # no argument: cargo build --release
#   BACKEND=postgres bench/auth.sh        # PostgreSQL in a fresh database (dropped afterwards),
#                                         # over loopback without TLS (PG_PARAMS, default
#                                         # "?sslmode=disable"; PG_PARAMS= keeps libpq's default)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA_DIR="$ROOT/bench/lua"
DURATION=${DURATION:-10s}
PAUSE_MS=${PAUSE_MS:-5}
CONNS=${CONNS:-"1 16 64"}
BACKEND=${BACKEND:-sqlite}
TARGET_P99_MS=${TARGET_P99_MS:-5}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
if [ $# -ge 1 ]; then BIN=$(realpath "$1"); else
  (cd "$ROOT" && cargo build --release --quiet); BIN="$ROOT/target/release/unitcell"; fi
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }

data=$(mktemp -d); pid=""; pg_db=""
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [ -n "$pg_db" ] && dropdb -h 127.0.0.1 -U postgres --if-exists "$pg_db" 2>/dev/null || true
  rm -rf "$data"
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
mt="bench-master-$RANDOM$RANDOM"
env_db=()
if [ "$BACKEND" = postgres ]; then
  pg_db="bench_auth_$RANDOM$RANDOM"
  createdb -h 127.0.0.1 -U postgres "$pg_db"
  env_db=(UNITCELL__DB__URL="postgres://postgres@127.0.0.1:5432/$pg_db${PG_PARAMS-?sslmode=disable}")
fi
env "${env_db[@]}" ${BENCH_ENV:-} UNITCELL__UNIT__MASTER_TOKEN="$mt" "$BIN" serve --listen "127.0.0.1:$port" \
  --unit-url "$base/" --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "$base/__status" >/dev/null 2>&1 && break; sleep 0.1; done

post() { curl -fsS -o /dev/null -X POST "$base$1" -H "Authorization: Bearer $mt" -H "Content-Type: application/json" "${@:3}" -d "$2"; }
post /__ctl/Cell '{"Name":"bench"}'
post /bench/__ctl/Account '{"Name":"me"}' -H "X-Personium-Credential: bench-pass"
aces=""
for i in $(seq 1 10); do
  post /bench/__ctl/Role "{\"Name\":\"r$i\"}"
  post "/bench/__ctl/Account('me')/\$links/_Role" "{\"uri\":\"$base/bench/__ctl/Role('r$i')\"}"
  aces="$aces<D:ace><D:principal><D:href>r$i</D:href></D:principal><D:grant><D:privilege><p:auth-read/></D:privilege></D:grant></D:ace>"
done
curl -fsS -o /dev/null -X ACL "$base/bench/" -H "Authorization: Bearer $mt" -d \
  "<D:acl xmlns:D=\"DAV:\" xmlns:p=\"urn:x-personium:xmlns\" xml:base=\"$base/bench/__role/__/\">$aces</D:acl>"
token=$(curl -fsS -X POST "$base/bench/__token" -d grant_type=password -d username=me -d password=bench-pass \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
url="$base/bench/__ctl/Role('r1')"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" "$url")" = 200 ] || { log "token check failed"; exit 1; }

# Server CPU time (user + system) per request: steadier than latency when the machine is busy.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
tick_hz=$(getconf CLK_TCK)
printf '%-8s %-10s %-6s %10s %9s %9s %8s %12s\n' backend mode conns req/s p50_ms p99_ms non2xx cpu_us/req
status=0
# run MODE CONNS SCRIPT URL [TOKEN]: one wrk run and its line; sets p99 and bad.
run() {
  local mode=$1 c=$2 script=$3 target=$4 tok=${5:-} threads t0 t1 line rps p50 total errs cpu_us
  threads=$(( c < 2 ? 1 : 2 ))
  t0=$(cpu_ticks)
  line=$(cd "$LUA_DIR" && LUA_DIR="$LUA_DIR" TOKEN="$tok" PAUSE_MS="$PAUSE_MS" wrk -t"$threads" -c"$c" \
    -d"$DURATION" --timeout 10s -s "$LUA_DIR/$script" "$target" | grep '^RESULT')
  t1=$(cpu_ticks)
  read -r _ rps p50 p99 total bad errs <<<"$line"
  bad=$((bad + errs))
  cpu_us=$(python3 -c "print(round(($t1 - $t0) * 1e6 / $tick_hz / max($total, 1), 1))")
  printf '%-8s %-10s %-6s %10s %9s %9s %8s %12s\n' "$BACKEND" "$mode" "$c" "$rps" "$p50" "$p99" "$bad" "$cpu_us"
  [ "$bad" = 0 ] || status=1
}
for c in $CONNS; do run saturated "$c" get.lua "$url" "$token"; done
run paced 64 paced.lua "$url" "$token"
python3 -c "import sys; sys.exit(0 if $p99 < $TARGET_P99_MS else 1)" || status=1
paced_p99=$p99
run floor 64 get.lua "$base/"
[ "$status" = 0 ] && log "target met: p99 ${paced_p99} ms < ${TARGET_P99_MS} ms at 64 paced connections" \
  || log "target NOT met (paced p99 ${paced_p99} ms, target ${TARGET_P99_MS} ms; or non-2xx answers)"
exit "$status"
