// Bad input and request-forgery defences. Every refusal is checked for its exact
// status and body, and for writing NOTHING to the database (spec §1, §4, §10.1).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createStack, request, postJSON, counts, uniqueEmail, IS_FCGI, TARGET } from "../lib/stack.mjs";
import { ERR, SIGNUP_TYPES, expectJson, expectError, expectValidation, expectTokenCookie } from "../lib/expect.mjs";

const TRUSTED = "https://app.example.com";
let st, url, userEmail;
const PW = "password123";

before(async () => {
	st = await createStack("validation", { BETTER_AUTH_TRUSTED_ORIGINS: `${TRUSTED},http://other.trusted.test:8080` });
	url = st.url;
	userEmail = uniqueEmail("existing");
	const r = await postJSON(url, "/api/auth/sign-up/email", { name: "Existing", email: userEmail, password: PW });
	assert.equal(r.status, 200, r.body);
});
after(async () => { await st?.stop(); });

/** Run fn, then assert the user/account/session collections did not change. */
async function writesNothing(fn) {
	const before = await counts(st.db);
	await fn();
	assert.deepEqual(await counts(st.db), before, "nothing may be written to the database");
}

const up = (body, headers = {}) => postJSON(url, "/api/auth/sign-up/email", body, headers);
const inn = (body, headers = {}) => postJSON(url, "/api/auth/sign-in/email", body, headers);
const okSignup = () => ({ name: "Bob", email: uniqueEmail("bob"), password: PW });

describe(`body parsing [${TARGET}]`, () => {
	it("malformed JSON: 400 BAD_REQUEST \"Invalid JSON in request body\"", () => writesNothing(async () => {
		for (const body of ['{"name":"Bob",', "{", "not json", '{"email":"a@b.co" "password":"x"}', "[1,]", "{'a':1}"]) {
			expectError(await up(body), 400, ERR.INVALID_JSON);
			expectError(await inn(body), 400, ERR.INVALID_JSON);
		}
	}));

	it("an empty body with Content-Type application/json reads as no body (030)", () => writesNothing(async () => {
		const r = await request(url, "/api/auth/sign-up/email", { method: "POST", headers: { "Content-Type": "application/json" } });
		expectValidation(r, "[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received undefined");
	}));

	it("a body without Content-Type is not parsed (026, Node toNodeHandler behaviour)", () => writesNothing(async () => {
		const r = await request(url, "/api/auth/sign-up/email", { method: "POST", body: Buffer.from(JSON.stringify(okSignup())) });
		expectValidation(r, "[body] Invalid input: expected object, received undefined; [body] Invalid input: expected record, received undefined");
	}));

	it("unsupported media types: 415 UNSUPPORTED_MEDIA_TYPE with the raw header value", () => writesNothing(async () => {
		const body = JSON.stringify(okSignup());
		for (const ct of ["text/plain", "Text/Plain; charset=UTF-8", "application/vnd.api+json", "multipart/form-data; boundary=------------------------a090d54f1f3939e4", 'text/x-"quoted"']) {
			for (const p of ["/api/auth/sign-up/email", "/api/auth/sign-in/email"]) {
				const r = await request(url, p, { method: "POST", headers: { "Content-Type": ct }, body });
				expectError(r, 415, "UNSUPPORTED_MEDIA_TYPE", `Content-Type "${ct}" is not allowed. Allowed types: ${SIGNUP_TYPES}`);
			}
		}
		// sign-out allows only application/json (730).
		const r = await request(url, "/api/auth/sign-out", { method: "POST", headers: { "Content-Type": "text/plain" }, body: "x" });
		expectError(r, 415, "UNSUPPORTED_MEDIA_TYPE", 'Content-Type "text/plain" is not allowed. Allowed types: application/json');
	}));

	it("a body over 64 KiB is refused (413 on ours; Better Auth has no cap)", async () => {
		const pad = "x".repeat(70 * 1024);
		const email = uniqueEmail("big");
		const before = await counts(st.db);
		const r = await up({ name: "Big", email, password: PW, pad });
		if (IS_FCGI) {
			assert.equal(r.status, 413, `status ${r.status} ${r.body.slice(0, 200)}`);
			assert.deepEqual(r.setCookies, []);
			assert.deepEqual(await counts(st.db), before, "nothing written");
			assert.equal(await st.db.collection("user").findOne({ email }), null);
			// Just under the cap still works.
			const ok = await up({ name: "Big", email, password: PW, pad: "x".repeat(60 * 1024) });
			assert.equal(ok.status, 200, ok.body.slice(0, 200));
		} else {
			// Reference: accepted (unknown fields are ignored); documented difference.
			assert.equal(r.status, 200, r.body.slice(0, 200));
		}
	});
});

