// Account enumeration: an unknown email and a wrong password for a known one
// must be indistinguishable, on the wire and in time (both run one scrypt).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, mongo, dbName, postJSON, uniqueEmail, counts } from "../lib/stack.mjs";
import { expectError, ERR } from "../lib/expect.mjs";

const PW = "correct horse battery staple";
const SIGN_IN = "/api/auth/sign-in/email";
let ferret, srv, db, email;

before(async () => {
	ferret = await startFerret();
	const name = dbName("sec_enum");
	srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
	db = await mongo(name, ferret.uri);
	email = uniqueEmail("known");
	const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Known", email, password: PW });
	assert.equal(r.status, 200, r.body);
});
after(async () => {
	await db?.close().catch(() => {});
	await srv?.stop();
	await ferret?.stop();
});

const HEADERS_THAT_VARY = new Set(["date"]);
function wire(r) {
	const h = Object.entries(r.headers).filter(([k]) => !HEADERS_THAT_VARY.has(k)).sort();
	return JSON.stringify({ status: r.status, headers: h, body: r.body });
}

function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

describe("no account enumeration through sign-in", () => {
	it("unknown email and wrong password give byte-identical status, headers and body", async () => {
		const before = await counts(db);
		const unknown = await postJSON(srv.url, SIGN_IN, { email: uniqueEmail("nobody"), password: "wrong password!" });
		const wrong = await postJSON(srv.url, SIGN_IN, { email, password: "wrong password!" });
		expectError(unknown, 401, ERR.INVALID_EMAIL_OR_PASSWORD);
		expectError(wrong, 401, ERR.INVALID_EMAIL_OR_PASSWORD);
		assert.equal(wire(unknown), wire(wrong));
		assert.deepEqual(unknown.setCookies, []);
		// Upper-case variant of the known email is the same user: still the same answer.
		const upper = await postJSON(srv.url, SIGN_IN, { email: email.toUpperCase(), password: "wrong password!" });
		assert.equal(wire(upper), wire(wrong));
		assert.deepEqual(await counts(db), before, "failed sign-ins write nothing");
	});

	it("both take comparable time: each runs one scrypt (>= 40 ms; medians within 0.5–2.0)", async () => {
		const time = async (body) => {
			const t = performance.now();
			const r = await postJSON(srv.url, SIGN_IN, body);
			const ms = performance.now() - t;
			assert.equal(r.status, 401, r.body);
			return ms;
		};
		// Warm up both paths once, then interleave so load drift hits both alike.
		await time({ email: uniqueEmail("warm"), password: "wrong password!" });
		await time({ email, password: "wrong password!" });
		const unknown = [], wrong = [];
		for (let i = 0; i < 5; i++) {
			unknown.push(await time({ email: uniqueEmail("nobody"), password: "wrong password!" }));
			wrong.push(await time({ email, password: "wrong password!" }));
		}
		const mu = median(unknown), mw = median(wrong);
		const detail = `unknown ${unknown.map((x) => x.toFixed(0))} ms, wrong ${wrong.map((x) => x.toFixed(0))} ms`;
		assert.ok(mu >= 40, `unknown email must run scrypt (median ${mu.toFixed(1)} ms): ${detail}`);
		assert.ok(mw >= 40, `wrong password must run scrypt (median ${mw.toFixed(1)} ms): ${detail}`);
		const ratio = mu / mw;
		assert.ok(ratio >= 0.5 && ratio <= 2.0, `median ratio ${ratio.toFixed(2)}: ${detail}`);
	});

	it("a user with no credential account answers like an unknown email", async () => {
		// E.g. a social-only user: no password to compare, same answer and work.
		const social = uniqueEmail("social");
		const { insertedId } = await db.collection("user").insertOne({
			name: "S", email: social, emailVerified: false, createdAt: new Date(), updatedAt: new Date(),
		});
		await db.collection("account").insertOne({
			accountId: "g-1", providerId: "google", userId: insertedId, createdAt: new Date(), updatedAt: new Date(),
		});
		const t = performance.now();
		const r = await postJSON(srv.url, SIGN_IN, { email: social, password: "wrong password!" });
		const ms = performance.now() - t;
		const wrong = await postJSON(srv.url, SIGN_IN, { email, password: "wrong password!" });
		assert.equal(wire(r), wire(wrong));
		assert.ok(ms >= 40, `ran scrypt (${ms.toFixed(1)} ms)`);
	});
});
