-- Shared by the unitcell wrk scripts: per-thread status bookkeeping and the one result line.
--   RESULT <requests/s> <p50 ms> <p99 ms> <requests> <non-2xx> <socket errors>
-- Each script sets `ok_status(status)` (default: any 2xx) before its requests run. A script that
-- sets `response = nil` (no Lua per answer) still has wrk's own count of answers >= 400.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

-- Per-thread globals (each wrk thread has its own Lua state).
bad = 0

function ok_status(status)
  return status >= 200 and status < 300
end

function response(status, headers, body)
  if not ok_status(status) then
    bad = bad + 1
  end
  if after_response then after_response(status) end
end

function done(summary, latency, requests)
  local bad_total = 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + (t:get("bad") or 0)
  end
  local e = summary.errors
  if e.status > bad_total then bad_total = e.status end
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n",
    summary.requests / secs,
    latency:percentile(50) / 1000,
    latency:percentile(99) / 1000,
    summary.requests, bad_total,
    e.connect + e.read + e.write + e.timeout))
end
