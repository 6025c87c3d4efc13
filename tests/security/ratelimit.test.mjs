// Rate limiting (Better Auth's limiter, kept in the shared `rateLimit`
// collection): 3 requests per window on sign-in/sign-up, each its own bucket;
// X-Forwarded-For only from a trusted proxy and then only its right-most
// untrusted hop; and sign-in fails closed (503) when the store is gone.
// This file runs its own FerretDB, because the last test stops it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startFcgi, mongo, dbName, request, postJSON, uniqueEmail, freePort, sleep, FERRETDB, applySchema } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
const WINDOW = 3;
const TOO_MANY = '{"message":"Too many requests. Please try again later."}';

// ---- a private FerretDB, stopped by PID
let fdb, fdbDir, fdbPort;
function tcpOpen(port) {
	return new Promise((resolve) => {
		const s = net.connect(port, "127.0.0.1");
		s.on("connect", () => { s.destroy(); resolve(true); });
		s.on("error", () => resolve(false));
	});
}
async function startOwnFerret() {
	fdbDir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-sec-rl-"));
	fdbPort = await freePort();
	fdb = spawn(FERRETDB, [
		"--handler=sqlite", `--sqlite-url=file:${fdbDir}/`, `--listen-addr=127.0.0.1:${fdbPort}`,
		"--telemetry=disable", "--debug-addr=-", `--state-dir=${fdbDir}`, "--log-level=WARN",
	], { stdio: "ignore" });
	for (let i = 0; !(await tcpOpen(fdbPort)); i++) {
		if (i > 200 || fdb.exitCode !== null) throw new Error("ferretdb did not start");
		await sleep(50);
	}
	return `mongodb://127.0.0.1:${fdbPort}/`;
}
async function stopOwnFerret() {
	if (!fdb || fdb.exitCode !== null || fdb.signalCode !== null) return;
	const gone = new Promise((r) => fdb.once("exit", r));
	process.kill(fdb.pid, "SIGKILL");
	await gone;
}
process.on("exit", () => { try { if (fdb && fdb.exitCode === null) process.kill(fdb.pid, "SIGKILL"); } catch { /* gone */ } });

let uri, srv, proxied, db, dbp, email;

before(async () => {
	uri = await startOwnFerret();
	const a = dbName("sec_rl"), b = dbName("sec_rl_proxy");
	for (const name of [a, b]) {
		applySchema(uri, name);
	}
	const common = { MONGODB_URI: uri, BETTER_AUTH_RATE_LIMIT: "1", FCGI_AUTH_RATE_LIMIT_WINDOW: String(WINDOW) };
	[srv, proxied] = await Promise.all([
		startFcgi({ ...common, MONGODB_DB: a, FCGI_AUTH_RATE_LIMIT_MAX: "5" }),
		startFcgi({ ...common, MONGODB_DB: b, FCGI_AUTH_TRUSTED_PROXIES: "127.0.0.1" }),
	]);
	db = await mongo(a, uri);
	dbp = await mongo(b, uri);
	email = uniqueEmail("rl");
	const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Rl", email, password: PW });
	assert.equal(r.status, 200, r.body);
});
after(async () => {
	await db?.close().catch(() => {});
	await dbp?.close().catch(() => {});
	await srv?.stop();
	await proxied?.stop();
	await stopOwnFerret();
	if (fdbDir) fs.rmSync(fdbDir, { recursive: true, force: true });
});

const signIn = (url, body = { email, password: "wrong password!" }, headers = {}) =>
	postJSON(url, "/api/auth/sign-in/email", body, headers);
// A request the limiter counts without the cost of a scrypt: it fails validation.
const cheap = (url, headers = {}) => postJSON(url, "/api/auth/sign-in/email", {}, headers);

function expect429(r, what = "") {
	assert.equal(r.status, 429, `${what} status (body ${r.body})`);
	assert.equal(r.body, TOO_MANY, what);
	const retry = Number(r.headers["x-retry-after"]);
	assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= WINDOW, `${what} X-Retry-After ${r.headers["x-retry-after"]}`);
	assert.deepEqual(r.setCookies, []);
	return retry;
}
function expectAllowed(r, what = "") {
	assert.notEqual(r.status, 429, `${what}: rate limited (${r.body})`);
	assert.ok(r.status < 500, `${what}: ${r.status} ${r.body}`);
}

