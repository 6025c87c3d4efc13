// Core email/password flows through the better-auth client, plus raw-HTTP checks
// of exact status codes, headers, Set-Cookie strings and bodies (spec §1–§6).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import {
	createStack, makeClient, request, postJSON, uniqueEmail, counts, signCookieValue,
	TARGET, ISO_RE, HEX24_RE,
} from "../lib/stack.mjs";
import {
	ERR, expectJson, expectError, expect404, expectTokenCookie, dontRememberCookie,
	clearedCookies, expectUser, expectSession, expectCompact, near,
} from "../lib/expect.mjs";

const DAY = 86400e3;
let st;
const pw = "correct horse battery staple";

before(async () => { st = await createStack("flow"); });
after(async () => { await st?.stop(); });

async function signUpRaw(email, extra = {}, headers = {}) {
	return postJSON(st.url, "/api/auth/sign-up/email", { name: "Alice", email, password: pw, ...extra }, headers);
}

describe(`basic routes [${TARGET}]`, () => {
	it("GET /api/auth/ok answers {\"ok\":true}", async () => {
		const r = await request(st.url, "/api/auth/ok");
		expectJson(r, 200, '{"ok":true}');
		assert.deepEqual(r.setCookies, []);
		assert.equal(r.headers["cache-control"], undefined, "no cache-control on /ok");
		// The query string is ignored for routing (718).
		expectJson(await request(st.url, "/api/auth/ok?x=1"), 200, '{"ok":true}');
	});

	it("unknown paths, trailing slashes, // and wrong methods are 404 with an empty body", async () => {
		const cases = [
			["GET", "/api/auth/ok/"],
			["GET", "/api/auth/does-not-exist"],
			["GET", "/api/auth/get-session/"],
			["GET", "/api/auth//ok"],
			["GET", "/api/auth/sign-up/email"],
			["GET", "/api/auth/sign-in/email"],
			["GET", "/api/auth/sign-out"],
			["POST", "/api/auth/ok"],
			["PUT", "/api/auth/get-session"],
			["DELETE", "/api/auth/sign-out"],
		];
		for (const [method, p] of cases) {
			const r = await request(st.url, p, { method, headers: method === "POST" ? { Origin: st.url } : {} });
			try { expect404(r); } catch (e) { e.message = `${method} ${p}: ${e.message}`; throw e; }
		}
		// OPTIONS preflight: no CORS handling at all (714).
		expect404(await request(st.url, "/api/auth/sign-in/email", {
			method: "OPTIONS", headers: { Origin: st.url, "Access-Control-Request-Method": "POST" },
		}));
		// HEAD is not GET (715).
		const h = await request(st.url, "/api/auth/ok", { method: "HEAD" });
		assert.equal(h.status, 404);
		assert.equal(h.body, "");
	});

	it("sign-up with a trailing slash is 404 and writes nothing", async () => {
		const before = await counts(st.db);
		const email = uniqueEmail("ts");
		expect404(await postJSON(st.url, "/api/auth/sign-up/email/", { name: "x", email, password: pw }));
		assert.deepEqual(await counts(st.db), before);
	});

	it("POST /get-session is 405 METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED with no-store", async () => {
		const r = await request(st.url, "/api/auth/get-session", { method: "POST", headers: { Origin: st.url } });
		expectError(r, 405, ERR.METHOD_NOT_ALLOWED);
		assert.equal(r.headers["cache-control"], "no-store");
		assert.equal(r.headers.pragma, "no-cache");
	});
});

