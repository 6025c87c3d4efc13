// POST /delete-user and GET /delete-user/callback (accounts spec §3.16,
// §3.17), ours and the real Better Auth 1.7.25 side by side: off by default,
// the password / token / freshness rules, what a deletion removes (sessions,
// accounts, the user — and on ours the app's users/profiles documents), and
// the deletion by a mailed link: ours sends it through Mailpit, the
// reference's sendDeleteAccountVerification records it; each test follows
// the link from its own mail.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ObjectId } from "mongodb";
import { startFerret, startMailpit, makeClient, request, requireFcgiBuilt } from "../lib/stack.mjs";
import { Sides, shape, cookieShape, signUp, call, same, stale, PW } from "../lib/sides.mjs";

requireFcgiBuilt();
let ferret, all, mp, refLog;

before(async () => {
	ferret = await startFerret();
	all = new Sides(ferret.uri);
	mp = await startMailpit();
	refLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "refmail-")), "mail.jsonl");
});
after(async () => {
	await all?.stop();
	await mp?.stop();
	await ferret?.stop();
	if (refLog) fs.rmSync(path.dirname(refLog), { recursive: true, force: true });
});

const EXPIRED = [
	"better-auth.session_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
	"better-auth.session_data=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
	"better-auth.dont_remember=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
];
const DELETED = '{"success":true,"message":"User deleted"}';
const SENT = '{"success":true,"message":"Verification email sent"}';

/** What is left of user u on side s. */
async function left(s, u) {
	const id = new ObjectId(u.id);
	const n = (c, f) => s.db.collection(c).countDocuments(f);
	return { user: await n("user", { _id: id }), account: await n("account", { userId: id }), session: await n("session", { userId: id }) };
}

describe("delete-user when it is off (the default)", () => {
	let pair;
	before(async () => { pair = await all.start("deloff"); });

	it("401 without a session, else an empty 404 (840, 843); the callback's 404 NOT_FOUND (841, 842)", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			return [
				shape(await request(s.url, "/api/auth/delete-user", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })),
				shape(await call(s, u, "POST", "/api/auth/delete-user", {})),
				shape(await call(s, u, "GET", "/api/auth/delete-user/callback")),
				shape(await call(s, u, "GET", "/api/auth/delete-user/callback?token=abc")),
				await left(s, u),
			];
		});
		assert.equal(t[0].body, '{"message":"Unauthorized","code":"UNAUTHORIZED"}');
		assert.deepEqual([t[1].status, t[1].type, t[1].body], [404, "application/json", ""]);
		assert.equal(t[2].body, '{"message":"[query.token] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}');
		assert.equal(t[3].body, '{"message":"Not found","code":"NOT_FOUND"}');
		assert.deepEqual(t[4], { user: 1, account: 1, session: 1 });
	});
});