/** Waits until the bucket's window (from its lastRequest) is over. */
async function waitWindow(d, key) {
	const doc = await d.collection("rateLimit").findOne({ key });
	const wait = doc ? doc.lastRequest + WINDOW * 1000 - Date.now() + 250 : 0;
	if (wait > 0) await sleep(wait);
}

describe("rate limiting", () => {
	it("the 4th sign-in within the window is 429 with X-Retry-After; the bucket is a rateLimit document", async () => {
		await waitWindow(db, "127.0.0.1|/sign-in/email");
		for (let i = 1; i <= 3; i++) assert.equal((await signIn(srv.url)).status, 401, `sign-in ${i}`);
		const sessions = await db.collection("session").countDocuments({});
		const r = await signIn(srv.url, { email, password: PW }); // even the right password
		expect429(r, "4th sign-in");
		assert.equal(await db.collection("session").countDocuments({}), sessions, "no session for a limited request");
		const docs = await db.collection("rateLimit").find({ key: "127.0.0.1|/sign-in/email" }).toArray();
		assert.equal(docs.length, 1, "one document per bucket");
		assert.equal(docs[0].count, 3);
		assert.ok(Math.abs(docs[0].lastRequest - Date.now()) < 10000, `lastRequest is epoch ms: ${docs[0].lastRequest}`);
		assert.equal(await db.collection("rateLimit").countDocuments({
			key: "127.0.0.1|/sign-in/email", count: { $type: "int" }, lastRequest: { $type: "double" },
		}), 1, "count is int32 and lastRequest a double, as Better Auth's adapter writes them");
	});

	it("sign-up has its own bucket", async () => {
		const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Other", email: uniqueEmail("rlup"), password: PW });
		assert.equal(r.status, 200, r.body);
		expect429(await signIn(srv.url), "sign-in still limited");
		assert.equal(await db.collection("rateLimit").countDocuments({ key: "127.0.0.1|/sign-up/email" }), 1);
	});

	it("X-Forwarded-For from an untrusted peer is ignored: a new XFF does not reset the bucket", async () => {
		for (const xff of ["5.6.7.8", "9.9.9.9, 5.6.7.8", "::1", "127.0.0.2"]) {
			expect429(await cheap(srv.url, { "X-Forwarded-For": xff }), `XFF ${xff}`);
		}
		assert.equal(await db.collection("rateLimit").countDocuments({ key: { $not: /^127\.0\.0\.1\|/ } }), 0, "no bucket for a forged address");
	});

	it("after the window the same client is allowed again", async () => {
		const retry = expect429(await cheap(srv.url));
		await sleep(retry * 1000 + 300);
		const r = await signIn(srv.url, { email, password: PW });
		assert.equal(r.status, 200, r.body);
		const doc = await db.collection("rateLimit").findOne({ key: "127.0.0.1|/sign-in/email" });
		assert.equal(doc.count, 1, "a new window starts at 1");
	});

	it("other paths have the general limit (FCGI_AUTH_RATE_LIMIT_MAX=5); the authorizer role is never limited", async () => {
		await waitWindow(db, "127.0.0.1|/get-session");
		const statuses = [];
		for (let i = 0; i < 6; i++) statuses.push((await request(srv.url, "/api/auth/get-session")).status);
		assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
		for (let i = 0; i < 8; i++) {
			const w = await request(srv.url, "/demo/whoami");
			assert.equal(w.status, 401, `whoami ${i}: ${w.body}`);
		}
	});
});

