// The programs' logs, through lighttpd at FCGI_AUTH_LOG_LEVEL=debug:
// with FCGI_AUTH_LOG_FORMAT=json every line a program writes is one JSON
// object with time, level, program, pid and event first; the text format
// is "fcgi-auth[<program> <pid>] <level>: …". In both, a session's worth
// of requests (sign-up, a wrong and a right password, get-session from the
// store and from the cookie cache, sync-user, me, a rejected body carrying
// the password, a form post, rate limiting, sign-out) leaves no password,
// token or cookie value in the log. These servers' logs also go to the
// suite-wide log-leak check (tests/lib/logleak.mjs), tested here too.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFerret, startFcgi, dbName, postJSON, request, uniqueEmail, CookieJar, SECRET, sleep, ROOT } from "../lib/stack.mjs";
import { check } from "../lib/logleak.mjs";

const PW = "log-test password \u00e9 \"quoted\" 7f2c";
const PW_LEAKED = "a-password-that-leaks-9d1e"; // found in this source by the check below

/** Runs the flows; returns the secrets the server saw. */
async function session(st) {
	const secrets = [PW, SECRET];
	const email = uniqueEmail("logs");
	const jar = new CookieJar();
	const up = await postJSON(st.url, "/api/auth/sign-up/email", { name: "Log", email, password: PW });
	assert.equal(up.status, 200, up.body);
	assert.equal((await postJSON(st.url, "/api/auth/sign-in/email", { email, password: `${PW}-wrong` })).status, 401);
	secrets.push(`${PW}-wrong`);
	const r = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW });
	assert.equal(r.status, 200, r.body);
	jar.store(r.setCookies);
	secrets.push(r.json().token);
	for (const name of jar.names()) {
		const v = decodeURIComponent(jar.get(name));
		secrets.push(jar.get(name), v, ...v.split(".").filter((p) => p.length >= 8));
	}
	const cookie = { Cookie: jar.header() };
	const g = await request(st.url, "/api/auth/get-session", { headers: cookie });
	assert.equal(g.status, 200);
	jar.store(g.setCookies);
	assert.equal((await request(st.url, "/api/auth/get-session", { headers: { Cookie: jar.header() } })).status, 200);
	assert.equal((await postJSON(st.url, "/api/auth/sync-user", {}, cookie)).status, 200);
	assert.equal((await request(st.url, "/api/user/me", { headers: cookie })).status, 200);
	assert.equal((await request(st.url, "/api/user/me", { method: "PATCH", body: { bio: "hi" }, headers: { ...cookie, Origin: st.url } })).status, 200);
	// refused bodies that carry the password: bad JSON, an unknown field, a form post without a fetch origin
	assert.equal((await postJSON(st.url, "/api/auth/sign-in/email", `{"email":"${email}","password":"${PW.replace(/"/g, '\\"')}",}`)).status, 400);
	assert.equal((await postJSON(st.url, "/api/auth/sign-in/email", { email: 7, password: PW })).status, 400);
	await request(st.url, "/api/auth/sign-in/email", {
		method: "POST", body: new URLSearchParams({ email, password: PW }).toString(),
		headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: jar.header() },
	});
	// a signed cookie with a token the store does not know, and a garbage one
	await request(st.url, "/api/auth/get-session", { headers: { Cookie: `better-auth.session_token=unknowntoken0123456789abcdefghij.${"A".repeat(43)}=` } });
	secrets.push("unknowntoken0123456789abcdefghij");
	await request(st.url, "/api/auth/get-session", { headers: { Cookie: "better-auth.session_token=garbage-cookie-value-31c8" } });
	secrets.push("garbage-cookie-value-31c8");
	for (let i = 0; i < 4; i++) await postJSON(st.url, "/api/auth/sign-in/email", { email, password: `${PW}-${i}` });
	secrets.push(...[0, 1, 2, 3].map((i) => `${PW}-${i}`));
	assert.equal((await postJSON(st.url, "/api/auth/sign-out", {}, cookie)).status, 200);
	assert.equal((await request(st.url, "/api/auth/nope")).status, 404);
	await sleep(300); // the last lines
	return secrets;
}

function assertNoSecrets(text, secrets) {
	for (const s of secrets) {
		for (const f of [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)]) {
			assert.ok(!text.includes(f), `${JSON.stringify(s)} is in the log:\n${text.split("\n").find((l) => l.includes(f))}`);
		}
	}
}

/** lighttpd whatever FCGI_AUTH_SERVER says: the Apache configs do not pass FCGI_AUTH_LOG_FORMAT. */
async function lighttpd(tag, e) {
	const ferret = await startFerret();
	try {
		const server = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(tag), ...e }, { server: "lighttpd" });
		return { url: server.url, server, stop: async () => { await server.stop(); await ferret.stop(); } };
	} catch (err) { await ferret.stop(); throw err; }
}

