// The signed-in user's password (the `password` program): change-password and
// verify-password through the official client and raw HTTP, ours and the
// reference Better Auth 1.7.25 side by side (core §2.10; accounts spec §2.4,
// §3.2, §3.3), plus the strict rate-limit class of change-password (§2.8).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, makeClient, dbName, uniqueEmail, TARGET, HASH_RE } from "../lib/stack.mjs";
import { ERR, expectError, expectJson, expectTokenCookie, dontRememberCookie, clearedCookies, expectUser, near } from "../lib/expect.mjs";
import { PW, both, startPair, sameShape, signUp, signIn, post, getSession, ageSession, tokenOf, cookieOf } from "../lib/sidebyside.mjs";

const NEW = "password456";
const INVALID_PASSWORD = ["INVALID_PASSWORD", "Invalid password"];
const UNAUTHORIZED = ["UNAUTHORIZED", "Unauthorized"];
const NO_CREDENTIAL = ["CREDENTIAL_ACCOUNT_NOT_FOUND", "Credential account not found"];
let ferret, P, C;

before(async () => {
	ferret = await startFerret();
	[P, C] = await Promise.all([
		startPair(ferret.uri, "password"),
		startPair(ferret.uri, "password-cc", { FCGI_AUTH_COOKIE_CACHE: "1" }),
	]);
});
after(async () => {
	await P?.stop();
	await C?.stop();
	await ferret?.stop();
});

const change = (s, body, cookie, headers) => post(s, "/api/auth/change-password", body, cookie, headers);
const verify = (s, body, cookie, headers) => post(s, "/api/auth/verify-password", body, cookie, headers);

