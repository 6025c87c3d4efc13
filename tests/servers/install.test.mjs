// `make install`: into a scratch DESTDIR (PREFIX=/usr/local) the programs
// land in $PREFIX/lib/fcgi-auth/ and the snippets, units and the hosting kit
// in $PREFIX/share/fcgi-auth/, naming the final paths (never DESTDIR); then,
// installed for real under a scratch PREFIX, Apache (`apache2 -t`) and
// lighttpd (`lighttpd -tt`) accept the installed snippets, each wrapped in the
// few lines a stock server config has around them.
import { it, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ROOT, BUILD, FCGI_BIN, APACHE, LIGHTTPD } from "../lib/stack.mjs";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-install-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));
const programs = fs.readdirSync(FCGI_BIN).sort();

function makeInstall(vars) {
	return execFileSync("make", ["--no-print-directory", "install", `FCGI_AUTH_BUILD=${BUILD}`, ...Object.entries(vars).map(([k, v]) => `${k}=${v}`)],
		{ cwd: ROOT, encoding: "utf8", stdio: "pipe" });
}

it("make install DESTDIR=… PREFIX=/usr/local: the layout, with the final paths inside", () => {
	const dest = path.join(scratch, "dest");
	makeInstall({ DESTDIR: dest, PREFIX: "/usr/local" });
	const lib = path.join(dest, "usr/local/lib/fcgi-auth"), share = path.join(dest, "usr/local/share/fcgi-auth");
	for (const p of [...programs, "schema-apply", "fcgi-pool.sh"]) {
		const st = fs.statSync(path.join(lib, p));
		assert.ok(st.isFile() && (st.mode & 0o111) === 0o111, `${p} not executable`);
	}
	for (const f of ["identity.lua"]) assert.ok(fs.existsSync(path.join(lib, f)), f);
	for (const f of ["apache2/fcgi-auth.conf", "lighttpd/fcgi-auth.conf", "lighttpd/identity.lua",
		"systemd/fcgi-auth@.service", "systemd/fcgi-auth-pool@.service",
		"hosting/public_html/.htaccess", "hosting/public_html/fcgi-auth-bin/.htaccess", "hosting/fcgid/.htaccess",
		"hosting/fcgi-auth.env.example", "hosting/INSTALL.md"]) {
		assert.ok(fs.statSync(path.join(share, f)).isFile(), f);
	}
	// The kit verbatim.
	assert.equal(fs.readFileSync(path.join(share, "hosting/public_html/.htaccess"), "utf8"),
		fs.readFileSync(path.join(ROOT, "hosting/public_html/.htaccess"), "utf8"));
	const apache = fs.readFileSync(path.join(share, "apache2/fcgi-auth.conf"), "utf8");
	assert.match(apache, /^ {4}Define FCGI_AUTH_BIN +\/usr\/local\/lib\/fcgi-auth$/m);
	const lighttpd = fs.readFileSync(path.join(share, "lighttpd/fcgi-auth.conf"), "utf8");
	assert.match(lighttpd, /^var\.bin += "\/usr\/local\/lib\/fcgi-auth"$/m);
	for (const p of ["signup", "signin", "signout", "sync-user", "me", "session", "sessions", "password", "account", "mail"])
		assert.ok(lighttpd.includes(`var.bin + "/${p}"`), `lighttpd snippet lacks ${p}`);
	const unit = fs.readFileSync(path.join(share, "systemd/fcgi-auth@.service"), "utf8");
	assert.match(unit, /^ExecStart=\/usr\/local\/lib\/fcgi-auth\/%i$/m);
	for (const f of [apache, lighttpd, unit]) assert.ok(!f.includes(dest), "DESTDIR leaked into a config");
});

it("the installed snippets pass apache2 -t and lighttpd -tt", () => {
	const prefix = path.join(scratch, "prefix");
	makeInstall({ PREFIX: prefix });
	const share = path.join(prefix, "share/fcgi-auth");
	const mod = (m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`;
	const conf = path.join(scratch, "apache2.conf");
	fs.writeFileSync(conf, `ServerRoot "${scratch}"
ServerName 127.0.0.1
Listen 127.0.0.1:1
PidFile "${scratch}/apache.pid"
DefaultRuntimeDir "${scratch}"
ErrorLog "${scratch}/apache-error.log"
${["mpm_event", "authz_core", "authz_host", "authn_core", "alias", "mime", "env", "setenvif", "headers", "rewrite", "macro", "lua", "fcgid", "authnz_fcgi"].map(mod).join("\n")}
FcgidIPCDir "${scratch}/fcgid"
TypesConfig /etc/mime.types
Include "${share}/apache2/fcgi-auth.conf"
`);
	const a = spawnSync(APACHE, ["-t", "-f", conf], {
		env: { PATH: process.env.PATH, FCGI_AUTH_SECRET: "0123456789abcdef0123456789abcdef", FCGI_AUTH_MONGODB_URI: "mongodb://127.0.0.1:27017" },
		encoding: "utf8",
	});
	assert.equal(a.status, 0, a.stdout + a.stderr);
	assert.match(a.stderr + a.stdout, /Syntax OK/);

	const lconf = path.join(scratch, "lighttpd.conf");
	fs.writeFileSync(lconf, `server.document-root = "${scratch}"
server.bind = "127.0.0.1"
server.port = 1
include "${share}/lighttpd/fcgi-auth.conf"
`);
	const l = spawnSync(LIGHTTPD, ["-tt", "-f", lconf], { encoding: "utf8" });
	assert.equal(l.status, 0, l.stdout + l.stderr);
	assert.doesNotMatch(l.stdout + l.stderr, /invalid|error|unknown/i);
});
