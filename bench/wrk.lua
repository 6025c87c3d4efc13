-- wrk script of bench/run.sh for the fixed requests. Arguments after "--":
--   plain                                  GET (path from the URL), no cookies
--   get    <cookie header>                 GET with that Cookie header
--   signin <origin> <email> <password>     POST the same JSON sign-in body
-- (sign-up, a new email per request, is bench/wrk-signup.lua.)
-- done() prints one line:
--   RESULT <requests> <duration_us> <p50_us> <p99_us> <non2xx> <socket_errors>

function init(args)
	local mode = args[1] or "plain"
	if mode == "get" then
		wrk.headers["Cookie"] = args[2]
	elseif mode == "signin" then
		wrk.method = "POST"
		wrk.headers["Content-Type"] = "application/json"
		wrk.headers["Origin"] = args[2]
		wrk.body = string.format('{"email":"%s","password":"%s"}', args[3], args[4])
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	print(string.format("RESULT %d %d %d %d %d %d",
		summary.requests, summary.duration,
		latency:percentile(50), latency:percentile(99),
		e.status, e.connect + e.read + e.write + e.timeout))
end
