// Cookie cache (FCGI_AUTH_COOKIE_CACHE=1, compact strategy; spec §6.5, §11d,
// captures 03-cookiecache). session_data is checked byte for byte: its HMAC is
// recomputed here with the shared secret.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import {
	startFerret, startTarget, mongo, dbName, makeClient, request, postJSON, uniqueEmail, parseSetCookie,
	sleep, signCookieValue, SECRET, TARGET,
} from "../lib/stack.mjs";
import {
	expectJson, expectTokenCookie, dontRememberCookie, clearedCookie, clearedCookies, expectSession, expectUser,
	USER_KEYS, SESSION_KEYS, CACHE_SESSION_KEYS, CACHE_USER_KEYS, near,
} from "../lib/expect.mjs";

let ferret;
const stacks = [];
async function stack(tag, env) {
	const name = dbName(tag);
	const server = await startTarget({ MONGODB_URI: ferret.uri, MONGODB_DB: name, FCGI_AUTH_COOKIE_CACHE: "1", ...env });
	const db = await mongo(name, ferret.uri);
	const s = { url: server.url, server, db };
	stacks.push(s);
	return s;
}
before(async () => { ferret = await startFerret(); });
after(async () => {
	for (const s of stacks) { await s.db.close().catch(() => {}); await s.server.stop(); }
	await ferret?.stop();
});

const PW = "password123";
const DATA = "better-auth.session_data";
const TOKEN = "better-auth.session_token";
const pair = (setCookies) => setCookies.filter((c) => !/Max-Age=0;/.test(c)).map((c) => c.split(";")[0]).join("; ");

/**
 * Decode and verify a session_data Set-Cookie (compact strategy). Returns the
 * payload {session, user, updatedAt, version} and E (expiresAt ms).
 */
function verifyData(setCookie, { maxAge = 300, token } = {}) {
	const c = parseSetCookie(setCookie);
	assert.equal(c.name, DATA);
	const want = `${maxAge === null ? "" : `; Max-Age=${maxAge}`}; Path=/; HttpOnly; SameSite=Lax`;
	assert.equal(setCookie.slice(setCookie.indexOf(";")), want, "session_data attributes");
	assert.match(c.value, /^[A-Za-z0-9_-]+$/, "base64url without padding; needs no URL-encoding");
	const outerText = Buffer.from(c.value, "base64url").toString("utf8");
	assert.equal(Buffer.from(outerText).toString("base64url"), c.value, "canonical base64url");
	const outer = JSON.parse(outerText);
	assert.equal(JSON.stringify(outer), outerText, "compact JSON");
	assert.deepEqual(Object.keys(outer), ["session", "expiresAt", "signature"]);
	const P = outer.session;
	assert.deepEqual(Object.keys(P), ["session", "user", "updatedAt", "version"]);
	assert.equal(P.version, "1");
	assert.deepEqual(Object.keys(P.session), SESSION_KEYS, "cached session in database-path key order");
	assert.deepEqual(Object.keys(P.user).filter((k) => k !== "image"), USER_KEYS, "cached user in database-path key order");
	if (token !== undefined) assert.equal(P.session.token, token);
	assert.equal(typeof P.updatedAt, "number");
	const sig = crypto.createHmac("sha256", SECRET).update(JSON.stringify({ ...P, expiresAt: outer.expiresAt })).digest("base64url");
	assert.equal(outer.signature, sig, "signature = base64url(HMAC-SHA256(secret, JSON({...P, expiresAt})))");
	return { P, E: outer.expiresAt };
}

