// The session-management endpoints (the `sessions` program): list-sessions,
// revoke-session, revoke-sessions, revoke-other-sessions, update-session —
// through the official client and raw HTTP, ours and the reference Better Auth
// 1.7.25 side by side (accounts spec §2, §3.4–§3.8; core §2.5–§2.8).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, makeClient, request, uniqueEmail, signCookieValue, TARGET } from "../lib/stack.mjs";
import { expectError, expectJson, expect404, clearedCookies, expectSession, SESSION_KEYS } from "../lib/expect.mjs";
import {
	PW, both, startPair, sameShape, signUp, signIn, post, get, getSession, ageSession, tokenOf,
} from "../lib/sidebyside.mjs";

const UNAUTHORIZED = ["UNAUTHORIZED", "Unauthorized"];
const NOT_FRESH = ["SESSION_NOT_FRESH", "Session is not fresh"];
let ferret, P, C;

before(async () => {
	ferret = await startFerret();
	[P, C] = await Promise.all([
		startPair(ferret.uri, "sessions"),
		// The cookie cache on and freshness off (session.freshAge 0).
		startPair(ferret.uri, "sessions-cc", { FCGI_AUTH_COOKIE_CACHE: "1", FCGI_AUTH_SESSION_FRESH_AGE: "0" }),
	]);
});
after(async () => {
	await P?.stop();
	await C?.stop();
	await ferret?.stop();
});

/** A user with n sessions on side s: { email, cookies: [first, …] }. */
async function userWith(s, n) {
	const u = await signUp(s);
	const cookies = [u.cookie];
	for (let i = 1; i < n; i++) cookies.push((await signIn(s, u.email)).cookie);
	return { ...u, cookies };
}

describe(`list-sessions [${TARGET}]`, () => {
	it("the official client lists the user's live sessions in storage order, Better Auth's keys", async () => {
		const answers = await both(P, async (s) => {
			const a = makeClient(s.url);
			const email = uniqueEmail("ls");
			await a.client.signUp.email({ name: "A", email, password: PW });
			const b = makeClient(s.url);
			await b.client.signIn.email({ email, password: PW });
			const other = makeClient(s.url); // another user: never listed
			await other.client.signUp.email({ name: "B", email: uniqueEmail("ls-other"), password: PW });
			const { data, error } = await a.client.listSessions();
			assert.equal(error, null, `${s.name}: ${JSON.stringify(error)}`);
			assert.equal(data.length, 2, s.name);
			const tokens = [tokenOf(a.jar.header()), tokenOf(b.jar.header())];
			assert.deepEqual(data.map((x) => x.token), tokens, `${s.name}: storage (creation) order`);
			const me = (await a.client.getSession()).data.user.id;
			for (const x of data) expectSession(JSON.parse(JSON.stringify(x)), { userId: me }); // the client makes Dates
			return { last: a.last(), raw: await get(s, "/api/auth/list-sessions", a.jar.header()) };
		});
		for (const { raw } of answers) assert.deepEqual(Object.keys(raw.json()[0]), SESSION_KEYS);
		sameShape(answers.map((x) => x.raw), "list-sessions");
	});

	it("expired sessions are not listed", async () => {
		await both(P, async (s) => {
			const u = await userWith(s, 3);
			await s.db.collection("session").updateOne({ token: tokenOf(u.cookies[1]) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
			const r = await get(s, "/api/auth/list-sessions", u.cookies[0]);
			assert.equal(r.status, 200);
			assert.deepEqual(r.json().map((x) => x.token), [tokenOf(u.cookies[0]), tokenOf(u.cookies[2])], s.name);
		});
	});

	it("failure table: no cookie 401, bad signature 401, stale session 403 (freshAge), wrong method 404", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const noCookie = await get(s, "/api/auth/list-sessions");
			expectError(noCookie, 401, UNAUTHORIZED);
			const badSig = await get(s, "/api/auth/list-sessions", u.cookie.replace(/\.[^.;]+$/, ".AAAA"));
			expectError(badSig, 401, UNAUTHORIZED);
			assert.deepEqual(badSig.setCookies, []);
			expect404(await post(s, "/api/auth/list-sessions", {}, u.cookie));
			await ageSession(s, tokenOf(u.cookie), 86400.5);
			const stale = await get(s, "/api/auth/list-sessions", u.cookie);
			expectError(stale, 403, NOT_FRESH);
			// a day younger than the limit is fresh
			const v = await signUp(s);
			await ageSession(s, tokenOf(v.cookie), 86399);
			assert.equal((await get(s, "/api/auth/list-sessions", v.cookie)).status, 200);
			return [noCookie, badSig, stale];
		});
		for (let i = 0; i < 3; i++) sameShape([answers[0][i], answers[1][i]], `case ${i}`);
	});

	it("FCGI_AUTH_SESSION_FRESH_AGE=0 turns freshness off; with the cookie cache the answer is the same", async () => {
		const answers = await both(C, async (s) => {
			const u = await signUp(s);
			await ageSession(s, tokenOf(u.cookie), 3 * 86400);
			const r = await get(s, "/api/auth/list-sessions", u.cookie);
			assert.equal(r.status, 200, `${s.name}: ${r.body}`);
			assert.equal(r.json().length, 1);
			return r;
		});
		sameShape(answers, "list-sessions, cookie cache");
	});
});

