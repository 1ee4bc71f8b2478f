# Shared helpers for the scripts that drive a running unitcell (real-client checks, benchmarks).
# Source it:  . "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
#
#   uc_start BIN [BACKEND]   start `BIN serve` on a free loopback port with a fresh data directory
#                            (BACKEND sqlite (default) or postgres: a fresh database, dropped on exit);
#                            sets UC_BASE, UC_PID, UC_MASTER, UC_DATA; extra env from UC_ENV (array).
#   uc_stop                  stop the server, drop its database, remove its data (run on EXIT).
#   uc_box CELL BOX USER PASS
#                            create CELL, an account USER/PASS holding role `owner`, box BOX whose
#                            ACL grants `owner` D:all; sets UC_TOKEN to a fresh AR~ token
#                            (lifetime UC_TOKEN_SECS, default 3600) and UC_BOX_URL to the box URL.
#   uc_master METHOD PATH [curl args...]
#                            a request with the master token; fails the script on a non-2xx answer.
#   uc_log MSG               a timestamped line on stderr.
uc_log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

uc_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

UC_PID=""; UC_PG_DB=""; UC_DATA=""
uc_stop() {
  if [ -n "$UC_PID" ]; then kill -TERM "$UC_PID" 2>/dev/null || true; wait "$UC_PID" 2>/dev/null || true; fi
  UC_PID=""
  if [ -n "$UC_PG_DB" ]; then dropdb -h 127.0.0.1 -U postgres --if-exists "$UC_PG_DB" 2>/dev/null || true; fi
  UC_PG_DB=""
  if [ -n "$UC_DATA" ] && [ -z "${UC_KEEP_DATA:-}" ]; then rm -rf "$UC_DATA"; fi
}

uc_start() {
  local bin backend port env_db=()
  bin=$(realpath "$1"); backend=${2:-sqlite}
  UC_DATA=$(mktemp -d "${TMPDIR:-/tmp}/unitcell.XXXXXX")
  port=$(uc_free_port)
  UC_BASE="http://127.0.0.1:$port"
  UC_MASTER="master-$RANDOM$RANDOM$RANDOM"
  if [ "$backend" = postgres ]; then
    UC_PG_DB="uc_script_$RANDOM$RANDOM"
    createdb -h 127.0.0.1 -U postgres "$UC_PG_DB"
    env_db=(UNITCELL__DB__URL="postgres://postgres@127.0.0.1:5432/$UC_PG_DB")
  fi
  env "${env_db[@]}" "${UC_ENV[@]}" UNITCELL__UNIT__MASTER_TOKEN="$UC_MASTER" "$bin" serve \
    --listen "127.0.0.1:$port" --unit-url "$UC_BASE/" --data-dir "$UC_DATA" >"$UC_DATA/server.log" 2>&1 &
  UC_PID=$!
  local _
  for _ in $(seq 1 150); do
    curl -fs "$UC_BASE/__status" >/dev/null 2>&1 && return 0
    kill -0 "$UC_PID" 2>/dev/null || break
    sleep 0.1
  done
  uc_log "server did not start; log:"; cat "$UC_DATA/server.log" >&2; return 1
}

uc_master() {
  local method=$1 path=$2; shift 2
  curl -fsS -o /dev/null -X "$method" "$UC_BASE$path" -H "Authorization: Bearer $UC_MASTER" "$@"
}

uc_box() {
  local cell=$1 box=$2 user=$3 pass=$4 json=(-H "Content-Type: application/json")
  uc_master POST /__ctl/Cell "${json[@]}" -d "{\"Name\":\"$cell\"}"
  uc_master POST "/$cell/__ctl/Account" "${json[@]}" -H "X-Personium-Credential: $pass" -d "{\"Name\":\"$user\"}"
  uc_master POST "/$cell/__ctl/Role" "${json[@]}" -d '{"Name":"owner"}'
  uc_master POST "/$cell/__ctl/Account('$user')/\$links/_Role" "${json[@]}" \
    -d "{\"uri\":\"$UC_BASE/$cell/__ctl/Role('owner')\"}"
  uc_master POST "/$cell/__ctl/Box" "${json[@]}" -d "{\"Name\":\"$box\"}"
  uc_master ACL "/$cell/$box" -d "<D:acl xmlns:D=\"DAV:\" xml:base=\"$UC_BASE/$cell/__role/__/\"><D:ace><D:principal><D:href>owner</D:href></D:principal><D:grant><D:privilege><D:all/></D:privilege></D:grant></D:ace></D:acl>"
  UC_TOKEN=$(curl -fsS -X POST "$UC_BASE/$cell/__token" -d grant_type=password -d "username=$user" \
    -d "password=$pass" -d "expires_in=${UC_TOKEN_SECS:-3600}" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  UC_BOX_URL="$UC_BASE/$cell/$box"
}
