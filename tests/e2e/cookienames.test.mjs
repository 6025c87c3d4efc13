// Cookie names: FCGI_AUTH_COOKIE_PREFIX=synos and FCGI_AUTH_SECURE_COOKIES=1
// (spec §5.1, captures 04-cookienames). Only the exact configured name is read.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
	startFerret, startTarget, mongo, dbName, makeClient, request, postJSON, uniqueEmail, TARGET,
} from "../lib/stack.mjs";
import { expectJson, expectTokenCookie, dontRememberCookie, clearedCookies } from "../lib/expect.mjs";

let ferret;
const stacks = [];
async function stack(tag, env) {
	const name = dbName(tag);
	const server = await startTarget({ MONGODB_URI: ferret.uri, MONGODB_DB: name, ...env });
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

describe(`cookie prefix synos [${TARGET}]`, () => {
	let st, email, cookieValue, token;
	before(async () => { st = await stack("prefix", { FCGI_AUTH_COOKIE_PREFIX: "synos" }); });

	it("sign-up sets synos.session_token", async () => {
		email = uniqueEmail("pre");
		const r = await postJSON(st.url, "/api/auth/sign-up/email", { name: "Pre", email, password: PW });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 1, r.setCookies.join("\n"));
		token = expectTokenCookie(r.setCookies[0], { name: "synos.session_token", token: r.json().token });
		cookieValue = r.setCookies[0].split(";")[0].slice("synos.session_token=".length);
	});

	it("sign-in with rememberMe:false sets synos.session_token (no Max-Age) and synos.dont_remember", async () => {
		const r = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW, rememberMe: false });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 2, r.setCookies.join("\n"));
		expectTokenCookie(r.setCookies[0], { name: "synos.session_token", maxAge: null, token: r.json().token });
		assert.equal(r.setCookies[1], dontRememberCookie("synos"));
		assert.equal(r.setCookies[1], "synos.dont_remember=true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%3D; Path=/; HttpOnly; SameSite=Lax");
	});

	it("get-session reads synos.session_token and ignores better-auth.session_token (403)", async () => {
		const ok = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `synos.session_token=${cookieValue}` } });
		assert.equal(ok.status, 200);
		assert.equal(ok.json().session.token, token);
		assert.deepEqual(ok.setCookies, []);
		const ignored = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `better-auth.session_token=${cookieValue}` } });
		expectJson(ignored, 200, "null");
		assert.deepEqual(ignored.setCookies, []);
		const both = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `better-auth.session_token=garbage; synos.session_token=${cookieValue}` } });
		assert.equal(both.json().session.token, token);
	});

	it("the first of two same-named cookies wins", async () => {
		const r = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `synos.session_token=${cookieValue}; synos.session_token=garbage.x` } });
		assert.equal(r.json()?.session?.token, token);
		const r2 = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `synos.session_token=garbage; synos.session_token=${cookieValue}` } });
		expectJson(r2, 200, "null");
	});

	it("sign-out clears the synos.* cookies", async () => {
		const r = await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Origin: st.url, Cookie: `synos.session_token=${cookieValue}` } });
		expectJson(r, 200, '{"success":true}');
		assert.deepEqual(r.setCookies, clearedCookies("synos"));
		assert.deepEqual(r.setCookies, [
			"synos.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
			"synos.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
			"synos.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
		]);
		assert.equal(await st.db.collection("session").findOne({ token }), null);
	});

	it("the better-auth client works with the prefix", async () => {
		const { client, jar } = makeClient(st.url);
		const e = uniqueEmail("prec");
		assert.equal((await client.signUp.email({ name: "C", email: e, password: PW })).error, null);
		assert.deepEqual(jar.names(), ["synos.session_token"]);
		const g = await client.getSession();
		assert.equal(g.data.user.email, e);
		assert.equal((await client.signOut()).error, null);
		assert.deepEqual(jar.names(), []);
		assert.equal((await client.getSession()).data, null);
	});
});

describe(`secure cookies (__Secure- prefix) [${TARGET}]`, () => {
	let st;
	before(async () => { st = await stack("secure", { FCGI_AUTH_SECURE_COOKIES: "1" }); });

	it("names carry __Secure- and attributes carry Secure; the plain name is ignored (410–414)", async () => {
		const email = uniqueEmail("sec");
		const r = await postJSON(st.url, "/api/auth/sign-up/email", { name: "Sec", email, password: PW });
		assert.equal(r.status, 200, r.body);
		assert.equal(r.setCookies.length, 1);
		const token = expectTokenCookie(r.setCookies[0], { name: "__Secure-better-auth.session_token", secure: true });
		const value = r.setCookies[0].split(";")[0].slice("__Secure-better-auth.session_token=".length);

		const rm = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: PW, rememberMe: false });
		assert.equal(rm.setCookies.length, 2);
		expectTokenCookie(rm.setCookies[0], { name: "__Secure-better-auth.session_token", secure: true, maxAge: null });
		assert.equal(rm.setCookies[1], "__Secure-better-auth.dont_remember=true.TO3xUdjcBLjvSscD8JJxIQ76eBec5B5AVgTAtTpGCbI%3D; Path=/; HttpOnly; Secure; SameSite=Lax");

		const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `__Secure-better-auth.session_token=${value}` } });
		assert.equal(g.json().session.token, token);
		const plain = await request(st.url, "/api/auth/get-session", { headers: { Cookie: `better-auth.session_token=${value}` } });
		expectJson(plain, 200, "null");

		const out = await request(st.url, "/api/auth/sign-out", { method: "POST", headers: { Origin: st.url, Cookie: `__Secure-better-auth.session_token=${value}` } });
		expectJson(out, 200, '{"success":true}');
		assert.deepEqual(out.setCookies, clearedCookies("better-auth", true));
		assert.equal(out.setCookies[0], "__Secure-better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
	});
});
