// `<program> --check` (lib/check.c): run from a shell, a program reads its
// settings as it would serve (here from a settings file, as on a shared
// host), tries the store, the indexes and the mail sender, prints one line
// per finding and last OK or FAILED: …, exit status 0 or 1 — and never the
// secret or a password. Against a running store (indexes applied, and not),
// a store that is not running, a bad secret, an unsafe settings file, and a
// mail server that takes the login and one that refuses it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { startFerret, startMailpit, applySchema, dbName, freePort, FCGI_BIN, SECRET } from "../lib/stack.mjs";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-check-"));
const settings = path.join(dir, "fcgi-auth.env");
const SMTP_PASSWORD = "smtp-Pa55word-not-to-print";

/** Writes the settings file (mode 0600) and runs program --check with only it. */
function check(program, lines, { mode = 0o600, env = {} } = {}) {
	fs.writeFileSync(settings, `# written by tests/servers/check.test.mjs\n${lines.join("\n")}\n`);
	fs.chmodSync(settings, mode);
	const r = spawnSync(path.join(FCGI_BIN, program), ["--check"], {
		env: { PATH: process.env.PATH, FCGI_AUTH_SETTINGS_FILE: settings, TMPDIR: dir, ...env },
		encoding: "utf8", timeout: 30000,
	});
	const out = r.stdout.trim().split("\n");
	return { status: r.status, out, last: out[out.length - 1], stdout: r.stdout, stderr: r.stderr };
}

function noSecrets(r) {
	for (const s of [SECRET, SMTP_PASSWORD, "dbpass"]) {
		assert.ok(!r.stdout.includes(s), `stdout shows a secret:\n${r.stdout}`);
		assert.ok(!r.stderr.includes(s), `stderr shows a secret:\n${r.stderr}`);
	}
}

