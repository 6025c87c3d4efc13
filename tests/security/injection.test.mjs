// MongoDB operator injection: request bodies carrying query operators or
// Extended JSON in place of strings must be refused by validation (400
// VALIDATION_ERROR) before any query runs, and nothing may be written.
// urlencoded bodies with bracketed keys (qs-style `email[$ne]=x`) are just
// keys: never objects.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, mongo, dbName, postJSON, request, uniqueEmail, counts, applySchema } from "../lib/stack.mjs";
import { expectError } from "../lib/expect.mjs";

const PW = "correct horse battery staple";
const OPERATORS = [
	{ $gt: "" },
	{ $ne: null },
	{ $in: ["a"] },
	{ $regex: ".*" },
	{ $regularExpression: { pattern: ".*", options: "" } },
	{ $oid: "6b0349eeb1daee68a00b9511" },
];
let ferret, srv, db, victim;

before(async () => {
	ferret = await startFerret();
	const name = dbName("sec_injection");
	applySchema(ferret.uri, name);
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	db = await mongo(name, ferret.uri);
	victim = uniqueEmail("victim");
	const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Victim", email: victim, password: PW });
	assert.equal(r.status, 200, r.body);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

function expectValidationError(r, what) {
	assert.equal(r.status, 400, `${what}: status (body ${r.body})`);
	assert.equal(r.json().code, "VALIDATION_ERROR", `${what}: code (body ${r.body})`);
	assert.deepEqual(r.setCookies, [], `${what}: no cookie`);
}

async function snapshot() {
	const c = await counts(db);
	c.users = await db.collection("users").countDocuments({});
	c.profiles = await db.collection("profiles").countDocuments({});
	return c;
}

describe("operator injection in JSON bodies", () => {
	it("sign-up: an operator object in email, password or name is 400 VALIDATION_ERROR and writes nothing", async () => {
		const before = await snapshot();
		for (const op of OPERATORS) {
			for (const field of ["email", "password", "name"]) {
				const body = { name: "Mallory", email: uniqueEmail("inj"), password: PW, [field]: op };
				const r = await postJSON(srv.url, "/api/auth/sign-up/email", body);
				expectValidationError(r, `sign-up ${field}=${JSON.stringify(op)}`);
				assert.match(r.json().message, new RegExp(`\\[body\\.${field}\\] Invalid input: expected string, received object`));
			}
		}
		assert.deepEqual(await snapshot(), before, "no user, account, session, users or profiles written");
	});

	it("sign-in: an operator object in email or password is 400 VALIDATION_ERROR and creates no session", async () => {
		const before = await snapshot();
		for (const op of OPERATORS) {
			for (const field of ["email", "password"]) {
				const body = { email: victim, password: PW, [field]: op };
				const r = await postJSON(srv.url, "/api/auth/sign-in/email", body);
				expectValidationError(r, `sign-in ${field}=${JSON.stringify(op)}`);
			}
		}
		assert.deepEqual(await snapshot(), before, "no session created");
	});

	it("an existing user's sign-in with {$ne:null} for both email and password is refused", async () => {
		const before = await snapshot();
		const r = await postJSON(srv.url, "/api/auth/sign-in/email", { email: { $ne: null }, password: { $ne: null } });
		expectValidationError(r, "sign-in $ne/$ne");
		// The same with the victim's real email: the password is still an object.
		const r2 = await postJSON(srv.url, "/api/auth/sign-in/email", { email: victim, password: { $ne: null } });
		expectValidationError(r2, "sign-in victim/$ne");
		assert.deepEqual(await snapshot(), before);
		// The victim's sessions: only the one of the sign-up.
		const user = await db.collection("user").findOne({ email: victim });
		assert.equal(await db.collection("session").countDocuments({ userId: user._id }), 1);
	});

	it("operators in the optional fields (image, callbackURL, rememberMe) are refused too", async () => {
		const before = await snapshot();
		for (const op of OPERATORS) {
			for (const field of ["image", "rememberMe"]) {
				const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "M", email: uniqueEmail("opt"), password: PW, [field]: op });
				expectValidationError(r, `sign-up ${field}=${JSON.stringify(op)}`);
			}
			// callbackURL is checked first by the origin middleware, as in Better Auth.
			expectError(await postJSON(srv.url, "/api/auth/sign-up/email", { name: "M", email: uniqueEmail("opt"), password: PW, callbackURL: op }),
				400, null, "Invalid callbackURL: expected a string");
			for (const field of ["callbackURL", "rememberMe"]) {
				const r = await postJSON(srv.url, "/api/auth/sign-in/email", { email: victim, password: PW, [field]: op });
				assert.equal(r.status, 400, `sign-in ${field}=${JSON.stringify(op)}: ${r.body}`);
				assert.deepEqual(r.setCookies, []);
			}
		}
		assert.deepEqual(await snapshot(), before);
	});

	it("Extended JSON ($oid, $date) in a string field is never turned into a BSON type", async () => {
		const before = await snapshot();
		const r = await postJSON(srv.url, "/api/auth/sign-up/email", {
			name: { $date: "2020-01-01T00:00:00Z" }, email: uniqueEmail("ejson"), password: PW,
		});
		expectValidationError(r, "sign-up name=$date");
		assert.deepEqual(await snapshot(), before);
	});

	it("an email that looks like a regex is matched literally, never as a pattern", async () => {
		// The victim exists; ".*@example.com" must not find it.
		const r = await postJSON(srv.url, "/api/auth/sign-in/email", { email: ".*@example.com", password: PW });
		assert.notEqual(r.status, 200, r.body);
		assert.deepEqual(r.setCookies, []);
		const r2 = await postJSON(srv.url, "/api/auth/sign-in/email", { email: `^${victim.replace(/[.]/g, "\\.")}$`, password: PW });
		assert.notEqual(r2.status, 200, r2.body);
		assert.deepEqual(r2.setCookies, []);
	});
});

