// The operator's URLs (issue 14): GET /fcgi-auth/health answers 200 while the
// store answers and 503 within its bound (3 s) once the store is gone, and
// 200 again when it is back; GET /fcgi-auth/metrics counts what the test sent,
// summed over every process of every program (lighttpd runs four signin
// processes), in Prometheus' text format, with no personal data; sessions
// served are counted by where they were read (the store or the cookie cache)
// in get-session and the authorizer, and summed over their processes.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFcgi, request, postJSON, freePort, dbName, uniqueEmail, ROOT, sleep, CookieJar, processTree } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
let port, dir, fdbPid, srv, name;

function startStore() {
	fdbPid = Number(execFileSync(path.join(ROOT, "scripts/ferretdb.sh"), [String(port), path.join(dir, "data"), path.join(dir, "ferretdb.log")], { encoding: "utf8" }).trim());
}
function stopStore() {
	try { process.kill(fdbPid, "SIGKILL"); } catch { /* gone */ }
}

before(async () => {
	// A store of this file's own, which it stops and starts again.
	port = await freePort();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-ops-"));
	startStore();
	name = dbName("ops");
	srv = await startFcgi({ MONGODB_URI: `mongodb://127.0.0.1:${port}/`, MONGODB_DB: name, FCGI_AUTH_COOKIE_CACHE: "1" });
});
after(async () => {
	await srv?.stop();
	stopStore();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** The value of one sample line of the exposition text, or 0. */
function sample(text, metric, labels) {
	const want = `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
	const line = text.split("\n").find((l) => l.startsWith(`${want} `));
	return line ? Number(line.slice(want.length + 1)) : 0;
}

describe("metrics", () => {
	it("sign-in outcomes and requests are counted across processes, without personal data", async () => {
		const email = uniqueEmail("metrics");
		assert.equal((await postJSON(srv.url, "/api/auth/sign-up/email", { name: "M", email, password: PW })).status, 200);
		const bad = await Promise.all(Array.from({ length: 6 }, () => postJSON(srv.url, "/api/auth/sign-in/email", { email, password: "wrong password!" })));
		for (const r of bad) assert.equal(r.status, 401);
		const good = await Promise.all(Array.from({ length: 3 }, () => postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW })));
		for (const r of good) assert.equal(r.status, 200);
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email: "not-an-email", password: PW })).status, 400);
		const m = await request(srv.url, "/fcgi-auth/metrics");
		assert.equal(m.status, 200);
		assert.equal(m.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
		assert.equal(sample(m.body, "fcgi_auth_sign_in_total", { outcome: "invalid_credentials" }), 6, m.body);
		assert.equal(sample(m.body, "fcgi_auth_sign_in_total", { outcome: "ok" }), 3);
		assert.equal(sample(m.body, "fcgi_auth_sign_in_total", { outcome: "invalid_request" }), 1);
		assert.equal(sample(m.body, "fcgi_auth_sign_up_total", { outcome: "ok" }), 1);
		assert.equal(sample(m.body, "fcgi_auth_requests_total", { endpoint: "/api/auth/sign-in/email", status: "401" }), 6);
		assert.ok(!m.body.includes(email) && !m.body.includes("127.0.0.1"), "no emails, no addresses");
	});
});

describe("sessions served", () => {
	it("get-session and the authorizer count sessions by source, summed over their processes", async () => {
		const email = uniqueEmail("served");
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "S", email, password: PW });
		assert.equal(up.status, 200, up.body);
		const jar = new CookieJar();
		jar.store(up.setCookies);
		assert.ok(jar.has("better-auth.session_data"), "the cookie cache is on");
		const tokenOnly = `better-auth.session_token=${jar.get("better-auth.session_token")}`;
		const metrics = async () => (await request(srv.url, "/fcgi-auth/metrics")).body;
		const served = (text, source) => sample(text, "fcgi_auth_sessions_served_total", { source });
		const before = await metrics();
		const all = (n, f) => Promise.all(Array.from({ length: n }, f));
		// Concurrent, so several processes of each program answer.
		for (const r of await all(7, () => request(srv.url, "/api/auth/get-session", { headers: { Cookie: tokenOnly } }))) {
			assert.equal(r.status, 200);
			assert.equal(r.json().user.email, email);
		}
		for (const r of await all(5, () => request(srv.url, "/api/auth/get-session", { headers: { Cookie: jar.header() } }))) assert.equal(r.status, 200);
		for (const r of await all(4, () => request(srv.url, "/demo/whoami", { headers: { Cookie: tokenOnly } }))) assert.equal(r.status, 200, r.body);
		// Not sessions: no cookie, an unknown token, the authorizer's 401.
		assert.equal((await request(srv.url, "/api/auth/get-session")).body, "null");
		assert.equal((await request(srv.url, "/api/auth/get-session", { headers: { Cookie: "better-auth.session_token=x.y" } })).body, "null");
		assert.equal((await request(srv.url, "/demo/whoami")).status, 401);
		const after = await metrics();
		assert.equal(served(after, "database") - served(before, "database"), 7 + 4, after);
		assert.equal(served(after, "cookie_cache") - served(before, "cookie_cache"), 5);
		if (srv.server === "lighttpd") {
			// get-session (4), the authorizer and the metrics URL (1 each): the
			// numbers come from processes other than the one that answers.
			const sessions = processTree(srv.pid).filter((p) => p.name === "session");
			assert.ok(sessions.length >= 4, `session processes: ${JSON.stringify(sessions)}`);
		}
	});
});

describe("health", () => {
	it("200 with the store, 503 within 3 s without it, 200 again when it is back", async () => {
		let r = await request(srv.url, "/fcgi-auth/health");
		assert.equal(r.status, 200);
		assert.equal(r.body, '{"status":"ok","store":"up"}');
		stopStore();
		await sleep(200);
		let t0 = Date.now();
		r = await request(srv.url, "/fcgi-auth/health", { timeout: 10000 });
		assert.equal(r.status, 503, r.body);
		assert.ok(Date.now() - t0 < 3000, `answered in ${Date.now() - t0} ms`);
		assert.equal(r.body, '{"status":"unavailable","store":"down"}');
		startStore();
		// libmongoc waits out a cooldown (5 s) before it tries a failed server again.
		const deadline = Date.now() + 15000;
		do {
			await sleep(250);
			t0 = Date.now();
			r = await request(srv.url, "/fcgi-auth/health", { timeout: 10000 });
			assert.ok(Date.now() - t0 < 3000, `answered in ${Date.now() - t0} ms`);
		} while (r.status !== 200 && Date.now() < deadline);
		assert.equal(r.status, 200, "healthy again once the store is back");
	});
});
