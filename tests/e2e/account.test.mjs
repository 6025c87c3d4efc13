// The account program's update-user, list-accounts, unlink-account and the
// /error page (accounts spec §3.1, §3.18, §3.19, §3.21): every exchange is
// run against ours and against the real Better Auth 1.7.25 side by side (each
// on a database of its own), and the two must agree — status, body modulo
// ids and times, Set-Cookie names and attributes in order — besides the
// spec's own expectations checked on ours.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import { startFerret, request, requireFcgiBuilt } from "../lib/stack.mjs";
import { Sides, norm, shape, cookieShape, signUp, call, same, stale } from "../lib/sides.mjs";

requireFcgiBuilt();
let ferret, all;

before(async () => { ferret = await startFerret(); all = new Sides(ferret.uri); });
after(async () => { await all?.stop(); await ferret?.stop(); });
const sides = (tag, env) => all.start(tag, env);

describe("POST /update-user", () => {
	let pair;
	before(async () => { pair = await sides("upd"); });

	it("the official client: name and image stored, session cookie re-set, our app user follows", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const r = await u.client.updateUser({ name: "Alice Liddell", image: "https://img.example/a.png" });
			const sess = await u.client.getSession();
			return { data: r.data, error: r.error, status: u.last().status, cookies: cookieShape(u.log.at(-2).setCookies),
				user: { name: sess.data.user.name, image: sess.data.user.image } };
		});
		assert.deepEqual(t.data, { status: true });
		assert.deepEqual(t.cookies, ["better-auth.session_token=<set>; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax"]);
		assert.deepEqual(t.user, { name: "Alice Liddell", image: "https://img.example/a.png" });
		const ours = pair[0];
		const u = await signUp(ours);
		await u.client.updateUser({ name: "Renamed" });
		const app = await ours.db.collection("users").findOne({ betterAuthUserId: u.id });
		assert.equal(app.name, "Renamed");
		const doc = await ours.db.collection("user").findOne({ _id: new ObjectId(u.id) });
		assert.equal(doc.name, "Renamed");
		assert.ok(doc.updatedAt > doc.createdAt);
	});

	it("the failure table and the unchecked fields, as Better Auth answers them", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const out = [];
			for (const body of ["[]", '"x"', "{}", '{"foo":1,"emailVerified":true,"id":"x"}', '{"email":"x@example.com"}',
				'{"email":1,"name":"n"}', '{"email":{}}', '{"email":true}', '{"email":"","name":"Empty email ignored"}',
				'{"email":0,"email2":1,"image":""}', '{"name":null}', '{"name":5}', '{"image":null}'])
				out.push([body, shape(await call(s, u, "POST", "/api/auth/update-user", body))]);
			const sess = await call(s, u, "GET", "/api/auth/get-session");
			out.push(["get-session", norm(sess.body)]);
			out.push(["no content-type", shape(await call(s, u, "POST", "/api/auth/update-user", '{"name":"x"}', { "Content-Type": "text/plain" }))]);
			out.push(["no cookie", shape(await request(s.url, "/api/auth/update-user", { method: "POST", headers: { "Content-Type": "application/json", Origin: s.url }, body: '{"name":"x"}' }))]);
			out.push(["foreign origin", shape(await call(s, u, "POST", "/api/auth/update-user", { name: "x" }, { Origin: "http://evil.example" }))]);
			out.push(["no origin", shape(await call(s, u, "POST", "/api/auth/update-user", { name: "x" }, { Origin: null }))]);
			await stale(s, u);
			out.push(["stale session", shape(await call(s, u, "POST", "/api/auth/update-user", { name: "Old" }))]);
			return out;
		});
		const m = Object.fromEntries(t);
		assert.equal(m["[]"].body, '{"message":"[body] Invalid input: expected record, received array","code":"VALIDATION_ERROR"}');
		assert.equal(m['"x"'].body, '{"message":"[body] Invalid input: expected record, received string","code":"VALIDATION_ERROR"}');
		assert.equal(m["{}"].body, '{"message":"No fields to update"}');
		assert.equal(m['{"foo":1,"emailVerified":true,"id":"x"}'].status, 400);
		for (const k of ['{"email":"x@example.com"}', '{"email":1,"name":"n"}', '{"email":{}}', '{"email":true}'])
			assert.equal(m[k].body, '{"message":"Email can not be updated","code":"EMAIL_CAN_NOT_BE_UPDATED"}', k);
		assert.equal(m['{"email":"","name":"Empty email ignored"}'].body, '{"status":true}');
		assert.equal(m['{"name":5}'].status, 200);
		assert.match(m["get-session"], /"user":\{"name":5,"email":"<email>","emailVerified":false,"image":null,/);
		assert.equal(m["no content-type"].status, 415);
		assert.equal(m["no cookie"].body, '{"message":"Unauthorized","code":"UNAUTHORIZED"}');
		assert.equal(m["foreign origin"].body, '{"message":"Invalid origin","code":"INVALID_ORIGIN"}');
		assert.equal(m["no origin"].body, '{"message":"Missing or null Origin","code":"MISSING_OR_NULL_ORIGIN"}');
		assert.equal(m["stale session"].body, '{"status":true}'); // update-user is not fresh-checked (1327)
	});

	it("a rememberMe=false session: session_token without Max-Age, dont_remember re-sent (1331)", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s, { rememberMe: false });
			return shape(await call(s, u, "POST", "/api/auth/update-user", { name: "Dora" }));
		});
		assert.deepEqual(t.cookies, [
			"better-auth.session_token=<set>; Path=/; HttpOnly; SameSite=Lax",
			"better-auth.dont_remember=<set>; Path=/; HttpOnly; SameSite=Lax",
		]);
	});
});

