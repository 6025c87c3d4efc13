// README "Protecting a backend": an HTTP application (a FastAPI app in the
// README; a small Node server here) reverse-proxied under /app/, gated by the
// `session` program as FastCGI authorizer — with the config snippets the
// README shows, under lighttpd (mod_proxy) and Apache (mod_proxy_http),
// whatever FCGI_AUTH_SERVER says.
//   Apache hands the app X-User-Id / X-User-Email (RequestHeader from the
//   authorizer's variables); lighttpd's mod_proxy forwards no variables, only
//   REMOTE_USER, in the Forwarded header (proxy.forwarded remote_user).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import {
	startFerret, startFcgi, dbName, request, postJSON, uniqueEmail, CookieJar, freePort,
} from "../lib/stack.mjs";
import { forgedBatches } from "../lib/identity.mjs";

const PW = "correct horse battery staple";
const VICTIM = "0123456789abcdef01234567";

// The application: answers every request with what it received, and counts them.
let app, appPort, seen = [];
let ferret;
before(async () => {
	ferret = await startFerret();
	appPort = await freePort();
	app = http.createServer((req, res) => {
		seen.push({ url: req.url, headers: req.headers });
		res.setHeader("Content-Type", "application/json");
		res.end(JSON.stringify({ url: req.url, headers: req.headers }));
	});
	await new Promise((r) => app.listen(appPort, "127.0.0.1", r));
});
after(async () => {
	await new Promise((r) => app?.close(r));
	await ferret?.stop();
});

// The README's snippets, with the app's port filled in.
const CONFIG = {
	lighttpd: (port) => `
server.modules += ( "mod_proxy" )
$HTTP["url"] =~ "^/app/" {
  setenv.set-request-header = ( "Forwarded" => "" )
  fastcgi.server = ( "/app/" => ((
    "mode" => "authorizer", "socket" => var.state + "/app-authorizer.sock",
    "bin-path" => var.bin + "/session", "check-local" => "disable", "max-procs" => 1 )) )
  proxy.forwarded = ( "for" => 1, "proto" => 1, "remote_user" => 1 )
  proxy.server = ( "" => (( "host" => "127.0.0.1", "port" => ${port} )) )
}`,
	apache: (port) => `
<IfModule !proxy_module>
    LoadModule proxy_module /usr/lib/apache2/modules/mod_proxy.so
</IfModule>
LoadModule proxy_http_module /usr/lib/apache2/modules/mod_proxy_http.so
<Location "/app/">
    AuthType fcgi-auth
    AuthName "fcgi-auth"
    AuthnzFcgiCheckAuthnProvider fcgi-auth Authoritative On RequireBasicAuth Off \\
                                 UserExpr "%{reqenv:AUTH_USER_ID}"
    Require fcgi-auth
    RequestHeader set X-User-Id    "expr=%{reqenv:AUTH_USER_ID}"
    RequestHeader set X-User-Email "expr=%{reqenv:AUTH_USER_EMAIL}"
    ProxyPass "http://127.0.0.1:${port}/app/"
</Location>`,
};

for (const server of ["lighttpd", "apache"]) {
	describe(`a reverse-proxied app behind the authorizer under ${server}`, () => {
		let srv, user, cookie;
		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`proxy-${server}`) },
				{ server, extraConfig: CONFIG[server](appPort) });
			const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ada", email: uniqueEmail("app"), password: PW });
			assert.equal(up.status, 200, up.body);
			user = up.json().user;
			const jar = new CookieJar();
			jar.store(up.setCookies);
			cookie = jar.header();
		});
		after(async () => { await srv?.stop(); });

		it("anonymous or forged: 401 from the authorizer, the app never sees the request", async () => {
			seen = [];
			for (const headers of [{}, { "X-User-Id": VICTIM }, { Cookie: "better-auth.session_token=x.y", "X-User-Id": VICTIM }]) {
				const r = await request(srv.url, "/app/items", { headers });
				assert.equal(r.status, 401, `${JSON.stringify(headers)}: ${r.body}`);
				assert.deepEqual(JSON.parse(r.body), { message: "Unauthorized", code: "UNAUTHORIZED" });
			}
			assert.deepEqual(seen, []);
		});

		it("signed in: the app gets the request, and no client-sent identity", async () => {
			const headers = { Cookie: cookie, "X-User-Id": VICTIM, "X-User-Email": "victim@example.com" };
			// lighttpd's recipe reads the identity from Forwarded: a client's own is dropped.
			if (server === "lighttpd") headers.Forwarded = `for=1.2.3.4;remote_user=${VICTIM}`;
			const r = await request(srv.url, "/app/items?q=1", { headers });
			assert.equal(r.status, 200, r.body);
			const got = r.json();
			assert.equal(got.url, "/app/items?q=1");
			assert.doesNotMatch(JSON.stringify(got.headers), new RegExp(VICTIM), "a forged identity reached the app");
			assert.doesNotMatch(JSON.stringify(got.headers), /victim@example\.com/);
			if (server === "apache") {
				assert.equal(got.headers["x-user-id"], user.id);
				assert.equal(got.headers["x-user-email"], user.email);
			} else {
				assert.equal(got.headers["x-user-id"], undefined);
			}
		});

		it("an identity header in any spelling never reaches the app", async () => {
			for (const forged of forgedBatches()) {
				seen = [];
				const r = await request(srv.url, "/app/items", { headers: { Cookie: cookie, ...forged } });
				assert.equal(r.status, 200, r.body);
				assert.equal(seen.length, 1);
				const leaked = Object.entries(seen[0].headers).filter(([, v]) => /forged-/.test(v));
				assert.deepEqual(leaked, [], `client headers that reached the app: ${JSON.stringify(leaked)}`);
				if (server === "apache") assert.equal(seen[0].headers["x-user-id"], user.id);
			}
		});

		if (server === "lighttpd") {
			it("lighttpd: the user id arrives as Forwarded remote_user", async () => {
				const r = await request(srv.url, "/app/items", { headers: { Cookie: cookie } });
				assert.equal(r.status, 200, r.body);
				assert.match(r.json().headers.forwarded ?? "", new RegExp(`(^|;)remote_user="${user.id}"`),
					"needs the authorizer to answer Variable-REMOTE_USER too");
			});
		}
	});
}
