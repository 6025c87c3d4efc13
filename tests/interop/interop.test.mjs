// Interoperability: our lighttpd/FastCGI programs and the real Better Auth 1.7.25
// on the SAME database with the SAME secret. Users, passwords, session cookies
// and cached sessions made by either must work with the other, and the documents
// each writes must have the same field names and BSON types (spec §5, §7, §9).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import {
	startFerret, startFcgi, startReference, mongo, dbName, makeClient, request, postJSON, uniqueEmail,
	requireFcgiBuilt, HASH_RE, TOKEN_RE,
} from "../lib/stack.mjs";
import { expectTokenCookie, dontRememberCookie, expectJson, clearedCookies } from "../lib/expect.mjs";

// INTEROP_SELF_TEST=1 runs the reference on both sides: a check of this file itself.
const SELF = Boolean(process.env.INTEROP_SELF_TEST);
const startOurs = SELF ? startReference : startFcgi;
if (!SELF) requireFcgiBuilt();

const PW = "password123";
let ferret;
const servers = [];
const dbs = [];

before(async () => {
	ferret = await startFerret();
});
after(async () => {
	for (const d of dbs) await d.close().catch(() => {});
	for (const s of servers) await s.stop();
	await ferret?.stop();
});

/** Both implementations on one fresh database. */
async function pair(tag, env = {}) {
	const name = dbName(tag);
	const common = { MONGODB_URI: ferret.uri, MONGODB_DB: name, ...env };
	const [fcgi, ref] = await Promise.all([startOurs(common), startReference(common)]);
	servers.push(fcgi, ref);
	const db = await mongo(name, ferret.uri);
	dbs.push(db);
	return { fcgi, ref, db };
}

// ---- raw BSON inspection: field names in stored order with their type bytes
const BSON_TYPE = { 1: "double", 2: "string", 3: "object", 4: "array", 7: "objectId", 8: "bool", 9: "date", 10: "null", 16: "int", 18: "long" };
function bsonFields(buf) {
	const out = [];
	let i = 4;
	const end = buf.readInt32LE(0) - 1;
	while (i < end) {
		const type = buf[i++];
		const z = buf.indexOf(0, i);
		const name = buf.toString("utf8", i, z);
		i = z + 1;
		out.push([name, BSON_TYPE[type] ?? `0x${type.toString(16)}`]);
		switch (type) {
			case 1: case 9: case 18: case 17: i += 8; break;
			case 2: i += 4 + buf.readInt32LE(i); break;
			case 3: case 4: i += buf.readInt32LE(i); break;
			case 7: i += 12; break;
			case 8: i += 1; break;
			case 10: break;
			case 16: i += 4; break;
			default: throw new Error(`unexpected BSON type 0x${type.toString(16)} for ${name}`);
		}
	}
	return out;
}
async function rawDoc(db, coll, filter) {
	const buf = await db.collection(coll).findOne(filter, { raw: true });
	assert.ok(buf, `${coll} document for ${JSON.stringify(filter)}`);
	return bsonFields(Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength));
}
const sorted = (fields) => [...fields].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

const EXPECTED = {
	user: [["_id", "objectId"], ["createdAt", "date"], ["email", "string"], ["emailVerified", "bool"], ["name", "string"], ["updatedAt", "date"]],
	account: [["_id", "objectId"], ["accountId", "string"], ["createdAt", "date"], ["password", "string"], ["providerId", "string"], ["updatedAt", "date"], ["userId", "objectId"]],
	session: [["_id", "objectId"], ["createdAt", "date"], ["expiresAt", "date"], ["ipAddress", "string"], ["token", "string"], ["updatedAt", "date"], ["userAgent", "string"], ["userId", "objectId"]],
};

