// Mail delivery (lib/mail.c) end to end: the mail-send driver (tests/tools/
// mail-send.c, configured from the environment like every program) sends
// through Mailpit, over SMTP (plain, STARTTLS and smtps with a login) and
// through Mailpit's sendmail mode; the messages are read back through
// Mailpit's HTTP API and raw source. Checked: Subject decoding, Date,
// Message-ID, From/To, MIME structure, UTF-8 content, the link in both
// parts, no header injected by a CRLF in a name or subject, the configuration
// refusals, and that a dead or silent SMTP server, or a hung sendmail
// command, fails within FCGI_AUTH_MAIL_TIMEOUT_MS.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { FCGI_BIN, ROOT, SECRET, freePort, startMailpit } from "../lib/stack.mjs";

const DRIVER = path.resolve(FCGI_BIN, "../tests-tools/mail-send");
const FROM = "Exämple Site <noreply@example.com>";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-mail-e2e-"));
let mp;

/** Runs the driver with only these settings; { code, out, err, ms }. */
function send(env, args) {
	return new Promise((resolve) => {
		const t0 = Date.now();
		const e = { PATH: process.env.PATH, BETTER_AUTH_SECRET: SECRET, FCGI_AUTH_MAIL_FROM: FROM, FCGI_AUTH_LOG_LEVEL: "info", ...env };
		for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
		execFile(DRIVER, args, { env: e, timeout: 30000 }, (error, out, err) => {
			resolve({ code: error ? error.code : 0, out: out.trim(), err, ms: Date.now() - t0 });
		});
	});
}

