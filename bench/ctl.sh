#!/usr/bin/env bash
# Load benchmark of the control API on the release binary (see bench/README.md).
#
#   bench/ctl.sh [path/to/unitcell]     # no argument: cargo build --release, use target/release
#
# For each backend in $BACKENDS (SQLite in a fresh temp data dir; PostgreSQL in a fresh database
# created with createdb and dropped afterwards) it starts `unitcell serve` on a free 127.0.0.1
# port and runs wrk (bench/lua/*.lua; each run prints one RESULT line):
#   list     GET /bench/__ctl/Role?$top=25 and ?$top=1000 with 1,000 roles, at $CONNS_LIST
#   key      GET /bench/__ctl/Role('r1'), GET /__ctl/Cell('x') and GET /__ctl/Cell?$top=10 (the
#            same 10 cells both times) at $CONNS_KEY, with 10 cells on the Unit, then again after
#            creating $MORE_CELLS more ("fill_cells" is that creation, at $FILL_CONNS connections)
#   create   POST /__ctl/Cell, a new name per request, at $CONNS_CREATE (every answer must be 201)
# With APPLY_SQL=file.sql that SQL is then applied to the live database and the key round runs a
# third time, plus role_list_top25, as cases suffixed "+sql" (try an index without rebuilding).
# Rows go to $OUT_DIR/results.tsv (kept), query plans of the hot statements to $OUT_DIR/plans.txt.
# Everything started here is stopped and removed on exit.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LUA_DIR="$ROOT/bench/lua"
BACKENDS=${BACKENDS:-"sqlite postgres"}
DURATION=${DURATION:-10s}            # list and create runs
KEY_DURATION=${KEY_DURATION:-5s}     # key-lookup runs (4 per connection count and backend)
CONNS_CREATE=${CONNS_CREATE:-"1 16"}
CONNS_LIST=${CONNS_LIST:-"1 16 64"}
CONNS_KEY=${CONNS_KEY:-"1 16"}
ROLES=${ROLES:-1000}
MORE_CELLS=${MORE_CELLS:-10000}
FILL_CONNS=${FILL_CONNS:-16}
APPLY_SQL=${APPLY_SQL:+$(realpath "$APPLY_SQL")} # optional: SQL applied after the 10,010-cell round
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-5}   # seconds to wait for a quiet machine before a run
QUIET_PCT=${QUIET_PCT:-20}           # "quiet": other work below this % of one core
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/unitcell-bench.XXXXXX")}
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.tsv"
PLANS="$OUT_DIR/plans.txt"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
die() { log "error: $*"; exit 1; }