describe("fcgi ⇄ Better Auth on one database", () => {
	let p;
	const users = {}; // kind -> { email, id, token, cookie }
	before(async () => { p = await pair("interop"); });

	it("sign-up through each implementation", async () => {
		for (const kind of ["fcgi", "ref"]) {
			const email = uniqueEmail(`Up-${kind}`).replace("up", "Up");
			const r = await postJSON(p[kind].url, "/api/auth/sign-up/email", { name: `User ${kind}`, email, password: PW }, { "User-Agent": `ua-${kind}` });
			assert.equal(r.status, 200, `${kind}: ${r.body}`);
			const token = expectTokenCookie(r.setCookies[0], { token: r.json().token });
			users[kind] = { email: email.toLowerCase(), id: r.json().user.id, token, cookie: r.setCookies[0].split(";")[0] };
		}
	});

	it("documents written by both have the same field names and BSON types", async () => {
		const by = {};
		for (const kind of ["fcgi", "ref"]) {
			const u = users[kind];
			const _id = new ObjectId(u.id);
			by[kind] = {
				user: await rawDoc(p.db, "user", { _id }),
				account: await rawDoc(p.db, "account", { userId: _id }),
				session: await rawDoc(p.db, "session", { token: u.token }),
			};
		}
		for (const coll of ["user", "account", "session"]) {
			assert.deepEqual(sorted(by.ref[coll]), EXPECTED[coll], `reference ${coll} layout (spec §9.1)`);
			assert.deepEqual(sorted(by.fcgi[coll]), sorted(by.ref[coll]), `fcgi ${coll}: field names and BSON types as Better Auth writes them`);
			assert.equal(by.fcgi[coll][0][0], "_id", `${coll}: _id first`);
		}
	});

	it("document values follow the adapter's conventions", async () => {
		for (const kind of ["fcgi", "ref"]) {
			const u = users[kind];
			const _id = new ObjectId(u.id);
			const user = await p.db.collection("user").findOne({ _id });
			assert.equal(user.email, u.email, `${kind}: email lower-case`);
			assert.equal(user.email, user.email.toLowerCase());
			assert.equal(user.emailVerified, false);
			assert.ok(user.createdAt instanceof Date && user.updatedAt instanceof Date);
			assert.equal(user.image, undefined, "image absent unless given");
			const accs = await p.db.collection("account").find({ userId: _id }).toArray();
			assert.equal(accs.length, 1, `${kind}: one credential account`);
			const a = accs[0];
			assert.ok(a._id instanceof ObjectId);
			assert.ok(a.userId instanceof ObjectId);
			assert.equal(a.accountId, u.id, "accountId = user id as a 24-hex string");
			assert.equal(a.providerId, "credential");
			assert.match(a.password, HASH_RE);
			const s = await p.db.collection("session").findOne({ token: u.token });
			assert.match(s.token, TOKEN_RE);
			assert.ok(s.userId instanceof ObjectId);
			assert.equal(s.userId.toHexString(), u.id);
			assert.ok(s.expiresAt instanceof Date);
			assert.equal(typeof s.ipAddress, "string");
			assert.equal(s.userAgent, `ua-${kind}`);
			assert.ok(Math.abs(s.expiresAt - s.createdAt - 604800e3) < 2000, `${kind}: 7-day session`);
		}
	});

	it("a user signed up through each signs in through the other", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const { client, jar } = makeClient(p[to].url);
			const r = await client.signIn.email({ email: users[from].email.toUpperCase(), password: PW });
			assert.equal(r.error, null, `${from} user via ${to}: ${JSON.stringify(r.error)}`);
			assert.equal(r.data.user.id, users[from].id);
			assert.ok(jar.has("better-auth.session_token"));
			const bad = await client.signIn.email({ email: users[from].email, password: "password124" });
			assert.equal(bad.error?.status, 401);
			assert.equal(bad.error?.code, "INVALID_EMAIL_OR_PASSWORD");
		}
	});

	it("duplicate detection sees the other's users (422)", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const r = await postJSON(p[to].url, "/api/auth/sign-up/email", { name: "Dup", email: users[from].email.toUpperCase(), password: PW });
			expectJson(r, 422, { message: "User already exists. Use another email.", code: "USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL" });
		}
	});

	it("a session cookie issued by each is accepted by the other's get-session", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const g = await request(p[to].url, "/api/auth/get-session", { headers: { Cookie: users[from].cookie } });
			assert.equal(g.status, 200);
			const b = g.json();
			assert.ok(b, `${from} cookie accepted by ${to}`);
			assert.equal(b.user.id, users[from].id);
			assert.equal(b.session.token, users[from].token);
			assert.equal(b.session.userId, users[from].id);
			assert.deepEqual(g.setCookies, []);
			// Both render the same session the same way (ipAddress aside).
			const own = (await request(p[from].url, "/api/auth/get-session", { headers: { Cookie: users[from].cookie } })).json();
			assert.deepEqual({ ...b.session, ipAddress: "" }, { ...own.session, ipAddress: "" });
			assert.deepEqual(b.user, own.user);
			assert.deepEqual(Object.keys(b.session), Object.keys(own.session));
			assert.deepEqual(Object.keys(b.user), Object.keys(own.user));
		}
	});

	it("the better-auth client moves between the two with one cookie jar", async () => {
		const a = makeClient(p.fcgi.url);
		const email = uniqueEmail("jar");
		assert.equal((await a.client.signUp.email({ name: "Jar", email, password: PW })).error, null);
		const b = makeClient(p.ref.url, { jar: a.jar });
		const g = await b.client.getSession();
		assert.equal(g.data?.user?.email, email);
		assert.equal((await b.client.signOut()).error, null);
		assert.deepEqual(a.jar.names(), []);
		assert.equal((await a.client.getSession()).data, null);
		const inn = await b.client.signIn.email({ email, password: PW });
		assert.equal(inn.error, null);
		const g2 = await a.client.getSession();
		assert.equal(g2.data?.session?.token, inn.data.token);
	});

	it("sign-out through one deletes a session issued by the other", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const inn = await postJSON(p[from].url, "/api/auth/sign-in/email", { email: users[from].email, password: PW });
			const tok = inn.json().token;
			const cookie = inn.setCookies[0].split(";")[0];
			const out = await request(p[to].url, "/api/auth/sign-out", { method: "POST", headers: { Origin: p[to].url, Cookie: cookie } });
			expectJson(out, 200, '{"success":true}');
			assert.deepEqual(out.setCookies, clearedCookies());
			assert.equal(await p.db.collection("session").findOne({ token: tok }), null, `${to} deleted ${from}'s session`);
			const g = await request(p[from].url, "/api/auth/get-session", { headers: { Cookie: cookie } });
			expectJson(g, 200, "null");
		}
	});

	it("rememberMe:false cookies (dont_remember) are honoured across implementations", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const r = await postJSON(p[from].url, "/api/auth/sign-in/email", { email: users[from].email, password: PW, rememberMe: false });
			assert.equal(r.setCookies[1], dontRememberCookie());
			const both = r.setCookies.map((c) => c.split(";")[0]).join("; ");
			const g = await request(p[to].url, "/api/auth/get-session", { headers: { Cookie: both } });
			assert.equal(g.json()?.session?.token, r.json().token);
			assert.deepEqual(g.setCookies, [], `${to} does not refresh a dont_remember session`);
			const before = await p.db.collection("session").findOne({ token: r.json().token });
			assert.ok(Math.abs(before.expiresAt - before.createdAt - 86400e3) < 2000, "1-day session");
		}
	});

	it("password hashes are interchangeable, NFKC included (§11b)", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const email = uniqueEmail(`nfkc-${from}`);
			const up = await postJSON(p[from].url, "/api/auth/sign-up/email", { name: "N", email, password: "Ｐａｓｓｗｏｒｄ１２３" });
			assert.equal(up.status, 200, up.body);
			const inn = await postJSON(p[to].url, "/api/auth/sign-in/email", { email, password: "Password123" });
			assert.equal(inn.status, 200, `${from} hash verified by ${to}: ${inn.body}`);
		}
	});
});

