// Roles at the web server (issue 14): the authorizer passes the user's role
// (Better Auth's admin-plugin field, comma-separated for several) as
// AUTH_USER_ROLE, and /demo/admin, whose config sets
// FCGI_AUTH_REQUIRE_ROLE=admin, answers 401 JSON without a session, 403 JSON
// for a user without the role, and the backend's answer for one with it. A
// user with the plugin's banned: true (its ban not over) is refused
// everywhere behind the authorizer: 403 BANNED_USER.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import { startFerret, startFcgi, dbName, mongo, request, postJSON, uniqueEmail, CookieJar } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

function expectJsonError(r, status, body, what) {
	assert.equal(r.status, status, `${what}: ${r.status} ${r.body.slice(0, 200)}`);
	assert.equal(r.headers["content-type"], "application/json", `${what}: content-type`);
	assert.deepEqual(JSON.parse(r.body), body, what);
}

for (const server of ["lighttpd", "apache", "cgi"]) {
	describe(`roles and bans under ${server}`, () => {
		let srv, db, name, userId, cookie;
		before(async () => {
			name = dbName(`roles-${server}`);
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name }, { server });
			db = await mongo(name, ferret.uri);
			const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Ada", email: uniqueEmail("role"), password: PW });
			assert.equal(r.status, 200, r.body);
			userId = new ObjectId(r.json().user.id);
			const jar = new CookieJar();
			jar.store(r.setCookies);
			cookie = jar.header();
		});
		after(async () => { await db?.close(); await srv?.stop(); });
		const get = (p) => request(srv.url, p, { headers: { Cookie: cookie } });
		const setUser = (fields, unset = {}) => db.collection("user").updateOne({ _id: userId }, { $set: fields, ...(Object.keys(unset).length ? { $unset: unset } : {}) });

		it("/demo/admin: 401 without a session, 403 without the role, the backend with it", async () => {
			expectJsonError(await request(srv.url, "/demo/admin"), 401, { message: "Unauthorized", code: "UNAUTHORIZED" }, "no session");
			expectJsonError(await get("/demo/admin"), 403, { message: "Forbidden", code: "FORBIDDEN" }, "no role");
			await setUser({ role: "user,editor" });
			expectJsonError(await get("/demo/admin"), 403, { message: "Forbidden", code: "FORBIDDEN" }, "other roles");
			const w = await get("/demo/whoami");
			assert.equal(w.status, 200, "the unrestricted location still answers");
			assert.equal(w.json().role, "user,editor", "AUTH_USER_ROLE reaches the backend");
			await setUser({ role: "editor, admin" });
			const a = await get("/demo/admin");
			assert.equal(a.status, 200, a.body);
			assert.equal(a.json().userId, userId.toHexString());
			assert.equal(a.json().role, "editor, admin");
			// A client cannot ask for a weaker rule: its headers arrive as HTTP_*.
			await setUser({ role: "user" });
			const forged = await request(srv.url, "/demo/admin", { headers: { Cookie: cookie, "FCGI-AUTH-REQUIRE-ROLE": "user", "Fcgi_Auth_Require_Role": "user" } });
			assert.equal(forged.status, 403, forged.body);
		});

		it("a banned user is refused behind the authorizer; a ban that is over is not", async () => {
			await setUser({ banned: true });
			expectJsonError(await get("/demo/whoami"), 403, { message: "You have been banned from this application", code: "BANNED_USER" }, "banned");
			await setUser({ banned: true, banExpires: new Date(Date.now() + 3600_000) });
			assert.equal((await get("/demo/whoami")).status, 403, "ban not over yet");
			await setUser({ banned: true, banExpires: new Date(Date.now() - 1000) });
			assert.equal((await get("/demo/whoami")).status, 200, "ban over");
			await setUser({ banned: false }, { banExpires: "" });
			assert.equal((await get("/demo/whoami")).status, 200);
		});
	});
}
