#!/usr/bin/env bash
# Installs the real clients and load tools the checks and benchmarks drive, from Debian's packages:
# litmus (WebDAV conformance), rclone (sync client), cadaver (WebDAV shell), davfs2 (WebDAV
# file system), wrk (load), curl.
# Idempotent: installs only what is missing. Needs root (or passwordless sudo) and the apt registry.
set -euo pipefail
want=(litmus rclone cadaver davfs2 wrk curl)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "installed: ${missing[*]}"