describe(`schema validation (zod 4 messages) [${TARGET}]`, () => {
	const E = (field, got, want = "string") => `[body.${field}] Invalid input: expected ${want}, received ${got}`;
	const signupCases = [
		[{ name: "Bob", email: { $gt: "" }, password: PW }, E("email", "object")],
		[{ name: "Bob", email: { $ne: null }, password: PW }, E("email", "object")],
		[{ name: "Bob", email: { $regularExpression: { pattern: ".*", options: "" } }, password: PW }, E("email", "object")],
		[{ name: "Bob", email: { $oid: "507f1f77bcf86cd799439011" }, password: PW }, E("email", "object")],
		[{ name: "Bob", email: uniqueEmail("d"), password: { $date: { $numberLong: "0" } } }, E("password", "object")],
		[{ name: "Bob", email: uniqueEmail("d"), password: { $date: "2020-01-01T00:00:00Z" } }, E("password", "object")],
		[{ name: { $oid: "507f1f77bcf86cd799439011" }, email: uniqueEmail("d"), password: PW }, E("name", "object")],
		[{ name: 123, email: uniqueEmail("d"), password: PW }, E("name", "number")],
		[{ name: null, email: uniqueEmail("d"), password: PW }, E("name", "null")],
		[{ name: "Bob", email: ["a@b.co"], password: PW }, E("email", "array")],
		[{ name: "Bob", email: true, password: PW }, E("email", "boolean")],
		[{ name: "Bob", email: uniqueEmail("d"), password: 12345678 }, E("password", "number")],
		[{ email: uniqueEmail("d"), password: PW }, E("name", "undefined")],
		[{ name: "Bob", password: PW }, E("email", "undefined")],
		[{ name: "Bob", email: uniqueEmail("d") }, E("password", "undefined")],
		[{}, `${E("name", "undefined")}; ${E("email", "undefined")}; ${E("password", "undefined")}`],
		[{ name: "Bob", email: uniqueEmail("d"), password: "" }, "[body.password] Too small: expected string to have >=1 characters"],
		[{ name: "Bob", email: uniqueEmail("d"), password: PW, rememberMe: "yes" }, E("rememberMe", "string", "boolean")],
		[{ name: "Bob", email: uniqueEmail("d"), password: PW, rememberMe: null }, E("rememberMe", "null", "boolean")],
		[{ name: "Bob", email: uniqueEmail("d"), password: PW, image: null }, E("image", "null")],
		[{ name: "x", email: uniqueEmail("d"), password: PW, image: 5, callbackURL: false }, `${E("image", "number")}; ${E("callbackURL", "boolean")}`],
		[{ name: "x", email: "bad" }, `[body.email] Invalid email address; ${E("password", "undefined")}`],
		[{ name: "Bob", email: " bob@example.com ", password: PW }, "[body.email] Invalid email address"],
		[[], "[body] Invalid input: expected object, received array; [body] Invalid input: expected record, received array"],
		[[{ name: "Bob" }], "[body] Invalid input: expected object, received array; [body] Invalid input: expected record, received array"],
		["null", "[body] Invalid input: expected object, received null; [body] Invalid input: expected record, received null"],
		['"str"', "[body] Invalid input: expected object, received string; [body] Invalid input: expected record, received string"],
	];
	it("sign-up: wrong types (incl. Mongo operators and Extended JSON), missing fields, bad shapes", () => writesNothing(async () => {
		for (const [body, message] of signupCases) {
			const r = await up(typeof body === "string" ? body : JSON.stringify(body));
			try { expectValidation(r, message); } catch (e) { e.message = `${JSON.stringify(body)}: ${e.message}`; throw e; }
		}
	}));

	const signinCases = [
		[{ email: { $gt: "" }, password: "x" }, E("email", "object")],
		[{ email: { $regularExpression: { pattern: ".*", options: "" } }, password: PW }, E("email", "object")],
		[{ email: { $oid: "507f1f77bcf86cd799439011" }, password: PW }, E("email", "object")],
		[{ email: "EMAIL", password: { $date: 0 } }, E("password", "object")],
		[{ email: "EMAIL", password: { $ne: "" } }, E("password", "object")],
		[{ email: "EMAIL" }, E("password", "undefined")],
		[{ password: PW }, E("email", "undefined")],
		[{}, `${E("email", "undefined")}; ${E("password", "undefined")}`],
		[{ email: "EMAIL", password: PW, rememberMe: null }, E("rememberMe", "null", "boolean")],
		[{ email: "EMAIL", password: PW, rememberMe: "false" }, E("rememberMe", "string", "boolean")],
		[{ email: "bad" }, E("password", "undefined")],
		["null", "[body] Invalid input: expected object, received null"],
		["[]", "[body] Invalid input: expected object, received array"],
	];
	it("sign-in: wrong types (incl. Mongo operators and Extended JSON), missing fields, bad shapes", () => writesNothing(async () => {
		for (const [body, message] of signinCases) {
			const b = typeof body === "string" ? body : JSON.stringify(body).replaceAll('"EMAIL"', JSON.stringify(userEmail));
			const r = await inn(b);
			try { expectValidation(r, message); } catch (e) { e.message = `${b}: ${e.message}`; throw e; }
		}
	}));

	it("a form body's rememberMe=false is the string \"false\" and fails validation", () => writesNothing(async () => {
		const r = await request(url, "/api/auth/sign-in/email", {
			method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" },
			body: `email=${encodeURIComponent(userEmail)}&password=${PW}&rememberMe=false`,
		});
		expectValidation(r, E("rememberMe", "string", "boolean"));
	}));

	it("a non-string callbackURL: 400 without code, before schema validation (703)", () => writesNothing(async () => {
		expectError(await inn({ email: true, password: 123, rememberMe: "no", callbackURL: 5 }), 400, null, "Invalid callbackURL: expected a string");
		expectError(await up({ name: 1, callbackURL: { a: 1 } }), 400, null, "Invalid callbackURL: expected a string");
	}));

	it("a repeated ?callbackURL= is an array: 400 without code, whatever its values (issue 16.10)", () => writesNothing(async () => {
		for (const q of ["callbackURL=/a&callbackURL=/b", "callbackURL=https://evil.example/&callbackURL=/ok", "callbackURL=/ok&x=1&callbackURL="]) {
			const r = await postJSON(url, `/api/auth/sign-in/email?${q}`, { email: userEmail, password: PW });
			expectError(r, 400, null, "Invalid callbackURL: expected a string");
			assert.deepEqual(r.setCookies, [], `no session for ?${q}`);
		}
		// once is still checked as a URL
		expectError(await postJSON(url, "/api/auth/sign-in/email?callbackURL=https://evil.example/", { email: userEmail, password: PW }), 403, ERR.INVALID_CALLBACK_URL);
	}));
});

