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
import { forgedBatches } from "../lib/identity.mjs";

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

		it("/demo/whoami sees the authorizer's identity and none of the client's", async () => {
			const batches = forgedBatches();
			assert.ok(batches.flatMap(Object.keys).length >= 80, "enough spellings");
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
