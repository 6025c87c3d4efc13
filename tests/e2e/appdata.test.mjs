// The application's own records linked to the auth user: `users` (keyed by
// betterAuthUserId) and `profiles` (keyed by userId = users._id), created at
// sign-up, by POST /api/auth/sync-user and by the first GET /api/user/me;
// PATCH /api/user/me updates profile fields only. Identity comes only from the
// verified session cookie. Every answer is checked against the database.
//
// This feature exists only in our implementation: the file always drives
// lighttpd + build/cgi-bin (startFcgi), whatever TARGET says; the Better Auth
// reference server is started beside it on the same database for test 4.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import {
	startFerret, startFcgi, startReference, mongo, dbName, makeClient, request,
	postJSON, uniqueEmail, signCookieValue, ISO_RE, HEX24_RE, applySchema,
} from "../lib/stack.mjs";
import { ERR, expectJson, expectError } from "../lib/expect.mjs";

const PW = "correct horse battery staple";
const USER_KEYS = ["id", "betterAuthUserId", "email", "name", "createdAt", "updatedAt"];
const PROFILE_KEYS = ["id", "userId", "bio", "avatarUrl", "phoneNumber", "address", "createdAt", "updatedAt"];
const UNAUTHORIZED = { message: "Unauthorized", code: "UNAUTHORIZED" };

let ferret, srv, db, name, url;