describe("fcgi ⇄ Better Auth with the cookie cache", () => {
	let p;
	before(async () => { p = await pair("interop_cache", { FCGI_AUTH_COOKIE_CACHE: "1" }); });

	it("session_data issued by each is a valid cache hit for the other", async () => {
		for (const [from, to] of [["fcgi", "ref"], ["ref", "fcgi"]]) {
			const email = uniqueEmail(`cache-${from}`);
			const up = await postJSON(p[from].url, "/api/auth/sign-up/email", { name: "Cache", email, password: PW });
			assert.equal(up.status, 200, up.body);
			assert.equal(up.setCookies.length, 2, up.setCookies.join("\n"));
			const both = up.setCookies.map((c) => c.split(";")[0]).join("; ");
			// With the row gone only a verified session_data can answer.
			await p.db.collection("session").deleteOne({ token: up.json().token });
			const g = await request(p[to].url, "/api/auth/get-session", { headers: { Cookie: both } });
			assert.equal(g.status, 200);
			assert.equal(g.json()?.session?.token, up.json().token, `${to} accepted ${from}'s session_data`);
			assert.deepEqual(g.setCookies, [], "cache hit: no cookies");
			assert.deepEqual(Object.keys(g.json().session), ["id", "createdAt", "updatedAt", "userId", "expiresAt", "token", "ipAddress", "userAgent"]);
			assert.deepEqual(Object.keys(g.json().user), ["id", "createdAt", "updatedAt", "email", "emailVerified", "name"]);
			// And both answer the same from the same cookie.
			const own = await request(p[from].url, "/api/auth/get-session", { headers: { Cookie: both } });
			assert.equal(own.body, g.body, "identical bytes from both implementations");
		}
	});
});
