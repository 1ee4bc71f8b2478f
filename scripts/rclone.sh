#!/usr/bin/env bash
# rclone (Debian's package, webdav backend) as a real sync client of a box, with a bearer token
# and no config file. Usage: scripts/rclone.sh BIN [sqlite|postgres]
#
# owncloud vendor mode (X-OC-Mtime on PUT, <oc:checksums> in PROPFIND; webdav::owncloud):
#   copy a tree of 1,000 x 100 B + 10 x 1 MiB files -> check (0 differences, by hash)
#   -> change one small file keeping its size, delete another -> check must now see exactly
#   those 2 differences (the same-size change is only visible to a hash) -> sync -> check
#   (0 differences) -> the deleted file is gone (curl), the changed one has the new bytes,
#   and every remote modification time equals the local one to the second (rclone lsl).
# plain mode (vendor other): copy the same tree elsewhere -> check (by size only).
# Also a sequential PUT loop (one curl, one connection, a fresh collection: a collection holds at
# most 1,000 members) to see the server's own PUT rate:
# rclone 1.60's pacer (10 ms between calls, ~3 calls per new file) caps its rate whatever the
# server does. Prints timings; exits non-zero on any mismatch.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/install-tools.sh"
. "$here/lib.sh"
BIN=${1:?usage: rclone.sh BIN [sqlite|postgres]}
BACKEND=${2:-sqlite}
SMALL=${RCLONE_SMALL_FILES:-1000}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/uc-rclone.XXXXXX")
trap 'uc_stop; [ -n "${UC_KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT
fail() { uc_log "FAIL: $*"; exit 1; }

uc_start "$BIN" "$BACKEND"
uc_box rc files owner "rclone-pass-1"
uc_log "server $UC_BASE ($BACKEND), box $UC_BOX_URL"
# rclone 1.60 makes a file's parent collections but not the remote's root.
for dir in sync plain; do
  curl -fsS -o /dev/null -X MKCOL -H "Authorization: Bearer $UC_TOKEN" "$UC_BOX_URL/$dir"
done

# The tree, with whole-second modification times spread over 2021 (so a kept mtime is not
# just "now").
SRC=$WORK/src
python3 - "$SRC" "$SMALL" <<'EOF'
import os, sys
src, small = sys.argv[1], int(sys.argv[2])
for sub in ("small", "big"):
    os.makedirs(os.path.join(src, sub), exist_ok=True)
t0 = 1609459200  # 2021-01-01
for i in range(small):
    p = os.path.join(src, "small", "f%04d.txt" % i)
    with open(p, "wb") as f:
        f.write(os.urandom(50).hex().encode())
    os.utime(p, (t0 + i * 3607, t0 + i * 3607))
for i in range(10):
    p = os.path.join(src, "big", "b%d.bin" % i)
    with open(p, "wb") as f:
        f.write(os.urandom(1 << 20))
    os.utime(p, (t0 + i * 86401, t0 + i * 86401))
EOF
TOTAL=$((SMALL + 10))

# step NAME VENDOR DIR rclone-args... : runs rclone against $UC_BOX_URL/DIR, log in $WORK/NAME.log
step() {
  local name=$1 vendor=$2 dir=$3 t0 t1 rc=0; shift 3
  t0=$(date +%s.%N)
  rclone --config "" "$@" --webdav-url "$UC_BOX_URL/$dir" --webdav-vendor "$vendor" \
    --webdav-bearer-token "$UC_TOKEN" --log-file "$WORK/$name.log" --log-level INFO \
    --stats 600s || rc=$?
  t1=$(date +%s.%N)
  STEP_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", b-a}')
  printf '%-16s %-9s %7s s  rc=%s\n' "$name" "$vendor" "$STEP_SECS" "$rc"
  return 0
}
# expect_check NAME DIFFERENCES MATCHING : what `rclone check` said in NAME.log
expect_check() {
  local log=$WORK/$1.log
  grep -q "$2 differences found" "$log" || fail "$1: want $2 differences: $(grep -h differences "$log")"
  grep -q ": $3 matching files" "$log" || fail "$1: want $3 matching files: $(grep -h matching "$log")"
}