before(async () => {
	ferret = await startFerret();
	name = dbName("appdata");
	// startFcgi does not create indexes; the race tests rely on the unique ones.
	applySchema(ferret.uri, name);
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	url = srv.url;
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

// ---------------------------------------------------------------- helpers

const users = () => db.collection("users");
const profiles = () => db.collection("profiles");

async function signUp(tag = "u", nm = "Alice", base = url) {
	const email = uniqueEmail(tag);
	const r = await postJSON(base, "/api/auth/sign-up/email", { name: nm, email, password: PW });
	assert.equal(r.status, 200, r.body);
	return { email, name: nm, authId: r.json().user.id, token: r.json().token, cookie: r.setCookies[0].split(";")[0] };
}

const getMe = (cookie, { base = url, path: p = "/api/user/me", headers = {} } = {}) =>
	request(base, p, { headers: { ...(cookie ? { Cookie: cookie } : {}), ...headers } });

const patchMe = (cookie, body, { base = url, path: p = "/api/user/me", headers = {} } = {}) =>
	request(base, p, {
		method: "PATCH", body: typeof body === "string" ? body : JSON.stringify(body),
		headers: { "Content-Type": "application/json", Origin: base, ...(cookie ? { Cookie: cookie } : {}), ...headers },
	});

const syncUser = (cookie, { base = url, path: p = "/api/auth/sync-user", headers = {}, body } = {}) =>
	request(base, p, {
		method: "POST", body,
		headers: { Origin: base, ...(cookie ? { Cookie: cookie } : {}), ...headers },
	});

/** The app records of an auth user id: { users: [...], profiles: [...] }. */
async function records(authId) {
	const us = await users().find({ betterAuthUserId: authId }).toArray();
	const ps = us.length ? await profiles().find({ userId: { $in: us.map((u) => u._id) } }).toArray() : [];
	return { users: us, profiles: ps };
}

async function deleteRecords(authId) {
	const us = await users().find({ betterAuthUserId: authId }).toArray();
	for (const u of us) await profiles().deleteMany({ userId: u._id });
	await users().deleteMany({ betterAuthUserId: authId });
	assert.deepEqual(await records(authId), { users: [], profiles: [] });
}

/** Exactly one users and one profiles doc for authId, with the right BSON types. */
async function oneEach(authId) {
	const r = await records(authId);
	assert.equal(r.users.length, 1, `one users doc for ${authId}`);
	assert.equal(r.profiles.length, 1, `one profiles doc for ${authId}`);
	const [u, p] = [r.users[0], r.profiles[0]];
	// profiles.userId is users._id, never the auth user's id (string or ObjectId).
	assert.equal(await profiles().countDocuments({ userId: { $in: [authId, new ObjectId(authId)] } }), 0,
		"no profile keyed by the auth user id");
	assert.ok(u._id instanceof ObjectId, "users._id ObjectId");
	assert.equal(typeof u.betterAuthUserId, "string", "betterAuthUserId string");
	assert.match(u.betterAuthUserId, HEX24_RE);
	assert.ok(u.createdAt instanceof Date && u.updatedAt instanceof Date, "users dates are BSON dates");
	assert.equal(typeof u.email, "string");
	assert.equal(typeof u.name, "string");
	assert.ok(p._id instanceof ObjectId, "profiles._id ObjectId");
	assert.ok(p.userId instanceof ObjectId, "profiles.userId ObjectId");
	assert.ok(p.userId.equals(u._id), "profiles.userId = users._id");
	assert.ok(p.createdAt instanceof Date && p.updatedAt instanceof Date, "profiles dates are BSON dates");
	assert.equal(typeof p.bio, "string");
	assert.ok(p.address !== null && typeof p.address === "object" && !Array.isArray(p.address), "address is a document");
	assert.ok("avatarUrl" in p && "phoneNumber" in p, "avatarUrl/phoneNumber present (null or string)");
	return { user: u, profile: p };
}

/** The answer's user/profile match the stored docs field by field, in key order. */
function matchesDocs(body, { user: u, profile: p }) {
	assert.deepEqual(Object.keys(body.user), USER_KEYS, "user key order");
	assert.deepEqual(Object.keys(body.profile), PROFILE_KEYS, "profile key order");
	assert.equal(body.user.id, u._id.toHexString());
	assert.equal(body.user.betterAuthUserId, u.betterAuthUserId);
	assert.equal(body.user.email, u.email);
	assert.equal(body.user.name, u.name);
	assert.equal(body.user.createdAt, u.createdAt.toISOString());
	assert.equal(body.user.updatedAt, u.updatedAt.toISOString());
	assert.equal(body.profile.id, p._id.toHexString());
	assert.equal(body.profile.userId, p.userId.toHexString());
	assert.equal(body.profile.bio, p.bio);
	assert.equal(body.profile.avatarUrl, p.avatarUrl);
	assert.equal(body.profile.phoneNumber, p.phoneNumber);
	assert.deepEqual(body.profile.address, p.address);
	assert.equal(body.profile.createdAt, p.createdAt.toISOString());
	assert.equal(body.profile.updatedAt, p.updatedAt.toISOString());
	for (const k of ["createdAt", "updatedAt"]) {
		assert.match(body.user[k], ISO_RE);
		assert.match(body.profile[k], ISO_RE);
	}
}

function meBody(r) {
	assert.equal(r.status, 200, r.body);
	assert.equal(r.headers["content-type"], "application/json");
	const b = r.json();
	assert.deepEqual(Object.keys(b), ["user", "profile"]);
	return b;
}

function syncBody(r) {
	assert.equal(r.status, 200, r.body);
	assert.equal(r.headers["content-type"], "application/json");
	const b = r.json();
	assert.deepEqual(Object.keys(b), ["success", "user", "profile"]);
	assert.equal(b.success, true);
	return b;
}

// ---------------------------------------------------------------- 1

describe("sign-up creates the app user and profile", () => {
	it("better-auth client: sign-up, then GET me answers the linked records with defaults", async () => {
		const { client, jar } = makeClient(url);
		const email = uniqueEmail("client");
		const up = await client.signUp.email({ name: "Client Carol", email, password: PW });
		assert.equal(up.error, null, JSON.stringify(up.error));
		const sess = await client.getSession();
		assert.equal(sess.error, null);
		const authId = sess.data.user.id;
		assert.match(authId, HEX24_RE);
		assert.equal(up.data.user.id, authId);

		// Created by the sign-up request itself, before any me/sync-user call.
		const stored = await oneEach(authId);
		assert.equal(stored.user.betterAuthUserId, authId);
		assert.equal(stored.user.email, email);
		assert.equal(stored.user.name, "Client Carol");
		assert.equal(stored.profile.bio, "");
		assert.equal(stored.profile.avatarUrl, null);
		assert.equal(stored.profile.phoneNumber, null);
		assert.deepEqual(stored.profile.address, {});
		// The documents an upsert makes (me, sync-user), field for field and type for type.
		assert.deepEqual(Object.keys(stored.user).sort(), ["_id", "betterAuthUserId", "createdAt", "email", "name", "updatedAt"]);
		assert.deepEqual(Object.keys(stored.profile).sort(),
			["_id", "address", "avatarUrl", "bio", "createdAt", "phoneNumber", "updatedAt", "userId"]);
		assert.equal(stored.user._id._bsontype, "ObjectId");
		assert.ok(stored.profile.userId.equals(stored.user._id), "profile.userId is users._id");
		for (const d of [stored.user, stored.profile]) {
			assert.ok(d.createdAt instanceof Date && d.updatedAt instanceof Date);
			assert.equal(d.createdAt.getTime(), d.updatedAt.getTime());
		}

		// GET needs no Origin.
		const b = meBody(await getMe(jar.header()));
		matchesDocs(b, stored);
		assert.equal(b.user.betterAuthUserId, authId);
		assert.equal(b.user.email, email);
		assert.equal(b.user.name, "Client Carol");
		assert.equal(b.profile.userId, b.user.id);
		assert.notEqual(b.user.id, authId, "the app user has its own _id");
		assert.equal(b.profile.bio, "");
		assert.equal(b.profile.avatarUrl, null);
		assert.equal(b.profile.phoneNumber, null);
		assert.deepEqual(b.profile.address, {});
		// GET me writes nothing more.
		assert.deepEqual(await oneEach(authId), stored);
	});
});

// ---------------------------------------------------------------- 2

describe("PATCH /api/user/me", () => {
	let u;
	before(async () => { u = await signUp("patch", "Pat"); });

	it("bio, phone and address.city round-trip; address merges field by field; null avatarUrl", async () => {
		const before = await oneEach(u.authId);
		const r1 = await patchMe(u.cookie, { bio: "Hello, I'm Pat ✓", phoneNumber: "+1 (555) 010-9999", address: { city: "Lyon" } });
		const b1 = meBody(r1);
		const s1 = await oneEach(u.authId);
		matchesDocs(b1, s1);
		assert.equal(s1.profile.bio, "Hello, I'm Pat ✓");
		assert.equal(s1.profile.phoneNumber, "+1 (555) 010-9999");
		assert.deepEqual(s1.profile.address, { city: "Lyon" });
		assert.equal(s1.profile.avatarUrl, null);
		assert.ok(s1.profile._id.equals(before.profile._id), "same profile document");
		assert.ok(s1.profile.createdAt.getTime() === before.profile.createdAt.getTime(), "createdAt kept");
		assert.ok(s1.profile.updatedAt >= before.profile.updatedAt, "updatedAt moves forward");
		assert.deepEqual(s1.user, before.user, "PATCH does not touch the users doc");

		matchesDocs(meBody(await getMe(u.cookie)), s1);

		const b2 = meBody(await patchMe(u.cookie, { address: { country: "FR" }, avatarUrl: "https://cdn.example.com:8443/a.png?size=64#x" }));
		const s2 = await oneEach(u.authId);
		matchesDocs(b2, s2);
		assert.deepEqual(s2.profile.address, { city: "Lyon", country: "FR" }, "city kept");
		assert.equal(s2.profile.avatarUrl, "https://cdn.example.com:8443/a.png?size=64#x");
		assert.equal(s2.profile.bio, "Hello, I'm Pat ✓", "bio kept");

		const b3 = meBody(await patchMe(u.cookie, { avatarUrl: null, phoneNumber: null }));
		const s3 = await oneEach(u.authId);
		matchesDocs(b3, s3);
		assert.equal(s3.profile.avatarUrl, null);
		assert.equal(s3.profile.phoneNumber, null);
		assert.deepEqual(s3.profile.address, { city: "Lyon", country: "FR" });

		// All five address fields at their limits, bio at 500 UTF-16 units
		// (250 astral characters), phone at 32, URL at 2048.
		const full = { street: "s".repeat(200), city: "c", state: "st", postalCode: "69001", country: "é".repeat(200) };
		const bio = "😀".repeat(250);
		const avatar = `http://x.example/${"a".repeat(2048 - 17)}`;
		assert.equal(avatar.length, 2048);
		const b4 = meBody(await patchMe(u.cookie, { bio, phoneNumber: "1".repeat(32), avatarUrl: avatar, address: full }));
		const s4 = await oneEach(u.authId);
		matchesDocs(b4, s4);
		assert.equal(s4.profile.bio, bio);
		assert.equal(s4.profile.avatarUrl, avatar);
		assert.deepEqual(s4.profile.address, full);
	});
});

// ---------------------------------------------------------------- 3

describe("POST /api/auth/sync-user", () => {
	it("is idempotent and copies email/name changed in the auth `user` collection", async () => {
		const u = await signUp("sync", "Sam");
		const first = await oneEach(u.authId);
		const b1 = syncBody(await syncUser(u.cookie));
		const b2 = syncBody(await syncUser(u.cookie));
		const s2 = await oneEach(u.authId);
		matchesDocs(b2, s2);
		assert.equal(b1.user.id, first.user._id.toHexString());
		assert.equal(b2.user.id, b1.user.id);
		assert.equal(b2.profile.id, b1.profile.id);
		assert.equal(b2.user.betterAuthUserId, u.authId);
		assert.equal(b2.user.createdAt, first.user.createdAt.toISOString(), "createdAt kept");

		const newEmail = uniqueEmail("renamed");
		await db.collection("user").updateOne({ _id: new ObjectId(u.authId) }, { $set: { name: "Samantha", email: newEmail } });
		// me creates only what is missing: it does not overwrite.
		const m = meBody(await getMe(u.cookie));
		assert.equal(m.user.name, "Sam");
		const b3 = syncBody(await syncUser(u.cookie));
		const s3 = await oneEach(u.authId);
		matchesDocs(b3, s3);
		assert.equal(b3.user.name, "Samantha");
		assert.equal(b3.user.email, newEmail);
		assert.equal(s3.user.name, "Samantha");
		assert.equal(s3.user.email, newEmail);
		assert.equal(b3.user.id, b1.user.id, "same app user");
		assert.ok(s3.user.updatedAt >= s2.user.updatedAt);
		assert.deepEqual(s3.profile, s2.profile, "sync-user leaves the profile alone");
		assert.equal(meBody(await getMe(u.cookie)).user.name, "Samantha");
	});

	it("recreates deleted app records", async () => {
		const u = await signUp("resync", "Rex");
		const old = await oneEach(u.authId);
		await deleteRecords(u.authId);
		const b = syncBody(await syncUser(u.cookie));
		const s = await oneEach(u.authId);
		matchesDocs(b, s);
		assert.ok(!s.user._id.equals(old.user._id), "a new app user");
		assert.equal(s.profile.bio, "");
		assert.equal(s.profile.avatarUrl, null);
		assert.equal(s.profile.phoneNumber, null);
	});

	it("without a session: 401 UNAUTHORIZED, nothing written", async () => {
		const before = [await users().countDocuments({}), await profiles().countDocuments({})];
		expectJson(await syncUser(null), 401, UNAUTHORIZED);
		expectJson(await syncUser(`better-auth.session_token=${signCookieValue("A".repeat(32))}`), 401, UNAUTHORIZED);
		expectJson(await getMe(null), 401, UNAUTHORIZED);
		expectJson(await patchMe(null, { bio: "x" }), 401, UNAUTHORIZED);
		assert.deepEqual([await users().countDocuments({}), await profiles().countDocuments({})], before);
	});
});

// ---------------------------------------------------------------- 4

describe("a user created by the reference Better Auth server", () => {
	let ref;
	before(async () => { ref = await startReference({ MONGODB_URI: ferret.uri, MONGODB_DB: name }); });
	after(async () => { await ref?.stop(); });

	it("GET me on our server with its cookie creates the records once", async () => {
		const { client, jar } = makeClient(ref.url);
		const email = uniqueEmail("ref");
		const up = await client.signUp.email({ name: "Ref Rita", email, password: PW });
		assert.equal(up.error, null, JSON.stringify(up.error));
		const authId = up.data.user.id;
		assert.deepEqual(await records(authId), { users: [], profiles: [] }, "Better Auth itself creates no app records");

		const b = meBody(await getMe(jar.header()));
		const s = await oneEach(authId);
		matchesDocs(b, s);
		// The same fields as sign-up's inserts (section 1) make.
		assert.deepEqual(Object.keys(s.user).sort(), ["_id", "betterAuthUserId", "createdAt", "email", "name", "updatedAt"]);
		assert.deepEqual(Object.keys(s.profile).sort(),
			["_id", "address", "avatarUrl", "bio", "createdAt", "phoneNumber", "updatedAt", "userId"]);
		assert.equal(b.user.betterAuthUserId, authId);
		assert.equal(b.user.email, email);
		assert.equal(b.user.name, "Ref Rita");
		assert.equal(b.profile.bio, "");
		assert.equal(b.profile.avatarUrl, null);
		assert.equal(b.profile.phoneNumber, null);
		assert.deepEqual(b.profile.address, {});

		// Again, and through sync-user: still one of each, same ids.
		const b2 = meBody(await getMe(jar.header()));
		const b3 = syncBody(await syncUser(jar.header()));
		assert.equal(b2.user.id, b.user.id);
		assert.equal(b3.user.id, b.user.id);
		assert.equal(b3.profile.id, b.profile.id);
		await oneEach(authId);
	});
});

// ---------------------------------------------------------------- 5

describe("concurrent first calls", () => {
	let srv2;
	before(async () => { srv2 = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name }); });
	after(async () => { await srv2?.stop(); });

	it("the unique indexes exist (schema-apply)", async () => {
		const ui = await users().indexes();
		const pi = await profiles().indexes();
		assert.ok(ui.some((i) => i.unique && i.key.betterAuthUserId === 1), JSON.stringify(ui));
		assert.ok(pi.some((i) => i.unique && i.key.userId === 1), JSON.stringify(pi));
	});

	// Two lighttpd instances on the same database, so two backends of each
	// endpoint really run at once (each lighttpd has one me / sync-user).
	const bases = () => [url, srv2.url];

	async function race(authId, fn) {
		const rs = await Promise.all(Array.from({ length: 50 }, (_, i) => fn(i, bases()[i % 2])));
		const bodies = rs.map((r) => { assert.equal(r.status, 200, r.body); return r.json(); });
		const s = await oneEach(authId);
		for (const b of bodies) {
			assert.equal(b.user.id, s.user._id.toHexString());
			assert.equal(b.profile.id, s.profile._id.toHexString());
			assert.equal(b.profile.userId, b.user.id);
			assert.equal(b.user.betterAuthUserId, authId);
		}
		return s;
	}

	it("50 parallel sync-user on a user without app records: one users, one profiles doc", async () => {
		const u = await signUp("race-sync", "Racer");
		await deleteRecords(u.authId);
		await race(u.authId, (i, base) => syncUser(u.cookie, { base }));
	});

	it("50 parallel first GET me: one users, one profiles doc", async () => {
		const u = await signUp("race-me", "Runner");
		await deleteRecords(u.authId);
		const s = await race(u.authId, (i, base) => getMe(u.cookie, { base }));
		assert.equal(s.profile.avatarUrl, null);
		assert.equal(s.profile.phoneNumber, null);
		assert.equal(s.profile.bio, "");
	});

	it("50 parallel mixed me / sync-user / PATCH: one of each, every PATCH applied", async () => {
		const u = await signUp("race-mix", "Mixer");
		await deleteRecords(u.authId);
		const s = await race(u.authId, (i, base) => (i % 3 === 0 ? getMe(u.cookie, { base })
			: i % 3 === 1 ? syncUser(u.cookie, { base })
				: patchMe(u.cookie, { address: { street: `n${i}` } }, { base })));
		assert.match(s.profile.address.street, /^n\d+$/);
		assert.equal(s.profile.avatarUrl, null);
		assert.equal(s.profile.phoneNumber, null);
	});
});