describe(`sign-up, get-session, sign-out on the wire [${TARGET}]`, () => {
	let email, token, userId, cookie;

	it("sign-up: 200, exact Set-Cookie, body shape and stored documents", async () => {
		email = uniqueEmail("Alice").replace("alice", "Alice");
		const t0 = Date.now();
		const r = await signUpRaw(email, {}, { "User-Agent": "e2e-agent/1.0" });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.headers["content-type"], "application/json");
		assert.equal(r.setCookies.length, 1, `one cookie: ${r.setCookies}`);
		token = expectTokenCookie(r.setCookies[0]);
		cookie = r.setCookies[0].split(";")[0];
		expectCompact(r);
		const b = r.json();
		assert.deepEqual(Object.keys(b), ["token", "user"]);
		assert.equal(b.token, token);
		expectUser(b.user, { name: "Alice", email: email.toLowerCase() });
		assert.equal(b.user.createdAt, b.user.updatedAt);
		near(b.user.createdAt, t0, 5000, "createdAt ≈ now");
		userId = b.user.id;

		const u = await st.db.collection("user").findOne({ _id: new ObjectId(userId) });
		assert.ok(u, "user document stored with _id ObjectId(id)");
		assert.deepEqual(Object.keys(u).sort(), ["_id", "createdAt", "email", "emailVerified", "name", "updatedAt"]);
		assert.equal(u.email, email.toLowerCase());
		assert.equal(u.emailVerified, false);
		assert.ok(u.createdAt instanceof Date);
		assert.equal(u.createdAt.toISOString(), b.user.createdAt);

		const acc = await st.db.collection("account").find({ userId: new ObjectId(userId) }).toArray();
		assert.equal(acc.length, 1);
		assert.equal(acc[0].providerId, "credential");
		assert.equal(acc[0].accountId, userId);
		assert.match(acc[0].password, /^[0-9a-f]{32}:[0-9a-f]{128}$/);

		const s = await st.db.collection("session").findOne({ token });
		assert.ok(s, "session stored under the cookie's token");
		assert.ok(s.userId instanceof ObjectId);
		assert.equal(s.userId.toHexString(), userId);
		assert.equal(s.userAgent, "e2e-agent/1.0");
		assert.equal(typeof s.ipAddress, "string");
		near(s.expiresAt, s.createdAt.getTime() + 7 * DAY, 2000, "expiresAt = createdAt + 7 d");
	});

	it("get-session: session and user in schema key order, no-store, no Set-Cookie", async () => {
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: cookie, "User-Agent": "other" } });
		assert.equal(r.status, 200);
		assert.equal(r.headers["content-type"], "application/json");
		assert.equal(r.headers["cache-control"], "no-store");
		assert.equal(r.headers.pragma, "no-cache");
		assert.deepEqual(r.setCookies, [], "no refresh, no cookie");
		expectCompact(r);
		const b = r.json();
		assert.deepEqual(Object.keys(b), ["session", "user"]);
		expectSession(b.session, { token, userId, userAgent: "e2e-agent/1.0" });
		expectUser(b.user, { id: userId, email: email.toLowerCase(), name: "Alice" });
		const s = await st.db.collection("session").findOne({ token });
		assert.equal(b.session.id, s._id.toHexString());
		assert.equal(b.session.expiresAt, s.expiresAt.toISOString());
	});

	it("get-session without a cookie is null, no Set-Cookie", async () => {
		const r = await request(st.url, "/api/auth/get-session");
		expectJson(r, 200, "null");
		assert.equal(r.headers["cache-control"], "no-store");
		assert.equal(r.headers.pragma, "no-cache");
		assert.deepEqual(r.setCookies, []);
	});

	it("the un-encoded cookie value is accepted too (075)", async () => {
		const raw = decodeURIComponent(cookie);
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: raw } });
		assert.equal(r.status, 200);
		assert.equal(r.json()?.session?.token, token);
	});

	it("a tampered signature or an unsigned token reads as no cookie: null, no Set-Cookie", async () => {
		const [name, value] = cookie.split("=");
		const sig = decodeURIComponent(value).split(".")[1];
		const flipped = sig[0] === "A" ? `B${sig.slice(1)}` : `A${sig.slice(1)}`;
		for (const v of [`${token}.${encodeURIComponent(flipped)}`, token, `${token}.`, `.${encodeURIComponent(sig)}`]) {
			const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `${name}=${v}` } });
			expectJson(r, 200, "null");
			assert.deepEqual(r.setCookies, [], `no cookies for ${v}`);
		}
		assert.ok(await st.db.collection("session").findOne({ token }), "session untouched");
	});

	it("a validly signed unknown token is null and clears the three cookies (074, §11c)", async () => {
		const forged = "abcdefghijklmnopqrstuvwxyz012345";
		assert.equal(signCookieValue(forged), "abcdefghijklmnopqrstuvwxyz012345.aXXNElWNEpWo5RBBdr04f5%2B9qMgDTCOyxaApSp2NGg0%3D");
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `better-auth.session_token=${signCookieValue(forged)}` } });
		expectJson(r, 200, "null");
		assert.deepEqual(r.setCookies, clearedCookies());
	});

	it("a stray session_data cookie (cache off) is expired, whatever the token (078)", async () => {
		const data = "better-auth.session_data=abc";
		const [name, value] = cookie.split("=");
		const clearData = "better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax";
		let r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: data } });
		expectJson(r, 200, "null");
		assert.deepEqual(r.setCookies, [clearData], "session_data alone");
		r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `${cookie}; ${data}` } });
		assert.equal(r.json()?.session?.token, token);
		assert.deepEqual(r.setCookies, [clearData], "valid token + session_data");
		r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `${name}=${value.slice(0, -6)}; ${data}` } });
		expectJson(r, 200, "null");
		assert.deepEqual(r.setCookies, [clearData], "bad signature + session_data");
		// A signed but unknown token: the deletion set only, session_data twice (no extra leading one).
		r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `better-auth.session_token=${signCookieValue("abcdefghijklmnopqrstuvwxyz012345")}; ${data}` } });
		expectJson(r, 200, "null");
		const [t, d, dr] = clearedCookies();
		assert.deepEqual(r.setCookies, [t, d, d, dr], "unknown token + session_data");
	});

	it("sign-out: origin-checked when a cookie is sent, then deletes the session and clears cookies", async () => {
		expectError(await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Cookie: cookie } }), 403, ERR.MISSING_OR_NULL_ORIGIN);
		expectError(await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Cookie: cookie, Origin: "https://evil.example" } }), 403, ERR.INVALID_ORIGIN);
		assert.ok(await st.db.collection("session").findOne({ token }), "refused sign-outs deleted nothing");

		const r = await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Cookie: cookie, Origin: st.url } });
		expectJson(r, 200, '{"success":true}');
		assert.deepEqual(r.setCookies, clearedCookies());
		assert.equal(await st.db.collection("session").findOne({ token }), null, "session row deleted");

		const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: cookie } });
		expectJson(g, 200, "null");
		assert.deepEqual(g.setCookies, clearedCookies(), "signed but unknown token clears cookies");
	});

	it("sign-out without cookies succeeds and still clears cookies (125)", async () => {
		const r = await request(st.url, "/api/auth/sign-out", { method: "POST" });
		expectJson(r, 200, '{"success":true}');
		assert.deepEqual(r.setCookies, clearedCookies());
		const j = await request(st.url, "/api/auth/sign-out", { method: "POST", body: {}, headers: { Origin: st.url } });
		expectJson(j, 200, '{"success":true}');
	});

	it("sign-out with a trusted Referer instead of Origin is accepted (127)", async () => {
		const s = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: pw });
		assert.equal(s.status, 200, s.body);
		const c = s.setCookies[0].split(";")[0];
		const r = await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Cookie: c, Referer: `${st.url}/app/page?x=1` } });
		expectJson(r, 200, '{"success":true}');
		assert.equal(await st.db.collection("session").findOne({ token: s.json().token }), null);
	});

	it("sign-in: exact body {redirect,token,user}, new session per sign-in, email case-insensitive", async () => {
		const before = await counts(st.db);
		const r = await postJSON(st.url, "/api/auth/sign-in/email", { email: email.toUpperCase(), password: pw });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.headers["content-type"], "application/json");
		assert.equal(r.headers.location, undefined, "no location without callbackURL");
		assert.equal(r.setCookies.length, 1);
		const tok = expectTokenCookie(r.setCookies[0]);
		const b = r.json();
		assert.deepEqual(Object.keys(b), ["redirect", "token", "user"]);
		assert.equal(b.redirect, false);
		assert.equal(b.token, tok);
		assert.notEqual(tok, token);
		expectUser(b.user, { id: userId, email: email.toLowerCase() });
		const afterC = await counts(st.db);
		assert.deepEqual(afterC, { ...before, session: before.session + 1 });
	});

	it("sign-in with a relative callbackURL: redirect true, url, location header, status 200 (056)", async () => {
		const r = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: pw, callbackURL: "/dashboard" });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.headers.location, "/dashboard");
		const b = r.json();
		assert.deepEqual(Object.keys(b), ["redirect", "token", "url", "user"]);
		assert.equal(b.redirect, true);
		assert.equal(b.url, "/dashboard");
		expectTokenCookie(r.setCookies[0], { token: b.token });
	});

	it("sign-in and sign-up accept application/x-www-form-urlencoded (031, 065)", async () => {
		const r = await request(st.url, "/api/auth/sign-in/email", {
			method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
			body: `email=${encodeURIComponent(email)}&password=${encodeURIComponent(pw)}`,
		});
		assert.equal(r.status, 200, r.body);
		assert.equal(r.json().user.id, userId);
		const e2 = uniqueEmail("form");
		const u = await request(st.url, "/api/auth/sign-up/email", {
			method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
			body: `name=Form+User&email=${encodeURIComponent(e2)}&password=password123`,
		});
		assert.equal(u.status, 200, u.body);
		assert.equal(u.json().user.name, "Form User");
		assert.equal(u.json().user.email, e2);
	});

	it("Content-Type is matched case-insensitively and parameters are ignored (709, 038)", async () => {
		const a = await request(st.url, "/api/auth/sign-in/email", {
			method: "POST", headers: { "Content-Type": "APPLICATION/JSON" }, body: JSON.stringify({ email, password: pw }),
		});
		assert.equal(a.status, 200, a.body);
		const b = await request(st.url, "/api/auth/sign-in/email", {
			method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" }, body: JSON.stringify({ email, password: pw }),
		});
		assert.equal(b.status, 200, b.body);
	});

	it("sign-up with image: image key between emailVerified and createdAt; stored as string", async () => {
		const e = uniqueEmail("img");
		const r = await signUpRaw(e, { image: "https://img.example/a.png", callbackURL: "/welcome" });
		assert.equal(r.status, 200, r.body);
		const u = r.json().user;
		assert.deepEqual(Object.keys(u), ["name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"]);
		assert.equal(u.image, "https://img.example/a.png");
		const doc = await st.db.collection("user").findOne({ email: e });
		assert.equal(doc.image, "https://img.example/a.png");
	});

	it("sign-up ignores unknown fields such as emailVerified and id (035); name may be empty (037)", async () => {
		const e = uniqueEmail("extra");
		const r = await signUpRaw(e, { name: "", emailVerified: true, id: "000000000000000000000000", role: "admin" });
		assert.equal(r.status, 200, r.body);
		const u = r.json().user;
		assert.equal(u.name, "");
		assert.equal(u.emailVerified, false);
		assert.notEqual(u.id, "000000000000000000000000");
		const doc = await st.db.collection("user").findOne({ email: e });
		assert.equal(doc.emailVerified, false);
		assert.equal(doc.role, undefined);
	});

	it("non-ASCII names round-trip as raw UTF-8 (720)", async () => {
		const e = uniqueEmail("uni");
		const name = "Zoë \u00e9\u4e2d\u6587 \ud83d\ude00 \"q\" \\ /";
		const r = await signUpRaw(e, { name });
		assert.equal(r.status, 200, r.body);
		assert.ok(r.body.includes(JSON.stringify(name)), `name serialised as JSON.stringify does: ${r.body}`);
		const c = r.setCookies[0].split(";")[0];
		const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: c } });
		assert.equal(g.json().user.name, name);
		assert.ok(g.body.includes(JSON.stringify(name)));
	});
});

