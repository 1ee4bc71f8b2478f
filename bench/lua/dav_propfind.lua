-- PROPFIND Depth: 1 with an allprop body on the URL given to wrk (bench/webdav.sh:
-- propfind_1000). Every answer must be 207. Env: AUTH (optional Authorization header value).
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

wrk.method = "PROPFIND"
wrk.headers["Depth"] = "1"
wrk.headers["Content-Type"] = "application/xml"
wrk.body = '<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>'
local auth = os.getenv("AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end

function ok_status(status) return status == 207 end