const smtp = (extra = {}) => ({ FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${mp.smtpPort}`, ...extra });
const to = (m) => m.To.map((a) => a.Address);
const unique = (tag) => `ada+${tag}-${process.pid}-${Math.random().toString(36).slice(2, 8)}@example.com`;

/** The message sent to addr (waits for it), its full JSON, raw source and headers. */
async function fetchMail(server, addr) {
	const summary = await server.waitFor((m) => to(m).includes(addr));
	assert.ok(summary, `no message to ${addr} arrived`);
	const [msg, raw, headers] = await Promise.all([
		server.api(`/message/${summary.ID}`), server.raw(summary.ID), server.api(`/message/${summary.ID}/headers`)]);
	return { summary, msg, raw, headers };
}

/** Every raw line ends in CRLF; header lines <= 78, body lines <= 76 characters. */
function checkLines(raw) {
	// Mailpit prepends Return-Path and Received (folded); ours start at Date.
	const start = raw.search(/^Date: /m);
	assert.ok(start >= 0, "a Date header");
	const lines = raw.slice(start).split("\n");
	assert.equal(lines.pop(), "", "ends with a line break");
	let inBody = false;
	for (const l of lines) {
		assert.ok(l.endsWith("\r"), `line without CR: ${JSON.stringify(l)}`);
		const line = l.slice(0, -1);
		assert.ok(!line.includes("\r"), `bare CR in ${JSON.stringify(line)}`);
		assert.ok(line.length <= (inBody ? 76 : 78), `line of ${line.length}: ${line}`);
		if (line === "") inBody = true;
	}
}

before(async () => {
	assert.ok(fs.existsSync(DRIVER), `${DRIVER} is built by make`);
	mp = await startMailpit();
	fs.mkdirSync(path.join(dir, "tpl"));
	fs.writeFileSync(path.join(dir, "tpl/reset-password.subject"), "Réinitialisez votre mot de passe {{appName}} 🔑 {{name}}\n");
	fs.writeFileSync(path.join(dir, "tpl/reset-password.html"),
		"<!DOCTYPE html><html><body><p>Bonjour {{name}},</p><p><a href=\"{{url}}\">Choisir un mot de passe</a></p></body></html>\n");
});
after(async () => {
	await mp?.stop();
	fs.rmSync(dir, { recursive: true, force: true });
});

describe("mail through Mailpit", () => {
	it("SMTP: a UTF-8 reset-password mail with its headers, MIME parts and the link in both", async () => {
		const addr = unique("smtp");
		const url = "http://127.0.0.1:8080/api/auth/reset-password/qFmEISLlDmjcVRjK0zrLKy8F?callbackURL=%2Freset&x=%C3%A9";
		const t0 = Date.now();
		const r = await send(smtp({ FCGI_AUTH_MAIL_TEMPLATES: path.join(dir, "tpl"), FCGI_AUTH_APP_NAME: "Café" }),
			["reset-password", addr, "Ada Lövelace", url]);
		assert.equal(r.code, 0, r.err);
		assert.equal(r.out, "ok");
		assert.match(r.err, /info: mail: reset-password to …@example\.com sent/);
		assert.ok(!r.err.includes("qFmEISLl") && !r.err.includes("ada+"), `the log holds neither link nor local part: ${r.err}`);
		const { msg, raw, headers } = await fetchMail(mp, addr);

		assert.equal(msg.Subject, "Réinitialisez votre mot de passe Café 🔑 Ada Lövelace");
		assert.match(headers.Subject[0], /^=\?UTF-8\?B\?/);
		assert.deepEqual(msg.From, { Name: "Exämple Site", Address: "noreply@example.com" });
		assert.deepEqual(msg.To, [{ Name: "Ada Lövelace", Address: addr }]);
		assert.deepEqual([msg.Cc, msg.Bcc], [[], []]);
		assert.match(msg.MessageID, /^[0-9a-f]{32}@example\.com$/);
		assert.match(headers.Date[0], /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d \+0000$/);
		const date = Date.parse(msg.Date);
		assert.ok(date >= Math.floor(t0 / 1000) * 1000 - 1000 && date <= Date.now() + 1000, `Date ${msg.Date}`);
		for (const h of ["Date", "From", "To", "Subject", "Message-Id", "Mime-Version", "Content-Type"])
			assert.equal(headers[h]?.length, 1, `one ${h} header`);
		assert.deepEqual(headers["Mime-Version"], ["1.0"]);
		assert.deepEqual(headers["Auto-Submitted"], ["auto-generated"]);
		assert.match(headers["Content-Type"][0], /^multipart\/alternative; boundary="=_[0-9a-f]{32}"$/);

		checkLines(raw);
		assert.match(raw, /\r\nContent-Type: text\/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/);
		assert.match(raw, /\r\nContent-Type: text\/html; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n/);
		assert.ok(raw.indexOf("text/plain") < raw.indexOf("text/html"), "text first, HTML last (preferred)");
		assert.ok(msg.Text.includes(url), `the link in the text part: ${msg.Text}`);
		assert.ok(msg.Text.startsWith("Hello Ada Lövelace,\r\n"), msg.Text);
		assert.ok(msg.Text.includes("the Café account " + addr), msg.Text);
		assert.ok(msg.HTML.includes(`<a href="${url.replace("&", "&amp;")}">`), `the link in the HTML part: ${msg.HTML}`);
		assert.ok(msg.HTML.includes("<p>Bonjour Ada Lövelace,</p>"), msg.HTML);
		assert.deepEqual(msg.Attachments, []);
	});

	it("sendmail mode: the same message through `mailpit sendmail`, defaults when no template is given", async () => {
		const addr = unique("sendmail");
		const url = "http://127.0.0.1:8080/api/auth/verify-email?token=eyJhbGciOiJIUzI1NiJ9.e30.sig&callbackURL=%2F";
		const r = await send({ FCGI_AUTH_SENDMAIL: mp.sendmail, BETTER_AUTH_URL: "http://app.example.com:8080" },
			["verify-email", addr, "Bob", url]);
		assert.equal(r.code, 0, r.err);
		const { msg, raw, headers } = await fetchMail(mp, addr);
		assert.equal(msg.Subject, "Verify your e-mail address for app.example.com");
		assert.deepEqual(msg.To, [{ Name: "Bob", Address: addr }]);
		assert.match(msg.MessageID, /^[0-9a-f]{32}@example\.com$/);
		assert.equal(headers.Date.length, 1);
		checkLines(raw);
		assert.ok(msg.Text.includes(url), msg.Text);
		assert.ok(msg.HTML.includes(`<a href="${url.replace("&", "&amp;")}">`), msg.HTML);
	});

	for (const via of ["smtp", "sendmail"]) {
		it(`${via}: a CRLF in a name or subject creates no header, a CRLF in an address sends nothing`, async () => {
			const env = via === "smtp" ? smtp() : { FCGI_AUTH_SENDMAIL: mp.sendmail };
			const tpl = path.join(dir, `inject-${via}`);
			fs.mkdirSync(tpl);
			fs.writeFileSync(path.join(tpl, "delete-account.subject"), "Delete {{name}}?");
			const victim = unique(`victim-${via}`);
			const addr = unique(`inject-${via}`);
			const name = `Eve\r\nBcc: ${victim}\r\nX-Injected: yes`;
			const r = await send({ ...env, FCGI_AUTH_MAIL_TEMPLATES: tpl }, ["delete-account", addr, name, "http://x/\r\nCc: " + victim]);
			assert.equal(r.code, 0, r.err);
			const { msg, headers } = await fetchMail(mp, addr);
			assert.deepEqual(to(msg), [addr]);
			assert.deepEqual([msg.Cc, msg.Bcc], [[], []]);
			assert.equal(headers.Bcc, undefined);
			assert.equal(headers.Cc, undefined);
			assert.equal(headers["X-Injected"], undefined);
			assert.equal(headers.Subject.length, 1);
			assert.equal(msg.Subject, `Delete Eve  Bcc: ${victim}  X-Injected: yes?`);
			assert.equal(msg.To[0].Name, `Eve  Bcc: ${victim}  X-Injected: yes`);

			const bad = await send({ ...env, FCGI_AUTH_MAIL_TEMPLATES: tpl }, ["delete-account", `${addr}\r\nBcc: ${victim}`, "Eve", "u"]);
			assert.equal(bad.code, 2);
			assert.equal(bad.out, "bad-address");
			// A marker sent after it arrives; nothing ever reached the victim.
			const marker = unique(`marker-${via}`);
			assert.equal((await send(env, ["delete-account", marker, "M", "u"])).code, 0);
			await fetchMail(mp, marker);
			const { messages } = await mp.api("/messages?limit=200");
			assert.ok(!messages.some((m) => [...to(m), ...(m.Cc ?? []).map((a) => a.Address), ...(m.Bcc ?? []).map((a) => a.Address)].includes(victim)),
				"no message reached the injected address");
		});
	}

	it("the configuration is refused at start: From missing, both senders, unknown placeholder, bad URL option", async () => {
		let r = await send({ FCGI_AUTH_MAIL_FROM: undefined, ...smtp() }, ["verify-email", "a@example.com"]);
		assert.equal(r.code, 1);
		assert.match(r.err, /FCGI_AUTH_MAIL_FROM is required when FCGI_AUTH_SMTP_URL is set/);
		r = await send({ ...smtp(), FCGI_AUTH_SENDMAIL: mp.sendmail }, ["verify-email", "a@example.com"]);
		assert.equal(r.code, 1);
		assert.match(r.err, /both set/);
		const tpl = path.join(dir, "bad-tpl");
		fs.mkdirSync(tpl);
		fs.writeFileSync(path.join(tpl, "verify-email.txt"), "Hi {{username}}\n");
		r = await send({ ...smtp(), FCGI_AUTH_MAIL_TEMPLATES: tpl }, ["verify-email", "a@example.com"]);
		assert.equal(r.code, 1);
		assert.match(r.err, /unknown placeholder \{\{username\}\}/);
		r = await send({ FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${mp.smtpPort}?tls=1` }, ["verify-email", "a@example.com"]);
		assert.equal(r.code, 1);
		assert.match(r.err, /unknown option "tls=1"/);
		r = await send({ FCGI_AUTH_MAIL_FROM: "Site <not an address>", ...smtp() }, ["verify-email", "a@example.com"]);
		assert.equal(r.code, 1);
		assert.match(r.err, /not a plain local@domain address/);
	});
});

