-- wrk script for the admission webhook benchmark (bench/run_webhook_bench.sh): POSTs the
-- AdmissionReview in the file named by $KSPM_REVIEW on every request, over keep-alive, and prints
-- the latency percentiles wrk measured plus any non-200 answers.
local path = os.getenv("KSPM_REVIEW")
if path == nil then
  error("set KSPM_REVIEW to the AdmissionReview file (bench/gen_admission_review.py)")
end
local file = assert(io.open(path, "rb"))
local body = file:read("*a")
file:close()

-- $KSPM_DELAY_MS (optional): each connection waits that long after a response before its next
-- request, so the offered load is about connections * 1000 / delay per second (latency at a set
-- rate, not at saturation, where it only measures queueing behind the shared cores).
local pause = tonumber(os.getenv("KSPM_DELAY_MS") or "")
if pause ~= nil and pause > 0 then
  function delay()
    return pause
  end
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, */*"

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format("reviews: %d in %.1f s = %.0f/s; errors: connect %d read %d write %d status %d timeout %d\n",
    summary.requests, seconds, summary.requests / seconds, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("client latency p%g: %.3f ms\n", p, latency:percentile(p) / 1000))
  end
end
