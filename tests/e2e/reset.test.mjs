// Password reset (accounts spec §3.9–§3.11) through the web server with the
// official client and Mailpit: the whole flow by following the link in the
// mail; reuse, expiry (the row's expiresAt moved into the past through the
// store), tampering; a credential account created by a reset; the answers
// side by side with Better Auth on the same store; the interop both ways;
// a hung mail server (same answers, failure logged, the token still usable,
// sessions revoked with FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET); no
// sender configured. The timing of known vs unknown addresses (18 s of
// spaced requests) is resettiming.test.mjs; a mail server slower than a
// CGI program's grace, maildefer.test.mjs.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { makeClient, postJSON, request, sleep, startFcgi, uniqueEmail } from "../lib/stack.mjs";
import { expectError, expectJson } from "../lib/expect.mjs";
import { getUrl, hungMailStacks, mailStacks, portless, sameAnswer } from "../lib/mailflow.mjs";

const PASSWORD = "password123", NEW_PASSWORD = "a new password 42";
const ANSWER = { status: true, message: "If this email exists in our system, check your email for the reset link" };
let s;

async function signUp(url, email) {
	const r = await postJSON(url, "/api/auth/sign-up/email", { name: "Reset Tester", email, password: PASSWORD });
	assert.equal(r.status, 200, r.body);
	return r;
}
const signIn = (url, email, password) => postJSON(url, "/api/auth/sign-in/email", { email, password });
const resetRows = (email) => s.db.collection("verification").find({ identifier: /^reset-password:/ }).toArray()
	.then(async (rows) => {
		const u = await s.db.collection("user").findOne({ email });
		return rows.filter((r) => u && r.value === u._id.toHexString());
	});

before(async () => { s = await mailStacks("reset"); });
after(async () => { await s?.stop(); });

