// CSRF: every state-changing POST/PATCH that carries a cookie must come with
// a trusted Origin (or Referer). Without one: 403 MISSING_OR_NULL_ORIGIN; with
// a foreign one: 403 INVALID_ORIGIN; and the database is left as it was.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, mongo, dbName, request, postJSON, uniqueEmail, counts, applySchema } from "../lib/stack.mjs";
import { expectError, ERR } from "../lib/expect.mjs";

const PW = "correct horse battery staple";
let ferret, srv, db, s;

before(async () => {
	ferret = await startFerret();
	const name = dbName("sec_csrf");
	applySchema(ferret.uri, name);
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	db = await mongo(name, ferret.uri);
	const email = uniqueEmail("csrf");
	const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Csrf", email, password: PW });
	assert.equal(r.status, 200, r.body);
	s = { email, token: r.json().token, userId: r.json().user.id, cookie: r.setCookies[0].split(";")[0] };
	const me = await request(srv.url, "/api/user/me", { headers: { Cookie: s.cookie } });
	assert.equal(me.status, 200, me.body);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

/** Every collection's documents, for before/after comparison. */
async function state() {
	const out = {};
	for (const c of ["user", "account", "session", "users", "profiles"]) {
		out[c] = await db.collection(c).find({}).sort({ _id: 1 }).toArray();
	}
	return out;
}

const endpoints = () => [
	["POST", "/api/auth/sign-out", undefined],
	["POST", "/api/auth/sign-in/email", { email: s.email, password: PW }],
	["POST", "/api/auth/sign-up/email", { name: "New", email: uniqueEmail("csrfnew"), password: PW }],
	["POST", "/api/auth/sync-user", {}],
	["PATCH", "/api/user/me", { bio: "pwned by CSRF", address: { city: "Evil" } }],
];

function send(method, p, body, headers) {
	return request(srv.url, p, {
		method, headers: { Cookie: s.cookie, ...(body === undefined ? {} : { "Content-Type": "application/json" }), ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
}

describe("cookie-bearing state changes need a trusted origin", () => {
	it("no Origin and no Referer: 403 MISSING_OR_NULL_ORIGIN, nothing changed", async () => {
		const before = await state();
		for (const [method, p, body] of endpoints()) {
			for (const headers of [{}, { Origin: "null" }, { Referer: "null" }, { Origin: "" }]) {
				const r = await send(method, p, body, headers);
				try {
					expectError(r, 403, ERR.MISSING_OR_NULL_ORIGIN);
					assert.deepEqual(r.setCookies, []);
				} catch (e) { e.message = `${method} ${p} ${JSON.stringify(headers)}: ${e.message}`; throw e; }
			}
		}
		assert.deepEqual(await state(), before, "database unchanged");
		assert.equal(await db.collection("session").countDocuments({ token: s.token }), 1, "session survives the refused sign-out");
	});

	it("a foreign Origin or Referer: 403 INVALID_ORIGIN, nothing changed", async () => {
		const before = await state();
		const u = new URL(srv.url);
		const foreign = [
			{ Origin: "https://evil.example" },
			{ Origin: `http://evil.example:${u.port}` },
			{ Origin: `http://127.0.0.1:${Number(u.port) + 1}` }, // another port is another origin
			{ Origin: `https://127.0.0.1:${u.port}` }, // another scheme
			{ Origin: `http://127.0.0.1.evil.example:${u.port}` },
			{ Origin: `http://127.0.0.1:${u.port}@evil.example` },
			{ Referer: "https://evil.example/page" },
			{ Referer: `https://evil.example/?next=${srv.url}` },
			{ Origin: "https://evil.example", Referer: `${srv.url}/` }, // Origin wins over Referer
		];
		for (const [method, p, body] of endpoints()) {
			for (const headers of foreign) {
				const r = await send(method, p, body, headers);
				try {
					expectError(r, 403, ERR.INVALID_ORIGIN);
					assert.deepEqual(r.setCookies, []);
				} catch (e) { e.message = `${method} ${p} ${JSON.stringify(headers)}: ${e.message}`; throw e; }
			}
		}
		assert.deepEqual(await state(), before, "database unchanged");
		const me = await request(srv.url, "/api/user/me", { headers: { Cookie: s.cookie } });
		assert.equal(me.status, 200);
		assert.equal(me.json().profile.bio, "", "profile unchanged");
		assert.deepEqual(me.json().profile.address, {});
	});

	it("a same-origin Referer alone is accepted (control: the checks above can pass)", async () => {
		const r = await send("PATCH", "/api/user/me", { bio: "set via same-origin referer" }, { Referer: `${srv.url}/settings` });
		assert.equal(r.status, 200, r.body);
		const me = await request(srv.url, "/api/user/me", { headers: { Cookie: s.cookie } });
		assert.equal(me.json().profile.bio, "set via same-origin referer");
	});

	it("a cross-site form navigation to sign-in without cookies is blocked (Sec-Fetch)", async () => {
		const before = await counts(db);
		const r = await request(srv.url, "/api/auth/sign-in/email", {
			method: "POST", body: `email=${encodeURIComponent(s.email)}&password=${encodeURIComponent(PW)}`,
			headers: {
				"Content-Type": "application/x-www-form-urlencoded", Origin: "https://evil.example",
				"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document",
			},
		});
		expectError(r, 403, ERR.CROSS_SITE);
		assert.deepEqual(await counts(db), before);
	});

	it("the refused sign-out really was refused: the same cookie still signs out with the right Origin", async () => {
		const r = await send("POST", "/api/auth/sign-out", undefined, { Origin: srv.url });
		assert.equal(r.status, 200, r.body);
		assert.equal(await db.collection("session").countDocuments({ token: s.token }), 0);
	});
});
