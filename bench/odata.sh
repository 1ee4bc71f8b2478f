#!/usr/bin/env bash
# Load benchmark of OData user data (issue: OData service collections), through the release
# binary:
#   filter   GET {col}/Item?$filter=...&$top=25 on an EntityType of TARGET entities (100,000)
#            among TOTAL (1,000,000) in the unit: equality on an Int32 property (one match) and
#            a range on a Double property (25 matches), each with a random value per request;
#            target p50 < 5 ms (measured at 1 connection, and at 16 for throughput);
#   create   POST {col}/Item with a new entity per request at 16 connections (a new __id each
#            time, index upkeep included); target >= 2,000 creates/s;
#   batch    one POST {col}/$batch of 1,000 creates; target under 1 s on SQLite;
#   sort     GET {col}/Item?$orderby=price asc|desc&$top=25 (a random $skip under 100): served
#            by the property's index in both directions; checked against the same p50 target.
# The TARGET + filler entities are loaded straight into the database (a bulk INSERT ... SELECT
# with the same JSON the server writes) after the schema was made through the API: making a
# million entities over HTTP would take longer than the benchmark itself.
#
#   bench/odata.sh [path/to/unitcell]     # no argument: cargo build --release
#   BACKEND=postgres bench/odata.sh       # PostgreSQL in a fresh database (dropped afterwards)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA_DIR="$ROOT/bench/lua"
DURATION=${DURATION:-10s}
BACKEND=${BACKEND:-sqlite}
TARGET=${TARGET:-100000}
TOTAL=${TOTAL:-1000000}

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
if [ $# -ge 1 ]; then BIN=$(realpath "$1"); else
  (cd "$ROOT" && cargo build --release --quiet); BIN="$ROOT/target/release/unitcell"; fi
command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }; }
command -v sqlite3 >/dev/null || apt-get install -y -qq sqlite3 >/dev/null