echo "== rclone $(rclone version | head -1 | awk '{print $2}') against unitcell ($BACKEND)"
step copy owncloud sync copy "$SRC" :webdav:
[ "$(grep -c 'Copied (new)' "$WORK/copy.log")" -eq "$TOTAL" ] || fail "copy: not all $TOTAL files copied"
printf '%-16s %s files/s\n' "  rate" "$(awk -v n="$TOTAL" -v s="$STEP_SECS" 'BEGIN{printf "%.1f", n/s}')"

step check owncloud sync check "$SRC" :webdav:
expect_check check 0 "$TOTAL"
! grep -q "No common hash" "$WORK/check.log" || fail "check: no common hash (oc:checksums not read)"

# The same size, other bytes; and a deletion.
changed=small/f0007.txt deleted=small/f0008.txt
python3 -c 'import os,sys; open(sys.argv[1],"wb").write(os.urandom(50).hex().encode())' "$SRC/$changed"
rm "$SRC/$deleted"
step check_changed owncloud sync check "$SRC" :webdav:
expect_check check_changed 2 $((TOTAL - 2))

step sync owncloud sync sync "$SRC" :webdav:
step check_after owncloud sync check "$SRC" :webdav:
expect_check check_after 0 $((TOTAL - 1))
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $UC_TOKEN" "$UC_BOX_URL/sync/$deleted")
[ "$code" = 404 ] || fail "deleted file answers $code, want 404"
curl -fsS -H "Authorization: Bearer $UC_TOKEN" "$UC_BOX_URL/sync/$changed" | cmp -s - "$SRC/$changed" \
  || fail "changed file has other bytes on the server"

# Modification times, to the second: "size date hh:mm:ss path" on both sides.
lsl() { rclone --config "" lsl "$@" --webdav-url "$UC_BOX_URL/sync" --webdav-vendor owncloud \
  --webdav-bearer-token "$UC_TOKEN" | awk '{print $1, $2, substr($3, 1, 8), $4}' | sort -k4; }
lsl "$SRC" > "$WORK/local.lsl"
lsl :webdav: > "$WORK/remote.lsl"
[ "$(wc -l < "$WORK/remote.lsl")" -eq $((TOTAL - 1)) ] || fail "lsl: want $((TOTAL - 1)) remote files"
diff "$WORK/local.lsl" "$WORK/remote.lsl" >/dev/null || fail "mtimes differ: $(diff "$WORK/local.lsl" "$WORK/remote.lsl" | head -4)"
echo "mtimes           kept for $((TOTAL - 1)) files"

step copy_plain other plain copy "$SRC" :webdav:
printf '%-16s %s files/s\n' "  rate" "$(awk -v n="$((TOTAL - 1))" -v s="$STEP_SECS" 'BEGIN{printf "%.1f", n/s}')"
step check_plain other plain check "$SRC" :webdav:
expect_check check_plain 0 $((TOTAL - 1))
grep -q "No common hash" "$WORK/check_plain.log" || fail "check_plain: expected a size-only check"

# The server's own sequential PUT rate: 200 new 100 B files over one keep-alive connection.
head -c 100 /dev/urandom > "$WORK/put.bin"
curl -fsS -o /dev/null -X MKCOL -H "Authorization: Bearer $UC_TOKEN" "$UC_BOX_URL/putloop"
for i in $(seq 0 199); do
  printf 'url = "%s/putloop/put%03d.bin"\nupload-file = "%s"\n' "$UC_BOX_URL" "$i" "$WORK/put.bin"
done > "$WORK/put.curl"
t0=$(date +%s.%N)
curl -fsS -K "$WORK/put.curl" -H "Authorization: Bearer $UC_TOKEN" -o /dev/null -w '%{http_code}\n' \
  > "$WORK/put.codes"
t1=$(date +%s.%N)
[ "$(grep -c '^201$' "$WORK/put.codes")" -eq 200 ] || fail "put loop: not all 201"
printf '%-16s %s PUT/s (sequential, 100 B)\n' put_loop "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.0f", 200/(b-a)}')"
echo "== rclone: all checks passed"
