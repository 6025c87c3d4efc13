// Interoperability of the session-management and password endpoints: our
// programs and the real Better Auth 1.7.25 on the SAME database with the SAME
// secret. A password changed on either signs in on the other (the old one no
// longer); sessions made by either are listed by both; a revoke on either
// ends the session for both.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, startReference, mongo, dbName, requireFcgiBuilt } from "../lib/stack.mjs";
import { expectJson, expectError } from "../lib/expect.mjs";
import { PW, signUp, signIn, post, get, getSession, tokenOf } from "../lib/sidebyside.mjs";

const SELF = Boolean(process.env.INTEROP_SELF_TEST);
const startOurs = SELF ? startReference : startFcgi;
if (!SELF) requireFcgiBuilt();

const NEW = "password456";
let ferret, ours, ref, db;

before(async () => {
	ferret = await startFerret();
	const name = dbName("interop-sessions");
	const common = { MONGODB_URI: ferret.uri, MONGODB_DB: name };
	[ours, ref] = await Promise.all([startOurs(common), startReference(common)]);
	ours.name = "ours";
	ref.name = "reference";
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await ours?.stop();
	await ref?.stop();
	await ferret?.stop();
});

const list = async (srv, cookie) => {
	const r = await get(srv, "/api/auth/list-sessions", cookie);
	assert.equal(r.status, 200, `${srv.name} list-sessions: ${r.body}`);
	return r;
};

describe("password changes cross over", () => {
	for (const [from, to] of [["ours", "ref"], ["ref", "ours"]]) {
		it(`changed on ${from}: the new password signs in on ${to}, the old does not`, async () => {
			const A = from === "ours" ? ours : ref, B = from === "ours" ? ref : ours;
			const u = await signUp(B);
			const r = await post(A, "/api/auth/change-password", { currentPassword: PW, newPassword: NEW }, u.cookie);
			assert.equal(r.status, 200, r.body);
			assert.equal((await signIn(B, u.email, PW)).res.status, 401, `old password on ${B.name}`);
			const signed = await signIn(B, u.email, NEW);
			assert.equal(signed.res.status, 200, `new password on ${B.name}`);
			expectJson(await post(B, "/api/auth/verify-password", { password: NEW }, signed.cookie), 200, '{"status":true}');
			expectError(await post(B, "/api/auth/verify-password", { password: PW }, signed.cookie), 400, "INVALID_PASSWORD", "Invalid password");
		});

		it(`revokeOtherSessions on ${from}: ${to}'s sessions end, the new cookie works on ${to}`, async () => {
			const A = from === "ours" ? ours : ref, B = from === "ours" ? ref : ours;
			const u = await signUp(A);
			const onB = (await signIn(B, u.email)).cookie;
			const r = await post(A, "/api/auth/change-password", { currentPassword: PW, newPassword: NEW, revokeOtherSessions: true }, u.cookie);
			assert.equal(r.status, 200, r.body);
			assert.equal(await getSession(B, onB), null, `${B.name}'s session is gone`);
			const fresh = `better-auth.session_token=${r.setCookies[0].split(";")[0].split("=")[1]}`;
			assert.equal((await getSession(B, fresh)).session.token, r.json().token);
		});
	}
});

describe("sessions are shared", () => {
	it("sessions made by either are listed by both, byte for byte the same", async () => {
		const u = await signUp(ours);
		const viaRef = (await signIn(ref, u.email)).cookie;
		const other = await signUp(ref); // never listed for u
		const a = await list(ours, u.cookie), b = await list(ref, viaRef);
		assert.deepEqual(a.json().map((s) => s.token), [tokenOf(u.cookie), tokenOf(viaRef)]);
		assert.equal(a.body, b.body);
		assert.ok(!a.body.includes(tokenOf(other.cookie)));
	});

	for (const [by, on] of [["ours", "ref"], ["ref", "ours"]]) {
		it(`revoke-session on ${by} ends a session made by ${on}, for both`, async () => {
			const R = by === "ours" ? ours : ref, M = by === "ours" ? ref : ours;
			const u = await signUp(R);
			const made = (await signIn(M, u.email)).cookie;
			const stranger = await signUp(M);
			expectJson(await post(R, "/api/auth/revoke-session", { token: tokenOf(stranger.cookie) }, u.cookie), 200, '{"status":true}');
			assert.ok(await getSession(M, stranger.cookie), "another user's session is untouched");
			expectJson(await post(R, "/api/auth/revoke-session", { token: tokenOf(made) }, u.cookie), 200, '{"status":true}');
			assert.equal(await getSession(M, made), null);
			assert.equal(await getSession(R, made), null);
			assert.ok(await getSession(M, u.cookie), "the caller's session lives on");
		});

		it(`revoke-other-sessions and revoke-sessions on ${by} end ${on}'s sessions too`, async () => {
			const R = by === "ours" ? ours : ref, M = by === "ours" ? ref : ours;
			const u = await signUp(R);
			const m1 = (await signIn(M, u.email)).cookie, m2 = (await signIn(M, u.email)).cookie;
			expectJson(await post(R, "/api/auth/revoke-other-sessions", {}, u.cookie), 200, '{"status":true}');
			for (const c of [m1, m2]) assert.equal(await getSession(M, c), null);
			assert.ok(await getSession(M, u.cookie));
			const m3 = (await signIn(M, u.email)).cookie;
			expectJson(await post(R, "/api/auth/revoke-sessions", undefined, u.cookie), 200, '{"status":true}');
			for (const c of [u.cookie, m3]) {
				assert.equal(await getSession(M, c), null);
				assert.equal(await getSession(R, c), null);
			}
			assert.equal(await db.collection("session").countDocuments({ userId: (await db.collection("user").findOne({ email: u.email }))._id }), 0);
		});
	}
});
