// Security events (issue 14, OWASP's logging cheat sheet): with
// FCGI_AUTH_LOG_FORMAT=json every line a program writes is one JSON object,
// and each security-relevant request leaves one event line at the default
// level (info) — time, level, program, pid, event, outcome, client, status,
// duration_ms, and request_id where the web server gives a UNIQUE_ID
// (Apache's mod_unique_id; lighttpd has none). Each event is sent here and
// its line found; no line carries an email, a password, a token or a cookie.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import { startFerret, startFcgi, startMailpit, dbName, mongo, request, postJSON, freePort, uniqueEmail, CookieJar, sleep } from "../lib/stack.mjs";

const PW = "events password 8c1f", PW2 = "events new password 2b7d", PW3 = "events reset password 5e0a";
const KEYS = ["time", "level", "program", "pid", "event", "request_id", "outcome", "client", "status", "duration_ms", "message"];
const secrets = new Set([PW, PW2, PW3, "wrong password 41"]);
const emails = new Set();
let ferret, mp, srv, strict, down, db, name;

/** The JSON objects of text's lines; every line must be one (except, with prefix, lines without it). */
function parseLines(text, { prefixed = false } = {}) {
	const out = [];
	for (const line of text.split("\n").filter(Boolean)) {
		const i = line.indexOf('{"time":');
		if (prefixed && i < 0) continue;
		const o = JSON.parse(prefixed ? line.slice(i) : line);
		assert.deepEqual(Object.keys(o).slice(0, 5), KEYS.slice(0, 5), line);
		const rest = Object.keys(o).slice(5);
		assert.deepEqual(rest, KEYS.slice(5).filter((k) => rest.includes(k)), `keys out of order: ${line}`);
		out.push({ ...o, line });
	}
	return out;
}