describe(`change-password [${TARGET}]`, () => {
	it("the official client changes the password: {token:null,user}, no cookie; only the new one signs in", async () => {
		const answers = await both(P, async (s) => {
			const email = uniqueEmail("cp");
			const a = makeClient(s.url);
			await a.client.signUp.email({ name: "Alice", email, password: PW });
			const other = (await signIn(s, email)).cookie;
			const before = await s.db.collection("account").findOne({});
			const { data, error } = await a.client.changePassword({ currentPassword: PW, newPassword: NEW });
			assert.equal(error, null, `${s.name}: ${JSON.stringify(error)}`);
			assert.equal(data.token, null);
			assert.equal(data.user.email, email);
			assert.deepEqual(a.last().setCookies, [], "no Set-Cookie without revokeOtherSessions");
			const acc = await s.db.collection("account").findOne({ _id: before._id });
			assert.match(acc.password, HASH_RE);
			assert.notEqual(acc.password, before.password);
			assert.ok(acc.updatedAt > before.updatedAt, "account updatedAt moves");
			assert.equal((await signIn(s, email, PW)).res.status, 401, "old password refused");
			assert.equal((await signIn(s, email, NEW)).res.status, 200, "new password works");
			assert.ok(await getSession(s, other), "other sessions stay");
			// the same password again is accepted and re-hashed with a new salt (821)
			const again = await change(s, { currentPassword: NEW, newPassword: NEW }, a.jar.header());
			assert.equal(again.status, 200);
			assert.notEqual((await s.db.collection("account").findOne({ _id: before._id })).password, acc.password);
			expectUser(again.json().user, { email });
			return again;
		});
		sameShape(answers, "change-password");
	});

	it("revokeOtherSessions: every session ends, a new one with Max-Age=604800 and its token in the body", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const other = (await signIn(s, u.email)).cookie;
			const r = await change(s, { currentPassword: PW, newPassword: NEW, revokeOtherSessions: true }, u.cookie);
			assert.equal(r.status, 200, r.body);
			assert.equal(r.setCookies.length, 1);
			const tok = expectTokenCookie(r.setCookies[0], { maxAge: 604800 });
			assert.equal(r.json().token, tok);
			assert.equal(await getSession(s, u.cookie), null, "the calling session is gone too (825)");
			assert.equal(await getSession(s, other), null);
			const fresh = await getSession(s, cookieOf(r));
			assert.equal(fresh.session.token, tok);
			assert.equal(await s.db.collection("session").countDocuments({ userId: (await s.db.collection("session").findOne({ token: tok })).userId }), 1);
			// a revoked session's cookie: 401 with the three clearing lines (826)
			const dead = await change(s, { currentPassword: NEW, newPassword: PW }, u.cookie);
			expectError(dead, 401, UNAUTHORIZED);
			assert.deepEqual(dead.setCookies, clearedCookies());
			return [r, dead];
		});
		sameShape([answers[0][0], answers[1][0]], "revoke");
		sameShape([answers[0][1], answers[1][1]], "dead cookie");
	});

	it("from a rememberMe:false session: the cookie keeps its form (no Max-Age, dont_remember re-sent), the session 7 days (1332, 1333)", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const dr = await signIn(s, u.email, PW, { rememberMe: false });
			assert.match(dr.cookie, /dont_remember=/);
			const r = await change(s, { currentPassword: PW, newPassword: NEW, revokeOtherSessions: true }, dr.cookie);
			assert.equal(r.status, 200, r.body);
			assert.equal(r.setCookies.length, 2);
			const tok = expectTokenCookie(r.setCookies[0], { maxAge: null });
			assert.equal(r.setCookies[1], dontRememberCookie());
			const row = await s.db.collection("session").findOne({ token: tok });
			near(row.expiresAt, row.createdAt.getTime() + 7 * 86400e3, 5, `${s.name}: a full expiresIn`);
			return r;
		});
		sameShape(answers, "dont_remember");
	});

	it("failure table: lengths, wrong current password, bad types, validation beats 401, origin", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const c = u.cookie;
			const long = "x".repeat(129);
			const rs = [
				await change(s, { currentPassword: "wrongpass1", newPassword: NEW }, c),
				await change(s, { currentPassword: PW, newPassword: "short" }, c),
				await change(s, { currentPassword: PW, newPassword: "1234567" }, c),
				await change(s, { currentPassword: PW, newPassword: long }, c),
				await change(s, { currentPassword: long, newPassword: NEW }, c),
				await change(s, { currentPassword: "wrong", newPassword: "short" }, c),
				await change(s, { newPassword: NEW }, c),
				await change(s, {}, c),
				await change(s, { currentPassword: 5, newPassword: null, revokeOtherSessions: "yes" }, c),
				await change(s, [], c),
				await change(s, undefined, c),
				await change(s, { currentPassword: PW, newPassword: NEW }, null),
				await change(s, { newPassword: NEW }, null),
				await change(s, { currentPassword: PW, newPassword: NEW }, c, { Origin: null }),
				await change(s, { currentPassword: PW, newPassword: NEW }, c, { Origin: "http://evil.example" }),
				await change(s, "currentPassword=a&newPassword=b", c, { "Content-Type": "application/x-www-form-urlencoded" }),
				// 128 UTF-16 units is the limit: 64 astral characters are 128 units
				await change(s, { currentPassword: PW, newPassword: "😀".repeat(65) }, c),
			];
			expectError(rs[0], 400, INVALID_PASSWORD);
			expectError(rs[1], 400, ERR.PASSWORD_TOO_SHORT);
			expectError(rs[2], 400, ERR.PASSWORD_TOO_SHORT);
			expectError(rs[3], 400, ERR.PASSWORD_TOO_LONG);
			expectError(rs[4], 400, ERR.PASSWORD_TOO_LONG);
			expectError(rs[5], 400, ERR.PASSWORD_TOO_SHORT);
			expectError(rs[6], 400, "VALIDATION_ERROR", "[body.currentPassword] Invalid input: expected string, received undefined");
			expectError(rs[7], 400, "VALIDATION_ERROR", "[body.newPassword] Invalid input: expected string, received undefined; [body.currentPassword] Invalid input: expected string, received undefined");
			expectError(rs[8], 400, "VALIDATION_ERROR", "[body.newPassword] Invalid input: expected string, received null; [body.currentPassword] Invalid input: expected string, received number; [body.revokeOtherSessions] Invalid input: expected boolean, received string");
			expectError(rs[9], 400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received array");
			expectError(rs[10], 400, "VALIDATION_ERROR", "[body] Invalid input: expected object, received undefined");
			expectError(rs[11], 401, UNAUTHORIZED);
			expectError(rs[12], 400, "VALIDATION_ERROR", "[body.currentPassword] Invalid input: expected string, received undefined");
			expectError(rs[13], 403, ERR.MISSING_OR_NULL_ORIGIN);
			expectError(rs[14], 403, ERR.INVALID_ORIGIN);
			assert.equal(rs[15].status, 415);
			expectError(rs[16], 400, ERR.PASSWORD_TOO_LONG);
			// nothing changed: the old password still signs in
			assert.equal((await signIn(s, u.email, PW)).res.status, 200);
			return rs;
		});
		answers[0].forEach((r, i) => sameShape([r, answers[1][i]], `change-password failure ${i}`));
	});

	it("a stale session may change the password (218); no credential account is 400 before any hash (888)", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			await ageSession(s, tokenOf(u.cookie), 3 * 86400);
			const ok = await change(s, { currentPassword: PW, newPassword: NEW }, u.cookie);
			assert.equal(ok.status, 200, ok.body);
			await s.db.collection("account").deleteMany({});
			const none = await change(s, { currentPassword: NEW, newPassword: PW }, u.cookie);
			expectError(none, 400, NO_CREDENTIAL);
			return [ok, none];
		});
		sameShape([answers[0][0], answers[1][0]], "stale");
		sameShape([answers[0][1], answers[1][1]], "no account");
	});

	it("with the cookie cache on: session_data, session_token, session_data (1355)", async () => {
		const answers = await both(C, async (s) => {
			const u = await signUp(s);
			assert.match(u.cookie, /session_data=/);
			const r = await change(s, { currentPassword: PW, newPassword: NEW, revokeOtherSessions: true }, u.cookie);
			assert.equal(r.status, 200, r.body);
			assert.deepEqual(r.setCookies.map((l) => l.slice(0, l.indexOf("="))),
				["better-auth.session_data", "better-auth.session_token", "better-auth.session_data"]);
			const after = makeClient(s.url);
			after.jar.store(r.setCookies);
			assert.equal((await after.client.getSession()).data.session.token, r.json().token);
			return r;
		});
		sameShape(answers, "change-password, cookie cache");
	});
});

