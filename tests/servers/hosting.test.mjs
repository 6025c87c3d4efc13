// The shared-hosting kit (hosting/) as a host runs it: Apache with a
// stock-like config (Debian's defaults, AllowOverride All on the user's
// document root, mod_rewrite, mod_cgid, mod_fcgid, mod_headers, mod_env; no
// fcgi-auth line anywhere in httpd's config), the programs copied into the
// document root's fcgi-auth-bin/, the kit's .htaccess files copied verbatim
// and its example settings file with only the site's values filled in, next
// to the document root. Then, under plain CGI and under mod_fcgid: the
// official client signs up, in, reads the session, signs out; /api/user/me;
// every declared route reaches its program; the settings file, the programs'
// folder and the programs' own URLs cannot be fetched.
//
// FCGI_AUTH_HOSTING_PROGRAMS: the folder of programs to upload (default the
// build's cgi-bin; `make dist`'s unpacked tarball later).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import {
	ROOT, FCGI_BIN, APACHE, SECRET, startFerret, applySchema, dbName, freePort, makeClient, request,
	uniqueEmail, apacheRunAs, sleep,
} from "../lib/stack.mjs";

const PROGRAMS = process.env.FCGI_AUTH_HOSTING_PROGRAMS || FCGI_BIN;
const KIT = path.join(ROOT, "hosting");
const mod = (m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`;
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Debian's apache2.conf essentials, its default modules and those a host adds. */
function hostConfig(state, home, port, run) {
	return `# A stand-in for a shared host's Apache (tests/servers/hosting.test.mjs).
ServerRoot "${state}"
ServerName 127.0.0.1
Listen 127.0.0.1:${port}
PidFile "${state}/apache.pid"
DefaultRuntimeDir "${state}"
Mutex "file:${state}" default
User ${run.user}
Group ${run.group}
ErrorLog "${state}/error.log"
LogLevel warn
Timeout 300
KeepAlive On
${mod("mpm_event")}
${["access_compat", "alias", "auth_basic", "authn_core", "authn_file", "authz_core", "authz_host", "authz_user",
		"autoindex", "deflate", "dir", "env", "filter", "mime", "negotiation", "reqtimeout", "setenvif",
		"rewrite", "cgid", "fcgid", "headers"].map(mod).join("\n")}
RequestReadTimeout header=20-40,MinRate=500 body=20,MinRate=500
ScriptSock "${state}/cgid.sock"
FcgidConnectTimeout 20
FcgidIPCDir "${state}/fcgid"
FcgidProcessTableFile "${state}/fcgid_shm"
AddHandler fcgid-script .fcgi
TypesConfig /etc/mime.types
DirectoryIndex index.html
AccessFileName .htaccess
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory "${home}/public_html">
    Options Indexes FollowSymLinks
    AllowOverride All
    Require all granted
</Directory>
<FilesMatch "^\\.ht">
    Require all denied
</FilesMatch>
<VirtualHost 127.0.0.1:${port}>
    DocumentRoot "${home}/public_html"
</VirtualHost>
`;
}

/** The kit's example settings with the site's values filled in, nothing else changed. */
function siteSettings(values) {
	const example = fs.readFileSync(path.join(KIT, "fcgi-auth.env.example"), "utf8");
	const seen = new Set();
	const out = example.split("\n").map((line) => {
		const m = /^([A-Z_]+)=/.exec(line);
		if (!m || !(m[1] in values)) return line;
		seen.add(m[1]);
		return `${m[1]}=${values[m[1]]}`;
	});
	const extra = Object.keys(values).filter((k) => !seen.has(k));
	return [...out, ...extra.map((k) => `${k}=${values[k]}`)].join("\n");
}

function copyDir(from, to) {
	fs.mkdirSync(to, { recursive: true });
	for (const e of fs.readdirSync(from, { withFileTypes: true })) {
		if (e.isDirectory()) copyDir(path.join(from, e.name), path.join(to, e.name));
		else fs.copyFileSync(path.join(from, e.name), path.join(to, e.name));
	}
}

/** The host with the kit installed in variant "cgi" or "fcgid"; { url, log(), stop() }. */
async function startHost(variant, mongoUri, db) {
	const state = fs.mkdtempSync(path.join(os.tmpdir(), `fcgi-auth-hosting-${variant}-`));
	fs.chmodSync(state, 0o755);
	const home = path.join(state, "home");
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const run = apacheRunAs();
	// The upload: the kit's document root, the programs, the variant's .htaccess.
	copyDir(path.join(KIT, "public_html"), path.join(home, "public_html"));
	const bin = path.join(home, "public_html", "fcgi-auth-bin");
	for (const p of fs.readdirSync(PROGRAMS)) {
		fs.copyFileSync(path.join(PROGRAMS, p), path.join(bin, p));
		fs.chmodSync(path.join(bin, p), 0o755);
	}
	if (variant === "fcgid") fs.copyFileSync(path.join(KIT, "fcgid", ".htaccess"), path.join(bin, ".htaccess"));
	fs.writeFileSync(path.join(home, "public_html", "index.html"), "<!doctype html><title>site</title>\n");
	const settings = path.join(home, "fcgi-auth.env");
	fs.writeFileSync(settings, siteSettings({
		BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: url, MONGODB_URI: mongoUri, MONGODB_DB: db,
		FCGI_AUTH_LOG_LEVEL: "debug",
	}));
	fs.chmodSync(settings, 0o600);
	for (const p of [state, home, path.join(home, "public_html"), bin, settings, ...fs.readdirSync(bin).map((f) => path.join(bin, f))])
		fs.chownSync(p, run.uid, run.gid);
	const conf = path.join(state, "httpd.conf");
	fs.writeFileSync(conf, hostConfig(state, home, port, run));
	const child = spawn(APACHE, ["-D", "FOREGROUND", "-f", conf], { env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] });
	let output = "";
	child.stdout.on("data", (d) => { output += d; });
	child.stderr.on("data", (d) => { output += d; });
	const log = () => { try { return fs.readFileSync(path.join(state, "error.log"), "utf8") + output; } catch { return output; } };
	const stop = async () => {
		if (child.exitCode === null) {
			const exited = new Promise((r) => child.once("exit", r));
			child.kill("SIGTERM");
			await Promise.race([exited, sleep(5000)]);
			if (child.exitCode === null) child.kill("SIGKILL");
		}
		if (!process.env.KEEP_STATE) fs.rmSync(state, { recursive: true, force: true });
	};
	const deadline = Date.now() + 20000;
	for (;;) {
		try {
			const r = await request(url, "/api/auth/ok", { timeout: 5000 });
			if (r.status === 200) break;
		} catch { /* not yet */ }
		if (child.exitCode !== null || Date.now() > deadline) {
			const l = log();
			await stop();
			throw new Error(`the host did not answer /api/auth/ok:\n${l}`);
		}
		await sleep(100);
	}
	return { url, log, stop, home, settings, child };
}

/** { program: [{ method, path }] } from each uploaded program's --routes. */
function declaredRoutes() {
	const out = {};
	for (const f of fs.readdirSync(PROGRAMS).sort()) {
		const text = execFileSync(path.join(PROGRAMS, f), ["--routes"], { encoding: "utf8" });
		out[f] = text.trim().split("\n").filter(Boolean).map((l) => { const [method, p] = l.split(" "); return { method, path: p }; });
	}
	return out;
}

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

it("no fcgi-auth line in the host's httpd config", () => {
	const text = hostConfig("/s", "/h", 1, { user: "u", group: "g" });
	assert.ok(!/fcgi-auth|fcgi_auth|FCGI_AUTH/i.test(text), text);
});

for (const variant of ["cgi", "fcgid"]) {
	describe(`the shared-hosting kit (${variant})`, () => {
		let host, db;
		before(async () => {
			db = dbName(`hosting-${variant}`);
			applySchema(ferret.uri, db);
			host = await startHost(variant, ferret.uri, db);
		});
		after(async () => { await host?.stop(); });

		it("the official client: sign-up, sign-in, get-session, sign-out; /api/user/me", async () => {
			const email = uniqueEmail(`hosting-${variant}`);
			const password = "correct horse battery staple";
			const { client, jar } = makeClient(host.url);
			const up = await client.signUp.email({ name: "Ada", email, password });
			assert.equal(up.error, null, JSON.stringify(up.error));
			assert.equal(up.data.user.email, email);
			await client.signOut();
			assert.equal(jar.names().length, 0, "sign-out clears the cookies");
			const inn = await client.signIn.email({ email, password });
			assert.equal(inn.error, null, JSON.stringify(inn.error));
			const s = await client.getSession();
			assert.equal(s.data?.user?.email, email);
			const me = await request(host.url, "/api/user/me", { headers: { Cookie: jar.header() } });
			assert.equal(me.status, 200, me.body);
			assert.equal(me.json().user.email, email);
			const out = await client.signOut();
			assert.equal(out.error, null);
			const after = await client.getSession();
			assert.equal(after.data, null);
			const meAfter = await request(host.url, "/api/user/me", { headers: { Cookie: jar.header() } });
			assert.equal(meAfter.status, 401);
			// A wrong password is the programs' 401, not the web server's.
			const bad = await client.signIn.email({ email, password: "wrong password, clearly" });
			assert.equal(bad.error?.status, 401);
			// callbackURL's Location comes back under its own name (the header rename).
			const cb = await request(host.url, "/api/auth/sign-in/email", {
				method: "POST", body: { email, password, callbackURL: "/dashboard" }, headers: { Origin: host.url },
			});
			assert.equal(cb.status, 200, cb.body);
			assert.equal(cb.headers.location, "/dashboard");
			assert.equal(cb.headers["x-fcgi-auth-location"], undefined);
		});

		it("every declared route reaches its program", async () => {
			const sent = [];
			for (const [prog, rs] of Object.entries(declaredRoutes())) {
				for (const r of rs) {
					if (r.path === "/fcgi-auth/metrics") continue; // loopback-only: checked below
					const p = r.path.endsWith("/") ? `${r.path}x0` : r.path;
					const body = r.method === "GET" ? undefined : "{}";
					const res = await request(host.url, p, { method: r.method, body, headers: body ? { "Content-Type": "application/json" } : {} });
					assert.ok(res.status < 500, `${r.method} ${p}: ${res.status} ${res.body}`);
					sent.push({ prog, method: r.method, path: p });
				}
			}
			const deadline = Date.now() + 5000;
			let missing;
			do {
				const log = host.log();
				missing = sent.filter((s) => !new RegExp(`fcgi-auth\\[${escape(s.prog)} \\d+\\] debug: ${s.method} ${escape(s.path)} -> `).test(log));
				if (missing.length) await sleep(200);
			} while (missing.length && Date.now() < deadline);
			assert.deepEqual(missing.map((s) => `${s.method} ${s.path} should reach ${s.prog}`), []);
		});

		it("the settings file, the programs' folder and the programs' own URLs cannot be fetched", async () => {
			const progs = fs.readdirSync(PROGRAMS);
			const paths = ["/fcgi-auth-bin/", "/fcgi-auth-bin", "/fcgi-auth-bin/.htaccess", "/.htaccess",
				"/fcgi-auth.env", "/../fcgi-auth.env", "/%2e%2e/fcgi-auth.env", "/fcgi-auth-bin/../../fcgi-auth.env",
				...progs.map((p) => `/fcgi-auth-bin/${p}`), "/fcgi-auth-bin/session?x=1", "/FCGI-AUTH-BIN/session",
				"/fcgi-auth-bin//signin", "/./fcgi-auth-bin/signin"];
			for (const p of paths) {
				for (const method of ["GET", "POST"]) {
					const r = await request(host.url, p, { method, body: method === "POST" ? "{}" : undefined });
					assert.ok([400, 403, 404].includes(r.status), `${method} ${p}: ${r.status}`);
					assert.ok(!r.body.includes(SECRET) && !r.body.includes("MONGODB_URI") && !r.body.includes("ELF"), `${method} ${p} leaked: ${r.body.slice(0, 200)}`);
				}
			}
			// A settings file put inside the document root by mistake is refused too.
			const inside = path.join(host.home, "public_html", "fcgi-auth.env");
			fs.copyFileSync(host.settings, inside);
			fs.chmodSync(inside, 0o644);
			const r = await request(host.url, "/fcgi-auth.env");
			assert.equal(r.status, 403);
			fs.rmSync(inside);
			// The site's own files are served as usual.
			assert.equal((await request(host.url, "/")).status, 200);
			// No program ran for any of these.
			assert.ok(!/fcgi-auth\[[a-z-]+ \d+\] debug: (GET|POST) \/fcgi-auth-bin/.test(host.log()), host.log());
		});

		it("metrics only from the machine; health for everyone; chunked bodies refused with 411", async () => {
			const health = await request(host.url, "/fcgi-auth/health");
			assert.equal(health.status, 200, health.body);
			const metrics = await request(host.url, "/fcgi-auth/metrics");
			assert.equal(metrics.status, 200, "from 127.0.0.1");
			assert.match(metrics.body, /fcgi_auth_/);
			const chunked = await new Promise((resolve, reject) => {
				const u = new URL(host.url);
				const req = http.request({ host: u.hostname, port: u.port, path: "/api/auth/sign-in/email", method: "POST",
					headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked", Origin: host.url } }, (res) => {
					let b = ""; res.on("data", (d) => { b += d; }); res.on("end", () => resolve({ status: res.statusCode, body: b, type: res.headers["content-type"] }));
				});
				req.on("error", reject);
				req.end('{"email":"a@b.c","password":"x"}');
			});
			assert.equal(chunked.status, 411);
			assert.match(chunked.type, /application\/json/);
			assert.equal(JSON.parse(chunked.body).code, "LENGTH_REQUIRED");
		});

		if (variant === "fcgid") {
			it("the programs stay up as FastCGI processes (mod_fcgid), not one per request", async () => {
				const before = fcgidPrograms(host.child.pid);
				for (let i = 0; i < 5; i++) assert.equal((await request(host.url, "/api/auth/ok")).status, 200);
				const now = fcgidPrograms(host.child.pid);
				assert.ok(now.filter((n) => n === "session").length >= 1, `no session process: ${now}`);
				assert.ok(now.filter((n) => n === "session").length <= before.filter((n) => n === "session").length + 1, `${before} → ${now}`);
			});
		}
	});
}


/** Names of the live processes below pid (mod_fcgid's children). */
function fcgidPrograms(pid) {
	const all = [];
	for (const d of fs.readdirSync("/proc")) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
			const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			if (f[0] !== "Z") all.push({ pid: Number(d), ppid: Number(f[1]), name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
		} catch { /* raced */ }
	}
	const out = [];
	const walk = (p) => { for (const c of all) if (c.ppid === p) { out.push(c.name); walk(c.pid); } };
	walk(pid);
	return out;
}