// ---------------------------------------------------------------- 6

describe("identity only from the session cookie", () => {
	let victim, attacker, victimBefore;
	before(async () => {
		victim = await signUp("victim", "Victor");
		attacker = await signUp("attacker", "Mallory");
		assert.equal(meBody(await patchMe(victim.cookie, { bio: "victim bio" })).profile.bio, "victim bio");
		victimBefore = await oneEach(victim.authId);
	});

	async function victimUntouched() {
		assert.deepEqual(await oneEach(victim.authId), victimBefore, "victim's records untouched");
	}

	it("no cookie + X-User-Id / X-User_Id / ?userId / body: 401 everywhere", async () => {
		const v = victim.authId, vApp = victimBefore.user._id.toHexString();
		for (const headers of [{ "X-User-Id": v }, { "X-User_Id": v }, { "X-User-Id": vApp }, { "X-Better-Auth-User-Id": v }]) {
			expectJson(await getMe(null, { headers }), 401, UNAUTHORIZED);
			expectJson(await syncUser(null, { headers }), 401, UNAUTHORIZED);
			expectJson(await patchMe(null, { bio: "pwned" }, { headers }), 401, UNAUTHORIZED);
		}
		for (const q of [`userId=${v}`, `betterAuthUserId=${v}`, `userId=${vApp}`]) {
			expectJson(await getMe(null, { path: `/api/user/me?${q}` }), 401, UNAUTHORIZED);
			expectJson(await syncUser(null, { path: `/api/auth/sync-user?${q}` }), 401, UNAUTHORIZED);
			expectJson(await patchMe(null, { bio: "pwned" }, { path: `/api/user/me?${q}` }), 401, UNAUTHORIZED);
		}
		expectJson(await syncUser(null, { body: { betterAuthUserId: v, userId: v } }), 401, UNAUTHORIZED);
		await victimUntouched();
	});

	it("forged or foreign-secret cookies are refused", async () => {
		// The victim's real token with a bad signature, unsigned, and signed with another secret.
		const bad = [
			`better-auth.session_token=${victim.token}.${encodeURIComponent("A".repeat(43) + "=")}`,
			`better-auth.session_token=${victim.token}`,
			`better-auth.session_token=${signCookieValue(victim.token, "another-secret-0123456789abcdefghij")}`,
		];
		for (const cookie of bad) {
			expectJson(await getMe(cookie), 401, UNAUTHORIZED);
			expectJson(await syncUser(cookie), 401, UNAUTHORIZED);
		}
		await victimUntouched();
	});

	it("attacker's cookie + victim id in header, query and body: acts only as the attacker", async () => {
		const v = victim.authId, vApp = victimBefore.user._id.toHexString();
		const attackerBefore = await oneEach(attacker.authId);
		const spoof = { "X-User-Id": v, "X-User_Id": v };
		const q = `?userId=${v}&betterAuthUserId=${v}&id=${vApp}`;

		const s = syncBody(await syncUser(attacker.cookie, {
			path: `/api/auth/sync-user${q}`, headers: spoof,
			body: { betterAuthUserId: v, userId: vApp, email: victim.email, name: "Victor" },
		}));
		assert.equal(s.user.betterAuthUserId, attacker.authId);
		assert.equal(s.user.id, attackerBefore.user._id.toHexString());
		assert.equal(s.user.email, attacker.email);
		assert.equal(s.user.name, "Mallory");

		const m = meBody(await getMe(attacker.cookie, { path: `/api/user/me${q}`, headers: spoof }));
		assert.equal(m.user.betterAuthUserId, attacker.authId);
		assert.equal(m.profile.id, attackerBefore.profile._id.toHexString());

		const p = meBody(await patchMe(attacker.cookie, { bio: "mallory was here" }, { path: `/api/user/me${q}`, headers: spoof }));
		assert.equal(p.user.betterAuthUserId, attacker.authId);
		assert.equal(p.profile.bio, "mallory was here");
		assert.equal((await oneEach(attacker.authId)).profile.bio, "mallory was here");
		await victimUntouched();
	});
});