describe(`handler checks [${TARGET}]`, () => {
	it("sign-in: invalid email is 400 INVALID_EMAIL (not VALIDATION_ERROR)", () => writesNothing(async () => {
		for (const email of ["bad", " " + userEmail, userEmail + " ", "a@b.c", "a..b@c.io", "ü@b.co", "a@localhost"]) {
			expectError(await inn({ email, password: PW }), 400, ERR.INVALID_EMAIL);
		}
	}));

	it("password length: sign-up 8..128 UTF-16 units, sign-in at most 128", () => writesNothing(async () => {
		expectError(await up({ name: "P", email: uniqueEmail("p"), password: "1234567" }), 400, ERR.PASSWORD_TOO_SHORT);
		expectError(await up({ name: "P", email: uniqueEmail("p"), password: "a".repeat(129) }), 400, ERR.PASSWORD_TOO_LONG);
		// 3 emoji + "a" = 7 UTF-16 code units (040); 65 emoji = 130 units (712).
		expectError(await up({ name: "P", email: uniqueEmail("p"), password: "\u{1F600}".repeat(3) + "a" }), 400, ERR.PASSWORD_TOO_SHORT);
		expectError(await up({ name: "P", email: uniqueEmail("p"), password: "\u{1F600}".repeat(65) }), 400, ERR.PASSWORD_TOO_LONG);
		expectError(await inn({ email: userEmail, password: "a".repeat(129) }), 400, ERR.PASSWORD_TOO_LONG);
		// The length check comes before the duplicate check.
		expectError(await up({ name: "P", email: userEmail, password: "short" }), 400, ERR.PASSWORD_TOO_SHORT);
	}));

	it("sign-up: emails outside the zod regex are rejected", () => writesNothing(async () => {
		for (const email of ["a..b@c.io", ".a@b.co", "a.@b.co", "a'@ex.com", "a@b.c", "a@-b.co", "ü@b.co", "a_b@c.d1", "a@localhost", "a b@c.co", "a@b.co\n"]) {
			const r = await up({ name: "E", email, password: PW });
			try { expectValidation(r, "[body.email] Invalid email address"); } catch (e) { e.message = `${JSON.stringify(email)}: ${e.message}`; throw e; }
		}
	}));

	it("sign-up: emails inside the zod regex are accepted and stored lower-case", async () => {
		const tag = Math.random().toString(36).slice(2, 8);
		for (const email of [`a${tag}@b.co`, `user+${tag}@ex.com`, `o'neil${tag}@ex.com`, `A${tag}@b-.co`, `a${tag}@xn--bcher-kva.ch`]) {
			const r = await up({ name: "E", email, password: PW });
			assert.equal(r.status, 200, `${email}: ${r.body}`);
			assert.equal(r.json().user.email, email.toLowerCase());
		}
	});

	it("passwords: 128 units and 4 emoji (8 units) are accepted; NFKC-equivalent passwords sign in", async () => {
		const e1 = uniqueEmail("p128");
		assert.equal((await up({ name: "P", email: e1, password: "b".repeat(128) })).status, 200);
		expectTokenCookie((await inn({ email: e1, password: "b".repeat(128) })).setCookies[0]);
		const e2 = uniqueEmail("emoji");
		assert.equal((await up({ name: "P", email: e2, password: "\u{1F600}".repeat(4) })).status, 200);
		assert.equal((await inn({ email: e2, password: "\u{1F600}".repeat(4) })).status, 200);
		// §11(b): the full-width password hashes as its NFKC form.
		const e3 = uniqueEmail("nfkc");
		assert.equal((await up({ name: "P", email: e3, password: "Ｐａｓｓｗｏｒｄ１２３" })).status, 200);
		assert.equal((await inn({ email: e3, password: "Password123" })).status, 200);
		assert.equal((await inn({ email: e3, password: "Ｐａｓｓｗｏｒｄ１２３" })).status, 200);
		expectError(await inn({ email: e3, password: "password123" }), 401, ERR.INVALID_EMAIL_OR_PASSWORD);
		// NFD and NFC "café-pass" hash alike.
		const e4 = uniqueEmail("nfc");
		assert.equal((await up({ name: "P", email: e4, password: "cafe\u0301-pass" })).status, 200);
		assert.equal((await inn({ email: e4, password: "caf\u00e9-pass" })).status, 200);
	});
});