describe(`verify-password [${TARGET}]`, () => {
	it("right 200 {\"status\":true}, wrong 400 INVALID_PASSWORD, through the client's $fetch", async () => {
		const answers = await both(P, async (s) => {
			const a = makeClient(s.url);
			await a.client.signUp.email({ name: "A", email: uniqueEmail("vp"), password: PW });
			const ok = await a.client.$fetch("/verify-password", { method: "POST", body: { password: PW } });
			assert.deepEqual(ok.data, { status: true });
			const bad = await a.client.$fetch("/verify-password", { method: "POST", body: { password: "wrongpass" } });
			assert.equal(bad.error.status, 400);
			assert.equal(bad.error.code, "INVALID_PASSWORD");
			return [await verify(s, { password: PW }, a.jar.header()), await verify(s, { password: "nope" }, a.jar.header())];
		});
		for (const [ok, bad] of answers) {
			expectJson(ok, 200, '{"status":true}');
			expectError(bad, 400, INVALID_PASSWORD);
			assert.deepEqual(ok.setCookies, []);
		}
		sameShape([answers[0][0], answers[1][0]], "ok");
		sameShape([answers[0][1], answers[1][1]], "wrong");
	});

	it("failure table: too long, missing, bad type, no cookie, origin, no credential account; a stale session is fine (1324)", async () => {
		const answers = await both(P, async (s) => {
			const u = await signUp(s);
			const c = u.cookie;
			await ageSession(s, tokenOf(c), 2 * 86400);
			const rs = [
				await verify(s, { password: PW }, c),
				await verify(s, { password: "x".repeat(129) }, c),
				await verify(s, {}, c),
				await verify(s, { password: 12345678 }, c),
				await verify(s, { password: PW }, null),
				await verify(s, {}, null),
				await verify(s, { password: PW }, c, { Origin: "http://evil.example" }),
			];
			await s.db.collection("account").deleteMany({});
			rs.push(await verify(s, { password: PW }, c));
			expectJson(rs[0], 200, '{"status":true}');
			expectError(rs[1], 400, ERR.PASSWORD_TOO_LONG);
			expectError(rs[2], 400, "VALIDATION_ERROR", "[body.password] Invalid input: expected string, received undefined");
			expectError(rs[3], 400, "VALIDATION_ERROR", "[body.password] Invalid input: expected string, received number");
			expectError(rs[4], 401, UNAUTHORIZED);
			expectError(rs[5], 400, "VALIDATION_ERROR", "[body.password] Invalid input: expected string, received undefined");
			expectError(rs[6], 403, ERR.INVALID_ORIGIN);
			expectError(rs[7], 400, INVALID_PASSWORD);
			return rs;
		});
		answers[0].forEach((r, i) => sameShape([r, answers[1][i]], `verify-password case ${i}`));
	});
});

// Our limiter (lib/ratelimit.c) in both passes: it starts our programs itself.
describe("rate limits (ours)", () => {
	it("change-password is in the strict class (3 per window, 429 with X-Retry-After); verify-password is not", async () => {
		const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName("password-rl"), BETTER_AUTH_RATE_LIMIT: "1", FCGI_AUTH_RATE_LIMIT_WINDOW: "10" });
		srv.name = "ours";
		try {
			const u = await signUp(srv);
			const codes = [];
			for (let i = 0; i < 4; i++) codes.push((await change(srv, { currentPassword: "wrongpass", newPassword: NEW }, u.cookie)).status);
			assert.deepEqual(codes.slice(0, 3), [400, 400, 400]);
			const limited = await change(srv, { currentPassword: PW, newPassword: NEW }, u.cookie);
			expectError(limited, 429, null, "Too many requests. Please try again later.");
			assert.ok(Number(limited.headers["x-retry-after"]) > 0);
			assert.equal((await signIn(srv, u.email, PW)).res.status, 200, "the limited request changed nothing");
			for (let i = 0; i < 5; i++) expectJson(await verify(srv, { password: PW }, u.cookie), 200, '{"status":true}');
		} finally {
			await srv.stop();
		}
	});
});
