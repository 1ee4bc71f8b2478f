-- GET a path built from QUERY (env) with "{n}" replaced by a random integer in [0, N_MAX) and
-- "{m}" by n + SPAN, as the unit master (env TOKEN), Accept: application/json; 2xx expected.
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

local template = os.getenv("QUERY")
local n_max = tonumber(os.getenv("N_MAX") or "100000")
local span = tonumber(os.getenv("SPAN") or "0")
local headers = { ["Accept"] = "application/json" }
local token = os.getenv("TOKEN")
if token then headers["Authorization"] = "Bearer " .. token end

function init(args)
  math.randomseed(os.time() + (tid or 0) * 7919)
end

function request()
  local n = math.random(0, n_max - 1)
  local path = template:gsub("{n}", tostring(n)):gsub("{m}", tostring(n + span))
  return wrk.format("GET", path, headers)
end
