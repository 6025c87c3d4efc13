// Sign-up never takes over a user it did not make (issue 16.1). A `user`
// document without any account is what Better Auth itself writes for
// magic-link, email-OTP and anonymous users — real users, often verified, with
// live sessions — so a sign-up of that email answers 422 and leaves the user,
// its sessions and its other accounts untouched. Our own sign-up writes the
// credential account before the user: a crash between the two leaves an
// account nobody can reach, never an email that cannot sign up again (shown
// by writing that state directly).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import { startFerret, startFcgi, mongo, dbName, postJSON, request, uniqueEmail, signCookieValue, applySchema } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
let ferret, srv, db, name;

before(async () => {
	ferret = await startFerret();
	name = dbName("repair");
	applySchema(ferret.uri, name);
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

function accountless(email, ageMs, extra = {}) {
	const t = new Date(Date.now() - ageMs);
	return db.collection("user").insertOne({
		_id: new ObjectId(), name: "Magic", email, emailVerified: true, createdAt: t, updatedAt: t, ...extra,
	});
}

describe("sign-up and users it did not make", () => {
	it("an old account-less user (magic-link) with a live session is kept: 422, session still valid", async () => {
		const email = uniqueEmail("magic");
		const { insertedId } = await accountless(email, 3_600_000);
		const token = "M".repeat(16) + "agicLinkSession1";
		await db.collection("session").insertOne({
			_id: new ObjectId(), expiresAt: new Date(Date.now() + 86400_000), token,
			createdAt: new Date(), updatedAt: new Date(), ipAddress: "", userAgent: "", userId: insertedId,
		});
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Attacker", email, password: PW });
		assert.equal(up.status, 422, up.body);
		assert.equal(up.json().code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
		assert.deepEqual(up.setCookies, []);
		const user = await db.collection("user").findOne({ _id: insertedId });
		assert.equal(user.name, "Magic", "the user is untouched");
		assert.equal(user.emailVerified, true);
		assert.equal(await db.collection("account").countDocuments({ userId: insertedId }), 0, "no credential account was attached");
		const gs = await request(srv.url, "/api/auth/get-session", {
			headers: { Cookie: `better-auth.session_token=${signCookieValue(token)}` },
		});
		assert.equal(gs.status, 200);
		assert.equal(gs.json().user.id, insertedId.toHexString(), "the owner's session still works");
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW })).status, 401,
			"nobody can sign in as the magic-link user with a password");
	});

	it("a young account-less user is kept too: 422", async () => {
		const email = uniqueEmail("young");
		await accountless(email, 1_000);
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "B", email, password: PW });
		assert.equal(up.status, 422);
		assert.equal(await db.collection("user").countDocuments({ email }), 1);
	});

	it("a user with an account of another provider is never touched: 422", async () => {
		const email = uniqueEmail("social");
		const { insertedId } = await accountless(email, 120_000);
		await db.collection("account").insertOne({
			_id: new ObjectId(), accountId: "g-123", providerId: "google", userId: insertedId,
			createdAt: new Date(), updatedAt: new Date(),
		});
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "C", email, password: PW });
		assert.equal(up.status, 422);
		assert.ok(await db.collection("user").findOne({ _id: insertedId }));
	});

	it("what an interrupted sign-up of ours leaves (an account, no user) blocks nothing", async () => {
		const email = uniqueEmail("crash");
		const ghost = new ObjectId();
		await db.collection("account").insertOne({
			_id: new ObjectId(), accountId: ghost.toHexString(), providerId: "credential", userId: ghost,
			password: "00".repeat(16) + ":" + "00".repeat(64), createdAt: new Date(), updatedAt: new Date(),
		});
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Again", email, password: PW });
		assert.equal(up.status, 200, up.body);
		const user = await db.collection("user").findOne({ email });
		assert.notEqual(user._id.toHexString(), ghost.toHexString());
		assert.equal(await db.collection("account").countDocuments({ userId: user._id, providerId: "credential" }), 1);
		const inn = await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW });
		assert.equal(inn.status, 200, inn.body);
		assert.equal(inn.json().user.id, user._id.toHexString());
	});

	it("a sign-up losing the race for an email removes its own account", async () => {
		const email = uniqueEmail("race");
		const before = await db.collection("account").countDocuments({});
		const rs = await Promise.all([1, 2, 3, 4].map((i) => postJSON(srv.url, "/api/auth/sign-up/email", { name: `R${i}`, email, password: PW })));
		const ok = rs.filter((r) => r.status === 200);
		assert.equal(ok.length, 1, rs.map((r) => `${r.status} ${r.body}`).join("\n"));
		for (const r of rs) if (r.status !== 200) assert.equal(r.status, 422, r.body);
		assert.equal(await db.collection("user").countDocuments({ email }), ok.length);
		assert.equal(await db.collection("account").countDocuments({}), before + ok.length,
			"the losers' accounts are gone");
	});
});