# --- state owned by this script, released by cleanup ---------------------------------------
server_pid=""
current_backend=""
base=""
token=""
cells=""
wrk_pid=""
data_dir=""
pg_db=""
cleanup() {
  if [ -n "$wrk_pid" ]; then kill "$wrk_pid" 2>/dev/null || true; wait "$wrk_pid" 2>/dev/null || true; fi
  stop_server
  if [ -n "$pg_db" ]; then dropdb --if-exists "$pg_db" 2>/dev/null || log "could not drop $pg_db"; fi
  if [ -n "$data_dir" ]; then rm -rf "$data_dir"; fi
  wrk_pid=""; pg_db=""; data_dir=""
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop_server() {
  [ -n "$server_pid" ] || return 0
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.25; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# --- binary and tools ----------------------------------------------------------------------
if [ $# -ge 1 ]; then
  BIN=$(realpath "$1")
else
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --quiet)
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/unitcell"
fi
[ -x "$BIN" ] || die "no binary at $BIN"

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get install -y -q wrk >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q wrk >/dev/null; }
fi
command -v wrk >/dev/null || die "wrk is not available"

# --- measurement helpers -------------------------------------------------------------------
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
busy_jiffies() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
proc_jiffies() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# PostgreSQL's CPU (all `postgres` processes), so it is not counted as noise.
pg_jiffies() {
  [ "$current_backend" = postgres ] || { echo 0; return; }
  local p s=0
  for p in $(pgrep -x postgres || true); do s=$(( s + $(proc_jiffies "$p") )); done
  echo "$s"
}
hz=$(getconf CLK_TCK)

# Waits (bounded) until the machine is nearly idle: the box is shared with compilers.
wait_quiet() {
  local waited=0 b0 b1 pct=0
  while [ "$waited" -lt "$QUIET_MAX_WAIT" ]; do
    b0=$(busy_jiffies); sleep 1; b1=$(busy_jiffies)
    pct=$(( (b1 - b0) * 100 / hz ))
    [ "$pct" -le "$QUIET_PCT" ] && return 0
    waited=$((waited + 1))
  done
  log "machine busy (${pct}% of a core, rustc running: $(pgrep -c -x rustc || true)); measuring anyway"
}

[ -f "$RESULTS" ] || printf 'backend\tcase\tcells\tconns\trps\tp50_ms\tp99_ms\trequests\tnon2xx\tsock_err\tsrv_cpu_pct\tpg_cpu_pct\tother_cpu_pct\n' >"$RESULTS"

# run_wrk BACKEND CASE CONNS DURATION SCRIPT URL [env assignments...]: one bounded wrk run,
# one TSV row. srv_cpu_pct is the server's CPU (100 = one core), pg_cpu_pct PostgreSQL's,
# other_cpu_pct everything else on the machine except wrk (noise from other work).
run_wrk() {
  local backend=$1 case=$2 conns=$3 dur=$4 script=$5 url=$6; shift 6
  wait_quiet
  local secs=${dur%s} b0 s0 p0 b1 s1 p1 out line wrk_cpu
  b0=$(busy_jiffies); s0=$(proc_jiffies "$server_pid"); p0=$(pg_jiffies)
  out=$( { TIMEFORMAT='WRKCPU %U %S'; time env LUA_DIR="$LUA_DIR" TOKEN="$token" "$@" \
           wrk -t1 -c"$conns" -d"$dur" --timeout 10s -s "$LUA_DIR/$script" "$url"; } 2>&1 ) || true
  b1=$(busy_jiffies); s1=$(proc_jiffies "$server_pid"); p1=$(pg_jiffies)
  line=$(grep '^RESULT' <<<"$out" || true)
  [ -n "$line" ] || { log "wrk failed: $out"; return 1; }
  wrk_cpu=$(awk '/^WRKCPU/{printf "%d", ($2+$3)*100}' <<<"$out")
  local srv pg other rps p50 p99 reqs bad sock
  srv=$(( (s1 - s0) * 100 / hz / secs ))
  pg=$(( (p1 - p0) * 100 / hz / secs ))
  other=$(( (b1 - b0) * 100 / hz / secs - srv - pg - ${wrk_cpu:-0} / secs ))
  [ "$other" -lt 0 ] && other=0
  read -r _ rps p50 p99 reqs bad sock <<<"$line"
  [ "$current_backend" = postgres ] || pg=""
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$case" "$cells" "$conns" \
    "$rps" "$p50" "$p99" "$reqs" "$bad" "$sock" "$srv" "$pg" "$other" | tee -a "$RESULTS" >&2
}

# fill BACKEND CASE PATH PREFIX COUNT: creates COUNT entities through create.lua in LIMIT mode,
# stops wrk as soon as they are all answered 201 (at most 120 s), and records the rate.
fill() {
  local backend=$1 case=$2 path=$3 prefix=$4 count=$5 done_file t0 t1 out
  done_file="$data_dir/fill.done"; rm -f "$done_file"
  t0=$(date +%s%N)
  env LUA_DIR="$LUA_DIR" TOKEN="$token" PREFIX="$prefix" LIMIT="$count" DONE_FILE="$done_file" \
    wrk -t1 -c"$FILL_CONNS" -d"${FILL_TIMEOUT:-120}s" --timeout 10s -s "$LUA_DIR/create.lua" "$base$path" \
    >"$data_dir/fill.out" 2>&1 &
  wrk_pid=$!
  while [ ! -f "$done_file" ] && kill -0 "$wrk_pid" 2>/dev/null; do sleep 0.05; done
  t1=$(date +%s%N)
  kill -INT "$wrk_pid" 2>/dev/null || true
  wait "$wrk_pid" 2>/dev/null || true
  wrk_pid=""
  out=$(cat "$data_dir/fill.out")
  [ -f "$done_file" ] || die "fill $case did not finish: $out"
  local bad; bad=$(awk '/^RESULT/{print $6}' <<<"$out")
  printf '%s\t%s\t%s\t%s\t%s\t-\t-\t%s\t%s\t-\t-\t-\t-\n' "$backend" "$case" "$cells" "$FILL_CONNS" \
    "$(awk -v n="$count" -v ns=$((t1 - t0)) 'BEGIN{printf "%.1f", n / (ns / 1e9)}')" \
    "$count" "${bad:-?}" | tee -a "$RESULTS" >&2
}

# api METHOD PATH [curl args...]: one master-token JSON request; fails unless 2xx.
api() {
  local method=$1 path=$2; shift 2
  curl -fsS -o /dev/null -X "$method" "$base$path" -H "Authorization: Bearer $token" \
    -H "Accept: application/json" -H "Content-Type: application/json" "$@"
}
cell_count() {
  curl -fsS "$base/__ctl/Cell?\$top=0&\$inlinecount=allpages" -H "Authorization: Bearer $token" \
    -H "Accept: application/json" | python3 -c 'import json,sys; print(json.load(sys.stdin)["d"]["__count"])'
}

# --- query plans of the statements the key and list runs execute ----------------------------
# The SQL mirrors src/db/cells.rs (find_by_name, list), src/db/ctl.rs (find_by_key, list).
plans() {
  local backend=$1 cell_id
  {
    echo "=== $backend, $(cell_count) cells"
    if [ "$backend" = sqlite ]; then
      command -v sqlite3 >/dev/null || { echo "(sqlite3 not installed: no plans)"; return 0; }
      local db="$data_dir/unitcell.db"
      cell_id=$(sqlite3 "$db" "SELECT id FROM cells WHERE name = 'bench'")
      for q in \
        "SELECT * FROM cells WHERE name = 'x' LIMIT 1" \
        "SELECT t.id FROM roles t LEFT JOIN boxes b ON b.id = t.box_id WHERE t.cell_id = '$cell_id' AND t.name = 'r1' AND b.name IS NULL" \
        "SELECT t.id FROM roles t LEFT JOIN boxes b ON b.id = t.box_id WHERE 1=1 AND t.cell_id = '$cell_id' ORDER BY t.published, t.id LIMIT 25 OFFSET 0" \
        "SELECT t.* FROM cells t WHERE 1=1 ORDER BY t.published, t.id LIMIT 25 OFFSET 0" \
        "SELECT t.* FROM cells t WHERE 1=1 AND t.owner = 'u' ORDER BY t.published, t.id LIMIT 25 OFFSET 0"; do
        echo "-- $q"; sqlite3 "$db" "EXPLAIN QUERY PLAN $q"
      done
    else
      cell_id=$(psql -qtA -d "$pg_db" -c "SELECT id FROM cells WHERE name = 'bench'")
      psql -qtA -d "$pg_db" -c "ANALYZE" >/dev/null
      for q in \
        "SELECT * FROM cells WHERE name = 'x' LIMIT 1" \
        "SELECT t.id FROM roles t LEFT JOIN boxes b ON b.id = t.box_id WHERE t.cell_id = '$cell_id' AND t.name = 'r1' AND b.name IS NULL" \
        "SELECT t.id FROM roles t LEFT JOIN boxes b ON b.id = t.box_id WHERE 1=1 AND t.cell_id = '$cell_id' ORDER BY t.published, t.id LIMIT 25 OFFSET 0" \
        "SELECT t.* FROM cells t WHERE 1=1 ORDER BY t.published, t.id LIMIT 25 OFFSET 0" \
        "SELECT t.* FROM cells t WHERE 1=1 AND t.owner = 'u' ORDER BY t.published, t.id LIMIT 25 OFFSET 0"; do
        echo "-- $q"; psql -qtA -d "$pg_db" -c "EXPLAIN $q"
      done
    fi
  } >>"$PLANS" 2>&1 || true
}

# apply_sql BACKEND: runs $APPLY_SQL on the live database (to try an index without a rebuild).
apply_sql() {
  log "$1: applying $APPLY_SQL"
  if [ "$1" = sqlite ]; then
    sqlite3 "$data_dir/unitcell.db" <"$APPLY_SQL"
  else
    psql -q -v ON_ERROR_STOP=1 -d "$pg_db" -f "$APPLY_SQL"
    psql -q -d "$pg_db" -c ANALYZE
  fi
}

# --- one backend ------------------------------------------------------------------------------
bench_backend() {
  local backend=$1 port db_url=""
  current_backend=$backend
  data_dir=$(mktemp -d "${TMPDIR:-/tmp}/unitcell-bench-data.XXXXXX")
  if [ "$backend" = postgres ]; then
    command -v createdb >/dev/null || { log "no createdb: skipping postgres"; return 0; }
    pg_db="bench_$(date +%s)_$RANDOM"
    createdb "$pg_db" || { log "createdb failed: skipping postgres"; pg_db=""; return 0; }
    db_url="postgres://$PGUSER@$PGHOST:$PGPORT/$pg_db"
  fi
  port=$(free_port)
  base="http://127.0.0.1:$port"
  token="bench-master-token-$RANDOM$RANDOM$RANDOM"
  log "$backend: starting $BIN on $base (data $data_dir${pg_db:+, database $pg_db})"
  local db_env=()
  [ -z "$db_url" ] || db_env=("UNITCELL__DB__URL=$db_url")
  env UNITCELL__UNIT__MASTER_TOKEN="$token" "${db_env[@]}" \
    "$BIN" --config-dir "$ROOT/config" --data-dir "$data_dir" serve \
    --listen "127.0.0.1:$port" --unit-url "$base/" >"$data_dir/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$base/__status" 2>/dev/null && break
    kill -0 "$server_pid" 2>/dev/null || die "server exited: $(tail -5 "$data_dir/server.log")"
    sleep 0.1
  done

  # 10 cells: bench (with the roles), x, c1..c8.
  local c
  for c in bench x c1 c2 c3 c4 c5 c6 c7 c8; do api POST /__ctl/Cell -d "{\"Name\":\"$c\"}"; done
  cells=$(cell_count)
  fill "$backend" "fill_roles" /bench/__ctl/Role r "$ROLES"
  api GET "/bench/__ctl/Role('r1')"
  api GET "/bench/__ctl/Role('r$ROLES')"

  for c in $CONNS_LIST; do
    run_wrk "$backend" "role_list_top25" "$c" "$DURATION" get.lua "$base/bench/__ctl/Role?\$top=25"
  done
  for c in $CONNS_LIST; do
    run_wrk "$backend" "role_list_top1000" "$c" "$DURATION" get.lua "$base/bench/__ctl/Role?\$top=1000"
  done

  local round rounds="before after"
  [ -z "$APPLY_SQL" ] || rounds="before after applied"
  for round in $rounds; do
    if [ "$round" = after ]; then
      fill "$backend" "fill_cells" /__ctl/Cell "f$(date +%s)-" "$MORE_CELLS"
      # Fresh statistics, as autovacuum would have them shortly in a running Unit.
      [ "$backend" != postgres ] || psql -q -d "$pg_db" -c ANALYZE
      cells=$(cell_count)
    elif [ "$round" = applied ]; then
      apply_sql "$backend"
    fi
    local sfx=""
    [ "$round" != applied ] || sfx="+sql"
    for c in $CONNS_KEY; do
      run_wrk "$backend" "role_by_key$sfx" "$c" "$KEY_DURATION" get.lua "$base/bench/__ctl/Role('r1')"
      run_wrk "$backend" "cell_by_key$sfx" "$c" "$KEY_DURATION" get.lua "$base/__ctl/Cell('x')"
      run_wrk "$backend" "cell_list_top10$sfx" "$c" "$KEY_DURATION" get.lua "$base/__ctl/Cell?\$top=10"
      if [ "$round" = applied ]; then
        run_wrk "$backend" "role_list_top25$sfx" "$c" "$KEY_DURATION" get.lua "$base/bench/__ctl/Role?\$top=25"
      fi
    done
    plans "$backend"
  done

  for c in $CONNS_CREATE; do
    run_wrk "$backend" "cell_create" "$c" "$DURATION" create.lua "$base/__ctl/Cell" \
      PREFIX="w$(date +%s%N | tail -c 10)-"
  done
  cells=$(cell_count)
  log "$backend: done, $cells cells; server log $(du -h "$data_dir/server.log" | cut -f1)"
  cleanup
}

started=$(date +%s)
log "results: $RESULTS ($(nproc) CPUs, $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2))"
for b in $BACKENDS; do
  case $b in
    sqlite|postgres) bench_backend "$b" ;;
    *) die "unknown backend $b" ;;
  esac
done
log "finished in $(( $(date +%s) - started )) s"
column -t -s $'\t' "$RESULTS"
echo "results: $RESULTS; query plans: $PLANS"