describe("rate limiting behind a trusted proxy (FCGI_AUTH_TRUSTED_PROXIES=127.0.0.1)", () => {
	it("each right-most X-Forwarded-For hop gets its own bucket", async () => {
		for (let i = 0; i < 3; i++) expectAllowed(await cheap(proxied.url, { "X-Forwarded-For": "1.2.3.4" }), `1.2.3.4 #${i + 1}`);
		expect429(await cheap(proxied.url, { "X-Forwarded-For": "1.2.3.4" }), "1.2.3.4 #4");
		expectAllowed(await cheap(proxied.url, { "X-Forwarded-For": "5.6.7.8" }), "5.6.7.8");
		expectAllowed(await cheap(proxied.url), "the proxy itself, no XFF");
		const keys = (await dbp.collection("rateLimit").find({ key: /\|\/sign-in\/email$/ }).toArray()).map((d) => d.key).sort();
		assert.deepEqual(keys, ["1.2.3.4|/sign-in/email", "127.0.0.1|/sign-in/email", "5.6.7.8|/sign-in/email"]);
	});

	it("a forged left-most hop does not help: 'XFF: 9.9.9.9, 1.2.3.4' counts as 1.2.3.4", async () => {
		expect429(await cheap(proxied.url, { "X-Forwarded-For": "9.9.9.9, 1.2.3.4" }), "forged left-most hop");
		expect429(await cheap(proxied.url, { "X-Forwarded-For": "1.2.3.4, 127.0.0.1" }), "our proxy appended after the client");
		expect429(await cheap(proxied.url, { "X-Forwarded-For": "::ffff:1.2.3.4" }), "IPv4-mapped IPv6 is the IPv4 address");
		assert.equal(await dbp.collection("rateLimit").countDocuments({ key: /^9\.9\.9\.9/ }), 0);
	});

	it("parallel requests of one client: one bucket document, at its limit, the rest refused", async () => {
		const headers = { "X-Forwarded-For": "10.9.8.6" };
		const rs = await Promise.all(Array.from({ length: 12 }, () => cheap(proxied.url, headers)));
		const passed = rs.filter((r) => r.status !== 429);
		for (const r of passed) expectAllowed(r);
		for (const r of rs.filter((x) => x.status === 429)) expect429(r);
		assert.ok(passed.length >= 3 && passed.length < 12, `statuses ${rs.map((r) => r.status)}`);
		const doc = await dbp.collection("rateLimit").find({ key: "10.9.8.6|/sign-in/email" }).toArray();
		assert.equal(doc.length, 1, "one document despite the race (unique index)");
		assert.equal(doc[0].count, 3);
		expect429(await cheap(proxied.url, headers), "after the burst");
	});

	// FerretDB 1.x (SQLite) runs findAndModify as a query then an update outside
	// a transaction (FerretDB/FerretDB#3040): without the limiter's lock document
	// (lib/ratelimit.c) about 5 of 12 parallel requests got through.
	it("parallel requests of one client: exactly 3 get through", async () => {
		const headers = { "X-Forwarded-For": "10.9.8.7" };
		const rs = await Promise.all(Array.from({ length: 12 }, () => cheap(proxied.url, headers)));
		assert.equal(rs.filter((r) => r.status !== 429).length, 3, `statuses ${rs.map((r) => r.status)}`);
	});

	it("IPv6 clients share one bucket per /64; garbage in the chain falls back to the peer", async () => {
		for (let i = 1; i <= 3; i++) expectAllowed(await cheap(proxied.url, { "X-Forwarded-For": `2001:db8:1:2::${i}` }));
		expect429(await cheap(proxied.url, { "X-Forwarded-For": "2001:db8:1:2:ffff::9" }), "same /64");
		expectAllowed(await cheap(proxied.url, { "X-Forwarded-For": "2001:db8:1:3::1" }), "another /64");
		assert.equal(await dbp.collection("rateLimit").countDocuments({ key: "2001:db8:1:2::|/sign-in/email" }), 1);
		const before = await dbp.collection("rateLimit").findOne({ key: "127.0.0.1|/sign-in/email" });
		expectAllowed(await cheap(proxied.url, { "X-Forwarded-For": "not-an-ip" }), "garbage");
		const after = await dbp.collection("rateLimit").findOne({ key: "127.0.0.1|/sign-in/email" });
		assert.equal(after.count, before.count + 1, "garbage XFF counted against the peer");
		assert.equal(await dbp.collection("rateLimit").countDocuments({ key: /^not-an-ip/ }), 0);
	});
});

describe("rate limiter store failure", () => {
	it("with the store stopped, sign-in fails closed: 503 SERVICE_UNAVAILABLE, never 200 or 401", async () => {
		await stopOwnFerret();
		const t = performance.now();
		const r = await signIn(srv.url, { email, password: PW });
		const ms = performance.now() - t;
		assert.equal(r.status, 503, r.body);
		assert.equal(r.json().code, "SERVICE_UNAVAILABLE");
		assert.ok(r.headers["retry-after"], "Retry-After");
		assert.deepEqual(r.setCookies, []);
		assert.ok(ms < 5000, `answered in ${ms.toFixed(0)} ms`);
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "X", email: uniqueEmail("rldown"), password: PW });
		assert.equal(up.status, 503, up.body);
		// Non-credential paths stay up without the limiter.
		const ok = await request(srv.url, "/api/auth/ok");
		assert.equal(ok.status, 200, ok.body);
	});
});
