-- wrk script of benchmarks/bench_load.py: POST bodies in rotation, one JSON summary line at the end.
--   wrk ... -s benchmarks/load.lua URL -- LIST MODE CONTENT_TYPE [AUTHORIZATION]
-- MODE "lines": LIST holds one body per line. MODE "files": LIST holds one body file path per line
-- (read as bytes: multipart bodies with a JPEG inside).
local requests = {}
local next_index = 1

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read("*a")
  f:close()
  return data
end

function init(args)
  local list, mode, content_type, authorization = args[1], args[2], args[3], args[4]
  local headers = { ["Content-Type"] = content_type }
  if authorization ~= nil and authorization ~= "" then
    headers["Authorization"] = authorization
  end
  for line in io.lines(list) do
    if line ~= "" then
      local body = line
      if mode == "files" then
        body = read_all(line)
      end
      requests[#requests + 1] = wrk.format("POST", nil, headers, body)
    end
  end
  -- each thread starts at a different place in the rotation
  next_index = (math.random(1, #requests) % #requests) + 1
end

function request()
  local r = requests[next_index]
  next_index = next_index + 1
  if next_index > #requests then
    next_index = 1
  end
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %.0f, "duration_us": %.0f, "connect": %.0f, "read": %.0f, ' ..
    '"write": %.0f, "status": %.0f, "timeout": %.0f, "p50_us": %.0f, "p90_us": %.0f, ' ..
    '"p99_us": %.0f, "max_us": %.0f}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