describe("TLS and login", () => {
	let tls, implicit, cert;

	before(async () => {
		cert = path.join(dir, "cert.pem");
		const key = path.join(dir, "key.pem");
		await new Promise((resolve, reject) => execFile("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
			"-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert],
		(e, _o, err) => (e ? reject(new Error(err)) : resolve())));
		const auth = path.join(dir, "smtp-users");
		fs.writeFileSync(auth, "mailer:s3cret%pass\n");
		tls = await startMailpit(["--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-starttls", "--smtp-auth-file", auth]);
		implicit = await startMailpit(["--smtp-tls-cert", cert, "--smtp-tls-key", key, "--smtp-require-tls", "--smtp-auth-file", auth]);
	});
	after(async () => { await tls?.stop(); await implicit?.stop(); });

	it("STARTTLS (?starttls=1) with the user and password in the URL, the server's certificate checked", async () => {
		const addr = unique("starttls");
		const r = await send({ FCGI_AUTH_SMTP_URL: `smtp://mailer:s3cret%25pass@127.0.0.1:${tls.smtpPort}?starttls=1`, FCGI_AUTH_SMTP_CA_FILE: cert },
			["reset-password", addr, "Ada", "http://x/r"]);
		assert.equal(r.code, 0, r.err);
		const { summary } = await fetchMail(tls, addr);
		assert.equal(summary.Username, "mailer");
	});

	it("smtps:// with FCGI_AUTH_SMTP_USER / FCGI_AUTH_SMTP_PASSWORD", async () => {
		const addr = unique("smtps");
		const r = await send({ FCGI_AUTH_SMTP_URL: `smtps://127.0.0.1:${implicit.smtpPort}`, FCGI_AUTH_SMTP_CA_FILE: cert,
			FCGI_AUTH_SMTP_USER: "mailer", FCGI_AUTH_SMTP_PASSWORD: "s3cret%pass" }, ["verify-email", addr, "Ada", "http://x/v"]);
		assert.equal(r.code, 0, r.err);
		const { summary, msg } = await fetchMail(implicit, addr);
		assert.equal(summary.Username, "mailer");
		assert.ok(msg.Text.includes("http://x/v"));
	});

	it("refused: a wrong password, no STARTTLS where it is required, an unknown certificate", async () => {
		const url = (u) => ({ FCGI_AUTH_SMTP_URL: u, FCGI_AUTH_SMTP_CA_FILE: cert });
		const cases = [
			url(`smtp://mailer:wrong@127.0.0.1:${tls.smtpPort}?starttls=1`),
			url(`smtp://mailer:s3cret%25pass@127.0.0.1:${tls.smtpPort}`),
			{ FCGI_AUTH_SMTP_URL: `smtp://mailer:s3cret%25pass@127.0.0.1:${tls.smtpPort}?starttls=1` },
			{ FCGI_AUTH_SMTP_URL: `smtps://mailer:s3cret%25pass@127.0.0.1:${implicit.smtpPort}` },
		];
		for (const env of cases) {
			const addr = unique("refused");
			const r = await send(env, ["verify-email", addr, "Ada", "u"]);
			assert.equal(r.code, 2, `${env.FCGI_AUTH_SMTP_URL}: ${r.out} ${r.err}`);
			assert.equal(r.out, "failed");
			assert.ok(!r.err.includes("s3cret") && !r.err.includes("wrong"), `no password in the log: ${r.err}`);
		}
		const { messages } = await tls.api("/messages");
		assert.ok(messages.every((m) => !to(m).some((a) => a.startsWith("ada+refused"))), "none was delivered");
	});
});