describe("POST /update-user with the cookie cache on (§2.4)", () => {
	let pair;
	before(async () => { pair = await sides("updcc", { FCGI_AUTH_COOKIE_CACHE: "1" }); });

	it("from the store: session_data, session_token, session_data; from the cache: no first session_data", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const cached = shape(await call(s, u, "POST", "/api/auth/update-user", { name: "Cached" }));
			u.jar.store([]);
			const fromCache = await call(s, u, "GET", "/api/auth/get-session");
			const c = u.jar.header().split("; ").filter((kv) => !kv.startsWith("better-auth.session_data=")).join("; ");
			const fromStore = shape(await request(s.url, "/api/auth/update-user", { method: "POST",
				headers: { Cookie: c, Origin: s.url, "Content-Type": "application/json" }, body: '{"name":"Stored"}' }));
			return { cached, fromStore, name: JSON.parse(fromCache.body).user.name };
		});
		assert.equal(t.name, "Alice"); // the cache answered (sign-up's session_data)
		assert.deepEqual(t.cached.cookies.map((c) => c.split("=")[0]), ["better-auth.session_token", "better-auth.session_data"]);
		assert.deepEqual(t.fromStore.cookies.map((c) => c.split("=")[0]),
			["better-auth.session_data", "better-auth.session_token", "better-auth.session_data"]);
	});

	it("the new session_data carries the new name", async () => {
		const ours = pair[0];
		const u = await signUp(ours);
		const r = await call(ours, u, "POST", "/api/auth/update-user", { name: "Fresh Name" });
		u.jar.store(r.setCookies);
		const s = await call(ours, u, "GET", "/api/auth/get-session");
		assert.equal(JSON.parse(s.body).user.name, "Fresh Name");
	});
});

