// The programs keep working when the unique indexes are missing, and say so:
// each logs (once, after its first answer) every index of schema-apply that
// is absent, since uniqueness is then not enforced. With the indexes applied
// nothing is logged. (lighttpd hands the programs' stderr to its own.)
import { describe, it, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, dbName, postJSON, request, uniqueEmail, sleep, applySchema } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
const stops = [];
after(async () => { for (const s of stops.reverse()) await s(); });

async function waitFor(fn, ms = 5000) {
	const end = Date.now() + ms;
	while (Date.now() < end) {
		if (fn()) return true;
		await sleep(100);
	}
	return fn();
}

describe("missing indexes", () => {
	it("without schema-apply: sign-up still works, and the missing unique indexes are logged", async () => {
		const ferret = await startFerret();
		stops.push(() => ferret.stop());
		const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName("noindex") }, { server: "lighttpd" });
		stops.push(() => srv.stop());
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "N", email: uniqueEmail("noidx"), password: PW });
		assert.equal(up.status, 200, up.body);
		for (const idx of ["user.user_email_uidx", "session.session_token_uidx", "users.users_betterAuthUserId_uidx",
			"profiles.profiles_userId_uidx", "rateLimit.rateLimit_key_uidx"]) {
			assert.ok(await waitFor(() => srv.output().includes(`index ${idx} is missing`)),
				`no warning for ${idx} in:\n${srv.output().slice(-3000)}`);
		}
	});

	it("with schema-apply: nothing is logged", async () => {
		const ferret = await startFerret();
		stops.push(() => ferret.stop());
		const name = dbName("withindex");
		applySchema(ferret.uri, name);
		const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name }, { server: "lighttpd" });
		stops.push(() => srv.stop());
		assert.equal((await request(srv.url, "/api/auth/ok")).status, 200);
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "N", email: uniqueEmail("idx"), password: PW });
		assert.equal(up.status, 200, up.body);
		await sleep(1000);
		assert.doesNotMatch(srv.output(), /is missing/);
	});
});