describe("operator injection in urlencoded bodies", () => {
	const form = (p, body) => request(srv.url, p, {
		method: "POST", body, headers: { Origin: srv.url, "Content-Type": "application/x-www-form-urlencoded" },
	});

	it("email[$ne]=x&password[$ne]=x is 400 VALIDATION_ERROR on sign-in and sign-up, nothing written", async () => {
		const before = await snapshot();
		for (const p of ["/api/auth/sign-in/email", "/api/auth/sign-up/email"]) {
			const r = await form(p, "email[$ne]=x&password[$ne]=x");
			expectValidationError(r, `${p} email[$ne]`);
			assert.match(r.json().message, /\[body\.email\] Invalid input: expected string, received undefined/);
			const r2 = await form(p, "email%5B%24ne%5D=x&password%5B%24ne%5D=x");
			expectValidationError(r2, `${p} email%5B%24ne%5D`);
		}
		assert.deepEqual(await snapshot(), before);
	});

	it("email=a%40b.co&email[$gt]= is 400 VALIDATION_ERROR, nothing written", async () => {
		const before = await snapshot();
		for (const p of ["/api/auth/sign-in/email", "/api/auth/sign-up/email"]) {
			const r = await form(p, "email=a%40b.co&email[$gt]=");
			expectValidationError(r, `${p} email[$gt]`);
			assert.match(r.json().message, /\[body\.password\] Invalid input: expected string, received undefined/);
		}
		assert.deepEqual(await snapshot(), before);
	});

	it("a bracketed key next to valid fields is an ignored extra key: the email is stored as the literal string", async () => {
		// As Better Auth (Object.fromEntries + zod object): unknown keys are dropped.
		const email = uniqueEmail("form");
		const r = await form("/api/auth/sign-up/email",
			`name=F&email=${encodeURIComponent(email)}&email[$gt]=&password=${encodeURIComponent(PW)}`);
		assert.equal(r.status, 200, r.body);
		const users = await db.collection("user").find({ email }).toArray();
		assert.equal(users.length, 1);
		assert.equal(typeof users[0].email, "string");
		assert.equal(Object.keys(users[0]).some((k) => k.includes("$") || k.includes("[")), false, "no stray keys stored");
		// Signing in with the bracketed key only matches nobody.
		const r2 = await form("/api/auth/sign-in/email", `email[$gt]=&email=x%40y.co&password=${encodeURIComponent(PW)}`);
		expectError(r2, 401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password");
	});
});
