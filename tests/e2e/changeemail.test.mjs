// change-email (accounts spec §3.15) through the web server: off by default
// (CHANGE_EMAIL_DISABLED); the verification flow (C: a link to the new
// address, the change applied only when it is followed, single use); the
// confirmation flow (B: a mail to the old address first); the immediate
// flow (A) for unverified users; an address owned by someone else; our app
// `users` document following the new email; answers side by side with
// Better Auth; a change started on one server completed on the other.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { makeClient, postJSON, request, uniqueEmail } from "../lib/stack.mjs";
import { expectError, expectJson } from "../lib/expect.mjs";
import { getUrl, mailStacks } from "../lib/mailflow.mjs";

const PASSWORD = "password123";

async function signedIn(url, email, verified, db) {
	await postJSON(url, "/api/auth/sign-up/email", { name: "Chang", email, password: PASSWORD });
	if (verified) await db.collection("user").updateOne({ email }, { $set: { emailVerified: true } });
	const c = makeClient(url);
	const r = await c.client.signIn.email({ email, password: PASSWORD });
	assert.ok(r.data?.token, JSON.stringify(r.error));
	return c;
}

describe("change-email, verification and confirmation flows", () => {
	let s;
	before(async () => { s = await mailStacks("chg", { FCGI_AUTH_CHANGE_EMAIL: "1", FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION: "1" }); });
	after(async () => { await s?.stop(); });

	it("(C) unverified user: the link goes to the new address; following it changes the email, once", async () => {
		const old = uniqueEmail("old"), neu = uniqueEmail("NEW");
		const { client, jar } = await signedIn(s.ours.url, old, false, s.db);
		const r = await client.changeEmail({ newEmail: neu, callbackURL: "/done" });
		assert.deepEqual(r.data, { status: true }, JSON.stringify(r.error));
		assert.equal((await s.db.collection("user").findOne({ email: old }))?.email, old, "nothing changes yet");
		const mail = await s.mailTo(neu.toLowerCase());
		assert.ok(mail, "the verification link went to the new address");
		const v = await getUrl(mail.link, { Cookie: jar.header() });
		assert.equal(v.status, 302, v.body);
		assert.equal(v.headers.location, "/done");
		const u = await s.db.collection("user").findOne({ email: neu.toLowerCase() });
		assert.ok(u, "the email changed");
		assert.equal(u.emailVerified, false, "emailVerified kept");
		const app = await s.db.collection("users").findOne({ betterAuthUserId: u._id.toHexString() });
		assert.equal(app?.email, neu.toLowerCase(), "the app users document follows");
		const again = await getUrl(mail.link.replace(/&callbackURL=[^&]*/, ""));
		expectError(again, 401, "INVALID_TOKEN", "Invalid token");
	});

	it("(B) verified user: a confirmation to the old address, then the link to the new one", async () => {
		const old = uniqueEmail("vold"), neu = uniqueEmail("vnew");
		const { client } = await signedIn(s.ours.url, old, true, s.db);
		assert.deepEqual((await client.changeEmail({ newEmail: neu })).data, { status: true });
		const confirm = await s.mailTo(old);
		assert.ok(confirm, "the confirmation went to the old address");
		assert.equal(await s.countTo(neu), 0);
		const c = await getUrl(confirm.link.replace(/&callbackURL=[^&]*/, ""));
		expectJson(c, 200, { status: true });
		const verify = await s.mailTo(neu);
		assert.ok(verify, "then the verification went to the new address");
		const v = await getUrl(verify.link.replace(/&callbackURL=[^&]*/, ""));
		assert.equal(v.status, 200, v.body);
		const body = v.json();
		assert.equal(body.status, true);
		assert.equal(body.user.email, neu);
		assert.equal(body.user.emailVerified, true, "a verified user stays verified");
	});

	it("someone else's address: the same answer, no mail; same email: 400 without code", async () => {
		const a = uniqueEmail("own"), b = uniqueEmail("taken");
		await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "B", email: b, password: PASSWORD });
		const { client } = await signedIn(s.ours.url, a, false, s.db);
		assert.deepEqual((await client.changeEmail({ newEmail: b })).data, { status: true });
		const same = await client.changeEmail({ newEmail: a.toUpperCase() });
		assert.equal(same.error?.status, 400);
		assert.equal(same.error?.message, "Email is the same");
		await new Promise((r) => setTimeout(r, 500));
		assert.equal(await s.countTo(b), 0, "no mail to the owner of the address");
	});

	it("interop: started on Better Auth, completed on ours", async () => {
		const old = uniqueEmail("iold"), neu = uniqueEmail("inew");
		const { client } = await signedIn(s.ref.url, old, false, s.db);
		assert.deepEqual((await client.changeEmail({ newEmail: neu })).data, { status: true });
		const m = await s.refMailTo(neu, "verify-email");
		assert.ok(m, "Better Auth sent the verification to the new address");
		const u = new URL(m.url);
		const r = await request(s.ours.url, u.pathname + u.search);
		assert.equal(r.status, 302, r.body);
		assert.ok(await s.db.collection("user").findOne({ email: neu }), "ours applied Better Auth's change token");
	});
});

describe("change-email, immediate flow and disabled", () => {
	let s;
	before(async () => { s = await mailStacks("chg-now", { FCGI_AUTH_CHANGE_EMAIL: "1", FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION: "1" }); });
	after(async () => { await s?.stop(); });

	it("(A) an unverified user's email changes at once, the cookie re-set, a plain link to the new address", async () => {
		const old = uniqueEmail("aold"), neu = uniqueEmail("anew");
		const { client, last } = await signedIn(s.ours.url, old, false, s.db);
		const r = await client.changeEmail({ newEmail: neu });
		assert.deepEqual(r.data, { status: true });
		assert.ok(last().setCookies.some((c) => c.startsWith("better-auth.session_token=")), "the session cookie is re-set");
		const u = await s.db.collection("user").findOne({ email: neu });
		assert.ok(u, "changed at once");
		assert.equal((await s.db.collection("users").findOne({ betterAuthUserId: u._id.toHexString() }))?.email, neu);
		const mail = await s.mailTo(neu);
		const v = await getUrl(mail.link.replace(/&callbackURL=[^&]*/, ""));
		expectJson(v, 200, { status: true, user: null });
		assert.equal((await s.db.collection("user").findOne({ email: neu })).emailVerified, true);
	});

	it("the same answers as Better Auth for the same requests", async () => {
		for (const srv of [s.ours, s.ref]) {
			const email = uniqueEmail("side");
			const { client } = await signedIn(srv.url, email, false, s.db);
			const bad = await client.changeEmail({ newEmail: "nope" });
			assert.equal(bad.error?.status, 400);
			assert.equal(bad.error?.message, "[body.newEmail] Invalid email address");
		}
		expectError(await postJSON(s.ours.url, "/api/auth/change-email", { newEmail: uniqueEmail("x") }), 401, "UNAUTHORIZED", "Unauthorized");
	});
});

describe("change-email disabled", () => {
	let s;
	before(async () => { s = await mailStacks("chg-off", {}, { reference: false }); });
	after(async () => { await s?.stop(); });
	it("CHANGE_EMAIL_DISABLED", async () => {
		const { client } = await signedIn(s.ours.url, uniqueEmail("off"), false, s.db);
		const r = await client.changeEmail({ newEmail: uniqueEmail("n") });
		assert.equal(r.error?.status, 400);
		assert.equal(r.error?.code, "CHANGE_EMAIL_DISABLED");
	});
});
