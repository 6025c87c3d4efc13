// Size and shape limits: oversized bodies and headers, deep nesting, bad
// encodings, duplicate keys and trailing data are refused with a 4xx (never a
// 5xx), and the FastCGI processes keep serving afterwards.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { startFerret, startFcgi, mongo, dbName, request, postJSON, uniqueEmail, counts, FCGI_BIN, SECRET } from "../lib/stack.mjs";
import { expectError, expectUser, ERR } from "../lib/expect.mjs";

const PW = "correct horse battery staple";
const SIGN_IN = "/api/auth/sign-in/email";
let ferret, srv, db, email, cookie, userId;

before(async () => {
	ferret = await startFerret();
	const name = dbName("sec_limits");
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	db = await mongo(name, ferret.uri);
	email = uniqueEmail("limits");
	const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Lim", email, password: PW });
	assert.equal(r.status, 200, r.body);
	cookie = r.setCookies[0].split(";")[0];
	userId = r.json().user.id;
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

const raw = (body, p = SIGN_IN, headers = {}) => request(srv.url, p, {
	method: "POST", body, headers: { Origin: srv.url, "Content-Type": "application/json", ...headers },
});

/** The stack still answers: /ok and a get-session with the valid cookie. */
async function stillServing() {
	const ok = await request(srv.url, "/api/auth/ok");
	assert.equal(ok.status, 200, `ok after: ${ok.body}`);
	const s = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie } });
	assert.equal(s.status, 200, s.body);
	assert.equal(s.json().user.id, userId);
}

describe("request size limits", () => {
	it("a body over 64 KiB is 413, writes nothing, and the stack keeps serving", async () => {
		const before = await counts(db);
		for (const p of [SIGN_IN, "/api/auth/sign-up/email"]) {
			const body = JSON.stringify({ name: "x", email: uniqueEmail("big"), password: PW, pad: "x".repeat(70 * 1024) });
			const r = await raw(body, p);
			assert.equal(r.status, 413, `${p}: ${r.status} ${r.body.slice(0, 200)}`);
			assert.deepEqual(r.setCookies, []);
		}
		assert.deepEqual(await counts(db), before);
		await stillServing();
	});

	it("a valid JSON body of exactly 60 KiB is not 413: it is processed", async () => {
		const head = JSON.stringify({ email, password: PW, pad: "" });
		const body = head.slice(0, -2) + "x".repeat(60 * 1024 - head.length) + '"}';
		assert.equal(Buffer.byteLength(body), 60 * 1024);
		const r = await raw(body);
		assert.equal(r.status, 200, `60 KiB sign-in: ${r.status} ${r.body.slice(0, 200)}`);
		assert.equal(r.json().user.id, userId);
	});

	it("a Cookie header of 20 KiB is a 4xx (431), never a 5xx", async () => {
		for (const p of ["/api/auth/get-session", "/api/user/me", "/demo/whoami"]) {
			const r = await request(srv.url, p, { headers: { Cookie: `${cookie}; pad=${"x".repeat(20 * 1024)}` } });
			assert.ok(r.status >= 400 && r.status < 500, `${p}: status ${r.status}`);
			assert.ok([431, 400].includes(r.status), `${p}: 431 (or lighttpd's 400), got ${r.status}`);
			assert.deepEqual(r.setCookies, []);
		}
		await stillServing();
	});

	// lighttpd's own 8 KiB header-field limit answers before the programs see
	// such a header, so the programs' limits are checked directly, as plain CGI.
	function cgi(program, env, input = "") {
		const r = spawnSync(path.join(FCGI_BIN, program), [], {
			input, timeout: 10000,
			env: {
				PATH: process.env.PATH, BETTER_AUTH_SECRET: SECRET, MONGODB_URI: ferret.uri, MONGODB_DB: "unused_sec_cgi",
				BETTER_AUTH_RATE_LIMIT: "0", REMOTE_ADDR: "127.0.0.1", ...env,
			},
		});
		assert.equal(r.status, 0, `${program} exit ${r.status} ${r.signal}: ${r.stderr}`);
		return r.stdout.toString("utf8");
	}

	it("the programs themselves: a 20 KiB Cookie header is 431, a body over FCGI_AUTH_MAX_BODY is 413", () => {
		const out = cgi("session", { REQUEST_METHOD: "GET", REQUEST_URI: "/api/auth/get-session", HTTP_COOKIE: `${cookie}; pad=${"x".repeat(20 * 1024)}` });
		assert.match(out, /^Status: 431 /);
		assert.match(out, /\r\n\r\n\{"message":"Request header fields too large","code":"REQUEST_HEADER_FIELDS_TOO_LARGE"\}$/);
		assert.doesNotMatch(out, /Set-Cookie/i);
		const body = JSON.stringify({ email, password: PW, pad: "x".repeat(70 * 1024) });
		const big = cgi("signin", {
			REQUEST_METHOD: "POST", REQUEST_URI: "/api/auth/sign-in/email", CONTENT_TYPE: "application/json",
			CONTENT_LENGTH: String(body.length), HTTP_ORIGIN: srv.url,
		}, body);
		assert.match(big, /^Status: 413 /);
		assert.match(big, /"code":"PAYLOAD_TOO_LARGE"/);
		// A lower FCGI_AUTH_MAX_BODY is honoured.
		const small = JSON.stringify({ email, password: PW, pad: "x".repeat(2048) });
		const r = cgi("signin", {
			REQUEST_METHOD: "POST", REQUEST_URI: "/api/auth/sign-in/email", CONTENT_TYPE: "application/json",
			CONTENT_LENGTH: String(small.length), HTTP_ORIGIN: srv.url, FCGI_AUTH_MAX_BODY: "1024",
		}, small);
		assert.match(r, /^Status: 413 /);
	});

	it("200 cookies in one header: get-session still finds the session cookie", async () => {
		const many = Array.from({ length: 200 }, (_, i) => `c${i}=v${i}`);
		for (const at of [0, 100, 200]) {
			const list = [...many];
			list.splice(at, 0, cookie);
			const r = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: list.join("; ") } });
			assert.equal(r.status, 200, r.body);
			assert.equal(r.json()?.user?.id, userId, `session cookie at position ${at}`);
			expectUser(r.json().user, { email });
		}
		const none = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: many.join("; ") } });
		assert.equal(none.status, 200);
		assert.equal(none.body, "null");
	});
});

