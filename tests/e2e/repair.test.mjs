// A sign-up interrupted between the user insert and the account insert (the
// process killed, the store gone) must never leave an email that can neither
// sign in nor sign up again. The state such a crash leaves — a `user` document
// with no account — is written directly, then the same email signs up and in.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import { startFerret, startFcgi, mongo, dbName, postJSON, uniqueEmail, applySchema } from "../lib/stack.mjs";

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

function orphan(email, ageMs) {
	const t = new Date(Date.now() - ageMs);
	return db.collection("user").insertOne({
		_id: new ObjectId(), name: "Crashed", email, emailVerified: false, createdAt: t, updatedAt: t,
	});
}

describe("interrupted sign-up repair", () => {
	it("a user left without any account by a crash is replaced by the next sign-up", async () => {
		const email = uniqueEmail("orphan");
		await orphan(email, 120_000);
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW })).status, 401);
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Again", email, password: PW });
		assert.equal(up.status, 200, up.body);
		assert.equal(await db.collection("user").countDocuments({ email }), 1);
		const user = await db.collection("user").findOne({ email });
		assert.equal(user.name, "Again");
		assert.equal(await db.collection("account").countDocuments({ userId: user._id, providerId: "credential" }), 1);
		const inn = await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW });
		assert.equal(inn.status, 200, inn.body);
		assert.equal(inn.json().user.id, user._id.toHexString());
	});

	it("a user still being created (younger than 30 s) is left alone: 422", async () => {
		const email = uniqueEmail("inflight");
		await orphan(email, 1_000);
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "B", email, password: PW });
		assert.equal(up.status, 422);
		assert.equal(up.json().code, "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL");
		assert.equal(await db.collection("user").countDocuments({ email }), 1);
	});

	it("a user with an account of another provider is never touched: 422", async () => {
		const email = uniqueEmail("social");
		const { insertedId } = await orphan(email, 120_000);
		await db.collection("account").insertOne({
			_id: new ObjectId(), accountId: "g-123", providerId: "google", userId: insertedId,
			createdAt: new Date(), updatedAt: new Date(),
		});
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "C", email, password: PW });
		assert.equal(up.status, 422);
		assert.ok(await db.collection("user").findOne({ _id: insertedId }));
	});
});
