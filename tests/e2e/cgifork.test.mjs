// Plain CGI, the work after the answer (lib/app.c app_cgi_after): it runs in
// a child of its own so the web server can complete the answer; when fork
// fails the program does it itself before exiting, within the web server's
// grace, and says so in the log. Here `mail` runs as a plain CGI program
// under RLIMIT_NPROC 1 (as Apache's user when we are root: root's forks
// ignore the limit), so its fork fails with EAGAIN: the reset is answered,
// the warning is logged, and the mail still arrives. Then the same request
// without the limit, for contrast: no warning. No web server is involved.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import {
	startFerret, startMailpit, dbName, uniqueEmail, apacheRunAs, removeMetrics, FCGI_BIN, SECRET,
} from "../lib/stack.mjs";

let ferret, mp;
const db = dbName("cgifork");
before(async () => { [ferret, mp] = await Promise.all([startFerret(), startMailpit()]); });
after(async () => {
	removeMetrics(db);
	await Promise.all([ferret?.stop(), mp?.stop()]);
});

/** program as plain CGI with a JSON body; limited: under RLIMIT_NPROC 1. */
function cgi(program, uri, body, limited = false) {
	const input = JSON.stringify(body);
	const env = {
		PATH: process.env.PATH, BETTER_AUTH_SECRET: SECRET, BETTER_AUTH_URL: "http://127.0.0.1:9",
		MONGODB_URI: ferret.uri, MONGODB_DB: db, BETTER_AUTH_RATE_LIMIT: "0", FCGI_AUTH_HASH_SLOTS: "0",
		FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${mp.smtpPort}`, FCGI_AUTH_MAIL_FROM: "Accounts <accounts@example.com>",
		REQUEST_METHOD: "POST", REQUEST_URI: uri, CONTENT_TYPE: "application/json",
		CONTENT_LENGTH: String(Buffer.byteLength(input)), HTTP_ORIGIN: "http://127.0.0.1:9", REMOTE_ADDR: "127.0.0.1",
	};
	// A sanitizer build's options pass through; LeakSanitizer's check at exit
	// needs a thread of its own, which RLIMIT_NPROC 1 refuses too.
	for (const k of ["ASAN_OPTIONS", "UBSAN_OPTIONS"]) if (process.env[k]) env[k] = process.env[k];
	if (limited) env.ASAN_OPTIONS = [env.ASAN_OPTIONS, "detect_leaks=0"].filter(Boolean).join(":");
	const exe = path.join(FCGI_BIN, program);
	let cmd = exe, args = [];
	if (limited) {
		const run = apacheRunAs();
		const drop = process.getuid() === 0 ? ["setpriv", `--reuid=${run.uid}`, `--regid=${run.gid}`, "--clear-groups"] : [];
		[cmd, ...args] = ["prlimit", "--nproc=1", "--", ...drop, exe];
	}
	const r = spawnSync(cmd, args, { input, env, timeout: 20000 });
	assert.equal(r.status, 0, `${program} exit ${r.status} ${r.signal}: ${r.stderr}`);
	return { out: r.stdout.toString("utf8"), err: r.stderr.toString("utf8") };
}

const mailTo = (email) => mp.waitFor((m) => m.To.some((a) => a.Address === email), 10000);

describe("plain CGI, fork refused", () => {
	it("the work after the answer is done before exiting: the reset mail arrives", async () => {
		const email = uniqueEmail("cgifork");
		const up = cgi("signup", "/api/auth/sign-up/email", { name: "Fork Less", email, password: "password123" });
		assert.match(up.out, /^Status: 200 /, up.out + up.err);

		const r = cgi("mail", "/api/auth/request-password-reset", { email, redirectTo: "/reset" }, true);
		assert.match(r.out, /^Status: 200 /, r.out + r.err);
		assert.match(r.out, /"status":true/);
		assert.match(r.err, /cannot fork for the work after the answer \(Resource temporarily unavailable\): doing it now/, r.err);
		const m = await mailTo(email);
		assert.ok(m, `no mail to ${email}: ${r.err}`);
		assert.equal(m.From.Address, "accounts@example.com");
	});

	it("with fork allowed: the child sends it, nothing is logged about fork", async () => {
		const email = uniqueEmail("cgifork");
		cgi("signup", "/api/auth/sign-up/email", { name: "Fork Full", email, password: "password123" });
		const r = cgi("mail", "/api/auth/request-password-reset", { email, redirectTo: "/reset" });
		assert.match(r.out, /^Status: 200 /, r.out + r.err);
		assert.doesNotMatch(r.err, /cannot fork/);
		assert.ok(await mailTo(email), `no mail to ${email}`);
	});
});