describe(`origin and CSRF checks [${TARGET}]`, () => {
	const signin = () => JSON.stringify({ email: userEmail, password: PW });
	const raw = (p, headers, body = signin()) => request(url, p, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body });

	it("a cookie-bearing POST without Origin/Referer: 403 MISSING_OR_NULL_ORIGIN, any cookie counts", () => writesNothing(async () => {
		for (const p of ["/api/auth/sign-in/email", "/api/auth/sign-up/email", "/api/auth/sign-out"]) {
			const body = p.includes("sign-up") ? JSON.stringify(okSignup()) : signin();
			expectError(await raw(p, { Cookie: "x=y" }, body), 403, ERR.MISSING_OR_NULL_ORIGIN);
			expectError(await raw(p, { Cookie: "x=y", Origin: "null" }, body), 403, ERR.MISSING_OR_NULL_ORIGIN);
		}
	}));

	it("a cookie-bearing POST from a foreign Origin or Referer: 403 INVALID_ORIGIN", () => writesNothing(async () => {
		for (const o of ["https://evil.example", "http://127.0.0.1", `${url.replace("127.0.0.1", "localhost")}`, "https://app.example.com.evil.example", "http://app.example.com"]) {
			expectError(await raw("/api/auth/sign-in/email", { Cookie: "x=y", Origin: o }), 403, ERR.INVALID_ORIGIN);
		}
		expectError(await raw("/api/auth/sign-in/email", { Cookie: "x=y", Referer: "https://evil.example/login" }), 403, ERR.INVALID_ORIGIN);
		expectError(await raw("/api/auth/sign-up/email", { Cookie: "x=y", Origin: "https://evil.example" }, JSON.stringify(okSignup())), 403, ERR.INVALID_ORIGIN);
	}));

	it("the origin check runs before schema validation but after JSON parsing", () => writesNothing(async () => {
		expectError(await raw("/api/auth/sign-in/email", { Cookie: "x=y" }, "{}"), 403, ERR.MISSING_OR_NULL_ORIGIN);
		expectError(await raw("/api/auth/sign-in/email", { Cookie: "x=y" }, "{bad"), 400, ERR.INVALID_JSON);
	}));

	it("same origin, a trusted Referer, and BETTER_AUTH_TRUSTED_ORIGINS entries are accepted", async () => {
		for (const h of [{ Origin: url }, { Referer: `${url}/login?x=1` }, { Origin: TRUSTED }, { Referer: `${TRUSTED}/a/b` }, { Origin: "http://other.trusted.test:8080" }]) {
			const r = await raw("/api/auth/sign-in/email", { Cookie: "x=y", ...h });
			assert.equal(r.status, 200, `${JSON.stringify(h)}: ${r.body}`);
			expectTokenCookie(r.setCookies[0]);
		}
	});

	it("form CSRF: Sec-Fetch-Site cross-site + Sec-Fetch-Mode navigate: 403 CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", () => writesNothing(async () => {
		const nav = { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" };
		const form = { "Content-Type": "application/x-www-form-urlencoded" };
		let r = await request(url, "/api/auth/sign-up/email", { method: "POST", headers: { ...form, ...nav }, body: `name=Mal&email=${encodeURIComponent(uniqueEmail("mal"))}&password=${PW}` });
		expectError(r, 403, ERR.CROSS_SITE);
		r = await request(url, "/api/auth/sign-in/email", { method: "POST", headers: { ...form, ...nav }, body: `email=${encodeURIComponent(userEmail)}&password=${PW}` });
		expectError(r, 403, ERR.CROSS_SITE);
		// Even with a trusted Origin.
		expectError(await raw("/api/auth/sign-in/email", { ...nav, Origin: url }), 403, ERR.CROSS_SITE);
	}));

	it("form CSRF: Fetch-Metadata present makes Origin mandatory even without cookies (044, 043)", async () => {
		await writesNothing(async () => {
			expectError(await raw("/api/auth/sign-in/email", { "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors" }), 403, ERR.MISSING_OR_NULL_ORIGIN);
			expectError(await raw("/api/auth/sign-up/email", { "Sec-Fetch-Mode": "cors" }, JSON.stringify(okSignup())), 403, ERR.MISSING_OR_NULL_ORIGIN);
			expectError(await raw("/api/auth/sign-in/email", { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "cors", Origin: "https://evil.example" }), 403, ERR.INVALID_ORIGIN);
		});
		const r = await raw("/api/auth/sign-in/email", { "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "cors", Origin: url });
		assert.equal(r.status, 200, r.body);
	});

	it("no cookie, no Fetch-Metadata: a foreign Origin is refused (041, 066); no Origin at all passes (010)", async () => {
		await writesNothing(async () => {
			expectError(await raw("/api/auth/sign-in/email", { Origin: "https://evil.example" }), 403, ERR.INVALID_ORIGIN);
			expectError(await raw("/api/auth/sign-up/email", { Origin: "https://evil.example" }, JSON.stringify(okSignup())), 403, ERR.INVALID_ORIGIN);
			expectError(await raw("/api/auth/sign-in/email", { Referer: "https://evil.example/" }), 403, ERR.INVALID_ORIGIN);
		});
		const r = await raw("/api/auth/sign-in/email", {});
		assert.equal(r.status, 200, r.body);
	});

	it("callbackURL: a foreign or protocol-relative URL is 403 INVALID_CALLBACK_URL, before validation", () => writesNothing(async () => {
		for (const cb of ["https://evil.example/x", "//evil.example/x", "http://app.example.com/x", "javascript:alert(1)", "/\\evil.example"]) {
			expectError(await up({ ...okSignup(), callbackURL: cb }), 403, ERR.INVALID_CALLBACK_URL);
			expectError(await inn({ email: userEmail, password: PW, callbackURL: cb }), 403, ERR.INVALID_CALLBACK_URL);
		}
		// Checked before schema validation: missing fields still give 403.
		expectError(await up({ callbackURL: "https://evil.example/x" }), 403, ERR.INVALID_CALLBACK_URL);
	}));

	it("callbackURL: relative paths and trusted origins are accepted", async () => {
		for (const cb of ["/dashboard", `${url}/after`, `${TRUSTED}/welcome?x=1`]) {
			const r = await inn({ email: userEmail, password: PW, callbackURL: cb });
			expectJson(r, 200, r.body);
			assert.equal(r.json().url, cb);
			assert.equal(r.headers.location, cb);
		}
	});
});
