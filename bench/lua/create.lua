-- POST {"Name":"<PREFIX><n>"} to the URL path given to wrk (e.g. /__ctl/Cell or
-- /bench/__ctl/Role) with a new name on every request; every answer must be 201.
-- Env: TOKEN (unit master token), PREFIX (lowercase, unique per run),
--      LIMIT (optional: create at most LIMIT entities per wrk thread; after that the thread
--      sends GET /__status, and when LIMIT creations were answered 201 it creates DONE_FILE,
--      so the caller can stop wrk with SIGINT; use -t1 so LIMIT is the total).
-- Names: thread 0 -> PREFIX1, PREFIX2, ...; thread k>0 -> PREFIXk-1, PREFIXk-2, ...
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

local prefix = os.getenv("PREFIX") or "w"
local limit = tonumber(os.getenv("LIMIT") or "")
local done_file = os.getenv("DONE_FILE")
local headers = {
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json",
}
local token = os.getenv("TOKEN")
if token then headers["Authorization"] = "Bearer " .. token end

local sent = 0
local created = 0
local signalled = false
-- wrk calls request() once on thread 0 to check the script and never sends that request, so
-- thread 0's first call must not consume a name (r1 would be skipped). If a wrk version does
-- send it, it is a harmless GET /__status (fill mode) or a create of PREFIX0.
local first_call = true

if limit then
  -- In fill mode the trailing GET /__status answers 200; anything else but 201 is a failure.
  function ok_status(status) return status == 201 or status == 200 end
else
  function ok_status(status) return status == 201 end
end

function after_response(status)
  if status == 201 then created = created + 1 end
  if limit and not signalled and created >= limit and done_file then
    local f = io.open(done_file, "w")
    if f then f:write(created, "\n"); f:close() end
    signalled = true
  end
end

function request()
  if first_call and (tid or 0) == 0 then
    first_call = false
    if limit then return wrk.format("GET", "/__status") end
    return wrk.format("POST", nil, headers, '{"Name":"' .. prefix .. '0"}')
  end
  if limit and sent >= limit then
    return wrk.format("GET", "/__status")
  end
  sent = sent + 1
  local name
  if tid and tid > 0 then
    name = string.format("%s%d-%d", prefix, tid, sent)
  else
    name = prefix .. sent
  end
  return wrk.format("POST", nil, headers, '{"Name":"' .. name .. '"}')
end
