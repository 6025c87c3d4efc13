// Interop of account deletion (issue 11): ours and Better Auth 1.7.25 on the
// SAME database with the SAME secret. A user deleted on ours is gone for
// Better Auth too; one deleted on Better Auth loses its sessions, accounts
// and user row, while our app's users/profiles documents stay (Better Auth
// knows nothing of them) — the next me or sync-user with any of its cookies
// answers 401, and the documents are left for an operator to clean (README).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, startReference, mongo, dbName, makeClient, request, uniqueEmail, requireFcgiBuilt } from "../lib/stack.mjs";

requireFcgiBuilt();
const PW = "password123";
let ferret, fcgi, ref, db;

before(async () => {
	ferret = await startFerret();
	const name = dbName("interop-del");
	const env = { MONGODB_URI: ferret.uri, MONGODB_DB: name, FCGI_AUTH_DELETE_USER: "1" };
	[fcgi, ref] = await Promise.all([startFcgi(env), startReference(env)]);
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await fcgi?.stop();
	await ref?.stop();
	await ferret?.stop();
});

/** A user signed up on ours (so our app documents exist), signed in on both. */
async function user() {
	const email = uniqueEmail("x");
	const onOurs = makeClient(fcgi.url), onRef = makeClient(ref.url);
	const r = await onOurs.client.signUp.email({ email, password: PW, name: "Xavier" });
	assert.equal(r.error, null);
	assert.equal((await onRef.client.signIn.email({ email, password: PW })).error, null);
	const app = await db.collection("users").findOne({ betterAuthUserId: r.data.user.id });
	assert.ok(app, "our sign-up made the app user");
	return { email, id: r.data.user.id, onOurs, onRef, app };
}

describe("account deletion across implementations", () => {
	it("deleted on ours: Better Auth's session is dead and its sign-in fails; our app documents are gone", async () => {
		const u = await user();
		const r = await u.onOurs.client.deleteUser();
		assert.deepEqual(r.data, { success: true, message: "User deleted" });
		assert.equal((await u.onRef.client.getSession()).data, null);
		assert.equal((await makeClient(ref.url).client.signIn.email({ email: u.email, password: PW })).error?.status, 401);
		assert.equal(await db.collection("users").countDocuments({ betterAuthUserId: u.id }), 0);
		assert.equal(await db.collection("profiles").countDocuments({ userId: u.app._id }), 0);
	});

	it("deleted on Better Auth: gone for ours too; our app documents stay, and me / sync-user answer 401", async () => {
		const u = await user();
		const cookie = u.onOurs.jar.header(); // before a get-session expires it in the jar
		assert.match(cookie, /better-auth\.session_token=/);
		const r = await u.onRef.client.deleteUser();
		assert.deepEqual(r.data, { success: true, message: "User deleted" });
		assert.equal((await u.onOurs.client.getSession()).data, null);
		assert.equal((await makeClient(fcgi.url).client.signIn.email({ email: u.email, password: PW })).error?.status, 401);
		// Our app's documents: Better Auth does not know them.
		assert.equal(await db.collection("users").countDocuments({ betterAuthUserId: u.id }), 1);
		assert.equal(await db.collection("profiles").countDocuments({ userId: u.app._id }), 1);
		// The old session cookie of ours: the session is gone, so 401 and nothing is recreated.
		const me = await request(fcgi.url, "/api/user/me", { headers: { Cookie: cookie } });
		assert.equal(me.status, 401);
		const sync = await request(fcgi.url, "/api/auth/sync-user", { method: "POST", headers: { Cookie: cookie, Origin: fcgi.url, "Content-Type": "application/json" }, body: "{}" });
		assert.equal(sync.status, 401);
		assert.equal(await db.collection("users").countDocuments({ betterAuthUserId: u.id }), 1);
	});
});
