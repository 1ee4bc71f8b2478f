-- PUT a new 100-byte text/plain file on every request (bench/webdav.sh: put_small); every
-- answer must be 201 Created. Paths: <PUT_PREFIX>d<k>/<RUN_ID>-<thread>-<n>.txt, k = n mod
-- PUT_DIRS, so the files of all runs spread over PUT_DIRS collections that the caller made
-- beforehand (unitcell, like Personium, refuses a 1,025th child in one collection).
-- Env: PUT_PREFIX (URL path ending in '/'), PUT_DIRS (default 1), RUN_ID (unique per run),
--      AUTH (optional Authorization header value), PUT_DIR_PER_RUN=1 (Solid: no pre-made
--      collections; files go to <PUT_PREFIX><RUN_ID>/d<k>/..., containers made by the PUT).
dofile((os.getenv("LUA_DIR") or "lua") .. "/result.lua")

local prefix = os.getenv("PUT_PREFIX") or "/putbench/"
local dirs = tonumber(os.getenv("PUT_DIRS") or "1")
local run = os.getenv("RUN_ID") or tostring(os.time())
if os.getenv("PUT_DIR_PER_RUN") == "1" then
  prefix = prefix .. run .. "/"
end
local headers = { ["Content-Type"] = "text/plain" }
local auth = os.getenv("AUTH")
if auth and auth ~= "" then headers["Authorization"] = auth end
local body = string.rep("p", 99) .. "\n"
local n = 0
-- wrk calls request() once on thread 0 to check the script and never sends that request: a
-- skipped name is harmless here (names only need to be new).

function ok_status(status) return status == 201 end

function request()
  n = n + 1
  local path = string.format("%sd%d/%s-%d-%d.txt", prefix, n % dirs, run, tid or 0, n)
  return wrk.format("PUT", path, headers, body)
end
