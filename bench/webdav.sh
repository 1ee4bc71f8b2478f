#!/usr/bin/env bash
# WebDAV load benchmark: the release binary against its peers, side by side in one run.
#
#   bench/webdav.sh [path/to/unitcell]    # no argument: cargo build --release
#   PEERS="nginx apache" DURATION=2s CONNS="1 64" bench/webdav.sh
#
# Starts unitcell (scripts/lib.sh, SQLite or BACKEND=postgres) and each peer in $PEERS
# (bench/webdav-peers.sh; install them first with bench/install-peers.sh), seeds every server
# with the same data over HTTP (bench/dav_seed.py: small.txt 100 B, 1mb.bin, list/ with 1,000
# files of 100 B, putbench/d0..d<PUT_DIRS-1>/), checks it, then for each case and each
# connection count in $CONNS runs wrk on every server in turn (so a case's runs sit next to
# each other in time), waiting for a quiet machine before each run. Cases:
#   get_small      GET small.txt; unitcell with its AR~ Bearer token (token check, ACL, database);
#                  css: the public file (anonymous), plus get_small_auth: a private one with its
#                  Bearer token (token check + WAC)
#   get_1mb        GET 1mb.bin
#   propfind_1000  PROPFIND Depth 1 allprop on list/ (css: GET of the container as Turtle)
#   put_small      PUT of a new 100-byte file per request (bench/lua/dav_put.lua)
# Rows go to $OUT_DIR/results.tsv; bench/webdav_report.py prints the table and the target
# ratios (a)-(d). Exit status: 0 all targets met, 1 a target missed, 2 a run invalid (any
# non-2xx answer or socket error, or a missing run). Everything started here is stopped on exit.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=../scripts/lib.sh
. "$ROOT/scripts/lib.sh"
# shellcheck source=webdav-peers.sh
. "$ROOT/bench/webdav-peers.sh"
LUA_DIR="$ROOT/bench/lua"
CACHE=${UNITCELL_BENCH_CACHE:-$HOME/.cache/unitcell-bench}
PEERS=${PEERS:-"nginx apache wsgidav css"}
CASES=${CASES:-"get_small get_1mb propfind_1000 put_small"}
CONNS=${CONNS:-"1 16 64"}
DURATION=${DURATION:-10s}
WRK_THREADS=${WRK_THREADS:-1}      # one wrk thread: the client takes at most one of two cores
BACKEND=${BACKEND:-sqlite}
PUT_DIRS=${PUT_DIRS:-300}           # collections the PUT files spread over (<= 1,024 each)
QUIET_PCT=${QUIET_PCT:-25}          # quiet: the machine busy below this % of one core
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-60} # seconds to wait for it, then run anyway (and say so)
NOISY_PCT=${NOISY_PCT:-25}          # a run during which others used more CPU is flagged
OUT_DIR=${OUT_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/unitcell-webdav-bench.XXXXXX")}
mkdir -p "$OUT_DIR"
RESULTS="$OUT_DIR/results.tsv"
PAYLOAD="$OUT_DIR/payload"
HZ=$(getconf CLK_TCK)
declare -A SRV_PIDS=() SRV_BASES=() SRV_AUTHS=() SRV_LABELS=()
SERVERS=()
UC_ENV=()

if [ $# -ge 1 ]; then BIN=$(realpath "$1"); else
  (cd "$ROOT" && cargo build --release --quiet); BIN="$ROOT/target/release/unitcell"; fi
bash "$ROOT/scripts/install-tools.sh"

cleanup() {
  local s
  for s in "${!SRV_PIDS[@]}"; do
    [ "$s" = unitcell ] && continue
    kill -TERM "${SRV_PIDS[$s]}" 2>/dev/null || true
    wait "${SRV_PIDS[$s]}" 2>/dev/null || true
    rm -rf "${OUT_DIR:?}/$s/root"
  done
  uc_stop
}
trap cleanup EXIT

# --- load and CPU accounting -------------------------------------------------------------
# busy_ticks: non-idle CPU ticks of the whole machine since boot.
busy_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
# tree_ticks PID: user+system ticks of PID and its live descendants (nginx/apache workers).
tree_ticks() {
  local pids p sum=0
  pids=$(ps -eo pid=,ppid= | awk -v r="$1" '{k[NR]=$1; p[NR]=$2} END {s[r]=1; c=1
    while (c) { c=0; for (i in k) if (!(k[i] in s) && (p[i] in s)) { s[k[i]]=1; c=1 } }
    for (x in s) print x }')
  for p in $pids; do
    [ -r "/proc/$p/stat" ] || continue
    # fields after the ")" of the command name: utime is the 12th, stime the 13th
    sum=$(( sum + $(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}' || echo 0) ))
  done
  echo "$sum"
}
# wait_quiet: others compile here too; wait (at most QUIET_MAX_WAIT s) until the machine idles.
wait_quiet() {
  local waited=0 b0 pct
  while :; do
    b0=$(busy_ticks); sleep 1
    pct=$(( ($(busy_ticks) - b0) * 100 / HZ ))
    [ "$pct" -le "$QUIET_PCT" ] && return 0
    waited=$((waited + 1))
    if [ "$waited" -ge "$QUIET_MAX_WAIT" ]; then
      uc_log "machine still busy (${pct}% of a core) after ${QUIET_MAX_WAIT}s: running anyway"
      return 0
    fi
  done
}

# --- servers -----------------------------------------------------------------------------
# register NAME: records what start_<peer> (or the unitcell start) set.
register() {
  SERVERS+=("$1")
  SRV_PIDS[$1]=$SRV_PID; SRV_BASES[$1]=$SRV_BASE; SRV_AUTHS[$1]=$SRV_AUTH; SRV_LABELS[$1]=$SRV_LABEL
  printf '%s\t%s\n' "$1" "$SRV_LABEL" >>"$OUT_DIR/servers.tsv"
}

make_payload() {
  mkdir -p "$PAYLOAD"
  printf '%099d\n' 0 | tr 0 s >"$PAYLOAD/small.txt"
  head -c 1048576 /dev/urandom >"$PAYLOAD/1mb.bin"
}

start_unitcell() {
  uc_start "$BIN" "$BACKEND"
  uc_box bench dav alice "alice-bench-pw-$RANDOM"
  SRV_PID=$UC_PID; SRV_BASE=$UC_BOX_URL; SRV_AUTH="Bearer $UC_TOKEN"
  SRV_LABEL="unitcell $("$BIN" --version 2>/dev/null | awk '{print $NF}') $BACKEND"
  local anon
  anon=$(curl -s -o /dev/null -w '%{http_code}' "$UC_BOX_URL/")
  case $anon in 401|403) ;; *) uc_log "unitcell: anonymous request answered $anon, not 401/403"; exit 2 ;; esac
}

# seed_dav NAME: the same data into a WebDAV server, then the same checks.
seed_dav() {
  local t0=$SECONDS
  AUTH=${SRV_AUTHS[$1]} python3 "$ROOT/bench/dav_seed.py" seed "${SRV_BASES[$1]}" "$PAYLOAD" "$PUT_DIRS"
  AUTH=${SRV_AUTHS[$1]} python3 "$ROOT/bench/dav_seed.py" verify "${SRV_BASES[$1]}" "$PAYLOAD" >&2
  uc_log "$1 seeded in $((SECONDS - t0)) s"
}

# --- one wrk run -------------------------------------------------------------------------
# run NAME CASE CONNS: one wrk run of CASE against server NAME, one row in $RESULTS.
run() {
  local s=$1 case=$2 c=$3 base=${SRV_BASES[$1]} script url env=() origin
  origin=$(echo "$base" | sed -E 's|^(https?://[^/]+).*|\1|')
  env=("AUTH=${SRV_AUTHS[$s]}")
  case $case in
    get_small) script=dav_get.lua; url="$base/small.txt"
      if [ "$s" = css ]; then url="$base/public/small.txt"; env=("AUTH="); fi ;;
    get_small_auth) script=dav_get.lua; url="$base/private/small.txt" ;;
    get_1mb) script=dav_get.lua; url="$base/1mb.bin"; env+=(BODY_IGNORED=1)
      if [ "$s" = css ]; then url="$base/public/1mb.bin"; env=("AUTH=" BODY_IGNORED=1); fi ;;
    propfind_1000) script=dav_propfind.lua; url="$base/list/"
      if [ "$s" = css ]; then script=dav_get.lua; url="$base/public/list/"; env=("AUTH=" ACCEPT=text/turtle); fi ;;
    put_small) script=dav_put.lua; url="$origin/"
      env+=("PUT_PREFIX=${base#"$origin"}/putbench/" "PUT_DIRS=$PUT_DIRS")
      if [ "$s" = css ]; then env=("AUTH=" "PUT_PREFIX=${base#"$origin"}/public/put/" PUT_DIR_PER_RUN=1); fi ;;
    *) uc_log "unknown case $case"; exit 2 ;;
  esac
  wait_quiet
  local b0 s0 b1 s1 out line wrk_ticks secs
  b0=$(busy_ticks); s0=$(tree_ticks "${SRV_PIDS[$s]}")
  out=$( { TIMEFORMAT='WRK_CPU %U %S'; time env "${env[@]}" LUA_DIR="$LUA_DIR" RUN_ID="r$(date +%s%N)" \
      wrk -t"$WRK_THREADS" -c"$c" -d"$DURATION" --timeout 10s -s "$LUA_DIR/$script" "$url"; } 2>&1) || true
  b1=$(busy_ticks); s1=$(tree_ticks "${SRV_PIDS[$s]}")
  line=$(echo "$out" | grep '^RESULT' || true)
  if [ -z "$line" ]; then uc_log "$s $case c=$c: wrk failed: $out"; return 0; fi
  local rps p50 p99 reqs bad sock srv_pct cpu_us other_pct
  read -r _ rps p50 p99 reqs bad sock <<<"$line"
  wrk_ticks=$(echo "$out" | awk -v hz="$HZ" '/^WRK_CPU/{printf "%d", ($2 + $3) * hz}')
  secs=${DURATION%s}
  srv_pct=$(( (s1 - s0) * 100 / HZ / secs ))
  cpu_us=$(awk -v t=$((s1 - s0)) -v hz="$HZ" -v n="$reqs" 'BEGIN{printf "%.0f", n ? t * 1e6 / hz / n : 0}')
  other_pct=$(( (b1 - b0 - (s1 - s0) - ${wrk_ticks:-0}) * 100 / HZ / secs ))
  [ "$other_pct" -ge 0 ] || other_pct=0
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$s" "$case" "$c" "$rps" "$p50" "$p99" \
    "$reqs" "$bad" "$sock" "$srv_pct" "$cpu_us" "$other_pct" | tee -a "$RESULTS" >&2
}

