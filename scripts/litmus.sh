#!/usr/bin/env bash
# WebDAV conformance: runs litmus 0.13 (suites basic, copymove, props, locks, http) against a
# collection inside a box of a running unitcell, with Basic credentials of the box's account.
# Fails on any FAIL line (printing them and the tail of litmus's debug.log); warnings are
# allowed and explained in README.md ("WebDAV conformance").
# Usage: scripts/litmus.sh path/to/unitcell [sqlite|postgres]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(realpath "$1"); backend=${2:-sqlite}
bash "$here/install-tools.sh"
. "$here/lib.sh"

work=$(mktemp -d "${TMPDIR:-/tmp}/litmus.XXXXXX")
cleanup() { uc_stop; [ -n "${LITMUS_KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

# litmus expects RFC 4918 where Personium differs (recursive DELETE, MOVE over a collection,
# PROPPATCH in document order): see [webdav] in config/default.toml.
UC_ENV=(UNITCELL__WEBDAV__RFC4918=true)
uc_start "$bin" "$backend"
user=litmus pass="litmus-pass-$RANDOM$RANDOM"
uc_box litmus dav "$user" "$pass"
# litmus creates `<URL>litmus/` below a writable collection URL ending in `/`.
curl -fsS -o /dev/null -X MKCOL "$UC_BOX_URL/conformance" -H "Authorization: Bearer $UC_TOKEN"
url="$UC_BOX_URL/conformance/"

uc_log "litmus ($backend) against $url"
status=0
(cd "$work" && TESTS="${LITMUS_TESTS:-basic copymove props locks http}" litmus -k "$url" "$user" "$pass") \
  >"$work/out.txt" 2>&1 || status=$?
cat "$work/out.txt"

fails=$(grep -E '^ *[0-9]+\. .*FAIL' "$work/out.txt" || true)
summary_failed=$(grep -E '<- summary' "$work/out.txt" | grep -Ev ' 0 failed\.'  || true)
if [ -n "$fails" ] || [ -n "$summary_failed" ] || [ "$status" -ne 0 ]; then
  uc_log "litmus ($backend): failures (exit $status)"
  [ -n "$fails" ] && printf '%s\n' "$fails" >&2
  [ -n "$summary_failed" ] && printf '%s\n' "$summary_failed" >&2
  echo "--- tail of debug.log" >&2
  tail -n 80 "$work/debug.log" >&2 2>/dev/null || true
  echo "--- tail of the server log" >&2
  tail -n 40 "$UC_DATA/server.log" >&2 2>/dev/null || true
  exit 1
fi
uc_log "litmus ($backend): no failures"
grep -E '<- summary|WARNING' "$work/out.txt" >&2 || true
