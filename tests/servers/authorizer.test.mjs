// The /demo/ authorizer under every web-server set-up we ship, whatever
// FCGI_AUTH_SERVER says: lighttpd (mod_fastcgi authorizer mode), lighttpd with
// CGI endpoints, Apache with mod_fcgid, mod_proxy_fcgi and mod_cgid (each with
// mod_authnz_fcgi asking the `session` program). The protected backend is
// build/demo/whoami, which reports AUTH_USER_ID, AUTH_USER_EMAIL and any
// X-User-Id header that reached it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import {
	startFerret, startFcgi, dbName, request, postJSON, uniqueEmail, signCookieValue, CookieJar,
	HEX24_RE, SERVERS,
} from "../lib/stack.mjs";

const PW = "correct horse battery staple";
const TOKEN = "better-auth.session_token";
// Every spelling a client might use to smuggle an identity to the backend.
const FORGED = ["X-User-Id", "x-user-id", "X-User_Id", "X_User-Id", "X_User_Id"];
const VICTIM = "0123456789abcdef01234567";

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

function expectUnauthorized(r, what) {
	assert.equal(r.status, 401, `${what}: status ${r.status} ${r.body.slice(0, 200)}`);
	assert.equal(r.headers["content-type"], "application/json", `${what}: content-type`);
	assert.deepEqual(JSON.parse(r.body), { message: "Unauthorized", code: "UNAUTHORIZED" }, what);
	assert.doesNotMatch(r.body, /userId/, `${what}: the backend did not answer`);
}

for (const server of SERVERS) {
	describe(`authorizer under ${server}`, () => {
		let srv, user, cookie;
		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`authz-${server}`) }, { server });
			fs.writeFileSync(path.join(srv.stateDir, "docroot", "public.txt"), "public\n");
			const email = uniqueEmail("authz");
			const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ada", email, password: PW });
			assert.equal(r.status, 200, r.body);
			user = r.json().user;
			const jar = new CookieJar();
			jar.store(r.setCookies);
			cookie = jar.header();
			assert.match(cookie, new RegExp(`^${TOKEN.replace(".", "\\.")}=`));
		});
		after(async () => { await srv?.stop(); });

		it("anonymous: 401 with the authorizer's JSON; the backend never runs", async () => {
			expectUnauthorized(await request(srv.url, "/demo/whoami"), "no cookie");
			const forgedToken = `${TOKEN}=${signCookieValue("A".repeat(32))}`;
			expectUnauthorized(await request(srv.url, "/demo/whoami", { headers: { Cookie: forgedToken } }), "unknown token");
			const badSig = `${TOKEN}=${cookie.split("=")[1].slice(0, 40)}x`;
			expectUnauthorized(await request(srv.url, "/demo/whoami", { headers: { Cookie: badSig } }), "bad signature");
		});

		it("signed in: the backend sees the user's id and email", async () => {
			const r = await request(srv.url, "/demo/whoami", { headers: { Cookie: cookie } });
			assert.equal(r.status, 200, r.body);
			assert.match(user.id, HEX24_RE);
			assert.deepEqual(r.json(), { userId: user.id, email: user.email, xUserIdHeader: null });
		});

		it("a client-sent X-User-Id (any spelling) never reaches the backend", async () => {
			for (const name of FORGED) {
				const r = await request(srv.url, "/demo/whoami", { headers: { Cookie: cookie, [name]: VICTIM } });
				assert.equal(r.status, 200, `${name}: ${r.body}`);
				assert.deepEqual(r.json(), { userId: user.id, email: user.email, xUserIdHeader: null }, name);
			}
			// Without a cookie the forged header buys nothing either.
			for (const name of FORGED) {
				expectUnauthorized(await request(srv.url, "/demo/whoami", { headers: { [name]: VICTIM } }), `${name} alone`);
			}
			// Nor do headers named like the authorizer's variables.
			const r = await request(srv.url, "/demo/whoami", {
				headers: { Cookie: cookie, "Variable-AUTH_USER_ID": VICTIM, "Auth-User-Id": VICTIM, "Auth-User-Email": "x@evil.example" },
			});
			assert.deepEqual(r.json(), { userId: user.id, email: user.email, xUserIdHeader: null });
		});

		it("public locations stay public: /api/auth/ok and a static file", async () => {
			const ok = await request(srv.url, "/api/auth/ok");
			assert.equal(ok.status, 200);
			assert.equal(ok.body, '{"ok":true}');
			const f = await request(srv.url, "/public.txt");
			assert.equal(f.status, 200);
			assert.equal(f.body, "public\n");
			// A forged header on a public URL changes nothing.
			assert.equal((await request(srv.url, "/api/auth/ok", { headers: { "X-User-Id": VICTIM } })).status, 200);
		});

		it("after sign-out the same cookie is refused", async () => {
			const email = uniqueEmail("out");
			const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Bo", email, password: PW });
			const jar = new CookieJar();
			jar.store(up.setCookies);
			const c = jar.header();
			assert.equal((await request(srv.url, "/demo/whoami", { headers: { Cookie: c } })).status, 200);
			const out = await postJSON(srv.url, "/api/auth/sign-out", {}, { Cookie: c });
			assert.equal(out.status, 200, out.body);
			expectUnauthorized(await request(srv.url, "/demo/whoami", { headers: { Cookie: c } }), "signed out");
		});
	});
}