describe(`revoke-session [${TARGET}]`, () => {
	it("another user's token: 200 {\"status\":true} and that session stays valid", async () => {
		const answers = await both(P, async (s) => {
			const alice = await signUp(s), bob = await signUp(s);
			const before = await s.db.collection("session").countDocuments({});
			const r = await post(s, "/api/auth/revoke-session", { token: tokenOf(bob.cookie) }, alice.cookie);
			expectJson(r, 200, '{"status":true}');
			assert.deepEqual(r.setCookies, []);
			assert.equal(await s.db.collection("session").countDocuments({}), before, `${s.name}: nothing deleted`);
			assert.equal((await getSession(s, bob.cookie)).session.token, tokenOf(bob.cookie));
			assert.equal((await getSession(s, alice.cookie)).session.token, tokenOf(alice.cookie));
			return r;
		});
		sameShape(answers, "revoke-session foreign");
	});

	it("the client revokes one of the caller's other sessions; its own ends with the cookies expired", async () => {
		const answers = await both(P, async (s) => {
			const email = uniqueEmail("rs");
			const a = makeClient(s.url), b = makeClient(s.url);
			await a.client.signUp.email({ name: "A", email, password: PW });
			await b.client.signIn.email({ email, password: PW });
			const tb = tokenOf(b.jar.header());
			const { data, error } = await a.client.revokeSession({ token: tb });
			assert.equal(error, null);
			assert.deepEqual(data, { status: true });
			const r1 = a.last();
			assert.deepEqual(r1.setCookies, [], "revoking another session keeps the caller's cookies");
			assert.equal((await b.client.getSession()).data, null, `${s.name}: revoked session is gone`);
			const ta = tokenOf(a.jar.header());
			const unknown = await post(s, "/api/auth/revoke-session", { token: "doesnotexist" }, a.jar.header());
			expectJson(unknown, 200, '{"status":true}');
			await a.client.revokeSession({ token: ta });
			const r2 = a.last();
			assert.deepEqual(r2.setCookies, clearedCookies());
			assert.equal(await s.db.collection("session").countDocuments({ token: ta }), 0);
			return [unknown, { status: r2.status, headers: r2.headers, setCookies: r2.setCookies, body: '{"status":true}' }];
		});
		sameShape([answers[0][0], answers[1][0]], "unknown token");
		assert.deepEqual(answers[0][1].setCookies, answers[1][1].setCookies);
	});

	it("failure table: validation beats 401; bad types; no cookie; foreign or missing Origin; GET is 404", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const rs = [
				await post(s, "/api/auth/revoke-session", {}, u.cookie),
				await post(s, "/api/auth/revoke-session", { token: 5 }, u.cookie),
				await post(s, "/api/auth/revoke-session", { token: null }, u.cookie),
				await post(s, "/api/auth/revoke-session", [], u.cookie),
				await post(s, "/api/auth/revoke-session", {}, null),
				await post(s, "/api/auth/revoke-session", { token: "x" }, null),
				await post(s, "/api/auth/revoke-session", { token: tokenOf(u.cookie) }, u.cookie, { Origin: "http://evil.example" }),
				await post(s, "/api/auth/revoke-session", { token: tokenOf(u.cookie) }, u.cookie, { Origin: null }),
				await post(s, "/api/auth/revoke-session", "{nope", u.cookie),
				await post(s, "/api/auth/revoke-session", "token=x", u.cookie, { "Content-Type": "application/x-www-form-urlencoded" }),
			];
			expectError(rs[0], 400, "VALIDATION_ERROR", "[body.token] Invalid input: expected string, received undefined");
			expectError(rs[1], 400, "VALIDATION_ERROR", "[body.token] Invalid input: expected string, received number");
			expectError(rs[2], 400, "VALIDATION_ERROR", "[body.token] Invalid input: expected string, received null");
			expectError(rs[4], 400, "VALIDATION_ERROR", "[body.token] Invalid input: expected string, received undefined");
			expectError(rs[5], 401, UNAUTHORIZED);
			expectError(rs[6], 403, "INVALID_ORIGIN", "Invalid origin");
			expectError(rs[7], 403, "MISSING_OR_NULL_ORIGIN", "Missing or null Origin");
			assert.equal(rs[8].status, 400);
			assert.equal(rs[9].status, 415);
			// the refused requests deleted nothing
			assert.equal((await getSession(s, u.cookie)).session.token, tokenOf(u.cookie));
			expect404(await get(s, "/api/auth/revoke-session", u.cookie));
			return rs;
		});
		answers[0].forEach((r, i) => sameShape([r, answers[1][i]], `revoke-session failure ${i}`));
	});
});