describe("delete-user with FCGI_AUTH_DELETE_USER=1", () => {
	let pair;
	before(async () => { pair = await all.start("del", { FCGI_AUTH_DELETE_USER: "1" }); });

	it("the failure table (1204–1208, 1219)", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const out = {};
			out.noBody = shape(await call(s, u, "POST", "/api/auth/delete-user"));
			out.wrong = shape(await call(s, u, "POST", "/api/auth/delete-user", { password: "wrong-password" }));
			out.long = shape(await call(s, u, "POST", "/api/auth/delete-user", { password: "x".repeat(129) }));
			out.number = shape(await call(s, u, "POST", "/api/auth/delete-user", { password: 5 }));
			out.callback = shape(await call(s, u, "POST", "/api/auth/delete-user", { callbackURL: "http://evil.example/x" }));
			out.token = shape(await call(s, u, "POST", "/api/auth/delete-user", { token: "0123456789abcdefghijklmnopqrstuv" }));
			out.origin = shape(await call(s, u, "POST", "/api/auth/delete-user", {}, { Origin: "http://evil.example" }));
			out.noCookie = shape(await request(s.url, "/api/auth/delete-user", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }));
			await stale(s, u);
			out.stale = shape(await call(s, u, "POST", "/api/auth/delete-user", {}));
			out.left = await left(s, u);
			return out;
		});
		assert.equal(t.noBody.body, '{"message":"[body] Invalid input: expected object, received undefined","code":"VALIDATION_ERROR"}');
		assert.equal(t.wrong.body, '{"message":"Invalid password","code":"INVALID_PASSWORD"}');
		assert.equal(t.long.body, '{"message":"Password too long","code":"PASSWORD_TOO_LONG"}');
		assert.equal(t.number.body, '{"message":"[body.password] Invalid input: expected string, received number","code":"VALIDATION_ERROR"}');
		assert.deepEqual([t.callback.status, t.callback.body], [403, '{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}']);
		assert.deepEqual([t.token.status, t.token.body], [404, '{"message":"Invalid token","code":"INVALID_TOKEN"}']);
		assert.equal(t.origin.body, '{"message":"Invalid origin","code":"INVALID_ORIGIN"}');
		assert.equal(t.noCookie.status, 401);
		assert.equal(t.stale.body, '{"message":"Session expired. Re-authenticate to perform this action.","code":"SESSION_EXPIRED"}');
		assert.deepEqual(t.left, { user: 1, account: 1, session: 1 });
	});

	it("the official client, fresh session: everything of the user goes, our app documents too (1209, 1210, 1211)", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const other = await signUp(s, { tag: "d" });
			const again = makeClient(s.url);
			await again.client.signIn.email({ email: u.email, password: PW });
			const r = await u.client.deleteUser();
			const out = { data: r.data, error: r.error, cookies: cookieShape(u.last().setCookies), left: await left(s, u) };
			out.otherSession = (await again.client.getSession()).data;
			out.signIn = (await again.client.signIn.email({ email: u.email, password: PW })).error?.status;
			out.other = await left(s, other);
			return out;
		});
		assert.deepEqual(t.data, { success: true, message: "User deleted" });
		assert.deepEqual(t.cookies, EXPIRED);
		assert.deepEqual(t.left, { user: 0, account: 0, session: 0 });
		assert.equal(t.otherSession, null);
		assert.equal(t.signIn, 401);
		assert.deepEqual(t.other, { user: 1, account: 1, session: 1 });
	});

	it("ours: the deleted user's users and profiles documents are gone, other users' stay", async () => {
		const ours = pair[0];
		const u = await signUp(ours);
		const other = await signUp(ours, { tag: "d" });
		const app = await ours.db.collection("users").findOne({ betterAuthUserId: u.id });
		assert.ok(app, "sign-up made the app user");
		assert.equal(await ours.db.collection("profiles").countDocuments({ userId: app._id }), 1);
		const r = await u.client.deleteUser({ password: PW });
		assert.deepEqual(r.data, { success: true, message: "User deleted" });
		assert.equal(await ours.db.collection("users").countDocuments({ betterAuthUserId: u.id }), 0);
		assert.equal(await ours.db.collection("profiles").countDocuments({ userId: app._id }), 0);
		assert.equal(await ours.db.collection("users").countDocuments({ betterAuthUserId: other.id }), 1);
	});

	it("an old session deletes with the password (1215), and a dont_remember session's cookies all expire", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s, { rememberMe: false });
			await stale(s, u);
			const r = await call(s, u, "POST", "/api/auth/delete-user", { password: PW });
			return [shape(r), await left(s, u)];
		});
		assert.equal(t[0].body, DELETED);
		assert.deepEqual(t[0].cookies, EXPIRED);
		assert.deepEqual(t[1], { user: 0, account: 0, session: 0 });
	});
});

