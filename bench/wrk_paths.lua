-- wrk script for `make bench`'s HTTP mode (bench/http_load.py): each wrk thread's requests
-- (its connections share them) rotate over one page's paths, given after `--`, and the run
-- ends with one JSON line of the counts and latency percentiles (microseconds) for the
-- benchmark to read.
local paths = {}
local next_path = 0
local threads = 0

-- Runs in the main state once a thread: numbers the threads (`thread_number` in their state).
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end

function init(args)
  for index, path in ipairs(args) do
    paths[index] = wrk.format("GET", path)
  end
  -- Threads start half a list apart, so two threads do not ask the same URL in step.
  next_path = (thread_number * math.floor(#paths / 2)) % #paths
end

function request()
  next_path = next_path % #paths + 1
  return paths[next_path]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, '
      .. '"status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
