// The signed session cookie in every spelling a client or proxy may produce:
// accepted exactly when Better Auth accepts it (decodeURIComponent when the
// value holds '%', falling back to the raw value when that throws; one pair of
// surrounding quotes removed), and get-session, /api/user/me and the
// lighttpd authorizer (/demo/whoami) always agree. Tampered, deleted and
// expired sessions.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, startReference, mongo, dbName, request, postJSON, uniqueEmail, signCookieValue, sleep } from "../lib/stack.mjs";
import { clearedCookies } from "../lib/expect.mjs";

const PW = "correct horse battery staple";
const NAME = "better-auth.session_token";
let ferret, srv, ref, db, dbname;

before(async () => {
	ferret = await startFerret();
	dbname = dbName("sec_cookies");
	// Better Auth 1.7.25 itself on the same database and secret: the oracle.
	[srv, ref] = await Promise.all([
		startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbname }),
		startReference({ MONGODB_URI: ferret.uri, MONGODB_DB: dbname }),
	]);
	db = await mongo(dbname, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ref?.stop();
	await ferret?.stop();
});

/** Better Auth's own verdict on a Cookie header: the user id, or null. */
async function betterAuth(cookieHeader) {
	const r = await request(ref.url, "/api/auth/get-session?disableRefresh=true", { headers: { Cookie: cookieHeader } });
	assert.equal(r.status, 200, `reference get-session: ${r.status} ${r.body}`);
	return r.json()?.user?.id ?? null;
}

async function signUp(url = srv.url) {
	const email = uniqueEmail("ck");
	const r = await postJSON(url, "/api/auth/sign-up/email", { name: "Cookie", email, password: PW });
	assert.equal(r.status, 200, r.body);
	const first = r.setCookies[0].split(";")[0];
	assert.ok(first.startsWith(`${NAME}=`), first);
	return { email, userId: r.json().user.id, token: r.json().token, value: first.slice(NAME.length + 1) };
}

/** What each endpoint says about a Cookie header: the user id it sees, or null. */
async function verdicts(cookieHeader, url = srv.url) {
	const headers = { Cookie: cookieHeader };
	const gs = await request(url, "/api/auth/get-session", { headers });
	assert.equal(gs.status, 200, `get-session: ${gs.status} ${gs.body}`);
	const me = await request(url, "/api/user/me", { headers });
	assert.ok(me.status === 200 || me.status === 401, `me: ${me.status} ${me.body}`);
	const who = await request(url, "/demo/whoami", { headers });
	assert.ok(who.status === 200 || who.status === 401, `whoami: ${who.status} ${who.body}`);
	return {
		getSession: gs.json()?.user?.id ?? null,
		me: me.status === 200 ? me.json().user.betterAuthUserId : null,
		whoami: who.status === 200 ? who.json().userId : null,
		responses: { gs, me, who },
	};
}

function expectAll(v, userId, what) {
	const want = { getSession: userId, me: userId, whoami: userId };
	const got = { getSession: v.getSession, me: v.me, whoami: v.whoami };
	assert.deepEqual(got, want, `${what}: every endpoint must ${userId ? "accept" : "refuse"} it`);
}

