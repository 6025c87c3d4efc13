// The mail of a flow goes out after the answer (app_defer) under every web
// server, the plain-CGI ones included, even when the mail server is slower
// than a web server's grace: Apache mod_cgid ends a CGI program 3 s after
// its answer (SIGTERM, then SIGKILL), lighttpd mod_cgi sends SIGTERM. A mail
// server that greets after 4 s: the reset answers at once, and the mail
// still arrives, with a link that works.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { postJSON, uniqueEmail } from "../lib/stack.mjs";
import { expectJson } from "../lib/expect.mjs";
import { mailStacks } from "../lib/mailflow.mjs";

const DELAY_MS = 4000;
const ANSWER = { status: true, message: "If this email exists in our system, check your email for the reset link" };
let s;

before(async () => { s = await mailStacks("maildefer", {}, { reference: false, smtpDelayMs: DELAY_MS }); });
after(async () => { await s?.stop(); });

describe("a mail server slower than the web server's grace", () => {
	it("the reset answers at once; its mail arrives after the delay, and its link resets", async () => {
		const email = uniqueEmail("slowmail");
		const password = "password123";
		assert.equal((await postJSON(s.ours.url, "/api/auth/sign-up/email", { name: "Slow Mail", email, password })).status, 200);
		const t0 = Date.now();
		const r = await postJSON(s.ours.url, "/api/auth/request-password-reset", { email, redirectTo: "/reset" });
		const ms = Date.now() - t0;
		expectJson(r, 200, ANSWER);
		assert.ok(ms < 1000, `answered in ${ms} ms, not after the mail server's ${DELAY_MS} ms greeting`);
		const mail = await s.mailTo(email, DELAY_MS + 6000);
		assert.ok(mail, `the mail arrived although the mail server took ${DELAY_MS} ms (the program was not ended with its answer)`);
		assert.ok(Date.now() - t0 >= DELAY_MS, "the mail went through the slow server");
		const token = mail.link.match(/reset-password\/([A-Za-z0-9]{24})/)[1];
		expectJson(await postJSON(s.ours.url, "/api/auth/reset-password", { newPassword: "a new password 42", token }), 200, { status: true });
		assert.equal((await postJSON(s.ours.url, "/api/auth/sign-in/email", { email, password: "a new password 42" })).status, 200);
	});
});
