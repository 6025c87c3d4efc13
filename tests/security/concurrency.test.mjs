// Races: many simultaneous sign-ups of one email make exactly one user and one
// credential account (the unique email index decides); simultaneous sign-ins
// each get a session of their own.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, mongo, dbName, postJSON, request, uniqueEmail, TOKEN_RE, applySchema } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
let ferret, srv, db;

before(async () => {
	ferret = await startFerret();
	const name = dbName("sec_race");
	applySchema(ferret.uri, name);
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

describe("concurrent requests", () => {
	it("50 parallel sign-ups of one email: one 200, 49 × 422, one user, one credential account", async () => {
		const email = uniqueEmail("race");
		const rs = await Promise.all(Array.from({ length: 50 }, (_, i) =>
			postJSON(srv.url, "/api/auth/sign-up/email", { name: `Racer ${i}`, email, password: PW }, { "User-Agent": `racer-${i}` })));
		const byStatus = {};
		for (const r of rs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
		assert.deepEqual(byStatus, { 200: 1, 422: 49 }, `statuses ${JSON.stringify(byStatus)}: ${rs.filter((r) => r.status !== 200 && r.status !== 422).map((r) => r.body).join(" | ")}`);
		for (const r of rs.filter((x) => x.status === 422)) {
			assert.ok(["USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "FAILED_TO_CREATE_USER"].includes(r.json().code), r.body);
			assert.deepEqual(r.setCookies, [], "a loser gets no cookie");
		}
		const win = rs.find((r) => r.status === 200).json();
		const users = await db.collection("user").find({ email }).toArray();
		assert.equal(users.length, 1, "exactly one user");
		assert.equal(users[0]._id.toHexString(), win.user.id);
		assert.equal(users[0].name, win.user.name, "the stored user is the winner's");
		const accounts = await db.collection("account").find({ userId: users[0]._id }).toArray();
		assert.equal(accounts.length, 1, "exactly one account");
		assert.equal(accounts[0].providerId, "credential");
		assert.equal(await db.collection("account").countDocuments({ accountId: win.user.id }), 1);
		const sessions = await db.collection("session").find({ userId: users[0]._id }).toArray();
		assert.equal(sessions.length, 1, "one session, the winner's");
		assert.equal(sessions[0].token, win.token);
		assert.equal(await db.collection("users").countDocuments({ betterAuthUserId: win.user.id }), 1, "one app user");
		// The winner's password works.
		const inn = await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW });
		assert.equal(inn.status, 200, inn.body);
		assert.equal(inn.json().user.id, win.user.id);
	});

	it("20 parallel sign-ins: 20 distinct tokens, 20 session rows, each cookie valid", async () => {
		const email = uniqueEmail("par");
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Par", email, password: PW });
		assert.equal(up.status, 200, up.body);
		const uid = up.json().user.id;
		const rs = await Promise.all(Array.from({ length: 20 }, () => postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW })));
		for (const r of rs) assert.equal(r.status, 200, r.body);
		const tokens = rs.map((r) => r.json().token);
		for (const t of tokens) assert.match(t, TOKEN_RE);
		assert.equal(new Set(tokens).size, 20, "distinct tokens");
		assert.ok(!tokens.includes(up.json().token));
		const rows = await db.collection("session").find({ token: { $in: tokens } }).toArray();
		assert.equal(rows.length, 20, "one row per token");
		for (const row of rows) assert.equal(row.userId.toHexString(), uid);
		assert.equal(await db.collection("session").countDocuments({ userId: rows[0].userId }), 21, "sign-up's + 20");
		// Each cookie resolves to its own session.
		const checks = await Promise.all(rs.slice(0, 5).map((r) =>
			request(srv.url, "/api/auth/get-session", { headers: { Cookie: r.setCookies[0].split(";")[0] } })));
		checks.forEach((c, i) => assert.equal(c.json().session.token, tokens[i]));
	});

	it("parallel sign-ups of case variants of one email: one user (emails are lower-cased before the unique index)", async () => {
		const email = uniqueEmail("case");
		const variants = [email, email.toUpperCase(), email[0].toUpperCase() + email.slice(1), email.replace("@", "@".toUpperCase()).replace(".com", ".COM")];
		const rs = await Promise.all(Array.from({ length: 12 }, (_, i) =>
			postJSON(srv.url, "/api/auth/sign-up/email", { name: "C", email: variants[i % variants.length], password: PW })));
		assert.deepEqual(rs.map((r) => r.status).sort(), [200, ...Array(11).fill(422)], rs.map((r) => r.body).join(" | "));
		assert.equal(await db.collection("user").countDocuments({ email }), 1);
		assert.equal(await db.collection("user").countDocuments({ email: { $in: variants.filter((v) => v !== email) } }), 0);
	});

	it("parallel sign-ups of different emails all succeed", async () => {
		const emails = Array.from({ length: 10 }, () => uniqueEmail("many"));
		const rs = await Promise.all(emails.map((email) => postJSON(srv.url, "/api/auth/sign-up/email", { name: "M", email, password: PW })));
		for (const r of rs) assert.equal(r.status, 200, r.body);
		assert.equal(await db.collection("user").countDocuments({ email: { $in: emails } }), 10);
		assert.equal(await db.collection("account").countDocuments({ accountId: { $in: rs.map((r) => r.json().user.id) } }), 10);
	});
});
