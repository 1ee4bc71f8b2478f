# Starts the WebDAV peers of bench/webdav.sh, each in the foreground on a free 127.0.0.1 port
# with its own config and an empty root under $OUT_DIR/<peer>/ (sourced by webdav.sh; needs
# bench/install-peers.sh first). Each start_<peer> sets SRV_PID, SRV_BASE (the URL of the
# collection the cases use, no trailing slash), SRV_AUTH (Authorization value, or empty) and
# SRV_LABEL (name and version) for that peer. Seeding is webdav.sh's job (over HTTP, the same
# requests for every server).

# wait_up URL PID: until URL answers anything; fails when PID is gone or after 60 s.
wait_up() {
  local url=$1 pid=$2 _
  for _ in $(seq 1 600); do
    curl -s -o /dev/null --max-time 2 "$url" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# peer_root NAME: a fresh $OUT_DIR/NAME/ with an empty root/ the server's user may write.
peer_root() {
  local d="$OUT_DIR/$1"
  rm -rf "$d"; mkdir -p "$d/root" "$d/tmp" "$d/run"
  if [ "$(id -u)" -eq 0 ]; then
    # the workers run as www-data: they must reach the root (mktemp -d makes OUT_DIR 0700)
    chmod a+x "$OUT_DIR" "$d"
    chown -R www-data:www-data "$d/root" "$d/tmp" "$d/run"
  fi
  echo "$d"
}

# nginx-light: the core dav module (PUT DELETE MKCOL COPY MOVE) + dav_ext (PROPFIND OPTIONS).
start_nginx() {
  local d port user=""
  d=$(peer_root nginx); port=$(uc_free_port)
  [ "$(id -u)" -ne 0 ] || user="user www-data;"
  cat >"$d/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_http_dav_ext_module.so;
$user
worker_processes auto;
daemon off;
pid $d/run/nginx.pid;
error_log $d/error.log warn;
events { worker_connections 1024; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path $d/tmp;
  proxy_temp_path $d/tmp;
  fastcgi_temp_path $d/tmp;
  uwsgi_temp_path $d/tmp;
  scgi_temp_path $d/tmp;
  server {
    listen 127.0.0.1:$port;
    root $d/root;
    location / {
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      dav_access user:rw group:rw all:r;
      client_max_body_size 0;
    }
  }
}
CONF
  /usr/sbin/nginx -c "$d/nginx.conf" >"$d/stdout.log" 2>&1 &
  SRV_PID=$!
  SRV_BASE="http://127.0.0.1:$port"
  SRV_AUTH=""
  SRV_LABEL="nginx $(/usr/sbin/nginx -v 2>&1 | sed -n 's|.*nginx/\([0-9.]*\).*|\1|p') dav+dav_ext"
  wait_up "$SRV_BASE/" "$SRV_PID"
}

# Apache httpd: mod_dav + mod_dav_fs, mpm_event. Threads: 2 processes x 64 from the start and
# never reaped, so each of 64 connections can have a thread in any process: with Debian's stock
# 2 x 25 (and spare-thread reaping) mpm_event closes keep-alive connections under 64
# connections, which wrk counts as socket errors.
start_apache() {
  local d port m=/usr/lib/apache2/modules
  d=$(peer_root apache); port=$(uc_free_port)
  cat >"$d/httpd.conf" <<CONF
ServerRoot "$d"
DefaultRuntimeDir "$d/run"
PidFile "$d/run/httpd.pid"
Listen 127.0.0.1:$port
ServerName localhost
User www-data
Group www-data
ErrorLog "$d/error.log"
LogLevel warn
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule dav_module $m/mod_dav.so
LoadModule dav_fs_module $m/mod_dav_fs.so
TypesConfig /etc/mime.types
StartServers 2
MinSpareThreads 64
MaxSpareThreads 128
ThreadLimit 64
ThreadsPerChild 64
MaxRequestWorkers 128
MaxConnectionsPerChild 0
KeepAlive On
MaxKeepAliveRequests 0
KeepAliveTimeout 5
DavLockDB "$d/run/davlock"
DocumentRoot "$d/root"
<Directory "$d/root">
  Dav On
  Options None
  AllowOverride None
  Require all granted
</Directory>
CONF
  /usr/sbin/apache2 -f "$d/httpd.conf" -DFOREGROUND >"$d/stdout.log" 2>&1 &
  SRV_PID=$!
  SRV_BASE="http://127.0.0.1:$port"
  SRV_AUTH=""
  SRV_LABEL="apache $(/usr/sbin/apache2 -v | sed -n 's|.*Apache/\([0-9.]*\).*|\1|p') mod_dav_fs"
  wait_up "$SRV_BASE/" "$SRV_PID"
}

# WsgiDAV on cheroot: anonymous, filesystem provider, in-memory dead properties and locks.
start_wsgidav() {
  local d port venv="$CACHE/wsgidav"
  d=$(peer_root wsgidav); port=$(uc_free_port)
  cat >"$d/wsgidav.yaml" <<YAML
host: 127.0.0.1
port: $port
server: cheroot
provider_mapping:
  "/": "$d/root"
simple_dc:
  user_mapping:
    "*": true
property_manager: true
lock_storage: true
verbose: 1
dir_browser:
  enable: false
YAML
  "$venv/bin/wsgidav" -c "$d/wsgidav.yaml" >"$d/stdout.log" 2>&1 &
  SRV_PID=$!
  SRV_BASE="http://127.0.0.1:$port"
  SRV_AUTH=""
  SRV_LABEL="wsgidav $("$venv/bin/python" -c 'import wsgidav; print(wsgidav.__version__)') cheroot"
  wait_up "$SRV_BASE/" "$SRV_PID"
}

# Community Solid Server 7, file backend (config/file.json) with WAC, pod /alice/ seeded at
# start. CSS checks tokens only for https or http://localhost:PORT, so its base is localhost;
# bench/css/loopback.cjs keeps its listen() on 127.0.0.1 (it has no bind-address option).
# Seeding (bench/css/setup.mjs) makes /alice/public/ (WAC: everyone read+write) and
# /alice/private/ (owner only) and prints a client-credentials Bearer token (600 s).
start_css() {
  local d port home="$CACHE/css"
  d="$OUT_DIR/css"; rm -rf "$d"; mkdir -p "$d/root"
  port=$(uc_free_port)
  echo '[{"email":"alice@example.org","password":"alice-bench-pw","pods":[{"name":"alice"}]}]' >"$d/seed.json"
  (cd "$home" && NODE_OPTIONS="--require $ROOT/bench/css/loopback.cjs" exec \
    ./node_modules/.bin/community-solid-server -c @css:config/file.json -f "$d/root" \
    -p "$port" -b "http://localhost:$port/" -l warn --seedConfig "$d/seed.json" \
    >"$d/stdout.log" 2>&1) &
  SRV_PID=$!
  SRV_BASE="http://localhost:$port/alice"
  SRV_LABEL="css $(node -p "require('$home/node_modules/@solid/community-server/package.json').version") file"
  wait_up "http://localhost:$port/" "$SRV_PID" || return 1
  node "$ROOT/bench/css/setup.mjs" seed "http://localhost:$port/" "$PAYLOAD" >"$d/token.json" || return 1
  SRV_AUTH="Bearer $(css_token_from "$d/token.json")"
}

# css_token_from FILE: the access_token of a token JSON answer.
css_token_from() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["access_token"])' "$1"; }

# css_refresh_token: a fresh Bearer value for the running CSS (its tokens live 600 s).
css_refresh_token() {
  local origin=${SRV_BASES[css]%/alice}
  node "$ROOT/bench/css/setup.mjs" token "$origin/" "$PAYLOAD" >"$OUT_DIR/css/token.json"
  SRV_AUTHS[css]="Bearer $(css_token_from "$OUT_DIR/css/token.json")"
}
