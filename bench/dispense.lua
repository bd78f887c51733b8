-- wrk script: POST a dispense decision for a random seeded course and its due prescription.
--
-- Environment:
--   BENCH_TARGETS  file of "course_id prescription_id" lines (written by bench/seed.py)
--   BENCH_TOKEN    the pharmacist's bearer token
--   BENCH_LIMIT    optional: decisions per wrk thread. Once a thread has sent that many, it
--                  sends only GET /healthz (which records nothing) and stops when all its
--                  decisions are answered, so exactly threads x limit decisions are requested.
--                  A thread also stops if no decision has been answered for 30 s after it
--                  sent its last one (a lost answer must not keep it polling forever).
--   BENCH_SEED     optional random seed (default 1)
--
-- Counts per thread: decisions answered, 2xx answers, other statuses; done() prints one
-- JSON line "BENCH_RESULT {...}" that bench/dispense.py reads.

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   local path = os.getenv("BENCH_TARGETS")
   targets = {}
   for line in io.lines(path) do
      local course, rx = line:match("^(%S+)%s+(%S+)$")
      if course then
         targets[#targets + 1] = { course, rx }
      end
   end
   limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
   math.randomseed(tonumber(os.getenv("BENCH_SEED") or "1") * 7919 + id)
   token = "Bearer " .. os.getenv("BENCH_TOKEN")
   sent = 0
   answered = 0
   ok = 0
   bad = 0
   health = 0
   last_answer = os.time()
   -- wrk calls request() once on thread 0 to check the script and discards that request:
   -- it must not count as a decision sent.
   verifying = (id == 0)
   headers = {
      ["Authorization"] = token,
      ["Content-Type"] = "application/json",
   }
end

function request()
   if verifying then
      verifying = false
      return wrk.format("GET", "/healthz")
   end
   if limit > 0 and sent >= limit then
      health = health + 1
      return wrk.format("GET", "/healthz")
   end
   sent = sent + 1
   local target = targets[math.random(#targets)]
   local body = '{"prescription_id":"' .. target[2] .. '"}'
   return wrk.format("POST", "/api/v1/courses/" .. target[1] .. "/dispense-decisions", headers, body)
end

function response(status, resp_headers, body)
   -- A decision answer carries a JSON body with an authorization code; /healthz does not.
   if body ~= nil and body:find('"authorization_code"', 1, true) then
      answered = answered + 1
      last_answer = os.time()
      if status >= 200 and status < 300 then
         ok = ok + 1
      end
   elseif status >= 300 then
      answered = answered + 1
      bad = bad + 1
   end
   if limit > 0 and (answered >= limit or (sent >= limit and os.time() - last_answer > 30)) then
      wrk.thread:stop()
   end
end

function done(summary, latency, requests)
   local sent_total, answered_total, ok_total, bad_total, health_total = 0, 0, 0, 0, 0
   for _, thread in ipairs(threads) do
      sent_total = sent_total + thread:get("sent")
      answered_total = answered_total + thread:get("answered")
      ok_total = ok_total + thread:get("ok")
      bad_total = bad_total + thread:get("bad")
      health_total = health_total + thread:get("health")
   end
   io.write(string.format(
      'BENCH_RESULT {"decisions_sent":%d,"decisions_answered":%d,"decisions_2xx":%d,'
         .. '"decisions_failed":%d,"health_requests":%d,"requests":%d,"duration_us":%d,'
         .. '"socket_errors":%d,"non_2xx_3xx":%d,"timeouts":%d,'
         .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
      sent_total, answered_total, ok_total, bad_total, health_total, summary.requests,
      summary.duration, summary.errors.connect + summary.errors.read + summary.errors.write,
      summary.errors.status, summary.errors.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