describe(`flows through the better-auth client [${TARGET}]`, () => {
	it("sign-up → get-session → sign-out → null → sign-in → get-session", async () => {
		const { client, jar, log } = makeClient(st.url);
		const email = uniqueEmail("client");
		const up = await client.signUp.email({ name: "Client", email, password: "password123" });
		assert.equal(up.error, null, JSON.stringify(up.error));
		const uid = up.data.user.id;
		assert.match(uid, HEX24_RE);
		assert.ok(jar.has("better-auth.session_token"));
		assert.equal(jar.get("better-auth.session_token").split(".")[0], up.data.token);

		const g1 = await client.getSession();
		assert.equal(g1.error, null);
		assert.equal(g1.data.user.id, uid);
		assert.equal(g1.data.user.email, email);
		assert.equal(g1.data.session.token, up.data.token);
		assert.equal(g1.data.session.userId, uid);
		assert.ok(g1.data.session.expiresAt instanceof Date, "the client revives dates");
		near(g1.data.session.expiresAt, Date.now() + 7 * DAY, 5000, "7-day session");

		const out = await client.signOut();
		assert.equal(out.error, null);
		assert.deepEqual(out.data, { success: true });
		assert.deepEqual(jar.names(), [], "sign-out cleared every cookie");
		assert.equal(await st.db.collection("session").findOne({ token: up.data.token }), null);

		const g2 = await client.getSession();
		assert.equal(g2.error, null);
		assert.equal(g2.data, null);

		const inn = await client.signIn.email({ email, password: "password123" });
		assert.equal(inn.error, null, JSON.stringify(inn.error));
		assert.equal(inn.data.user.id, uid);
		assert.equal(inn.data.redirect, false);
		assert.notEqual(inn.data.token, up.data.token);

		const g3 = await client.getSession();
		assert.equal(g3.data.user.id, uid);
		assert.equal(g3.data.session.token, inn.data.token);
		assert.ok(log.every((e) => e.status === 200), JSON.stringify(log.map((e) => [e.method, e.url, e.status])));
	});

	it("wrong password and unknown email: 401 INVALID_EMAIL_OR_PASSWORD, no session written", async () => {
		const { client } = makeClient(st.url);
		const email = uniqueEmail("wrong");
		assert.equal((await client.signUp.email({ name: "W", email, password: "password123" })).error, null);
		const before = await counts(st.db);
		const { client: c2, jar } = makeClient(st.url);
		const bad = await c2.signIn.email({ email, password: "password124" });
		assert.equal(bad.data, null);
		assert.equal(bad.error.status, 401);
		assert.equal(bad.error.code, "INVALID_EMAIL_OR_PASSWORD");
		assert.equal(bad.error.message, "Invalid email or password");
		assert.deepEqual(jar.names(), []);

		expectError(await postJSON(st.url, "/api/auth/sign-in/email", { email, password: "password124" }), 401, ERR.INVALID_EMAIL_OR_PASSWORD);
		expectError(await postJSON(st.url, "/api/auth/sign-in/email", { email: uniqueEmail("nobody"), password: "password123" }), 401, ERR.INVALID_EMAIL_OR_PASSWORD);
		// No minimum length on sign-in (058).
		expectError(await postJSON(st.url, "/api/auth/sign-in/email", { email, password: "x" }), 401, ERR.INVALID_EMAIL_OR_PASSWORD);
		assert.deepEqual(await counts(st.db), before);
	});

	it("duplicate email, also in another case: 422 USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", async () => {
		const { client } = makeClient(st.url);
		const email = uniqueEmail("dup");
		assert.equal((await client.signUp.email({ name: "D", email, password: "password123" })).error, null);
		const before = await counts(st.db);
		const { client: c2, jar } = makeClient(st.url);
		const again = await c2.signUp.email({ name: "D2", email, password: "password456" });
		assert.equal(again.error.status, 422);
		assert.equal(again.error.code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
		assert.equal(again.error.message, "User already exists. Use another email.");
		assert.deepEqual(jar.names(), []);
		expectError(await postJSON(st.url, "/api/auth/sign-up/email", { name: "D3", email: email.toUpperCase(), password: "password456" }), 422, ERR.USER_EXISTS);
		const mixed = email[0].toUpperCase() + email.slice(1, -4) + ".COM";
		expectError(await postJSON(st.url, "/api/auth/sign-up/email", { name: "D4", email: mixed, password: "password456" }), 422, ERR.USER_EXISTS);
		assert.deepEqual(await counts(st.db), before);
		assert.equal(await st.db.collection("user").countDocuments({ email }), 1);
	});

	it("rememberMe:false: dont_remember cookie, token cookie without Max-Age, 1-day session, no refresh", async () => {
		const { client } = makeClient(st.url);
		const email = uniqueEmail("rm");
		assert.equal((await client.signUp.email({ name: "R", email, password: "password123" })).error, null);

		const t0 = Date.now();
		const r = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: "password123", rememberMe: false });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 2, r.setCookies.join("\n"));
		const tok = expectTokenCookie(r.setCookies[0], { maxAge: null });
		assert.equal(r.setCookies[1], dontRememberCookie());
		assert.equal(r.setCookies[1], "better-auth.dont_remember=true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%3D; Path=/; HttpOnly; SameSite=Lax");
		const s = await st.db.collection("session").findOne({ token: tok });
		near(s.expiresAt, t0 + DAY, 5000, "rememberMe:false session expiresAt ≈ now + 1 d");

		// With both cookies get-session does not refresh (076, 207).
		const both = r.setCookies.map((c) => c.split(";")[0]).join("; ");
		const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: both } });
		assert.equal(g.status, 200);
		assert.deepEqual(g.setCookies, []);
		assert.equal(g.json().session.expiresAt, s.expiresAt.toISOString());
		assert.equal((await st.db.collection("session").findOne({ token: tok })).expiresAt.getTime(), s.expiresAt.getTime());

		// The client path: the same through the better-auth client.
		const { client: c3, jar } = makeClient(st.url);
		const inn = await c3.signIn.email({ email, password: "password123", rememberMe: false });
		assert.equal(inn.error, null);
		assert.ok(jar.has("better-auth.dont_remember"));
		assert.equal(jar.attributes("better-auth.session_token")["max-age"], undefined);
		const gs = await c3.getSession();
		near(gs.data.session.expiresAt, Date.now() + DAY, 5000, "client sees a 1-day session");
	});

	it("signing in with rememberMe true while a dont_remember cookie is held expires that cookie", async () => {
		const email = uniqueEmail("rm3");
		const { client, jar, last } = makeClient(st.url);
		assert.equal((await client.signUp.email({ name: "R3", email, password: "password123", rememberMe: false })).error, null);
		assert.deepEqual(jar.names(), ["better-auth.session_token", "better-auth.dont_remember"]);
		assert.equal((await client.signIn.email({ email, password: "password123" })).error, null);
		const sc = last().setCookies;
		assert.equal(sc.length, 2, sc.join("\n"));
		expectTokenCookie(sc[0], { maxAge: 604800 });
		assert.equal(sc[1], "better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax");
		assert.deepEqual(jar.names(), ["better-auth.session_token"], "dont_remember expired");
		assert.equal(jar.attributes("better-auth.session_token")["max-age"], "604800");
	});

	it("rememberMe:false token sent without dont_remember gets refreshed to 7 d (quirk §6.4, 208)", async () => {
		const email = uniqueEmail("rm2");
		const up = await postJSON(st.url, "/api/auth/sign-up/email", { name: "R2", email, password: "password123", rememberMe: false });
		assert.equal(up.status, 200, up.body);
		assert.equal(up.setCookies.length, 2);
		const tok = expectTokenCookie(up.setCookies[0], { maxAge: null });
		assert.equal(up.setCookies[1], dontRememberCookie());
		const t0 = Date.now();
		const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: up.setCookies[0].split(";")[0] } });
		assert.equal(g.status, 200);
		assert.equal(g.setCookies.length, 1, g.setCookies.join("\n"));
		expectTokenCookie(g.setCookies[0], { token: tok, maxAge: 604800 });
		near(g.json().session.expiresAt, t0 + 7 * DAY, 5000, "refreshed to 7 d");
		near((await st.db.collection("session").findOne({ token: tok })).expiresAt, t0 + 7 * DAY, 5000, "db refreshed");
	});
});