describe(`cookie cache, maxAge 300 [${TARGET}]`, () => {
	let st, email, token, both, tokenOnly, dataCookie;
	before(async () => { st = await stack("cache"); });

	it("sign-up sets session_token then session_data (Max-Age=300), signed over the database-path objects", async () => {
		email = uniqueEmail("cache");
		const t = Date.now();
		const r = await postJSON(st.url, "/api/auth/sign-up/email", { name: "Cach", email, password: PW });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 2, r.setCookies.join("\n"));
		const tok = expectTokenCookie(r.setCookies[0], { token: r.json().token });
		const { P, E } = verifyData(r.setCookies[1], { token: tok });
		near(P.updatedAt, t, 3000, "payload updatedAt = now (ms)");
		// Ours reads the clock once; Better Auth reads Date.now() for updatedAt
		// and again for expiresAt, so its E may be a millisecond or two later.
		if (TARGET === "reference") assert.ok(E - (P.updatedAt + 300e3) >= 0 && E - (P.updatedAt + 300e3) <= 20, `E = now + maxAge: ${E} vs ${P.updatedAt}`);
		else assert.equal(E, P.updatedAt + 300e3, "E = now + maxAge");
		assert.deepEqual(P.user, r.json().user, "cached user = response user");
	});

	it("sign-in sets both cookies; the cached session equals the stored one", async () => {
		const r = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 2, r.setCookies.join("\n"));
		token = expectTokenCookie(r.setCookies[0], { token: r.json().token });
		const { P } = verifyData(r.setCookies[1], { token });
		const row = await st.db.collection("session").findOne({ token });
		assert.equal(P.session.id, row._id.toHexString());
		assert.equal(P.session.expiresAt, row.expiresAt.toISOString());
		assert.equal(P.session.userId, row.userId.toHexString());
		both = pair(r.setCookies);
		tokenOnly = r.setCookies[0].split(";")[0];
		dataCookie = r.setCookies[1].split(";")[0];
	});

	it("get-session with both cookies is served from the cache: its key order, no Set-Cookie", async () => {
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: both } });
		assert.equal(r.status, 200);
		assert.equal(r.headers["cache-control"], "no-store");
		assert.deepEqual(r.setCookies, []);
		const b = r.json();
		expectSession(b.session, { token, keys: CACHE_SESSION_KEYS });
		expectUser(b.user, { email, keys: CACHE_USER_KEYS });
		const db = await request(st.url, "/api/auth/get-session?disableCookieCache=true", { headers: { Cookie: both } });
		const d = db.json();
		assert.deepEqual(Object.keys(d.session), SESSION_KEYS);
		for (const k of SESSION_KEYS) assert.equal(b.session[k], d.session[k], k);
		for (const k of USER_KEYS) assert.equal(b.user[k], d.user[k], k);
		// ?disableCookieCache read the database and set a fresh session_data (305).
		assert.equal(db.setCookies.length, 1, db.setCookies.join("\n"));
		verifyData(db.setCookies[0], { token });
	});

	it("?disableCookieCache=false also disables the cache (Boolean of a non-empty string, 306)", async () => {
		const r = await request(st.url, "/api/auth/get-session?disableCookieCache=false", { headers: { Cookie: both } });
		assert.deepEqual(Object.keys(r.json().session), SESSION_KEYS);
		assert.equal(r.setCookies.length, 1);
	});

	it("get-session with the token only reads the database and sets session_data (303)", async () => {
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: tokenOnly } });
		assert.equal(r.status, 200);
		assert.deepEqual(Object.keys(r.json().session), SESSION_KEYS);
		assert.equal(r.setCookies.length, 1, r.setCookies.join("\n"));
		verifyData(r.setCookies[0], { token });
	});

	it("session_data without a valid session token is never enough, and is left alone (304)", async () => {
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: dataCookie } });
		expectJson(r, 200, "null");
		assert.deepEqual(r.setCookies, [], "session_data alone: no Set-Cookie (unlike the cache-off case 078)");
		const bad = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `${tokenOnly.slice(0, -6)}; ${dataCookie}` } });
		expectJson(bad, 200, "null");
		assert.deepEqual(bad.setCookies, [], "badly signed token + session_data: no Set-Cookie");
		const unknown = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `${TOKEN}=${signCookieValue("abcdefghijklmnopqrstuvwxyz012345")}; ${dataCookie}` } });
		expectJson(unknown, 200, "null");
		assert.deepEqual(unknown.setCookies, [
			clearedCookie(TOKEN), clearedCookie(DATA), clearedCookie(DATA), clearedCookie("better-auth.dont_remember"),
		], "signed unknown token + session_data: the deletion set only");
	});

	it("a tampered or foreign session_data is expired and replaced from the database (307, 309)", async () => {
		const v = dataCookie.slice(DATA.length + 1);
		const outer = JSON.parse(Buffer.from(v, "base64url").toString());
		outer.session.user.name = "Mallory";
		const forged = Buffer.from(JSON.stringify(outer)).toString("base64url");
		const other = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW });
		const otherData = other.setCookies[1].split(";")[0].slice(DATA.length + 1);
		for (const bad of [forged, otherData, "garbage", v.slice(0, -4)]) {
			const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `${tokenOnly}; ${DATA}=${bad}` } });
			assert.equal(r.status, 200);
			const b = r.json();
			assert.equal(b.session.token, token);
			assert.equal(b.user.name, "Cach");
			assert.deepEqual(Object.keys(b.session), SESSION_KEYS, "database path");
			assert.equal(r.setCookies.length, 2, r.setCookies.join("\n"));
			assert.equal(r.setCookies[0], clearedCookie(DATA));
			verifyData(r.setCookies[1], { token });
		}
	});

	it("a session deleted from the database stays usable through the cache; disableCookieCache sees it gone", async () => {
		const r0 = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW });
		const tok = r0.json().token;
		const c = pair(r0.setCookies);
		await st.db.collection("session").deleteOne({ token: tok });
		const hit = await request(st.url, "/api/auth/get-session", { headers: { Cookie: c } });
		assert.equal(hit.status, 200);
		assert.equal(hit.json()?.session?.token, tok, "served from session_data without the database");
		assert.deepEqual(hit.setCookies, []);
		const miss = await request(st.url, "/api/auth/get-session?disableCookieCache=1", { headers: { Cookie: c } });
		expectJson(miss, 200, "null");
		// session_data twice: once as a kind, once because the request carried it (312).
		assert.deepEqual(miss.setCookies, [
			clearedCookie(TOKEN), clearedCookie(DATA), clearedCookie(DATA), clearedCookie("better-auth.dont_remember"),
		]);
	});

	it("sign-out with session_data clears it twice (331)", async () => {
		const r = await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Origin: st.url, Cookie: both } });
		expectJson(r, 200, '{"success":true}');
		assert.deepEqual(r.setCookies, [
			clearedCookie(TOKEN), clearedCookie(DATA), clearedCookie(DATA), clearedCookie("better-auth.dont_remember"),
		]);
		assert.equal(await st.db.collection("session").findOne({ token }), null);
		// Without session_data in the request: the usual three.
		const r2 = await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Origin: st.url, Cookie: tokenOnly } });
		assert.deepEqual(r2.setCookies, clearedCookies());
	});

	it("rememberMe:false: session_data without Max-Age and a 60 s cache lifetime (332)", async () => {
		const r = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW, rememberMe: false });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 3, r.setCookies.join("\n"));
		expectTokenCookie(r.setCookies[0], { maxAge: null, token: r.json().token });
		assert.equal(r.setCookies[1], dontRememberCookie());
		const { P, E } = verifyData(r.setCookies[2], { maxAge: null, token: r.json().token });
		assert.equal(E - P.updatedAt, 60e3);
	});

	it("the better-auth client keeps both cookies and reads the cached session", async () => {
		const { client, jar } = makeClient(st.url);
		const e = uniqueEmail("cc");
		const up = await client.signUp.email({ name: "CC", email: e, password: PW });
		assert.equal(up.error, null);
		assert.deepEqual(jar.names(), [TOKEN, DATA]);
		await st.db.collection("session").deleteOne({ token: up.data.token });
		const g = await client.getSession();
		assert.equal(g.data?.session?.token, up.data.token, "cache hit although the row is gone");
		const g2 = await client.getSession({ query: { disableCookieCache: true } });
		assert.equal(g2.data, null);
		assert.deepEqual(jar.names(), []);
	});
});

