// Session expiry and sliding refresh with short lifetimes from the environment:
// FCGI_AUTH_SESSION_EXPIRES_IN=6, FCGI_AUTH_SESSION_UPDATE_AGE=2 (spec §2.3, §6.2, §6.3).
// One timeline, ~9 s: A is refreshed at +2 s and outlives B, which is never refreshed.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createStack, request, postJSON, uniqueEmail, sleep, TARGET } from "../lib/stack.mjs";
import { expectJson, expectTokenCookie, clearedCookies, near } from "../lib/expect.mjs";

const EXPIRES_IN = 6, UPDATE_AGE = 2;
let st;
before(async () => {
	st = await createStack("expiry", {
		FCGI_AUTH_SESSION_EXPIRES_IN: String(EXPIRES_IN), FCGI_AUTH_SESSION_UPDATE_AGE: String(UPDATE_AGE),
	});
});
after(async () => { await st?.stop(); });

const sleepUntil = async (ms) => { const d = ms - Date.now(); if (d > 0) await sleep(d); };
const getSession = (cookie, q = "") => request(st.url, `/api/auth/get-session${q}`, { headers: { Cookie: cookie } });
const row = (token) => st.db.collection("session").findOne({ token });

describe(`expiry and sliding refresh (expiresIn=${EXPIRES_IN}s, updateAge=${UPDATE_AGE}s) [${TARGET}]`, () => {
	let a, b, tokA, tokB, rowA0, rowB0, refreshedExpiry;

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
		rowB0 = await row(tokB);
		near(rowA0.expiresAt, t0 + EXPIRES_IN * 1000, 1500, "A expiresAt");
		// (Better Auth computes expiresAt a few ms before it stamps createdAt.)
		near(rowA0.expiresAt, rowA0.createdAt.getTime() + EXPIRES_IN * 1000, 500, "A expiresAt − createdAt");
		near(rowB0.expiresAt, rowB0.createdAt.getTime() + EXPIRES_IN * 1000, 500, "B expiresAt − createdAt");
	});

	it("before updateAge has passed get-session does not refresh", async (t) => {
		const g = await getSession(a);
		assert.equal(g.status, 200);
		if (Date.now() > rowA0.createdAt.getTime() + UPDATE_AGE * 1000 - 200) {
			t.diagnostic("machine too slow: updateAge passed before the check; no-refresh assertion not applicable");
			return;
		}
		assert.deepEqual(g.setCookies, []);
		assert.equal(g.json().session.expiresAt, rowA0.expiresAt.toISOString());
		assert.equal((await row(tokA)).expiresAt.getTime(), rowA0.expiresAt.getTime());
	});

	it("after updateAge: expiresAt and updatedAt move to now + expiresIn, token cookie re-sent unchanged", async () => {
		await sleepUntil(rowA0.createdAt.getTime() + UPDATE_AGE * 1000 + 300);
		// disableRefresh=<anything non-empty> suppresses it, even "false".
		for (const q of ["?disableRefresh=true", "?disableRefresh=false"]) {
			const n = await getSession(a, q);
			assert.deepEqual(n.setCookies, [], q);
			assert.equal(n.json().session.expiresAt, rowA0.expiresAt.toISOString(), q);
		}
		const t = Date.now();
		const g = await getSession(a);
		assert.equal(g.status, 200);
		assert.equal(g.setCookies.length, 1, `refresh cookie: ${g.setCookies}`);
		expectTokenCookie(g.setCookies[0], { token: tokA, maxAge: EXPIRES_IN });
		assert.equal(g.setCookies[0].split(";")[0], a, "same token, same signature");
		const s = g.json().session;
		near(s.expiresAt, t + EXPIRES_IN * 1000, 1500, "refreshed expiresAt in the response");
		assert.ok(new Date(s.expiresAt) > rowA0.expiresAt);
		const r = await row(tokA);
		assert.equal(r.expiresAt.toISOString(), s.expiresAt, "db expiresAt = response");
		assert.equal(r.updatedAt.toISOString(), s.updatedAt, "db updatedAt = response");
		near(r.updatedAt, t, 1500, "updatedAt = now");
		assert.equal(r.createdAt.getTime(), rowA0.createdAt.getTime(), "createdAt unchanged");
		refreshedExpiry = r.expiresAt.getTime();
		// An immediate repeat does not refresh again (213).
		const again = await getSession(a);
		assert.deepEqual(again.setCookies, []);
		assert.equal(again.json().session.expiresAt, s.expiresAt);
	});

	it("an expired session reads as null, its cookies are cleared and its row deleted", async () => {
		await sleepUntil(rowB0.expiresAt.getTime() + 300);
		assert.ok(await row(tokB), "B still stored until it is read");
		const g = await getSession(b);
		expectJson(g, 200, "null");
		assert.equal(g.headers["cache-control"], "no-store");
		assert.deepEqual(g.setCookies, clearedCookies());
		assert.equal(await row(tokB), null, "expired row deleted");
		// A was refreshed and is still alive past B's end (read without refreshing it again).
		const ga = await getSession(a, "?disableRefresh=1");
		assert.equal(ga.status, 200);
		assert.equal(ga.json()?.session?.token, tokA, "refreshed session outlives the original lifetime");
		assert.deepEqual(ga.setCookies, []);
	});

	it("the refreshed session expires at its new expiresAt", async () => {
		await sleepUntil(refreshedExpiry + 300);
		const g = await getSession(a);
		expectJson(g, 200, "null");
		assert.deepEqual(g.setCookies, clearedCookies());
		assert.equal(await row(tokA), null);
		// Sign-in still works and starts a fresh session.
		const inn = await postJSON(st.url, "/api/auth/sign-in/email", { email: (await st.db.collection("user").findOne({})).email, password: "password123" });
		assert.equal(inn.status, 200);
	});
});