describe(`revoke-sessions [${TARGET}]`, () => {
	it("the client revokes every session of the user (not another user's), cookies expired", async () => {
		const answers = await both(P, async (s) => {
			const email = uniqueEmail("rss");
			const a = makeClient(s.url), b = makeClient(s.url);
			await a.client.signUp.email({ name: "A", email, password: PW });
			await b.client.signIn.email({ email, password: PW });
			const other = await signUp(s);
			const { data, error } = await a.client.revokeSessions();
			assert.equal(error, null);
			assert.deepEqual(data, { status: true });
			assert.deepEqual(a.last().setCookies, clearedCookies());
			assert.equal((await b.client.getSession()).data, null);
			assert.equal((await getSession(s, other.cookie)).session.token, tokenOf(other.cookie), "another user's session stays");
			return a.last();
		});
		assert.deepEqual(answers[0].setCookies, answers[1].setCookies);
	});

	it("no cookie 401; with the cookie cache on, the same Set-Cookie lines as Better Auth", async () => {
		const noCookie = await both(P, (s) => post(s, "/api/auth/revoke-sessions", undefined, null));
		for (const r of noCookie) expectError(r, 401, UNAUTHORIZED);
		sameShape(noCookie, "revoke-sessions without cookie");
		const cc = await both(C, async (s) => {
			const u = await signUp(s);
			assert.match(u.cookie, /session_data=/, "sign-up set session_data");
			return post(s, "/api/auth/revoke-sessions", undefined, u.cookie);
		});
		sameShape(cc, "revoke-sessions with session_data");
	});
});