const env = { FCGI_AUTH_LOG_LEVEL: "debug", FCGI_AUTH_COOKIE_CACHE: "1", BETTER_AUTH_RATE_LIMIT: "1", FCGI_AUTH_RATE_LIMIT_STRICT_MAX: "8" };

describe("FCGI_AUTH_LOG_FORMAT=json", () => {
	let st;
	before(async () => { st = await lighttpd("logs-json", { ...env, FCGI_AUTH_LOG_FORMAT: "json" }); });
	after(async () => { await st?.stop(); });

	it("every line a program writes is one JSON object, keys in order; no secret in any", async () => {
		const secrets = await session(st);
		const lines = st.server.output().split("\n").filter(Boolean);
		const programs = new Set();
		let rateLimited = false;
		for (const line of lines) {
			const o = JSON.parse(line);
			assert.deepEqual(Object.keys(o).slice(0, 5), ["time", "level", "program", "pid", "event"], line);
			assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
			assert.ok(Math.abs(Date.parse(o.time) - Date.now()) < 120e3, line);
			assert.ok(["error", "warn", "info", "debug"].includes(o.level), line);
			assert.equal(typeof o.pid, "number");
			const known = ["request_id", "outcome", "client", "status", "duration_ms", "message"];
			const rest = Object.keys(o).slice(5);
			assert.deepEqual(rest, known.filter((k) => rest.includes(k)), `keys out of order: ${line}`);
			programs.add(o.program);
			if (/429|rate/i.test(line)) rateLimited = true;
		}
		for (const p of ["signup", "signin", "session", "signout", "sync-user", "me"]) assert.ok(programs.has(p), `no line from ${p}:\n${lines.join("\n")}`);
		assert.ok(rateLimited, "the rate-limited sign-in left no line");
		assertNoSecrets(st.server.output() + st.server.errlog(), secrets);
	});
});

describe("FCGI_AUTH_LOG_FORMAT unset (text)", () => {
	let st;
	before(async () => { st = await lighttpd("logs-text", env); });
	after(async () => { await st?.stop(); });

	it("every line is fcgi-auth[<program> <pid>] <level>: …; no secret in any", async () => {
		const secrets = await session(st);
		const lines = st.server.output().split("\n").filter(Boolean);
		assert.ok(lines.length > 10, lines.join("\n"));
		for (const line of lines) assert.match(line, /^fcgi-auth\[[a-z-]+ \d+\] (error|warn|info|debug): /);
		assertNoSecrets(st.server.output() + st.server.errlog(), secrets);
	});
});

describe("the suite-wide log-leak check", () => {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-logleak-"));
	after(() => fs.rmSync(dir, { recursive: true, force: true }));

	it("finds a recorded secret as is, URL-encoded or JSON-escaped, and passes clean logs", () => {
		fs.mkdirSync(path.join(dir, "logs"));
		fs.mkdirSync(path.join(dir, "secrets"));
		const token = "AbCdEfGhIjKlMnOpQrStUvWxYz012345";
		const pw = "p\u00e4ss \"word\"/1";
		fs.writeFileSync(path.join(dir, "secrets", "1.jsonl"),
			[{ kind: "token", value: token }, { kind: "password", value: pw }].map((o) => JSON.stringify(o)).join("\n") + "\n");
		fs.writeFileSync(path.join(dir, "logs", "clean.log"), "fcgi-auth[signin 1] info: sign-in: invalid credentials\n");
		fs.writeFileSync(path.join(dir, "logs", "raw.log"), `x\nfcgi-auth[session 2] debug: token ${token}\ny\n`);
		fs.writeFileSync(path.join(dir, "logs", "json.log"), `{"message":${JSON.stringify(`pw=${pw}`)}}\n`);
		fs.writeFileSync(path.join(dir, "logs", "url.log"), `GET /?p=${encodeURIComponent(pw)}\n`);
		fs.writeFileSync(path.join(dir, "logs", "source.log"), `debug: ${PW_LEAKED}\n`);
		const r = check(dir, path.join(ROOT, "tests", "e2e"));
		assert.deepEqual([...new Set(r.leaks.map((l) => l.file))].sort(), ["json.log", "raw.log", "source.log", "url.log"]);
		assert.deepEqual(r.leaks.find((l) => l.file === "raw.log"), { file: "raw.log", kind: "token", secret: token, line: `fcgi-auth[session 2] debug: token ${token}` });
		assert.equal(r.leaks.find((l) => l.file === "source.log").kind, "password (source)"); 
		assert.equal(r.files.length, 5);
	});
});
