#!/usr/bin/env bash
# Installs the WebDAV peers that bench/webdav.sh measures unitcell against, from package
# registries only, plus wrk (through scripts/install-tools.sh). Idempotent: a peer already in
# place is left alone. Needs root (or passwordless sudo), Node >= 18 and Python >= 3.10.
#
#   bench/install-peers.sh                      # all four
#   PEERS="nginx apache" bench/install-peers.sh # a subset
#
#   nginx    Debian nginx-light + libnginx-mod-http-dav-ext (PROPFIND/OPTIONS/LOCK)
#   apache   Debian apache2 (mod_dav + mod_dav_fs)
#   wsgidav  PyPI wsgidav + cheroot, in a venv under the cache dir
#   css      npm @solid/community-server 7, under the cache dir
# Debian's package scripts do not start nginx/apache here (policy-rc.d); webdav.sh runs each in
# the foreground with its own config, so the system services are never used.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${UNITCELL_BENCH_CACHE:-$HOME/.cache/unitcell-bench}
PEERS=${PEERS:-"nginx apache wsgidav css"}
WSGIDAV_VERSION=${WSGIDAV_VERSION:-4.4.0}
CHEROOT_VERSION=${CHEROOT_VERSION:-11.1.2}
CSS_VERSION=${CSS_VERSION:-7.2.0}
log() { echo "[$(date +%H:%M:%S)] $*" >&2; }
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
mkdir -p "$CACHE"

bash "$ROOT/scripts/install-tools.sh"

# apt_need PKG...: installs the Debian packages that are missing (one `apt-get update` at most).
apt_updated=""
apt_need() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  export DEBIAN_FRONTEND=noninteractive
  [ -n "$apt_updated" ] || { $SUDO apt-get update -qq; apt_updated=1; }
  log "apt: ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

for peer in $PEERS; do
  case $peer in
    nginx) apt_need nginx-light libnginx-mod-http-dav-ext ;;
    apache) apt_need apache2 ;;
    wsgidav)
      apt_need python3-venv
      if ! "$CACHE/wsgidav/bin/python" -c 'import wsgidav, cheroot' 2>/dev/null; then
        log "pip: wsgidav $WSGIDAV_VERSION, cheroot $CHEROOT_VERSION"
        python3 -m venv "$CACHE/wsgidav"
        "$CACHE/wsgidav/bin/pip" install -q "wsgidav==$WSGIDAV_VERSION" "cheroot==$CHEROOT_VERSION"
      fi ;;
    css)
      command -v npm >/dev/null || apt_need npm
      if [ ! -x "$CACHE/css/node_modules/.bin/community-solid-server" ]; then
        log "npm: @solid/community-server@$CSS_VERSION"
        mkdir -p "$CACHE/css"
        (cd "$CACHE/css" && { [ -f package.json ] || npm init -y >/dev/null; } \
          && npm install --no-audit --no-fund --loglevel=error "@solid/community-server@$CSS_VERSION")
      fi ;;
    unitcell) ;;
    *) log "unknown peer $peer"; exit 2 ;;
  esac
done
log "peers ready in $CACHE: $PEERS"