describe("password reset", () => {
	it("the whole flow with the official client, by the link in the mail", async () => {
		const email = uniqueEmail("reset");
		await signUp(s.ours.url, email);
		const { client } = makeClient(s.ours.url);
		const r = await client.requestPasswordReset({ email, redirectTo: "/reset" });
		assert.deepEqual(r.data, ANSWER, JSON.stringify(r.error));
		const mail = await s.mailTo(email);
		assert.ok(mail, "a reset mail arrived");
		assert.match(mail.link, new RegExp(`^${s.ours.url}/api/auth/reset-password/[A-Za-z0-9]{24}\\?callbackURL=%2Freset$`));
		const token = mail.link.match(/reset-password\/([A-Za-z0-9]{24})/)[1];
		const [row] = await resetRows(email);
		assert.equal(row.identifier, `reset-password:${token}`);
		// FerretDB puts _id first whatever the writer sent; the rest in Better Auth's order.
		assert.deepEqual(Object.keys(row).filter((k) => k !== "_id"), ["identifier", "value", "expiresAt", "createdAt", "updatedAt"]);
		assert.equal(row.expiresAt - row.createdAt, 3600 * 1000);

		const link = await getUrl(mail.link);
		assert.equal(link.status, 302);
		assert.equal(link.headers["content-type"], "application/json");
		assert.equal(link.body, "");
		assert.equal(link.headers.location, `${s.ours.url}/reset?token=${token}`);
		assert.equal(link.setCookies.length, 0);

		const done = await client.resetPassword({ newPassword: NEW_PASSWORD, token });
		assert.deepEqual(done.data, { status: true }, JSON.stringify(done.error));
		assert.equal((await signIn(s.ours.url, email, PASSWORD)).status, 401, "the old password fails");
		assert.equal((await signIn(s.ours.url, email, NEW_PASSWORD)).status, 200, "the new one works");
		assert.equal((await resetRows(email)).length, 0, "the row is consumed");

		// Reuse: the POST and the link both refuse it now.
		expectError(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token }),
			400, "INVALID_TOKEN", "Invalid token");
		const again = await getUrl(mail.link);
		assert.equal(again.headers.location, `${s.ours.url}/reset?error=INVALID_TOKEN`);
	});

	it("an unknown address: the same answer, no row, no mail", async () => {
		const email = uniqueEmail("nobody");
		const r = await postJSON(s.ours.url, "/api/auth/request-password-reset", { email, redirectTo: "/reset" });
		expectJson(r, 200, ANSWER);
		assert.equal(await s.mailTo(email, 800), null, "no mail to an unknown address");
		assert.equal(await s.db.collection("verification").countDocuments({ value: email }), 0);
	});

	it("expiry, tampering and the ?token= form; older tokens stay valid", async () => {
		const email = uniqueEmail("expiry");
		await signUp(s.ours.url, email);
		for (let i = 0; i < 2; i++) expectJson(await postJSON(s.ours.url, "/api/auth/request-password-reset", { email, redirectTo: "/r?lang=en" }), 200, ANSWER);
		await sleep(300);
		const rows = (await resetRows(email)).sort((a, b) => a.createdAt - b.createdAt);
		assert.equal(rows.length, 2);
		const [older, newer] = rows.map((r) => r.identifier.slice("reset-password:".length));
		// The link with a query of its own keeps it and adds token.
		const ok = await request(s.ours.url, `/api/auth/reset-password/${older}?callbackURL=${encodeURIComponent("/r?lang=en")}`);
		assert.equal(ok.headers.location, `${s.ours.url}/r?lang=en&token=${older}`);
		// Tampered: one character changed.
		const bad = older.slice(0, -1) + (older.endsWith("a") ? "b" : "a");
		const t = await request(s.ours.url, `/api/auth/reset-password/${bad}?callbackURL=%2Fr`);
		assert.equal(t.headers.location, `${s.ours.url}/r?error=INVALID_TOKEN`);
		expectError(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token: bad }), 400, "INVALID_TOKEN", "Invalid token");
		// Expired: the newer row's expiresAt 1 ms in the past.
		await s.db.collection("verification").updateOne({ identifier: `reset-password:${newer}` }, { $set: { expiresAt: new Date(Date.now() - 1) } });
		const e = await request(s.ours.url, `/api/auth/reset-password/${newer}?callbackURL=%2Fr`);
		assert.equal(e.headers.location, `${s.ours.url}/r?error=INVALID_TOKEN`);
		expectError(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token: newer }), 400, "INVALID_TOKEN", "Invalid token");
		// The older one still works, given in the query.
		expectJson(await postJSON(s.ours.url, `/api/auth/reset-password?token=${older}`, { newPassword: NEW_PASSWORD }), 200, { status: true });
		assert.equal((await signIn(s.ours.url, email, NEW_PASSWORD)).status, 200);
	});

	it("a user without a credential account gets one", async () => {
		const email = uniqueEmail("noacct");
		await signUp(s.ours.url, email);
		const u = await s.db.collection("user").findOne({ email });
		await s.db.collection("account").deleteMany({ userId: u._id });
		expectJson(await postJSON(s.ours.url, "/api/auth/request-password-reset", { email }), 200, ANSWER);
		const mail = await s.mailTo(email);
		assert.match(mail.link, /\?callbackURL=$/, "no redirectTo: an empty callbackURL");
		const token = mail.link.match(/reset-password\/([A-Za-z0-9]{24})/)[1];
		const empty = await getUrl(mail.link);
		assert.equal(empty.headers.location, `${s.ours.url}/api/auth/error?error=INVALID_TOKEN`, "an empty callbackURL leads to the error page");
		expectJson(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token }), 200, { status: true });
		const acct = await s.db.collection("account").findOne({ userId: u._id, providerId: "credential" });
		assert.equal(acct.accountId, u._id.toHexString());
		assert.equal((await signIn(s.ours.url, email, NEW_PASSWORD)).status, 200);
	});

	it("answers side by side with Better Auth", async () => {
		const known = uniqueEmail("side");
		await signUp(s.ours.url, known);
		const cases = [
			["POST", "/api/auth/request-password-reset", { email: known, redirectTo: "/reset" }],
			["POST", "/api/auth/request-password-reset", { email: uniqueEmail("none") }],
			["POST", "/api/auth/request-password-reset", { email: "not-an-email" }],
			["POST", "/api/auth/request-password-reset", { email: known, redirectTo: "https://evil.example/x" }],
			["POST", "/api/auth/request-password-reset", { email: known, redirectTo: 5 }],
			["POST", "/api/auth/reset-password", { newPassword: NEW_PASSWORD }],
			["POST", "/api/auth/reset-password", {}],
			["POST", "/api/auth/reset-password", { newPassword: "short", token: "abc" }],
			["POST", "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token: "x".repeat(24) }],
			["GET", "/api/auth/reset-password/abc"],
			["GET", "/api/auth/reset-password/abc?callbackURL="],
			["GET", "/api/auth/reset-password/abc?callbackURL=%2Fr%3Fa%3D1"],
			["GET", "/api/auth/reset-password/abc?callbackURL=https%3A%2F%2Fevil.example%2F"],
			["POST", "/api/auth/reset-password/abc", {}],
		];
		for (const [method, p, body] of cases) {
			const send = (srv) => (method === "GET" ? request(srv.url, p) : request(srv.url, p, { method, body }));
			sameAnswer(await send(s.ours), await send(s.ref), s.ours, s.ref, `${method} ${p} ${JSON.stringify(body)}`);
		}
	});

	it("interop: requested on Better Auth, completed on ours, and the reverse", async () => {
		const a = uniqueEmail("ia"), b = uniqueEmail("ib");
		await signUp(s.ours.url, a);
		await signUp(s.ours.url, b);
		// Better Auth mails (records) the link; ours follows and completes it.
		expectJson(await postJSON(s.ref.url, "/api/auth/request-password-reset", { email: a, redirectTo: "/reset" }), 200, ANSWER);
		const refMail = await s.refMailTo(a, "reset-password");
		assert.ok(refMail, "Better Auth called sendResetPassword");
		const link = await request(s.ours.url, new URL(refMail.url).pathname + new URL(refMail.url).search);
		assert.equal(link.headers.location, `${s.ours.url}/reset?token=${refMail.token}`);
		expectJson(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token: refMail.token }), 200, { status: true });
		assert.equal((await signIn(s.ref.url, a, NEW_PASSWORD)).status, 200, "Better Auth accepts the password we set");
		// Ours mails the link; Better Auth completes it.
		expectJson(await postJSON(s.ours.url, "/api/auth/request-password-reset", { email: b, redirectTo: "/reset" }), 200, ANSWER);
		const mail = await s.mailTo(b);
		const token = mail.link.match(/reset-password\/([A-Za-z0-9]{24})/)[1];
		const refLink = await request(s.ref.url, `/api/auth/reset-password/${token}?callbackURL=%2Freset`);
		assert.equal(refLink.headers.location, `${s.ref.url}/reset?token=${token}`);
		expectJson(await postJSON(s.ref.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token }), 200, { status: true });
		assert.equal((await signIn(s.ours.url, b, NEW_PASSWORD)).status, 200, "we accept the password Better Auth set");
		expectError(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token }), 400, "INVALID_TOKEN", "Invalid token");
	});
});

