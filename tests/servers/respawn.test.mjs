// A FastCGI process that dies (SIGKILL, as the OOM killer would) is replaced
// by the web server, and the next request succeeds — under lighttpd
// (mod_fastcgi bin-path) and Apache (mod_fcgid), whatever FCGI_AUTH_SERVER says.
// The processes are found as the server's descendants by PPID in /proc and
// killed by PID. (With mod_proxy_fcgi the processes belong to whatever started
// them — systemd, spawn-fcgi —, and with CGI there are none to kill.)
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import {
	startFerret, startFcgi, dbName, request, postJSON, uniqueEmail, processTree, CookieJar, sleep,
} from "../lib/stack.mjs";

const PW = "correct horse battery staple";

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

function alive(pid) {
	try { process.kill(pid, 0); return true; } catch { return false; }
}

async function killAndWait(pid) {
	process.kill(pid, "SIGKILL");
	for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
	// A zombie until its parent reaps it; processTree skips zombies.
}

for (const server of ["lighttpd", "apache"]) {
	describe(`respawn under ${server}`, () => {
		let srv, email, cookie;
		const programs = (name) => processTree(srv.pid).filter((p) => p.name === name);

		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`respawn-${server}`) }, { server });
			email = uniqueEmail("respawn");
			const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ada", email, password: PW });
			assert.equal(up.status, 200, up.body);
			const jar = new CookieJar();
			jar.store(up.setCookies);
			cookie = jar.header();
			// Make sure sign-in and get-session processes exist (mod_fcgid spawns on demand).
			assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW })).status, 200);
			assert.equal((await request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie } })).status, 200);
		});
		after(async () => { await srv?.stop(); });

		it("a signin process killed with SIGKILL is replaced; the next sign-in succeeds", async () => {
			const before = programs("signin");
			assert.ok(before.length >= 1, `no signin process under ${server}: ${JSON.stringify(processTree(srv.pid))}`);
			await killAndWait(before[0].pid);
			const r = await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW });
			assert.equal(r.status, 200, r.body);
			assert.equal(r.json().user.email, email);
			for (let i = 0; i < 5; i++) {
				assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW })).status, 200, `sign-in #${i}`);
			}
			const after = programs("signin");
			assert.ok(after.length >= 1 && !after.some((p) => p.pid === before[0].pid), JSON.stringify({ before, after }));
			assert.ok(after.every((p) => alive(p.pid)));
		});

		it("every session process killed with SIGKILL: get-session and the authorizer come back", async () => {
			const before = programs("session");
			assert.ok(before.length >= 1, `no session process under ${server}`);
			for (const p of before) await killAndWait(p.pid);
			const r = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie } });
			assert.equal(r.status, 200, r.body);
			assert.equal(r.json().user.email, email);
			assert.equal((await request(srv.url, "/api/auth/ok")).status, 200);
			const w = await request(srv.url, "/demo/whoami", { headers: { Cookie: cookie } });
			assert.equal(w.status, 200, w.body);
			assert.equal(w.json().email, email);
			assert.ok(programs("session").every((p) => !before.some((b) => b.pid === p.pid)), "all replaced");
		});
	});
}