let ferret, mailpit, db, bare;
before(async () => {
	ferret = await startFerret();
	db = dbName("check");
	bare = dbName("check-bare");
	applySchema(ferret.uri, db);
	const auth = path.join(dir, "smtp-auth");
	fs.writeFileSync(auth, `u:${SMTP_PASSWORD}\n`);
	mailpit = await startMailpit(["--smtp-auth-file", auth, "--smtp-auth-allow-insecure"]);
});
after(async () => {
	await mailpit?.stop();
	await ferret?.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

const base = () => [`BETTER_AUTH_SECRET=${SECRET}`, `MONGODB_URI=${ferret.uri}`, `MONGODB_DB=${db}`,
	"BETTER_AUTH_URL=https://www.example.com"];

describe("--check", () => {
	it("a running store with its indexes: OK, exit 0, the file named, no secret", () => {
		const r = check("session", base());
		assert.equal(r.status, 0, r.stdout + r.stderr);
		assert.equal(r.last, "OK");
		assert.ok(r.out.includes(`settings: file ${settings} (a non-empty environment variable overrides it)`), r.stdout);
		assert.ok(r.out.includes(`settings: secret of ${SECRET.length} characters, site https://www.example.com, secure cookies`), r.stdout);
		assert.match(r.stdout, /^store: mongodb:\/\/127\.0\.0\.1:\d+\/ \(database "t_check_[0-9a-f]+"\) answers$/m);
		assert.ok(r.out.includes("indexes: the unique indexes are there"), r.stdout);
		assert.match(r.stdout, /^mail: no sender configured/m);
		noSecrets(r);
	});

	it("the environment wins over the file", () => {
		const r = check("session", base(), { env: { MONGODB_DB: bare } });
		assert.equal(r.status, 1, r.stdout);
		assert.ok(r.stdout.includes(`(database "${bare}") answers`), r.stdout);
	});

	it("indexes missing: one line each, FAILED: indexes", () => {
		const r = check("me", [...base().filter((l) => !l.startsWith("MONGODB_DB=")), `MONGODB_DB=${bare}`]);
		assert.equal(r.status, 1);
		assert.ok(r.out.includes("indexes: user.user_email_uidx is missing: run schema-apply (uniqueness is not enforced without it)"), r.stdout);
		assert.ok(r.out.includes("indexes: session.session_token_uidx is missing: run schema-apply (uniqueness is not enforced without it)"), r.stdout);
		assert.equal(r.last, "FAILED: indexes");
	});

	it("a store that is not running: the store line, FAILED: store, exit 1", async () => {
		const port = await freePort();
		const r = check("signin", [`BETTER_AUTH_SECRET=${SECRET}`, `MONGODB_URI=mongodb://fcgi:dbpass@127.0.0.1:${port}/?authSource=admin`,
			`MONGODB_DB=${db}`]);
		assert.equal(r.status, 1, r.stdout);
		assert.ok(r.out.includes(`store: mongodb://127.0.0.1:${port}/ (database "${db}") cannot be reached: the reason is on stderr`), r.stdout);
		assert.ok(!r.stdout.includes("indexes:"), "no index check without a store");
		assert.equal(r.last, "FAILED: store");
		assert.match(r.stderr, /store unavailable/);
		noSecrets(r);
	});

	it("a bad secret: the settings line, FAILED: settings, exit 1, the value never shown", () => {
		const shortSecret = "tooShortSecret123";
		const r = check("signup", [`BETTER_AUTH_SECRET=${shortSecret}`, `MONGODB_URI=${ferret.uri}`]);
		assert.equal(r.status, 1);
		assert.deepEqual(r.out, [`settings: BETTER_AUTH_SECRET is too short: ${shortSecret.length} characters, 32 or more required`, "FAILED: settings"]);
		assert.ok(!r.stdout.includes(shortSecret) && !r.stderr.includes(shortSecret));
		const none = check("signup", [`MONGODB_URI=${ferret.uri}`]);
		assert.deepEqual(none.out, ["settings: BETTER_AUTH_SECRET is not set (32 or more characters required)", "FAILED: settings"]);
		assert.equal(none.status, 1);
	});

	it("a settings file others can read: refused, FAILED: settings", () => {
		const r = check("session", base(), { mode: 0o644 });
		assert.equal(r.status, 1);
		assert.equal(r.out[0], `settings: settings file ${settings} has mode 0644: it holds the secret, so nobody but its owner may write it and other users may not read it (chmod 600)`);
		assert.equal(r.last, "FAILED: settings");
		noSecrets(r);
	});

	it("the mail sender: login accepted is OK, a refused login or no server is FAILED: mail", async () => {
		const mail = [`FCGI_AUTH_MAIL_FROM=noreply@example.com`, `FCGI_AUTH_SMTP_USER=u`];
		const url = `smtp://127.0.0.1:${mailpit.smtpPort}`;
		const good = check("signin", [...base(), ...mail, `FCGI_AUTH_SMTP_URL=${url}`, `FCGI_AUTH_SMTP_PASSWORD=${SMTP_PASSWORD}`]);
		assert.equal(good.status, 0, good.stdout + good.stderr);
		assert.ok(good.out.includes(`mail: SMTP server ${url} answered (EHLO, login accepted), nothing sent`), good.stdout);
		assert.equal(good.last, "OK");
		noSecrets(good);
		const { messages } = await mailpit.api("/messages");
		assert.equal(messages.length, 0, "--check sent a mail");

		const bad = check("signin", [...base(), ...mail, `FCGI_AUTH_SMTP_URL=${url}`, "FCGI_AUTH_SMTP_PASSWORD=wrong-password"]);
		assert.equal(bad.status, 1, bad.stdout);
		assert.match(bad.stdout, new RegExp(`^mail: SMTP server ${url.replace(/[./]/g, "\\$&")}: .*(Login denied|authentication|535)`, "mi"));
		assert.equal(bad.last, "FAILED: mail");

		const port = await freePort();
		const gone = check("mail", [...base(), ...mail, `FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:${port}`, `FCGI_AUTH_SMTP_PASSWORD=${SMTP_PASSWORD}`]);
		assert.equal(gone.status, 1);
		assert.match(gone.stdout, /^mail: SMTP server smtp:\/\/127\.0\.0\.1:\d+: .*(connect|refused)/mi);
		assert.equal(gone.last, "FAILED: mail");
		noSecrets(gone);

		// A program that sends no mail says where the sender is checked.
		const me = check("me", [...base(), ...mail, `FCGI_AUTH_SMTP_URL=${url}`, `FCGI_AUTH_SMTP_PASSWORD=${SMTP_PASSWORD}`]);
		assert.equal(me.status, 0, me.stdout);
		assert.ok(me.out.includes("mail: a sender is configured; me sends no mail: run signup, signin, mail or account with --check to try it"), me.stdout);
	});
});
