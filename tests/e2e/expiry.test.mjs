// Session expiry and sliding refresh with lifetimes from the environment:
// FCGI_AUTH_SESSION_EXPIRES_IN=600, FCGI_AUTH_SESSION_UPDATE_AGE=120 (spec §2.3, §6.2, §6.3).
// The clock is injected: advance(s) moves every session row's dates s seconds into
// the past, as if s seconds had gone by, so the timeline does not depend on how fast
// the machine is. One timeline: A is refreshed after updateAge and outlives B, which
// is never refreshed.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createStack, request, postJSON, uniqueEmail, TARGET } from "../lib/stack.mjs";
import { expectJson, expectTokenCookie, clearedCookies, near } from "../lib/expect.mjs";

const EXPIRES_IN = 600, UPDATE_AGE = 120;
let st;
before(async () => {
	st = await createStack("expiry", {
		FCGI_AUTH_SESSION_EXPIRES_IN: String(EXPIRES_IN), FCGI_AUTH_SESSION_UPDATE_AGE: String(UPDATE_AGE),
	});
});
after(async () => { await st?.stop(); });

const getSession = (cookie, q = "") => request(st.url, `/api/auth/get-session${q}`, { headers: { Cookie: cookie } });
const row = (token) => st.db.collection("session").findOne({ token });
const past = (d, s) => new Date(d.getTime() - s * 1000);
let elapsed = 0; // seconds advance() has moved the clock
/** s seconds go by: every session row's dates move s seconds back. */
async function advance(s) {
	elapsed += s;
	const sessions = st.db.collection("session");
	for (const r of await sessions.find({}).toArray()) {
		await sessions.updateOne({ _id: r._id }, {
			$set: { expiresAt: past(r.expiresAt, s), createdAt: past(r.createdAt, s), updatedAt: past(r.updatedAt, s) },
		});
	}
}

describe(`expiry and sliding refresh (expiresIn=${EXPIRES_IN}s, updateAge=${UPDATE_AGE}s) [${TARGET}]`, () => {
	let a, b, tokA, tokB, rowA0;

	it("sessions are created with expiresAt = now + expiresIn and cookie Max-Age = expiresIn", async () => {
		const email = uniqueEmail("exp");
		const t0 = Date.now();
		const up = await postJSON(st.url, "/api/auth/sign-up/email", { name: "Exp", email, password: "password123" });
		assert.equal(up.status, 200, up.body);
		tokA = expectTokenCookie(up.setCookies[0], { maxAge: EXPIRES_IN });
		a = up.setCookies[0].split(";")[0];
		const inn = await postJSON(st.url, "/api/auth/sign-in/email", { email, password: "password123" });
		assert.equal(inn.status, 200, inn.body);
		tokB = expectTokenCookie(inn.setCookies[0], { maxAge: EXPIRES_IN });
		b = inn.setCookies[0].split(";")[0];
		rowA0 = await row(tokA);
		const rowB0 = await row(tokB);
		near(rowA0.expiresAt, t0 + EXPIRES_IN * 1000, 1500, "A expiresAt");
		// (Better Auth computes expiresAt a few ms before it stamps createdAt.)
		near(rowA0.expiresAt, rowA0.createdAt.getTime() + EXPIRES_IN * 1000, 500, "A expiresAt − createdAt");
		near(rowB0.expiresAt, rowB0.createdAt.getTime() + EXPIRES_IN * 1000, 500, "B expiresAt − createdAt");
	});

	it("before updateAge has passed get-session does not refresh", async () => {
		await advance(UPDATE_AGE - 30); // refresh due in 30 s
		const aged = await row(tokA);
		const g = await getSession(a);
		assert.equal(g.status, 200);
		assert.deepEqual(g.setCookies, []);
		assert.equal(g.json().session.expiresAt, aged.expiresAt.toISOString());
		assert.equal((await row(tokA)).expiresAt.getTime(), aged.expiresAt.getTime());
	});

	it("after updateAge: expiresAt and updatedAt move to now + expiresIn, token cookie re-sent unchanged", async () => {
		await advance(60); // refresh due 30 s ago
		const aged = await row(tokA);
		// disableRefresh=<anything non-empty> suppresses it, even "false".
		for (const q of ["?disableRefresh=true", "?disableRefresh=false"]) {
			const n = await getSession(a, q);
			assert.deepEqual(n.setCookies, [], q);
			assert.equal(n.json().session.expiresAt, aged.expiresAt.toISOString(), q);
		}
		const t = Date.now();
		const g = await getSession(a);
		assert.equal(g.status, 200);
		assert.equal(g.setCookies.length, 1, `refresh cookie: ${g.setCookies}`);
		expectTokenCookie(g.setCookies[0], { token: tokA, maxAge: EXPIRES_IN });
		assert.equal(g.setCookies[0].split(";")[0], a, "same token, same signature");
		const s = g.json().session;
		near(s.expiresAt, t + EXPIRES_IN * 1000, 1500, "refreshed expiresAt in the response");
		assert.ok(new Date(s.expiresAt) > aged.expiresAt);
		const r = await row(tokA);
		assert.equal(r.expiresAt.toISOString(), s.expiresAt, "db expiresAt = response");
		assert.equal(r.updatedAt.toISOString(), s.updatedAt, "db updatedAt = response");
		near(r.updatedAt, t, 1500, "updatedAt = now");
		assert.equal(r.createdAt.getTime(), aged.createdAt.getTime(), "createdAt unchanged");
		// An immediate repeat does not refresh again (213).
		const again = await getSession(a);
		assert.deepEqual(again.setCookies, []);
		assert.equal(again.json().session.expiresAt, s.expiresAt);
	});

	it("an expired session reads as null, its cookies are cleared and its row deleted", async () => {
		await advance(EXPIRES_IN - UPDATE_AGE); // B (never refreshed) ended 30 s ago
		assert.ok((await row(tokB)).expiresAt < new Date(), "B is past its expiresAt");
		const g = await getSession(b);
		expectJson(g, 200, "null");
		assert.equal(g.headers["cache-control"], "no-store");
		assert.deepEqual(g.setCookies, clearedCookies());
		assert.equal(await row(tokB), null, "expired row deleted");
		// A was refreshed and is still alive past B's end (read without refreshing it again).
		assert.ok(rowA0.expiresAt.getTime() - elapsed * 1000 < Date.now(), "A's first expiresAt has passed");
		const ga = await getSession(a, "?disableRefresh=1");
		assert.equal(ga.status, 200);
		assert.equal(ga.json()?.session?.token, tokA, "refreshed session outlives the original lifetime");
		assert.deepEqual(ga.setCookies, []);
	});

	it("the refreshed session expires at its new expiresAt", async () => {
		await advance(UPDATE_AGE + 30); // A's refreshed lifetime ended 30 s ago
		assert.ok((await row(tokA)).expiresAt < new Date(), "A is past its refreshed expiresAt");
		const g = await getSession(a);
		expectJson(g, 200, "null");
		assert.deepEqual(g.setCookies, clearedCookies());
		assert.equal(await row(tokA), null);
		// Sign-in still works and starts a fresh session.
		const inn = await postJSON(st.url, "/api/auth/sign-in/email", { email: (await st.db.collection("user").findOne({})).email, password: "password123" });
		assert.equal(inn.status, 200);
	});
});