# --- main --------------------------------------------------------------------------------
printf 'server\tcase\tconns\trps\tp50_ms\tp99_ms\trequests\tnon2xx\tsock_err\tsrv_cpu_pct\tsrv_cpu_us_per_req\tother_cpu_pct\n' >"$RESULTS"
: >"$OUT_DIR/servers.tsv"
make_payload
uc_log "results in $OUT_DIR; $(nproc) CPUs; $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}')"
start_unitcell; register unitcell; seed_dav unitcell
for p in $PEERS; do
  case $p in nginx|apache|wsgidav|css) ;; *) uc_log "unknown peer $p"; exit 2 ;; esac
  if ! "start_$p"; then uc_log "$p did not start; see $OUT_DIR/$p/"; exit 2; fi
  register "$p"
  [ "$p" = css ] || seed_dav "$p"
done

started=$SECONDS
for case in $CASES; do
  for c in $CONNS; do
    for s in "${SERVERS[@]}"; do run "$s" "$case" "$c"; done
    if [ "$case" = get_small ] && [ -n "${SRV_PIDS[css]:-}" ]; then
      css_refresh_token
      run css get_small_auth "$c"
    fi
  done
done
uc_log "runs took $((SECONDS - started)) s"
python3 "$ROOT/bench/webdav_report.py" "$OUT_DIR" "$NOISY_PCT"
