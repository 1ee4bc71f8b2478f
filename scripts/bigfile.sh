#!/usr/bin/env bash
# Large file bodies stream through the server without being held in memory: PUT a 1 GiB file of
# pseudo-random bytes with curl -T (a streaming upload), GET it back, compare SHA-256, Range-GET
# its last KiB, and sample the server's resident memory (VmRSS every 0.2 s, VmHWM at the end).
# Fails when the peak (VmHWM) passes UC_RSS_LIMIT_KB (default 100 MB).
#
#   bash scripts/bigfile.sh target/release/unitcell [sqlite|postgres]
#
# UC_BIG_MIB sets the size (default 1024). Needs curl, python3 and ~3x the size on $TMPDIR.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BIN=${1:?usage: bigfile.sh BIN [sqlite|postgres]}
BACKEND=${2:-sqlite}
MIB=${UC_BIG_MIB:-1024}
LIMIT_KB=${UC_RSS_LIMIT_KB:-102400}
bash "$(dirname "${BASH_SOURCE[0]}")/install-tools.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/uc-bigfile.XXXXXX")
SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null || true
  uc_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { uc_log "FAIL: $*"; exit 1; }

# The size limit raised above the file (the default is exactly 1 GiB).
UC_ENV=(UNITCELL__STORAGE__MAX_FILE_BYTES=$(((MIB + 1) * 1024 * 1024)) UNITCELL__LOG__LEVEL=warn)
uc_start "$BIN" "$BACKEND"
uc_box big files owner 'big-file-pass-1'
URL="$UC_BOX_URL/big.bin"
AUTH=(-H "Authorization: Bearer $UC_TOKEN")

uc_log "generating $MIB MiB of pseudo-random data on disk"
# AES-CTR over zeros: deterministic for a seed, far faster than /dev/urandom, never in memory.
head -c "$((MIB * 1024 * 1024))" /dev/zero \
  | openssl enc -aes-128-ctr -nosalt -pass pass:unitcell-bigfile -pbkdf2 2>/dev/null >"$WORK/src.bin"
[ "$(stat -c %s "$WORK/src.bin")" -eq $((MIB * 1024 * 1024)) ] || fail "could not generate the file"
WANT=$(sha256sum "$WORK/src.bin" | cut -d' ' -f1)

# VmRSS every 0.2 s into a log (kB), for the peak per phase.
sample() {
  while kill -0 "$UC_PID" 2>/dev/null; do
    awk '/^VmRSS:/ {print $2}' "/proc/$UC_PID/status" 2>/dev/null || true
    sleep 0.2
  done
}
rss_kb() { awk "/^$1:/ {print \$2}" "/proc/$UC_PID/status"; }
peak_of() { sort -n "$1" | tail -1; }

uc_log "server at start: VmRSS $(rss_kb VmRSS) kB, VmHWM $(rss_kb VmHWM) kB"

phase() { # NAME CURL-ARGS... : runs curl while sampling; prints "status seconds"
  local name=$1; shift
  sample >"$WORK/rss-$name.log" & SAMPLER=$!
  local out
  out=$(curl -sS -o "$WORK/out-$name" -w '%{http_code} %{time_total}' "${AUTH[@]}" "$@")
  kill "$SAMPLER" 2>/dev/null || true; wait "$SAMPLER" 2>/dev/null || true; SAMPLER=""
  echo "$out"
}
mbps() { python3 -c "print(f'{$1 / 1048576 / max($2, 1e-9):.0f}')"; }

read -r status secs < <(phase put -T "$WORK/src.bin" -H "Content-Type: application/octet-stream" "$URL")
[ "$status" = 201 ] || fail "PUT answered $status: $(cat "$WORK/out-put")"
PUT_PEAK=$(peak_of "$WORK/rss-put.log")
uc_log "PUT  $MIB MiB: 201 in ${secs}s ($(mbps $((MIB * 1048576)) "$secs") MB/s), sampled peak VmRSS ${PUT_PEAK} kB"
rm -f "$WORK/out-put"

read -r status secs < <(phase get "$URL")
[ "$status" = 200 ] || fail "GET answered $status"
GET_PEAK=$(peak_of "$WORK/rss-get.log")
uc_log "GET  $MIB MiB: 200 in ${secs}s ($(mbps $((MIB * 1048576)) "$secs") MB/s), sampled peak VmRSS ${GET_PEAK} kB"
GOT=$(sha256sum "$WORK/out-get" | cut -d' ' -f1)
[ "$GOT" = "$WANT" ] || fail "SHA-256 differs: sent $WANT, got $GOT"
uc_log "SHA-256 matches ($WANT)"
rm -f "$WORK/out-get"

read -r status secs < <(phase range -H "Range: bytes=-1024" -D "$WORK/range-headers" "$URL")
[ "$status" = 206 ] || fail "Range GET answered $status"
tail -c 1024 "$WORK/src.bin" | cmp -s - "$WORK/out-range" || fail "the last KiB differs"
grep -qi "^Content-Range: bytes $((MIB * 1048576 - 1024))-$((MIB * 1048576 - 1))/$((MIB * 1048576))" \
  "$WORK/range-headers" || fail "Content-Range: $(grep -i content-range "$WORK/range-headers")"
uc_log "Range GET of the last KiB: 206, bytes match"

HWM=$(rss_kb VmHWM)
uc_log "peak resident memory (VmHWM) ${HWM} kB; limit ${LIMIT_KB} kB"
[ "$HWM" -le "$LIMIT_KB" ] || fail "VmHWM ${HWM} kB is over the limit ${LIMIT_KB} kB"
echo "bigfile ($BACKEND): ok - $MIB MiB PUT/GET, peak RSS $((HWM / 1024)) MB"
