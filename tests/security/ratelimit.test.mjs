// Rate limiting (Better Auth's limiter). The strict rules (sign-in, sign-up:
// 3 per window) are kept in the shared `rateLimit` collection, exact across
// processes and hosts; the general one (100 per window) is counted in a table
// shared by every process of every program on the machine (lib/ratetable.c),
// never in the store. X-Forwarded-For only from a trusted proxy, then only its
// right-most untrusted hop, and never when it arrives twice; sign-in fails
// closed (503) when the store is gone; a slow store never turns a burst into
// 503s; expired rows are pruned.
// This file runs its own FerretDB, because the last test stops it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, execFileSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import {
	startFcgi, mongo, dbName, request, postJSON, uniqueEmail, freePort, sleep, processTree,
	FERRETDB, FCGI_BIN, ROOT, SECRET, applySchema,
} from "../lib/stack.mjs";
import { storeProxy } from "../lib/storeproxy.mjs";

const PW = "correct horse battery staple";
const WINDOW = 8; // long enough for four sign-ins on a loaded or sanitizer-built machine
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

let uri, srv, proxied, loose, twin, fallback, slow, proxy, db, dbp, dbl, dbf, dbs, email, looseEnv;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-sec-rl-dirs-"));

before(async () => {
	uri = await startOwnFerret();
	const names = { a: dbName("sec_rl"), b: dbName("sec_rl_proxy"), l: dbName("sec_rl_loose"), f: dbName("sec_rl_fallback"), s: dbName("sec_rl_slow") };
	for (const name of Object.values(names)) {
		applySchema(uri, name);
	}
	proxy = await storeProxy(fdbPort);
	// A runtime directory others may enter: refused, so the table is not used.
	const open = path.join(tmp, "open");
	fs.mkdirSync(open);
	fs.chmodSync(open, 0o777);
	const common = { MONGODB_URI: uri, BETTER_AUTH_RATE_LIMIT: "1", FCGI_AUTH_RATE_LIMIT_WINDOW: String(WINDOW) };
	// loose and twin: two "hosts" (a table each) on one database
	looseEnv = {
		...common, MONGODB_DB: names.l, FCGI_AUTH_RATE_LIMIT_MAX: "5", FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW: String(WINDOW),
		FCGI_AUTH_TRUSTED_PROXIES: "127.0.0.1", FCGI_AUTH_RUNTIME_DIR: path.join(tmp, "host-a"),
	};
	[srv, proxied, loose, twin, fallback, slow] = await Promise.all([
		startFcgi({ ...common, MONGODB_DB: names.a, FCGI_AUTH_RATE_LIMIT_MAX: "5" }),
		startFcgi({ ...common, MONGODB_DB: names.b, FCGI_AUTH_TRUSTED_PROXIES: "127.0.0.1" }),
		startFcgi(looseEnv),
		startFcgi({ ...looseEnv, FCGI_AUTH_RUNTIME_DIR: path.join(tmp, "host-b") }),
		startFcgi({ ...common, MONGODB_DB: names.f, FCGI_AUTH_RATE_LIMIT_MAX: "5", FCGI_AUTH_RUNTIME_DIR: open }),
		// the store through a proxy that counts round trips and can slow them;
		// Better Auth's default windows (10 s, 60 s)
		startFcgi({
			MONGODB_URI: proxy.uri, MONGODB_DB: names.s, BETTER_AUTH_RATE_LIMIT: "1",
			FCGI_AUTH_TRUSTED_PROXIES: "127.0.0.1", FCGI_AUTH_RUNTIME_DIR: path.join(tmp, "host-s"),
		}),
	]);
	[db, dbp, dbl, dbf, dbs] = await Promise.all([names.a, names.b, names.l, names.f, names.s].map((n) => mongo(n, uri)));
	email = uniqueEmail("rl");
	for (const url of [srv.url, slow.url]) {
		const r = await postJSON(url, "/api/auth/sign-up/email", { name: "Rl", email, password: PW });
		assert.equal(r.status, 200, r.body);
	}
});
after(async () => {
	for (const d of [db, dbp, dbl, dbf, dbs]) await d?.close().catch(() => {});
	for (const x of [srv, proxied, loose, twin, fallback, slow]) await x?.stop();
	await proxy?.close();
	await stopOwnFerret();
	if (fdbDir) fs.rmSync(fdbDir, { recursive: true, force: true });
	fs.rmSync(tmp, { recursive: true, force: true });
});