describe("deletion by a mailed link (FCGI_AUTH_DELETE_USER_VERIFICATION=1)", () => {
	let pair;
	before(async () => {
		pair = await all.start("delmail", {
			FCGI_AUTH_DELETE_USER: "1", FCGI_AUTH_DELETE_USER_VERIFICATION: "1",
			FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${mp.smtpPort}`, FCGI_AUTH_MAIL_FROM: "Accounts <accounts@example.com>",
			REFERENCE_MAIL_LOG: refLog,
		});
	});

	/** The link of the newest deletion mail to u (ours: Mailpit; reference: its log). */
	async function link(s, u, count = 1) {
		if (s.kind === "ref") {
			const lines = fs.readFileSync(refLog, "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((m) => m.to === u.email);
			assert.equal(lines.length, count, "reference mails");
			return lines.at(-1).url;
		}
		const deadline = Date.now() + 5000;
		for (;;) {
			const { messages } = await mp.api("/messages?limit=200");
			const mine = messages.filter((m) => m.To.some((a) => a.Address === u.email));
			if (mine.length >= count) {
				assert.equal(mine.length, count, "our mails");
				const msg = await mp.api(`/message/${mine[0].ID}`); // newest first
				assert.equal(msg.Subject.length > 0, true);
				const m = msg.Text.match(/https?:\/\/\S+\/api\/auth\/delete-user\/callback\?\S+/);
				assert.ok(m, `no link in ${msg.Text}`);
				return m[0];
			}
			assert.ok(Date.now() < deadline, `no mail to ${u.email}`);
			await new Promise((r) => setTimeout(r, 50));
		}
	}
	const pathOf = (url) => { const x = new URL(url); return x.pathname + x.search; };

	it("the mail, then its link: 302 to callbackURL with the cookies expired (1254, 1260)", async () => {
		const t = await same(pair, async (s) => {
			const u = await signUp(s);
			const r = await u.client.deleteUser({ callbackURL: "/goodbye" });
			const row = await s.db.collection("verification").findOne({ value: u.id });
			const url = await link(s, u);
			const token = new URL(url).searchParams.get("token");
			const noSession = shape(await request(s.url, pathOf(url)));
			const foreign = shape(await call(s, u, "GET", `/api/auth/delete-user/callback?token=${token}&callbackURL=http%3A%2F%2Fevil.example%2F`));
			const before = await left(s, u);
			const follow = await call(s, u, "GET", pathOf(url));
			return {
				data: r.data, url: url.replace(s.url, "<base>").replace(/token=[0-9a-z]{32}&/, "token=<t>&"),
				row: [row.identifier === `delete-account-${token}`, /^delete-account-[0-9a-z]{32}$/.test(row.identifier),
					Math.round((row.expiresAt - row.createdAt) / 1000)],
				noSession, foreign, before, follow: { ...shape(follow), location: follow.headers.location }, after: await left(s, u),
				rowLeft: await s.db.collection("verification").countDocuments({ value: u.id }),
			};
		});
		assert.deepEqual(t.data, { success: true, message: "Verification email sent" });
		assert.equal(t.url, "<base>/api/auth/delete-user/callback?token=<t>&callbackURL=%2Fgoodbye");
		assert.deepEqual(t.row, [true, true, 86400]);
		assert.deepEqual([t.noSession.status, t.noSession.body], [404, '{"message":"Failed to get user info","code":"FAILED_TO_GET_USER_INFO"}']);
		assert.deepEqual([t.foreign.status, t.foreign.body], [403, '{"message":"Invalid callbackURL","code":"INVALID_CALLBACK_URL"}']);
		assert.deepEqual(t.before, { user: 1, account: 1, session: 1 });
		assert.deepEqual([t.follow.status, t.follow.type, t.follow.body, t.follow.location], [302, "application/json", "", "/goodbye"]);
		assert.deepEqual(t.follow.cookies, EXPIRED);
		assert.deepEqual(t.after, { user: 0, account: 0, session: 0 });
		assert.equal(t.rowLeft, 0);
	});

	it("a password is still checked and does not skip the mail; the JSON callback; POST with the token (1255, 1256, 1261, 1268)", async () => {
		const t = await same(pair, async (s) => {
			const a = await signUp(s), b = await signUp(s);
			const out = {};
			out.wrong = shape(await call(s, a, "POST", "/api/auth/delete-user", { password: "wrong-password" }));
			out.right = shape(await call(s, a, "POST", "/api/auth/delete-user", { password: PW }));
			// Without callbackURL the callback answers JSON (the mailed link always has one: "/").
			out.json = shape(await call(s, a, "GET", pathOf(await link(s, a)).replace(/&callbackURL=.*$/, "")));
			out.a = await left(s, a);
			out.req = shape(await call(s, b, "POST", "/api/auth/delete-user", {}));
			const token = new URL(await link(s, b)).searchParams.get("token");
			out.post = shape(await call(s, b, "POST", "/api/auth/delete-user", { token }));
			out.b = await left(s, b);
			return out;
		});
		assert.equal(t.wrong.body, '{"message":"Invalid password","code":"INVALID_PASSWORD"}');
		assert.equal(t.right.body, SENT);
		assert.equal(t.json.body, DELETED);
		assert.deepEqual(t.json.cookies, EXPIRED);
		assert.deepEqual(t.a, { user: 0, account: 0, session: 0 });
		assert.equal(t.req.body, SENT);
		assert.equal(t.post.body, DELETED);
		assert.deepEqual(t.b, { user: 0, account: 0, session: 0 });
	});

	it("a wrong, foreign or expired token: 404 INVALID_TOKEN, and a foreign token is used up (1257, 1263, 1264, 1266)", async () => {
		const t = await same(pair, async (s) => {
			const carol = await signUp(s), dave = await signUp(s);
			const out = {};
			out.wrong = shape(await call(s, dave, "GET", "/api/auth/delete-user/callback?token=0123456789abcdefghijklmnopqrstuv"));
			out.missing = shape(await call(s, dave, "GET", "/api/auth/delete-user/callback?callbackURL=%2F"));
			out.twice = shape(await call(s, dave, "GET", "/api/auth/delete-user/callback?token=a&token=b"));
			await call(s, carol, "POST", "/api/auth/delete-user", {});
			const carolLink = pathOf(await link(s, carol));
			out.foreign = shape(await call(s, dave, "GET", carolLink));
			out.carolLater = shape(await call(s, carol, "GET", carolLink));
			await call(s, dave, "POST", "/api/auth/delete-user", {});
			const daveToken = new URL(await link(s, dave)).searchParams.get("token");
			await s.db.collection("verification").updateMany({ value: dave.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
			out.expired = shape(await call(s, dave, "POST", "/api/auth/delete-user", { token: daveToken }));
			out.rows = await s.db.collection("verification").countDocuments({ value: { $in: [carol.id, dave.id] } });
			out.users = [await left(s, carol), await left(s, dave)];
			return out;
		});
		const invalid = [404, '{"message":"Invalid token","code":"INVALID_TOKEN"}'];
		assert.deepEqual([t.wrong.status, t.wrong.body], invalid);
		assert.equal(t.missing.body, '{"message":"[query.token] Invalid input: expected string, received undefined","code":"VALIDATION_ERROR"}');
		assert.equal(t.twice.body, '{"message":"[query.token] Invalid input: expected string, received array","code":"VALIDATION_ERROR"}');
		assert.deepEqual([t.foreign.status, t.foreign.body], invalid);
		assert.deepEqual([t.carolLater.status, t.carolLater.body], invalid);
		assert.deepEqual([t.expired.status, t.expired.body], invalid);
		assert.equal(t.rows, 0);
		assert.deepEqual(t.users, [{ user: 1, account: 1, session: 1 }, { user: 1, account: 1, session: 1 }]);
	});
});