describe("session cookie encodings", () => {
	let s;
	before(async () => { s = await signUp(); });

	it("the Set-Cookie value is URL-encoded and its signature holds characters that need it", () => {
		assert.match(s.value, /%(2B|2F|3D)/, s.value);
		assert.equal(decodeURIComponent(s.value).startsWith(`${s.token}.`), true);
	});

	const accepted = {
		"URL-encoded (as set)": (v) => v,
		"raw (decoded)": (v) => decodeURIComponent(v),
		"quoted": (v) => `"${v}"`,
		"quoted raw": (v) => `"${decodeURIComponent(v)}"`,
		"lower-case escapes": (v) => v.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
		"every character escaped": (v) => [...decodeURIComponent(v)].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join(""),
	};
	for (const [what, f] of Object.entries(accepted)) {
		it(`${what}: accepted by every endpoint, as by Better Auth`, async () => {
			const header = `${NAME}=${f(s.value)}`;
			assert.equal(await betterAuth(header), s.userId, `Better Auth accepts ${what}`);
			expectAll(await verdicts(header), s.userId, what);
		});
	}

	const refused = {
		"double-encoded (%252B…)": (v) => encodeURIComponent(v),
		"bad escape (%zz appended)": (v) => `${v}%zz`,
		"truncated escape (% at the end)": (v) => `${v}%`,
		"escape of invalid UTF-8 (%FF appended)": (v) => `${v}%FF`,
		"signature without padding": (v) => v.replace(/%3D$/, ""),
		"token only, no signature": () => s.token,
		"empty": () => "",
	};
	for (const [what, f] of Object.entries(refused)) {
		it(`${what}: refused by every endpoint, as by Better Auth; nothing written`, async () => {
			const header = `${NAME}=${f(s.value)}`;
			assert.equal(await betterAuth(header), null, `Better Auth refuses ${what}`);
			const before = await db.collection("session").countDocuments({});
			const v = await verdicts(header);
			expectAll(v, null, what);
			assert.equal(v.responses.gs.body, "null");
			assert.equal(await db.collection("session").countDocuments({}), before);
		});
	}

	it("a tampered signature or token is refused (null / 401) and the session is untouched", async () => {
		const raw = decodeURIComponent(s.value);
		const dot = raw.indexOf(".");
		const sig = raw.slice(dot + 1);
		const flip = (c) => (c === "A" ? "B" : "A");
		const tampered = [
			`${s.token}.${flip(sig[0])}${sig.slice(1)}`, // signature's first character
			`${s.token}.${sig.slice(0, 20)}${flip(sig[20])}${sig.slice(21)}`,
			`${flip(s.token[0])}${s.token.slice(1)}.${sig}`, // token changed, old signature
			`${s.token}x.${sig}`,
			`${s.token}.${sig}x`,
		];
		for (const t of tampered) {
			assert.equal(await betterAuth(`${NAME}=${encodeURIComponent(t)}`), null);
			const v = await verdicts(`${NAME}=${encodeURIComponent(t)}`);
			expectAll(v, null, `tampered ${t}`);
			assert.equal(v.responses.gs.body, "null");
			assert.deepEqual(v.responses.gs.setCookies, [], "an unverifiable cookie is ignored, not cleared");
		}
		assert.equal(await db.collection("session").countDocuments({ token: s.token }), 1);
		// Signed with another secret: refused.
		expectAll(await verdicts(`${NAME}=${signCookieValue(s.token, "another-secret-0123456789abcdefghijklmn")}`), null, "other secret");
		// And still valid as issued.
		expectAll(await verdicts(`${NAME}=${s.value}`), s.userId, "original after tampering attempts");
	});

	it("the first of two session_token cookies is the one used, as Better Auth does", async () => {
		const other = await signUp();
		assert.equal(await betterAuth(`${NAME}=${s.value}; ${NAME}=${other.value}`), s.userId, "Better Auth: first wins");
		assert.equal(await betterAuth(`${NAME}=${s.value}%zz; ${NAME}=${other.value}`), null, "Better Auth: bad first");
		expectAll(await verdicts(`${NAME}=${s.value}; ${NAME}=${other.value}`), s.userId, "first wins");
		expectAll(await verdicts(`${NAME}=${other.value}; ${NAME}=${s.value}`), other.userId, "first wins (swapped)");
		// A bad first one is not skipped in favour of a good second one.
		expectAll(await verdicts(`${NAME}=${s.value}%zz; ${NAME}=${other.value}`), null, "bad first");
	});
});