/** Waits for the event line matching want (event, outcome, status, program); returns it. */
async function findEvent(server, want, opts = {}) {
	const deadline = Date.now() + 3000;
	for (;;) {
		const text = opts.errlog ? server.errlog() : server.output();
		const lines = parseLines(text, { prefixed: opts.errlog });
		const hit = lines.filter((o) => Object.entries(want).every(([k, v]) => o[k] === v));
		if (hit.length >= (opts.count ?? 1)) {
			for (const o of hit) {
				assert.equal(o.level, "info", o.line);
				assert.equal(typeof o.pid, "number");
				assert.match(o.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
				assert.equal(o.client, "127.0.0.1", o.line);
				// Under a millisecond (the authorizer without a cookie) it is left out.
				assert.ok(o.duration_ms === undefined || o.duration_ms > 0, o.line);
			}
			return hit[hit.length - 1];
		}
		if (Date.now() > deadline) assert.fail(`no ${JSON.stringify(want)} line in:\n${lines.map((o) => o.line).join("\n")}`);
		await sleep(50);
	}
}

/** Signs in; the Cookie header of the new session, its token recorded as a secret. */
async function signIn(url, email, password) {
	const r = await postJSON(url, "/api/auth/sign-in/email", { email, password });
	assert.equal(r.status, 200, r.body);
	return keep(r);
}
function keep(r) {
	const jar = new CookieJar();
	jar.store(r.setCookies);
	for (const n of jar.names()) {
		secrets.add(jar.get(n));
		secrets.add(decodeURIComponent(jar.get(n)).split(".")[0]);
	}
	if (r.json().token) secrets.add(r.json().token);
	return jar.header();
}
const tokenOf = (cookie) => decodeURIComponent(cookie.match(/session_token=([^;]+)/)[1]).split(".")[0];
const newEmail = (tag) => { const e = uniqueEmail(tag); emails.add(e); return e; };

const readMails = new Set();
/** The link in the next mail to `to` not read yet (mails go out after the answer). */
async function mailLink(to) {
	const s = await mp.waitFor((m) => !readMails.has(m.ID) && m.To.some((a) => a.Address === to), 5000);
	assert.ok(s, `a mail to ${to}`);
	readMails.add(s.ID);
	const link = (await mp.api(`/message/${s.ID}`)).Text.match(/https?:\/\/\S+/)[0];
	secrets.add(link);
	return new URL(link);
}

before(async () => {
	ferret = await startFerret();
	mp = await startMailpit();
	name = dbName("events");
	const base = { MONGODB_URI: ferret.uri, MONGODB_DB: name, FCGI_AUTH_LOG_FORMAT: "json" };
	srv = await startFcgi({
		...base, FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${mp.smtpPort}`, FCGI_AUTH_MAIL_FROM: "fcgi-auth <noreply@example.com>",
		FCGI_AUTH_CHANGE_EMAIL: "1", FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION: "1", FCGI_AUTH_DELETE_USER: "1",
		FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET: "1",
	}, { server: "lighttpd" });
	// The same store, requireEmailVerification on.
	strict = await startFcgi({ ...base, FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION: "1" }, { server: "lighttpd" });
	// A store that is not there.
	down = await startFcgi({ ...base, MONGODB_URI: `mongodb://127.0.0.1:${await freePort()}/`, FCGI_AUTH_DB_TIMEOUT_MS: "300" }, { server: "lighttpd" });
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close();
	for (const s of [srv, strict, down]) await s?.stop();
	await mp?.stop();
	await ferret?.stop();
});

describe("security events (lighttpd)", () => {
	it("sign-up, sign-in and their failures", async () => {
		const email = newEmail("ev-up");
		assert.equal((await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ev", email, password: PW })).status, 200);
		await findEvent(srv, { event: "sign_up", outcome: "ok", status: 200, program: "signup" });
		assert.equal((await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ev", email, password: PW })).status, 422);
		await findEvent(srv, { event: "sign_up_failed", outcome: "user_exists", status: 422 });
		assert.equal((await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ev", email: newEmail("ev-short"), password: "short" })).status, 400);
		await findEvent(srv, { event: "sign_up_failed", outcome: "invalid_request", status: 400 });
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: "wrong password 41" })).status, 401);
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email: newEmail("ev-nobody"), password: PW })).status, 401);
		await findEvent(srv, { event: "sign_in_failed", outcome: "invalid_credentials", status: 401, program: "signin" }, { count: 2 });
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email: "not-an-email", password: PW })).status, 400);
		await findEvent(srv, { event: "sign_in_failed", outcome: "invalid_request", status: 400 });
		await signIn(srv.url, email, PW);
		const ok = await findEvent(srv, { event: "sign_in", outcome: "ok", status: 200 });
		assert.equal(ok.request_id, undefined, "lighttpd gives no UNIQUE_ID");
		assert.ok(ok.duration_ms > 20, `a sign-in hashes: ${ok.line}`);
		// requireEmailVerification: an unverified user, a taken address (200, as Better Auth)
		assert.equal((await postJSON(strict.url, "/api/auth/sign-in/email", { email, password: PW })).status, 403);
		await findEvent(strict, { event: "sign_in_failed", outcome: "email_not_verified", status: 403 });
		assert.equal((await postJSON(strict.url, "/api/auth/sign-up/email", { name: "Ev", email, password: PW })).status, 200);
		await findEvent(strict, { event: "sign_up_failed", outcome: "user_exists", status: 200 });
	});

	it("sessions revoked, password changed, sign-out", async () => {
		const email = newEmail("ev-sess");
		assert.equal((await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ev", email, password: PW })).status, 200);
		const c1 = await signIn(srv.url, email, PW), c2 = await signIn(srv.url, email, PW), c3 = await signIn(srv.url, email, PW);
		const post = (p, body, cookie) => postJSON(srv.url, p, body, { Cookie: cookie });
		assert.equal((await post("/api/auth/revoke-session", { token: tokenOf(c3) }, c1)).status, 200);
		await findEvent(srv, { event: "session_revoked", outcome: "revoke_session", status: 200, program: "sessions" });
		assert.equal((await post("/api/auth/revoke-other-sessions", {}, c1)).status, 200);
		await findEvent(srv, { event: "session_revoked", outcome: "revoke_other_sessions", status: 200 });
		assert.equal((await request(srv.url, "/api/auth/get-session", { headers: { Cookie: c2 } })).body, "null");
		assert.equal((await post("/api/auth/change-password", { currentPassword: "wrong password 41", newPassword: PW2 }, c1)).status, 400);
		await findEvent(srv, { event: "password_change_failed", outcome: "invalid_password", status: 400, program: "password" });
		const ch = await post("/api/auth/change-password", { currentPassword: PW, newPassword: PW2, revokeOtherSessions: true }, c1);
		assert.equal(ch.status, 200, ch.body);
		const c4 = keep(ch);
		await findEvent(srv, { event: "password_changed", outcome: "ok", status: 200 });
		await findEvent(srv, { event: "session_revoked", outcome: "password_changed", status: 200 });
		assert.equal((await post("/api/auth/revoke-sessions", {}, c4)).status, 200);
		await findEvent(srv, { event: "session_revoked", outcome: "revoke_sessions", status: 200 });
		const c5 = await signIn(srv.url, email, PW2);
		assert.equal((await post("/api/auth/sign-out", {}, c5)).status, 200);
		await findEvent(srv, { event: "sign_out", outcome: "ok", status: 200, program: "signout" });
		assert.equal((await post("/api/auth/sign-out", {}, c5)).status, 200);
		await findEvent(srv, { event: "sign_out", outcome: "no_session", status: 200 });
	});

	it("e-mail changed and verified, password reset requested and done, user deleted", async () => {
		const first = newEmail("ev-mail"), second = newEmail("ev-mail2"), third = newEmail("ev-mail3");
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ev", email: first, password: PW });
		assert.equal(up.status, 200);
		let cookie = keep(up);
		// unverified: the address changes at once, and the new one gets a verification link
		let r = await postJSON(srv.url, "/api/auth/change-email", { newEmail: second }, { Cookie: cookie });
		assert.equal(r.status, 200, r.body);
		await findEvent(srv, { event: "email_changed", outcome: "without_verification", status: 200, program: "mail" });
		let link = await mailLink(second);
		r = await request(srv.url, link.pathname + link.search);
		assert.equal(r.status, 302, r.body); // to the callbackURL
		await findEvent(srv, { event: "email_verified", outcome: "ok", status: 302 });
		// verified: the change waits for the link mailed to the new address
		r = await postJSON(srv.url, "/api/auth/change-email", { newEmail: third }, { Cookie: cookie });
		assert.equal(r.status, 200, r.body);
		link = await mailLink(third);
		r = await request(srv.url, link.pathname + link.search);
		assert.equal(r.status, 302, r.body);
		await findEvent(srv, { event: "email_changed", outcome: "verified", status: 302 });
		// password reset
		assert.equal((await postJSON(srv.url, "/api/auth/request-password-reset", { email: newEmail("ev-nobody2") })).status, 200);
		await findEvent(srv, { event: "password_reset_requested", outcome: "unknown_email", status: 200 });
		assert.equal((await postJSON(srv.url, "/api/auth/request-password-reset", { email: third })).status, 200);
		await findEvent(srv, { event: "password_reset_requested", outcome: "ok", status: 200 });
		const token = (await mailLink(third)).pathname.match(/reset-password\/([A-Za-z0-9]{24})$/)[1];
		secrets.add(token);
		assert.equal((await postJSON(srv.url, "/api/auth/reset-password", { newPassword: PW3, token })).status, 200);
		await findEvent(srv, { event: "password_reset", outcome: "ok", status: 200 });
		await findEvent(srv, { event: "session_revoked", outcome: "password_reset", status: 200 });
		assert.equal((await postJSON(srv.url, "/api/auth/reset-password", { newPassword: PW3, token })).status, 400);
		await findEvent(srv, { event: "password_reset_failed", outcome: "invalid_token", status: 400 });
		// deletion
		cookie = await signIn(srv.url, third, PW3);
		r = await postJSON(srv.url, "/api/auth/delete-user", { password: PW3 }, { Cookie: cookie });
		assert.equal(r.status, 200, r.body);
		await findEvent(srv, { event: "user_deleted", outcome: "ok", status: 200, program: "account" });
	});

	it("access denied at the authorizer: no session, no role, banned", async () => {
		const email = newEmail("ev-authz");
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ev", email, password: PW });
		const cookie = keep(up);
		assert.equal((await request(srv.url, "/demo/whoami")).status, 401);
		await findEvent(srv, { event: "access_denied", outcome: "unauthorized", status: 401, program: "session" });
		assert.equal((await request(srv.url, "/demo/admin", { headers: { Cookie: cookie } })).status, 403);
		await findEvent(srv, { event: "access_denied", outcome: "forbidden", status: 403 });
		await db.collection("user").updateOne({ _id: new ObjectId(up.json().user.id) }, { $set: { banned: true } });
		assert.equal((await request(srv.url, "/demo/whoami", { headers: { Cookie: cookie } })).status, 403);
		await findEvent(srv, { event: "access_denied", outcome: "banned", status: 403 });
	});

	it("store unavailable", async () => {
		assert.equal((await postJSON(down.url, "/api/auth/sign-in/email", { email: newEmail("ev-down"), password: PW })).status, 503);
		await findEvent(down, { event: "store_unavailable", status: 503, program: "signin" });
	});

	it("no email, password, token or cookie in any line", () => {
		const text = [srv, strict, down].map((s) => s.output() + s.errlog()).join("");
		for (const s of [...secrets, ...emails].filter((x) => x && x.length >= 8)) {
			for (const f of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])) {
				assert.ok(!text.includes(f), `${JSON.stringify(s)} is in a log line:\n${text.split("\n").find((l) => l.includes(f))}`);
			}
		}
	});
});

