// `make soak`: >= 100 000 mixed valid and hostile requests (SOAK_REQUESTS) to
// long-lived FastCGI processes under lighttpd, then RSS and open file
// descriptors of every process before and after. Fails if any process grew by
// more than 1 MiB of RSS or any descriptor, or if any answer was a 5xx.
// Bounded: stops after the count, or after SOAK_SECONDS (default 600).
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { startFerret, startFcgi, dbName, postJSON, applySchema } from "../lib/stack.mjs";

const TOTAL = Number(process.env.SOAK_REQUESTS || 100000);
const LIMIT_MS = Number(process.env.SOAK_SECONDS || 600) * 1000;
const CONCURRENCY = 16;
const PW = "correct horse battery staple";

function children(ppid) {
	const out = [];
	for (const d of fs.readdirSync("/proc")) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
			const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			if (Number(rest[1]) === ppid) out.push(Number(d));
		} catch { /* gone */ }
	}
	return out;
}

function measure(pids) {
	const m = {};
	for (const pid of pids) {
		try {
			const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
			const rss = Number(/VmRSS:\s+(\d+)/.exec(status)[1]);
			const name = fs.readFileSync(`/proc/${pid}/comm`, "utf8").trim();
			m[pid] = { name, rssKiB: rss, fds: fs.readdirSync(`/proc/${pid}/fd`).length };
		} catch { m[pid] = null; }
	}
	return m;
}

const ferret = await startFerret();
const name = dbName("soak");
applySchema(ferret.uri, name);
const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name, BETTER_AUTH_RATE_LIMIT: "0" });
const url = new URL(srv.url);
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let exitCode = 0;

try {
	const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Soak", email: "soak@example.com", password: PW });
	if (up.status !== 200) throw new Error(`sign-up failed: ${up.status} ${up.body}`);
	const cookie = up.setCookies[0].split(";")[0];
	const tampered = cookie.slice(0, -6) + "AAAA%3D";
	const origin = srv.url;
	const J = "application/json";

	// weight, request
	const mix = [
		[20, { m: "GET", p: "/api/auth/get-session", h: { Cookie: cookie } }],
		[8, { m: "GET", p: "/api/auth/get-session", h: { Cookie: tampered } }],
		[6, { m: "GET", p: "/api/auth/get-session" }],
		[6, { m: "GET", p: "/api/auth/ok" }],
		[10, { m: "GET", p: "/api/user/me", h: { Cookie: cookie } }],
		[4, { m: "PATCH", p: "/api/user/me", h: { Cookie: cookie, Origin: origin, "Content-Type": J }, b: '{"bio":"soak"}' }],
		[4, { m: "PATCH", p: "/api/user/me", h: { Cookie: cookie, Origin: origin, "Content-Type": J }, b: '{"userId":{"$ne":null}}' }],
		[8, { m: "POST", p: "/api/auth/sign-in/email", h: { "Content-Type": J }, b: '{"email":{"$gt":""},"password":{"$ne":null}}' }],
		[6, { m: "POST", p: "/api/auth/sign-in/email", h: { "Content-Type": J }, b: '{"email":"a@b.co",' }],
		[6, { m: "POST", p: "/api/auth/sign-up/email", h: { "Content-Type": J }, b: '{"email":"x"}' }],
		[4, { m: "POST", p: "/api/auth/sign-up/email", h: { "Content-Type": "application/x-www-form-urlencoded" }, b: "email%5B%24ne%5D=x&password=y" }],
		[4, { m: "POST", p: "/api/auth/sign-in/email", h: { "Content-Type": J }, b: '{"email":"a@b.co","email":"c@d.co","password":"p"}' }],
		[4, { m: "POST", p: "/api/auth/sign-out", h: { Cookie: "x=1" } }],
		[4, { m: "GET", p: "/api/auth/does-not-exist" }],
		[3, { m: "GET", p: "/api/auth/get-session", h: { Cookie: "better-auth.session_token=" + "%".repeat(3000) } }],
		[3, { m: "POST", p: "/api/auth/sync-user", h: { Cookie: cookie, Origin: origin, "Content-Type": J }, b: "{}" }],
	];
	const table = [];
	for (const [w, r] of mix) for (let i = 0; i < w; i++) table.push(r);

	const send = (r) => new Promise((resolve) => {
		const body = r.b ? Buffer.from(r.b) : null;
		const headers = { ...(r.h || {}) };
		if (body) headers["Content-Length"] = body.length;
		const req = http.request({ host: url.hostname, port: url.port, path: r.p, method: r.m, headers, agent }, (res) => {
			res.resume();
			res.on("end", () => resolve(res.statusCode));
		});
		req.on("error", () => resolve(0));
		req.setTimeout(15000, () => { req.destroy(); });
		if (body) req.write(body);
		req.end();
	});

	async function run(n, every) {
		let next = 0, done = 0;
		const statuses = {};
		const started = Date.now();
		async function worker() {
			while (next < n && Date.now() - started < LIMIT_MS) {
				const i = next++;
				const r = table[i % table.length];
				// one wrong-password sign-in (a real scrypt) in every 2000
				const req = i % 2000 === 1999
					? { m: "POST", p: "/api/auth/sign-in/email", h: { "Content-Type": J }, b: `{"email":"soak@example.com","password":"wrong-${i}"}` }
					: r;
				const s = await send(req);
				statuses[s] = (statuses[s] || 0) + 1;
				if (++done % every === 0) process.stdout.write(`soak: ${done} requests\n`);
			}
		}
		await Promise.all(Array.from({ length: CONCURRENCY }, worker));
		return { done, statuses, seconds: (Date.now() - started) / 1000 };
	}

	await run(3000, 1e9); // warm-up: every program started, caches filled
	const lighttpdPid = Number(fs.readFileSync(path.join(srv.stateDir, "lighttpd.pid"), "utf8"));
	const pids = children(lighttpdPid);
	const before = measure(pids);
	const res = await run(TOTAL, 20000);
	const after = measure(pids);

	console.log(`soak: ${res.done} requests in ${res.seconds.toFixed(1)} s (${(res.done / res.seconds).toFixed(0)} req/s), statuses ${JSON.stringify(res.statuses)}`);
	console.log("soak: pid      program     RSS before → after (KiB)   fds before → after");
	for (const pid of pids) {
		const b = before[pid], a = after[pid];
		if (!b || !a) { console.log(`soak: ${pid} disappeared (respawned?)`); exitCode = 1; continue; }
		const grew = a.rssKiB - b.rssKiB > 1024 || a.fds > b.fds;
		if (grew) exitCode = 1;
		console.log(`soak: ${String(pid).padEnd(8)} ${b.name.padEnd(11)} ${String(b.rssKiB).padStart(7)} → ${String(a.rssKiB).padEnd(7)}          ${b.fds} → ${a.fds}${grew ? "   GREW" : ""}`);
	}
	const fivexx = Object.entries(res.statuses).filter(([s]) => Number(s) >= 500 || Number(s) === 0);
	if (fivexx.length) { console.log(`soak: server errors or dropped requests: ${JSON.stringify(fivexx)}`); exitCode = 1; }
	if (res.done < TOTAL) { console.log(`soak: stopped at the time limit after ${res.done} of ${TOTAL}`); exitCode = 1; }
	console.log(exitCode ? "soak: FAILED" : "soak: flat — OK");
} finally {
	agent.destroy();
	await srv.stop();
	await ferret.stop();
}
process.exit(exitCode);
