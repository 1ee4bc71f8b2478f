-- POST the JSON of env BODY to the URL given to wrk as the unit master (env TOKEN); every answer
-- must be 201.
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

wrk.method = "POST"
wrk.body = os.getenv("BODY") or "{}"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local token = os.getenv("TOKEN")
if token then wrk.headers["Authorization"] = "Bearer " .. token end

function ok_status(status) return status == 201 end