describe("cookie cache (FCGI_AUTH_COOKIE_CACHE=1)", () => {
	it("a session_data cookie is bound to its session token: another user's cache never answers", async () => {
		const cached = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbname, FCGI_AUTH_COOKIE_CACHE: "1" });
		try {
			const up = async () => {
				const email = uniqueEmail("cc");
				const r = await postJSON(cached.url, "/api/auth/sign-up/email", { name: "CC", email, password: PW });
				assert.equal(r.status, 200, r.body);
				const get = (n) => r.setCookies.find((c) => c.startsWith(`better-auth.${n}=`)).split(";")[0];
				return { id: r.json().user.id, token: get("session_token"), data: get("session_data") };
			};
			const a = await up(), b = await up();
			const own = await request(cached.url, "/api/auth/get-session", { headers: { Cookie: `${a.token}; ${a.data}` } });
			assert.equal(own.json().user.id, a.id);
			const mixed = await request(cached.url, "/api/auth/get-session", { headers: { Cookie: `${a.token}; ${b.data}` } });
			assert.equal(mixed.status, 200);
			assert.equal(mixed.json().user.id, a.id, "A's token with B's session_data is A (from the database), never B");
			// B's cache alone, with no token: nothing.
			const alone = await request(cached.url, "/api/auth/get-session", { headers: { Cookie: b.data } });
			assert.equal(alone.body, "null");
			// A tampered payload (user id swapped) fails its signature: served from the database.
			const value = b.data.slice(b.data.indexOf("=") + 1);
			const json = Buffer.from(value, "base64url").toString("utf8");
			const forged = Buffer.from(json.replaceAll(b.id, a.id)).toString("base64url");
			assert.notEqual(forged, value);
			const r = await request(cached.url, "/api/auth/get-session", { headers: { Cookie: `${b.token}; better-auth.session_data=${forged}` } });
			assert.equal(r.json().user.id, b.id);
			// Once B's session row is gone, disableCookieCache=true goes to the database: null.
			// (Without it a still-valid cache answers until it expires, as in Better Auth.)
			await db.collection("session").deleteOne({ token: decodeURIComponent(b.token.split("=")[1]).split(".")[0] });
			const fresh = await request(cached.url, "/api/auth/get-session?disableCookieCache=true", { headers: { Cookie: `${b.token}; ${b.data}` } });
			assert.equal(fresh.body, "null");
		} finally {
			await cached.stop();
		}
	});
});

describe("sessions that no longer exist", () => {
	it("a cookie for a deleted session: null, 401, and the cookies are cleared", async () => {
		const s = await signUp();
		expectAll(await verdicts(`${NAME}=${s.value}`), s.userId, "before delete");
		const del = await db.collection("session").deleteOne({ token: s.token });
		assert.equal(del.deletedCount, 1);
		const v = await verdicts(`${NAME}=${s.value}`);
		expectAll(v, null, "deleted session");
		assert.equal(v.responses.gs.body, "null");
		assert.deepEqual(v.responses.gs.setCookies, clearedCookies(), "session_token, session_data, dont_remember cleared (Max-Age=0)");
		assert.equal(await db.collection("session").countDocuments({ token: s.token }), 0, "not recreated");
	});

	it("a cookie for a session whose user was deleted: null and cleared", async () => {
		const s = await signUp();
		const { ObjectId } = await import("mongodb");
		await db.collection("user").deleteOne({ _id: new ObjectId(s.userId) });
		const v = await verdicts(`${NAME}=${s.value}`);
		expectAll(v, null, "deleted user");
		assert.deepEqual(v.responses.gs.setCookies, clearedCookies());
	});

	it("an expired session (FCGI_AUTH_SESSION_EXPIRES_IN=2, 3 s later): null, cleared, the row deleted", async () => {
		const short = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbname, FCGI_AUTH_SESSION_EXPIRES_IN: "2" });
		try {
			const s = await signUp(short.url);
			const row = await db.collection("session").findOne({ token: s.token });
			assert.ok(row, "session row written");
			assert.ok(row.expiresAt.getTime() - row.createdAt.getTime() <= 2000, `expiresAt ${row.expiresAt.toISOString()}`);
			expectAll(await verdicts(`${NAME}=${s.value}`, short.url), s.userId, "fresh");
			await sleep(3000);
			const v = await verdicts(`${NAME}=${s.value}`, short.url);
			expectAll(v, null, "expired");
			assert.equal(v.responses.gs.body, "null");
			assert.deepEqual(v.responses.gs.setCookies, clearedCookies());
			assert.equal(await db.collection("session").countDocuments({ token: s.token }), 0, "expired row deleted");
		} finally {
			await short.stop();
		}
	});
});
