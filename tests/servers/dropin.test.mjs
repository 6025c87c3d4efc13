// The drop-in (apache-conf/fcgi-auth.conf) hands the programs the secret, the
// URL and the database; every other setting comes from the settings file its
// `Define FCGI_AUTH_SETTINGS_FILE` names. Shown by the cookie cache, off by
// default: sign-up sets no session_data cookie without the file, and does
// with a file that says FCGI_AUTH_COOKIE_CACHE=1 (a file of the user Apache
// runs the programs as, mode 0600, as the README says); and by mail, which
// needs settings the drop-in cannot pass otherwise: a password reset mailed
// through Mailpit. Three Apache starts.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
	startFerret, startFcgi, startMailpit, dbName, postJSON, uniqueEmail, apacheRunAs, DROPIN,
} from "../lib/stack.mjs";

let ferret, mp;
const dirs = [];
before(async () => { [ferret, mp] = await Promise.all([startFerret(), startMailpit()]); });
after(async () => {
	await Promise.all([ferret?.stop(), mp?.stop()]);
	for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** A settings file of these lines, as the README says to make one: the
 * user Apache runs the programs as, mode 0600. */
function settingsFile(lines) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dropin-settings-"));
	dirs.push(dir);
	const file = path.join(dir, "fcgi-auth.env");
	fs.writeFileSync(file, `# read by every program of the drop-in\n${lines.join("\n")}\n`, { mode: 0o600 });
	const run = apacheRunAs();
	if (process.getuid() === 0) fs.chownSync(file, run.uid, run.gid);
	fs.chmodSync(dir, 0o755);
	return file;
}

/** f(url, email) on the drop-in, with env for startFcgi, after a sign-up of
 * email; f gets the sign-up's answer too. */
async function withDropin(env, f) {
	const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName("dropin"), ...env }, { server: DROPIN });
	try {
		const email = uniqueEmail("dropin");
		const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ada", email, password: "correct horse battery staple" });
		assert.equal(r.status, 200, r.body);
		return await f(srv.url, email, r);
	} finally {
		await srv.stop();
	}
}

const cookieNames = (r) => r.setCookies.map((c) => c.split("=")[0]);

describe("the drop-in's settings file", () => {
	it("without one, the defaults: no cookie cache", async () => {
		const names = await withDropin({}, async (url, email, r) => cookieNames(r));
		assert.ok(names.includes("better-auth.session_token"), names.join(" "));
		assert.ok(!names.includes("better-auth.session_data"), names.join(" "));
	});

	it("Define FCGI_AUTH_SETTINGS_FILE: its settings reach the programs", async () => {
		const file = settingsFile(["FCGI_AUTH_COOKIE_CACHE=1"]);
		const names = await withDropin({ FCGI_AUTH_SETTINGS_FILE: file }, async (url, email, r) => cookieNames(r));
		assert.ok(names.includes("better-auth.session_token"), names.join(" "));
		assert.ok(names.includes("better-auth.session_data"), names.join(" "));
	});

	it("mail settings in it: a password reset is mailed", async () => {
		const file = settingsFile([`FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:${mp.smtpPort}`,
			"FCGI_AUTH_MAIL_FROM='Accounts <accounts@example.com>'"]);
		await withDropin({ FCGI_AUTH_SETTINGS_FILE: file }, async (url, email) => {
			const r = await postJSON(url, "/api/auth/request-password-reset", { email, redirectTo: "/reset" });
			assert.equal(r.status, 200, r.body);
			const m = await mp.waitFor((x) => x.To.some((a) => a.Address === email), 10000);
			assert.ok(m, `no mail to ${email}`);
			assert.equal(m.From.Address, "accounts@example.com");
			const msg = await mp.api(`/message/${m.ID}`);
			assert.match(msg.Text, /\/api\/auth\/reset-password\/\S+\?callbackURL=/);
		});
	});
});
