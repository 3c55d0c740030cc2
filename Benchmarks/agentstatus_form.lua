-- wrk script: the same authenticated agentStatus through coccd's HTTP form interface, a GET
-- whose query the command line's URL carries (soap_benchmark.sh passes
-- /coccinterfaces?EVENT=AGENTSTATUS&...). The answer is the bare |Retuen| string.
wrk.method = "GET"

-- Every answer must be the success string: a benchmark of errors would measure nothing.
-- response() runs in each wrk thread's own Lua state and done() in the main one, so the
-- counts are read back from the threads kept by setup().
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
bad = 0
function response(status, headers, body)
  if status ~= 200 or not string.find(body, "|Retuen|1|Retuen|BackMsg_43|Retuen|1-idle,2-logout,", 1, true) then
    bad = bad + 1
  end
end
function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do wrong = wrong + thread:get("bad") end
  io.write(string.format("RESULT rps=%.0f p50_us=%d p99_us=%d errors=%d non2xx_or_wrong=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, wrong))
end
