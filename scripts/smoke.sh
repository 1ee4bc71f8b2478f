#!/usr/bin/env bash
# Smoke test of a built binary: start `unitcell serve` on a free port with a fresh data dir,
# drive it with curl, check the answers, stop it. Usage: scripts/smoke.sh path/to/unitcell
set -euo pipefail
bin=$(realpath "$1")
data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
token="smoke-master-token-$RANDOM$RANDOM"
log="$data/server.log"
UNITCELL__UNIT__MASTER_TOKEN="$token" "$bin" serve --listen "127.0.0.1:$port" \
  --unit-url "$base/" --data-dir "$data" >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 50); do
  curl -fsS "$base/__status" >/dev/null 2>&1 && break
  sleep 0.2
done
fail() { echo "smoke: $*" >&2; echo "--- server log:" >&2; cat "$log" >&2; exit 1; }
expect() { # expect STATUS METHOD PATH [curl args...]
  local want=$1 method=$2 path=$3; shift 3
  local got
  got=$(curl -sS -o "$data/body" -w '%{http_code}' -X "$method" "$base$path" "$@")
  [ "$got" = "$want" ] || fail "$method $path: expected $want, got $got: $(cat "$data/body")"
}
auth=(-H "Authorization: Bearer $token")
json=(-H "Content-Type: application/json" -H "Accept: application/json")
expect 200 GET /
grep -q "\"url\":\"$base/\"" "$data/body" || fail "unit metadata: $(cat "$data/body")"
expect 201 POST /__ctl/Cell "${auth[@]}" "${json[@]}" -d '{"Name":"smoke"}'
grep -q '"Name":"smoke"' "$data/body" || fail "cell body: $(cat "$data/body")"
expect 401 POST /__ctl/Cell "${json[@]}" -d '{"Name":"anon"}'
grep -q 'PR401-AU-0001' "$data/body" || fail "anonymous create: $(cat "$data/body")"
expect 409 POST /__ctl/Cell "${auth[@]}" "${json[@]}" -d '{"Name":"smoke"}'
expect 201 POST /smoke/__ctl/Account "${auth[@]}" "${json[@]}" \
  -H "X-Personium-Credential: smoke-pass-1" -d '{"Name":"me"}'
grep -q '"Name":"me"' "$data/body" || fail "account body: $(cat "$data/body")"
if grep -q "smoke-pass-1" "$data/body"; then fail "password echoed"; fi
expect 201 POST /smoke/__ctl/Role "${auth[@]}" "${json[@]}" -d '{"Name":"reader"}'
expect 204 POST "/smoke/__ctl/Account('me')/\$links/_Role" "${auth[@]}" "${json[@]}" \
  -d "{\"uri\":\"$base/smoke/__ctl/Role('reader')\"}"
expect 200 GET "/smoke/__ctl/Role('reader')/_Account" "${auth[@]}" -H "Accept: application/json"
grep -q '"Name":"me"' "$data/body" || fail "role accounts: $(cat "$data/body")"
expect 409 DELETE "/__ctl/Cell('smoke')" "${auth[@]}"
expect 204 DELETE /smoke "${auth[@]}" -H "X-Personium-Recursive: true"
expect 404 GET /smoke/ -H "Accept: application/json"
# The token never reaches the log.
if grep -q "$token" "$log"; then fail "master token found in the server log"; fi
kill -TERM "$pid"
wait "$pid" || true
grep -q "unitcell stopped" "$log" || fail "no graceful shutdown"
trap - EXIT
rm -rf "$data"
echo "smoke: ok"