describe(`cookie cache, maxAge 2 [${TARGET}]`, () => {
	let st;
	before(async () => { st = await stack("cache2", { FCGI_AUTH_COOKIE_CACHE_MAX_AGE: "2" }); });

	it("after maxAge the cache is stale: session_data expired and re-issued from the database (321); a revoked session then ends", async () => {
		const email = uniqueEmail("short");
		const up = await postJSON(st.url, "/api/auth/sign-up/email", { name: "S", email, password: PW });
		assert.equal(up.status, 200, up.body);
		const a = verifyData(up.setCookies[1], { maxAge: 2 });
		const live = pair(up.setCookies);
		const inn = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW });
		const revoked = pair(inn.setCookies);
		const b = verifyData(inn.setCookies[1], { maxAge: 2 });
		await st.db.collection("session").deleteOne({ token: inn.json().token });

		const hit = await request(st.url, "/api/auth/get-session", { headers: { Cookie: revoked } });
		if (Date.now() < b.E - 100) {
			assert.equal(hit.json()?.session?.token, inn.json().token, "cache hit before maxAge");
			assert.deepEqual(hit.setCookies, []);
		}

		const wait = Math.max(a.E, b.E) + 300 - Date.now();
		if (wait > 0) await sleep(wait);

		const stale = await request(st.url, "/api/auth/get-session", { headers: { Cookie: live } });
		assert.equal(stale.status, 200);
		assert.deepEqual(Object.keys(stale.json().session), SESSION_KEYS, "database path after maxAge");
		assert.equal(stale.setCookies.length, 2, stale.setCookies.join("\n"));
		assert.equal(stale.setCookies[0], clearedCookie(DATA));
		const fresh = verifyData(stale.setCookies[1], { maxAge: 2, token: up.json().token });
		assert.ok(fresh.E > a.E);

		const gone = await request(st.url, "/api/auth/get-session", { headers: { Cookie: revoked } });
		expectJson(gone, 200, "null");
		assert.deepEqual(gone.setCookies, [
			clearedCookie(TOKEN), clearedCookie(DATA), clearedCookie(DATA), clearedCookie("better-auth.dont_remember"),
		]);
	});
});