describe("password reset with a hung mail server", () => {
	let t;
	before(async () => { t = await hungMailStacks("reset-down", { FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET: "1" }); });
	after(async () => { await t?.stop(); });

	it("the same answer at once, the failure logged, the token kept and usable; sessions revoked", async () => {
		const email = uniqueEmail("down");
		const signup = await signUp(t.ours.url, email);
		const cookie = signup.setCookies.map((c) => c.split(";")[0]).join("; ");
		const t0 = Date.now();
		const r = await postJSON(t.ours.url, "/api/auth/request-password-reset", { email, redirectTo: "/reset" });
		const ms = Date.now() - t0;
		expectJson(r, 200, ANSWER);
		assert.ok(ms < 200, `answered in ${ms} ms, before the mail timeout`);
		await sleep(600);
		const log = t.ours.output() + t.ours.errlog();
		assert.match(log, /mail: reset-password to …@?example\.com not sent after \d+ ms/, "the failure is logged");
		assert.ok(!log.includes("reset-password/"), "the link is never logged");
		const u = await t.db.collection("user").findOne({ email });
		const row = await t.db.collection("verification").findOne({ value: u._id.toHexString() });
		assert.ok(row, "the reset row is stored although the mail failed");
		const token = row.identifier.slice("reset-password:".length);
		assert.equal(await t.db.collection("session").countDocuments({ userId: u._id }), 1);
		expectJson(await postJSON(t.ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token }), 200, { status: true });
		assert.equal(await t.db.collection("session").countDocuments({ userId: u._id }), 0, "every session revoked");
		const gs = await request(t.ours.url, "/api/auth/get-session", { headers: { Cookie: cookie } });
		assert.equal(gs.body, "null");
	});
});

describe("password reset without a sender", () => {
	let srv, f;
	before(async () => {
		f = await mailStacks("reset-nosender", {}, { mailpit: false, reference: false, sender: {} });
		srv = f.ours;
	});
	after(async () => { await f?.stop(); });

	it("RESET_PASSWORD_DISABLED, logged at start; reset-password still takes a stored token", async () => {
		expectError(await postJSON(srv.url, "/api/auth/request-password-reset", { email: uniqueEmail("x") }),
			400, "RESET_PASSWORD_DISABLED", "Reset password isn't enabled");
		assert.match(srv.output() + srv.errlog(), /RESET_PASSWORD_DISABLED/);
		expectError(await postJSON(srv.url, "/api/auth/send-verification-email", { email: uniqueEmail("x") }),
			400, "VERIFICATION_EMAIL_NOT_ENABLED", "Verification email isn't enabled");
	});
});
void startFcgi; void portless;