const signIn = (url, body = { email, password: "wrong password!" }, headers = {}) =>
	postJSON(url, "/api/auth/sign-in/email", body, headers);
// A request the limiter counts without the cost of a scrypt: it fails validation.
const cheap = (url, headers = {}) => postJSON(url, "/api/auth/sign-in/email", {}, headers);

function expect429(r, what = "", window = WINDOW) {
	assert.equal(r.status, 429, `${what} status (body ${r.body})`);
	assert.equal(r.body, TOO_MANY, what);
	const retry = Number(r.headers["x-retry-after"]);
	assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= window, `${what} X-Retry-After ${r.headers["x-retry-after"]}`);
	assert.deepEqual(r.setCookies, []);
	return retry;
}
function expectAllowed(r, what = "") {
	assert.notEqual(r.status, 429, `${what}: rate limited (${r.body})`);
	assert.ok(r.status < 500, `${what}: ${r.status} ${r.body}`);
}

/** The status a program answers as plain CGI (its own process) with loose's settings. */
function cgiStatus(program, pathname, env = {}) {
	const r = spawnSync(path.join(FCGI_BIN, program), [], {
		timeout: 10000,
		env: {
			PATH: process.env.PATH, BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: loose.url, ...looseEnv,
			REQUEST_METHOD: "GET", REQUEST_URI: pathname, REMOTE_ADDR: "127.0.0.1", ...env,
		},
	});
	assert.equal(r.status, 0, `${program} exit ${r.status} ${r.signal}: ${r.stderr}`);
	const m = /^Status: (\d{3}) /.exec(r.stdout.toString("utf8"));
	return m ? Number(m[1]) : 200;
}