data=$(mktemp -d); pid=""; pg_db=""
cleanup() {
  [ -n "$pid" ] && { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  [ -n "$pg_db" ] && dropdb -h 127.0.0.1 -U postgres --if-exists "$pg_db" 2>/dev/null || true
  if [ -n "${KEEP_DATA:-}" ]; then log "data kept in $data"; else rm -rf "$data"; fi
}
trap cleanup EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
mt="bench-master-$RANDOM$RANDOM"
env_db=()
if [ "$BACKEND" = postgres ]; then
  pg_db="bench_odata_$RANDOM$RANDOM"
  createdb -h 127.0.0.1 -U postgres "$pg_db"
  env_db=(UNITCELL__DB__URL="postgres://postgres@127.0.0.1:5432/$pg_db${PG_PARAMS-?sslmode=disable}")
fi
env "${env_db[@]}" ${BENCH_ENV:-} UNITCELL__UNIT__MASTER_TOKEN="$mt" "$BIN" serve --listen "127.0.0.1:$port" \
  --unit-url "$base/" --data-dir "$data" >"$data/server.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do curl -fs "$base/__status" >/dev/null 2>&1 && break; sleep 0.1; done

call() { curl -fsS -o /dev/null -X "$1" "$base$2" -H "Authorization: Bearer $mt" "${@:3}"; }
post() { call POST "$1" -H "Content-Type: application/json" -d "$2"; }
post /__ctl/Cell '{"Name":"bench"}'
post /bench/__ctl/Box '{"Name":"app"}'
call MKCOL /bench/app/od -d '<D:mkcol xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns"><D:set><D:prop><D:resourcetype><D:collection/><p:odata/></D:resourcetype></D:prop></D:set></D:mkcol>'
meta=/bench/app/od/\$metadata
for t in Item Filler; do
  post "$meta/EntityType" "{\"Name\":\"$t\"}"
  post "$meta/Property" "{\"Name\":\"name\",\"_EntityType.Name\":\"$t\",\"Type\":\"Edm.String\"}"
  post "$meta/Property" "{\"Name\":\"n\",\"_EntityType.Name\":\"$t\",\"Type\":\"Edm.Int32\"}"
  post "$meta/Property" "{\"Name\":\"price\",\"_EntityType.Name\":\"$t\",\"Type\":\"Edm.Double\"}"
done

# sql STATEMENT: runs one statement on the server's database, prints its rows.
if [ "$BACKEND" = postgres ]; then
  sql() { psql -h 127.0.0.1 -U postgres -d "$pg_db" -qtAX -c "$1"; }
  series() { echo "generate_series(0, $1 - 1) AS s(i)"; }
  json() { echo "jsonb_build_object('$1', 'name-' || i, '$2', i, '$3', i / 10.0)"; }
else
  sql() { sqlite3 -cmd ".timeout 10000" "$data/unitcell.db" "$1"; }
  series() { echo "(WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < $1 - 1) SELECT i FROM r) AS s"; }
  json() { echo "json_object('$1', 'name-' || i, '$2', i, '$3', i / 10.0)"; }
fi
key() { sql "SELECT p.json_key FROM odata_properties p JOIN odata_entity_types t ON t.id = p.entity_type_id WHERE t.name = '$1' AND p.name = '$2'"; }
load() { # load TYPE COUNT
  local tid k1 k2 k3 now
  tid=$(sql "SELECT id FROM odata_entity_types WHERE name = '$1'")
  k1=$(key "$1" name); k2=$(key "$1" n); k3=$(key "$1" price)
  now=$(date +%s%3N)
  sql "INSERT INTO odata_entities (type_id, id, body, published, updated) \
       SELECT '$tid', '$1-' || i, $(json "$k1" "$k2" "$k3"), $now, $now FROM $(series "$2")"
}
log "loading $TARGET Item and $((TOTAL - TARGET)) Filler entities"
load Filler $((TOTAL - TARGET))
load Item "$TARGET"
# The server refreshes planner statistics every few thousand creates (SQLite) or autovacuum
# does (PostgreSQL); rows loaded behind its back need the same once. On SQLite the server's
# connections reload statistics with the schema, so this replaces the same empty view its own
# refresh does (db::dialect::refresh_statistics).
if [ "$BACKEND" = postgres ]; then sql "ANALYZE odata_entities"; else
  sql "ANALYZE; DROP VIEW IF EXISTS unitcell_statistics_epoch; CREATE VIEW unitcell_statistics_epoch AS SELECT 1 AS epoch;"; fi
count=$(curl -fsS "$base/bench/app/od/Item?\$top=0&\$inlinecount=allpages&\$format=json" -H "Authorization: Bearer $mt" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["d"]["__count"])')
[ "$count" = "$TARGET" ] || { log "expected $TARGET Item entities, the API counts $count"; exit 1; }

# One $batch of BATCH (1,000) creates in one changeset; target under 1 s on SQLite.
BATCH=${BATCH:-1000}
python3 - "$data/batch.txt" "$BATCH" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
ops = "".join(
    "--c1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n"
    "POST Item HTTP/1.1\r\nContent-Type: application/json\r\n\r\n"
    '{"__id":"batch-%d","name":"b","n":%d,"price":%d.5}\r\n' % (i, i, i)
    for i in range(n))
body = ("--b1\r\nContent-Type: multipart/mixed; boundary=c1\r\n\r\n" + ops + "--c1--\r\n--b1--\r\n")
open(path, "w").write(body)
PY
batch_s=$(curl -fsS -o "$data/batch.out" -w '%{time_total}' -X POST "$base/bench/app/od/\$batch" \
  -H "Authorization: Bearer $mt" -H "Content-Type: multipart/mixed; boundary=b1" --data-binary "@$data/batch.txt")
made=$(grep -c '^HTTP/1.1 201' "$data/batch.out" || true)
printf '%-8s %-14s %s creates in %s s\n' "$BACKEND" batch_create "$made" "$batch_s"
[ "$made" = "$BATCH" ] || { log "batch: $made of $BATCH created"; exit 1; }
python3 -c "import sys; sys.exit(0 if $batch_s < 1 else 1)" || log "batch: ${batch_s} s is not under 1 s"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
tick_hz=$(getconf CLK_TCK)
printf '%-8s %-14s %-6s %10s %9s %9s %8s %12s\n' backend case conns req/s p50_ms p99_ms non2xx cpu_us/req
status=0
# run CASE CONNS SCRIPT URL [env...]: one wrk run and its line; sets rps and p50.
run() {
  local name=$1 c=$2 script=$3 target=$4 threads t0 t1 line p99 total bad errs cpu_us
  threads=$(( c < 2 ? 1 : 2 ))
  t0=$(cpu_ticks)
  line=$(cd "$LUA_DIR" && env LUA_DIR="$LUA_DIR" TOKEN="$mt" "${@:5}" wrk -t"$threads" -c"$c" \
    -d"$DURATION" --timeout 10s -s "$LUA_DIR/$script" "$target" | grep '^RESULT')
  t1=$(cpu_ticks)
  read -r _ rps p50 p99 total bad errs <<<"$line"
  bad=$((bad + errs))
  cpu_us=$(python3 -c "print(round(($t1 - $t0) * 1e6 / $tick_hz / max($total, 1), 1))")
  printf '%-8s %-14s %-6s %10s %9s %9s %8s %12s\n' "$BACKEND" "$name" "$c" "$rps" "$p50" "$p99" "$bad" "$cpu_us"
  [ "$bad" = 0 ] || status=1
}
check_p50() { python3 -c "import sys; sys.exit(0 if $p50 < 5 else 1)" || { log "$1: p50 $p50 ms is not under 5 ms"; status=1; }; }
eq='/bench/app/od/Item?$filter=n%20eq%20{n}&$top=25'
range='/bench/app/od/Item?$filter=price%20ge%20{n}%20and%20price%20lt%20{m}&$top=25'
# Sorts on a declared property, both directions (nulls last in both): the index serves each.
for dir in asc desc; do
  run "sort_$dir" 1 query.lua "$base" QUERY="/bench/app/od/Item?\$orderby=price%20$dir&\$top=25&\$skip={n}" N_MAX=100
  check_p50 "sort_$dir"
done
for c in 1 16; do
  run filter_eq "$c" query.lua "$base" QUERY="$eq" N_MAX="$TARGET"
  [ "$c" = 1 ] && check_p50 filter_eq
  run filter_range "$c" query.lua "$base" QUERY="$range" N_MAX="$((TARGET / 10))" SPAN=3
  [ "$c" = 1 ] && check_p50 filter_range
done
run create 16 post_body.lua "$base/bench/app/od/Item" BODY='{"name":"new","n":-1,"price":0.5}'
python3 -c "import sys; sys.exit(0 if $rps >= 2000 else 1)" || { log "create: $rps/s is under 2,000/s"; status=1; }
[ "$status" = 0 ] && log "targets met" || log "targets NOT met"
exit "$status"
