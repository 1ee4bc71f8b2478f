-- Like get.lua, but each connection waits PAUSE_MS (default 5) after every answer before it
-- sends the next request: N connections model N clients with a little think time, so the
-- offered load stays below saturation and the latency measured is the server's, not the
-- queue's.
dofile((os.getenv("LUA_DIR") or "lua") .. "/get.lua")

local pause = tonumber(os.getenv("PAUSE_MS") or "5")
function delay()
  return pause
end