describe("a dead mail server fails within the timeout", () => {
	it("a closed SMTP port: failed at once", async () => {
		const port = await freePort();
		const r = await send({ FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${port}`, FCGI_AUTH_MAIL_TIMEOUT_MS: "1000" },
			["reset-password", "ada@example.com", "Ada", "u"]);
		assert.equal(r.code, 2);
		assert.equal(r.out, "failed");
		assert.ok(r.ms < 1000, `${r.ms} ms`);
		assert.match(r.err, /error: mail: reset-password to …@example\.com not sent after \d+ ms: failed: SMTP: /);
	});

	it("an SMTP server that accepts and never answers: timeout after FCGI_AUTH_MAIL_TIMEOUT_MS", async () => {
		const sockets = [];
		const server = net.createServer((s) => sockets.push(s));
		await new Promise((r) => server.listen(0, "127.0.0.1", r));
		try {
			const r = await send({ FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${server.address().port}`, FCGI_AUTH_MAIL_TIMEOUT_MS: "1200" },
				["reset-password", "ada@example.com", "Ada", "u"]);
			assert.equal(r.code, 2);
			assert.equal(r.out, "timeout");
			assert.ok(r.ms >= 1200 && r.ms < 3500, `${r.ms} ms`);
			assert.ok(sockets.length >= 1, "it did connect");
		} finally {
			for (const s of sockets) s.destroy();
			server.close();
		}
	});

	it("a sendmail command that hangs: killed and reaped at the timeout", async () => {
		const marker = `97.${process.pid % 1000}`;
		const r = await send({ FCGI_AUTH_SENDMAIL: `/bin/sleep ${marker}`, FCGI_AUTH_MAIL_TIMEOUT_MS: "800" },
			["verify-email", "ada@example.com", "Ada", "u"]);
		assert.equal(r.code, 2);
		assert.equal(r.out, "timeout");
		assert.ok(r.ms >= 800 && r.ms < 3000, `${r.ms} ms`);
		assert.match(r.err, /did not finish within 800 ms \(killed\)/);
		const left = fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).filter((d) => {
			try { return fs.readFileSync(`/proc/${d}/cmdline`, "utf8") === `/bin/sleep\0${marker}\0`; } catch { return false; }
		});
		assert.deepEqual(left, [], "no sleep process is left");
	});
});
