// The drop-in (apache-conf/fcgi-auth.conf) hands the programs the secret, the
// URL and the database; every other setting comes from the settings file its
// `Define FCGI_AUTH_SETTINGS_FILE` names. Shown by the cookie cache, off by
// default: sign-up sets no session_data cookie without the file, and does
// with a file that says FCGI_AUTH_COOKIE_CACHE=1 (a file of the user Apache
// runs the programs as, mode 0600, as the README says). Two Apache starts.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFerret, startFcgi, dbName, postJSON, uniqueEmail, apacheRunAs, DROPIN } from "../lib/stack.mjs";

let ferret;
const dirs = [];
before(async () => { ferret = await startFerret(); });
after(async () => {
	await ferret?.stop();
	for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Sign-up's cookie names under the drop-in, with env for startFcgi. */
async function signUpCookies(env) {
	const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName("dropin"), ...env }, { server: DROPIN });
	try {
		const r = await postJSON(srv.url, "/api/auth/sign-up/email",
			{ name: "Ada", email: uniqueEmail("dropin"), password: "correct horse battery staple" });
		assert.equal(r.status, 200, r.body);
		return r.setCookies.map((c) => c.split("=")[0]);
	} finally {
		await srv.stop();
	}
}

describe("the drop-in's settings file", () => {
	it("without one, the defaults: no cookie cache", async () => {
		const names = await signUpCookies({});
		assert.ok(names.includes("better-auth.session_token"), names.join(" "));
		assert.ok(!names.includes("better-auth.session_data"), names.join(" "));
	});

	it("Define FCGI_AUTH_SETTINGS_FILE: its settings reach the programs", async () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dropin-settings-"));
		dirs.push(dir);
		const file = path.join(dir, "fcgi-auth.env");
		fs.writeFileSync(file, "# read by every program of the drop-in\nFCGI_AUTH_COOKIE_CACHE=1\n", { mode: 0o600 });
		const run = apacheRunAs();
		if (process.getuid() === 0) fs.chownSync(file, run.uid, run.gid);
		fs.chmodSync(dir, 0o755);
		const names = await signUpCookies({ FCGI_AUTH_SETTINGS_FILE: file });
		assert.ok(names.includes("better-auth.session_token"), names.join(" "));
		assert.ok(names.includes("better-auth.session_data"), names.join(" "));
	});
});
