-- wrk script of bench/run.sh: POST sign-up with a new email every request.
-- Arguments after "--": <origin> <password>
-- Emails are <random prefix per thread and run>-<counter>@bench.example, so no
-- two requests share one, not even across repetitions on the same database.
-- done() prints: RESULT <requests> <duration_us> <p50_us> <p99_us> <non2xx> <socket_errors>

local n_threads = 0
local prefix, counter, password = "", 0, ""

function setup(thread)
	n_threads = n_threads + 1
	thread:set("tid", n_threads)
end

function init(args)
	wrk.method = "POST"
	wrk.headers["Content-Type"] = "application/json"
	wrk.headers["Origin"] = args[1]
	password = args[2]
	local t = tid or 0
	math.randomseed(os.time() * 1000 + t * 7919 + math.floor(os.clock() * 1e6))
	prefix = string.format("b%06x%06xt%d", math.random(0, 0xffffff), math.random(0, 0xffffff), t)
end

function request()
	counter = counter + 1
	local body = string.format('{"name":"Bench %d","email":"%s-%d@bench.example","password":"%s"}',
		counter, prefix, counter, password)
	return wrk.format(nil, nil, nil, body)
end

function done(summary, latency, requests)
	local e = summary.errors
	print(string.format("RESULT %d %d %d %d %d %d",
		summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99),
		e.status, e.connect + e.read + e.write + e.timeout))
end
