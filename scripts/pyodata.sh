#!/usr/bin/env bash
# pyodata (PyPI, an OData v2 client) as a real client of an OData service collection: it reads
# $metadata and works on user data through its own API (scripts/pyodata_check.py).
# Usage: scripts/pyodata.sh BIN [sqlite|postgres]. Installs pyodata into a venv under
# ~/.cache/unitcell-tools on first use.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/lib.sh"
BIN=${1:?usage: pyodata.sh BIN [sqlite|postgres]}
BACKEND=${2:-sqlite}
venv=${UC_TOOLS:-$HOME/.cache/unitcell-tools}/pyodata-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import pyodata' 2>/dev/null; then
  python3 -m venv "$venv" 2>/dev/null || { apt-get install -y -qq python3-venv >/dev/null; python3 -m venv "$venv"; }
  "$venv/bin/pip" install -q 'pyodata==1.12.*' requests
fi
trap uc_stop EXIT
uc_start "$BIN" "$BACKEND"
uc_box py app owner "pyodata-pass-1"
col="$UC_BOX_URL/od"
curl -fsS -o /dev/null -X MKCOL -H "Authorization: Bearer $UC_TOKEN" "$col" -d '<D:mkcol xmlns:D="DAV:" xmlns:p="urn:x-personium:xmlns"><D:set><D:prop><D:resourcetype><D:collection/><p:odata/></D:resourcetype></D:prop></D:set></D:mkcol>'
schema() { curl -fsS -o /dev/null -X POST "$col/\$metadata/$1" -H "Authorization: Bearer $UC_TOKEN" -H "Content-Type: application/json" -d "$2"; }
schema EntityType '{"Name":"Item"}'
schema EntityType '{"Name":"Tag"}'
schema Property '{"Name":"name","_EntityType.Name":"Item","Type":"Edm.String","Nullable":false}'
schema Property '{"Name":"n","_EntityType.Name":"Item","Type":"Edm.Int32"}'
schema Property '{"Name":"price","_EntityType.Name":"Item","Type":"Edm.Double"}'
schema Property '{"Name":"ok","_EntityType.Name":"Item","Type":"Edm.Boolean","DefaultValue":"true"}'
schema Property '{"Name":"at","_EntityType.Name":"Item","Type":"Edm.DateTime","DefaultValue":"SYSUTCDATETIME()"}'
"$venv/bin/python" "$here/pyodata_check.py" "$col/" "$UC_TOKEN"
uc_log "pyodata ($BACKEND): passed"
