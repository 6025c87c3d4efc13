// The sendmail sender (FCGI_AUTH_SENDMAIL, lib/mail_sendmail.c) end to end,
// through programs under the web server (lighttpd by default), not only
// through tests/tools/mail-send: signup mails the verification link and mail
// the password-reset link, both through a command that runs Mailpit's
// sendmail mode (`mailpit sendmail -S <its SMTP port>`) behind a wrapper that
// records how it was run. The mails arrive in Mailpit with the right links,
// the links work, the command ran once per mail with the message on stdin
// and PATH as its only environment (no secret, no store URI), and no SMTP
// sender is configured, so nothing else could have delivered them. The SMTP
// sender's flows are reset.test.mjs, verify.test.mjs and the others.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SECRET, dbName, mongo, postJSON, sleep, startFcgi, startFerret, startMailpit, uniqueEmail } from "../lib/stack.mjs";
import { FROM, getUrl } from "../lib/mailflow.mjs";

const PASSWORD = "password123", NEW_PASSWORD = "a new password 42";
let ferret, mp, ours, db, dir, runs;

before(async () => {
	ferret = await startFerret();
	mp = await startMailpit();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-sendmail-"));
	runs = path.join(dir, "runs");
	fs.mkdirSync(runs);
	// The command: one file per run (its arguments, environment and the size
	// of what it read), then the message on to Mailpit's sendmail mode.
	const wrapper = path.join(dir, "sendmail");
	fs.writeFileSync(wrapper, `#!/bin/sh
run=${runs}/$$
printf '%s\\n' "$*" >"$run.args"
env >"$run.env"
tee "$run.eml" | ${mp.sendmail.replace(/ -t -i$/, "")} "$@"
`, { mode: 0o755 });
	const name = dbName("sendmail");
	ours = await startFcgi({
		MONGODB_URI: ferret.uri, MONGODB_DB: name, FCGI_AUTH_LOG_LEVEL: "info",
		FCGI_AUTH_MAIL_FROM: FROM, FCGI_AUTH_SENDMAIL: `${wrapper} -t -i`,
		FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP: "1",
	});
	db = await mongo(name, ferret.uri);
});
after(async () => {
	await db?.close().catch(() => {});
	await ours?.stop();
	await mp?.stop();
	await ferret?.stop();
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Our newest mail to addr in Mailpit, { msg, link }, or null after 5 s. */
async function mailTo(addr, subject) {
	const s = await mp.waitFor((m) => m.To.some((a) => a.Address === addr) && m.Subject.startsWith(subject));
	if (!s) return null;
	const msg = await mp.api(`/message/${s.ID}`);
	return { msg, link: msg.Text.match(/https?:\/\/\S+/)?.[0] };
}

/** The message as Mailpit got it is whole: it ends with its closing MIME boundary. */
async function assertWhole(mail) {
	const raw = await mp.raw(mail.msg.ID);
	const boundary = raw.match(/boundary="(=_[0-9a-f]{32})"/)?.[1];
	assert.ok(boundary && raw.endsWith(`\r\n--${boundary}--\r\n`), `the message is cut short:\n${raw.slice(-300)}`);
}

/** The recorded runs of the command whose message went to addr. */
function runsTo(addr) {
	return fs.readdirSync(runs).filter((f) => f.endsWith(".eml"))
		.map((f) => ({ id: f.slice(0, -4), eml: fs.readFileSync(path.join(runs, f), "utf8") }))
		.filter((r) => r.eml.includes(`<${addr}>\r\n`))
		.map((r) => ({ ...r, args: fs.readFileSync(path.join(runs, `${r.id}.args`), "utf8").trim(),
			env: fs.readFileSync(path.join(runs, `${r.id}.env`), "utf8") }));
}

describe("mail through FCGI_AUTH_SENDMAIL", () => {
	it("sign-up mails the verification link through the command; the link verifies the address", async () => {
		const email = uniqueEmail("sendmail-verify");
		const r = await postJSON(ours.url, "/api/auth/sign-up/email", { name: "Send Mail", email, password: PASSWORD, callbackURL: "/welcome" });
		assert.equal(r.status, 200, r.body);
		const mail = await mailTo(email, "Verify your e-mail address");
		assert.ok(mail, `no verification mail arrived; log:\n${ours.errlog()}${ours.output()}`);
		assert.deepEqual(mail.msg.To, [{ Name: "Send Mail", Address: email }]);
		assert.deepEqual(mail.msg.From, { Name: "fcgi-auth", Address: "noreply@example.com" });
		assert.match(mail.link, new RegExp(`^${ours.url}/api/auth/verify-email\\?token=[\\w-]+\\.[\\w-]+\\.[\\w-]+&callbackURL=%2Fwelcome$`));
		assert.ok(mail.msg.HTML.includes(`<a href="${mail.link.replace("&", "&amp;")}">`), mail.msg.HTML);
		await assertWhole(mail);
		assert.equal((await db.collection("user").findOne({ email })).emailVerified, false);

		const v = await getUrl(mail.link);
		assert.equal(v.status, 302, v.body);
		assert.equal(v.headers.location, "/welcome");
		assert.equal((await db.collection("user").findOne({ email })).emailVerified, true, "the mailed link verified the address");

		const [run, ...more] = runsTo(email);
		assert.ok(run, "the sendmail command ran");
		assert.equal(more.length, 0, "once");
		assert.equal(run.args, "-t -i");
		assert.ok(run.eml.includes(`\r\nMessage-ID: <${mail.msg.MessageID}>\r\n`), "the command read the message Mailpit holds");
		for (const s of [SECRET, ferret.uri, "MONGODB", "BETTER_AUTH"])
			assert.ok(!run.env.includes(s), `the command's environment holds ${s}:\n${run.env}`);
		assert.match(run.env, /^PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
	});

	it("request-password-reset mails the reset link through the command; the link and the token work", async () => {
		const email = uniqueEmail("sendmail-reset");
		assert.equal((await postJSON(ours.url, "/api/auth/sign-up/email", { name: "Reset Me", email, password: PASSWORD })).status, 200);
		const r = await postJSON(ours.url, "/api/auth/request-password-reset", { email, redirectTo: "/reset" });
		assert.equal(r.status, 200, r.body);
		const mail = await mailTo(email, "Reset your");
		assert.ok(mail, `no reset mail arrived; log:\n${ours.errlog()}${ours.output()}`);
		assert.match(mail.link, new RegExp(`^${ours.url}/api/auth/reset-password/[A-Za-z0-9]{24}\\?callbackURL=%2Freset$`));
		assert.ok(mail.msg.HTML.includes(`<a href="${mail.link}">`), mail.msg.HTML);
		await assertWhole(mail);
		const token = mail.link.match(/reset-password\/([A-Za-z0-9]{24})/)[1];

		const link = await getUrl(mail.link);
		assert.equal(link.status, 302);
		assert.equal(link.headers.location, `${ours.url}/reset?token=${token}`);
		const done = await postJSON(ours.url, "/api/auth/reset-password", { newPassword: NEW_PASSWORD, token });
		assert.equal(done.status, 200, done.body);
		assert.equal((await postJSON(ours.url, "/api/auth/sign-in/email", { email, password: NEW_PASSWORD })).status, 200,
			"the new password works");
		const sent = runsTo(email).filter((x) => x.eml.includes(`\r\nMessage-ID: <${mail.msg.MessageID}>\r\n`));
		assert.equal(sent.length, 1, "the command ran once for the reset mail");
		// The outcome is logged without the link.
		for (let i = 0; i < 40 && !/mail: reset-password to …@example\.com sent/.test(ours.errlog() + ours.output()); i++) await sleep(50);
		const log = ours.errlog() + ours.output();
		assert.match(log, /mail: reset-password to …@example\.com sent/);
		assert.ok(!log.includes(token), "the log holds no token");
	});
});
