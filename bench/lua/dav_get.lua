-- GET the URL given to wrk (bench/webdav.sh: get_small, get_1mb; CSS list_1000).
-- Env: AUTH (optional Authorization header value, e.g. "Bearer AR~..."), ACCEPT (optional),
--      BODY_IGNORED=1: do not hand responses to Lua. wrk then copies no body into Lua (a 1 MiB
--      GET would otherwise cost the client a copy per answer) and only answers >= 400 are
--      counted as failures (wrk's own status errors), so the caller checks the status by hand.
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

wrk.method = "GET"
local auth = os.getenv("AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = auth end
local accept = os.getenv("ACCEPT")
if accept and accept ~= "" then wrk.headers["Accept"] = accept end
if os.getenv("BODY_IGNORED") == "1" then response = nil end
