// The operator's URLs (issue 14): GET /fcgi-auth/health answers 200 while the
// store answers and 503 within its bound (3 s) once the store is gone, and
// 200 again when it is back; GET /fcgi-auth/metrics counts what the test sent,
// summed over every process of every program (lighttpd runs four signin
// processes), in Prometheus' text format, with no personal data.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFcgi, request, postJSON, freePort, dbName, uniqueEmail, ROOT, sleep } from "../lib/stack.mjs";

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
	srv = await startFcgi({ MONGODB_URI: `mongodb://127.0.0.1:${port}/`, MONGODB_DB: name });
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
