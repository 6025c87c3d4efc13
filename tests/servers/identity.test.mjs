// No client-sent header reaches a protected backend under a name that
// collides with what the authorizer vouches for (AUTH_USER_ID,
// AUTH_USER_EMAIL, REMOTE_USER, and the X-User-Id / X-User-Email headers the
// README's proxy recipes set), whatever its spelling: lighttpd folds every
// character that is not a letter or digit to "_" (X.User.Id, X~User~Id and
// X+User+Id all arrive as HTTP_X_USER_ID), and CGI-style frameworks behind a
// proxy fold the same way. Every set-up we ship (the drop-in
// apache-conf/fcgi-auth.conf included), whatever FCGI_AUTH_SERVER says; the reverse-proxied application is tests/servers/proxy.test.mjs.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, dbName, request, signUpUser, SETUPS } from "../lib/stack.mjs";
import { forgedBatches, freshSpellings } from "../lib/identity.mjs";

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

for (const server of SETUPS) {
	describe(`identity headers in any spelling under ${server}`, () => {
		let srv, user, cookie;
		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`ident-${server}`) }, { server });
			({ user, cookie } = await signUpUser(srv.url, "ident"));
		});
		after(async () => { await srv?.stop(); });

		async function noneReaches(batches) {
			for (const forged of batches) {
				const r = await request(srv.url, "/demo/whoami?env", { headers: { Cookie: cookie, ...forged } });
				assert.equal(r.status, 200, `${Object.keys(forged)}: ${r.body}`);
				const got = r.json();
				assert.equal(got.userId, user.id);
				assert.equal(got.email, user.email);
				assert.equal(got.xUserIdHeader, null);
				assert.ok(got.remoteUser === null || got.remoteUser === user.id, `REMOTE_USER ${got.remoteUser}`);
				const leaked = Object.entries(got.headers).filter(([, v]) => /forged-/.test(v));
				assert.deepEqual(leaked, [], `client headers that reached the backend: ${JSON.stringify(leaked)}`);
				assert.doesNotMatch(r.body, /forged-/);
			}
		}

		it("/demo/whoami sees the authorizer's identity and none of the client's", async () => {
			const batches = forgedBatches();
			assert.ok(batches.flatMap(Object.keys).length >= 80, "enough spellings");
			await noneReaches(batches);
			// lighttpd's script keeps each name's verdict: the same names again, now known
			await noneReaches(batches);
		});

		it("after hundreds of other header names, new spellings are still removed", async () => {
			// lighttpd's script keeps at most 256 verdicts: fill that table with
			// harmless names (which must still arrive), then send spellings it
			// has never seen, which it can no longer keep and must fold each time
			for (let round = 0; round < 6; round++) {
				const filler = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`X-Filler-${round}-${i}`, `kept-${round}-${i}`]));
				const r = await request(srv.url, "/demo/whoami?env", { headers: { Cookie: cookie, ...filler } });
				assert.equal(r.status, 200, r.body);
				const h = r.json().headers;
				assert.equal(h[`HTTP_X_FILLER_${round}_49`], `kept-${round}-49`);
			}
			const fresh = freshSpellings();
			assert.ok(fresh.length >= 8, "enough fresh spellings");
			await noneReaches(forgedBatches(12, fresh));
			await noneReaches(forgedBatches(12, fresh));
		});

		it("other headers still reach the backend", async () => {
			const r = await request(srv.url, "/demo/whoami?env", {
				headers: { Cookie: cookie, "X-Request-Id": "kept-1", "X-User-Agent-Id": "kept-2", "User-Identity": "kept-3" },
			});
			assert.equal(r.status, 200, r.body);
			const h = r.json().headers;
			assert.equal(h.HTTP_X_REQUEST_ID, "kept-1");
			assert.equal(h.HTTP_X_USER_AGENT_ID, "kept-2");
			assert.equal(h.HTTP_USER_IDENTITY, "kept-3");
		});
	});
}
