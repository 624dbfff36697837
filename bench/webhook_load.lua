-- wrk script for bench/webhook_receiver.py: posts pre-signed webhook deliveries, each once.
--   wrk -t T -c C -d D -s webhook_load.lua URL -- REQUESTS_FILE T
-- REQUESTS_FILE has one "signature<TAB>body" line per delivery; thread k of T sends lines
-- k, k+T, k+2T... and stops when its share runs out (a repeat would be a duplicate, which the
-- receiver acknowledges without storing). done() prints one JSON line prefixed "WRK ".
local counter = 0

function setup(thread)
  thread:set("index", counter)
  counter = counter + 1
end

function init(args)
  local path, threads = args[1], tonumber(args[2])
  requests, position = {}, 0
  local n = 0
  for line in io.lines(path) do
    if n % threads == index then
      local signature, body = line:match("^([^\t]*)\t(.*)$")
      requests[#requests + 1] = wrk.format("POST", nil, {["Authorization"] = signature, ["Content-Type"] = "application/json"}, body)
    end
    n = n + 1
  end
end

function request()
  position = position + 1
  if position > #requests then
    wrk.thread:stop()
    position = #requests
  end
  return requests[position]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK {"requests": %d, "duration_us": %d, "non_2xx": %d, "socket_errors": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