describe("security events (Apache): request_id from mod_unique_id", () => {
	let apache;
	before(async () => { apache = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name, FCGI_AUTH_LOG_FORMAT: "json" }, { server: "apache" }); });
	after(async () => { await apache?.stop(); });

	it("the authorizer's and a program's event lines carry the request's UNIQUE_ID", async () => {
		assert.equal((await request(apache.url, "/demo/whoami")).status, 401);
		assert.equal((await request(apache.url, "/demo/whoami")).status, 401);
		const denied = await findEvent(apache, { event: "access_denied", outcome: "unauthorized", status: 401 }, { errlog: true, count: 2 });
		assert.match(denied.request_id, /^[A-Za-z0-9@_-]{20,}$/, denied.line);
		const ids = parseLines(apache.errlog(), { prefixed: true }).filter((o) => o.event === "access_denied").map((o) => o.request_id);
		assert.equal(new Set(ids).size, ids.length, "one id per request");
		assert.equal((await postJSON(apache.url, "/api/auth/sign-in/email", { email: newEmail("ev-ap"), password: PW })).status, 401);
		const failed = await findEvent(apache, { event: "sign_in_failed", outcome: "invalid_credentials", status: 401 }, { errlog: true });
		assert.match(failed.request_id, /^[A-Za-z0-9@_-]{20,}$/, failed.line);
	});
});
