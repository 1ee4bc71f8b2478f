#!/usr/bin/env bash
# davfs2 (Debian's package) mounts a box as a file system with the account's Basic credentials,
# and ordinary file commands run on it. Usage: scripts/davfs2.sh BIN [sqlite|postgres]
#
# write a file, make a directory and a file in it, list both (ls), rename a file into the
# directory, read it back, delete a file, unmount (davfs2 uploads on close and at unmount);
# then curl checks what the server holds: the renamed file with its bytes, the deleted and the
# moved-away names gone. Needs root and /dev/fuse. Its own davfs2.conf (no change to /etc):
# `buf_size 64`, without which davfs2 1.6 cannot list directories on Linux 6.16 and later
# (a davfs2 bug, not the server's: github.com/alisarctl/davfs2 issue 22).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bash "$here/install-tools.sh"
. "$here/lib.sh"
BIN=${1:?usage: davfs2.sh BIN [sqlite|postgres]}
BACKEND=${2:-sqlite}
[ -e /dev/fuse ] || { uc_log "FAIL: /dev/fuse is missing (davfs2 needs FUSE)"; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/uc-davfs2.XXXXXX")
MNT=$WORK/mnt
cleanup() {
  mountpoint -q "$MNT" 2>/dev/null && umount "$MNT" 2>/dev/null || true
  uc_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() { uc_log "FAIL: $*"; exit 1; }

uc_start "$BIN" "$BACKEND"
uc_box dv notes me "davfs2-pass-1"
mkdir -p "$MNT"
printf '%s me davfs2-pass-1\n' "$MNT" >"$WORK/secrets"
chmod 600 "$WORK/secrets"
cat >"$WORK/davfs2.conf" <<CONF
secrets $WORK/secrets
buf_size 64
use_locks 1
CONF
mount -t davfs "$UC_BOX_URL/" "$MNT" -o "conf=$WORK/davfs2.conf,uid=0,gid=0" \
  || fail "mount (server log: $UC_DATA/server.log)"
uc_log "mounted $UC_BOX_URL/ on $MNT ($BACKEND)"

echo hello >"$MNT/a.txt"
mkdir "$MNT/sub"
echo there >"$MNT/sub/b.txt"
top=$(ls "$MNT" | grep -v lost+found | tr '\n' ' ')
[ "$top" = "a.txt sub " ] || fail "ls of the box root: '$top'"
[ "$(ls "$MNT/sub")" = b.txt ] || fail "ls of sub: '$(ls "$MNT/sub")'"
mv "$MNT/a.txt" "$MNT/sub/c.txt"
[ "$(cat "$MNT/sub/c.txt")" = hello ] || fail "read back after rename"
rm "$MNT/sub/b.txt"
[ "$(ls "$MNT/sub")" = c.txt ] || fail "ls after rm: '$(ls "$MNT/sub")'"
sync
umount "$MNT" || fail "umount"

auth=(-H "Authorization: Bearer $UC_TOKEN")
status() { curl -s -o /dev/null -w '%{http_code}' "${auth[@]}" "$UC_BOX_URL/$1"; }
[ "$(curl -fsS "${auth[@]}" "$UC_BOX_URL/sub/c.txt")" = hello ] || fail "server: sub/c.txt"
[ "$(status a.txt)" = 404 ] || fail "server: a.txt still there after the rename"
[ "$(status sub/b.txt)" = 404 ] || fail "server: sub/b.txt still there after rm"
uc_log "davfs2 ($BACKEND): mount, write, mkdir, ls, rename, read, rm, unmount: all as expected"
