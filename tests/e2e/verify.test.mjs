// E-mail verification (accounts spec §3.12–§3.14) through the web server
// with the official client and Mailpit: sign-up under
// FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION (token null, no session, the mail),
// sign-in refused with 403 EMAIL_NOT_VERIFIED after the password check and
// the re-send (FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN), following the link
// (redirect, auto sign-in), the synthetic user of a duplicate sign-up,
// send-verification-email, the failure table side by side with Better Auth,
// and links issued by either server verifying on the other.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { SECRET, makeClient, postJSON, request, uniqueEmail } from "../lib/stack.mjs";
import { expectError, expectJson } from "../lib/expect.mjs";
import { getUrl, mailStacks, sameAnswer } from "../lib/mailflow.mjs";

const PASSWORD = "password123";
const ENV = {
	FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION: "1", FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN: "1",
	FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION: "1",
};
let s;

const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
function jws(payload, secret = SECRET) {
	const input = `${b64({ alg: "HS256" })}.${b64(payload)}`;
	return `${input}.${crypto.createHmac("sha256", secret).update(input).digest("base64url")}`;
}

before(async () => { s = await mailStacks("verify", ENV); });
after(async () => { await s?.stop(); });

describe("e-mail verification", () => {
	it("sign-up under requireEmailVerification: token null, no session, a mail; its link verifies and signs in", async () => {
		const email = uniqueEmail("verify");
		const up = await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "Vera", email, password: PASSWORD, callbackURL: "/welcome" });
		assert.equal(up.status, 200, up.body);
		assert.equal(up.json().token, null);
		assert.equal(up.setCookies.length, 0, "no cookie");
		const u = await s.db.collection("user").findOne({ email });
		assert.equal(await s.db.collection("session").countDocuments({ userId: u._id }), 0, "no session row");

		const denied = await postJSON(s.ours.url, "/api/auth/sign-in/email", { email, password: PASSWORD, callbackURL: "/dashboard" });
		expectError(denied, 403, "EMAIL_NOT_VERIFIED", "Email not verified");
		expectError(await postJSON(s.ours.url, "/api/auth/sign-in/email", { email, password: "wrong password" }), 401, "INVALID_EMAIL_OR_PASSWORD", "Invalid email or password");

		const mail = await s.mailTo(email, 5000, (m) => true);
		assert.ok(mail, "the sign-up mail arrived");
		const url = new URL(mail.link);
		assert.equal(url.pathname, "/api/auth/verify-email");
		const token = url.searchParams.get("token");
		const [, payload] = token.split(".");
		const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
		assert.deepEqual(Object.keys(claims), ["email", "userId", "iat", "exp"]);
		assert.equal(claims.userId, u._id.toHexString());
		assert.equal(claims.exp - claims.iat, 3600);
		assert.equal(token, jws(claims), "the token is Better Auth's JWS with the secret");

		// The sign-in re-send uses the sign-in's callbackURL.
		for (let i = 0; i < 100 && (await s.countTo(email)) < 2; i++) await new Promise((r) => setTimeout(r, 50));
		const all = await s.mp.api("/messages?limit=500");
		const links = await Promise.all(all.messages.filter((m) => m.To.some((a) => a.Address === email))
			.map(async (m) => (await s.mp.api(`/message/${m.ID}`)).Text.match(/https?:\/\/\S+/)[0]));
		assert.equal(links.length, 2, "sign-up and the refused sign-in each mailed a link");
		assert.ok(links.some((l) => l.endsWith("&callbackURL=%2Fwelcome")) && links.some((l) => l.endsWith("&callbackURL=%2Fdashboard")), links.join("\n"));

		const v = await getUrl(links.find((l) => l.endsWith("%2Fwelcome")));
		assert.equal(v.status, 302);
		assert.equal(v.headers.location, "/welcome");
		assert.equal(v.body, "");
		assert.equal(v.setCookies.length, 1, "auto sign-in sets the session cookie");
		assert.match(v.setCookies[0], /^better-auth\.session_token=[^;]+; Max-Age=604800; Path=\/; HttpOnly; SameSite=Lax$/);
		assert.equal((await s.db.collection("user").findOne({ email })).emailVerified, true);
		// Plain tokens stay usable until they expire: verified again, no cookie.
		const again = await request(s.ours.url, `/api/auth/verify-email?token=${token}`);
		expectJson(again, 200, { status: true, user: null });
		assert.equal(again.setCookies.length, 0);
		assert.equal((await postJSON(s.ours.url, "/api/auth/sign-in/email", { email, password: PASSWORD })).status, 200);
	});

	it("a duplicate sign-up gets a synthetic user, and nothing is written", async () => {
		const email = uniqueEmail("dup");
		await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "First", email, password: PASSWORD });
		const before = await s.db.collection("user").countDocuments({});
		const r = await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "Second", email, password: PASSWORD });
		assert.equal(r.status, 200);
		const body = r.json();
		assert.equal(body.token, null);
		assert.deepEqual(Object.keys(body.user), ["name", "email", "emailVerified", "image", "createdAt", "updatedAt", "id"]);
		assert.match(body.user.id, /^[A-Za-z0-9]{32}$/);
		assert.equal(body.user.image, null);
		assert.equal(body.user.name, "Second");
		assert.equal(await s.db.collection("user").countDocuments({}), before);
		const ref = await postJSON(s.ref.url, "/api/auth/sign-up/email", { name: "Second", email, password: PASSWORD });
		assert.deepEqual(Object.keys(ref.json().user), Object.keys(body.user), "the same shape as Better Auth's");
	});

	it("send-verification-email: without a session the same answer for every address, at least 500 ms", async () => {
		const email = uniqueEmail("send");
		await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "Send", email, password: PASSWORD });
		for (const e of [email, uniqueEmail("nobody")]) {
			const t0 = Date.now();
			expectJson(await postJSON(s.ours.url, "/api/auth/send-verification-email", { email: e.toUpperCase(), callbackURL: "/v" }), 200, { status: true });
			assert.ok(Date.now() - t0 >= 490, `took ${Date.now() - t0} ms`);
		}
		const mail = await s.mailTo(email, 5000, () => true);
		assert.ok(mail.link.endsWith("&callbackURL=%2Fv"), mail.link);
	});

	it("the failure table, side by side with Better Auth", async () => {
		const email = uniqueEmail("fail");
		await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "F", email, password: PASSWORD });
		const u = await s.db.collection("user").findOne({ email });
		const now = Math.floor(Date.now() / 1000);
		const id = u._id.toHexString();
		const tokens = {
			garbage: "abc",
			tampered: jws({ email, userId: id, iat: now, exp: now + 3600 }).slice(0, -2) + "AA",
			otherSecret: jws({ email, userId: id, iat: now, exp: now + 3600 }, "another-secret-0123456789abcdefghij"),
			expired: jws({ email, userId: id, iat: now - 7200, exp: now - 3600 }),
			unknownUser: jws({ email: uniqueEmail("ghost"), iat: now, exp: now + 3600 }),
			mismatch: jws({ email, userId: "6b0000000000000000000001", iat: now, exp: now + 3600 }),
			noEmail: jws({ userId: id, iat: now, exp: now + 3600 }),
		};
		const paths = ["/api/auth/verify-email", "/api/auth/verify-email?callbackURL=%2Fapp"];
		for (const [name, t] of Object.entries(tokens)) {
			for (const p of [`/api/auth/verify-email?token=${t}`, `/api/auth/verify-email?token=${t}&callbackURL=%2Fapp%3Fx%3D1`]) {
				sameAnswer(await request(s.ours.url, p), await request(s.ref.url, p), s.ours, s.ref, `${name} ${p}`);
			}
		}
		for (const p of [...paths, "/api/auth/verify-email?token=a&callbackURL=https%3A%2F%2Fevil.example%2F"]) {
			sameAnswer(await request(s.ours.url, p), await request(s.ref.url, p), s.ours, s.ref, p);
		}
		for (const body of [{ email: "bad" }, { email, callbackURL: "https://evil.example/" }, {}]) {
			const send = (srv) => request(srv.url, "/api/auth/send-verification-email", { method: "POST", body });
			sameAnswer(await send(s.ours), await send(s.ref), s.ours, s.ref, JSON.stringify(body));
		}
		assert.equal((await s.db.collection("user").findOne({ email })).emailVerified, false, "none of them verified the user");
	});

	it("interop: a link issued by either verifies on the other", async () => {
		const a = uniqueEmail("va"), b = uniqueEmail("vb");
		await postJSON(s.ref.url, "/api/auth/sign-up/email", { name: "A", email: a, password: PASSWORD, callbackURL: "/w" });
		const refMail = await s.refMailTo(a, "verify-email");
		assert.ok(refMail, "Better Auth sent its sign-up verification");
		const u = new URL(refMail.url);
		const mine = await request(s.ours.url, u.pathname + u.search);
		assert.equal(mine.status, 302);
		assert.equal(mine.headers.location, "/w");
		assert.equal((await s.db.collection("user").findOne({ email: a })).emailVerified, true);

		await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "B", email: b, password: PASSWORD });
		const mail = await s.mailTo(b, 5000, () => true);
		const v = new URL(mail.link);
		const theirs = await request(s.ref.url, v.pathname + v.search);
		assert.equal(theirs.status, 302, theirs.body);
		assert.equal(theirs.headers.location, "/");
		assert.equal((await s.db.collection("user").findOne({ email: b })).emailVerified, true);
	});

	it("with a session: EMAIL_MISMATCH, then EMAIL_ALREADY_VERIFIED once verified (the client)", async () => {
		const email = uniqueEmail("sess");
		await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "S", email, password: PASSWORD });
		await s.db.collection("user").updateOne({ email }, { $set: { emailVerified: true } });
		const { client } = makeClient(s.ours.url);
		const si = await client.signIn.email({ email, password: PASSWORD });
		assert.ok(si.data?.token, JSON.stringify(si.error));
		const mm = await client.sendVerificationEmail({ email: uniqueEmail("other") });
		assert.equal(mm.error?.status, 400);
		assert.equal(mm.error?.code, "EMAIL_MISMATCH");
		const av = await client.sendVerificationEmail({ email });
		assert.equal(av.error?.code, "EMAIL_ALREADY_VERIFIED");
	});
});