/** A POST with header lines exactly as given (node's client would refuse or merge some spellings). */
function rawPost(port, pathname, body, lines) {
	return new Promise((resolve, reject) => {
		const s = net.connect(port, "127.0.0.1", () => s.end([
			`POST ${pathname} HTTP/1.1`, "Host: 127.0.0.1", "Connection: close", "Content-Type: application/json",
			`Origin: http://127.0.0.1:${port}`, `Content-Length: ${Buffer.byteLength(body)}`, ...lines, "", body,
		].join("\r\n")));
		let out = "";
		s.on("data", (d) => { out += d; });
		s.on("error", reject);
		s.on("end", () => resolve({ status: Number(out.split(" ", 2)[1]), text: out }));
	});
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
		assert.equal(await db.collection("rateLimit").countDocuments({ key: /\/get-session|\/ok$/ }), 0,
			"the general limit is counted on the machine, never in the store");
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
	// a transaction (FerretDB/FerretDB#3040): with a plain findAndModify about 5
	// of 12 parallel requests got through; lib/ratelimit.c advances a bucket only
	// with a per-version token, whose unique-key insert is atomic on any store.
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

describe("the general limit, machine-wide (FCGI_AUTH_RATE_LIMIT_MAX=5, behind a trusted proxy)", () => {
	const get = (url, client, p = "/api/auth/get-session") =>
		request(url, p, { headers: { "X-Forwarded-For": client } }).catch((e) => ({ status: 0, body: String(e) }));

	it("is counted over every process of several programs: lighttpd's and plain CGI ones; the 6th is refused", async () => {
		for (const [program, p, client] of [["session", "/api/auth/get-session", "10.7.0.1"], ["me", "/api/user/me", "10.7.0.2"]]) {
			const statuses = [];
			for (let i = 0; i < 5; i++) {
				statuses.push(i % 2 ? cgiStatus(program, p, { HTTP_X_FORWARDED_FOR: client }) : (await get(loose.url, client, p)).status);
			}
			assert.ok(statuses.every((st) => st !== 429 && st < 500), `${p}: ${statuses}`);
			expect429(await get(loose.url, client, p), `${p} 6th, through lighttpd`);
			assert.equal(cgiStatus(program, p, { HTTP_X_FORWARDED_FOR: client }), 429, `${p} 7th, its own process`);
		}
		assert.equal(await dbl.collection("rateLimit").countDocuments({ key: /^10\.7\.0\./ }), 0, "nothing in the store");
	});

	it("the machine-wide bucket opens again when its window is over", async () => {
		const r = await get(loose.url, "10.7.0.1");
		const retry = expect429(r, "still refused");
		await sleep(retry * 1000 + 300);
		assert.equal(cgiStatus("session", "/api/auth/get-session", { HTTP_X_FORWARDED_FOR: "10.7.0.1" }), 200, "a CGI process");
		assert.equal((await get(loose.url, "10.7.0.1")).status, 200, "a lighttpd process");
	});

	it("a process killed in the middle of counting leaves the others counting", async () => {
		const client = "10.7.0.3";
		const victim = processTree(loose.pid).find((p) => p.name === "session"); // the first: a /api/auth/ responder
		assert.ok(victim, "a session process");
		const burst = Array.from({ length: 8 }, () => get(loose.url, client));
		process.kill(victim.pid, "SIGKILL");
		const rs = await Promise.all(burst);
		const ok = rs.filter((r) => r.status === 200).length;
		const lost = rs.filter((r) => r.status !== 200 && r.status !== 429).length;
		for (const r of rs.filter((x) => x.status === 429)) expect429(r, "burst");
		let more = 0;
		for (let r; (r = await get(loose.url, client)).status !== 429 && more < 8; more++) assert.equal(r.status, 200, r.body);
		assert.ok(ok + more <= 5 && ok + more >= 5 - lost, `allowed ${ok} + ${more}, ${lost} lost with the killed process`);
		assert.ok(!processTree(loose.pid).some((p) => p.pid === victim.pid), "the victim is gone");
		// a fresh bucket after the kill: exact over lighttpd's processes and CGI ones
		const fresh = [];
		for (let i = 0; i < 6; i++) {
			fresh.push(i % 3 === 2 ? cgiStatus("session", "/api/auth/get-session", { HTTP_X_FORWARDED_FOR: "10.7.0.4" }) : (await get(loose.url, "10.7.0.4")).status);
		}
		assert.deepEqual(fresh, [200, 200, 200, 200, 200, 429]);
	});

	it("a runtime directory others may enter is refused, loudly, and the limit is counted in the store instead", async () => {
		assert.match(fallback.output(), /rate table: refusing .*open: it must be a directory of uid \d+ with mode 0700/);
		assert.match(fallback.output(), /no machine-wide table .* counted in the store instead/);
		const statuses = [];
		for (let i = 0; i < 6; i++) statuses.push((await request(fallback.url, "/api/auth/get-session")).status);
		assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
		const doc = await dbf.collection("rateLimit").findOne({ key: "127.0.0.1|/get-session" });
		assert.equal(doc?.count, 5, "the bucket in the store");
		assert.equal(fs.readdirSync(path.join(tmp, "open")).length, 0, "nothing written in the refused directory");
	});
});

describe("the strict limit across hosts, forwarded headers, a slow store, round trips", () => {
	it("two hosts (a table each) on one database: exactly 3 of 12 parallel sign-ins", async () => {
		const headers = { "X-Forwarded-For": "10.50.0.1" };
		const rs = await Promise.all(Array.from({ length: 12 }, (_, i) => cheap(i % 2 ? twin.url : loose.url, headers)));
		assert.equal(rs.filter((r) => r.status !== 429).length, 3, `statuses ${rs.map((r) => r.status)}`);
		for (const r of rs) r.status === 429 ? expect429(r) : expectAllowed(r);
		expect429(await cheap(twin.url, headers), "host b, after");
		expect429(await cheap(loose.url, headers), "host a, after");
		const doc = await dbl.collection("rateLimit").findOne({ key: "10.50.0.1|/sign-in/email" });
		assert.equal(doc.count, 3);
	});

	it("a repeated or folded X-Forwarded-For (X.Forwarded.For, X_Forwarded_For) never lets the client pick its bucket", async () => {
		// The trusted proxy appends the real client to X-Forwarded-For and passes
		// the client's other spelling through; lighttpd folds both names to
		// HTTP_X_FORWARDED_FOR. A new forged address per request:
		const statuses = [];
		for (let i = 0; i < 6; i++) {
			const lines = [`X-Forwarded-For: 1.1.${i}.1`, `${i % 2 ? "X_Forwarded_For" : "X.Forwarded.For"}: 2.2.${i}.2`];
			if (i % 3 === 1) lines.reverse();
			statuses.push((await rawPost(loose.port, "/api/auth/sign-in/email", "{}", lines)).status);
		}
		assert.deepEqual(statuses, [400, 400, 400, 429, 429, 429], "one bucket whatever the client writes");
		assert.equal(await dbl.collection("rateLimit").countDocuments({ key: /^(1\.1|2\.2)\./ }), 0, "no bucket for either header's address");
		assert.equal((await dbl.collection("rateLimit").findOne({ key: "127.0.0.1|/sign-in/email" })).count, 3, "the peer's bucket");
		// one header, once: the proxy's hop as always
		expectAllowed(await rawPost(loose.port, "/api/auth/sign-in/email", "{}", ["X-Forwarded-For: 1.1.9.1"]), "single header");
	});

	it("round trips to the store: none for the general limit; strict: 1 for a new bucket, 2 for the next, none to refuse", async () => {
		// the limiter's reads and writes (each process also lists the indexes once)
		const rl = () => Object.values(proxy.counts((k) => /^(insert|find|update|delete|findAndModify) rateLimit$/.test(k))).reduce((a, n) => a + n, 0);
		await cheap(slow.url, { "X-Forwarded-For": "10.30.0.9" }); // this table's first prune comes now, not below
		proxy.reset();
		for (let i = 0; i < 3; i++) assert.equal((await request(slow.url, "/api/auth/get-session", { headers: { "X-Forwarded-For": "10.30.0.1" } })).status, 200);
		assert.equal(rl(), 0, `get-session: ${JSON.stringify(proxy.counts())}`);
		const headers = { "X-Forwarded-For": "10.30.0.2" };
		const trips = [];
		for (let i = 0; i < 5; i++) {
			proxy.reset();
			const r = await cheap(slow.url, headers);
			trips.push([r.status, rl()]);
		}
		assert.deepEqual(trips, [[400, 1], [400, 2], [400, 2], [429, 0], [429, 0]], JSON.stringify(trips));
		assert.equal((await dbs.collection("rateLimit").findOne({ key: "10.30.0.2|/sign-in/email" })).count, 3);
	});

	it("16 parallel sign-ins through a slow store (120 ms a round trip): only 200, 401 or 429, never 503; exactly 3 through", async () => {
		proxy.delay = 60;
		try {
			for (const client of ["10.16.0.1", "10.16.0.2"]) {
				const headers = { "X-Forwarded-For": client };
				const rs = await Promise.all(Array.from({ length: 16 }, (_, i) =>
					signIn(slow.url, { email, password: i % 2 ? PW : "wrong password!" }, headers)));
				const st = rs.map((r) => r.status);
				assert.ok(st.every((x) => [200, 401, 429].includes(x)), `${client}: ${st}`);
				assert.equal(st.filter((x) => x !== 429).length, 3, `${client}: ${st}`);
				for (const r of rs.filter((x) => x.status === 429)) expect429(r, client, 10);
			}
		} finally {
			proxy.delay = 0;
		}
	});
});

describe("the store stays bounded", () => {
	it("300 one-off paths and 300 one-off clients leave a handful of rateLimit rows once their windows are over", async () => {
		const batch = async (n, f) => { for (let i = 0; i < n; i += 25) await Promise.all(Array.from({ length: Math.min(25, n - i) }, (_, j) => f(i + j))); };
		await batch(300, (i) => (i % 2
			? request(loose.url, `/api/auth/nope-${i}`, { headers: { "X-Forwarded-For": "10.60.0.1" } })
			: postJSON(loose.url, `/api/auth/sign-in/nope-${i}`, {}, { "X-Forwarded-For": "10.60.0.1" })));
		assert.equal(await dbl.collection("rateLimit").countDocuments({ key: /\|\/nope-/ }), 0, "no row for the general class, ever");
		await batch(300, (i) => cheap(loose.url, { "X-Forwarded-For": `10.61.${i >> 8}.${i & 255}` }));
		assert.ok(await dbl.collection("rateLimit").countDocuments({}) >= 300, "a row per strict bucket");
		// every window (3 s, and the slow rule's, 3 s here) over twice, and the
		// next prune due (every 3 s): each request that reaches the store may
		// remove a batch of 256
		await sleep(2 * WINDOW * 1000 + 1500);
		for (let k = 0; k < 6; k++) expectAllowed(await cheap(loose.url, { "X-Forwarded-For": `10.62.0.${k}` }));
		const left = await dbl.collection("rateLimit").find({}).toArray();
		assert.ok(left.length <= 10, `${left.length} rows left: ${left.slice(0, 12).map((d) => d.key)}`);
		assert.equal(left.filter((d) => /^10\.62\.0\.\d\|\/sign-in\/email$/.test(d.key)).length, 6, "the live buckets stay");
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