describe("malformed JSON", () => {
	const cases = [
		["arrays nested 40 deep", "[".repeat(40) + "]".repeat(40)],
		["objects nested 40 deep", '{"a":'.repeat(40) + "1" + "}".repeat(40)],
		["nesting 40 deep inside a field", `{"email":"${"a@b.co"}","password":${"[".repeat(40)}${"]".repeat(40)}}`],
		["invalid UTF-8 bytes in a string", Buffer.concat([Buffer.from('{"email":"a@b.co","password":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('xxxxxxxx"}')])],
		["an overlong UTF-8 encoding", Buffer.concat([Buffer.from('{"email":"a@b.co","password":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('xxxxxxxx"}')])],
		["\\u0000 in a string", '{"email":"a@b.co","password":"abc\\u0000defgh"}'],
		["a raw NUL byte", Buffer.concat([Buffer.from('{"email":"a@b.co","password":"abc'), Buffer.from([0]), Buffer.from('defgh"}')])],
		["a lone surrogate", '{"email":"a@b.co","password":"abc\\ud800defgh"}'],
		["duplicate keys", '{"email":"a@b.co","email":"c@d.co","password":"abcdefghij"}'],
		["trailing data", "{}{}"],
		["trailing garbage after a valid object", `{"email":"a@b.co","password":"abcdefghij"}x`],
	];
	for (const [what, body] of cases) {
		it(`${what} is 400 and creates nothing`, async () => {
			const before = await counts(db);
			for (const p of [SIGN_IN, "/api/auth/sign-up/email"]) {
				const r = await raw(body, p);
				assert.equal(r.status, 400, `${p}: ${r.status} ${r.body}`);
				assert.ok(["BAD_REQUEST", "VALIDATION_ERROR"].includes(r.json().code), r.body);
				assert.deepEqual(r.setCookies, []);
			}
			assert.deepEqual(await counts(db), before);
		});
	}

	it("deep nesting, bad UTF-8, NUL, duplicates and trailing data are BAD_REQUEST exactly", async () => {
		for (const [, body] of cases.filter(([w]) => !w.startsWith("arrays") && !w.startsWith("objects"))) {
			expectError(await raw(body), 400, ERR.INVALID_JSON);
		}
	});

	// Regression: lib/json.c once checked each key for a duplicate by scanning
	// the keys so far, O(n²): ~8300 short keys in 64 KiB cost 300-700 ms of CPU
	// on every body-taking endpoint, before authentication. Now a seeded hash
	// set (~6 ms). The bound is loose (10x, at least 100 ms): it catches the
	// quadratic case, not small slowdowns.
	it("a 64 KiB body of thousands of distinct keys is parsed in linear time", async () => {
		let keys = "{";
		for (let i = 0; keys.length < 64000; i++) keys += `${i ? "," : ""}"${i.toString(36)}":0`;
		keys += "}";
		const flat = JSON.stringify({ pad: "x".repeat(keys.length - 12) });
		const time = async (body) => {
			const t = performance.now();
			const r = await raw(body, "/api/auth/sign-out");
			assert.equal(r.status, 200, r.body);
			return performance.now() - t;
		};
		const tf = Math.min(await time(flat), await time(flat));
		const tk = Math.min(await time(keys), await time(keys));
		assert.ok(tk < Math.max(100, 10 * tf), `many keys ${tk.toFixed(0)} ms vs one string ${tf.toFixed(0)} ms`);
	});

	it("a top-level array is 400 VALIDATION_ERROR", async () => {
		expectError(await raw("[]"), 400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received array");
		expectError(await raw('[{"email":"a@b.co","password":"abcdefghij"}]'), 400, "VALIDATION_ERROR",
			"[body] Invalid input: expected object, received array");
	});

	it("after all of the above, every FastCGI process still serves", async () => {
		await stillServing();
		const r = await postJSON(srv.url, SIGN_IN, { email, password: PW });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().user.id, userId);
		const log = srv.errlog();
		assert.doesNotMatch(log, /-> 5\d\d/, "no 5xx logged by the programs");
		assert.doesNotMatch(log, /(died|exited|signal|core dumped)/i, `no backend died: ${log.slice(-2000)}`);
	});
});

describe("field length limits (ours; Better Auth has none but the password's)", () => {
	let ferret, srv, db;
	before(async () => {
		ferret = await startFerret();
		const name = dbName("fieldlimits");
		srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
		db = await mongo(name, ferret.uri);
	});
	after(async () => {
		await db?.close().catch(() => {});
		await srv?.stop();
		await ferret?.stop();
	});

	it("name over 1000, email over 320, image or callbackURL over 2048: 400 VALIDATION_ERROR, nothing written", async () => {
		const PWD = "correct horse battery staple";
		const cases = [
			[{ name: "n".repeat(1001), email: "long-name@example.com", password: PWD }, "[body.name] Too big: expected string to have <=1000 characters"],
			[{ name: "N", email: `${"e".repeat(310)}@example.com`, password: PWD }, "[body.email] Too big: expected string to have <=320 characters"],
			[{ name: "N", email: "img@example.com", password: PWD, image: `https://x.example/${"i".repeat(2040)}` }, "[body.image] Too big: expected string to have <=2048 characters"],
			[{ name: "N", email: "cb@example.com", password: PWD, callbackURL: `/${"c".repeat(2048)}` }, "[body.callbackURL] Too big: expected string to have <=2048 characters"],
		];
		for (const [body, message] of cases) {
			const r = await postJSON(srv.url, "/api/auth/sign-up/email", body);
			assert.equal(r.status, 400, r.body);
			assert.deepEqual(r.json(), { message, code: "VALIDATION_ERROR" });
		}
		assert.equal(await db.collection("user").countDocuments({}), 0);
		const ok = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "n".repeat(1000), email: "max-name@example.com", password: PWD });
		assert.equal(ok.status, 200, ok.body);
	});
});
