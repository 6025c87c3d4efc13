// Two hosts, one store (issue 14): two web-server instances on different
// loopback addresses (127.0.0.2 and 127.0.0.3, the same port: each binds its
// own address only, FCGI_AUTH_HOST), the same secret, one store — the shape
// of a multi-host deployment behind a load balancer on a MongoDB replica set
// (there both would share one public BETTER_AUTH_URL; here each has its own,
// and requests carry their host's origin). A session signed in on one is
// valid on the other; a sign-out on one ends it on both; the strict rate
// limit (sign-in, 3 per window, kept in the store) counts across both; one
// instance killed leaves the other serving. Under lighttpd and Apache.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, dbName, request, postJSON, freePort, uniqueEmail, CookieJar, processTree } from "../lib/stack.mjs";

const PW = "two hosts password 3a9e";
let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

const session = (srv, cookie) => request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie } });

for (const server of ["lighttpd", "apache"]) {
	describe(`two hosts under ${server}`, () => {
		let a, b, email, orphans = [];
		before(async () => {
			const port = await freePort();
			const env = {
				MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`twohosts-${server}`), PORT: String(port),
				BETTER_AUTH_RATE_LIMIT: "1", FCGI_AUTH_RATE_LIMIT_STRICT_MAX: "3", FCGI_AUTH_RATE_LIMIT_WINDOW: "120",
			};
			a = await startFcgi({ ...env, FCGI_AUTH_HOST: "127.0.0.2" }, { server });
			b = await startFcgi({ ...env, FCGI_AUTH_HOST: "127.0.0.3" }, { server });
		});
		after(async () => {
			await a?.stop();
			await b?.stop();
			for (const pid of orphans) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
		});

		it("each listens on its own address only", async () => {
			assert.equal(a.url, `http://127.0.0.2:${a.port}`);
			assert.equal(b.url, `http://127.0.0.3:${a.port}`, "the same port");
			await assert.rejects(request(`http://127.0.0.1:${a.port}`, "/api/auth/ok", { timeout: 2000 }), /ECONNREFUSED/);
		});

		it("a session signed up on one is valid on the other; a sign-out on the other ends it on both", async () => {
			email = uniqueEmail("twohosts");
			const up = await postJSON(a.url, "/api/auth/sign-up/email", { name: "Two", email, password: PW });
			assert.equal(up.status, 200, up.body);
			const jar = new CookieJar();
			jar.store(up.setCookies);
			const cookie = jar.header();
			for (const srv of [a, b]) {
				const g = await session(srv, cookie);
				assert.equal(g.status, 200);
				assert.equal(g.json()?.user.email, email, `valid on ${srv.url}`);
			}
			const w = await request(b.url, "/demo/whoami", { headers: { Cookie: cookie } });
			assert.equal(w.status, 200, "the other host's authorizer vouches for it");
			assert.equal((await postJSON(b.url, "/api/auth/sign-out", {}, { Cookie: cookie })).status, 200);
			for (const srv of [a, b]) assert.equal((await session(srv, cookie)).body, "null", `ended on ${srv.url}`);
			assert.equal((await request(a.url, "/demo/whoami", { headers: { Cookie: cookie } })).status, 401);
		});

		it("the strict sign-in limit (3 per window) counts across both", async () => {
			const signIn = (srv) => postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW });
			const statuses = [];
			for (const srv of [a, b, a, b, a]) statuses.push((await signIn(srv)).status);
			assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
			// Another endpoint's limit is its own.
			assert.equal((await session(b, "")).status, 200);
		});

		it("one instance killed leaves the other serving", async () => {
			const up = await postJSON(b.url, "/api/auth/sign-up/email", { name: "Two", email: uniqueEmail("twohosts-b"), password: PW });
			assert.equal(up.status, 200, up.body);
			const jar = new CookieJar();
			jar.store(up.setCookies);
			// The web server and everything it spawned, at once, by PID.
			orphans = processTree(a.pid).map((p) => p.pid);
			process.kill(a.pid, "SIGKILL");
			for (const pid of orphans) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
			await assert.rejects(request(a.url, "/api/auth/ok", { timeout: 2000 }), /ECONNREFUSED|ECONNRESET|socket hang up/);
			const g = await session(b, jar.header());
			assert.equal(g.status, 200);
			assert.ok(g.json()?.user, "the other host still answers get-session");
			assert.equal((await request(b.url, "/fcgi-auth/health")).status, 200);
			assert.equal((await request(b.url, "/demo/whoami", { headers: { Cookie: jar.header() } })).status, 200);
		});
	});
}