describe("GET /list-accounts and POST /unlink-account", () => {
	let pair;
	before(async () => { pair = await sides("acc"); });

	/** A second (OAuth-like) account row, as Better Auth's adapter stores one. */
	async function addGithub(s, u) {
		const _id = new ObjectId();
		await s.db.collection("account").insertOne({ accountId: "gh-12345", providerId: "github", userId: new ObjectId(u.id),
			accessToken: "secret-a", refreshToken: "secret-r", scope: "read:user, user:email,,", createdAt: new Date("2026-01-01T00:00:00Z"),
			updatedAt: new Date("2026-01-01T00:00:00Z"), _id });
		return _id.toHexString();
	}

	it("the official client lists the credential account (870), then both with scopes (875)", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const one = await u.client.listAccounts();
			await addGithub(s, u);
			const two = await call(s, u, "GET", "/api/auth/list-accounts");
			return { one: norm(JSON.stringify(one.data)), two: shape(two), id: one.data[0].userId === u.id && one.data[0].accountId === u.id };
		});
		assert.equal(t.one, '[{"accountId":"<id>","providerId":"credential","userId":"<id>","createdAt":"<date>","updatedAt":"<date>","id":"<id>","scopes":[]}]');
		assert.equal(t.id, true);
		assert.equal(t.two.body, '[{"accountId":"<id>","providerId":"credential","userId":"<id>","createdAt":"<date>","updatedAt":"<date>","id":"<id>","scopes":[]},'
			+ '{"accountId":"gh-12345","providerId":"github","userId":"<id>","createdAt":"<date>","updatedAt":"<date>","id":"<id>","scopes":["read:user","user:email"]}]');
		assert.doesNotMatch(t.two.body, /secret/);
	});

	it("unlink: the last account first, then the row's id; the official client; the failure table", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const out = [];
			const cred = (await s.db.collection("account").findOne({ userId: new ObjectId(u.id) }))._id.toHexString();
			out.push(["last (its own id)", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: cred }))]);
			out.push(["last (unknown id)", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: "nope" }))]);
			const gh = await addGithub(s, u);
			out.push(["unknown", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: "6c0000000000000000000009" }))]);
			out.push(["by accountId", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: u.id }))]);
			out.push(["missing", shape(await call(s, u, "POST", "/api/auth/unlink-account", {}))]);
			out.push(["number", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: 5 }))]);
			out.push(["foreign origin", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: gh }, { Origin: "http://evil.example" }))]);
			out.push(["no cookie", shape(await request(s.url, "/api/auth/unlink-account", { method: "POST", headers: { "Content-Type": "application/json" }, body: '{"accountId":"x"}' }))]);
			out.push(["no cookie, no field", shape(await request(s.url, "/api/auth/unlink-account", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }))]);
			const r = await u.client.unlinkAccount({ accountId: gh });
			out.push(["client", r.data, r.error]);
			out.push(["left", await s.db.collection("account").countDocuments({ userId: new ObjectId(u.id) })]);
			await addGithub(s, u);
			await stale(s, u);
			out.push(["stale", shape(await call(s, u, "POST", "/api/auth/unlink-account", { accountId: gh }))]);
			out.push(["stale list", (await call(s, u, "GET", "/api/auth/list-accounts")).status]);
			out.push(["no cookie list", shape(await request(s.url, "/api/auth/list-accounts"))]);
			return out;
		});
		const m = Object.fromEntries(t.map(([k, ...v]) => [k, v.length === 1 ? v[0] : v]));
		const last = '{"message":"You can\'t unlink your last account","code":"FAILED_TO_UNLINK_LAST_ACCOUNT"}';
		assert.equal(m["last (its own id)"].body, last);
		assert.equal(m["last (unknown id)"].body, last);
		assert.equal(m.unknown.body, '{"message":"Account not found","code":"ACCOUNT_NOT_FOUND"}');
		assert.equal(m["by accountId"].body, '{"message":"Account not found","code":"ACCOUNT_NOT_FOUND"}');
		assert.equal(m.missing.body, '{"message":"[body.accountId] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}');
		assert.equal(m.number.body, '{"message":"[body.accountId] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}');
		assert.equal(m["foreign origin"].body, '{"message":"Invalid origin","code":"INVALID_ORIGIN"}');
		assert.equal(m["no cookie"].body, '{"message":"Unauthorized","code":"UNAUTHORIZED"}');
		assert.equal(m["no cookie, no field"].status, 400); // validation comes before the session (§3)
		assert.deepEqual(m.client, [{ status: true }, null]);
		assert.equal(m.left, 1);
		assert.equal(m.stale.body, '{"message":"Session is not fresh","code":"SESSION_NOT_FRESH"}');
		assert.equal(m["stale list"], 200); // list-accounts is not fresh-checked (1325)
		assert.equal(m["no cookie list"].status, 401);
	});
});

describe("GET /error (§3.21)", () => {
	let pair;
	before(async () => { pair = await sides("err"); });

	it("a known code is shown, anything else is UNKNOWN; the description is escaped", async () => {
		const t = await same(pair, async (s) => {
			const ok = await request(s.url, "/api/auth/error?error=INVALID_TOKEN");
			const bad = await request(s.url, "/api/auth/error?error=%3Cscript%3E&error_description=a%3Cb");
			return {
				ok: [ok.status, ok.headers["content-type"], ok.body.includes("INVALID_TOKEN")],
				bad: [bad.status, bad.headers["content-type"], bad.body.includes("UNKNOWN"), bad.body.includes("<script>"), bad.body.includes("a&lt;b")],
			};
		});
		assert.deepEqual(t, { ok: [200, "text/html", true], bad: [200, "text/html", true, false, true] });
	});
});
