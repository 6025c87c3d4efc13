// The programs' settings (BETTER_AUTH_SECRET, MONGODB_URI and every other of
// README "Configuration") reach our programs only: the protected demo
// backend /demo/whoami, another program of the same web server, sees none of
// them, neither among its request variables nor in its process environment.
// Every set-up we ship (the drop-in apache-conf/fcgi-auth.conf included),
// whatever FCGI_AUTH_SERVER says.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
	startFerret, startFcgi, dbName, request, signUpUser, SETUPS, APP_SETTINGS, SECRET,
} from "../lib/stack.mjs";

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

for (const server of SETUPS) {
	describe(`settings scoped to our programs under ${server}`, () => {
		let srv, cookie;
		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`scope-${server}`) }, { server });
			({ cookie } = await signUpUser(srv.url, "scope"));
		});
		after(async () => { await srv?.stop(); });

		it("/demo/whoami gets no setting of ours", async () => {
			const r = await request(srv.url, "/demo/whoami?env", { headers: { Cookie: cookie } });
			assert.equal(r.status, 200, r.body);
			const got = r.json();
			assert.ok(got.params.includes("GATEWAY_INTERFACE") || got.params.includes("REQUEST_METHOD"),
				`the backend lists its variables: ${r.body}`);
			const names = [...got.params, ...got.processEnv];
			const ours = names.filter((n) => APP_SETTINGS.includes(n) || /^(BETTER_AUTH|FCGI_AUTH|MONGODB)_/.test(n));
			assert.deepEqual(ours, [], `settings that reached the backend: ${ours}`);
			assert.ok(!r.body.includes(SECRET), "the secret");
			assert.ok(!r.body.includes(ferret.uri.replace(/\/$/, "")), "the database URI");
		});

		it("and our programs still get them (a session and the authorizer work)", async () => {
			const s = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie } });
			assert.equal(s.status, 200, s.body);
			assert.ok(s.json()?.user, s.body);
			assert.equal((await request(srv.url, "/demo/whoami", { headers: { Cookie: cookie } })).status, 200);
		});
	});
}