// ---------------------------------------------------------------- 7

describe("PATCH refuses bad input and writes nothing", () => {
	let u, stored;
	before(async () => {
		u = await signUp("bad", "Bad Input");
		meBody(await patchMe(u.cookie, { bio: "keep me", phoneNumber: "123", address: { city: "Keep" } }));
		stored = await oneEach(u.authId);
	});

	function validation(r, field, what) {
		assert.equal(r.status, 400, `${what}: status (body ${r.body})`);
		assert.equal(r.headers["content-type"], "application/json", what);
		const b = r.json();
		assert.deepEqual(Object.keys(b), ["message", "code"], what);
		assert.equal(b.code, "VALIDATION_ERROR", what);
		const esc = field.replace(/[.$[\]]/g, "\\$&");
		assert.match(b.message, new RegExp(`^\\[body${field ? `\\.${esc}` : ""}\\] `), `${what}: ${b.message}`);
	}

	it("each field rule: 400 VALIDATION_ERROR naming the field", async () => {
		const cases = [
			[{ bio: { $gt: "" } }, "bio"],
			[{ bio: 5 }, "bio"],
			[{ bio: null }, "bio"],
			[{ bio: "x".repeat(501) }, "bio"],
			[{ bio: "😀".repeat(250) + "x" }, "bio"],
			[{ email: "x@y.z" }, "email"],
			[{ name: "New Name" }, "name"],
			[{ userId: victimLike() }, "userId"],
			[{ betterAuthUserId: victimLike() }, "betterAuthUserId"],
			[{ _id: victimLike() }, "_id"],
			[{ id: victimLike() }, "id"],
			[{ createdAt: "2020-01-01T00:00:00.000Z" }, "createdAt"],
			[{ $set: { bio: "x" } }, "$set"],
			[{ "a.b": "x" }, "a.b"],
			[{ phoneNumber: "12a" }, "phoneNumber"],
			[{ phoneNumber: 12345 }, "phoneNumber"],
			[{ phoneNumber: "1".repeat(33) }, "phoneNumber"],
			[{ phoneNumber: "+1\n555" }, "phoneNumber"],
			[{ avatarUrl: "javascript:alert(1)" }, "avatarUrl"],
			[{ avatarUrl: "javascript://example.com/%0aalert(1)" }, "avatarUrl"],
			[{ avatarUrl: "https:/example.com/a.png" }, "avatarUrl"],
			[{ avatarUrl: "ftp://example.com/a.png" }, "avatarUrl"],
			[{ avatarUrl: "data:image/png;base64,AAAA" }, "avatarUrl"],
			[{ avatarUrl: "/relative.png" }, "avatarUrl"],
			[{ avatarUrl: "https://example.com/a b.png" }, "avatarUrl"],
			[{ avatarUrl: `https://x.example/${"a".repeat(2048)}` }, "avatarUrl"],
			[{ avatarUrl: 1 }, "avatarUrl"],
			[{ avatarUrl: "" }, "avatarUrl"],
			[{ address: "Main St" }, "address"],
			[{ address: null }, "address"],
			[{ address: ["x"] }, "address"],
			[{ address: { zip: "12345" } }, "address"],
			[{ address: { $set: { city: "x" } } }, "address"],
			[{ address: { city: "c".repeat(201) } }, "address.city"],
			[{ address: { city: { $ne: null } } }, "address.city"],
			[{ address: { country: 44 } }, "address.country"],
			[{ address: { postalCode: null } }, "address.postalCode"],
		];
		for (const [body, field] of cases) validation(await patchMe(u.cookie, body), field, JSON.stringify(body).slice(0, 80));
		assert.deepEqual(await oneEach(u.authId), stored);
	});

	it("a valid field next to an invalid one is not written either", async () => {
		const cases = [
			[{ bio: "changed", email: "x@y.z" }, "email"],
			[{ bio: "changed", address: { city: "Changed", zip: "1" } }, "address"],
			[{ address: { city: "Changed", state: "s".repeat(201) } }, "address.state"],
			[{ phoneNumber: "999", avatarUrl: "javascript:alert(1)" }, "avatarUrl"],
		];
		for (const [body, field] of cases) validation(await patchMe(u.cookie, body), field, JSON.stringify(body));
		// Every problem is listed.
		const r = await patchMe(u.cookie, { bio: 1, phoneNumber: "x" });
		validation(r, "bio", "two problems");
		assert.match(r.json().message, /\[body\.phoneNumber\] /);
		assert.deepEqual(await oneEach(u.authId), stored);
	});

	it("body shape, JSON, media type and origin", async () => {
		validation(await patchMe(u.cookie, []), "", "array body");
		validation(await patchMe(u.cookie, "\"bio\""), "", "string body");
		validation(await patchMe(u.cookie, "null"), "", "null body");
		validation(await patchMe(u.cookie, {}), "", "empty object");
		for (const bad of ['{"bio":', "{bio:'x'}", '{"bio":"x",}', "not json"]) {
			expectError(await patchMe(u.cookie, bad), 400, ERR.INVALID_JSON);
		}
		const plain = await patchMe(u.cookie, '{"bio":"plain"}', { headers: { "Content-Type": "text/plain" } });
		assert.equal(plain.status, 415, plain.body);
		assert.equal(plain.json().code, "UNSUPPORTED_MEDIA_TYPE");
		const form = await patchMe(u.cookie, "bio=form", { headers: { "Content-Type": "application/x-www-form-urlencoded" } });
		assert.equal(form.status, 415, form.body);

		// Cookie-bearing PATCH / POST need a trusted Origin.
		const noOrigin = (p, m, body) => request(url, p, {
			method: m, body, headers: { Cookie: u.cookie, "Content-Type": "application/json" },
		});
		expectError(await noOrigin("/api/user/me", "PATCH", '{"bio":"csrf"}'), 403, ERR.MISSING_OR_NULL_ORIGIN);
		expectError(await noOrigin("/api/auth/sync-user", "POST", "{}"), 403, ERR.MISSING_OR_NULL_ORIGIN);
		expectError(await patchMe(u.cookie, { bio: "csrf" }, { headers: { Origin: "null" } }), 403, ERR.MISSING_OR_NULL_ORIGIN);
		expectError(await patchMe(u.cookie, { bio: "csrf" }, { headers: { Origin: "https://evil.example" } }), 403, ERR.INVALID_ORIGIN);
		expectError(await syncUser(u.cookie, { headers: { Origin: "https://evil.example" } }), 403, ERR.INVALID_ORIGIN);

		assert.deepEqual(await oneEach(u.authId), stored, "profile unchanged after every refusal");
	});

	it("duplicate keys, NUL and lone surrogates cannot smuggle a value past validation", async () => {
		for (const body of ['{"bio":"ok","bio":{"$gt":""}}', '{"bio":{"$gt":""},"bio":"ok"}',
			'{"address":{"city":"ok","city":{"$ne":1}}}', '{"phoneNumber":"123\\u0000"}',
			'{"bio":"a\\u0000b"}', '{"bio":"\\ud800"}']) {
			const r = await patchMe(u.cookie, body);
			assert.equal(r.status, 400, `${body}: ${r.body}`);
		}
		assert.deepEqual(await oneEach(u.authId), stored);
	});

	it("hostile unknown keys are named in a well-formed JSON message", async () => {
		for (const key of ['x"}', "a\nb", "<script>", "k".repeat(3000)]) {
			for (const body of [{ [key]: 1 }, { address: { [key]: "v" } }]) {
				const r = await patchMe(u.cookie, body);
				validation(r, body.address ? "address" : key, `key ${JSON.stringify(key).slice(0, 40)}`);
				assert.ok(r.json().message.includes(key), "the key is quoted verbatim");
			}
		}
		assert.deepEqual(await oneEach(u.authId), stored);
	});

	it("other methods on /api/user/me are 404", async () => {
		for (const method of ["POST", "PUT", "DELETE"]) {
			const r = await request(url, "/api/user/me", { method, headers: { Cookie: u.cookie, Origin: url } });
			assert.equal(r.status, 404, `${method}: ${r.body}`);
		}
		const g = await request(url, "/api/auth/sync-user", { headers: { Cookie: u.cookie } });
		assert.equal(g.status, 404, "GET sync-user");
		assert.deepEqual(await oneEach(u.authId), stored);
	});
});