describe(`revoke-other-sessions [${TARGET}]`, () => {
	it("the client ends every other live session; the caller's stays, untouched", async () => {
		const answers = await both(P, async (s) => {
			const email = uniqueEmail("ros");
			const a = makeClient(s.url), b = makeClient(s.url), c = makeClient(s.url);
			await a.client.signUp.email({ name: "A", email, password: PW });
			await b.client.signIn.email({ email, password: PW });
			await c.client.signIn.email({ email, password: PW });
			const other = await signUp(s);
			const { data, error } = await a.client.revokeOtherSessions();
			assert.equal(error, null);
			assert.deepEqual(data, { status: true });
			assert.deepEqual(a.last().setCookies, []);
			assert.equal((await b.client.getSession()).data, null);
			assert.equal((await c.client.getSession()).data, null);
			assert.equal((await a.client.getSession()).data.session.token, tokenOf(a.jar.header()));
			assert.equal((await getSession(s, other.cookie)).session.token, tokenOf(other.cookie));
			return post(s, "/api/auth/revoke-other-sessions", {}, a.jar.header());
		});
		sameShape(answers, "revoke-other-sessions");
	});

	it("a stale session may still revoke the others (1326); no cookie 401 (855)", async () => {
		const answers = await both(P, async (s) => {
			const u = await userWith(s, 2);
			await ageSession(s, tokenOf(u.cookies[0]), 2 * 86400);
			const r = await request(s.url, "/api/auth/revoke-other-sessions", { method: "POST", headers: { Origin: s.url, Cookie: u.cookies[0] } });
			expectJson(r, 200, '{"status":true}');
			assert.equal(await getSession(s, u.cookies[1]), null);
			const none = await request(s.url, "/api/auth/revoke-other-sessions", { method: "POST" });
			expectError(none, 401, UNAUTHORIZED);
			return [r, none];
		});
		sameShape([answers[0][0], answers[1][0]], "stale");
		sameShape([answers[0][1], answers[1][1]], "no cookie");
	});

	it("20 parallel revoke-other-sessions and sign-ins of one user leave a consistent set", async () => {
		const s = P.ours;
		const u = await signUp(s);
		const caller = u.cookie;
		const jobs = [];
		for (let i = 0; i < 20; i++) {
			jobs.push(post(s, "/api/auth/revoke-other-sessions", undefined, caller));
			jobs.push(signIn(s, u.email).then((x) => x.res));
		}
		const results = await Promise.all(jobs);
		for (const r of results) assert.equal(r.status, 200, r.body);
		const rows = await s.db.collection("session").find({}).toArray();
		const mine = rows.filter((x) => String(x.userId) === u.user.id);
		assert.ok(mine.some((x) => x.token === tokenOf(caller)), "the caller's session is alive");
		// every remaining row is a valid session, and list-sessions shows exactly them
		for (const row of mine) {
			const gs = await getSession(s, `better-auth.session_token=${signCookieValue(row.token)}`);
			assert.equal(gs?.session.token, row.token);
		}
		const listed = (await get(s, "/api/auth/list-sessions", caller)).json().map((x) => x.token).sort();
		assert.deepEqual(listed, mine.map((x) => x.token).sort());
		// one more revoke leaves the caller alone
		expectJson(await post(s, "/api/auth/revoke-other-sessions", undefined, caller), 200, '{"status":true}');
		assert.deepEqual((await s.db.collection("session").find({}).toArray()).filter((x) => String(x.userId) === u.user.id).map((x) => x.token), [tokenOf(caller)]);
	});
});

describe(`update-session [${TARGET}]`, () => {
	it("without session.additionalFields every call is 400 \"No fields to update\" (865, 866); validation and 401 first", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const before = await s.db.collection("session").findOne({ token: tokenOf(u.cookie) });
			const rs = [
				await post(s, "/api/auth/update-session", {}, u.cookie),
				await post(s, "/api/auth/update-session", { device: "laptop" }, u.cookie),
				await post(s, "/api/auth/update-session", { expiresAt: "2099-01-01T00:00:00.000Z", token: "y", userId: "x" }, u.cookie),
				await post(s, "/api/auth/update-session", [], u.cookie),
				await post(s, "/api/auth/update-session", "\"x\"", u.cookie),
				await post(s, "/api/auth/update-session", "null", u.cookie),
				await post(s, "/api/auth/update-session", undefined, u.cookie),
				await post(s, "/api/auth/update-session", {}, null),
				await post(s, "/api/auth/update-session", [], null),
				await post(s, "/api/auth/update-session", {}, u.cookie, { Origin: "http://evil.example" }),
			];
			for (const i of [0, 1, 2]) expectError(rs[i], 400, null, "No fields to update");
			expectError(rs[3], 400, "VALIDATION_ERROR", "[body] Invalid input: expected record, received array");
			expectError(rs[4], 400, "VALIDATION_ERROR", "[body] Invalid input: expected record, received string");
			expectError(rs[5], 400, "VALIDATION_ERROR", "[body] Invalid input: expected record, received null");
			expectError(rs[7], 401, UNAUTHORIZED);
			expectError(rs[8], 400, "VALIDATION_ERROR", "[body] Invalid input: expected record, received array");
			expectError(rs[9], 403, "INVALID_ORIGIN", "Invalid origin");
			const afterRow = await s.db.collection("session").findOne({ token: tokenOf(u.cookie) });
			assert.deepEqual(afterRow, before, "nothing written");
			// the client's method reaches it too
			const a = makeClient(s.url);
			await a.client.signUp.email({ name: "A", email: uniqueEmail("us"), password: PW });
			const { error } = await a.client.updateSession({ device: "x" });
			assert.equal(error.status, 400);
			assert.equal(error.message, "No fields to update");
			return rs;
		});
		answers[0].forEach((r, i) => sameShape([r, answers[1][i]], `update-session case ${i}`));
	});
});
