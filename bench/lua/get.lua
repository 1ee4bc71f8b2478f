-- GET the URL given to wrk as the unit master (env TOKEN), Accept: application/json.
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

wrk.method = "GET"
wrk.headers["Accept"] = "application/json"
local token = os.getenv("TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end