function victimLike() { return new ObjectId().toHexString(); }

// ---------------------------------------------------------------- 8

describe("the session's user is gone", () => {
	it("auth user deleted: me, PATCH and sync-user are 401 and create nothing", async () => {
		const u = await signUp("gone", "Ghost");
		const kept = await oneEach(u.authId);
		assert.equal((await db.collection("user").deleteOne({ _id: new ObjectId(u.authId) })).deletedCount, 1);
		expectJson(await getMe(u.cookie), 401, UNAUTHORIZED);
		expectJson(await patchMe(u.cookie, { bio: "zombie" }), 401, UNAUTHORIZED);
		expectJson(await syncUser(u.cookie), 401, UNAUTHORIZED);
		assert.deepEqual(await oneEach(u.authId), kept, "existing records left as they were");

		// With the app records gone too, nothing is recreated for a deleted user.
		await deleteRecords(u.authId);
		expectJson(await getMe(u.cookie), 401, UNAUTHORIZED);
		expectJson(await syncUser(u.cookie), 401, UNAUTHORIZED);
		assert.deepEqual(await records(u.authId), { users: [], profiles: [] });
	});

	it("expired session: 401", async () => {
		const u = await signUp("expired", "Old");
		await db.collection("session").updateOne({ token: u.token }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
		expectJson(await getMe(u.cookie), 401, UNAUTHORIZED);
		expectJson(await syncUser(u.cookie), 401, UNAUTHORIZED);
	});

	it("signed out (session deleted): 401", async () => {
		const u = await signUp("out", "Outie");
		const r = await request(url, "/api/auth/sign-out", { method: "POST", headers: { Cookie: u.cookie, Origin: url } });
		assert.equal(r.status, 200, r.body);
		expectJson(await getMe(u.cookie), 401, UNAUTHORIZED);
		expectJson(await syncUser(u.cookie), 401, UNAUTHORIZED);
	});
});
