// fcgi-only: schema-apply and our programs' rows (not run against the reference).
// Expired rows: schema-apply's TTL indexes (listed where the store has TTL,
// and the plain message where it has none, as on FerretDB 1.24), and
// `schema-apply --cleanup` deleting exactly the expired sessions and
// verification rows and the stale rate-limit buckets — in several batches,
// while sign-ins and get-sessions run against the same database, with the
// rate limiter on — and never a live row, a bucket still inside the longest
// window (60 s), or a bucket whose lock a request holds.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import path from "node:path";
import { ObjectId } from "mongodb";
import { createStack, FCGI_BIN, postJSON, request, uniqueEmail, CookieJar } from "../lib/stack.mjs";

const SCHEMA_APPLY = path.join(FCGI_BIN, "..", "schema-apply");
const PW = "cleanup-test-password-9f3a";
const run = promisify(execFile);

function apply(st, args = [], env = {}) {
	return execFileSync(SCHEMA_APPLY, args, {
		env: { ...process.env, MONGODB_URI: st.mongoUri, MONGODB_DB: st.dbName, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
	});
}

/** "<collection>: <n> deleted" lines → { collection: n }; every line must be one. */
function counted(stdout) {
	const out = {};
	for (const line of stdout.trim().split("\n")) {
		const m = /^(\w+): (\d+) deleted$/.exec(line);
		assert.ok(m, `unexpected output line: ${line}`);
		out[m[1]] = Number(m[2]);
	}
	return out;
}

describe("schema-apply: TTL indexes", () => {
	let st;
	before(async () => { st = await createStack("ttl"); });
	after(async () => { await st?.stop(); });

	it("creates session/verification expiresAt TTL indexes where the store has TTL, and says so where not", async () => {
		const out = apply(st);
		const info = await st.db.admin().command({ buildInfo: 1 });
		const ferret = typeof info.ferretdbVersion === "string";
		for (const coll of ["session", "verification"]) {
			const name = `${coll}_expiresAt_ttl`;
			const idx = (await st.db.collection(coll).listIndexes().toArray()).find((i) => i.name === name);
			if (ferret) {
				assert.match(out, new RegExp(`^schema-apply: ${coll}\\.${name}: this store has no TTL indexes \\(.*expireAfterSeconds.*\\); ` +
					`expired ${coll} rows stay until \`schema-apply --cleanup\` deletes them$`, "m"));
				assert.equal(idx, undefined, `FerretDB listed ${name}`);
			} else {
				assert.match(out, new RegExp(`^schema-apply: ${coll}\\.${name} ok \\(TTL`, "m"));
				assert.deepEqual({ key: idx?.key, ttl: idx?.expireAfterSeconds }, { key: { expiresAt: 1 }, ttl: 0 });
			}
		}
		assert.match(out, /^schema-apply: rateLimit: no TTL index: its buckets have no date field/m);
		assert.match(out, /^schema-apply: verification\.verification_identifier_idx ok$/m);
		const vidx = (await st.db.collection("verification").listIndexes().toArray()).find((i) => i.name === "verification_identifier_idx");
		assert.deepEqual(vidx.key, { identifier: 1 });
		assert.ok(!vidx.unique);
		// idempotent
		assert.equal(apply(st), out);
	});
});

describe("schema-apply --cleanup", () => {
	let st;
	const users = [];
	before(async () => {
		st = await createStack("cleanup", {
			BETTER_AUTH_RATE_LIMIT: "1", FCGI_AUTH_RATE_LIMIT_STRICT_MAX: "1000000", FCGI_AUTH_RATE_LIMIT_MAX: "1000000",
		});
		apply(st);
		for (let i = 0; i < 3; i++) {
			const email = uniqueEmail("cleanup");
			const r = await postJSON(st.url, "/api/auth/sign-up/email", { name: "C", email, password: PW });
			assert.equal(r.status, 200, r.body);
			users.push({ email, id: new ObjectId(r.json().user.id) });
		}
	});
	after(async () => { await st?.stop(); });

	it("deletes exactly the expired rows, in batches, while sign-ins and get-sessions run", async () => {
		const now = Date.now();
		const sessions = st.db.collection("session"), ver = st.db.collection("verification"), rl = st.db.collection("rateLimit");
		const session = (token, expiresAt) => ({
			expiresAt: new Date(expiresAt), token, createdAt: new Date(now - 86400e3), updatedAt: new Date(now - 86400e3),
			ipAddress: "127.0.0.1", userAgent: "seed", userId: users[token.length % 3].id, _id: new ObjectId(),
		});
		// More than one batch (200) of each kind to delete.
		const expired = Array.from({ length: 450 }, (_, i) => session(`expiredtoken${String(i).padStart(20, "0")}`, now - 1000 - i * 1000));
		const future = Array.from({ length: 30 }, (_, i) => session(`futuretoken${String(i).padStart(21, "0")}`, now + 3600e3 + i));
		await sessions.insertMany([...expired, ...future]);
		const vrow = (identifier, expiresAt) => ({
			identifier, value: users[0].id.toHexString(), expiresAt: new Date(expiresAt), createdAt: new Date(now - 7200e3),
			updatedAt: new Date(now - 7200e3), _id: new ObjectId(),
		});
		await ver.insertMany([
			...Array.from({ length: 230 }, (_, i) => vrow(`reset-password:expired${i}`, now - 60e3 - i)),
			...Array.from({ length: 10 }, (_, i) => vrow(`reset-password:live${i}`, now + 3600e3)),
		]);
		const bucket = (key, lastRequest, count = 2) => ({ _id: new ObjectId(), key, count, lastRequest });
		await rl.insertMany([
			...Array.from({ length: 260 }, (_, i) => bucket(`10.0.${i >> 8}.${i & 255}|/sign-in/email`, now - 61e3 - i * 10)),
			...Array.from({ length: 5 }, (_, i) => bucket(`10.1.0.${i}|/sign-in/email#lock`, now - 120e3, 12345)), // dead holders
			// younger than the slow class's 60 s window (though older than the 10 s one): kept
			...Array.from({ length: 20 }, (_, i) => bucket(`10.2.0.${i}|/request-password-reset`, now - 30e3)),
			// stale, but a request holds its lock right now: kept, with the lock
			bucket("10.3.0.1|/sign-in/email", now - 300e3), bucket("10.3.0.1|/sign-in/email#lock", now + 60e3, 777),
		]);
		const keep = {
			session: new Set(future.map((s) => s.token)),
			rateLimit: ["10.3.0.1|/sign-in/email", "10.3.0.1|/sign-in/email#lock"],
		};

		// The load: sign-ins (each a new session and a live bucket) and get-sessions, until the cleanup is done.
		let done = false;
		const jars = [];
		const errors = [];
		const load = async (u) => {
			while (!done) {
				const jar = new CookieJar();
				const r = await postJSON(st.url, "/api/auth/sign-in/email", { email: u.email, password: PW });
				if (r.status !== 200) { errors.push(`sign-in ${r.status} ${r.body}`); continue; }
				jar.store(r.setCookies);
				jars.push(jar);
				for (const j of jars.slice(-3)) {
					const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: j.header() } });
					if (g.status !== 200 || !g.json()?.session) errors.push(`get-session ${g.status} ${g.body}`);
				}
			}
		};
		const loads = users.slice(0, 2).map(load);
		let out;
		try {
			// let the load start, so the cleanup overlaps live writes
			while (jars.length < 2 && errors.length === 0) await new Promise((r) => setTimeout(r, 20));
			out = await run(SCHEMA_APPLY, ["--cleanup"], { env: { ...process.env, MONGODB_URI: st.mongoUri, MONGODB_DB: st.dbName } });
		} finally {
			done = true;
			await Promise.all(loads);
		}
		assert.deepEqual(errors, []);
		assert.equal(out.stderr, "");
		assert.deepEqual(counted(out.stdout), { session: 450, verification: 230, rateLimit: 265 });

		// What is left: every live session (seeded and signed in meanwhile), every live row and young bucket.
		const left = await sessions.find({}).toArray();
		assert.equal(left.filter((s) => s.expiresAt.getTime() < now).length, 0);
		for (const t of keep.session) assert.ok(left.some((s) => s.token === t), `live session ${t} deleted`);
		assert.ok(left.length >= 30 + 3 + jars.length, `${left.length} sessions left for ${jars.length} sign-ins`);
		for (const jar of jars) {
			const g = await request(st.url, "/api/auth/get-session", { headers: { Cookie: jar.header() } });
			assert.ok(g.json()?.session, `a session signed in during the cleanup is gone: ${g.body}`);
		}
		const vleft = await ver.find({}).toArray();
		assert.deepEqual(vleft.map((v) => v.identifier).sort(), Array.from({ length: 10 }, (_, i) => `reset-password:live${i}`).sort());
		const keys = new Set((await rl.find({}).toArray()).map((b) => b.key));
		for (let i = 0; i < 20; i++) assert.ok(keys.has(`10.2.0.${i}|/request-password-reset`));
		for (const k of keep.rateLimit) assert.ok(keys.has(k), `${k} deleted`);
		assert.ok(keys.has("127.0.0.1|/sign-in/email"), "the load's own bucket is gone");
		assert.ok(![...keys].some((k) => k.startsWith("10.0.") || k.startsWith("10.1.")), "a stale bucket or lock is left");
		assert.equal([...keys].filter((k) => k.endsWith("#lock")).length, 1, `locks left: ${[...keys].filter((k) => k.endsWith("#lock"))}`);

		// Once the request's lock is gone, the stale bucket goes too; a second run finds nothing else.
		await rl.deleteOne({ key: "10.3.0.1|/sign-in/email#lock" });
		assert.deepEqual(counted(apply(st, ["--cleanup"])), { session: 0, verification: 0, rateLimit: 1 });
	});

	it("keeps buckets for the configured window when it is longer than 60 s", async () => {
		const now = Date.now(), rl = st.db.collection("rateLimit");
		await rl.insertMany([
			{ _id: new ObjectId(), key: "10.9.0.1|/get-session", count: 1, lastRequest: now - 90e3 },
			{ _id: new ObjectId(), key: "10.9.0.2|/get-session", count: 1, lastRequest: now - 130e3 },
		]);
		assert.deepEqual(counted(apply(st, ["--cleanup"], { FCGI_AUTH_RATE_LIMIT_WINDOW: "120" })), { session: 0, verification: 0, rateLimit: 1 });
		const keys = (await rl.find({ key: /^10\.9\./ }).toArray()).map((b) => b.key);
		assert.deepEqual(keys, ["10.9.0.1|/get-session"]);
		assert.throws(() => apply(st, ["--cleanup"], { FCGI_AUTH_RATE_LIMIT_WINDOW: "ten" }), /FCGI_AUTH_RATE_LIMIT_WINDOW must be an integer/);
	});
});
