// Faults: the store down when the programs start, hung, killed mid-run and
// restarted, and a FastCGI process killed with SIGKILL. The programs must
// answer 503 SERVICE_UNAVAILABLE with Retry-After (never 200 with a user, never
// cleared cookies), keep running (lighttpd does not have to respawn them), and
// recover by themselves once the store is back. An interrupted sign-up is
// covered by tests/e2e/repair.test.mjs.
// This file runs its own FerretDB (it stops and restarts it).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import {
	startFcgi, mongo, dbName, request, postJSON, uniqueEmail, freePort, sleep, signCookieValue, FERRETDB, applySchema,
} from "../lib/stack.mjs";

const PW = "correct horse battery staple";
const UNAVAILABLE = { message: "Service temporarily unavailable, please retry", code: "SERVICE_UNAVAILABLE" };
const NAME = "better-auth.session_token";

// ---- a private FerretDB that can be killed and restarted on the same port and data
function tcpOpen(port) {
	return new Promise((resolve) => {
		const s = net.connect(port, "127.0.0.1");
		s.on("connect", () => { s.destroy(); resolve(true); });
		s.on("error", () => resolve(false));
	});
}
class Ferret {
	constructor(dir, port) { this.dir = dir; this.port = port; this.child = null; }
	static async create() {
		return new Ferret(fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-sec-faults-")), await freePort());
	}
	get uri() { return `mongodb://127.0.0.1:${this.port}/`; }
	async start() {
		this.child = spawn(FERRETDB, [
			"--handler=sqlite", `--sqlite-url=file:${this.dir}/`, `--listen-addr=127.0.0.1:${this.port}`,
			"--telemetry=disable", "--debug-addr=-", `--state-dir=${this.dir}`, "--log-level=WARN",
		], { stdio: "ignore" });
		for (let i = 0; !(await tcpOpen(this.port)); i++) {
			if (i > 300 || this.child.exitCode !== null) throw new Error("ferretdb did not start");
			await sleep(50);
		}
	}
	/** SIGSTOP: connections and requests are accepted by the kernel, never answered. */
	pause() { process.kill(this.child.pid, "SIGSTOP"); }
	resume() { if (this.child.exitCode === null && this.child.signalCode === null) process.kill(this.child.pid, "SIGCONT"); }
	async kill() {
		const c = this.child;
		if (!c || c.exitCode !== null || c.signalCode !== null) return;
		const gone = new Promise((r) => c.once("exit", r));
		process.kill(c.pid, "SIGKILL");
		await gone;
	}
	async destroy() { await this.kill(); fs.rmSync(this.dir, { recursive: true, force: true }); }
}
const ferrets = [];
process.on("exit", () => {
	for (const f of ferrets) try { if (f.child && f.child.exitCode === null) process.kill(f.child.pid, "SIGKILL"); } catch { /* gone */ }
});

// ---- lighttpd and its FastCGI children
function lighttpdPid(srv) {
	return Number(fs.readFileSync(path.join(srv.stateDir, "lighttpd.pid"), "utf8"));
}
/** Child processes of pid: [{pid, name}] sorted by pid. */
function children(pid) {
	const out = [];
	for (const d of fs.readdirSync("/proc")) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const st = fs.readFileSync(`/proc/${d}/stat`, "utf8");
			const f = st.slice(st.lastIndexOf(")") + 2).split(" ");
			if (Number(f[1]) === pid && f[0] !== "Z") out.push({ pid: Number(d), name: st.slice(st.indexOf("(") + 1, st.lastIndexOf(")")) });
		} catch { /* raced */ }
	}
	return out.sort((a, b) => a.pid - b.pid);
}
function alive(pid) {
	try { process.kill(pid, 0); return true; } catch { return false; }
}

/** The TCP connections of /proc/net/tcp: [{ local, remote, rxQueue, inode }] (IPv4 ports). */
function tcpTable() {
	return fs.readFileSync("/proc/net/tcp", "utf8").trim().split("\n").slice(1).map((l) => {
		const f = l.trim().split(/\s+/);
		return {
			local: parseInt(f[1].split(":")[1], 16), remote: parseInt(f[2].split(":")[1], 16),
			rxQueue: parseInt(f[4].split(":")[1], 16), inode: Number(f[9]),
		};
	});
}
/** The socket inodes a process holds open. */
function socketInodes(pid) {
	const out = new Set();
	for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
		try {
			const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
			if (m) out.add(Number(m[1]));
		} catch { /* closed meanwhile */ }
	}
	return out;
}
/**
 * Which of pids has sent the store (on storePort) bytes that it has not read:
 * with the store stopped, that process is inside a request, waiting for the
 * store's answer. Returns its pid, or 0.
 */
function waitingOnStore(pids, storePort) {
	const table = tcpTable();
	for (const pid of pids) {
		let inodes;
		try { inodes = socketInodes(pid); } catch { continue; }
		const ports = table.filter((c) => inodes.has(c.inode) && c.remote === storePort).map((c) => c.local);
		if (table.some((c) => c.local === storePort && ports.includes(c.remote) && c.rxQueue > 0)) return pid;
	}
	return 0;
}

function expectUnavailable(r, what) {
	assert.equal(r.status, 503, `${what}: status ${r.status} ${r.body}`);
	assert.equal(r.headers["content-type"], "application/json", what);
	assert.deepEqual(r.json(), UNAVAILABLE, what);
	assert.match(r.headers["retry-after"] ?? "", /^\d+$/, `${what}: Retry-After`);
	assert.deepEqual(r.setCookies, [], `${what}: no Set-Cookie (cookies must not be cleared)`);
}

async function timed(p) {
	const t = performance.now();
	const r = await p;
	r.ms = performance.now() - t;
	return r;
}

const servers = [];
after(async () => {
	for (const s of servers) await s.stop();
	for (const f of ferrets) await f.destroy();
});

describe("store down when the programs start", () => {
	let srv;
	before(async () => {
		const dead = await freePort(); // nothing listens there
		srv = await startFcgi({ MONGODB_URI: `mongodb://127.0.0.1:${dead}/`, MONGODB_DB: "unreachable" });
		servers.push(srv);
	});

	it("get-session, me and the authorizer with a validly signed cookie: 503 within 3 s, never a user, no cleared cookie", async () => {
		const cookie = `${NAME}=${signCookieValue("A".repeat(32))}`;
		for (const p of ["/api/auth/get-session", "/api/user/me", "/demo/whoami"]) {
			const r = await timed(request(srv.url, p, { headers: { Cookie: cookie } }));
			expectUnavailable(r, p);
			assert.ok(r.ms < 3000, `${p} answered in ${r.ms.toFixed(0)} ms`);
		}
	});

	it("sign-in, sign-up, sign-out and sync-user: 503 within 3 s", async () => {
		const cookie = `${NAME}=${signCookieValue("B".repeat(32))}`;
		const cases = [
			["/api/auth/sign-in/email", { email: "a@b.co", password: PW }, {}],
			["/api/auth/sign-up/email", { name: "A", email: uniqueEmail("down"), password: PW }, {}],
			["/api/auth/sign-out", {}, { Cookie: cookie }],
			["/api/auth/sync-user", {}, { Cookie: cookie }],
		];
		for (const [p, body, headers] of cases) {
			const r = await timed(postJSON(srv.url, p, body, headers));
			expectUnavailable(r, p);
			assert.ok(r.ms < 3000, `${p} answered in ${r.ms.toFixed(0)} ms`);
		}
	});

	it("requests that need no store still work: /ok, get-session without a cookie", async () => {
		assert.equal((await request(srv.url, "/api/auth/ok")).status, 200);
		const r = await request(srv.url, "/api/auth/get-session");
		assert.equal(r.status, 200);
		assert.equal(r.body, "null");
	});

	it("the backends are not crash-looping: the same PIDs across repeated failures", async () => {
		const lp = lighttpdPid(srv);
		const before = children(lp);
		assert.ok(before.some((c) => c.name === "session") && before.some((c) => c.name === "signin"), JSON.stringify(before));
		const cookie = `${NAME}=${signCookieValue("C".repeat(32))}`;
		for (let i = 0; i < 5; i++) {
			expectUnavailable(await request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie } }), `get-session #${i}`);
			expectUnavailable(await postJSON(srv.url, "/api/auth/sign-in/email", { email: "a@b.co", password: PW }), `sign-in #${i}`);
		}
		assert.deepEqual(children(lp), before, "no backend exited or was respawned");
		assert.doesNotMatch(srv.errlog(), /child (exited|signalled)/, "lighttpd saw no backend die");
	});
});

describe("store hung (accepts connections, never answers)", () => {
	let srv, hung;
	const sockets = new Set();
	before(async () => {
		hung = net.createServer((s) => { sockets.add(s); s.on("error", () => {}); });
		await new Promise((r) => hung.listen(0, "127.0.0.1", r));
		srv = await startFcgi({ MONGODB_URI: `mongodb://127.0.0.1:${hung.address().port}/`, MONGODB_DB: "hung" });
		servers.push(srv);
	});
	after(async () => {
		for (const s of sockets) s.destroy();
		await new Promise((r) => hung.close(r));
	});

	it("get-session and sign-in: 503 within the configured timeouts (about 2 s), not a hang", async () => {
		const cookie = `${NAME}=${signCookieValue("D".repeat(32))}`;
		const gs = await timed(request(srv.url, "/api/auth/get-session", { headers: { Cookie: cookie }, timeout: 15000 }));
		expectUnavailable(gs, "get-session");
		assert.ok(gs.ms < 6000, `get-session answered in ${gs.ms.toFixed(0)} ms`);
		const si = await timed(postJSON(srv.url, "/api/auth/sign-in/email", { email: "a@b.co", password: PW }));
		expectUnavailable(si, "sign-in");
		assert.ok(si.ms < 6000, `sign-in answered in ${si.ms.toFixed(0)} ms`);
	});
});

describe("store killed mid-run and restarted on the same port", () => {
	let ferret, srv, db, name, user;
	before(async () => {
		ferret = await Ferret.create();
		ferrets.push(ferret);
		await ferret.start();
		name = dbName("sec_faults");
		applySchema(ferret.uri, name);
		srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: name });
		servers.push(srv);
		db = await mongo(name, ferret.uri);
		const email = uniqueEmail("faults");
		const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "F", email, password: PW });
		assert.equal(r.status, 200, r.body);
		user = { email, id: r.json().user.id, cookie: r.setCookies[0].split(";")[0] };
	});
	after(async () => { await db?.close().catch(() => {}); });

	it("while it is down: 503 (cookie kept); once it is back: everything works again without restarting lighttpd", async (t) => {
		const lp = lighttpdPid(srv);
		const procs = children(lp);
		// Every backend has a live connection to the store before it dies.
		assert.equal((await request(srv.url, "/api/auth/get-session", { headers: { Cookie: user.cookie } })).status, 200);
		assert.equal((await postJSON(srv.url, "/api/auth/sign-in/email", { email: user.email, password: PW })).status, 200);

		await ferret.kill();
		const gs = await timed(request(srv.url, "/api/auth/get-session", { headers: { Cookie: user.cookie } }));
		expectUnavailable(gs, "get-session, store down");
		assert.ok(gs.ms < 6000, `${gs.ms.toFixed(0)} ms`);
		const si = await timed(postJSON(srv.url, "/api/auth/sign-in/email", { email: user.email, password: PW }));
		expectUnavailable(si, "sign-in, store down");
		assert.ok(si.ms < 6000, `${si.ms.toFixed(0)} ms`);

		await ferret.start(); // same port, same data
		const t0 = Date.now();
		let last;
		for (;;) {
			last = await postJSON(srv.url, "/api/auth/sign-in/email", { email: user.email, password: PW });
			if (last.status === 200) break;
			assert.equal(last.status, 503, `while recovering only 503 is acceptable: ${last.status} ${last.body}`);
			assert.ok(Date.now() - t0 < 10000, `not recovered within 10 s: ${last.body}`);
			await sleep(250);
		}
		assert.equal(last.json().user.id, user.id);
		t.diagnostic(`sign-in recovered ${Date.now() - t0} ms after the store came back`);
		// Every endpoint recovers, and the data written before the crash is there.
		for (let t = Date.now(); ; await sleep(250)) {
			const r = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: user.cookie } });
			if (r.status === 200) { assert.equal(r.json().user.id, user.id); break; }
			assert.equal(r.status, 503, r.body);
			assert.ok(Date.now() - t < 10000, "get-session did not recover within 10 s");
		}
		const me = await request(srv.url, "/api/user/me", { headers: { Cookie: user.cookie } });
		assert.equal(me.status, 200, me.body);
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "After", email: uniqueEmail("after"), password: PW });
		assert.equal(up.status, 200, up.body);
		assert.equal(lighttpdPid(srv), lp);
		assert.deepEqual(children(lp), procs, "the same processes recovered by themselves");
	});
});

describe("a FastCGI process killed with SIGKILL", () => {
	let srv, db, user, uri, ferret;
	before(async () => {
		ferret = await Ferret.create();
		ferrets.push(ferret);
		await ferret.start();
		uri = ferret.uri;
		const name = dbName("sec_kill");
		srv = await startFcgi({ MONGODB_URI: uri, MONGODB_DB: name });
		servers.push(srv);
		db = await mongo(name, uri);
		const email = uniqueEmail("kill");
		const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "K", email, password: PW });
		assert.equal(r.status, 200, r.body);
		user = { email, id: r.json().user.id, token: r.json().token, cookie: r.setCookies[0].split(";")[0] };
	});
	after(async () => { ferret.resume(); await db?.close().catch(() => {}); });

	/** Kills the named children of lighttpd (or only those of victimPids); waits until lighttpd has replaced them. */
	async function killAndWaitRespawn(names, victimPids) {
		const lp = lighttpdPid(srv);
		const was = children(lp);
		const victims = was.filter((c) => names.includes(c.name) && (!victimPids || victimPids.includes(c.pid)));
		assert.ok(victims.length >= names.length, `found ${JSON.stringify(victims)}`);
		for (const v of victims) process.kill(v.pid, "SIGKILL");
		const t0 = Date.now();
		for (;;) {
			const now = children(lp);
			// As many processes of each name as before, none of them a victim.
			const fresh = names.every((n) => now.filter((c) => c.name === n && !victims.some((v) => v.pid === c.pid)).length ===
				was.filter((c) => c.name === n).length);
			if (fresh && victims.every((v) => !alive(v.pid) || !now.some((c) => c.pid === v.pid))) break;
			assert.ok(Date.now() - t0 < 5000, `lighttpd did not respawn ${names}: ${JSON.stringify(now)}`);
			await sleep(50);
		}
	}

	it("signin and session killed: lighttpd respawns them and the next requests succeed; no data lost", async () => {
		const before = await db.collection("session").countDocuments({});
		await killAndWaitRespawn(["signin", "session"]);
		for (let i = 0; i < 3; i++) {
			const a = await postJSON(srv.url, "/api/auth/sign-in/email", { email: user.email, password: PW });
			assert.equal(a.status, 200, `sign-in #${i}: ${a.status} ${a.body.slice(0, 200)}`);
			assert.equal(a.json().user.id, user.id);
			const b = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: user.cookie } });
			assert.equal(b.status, 200, `get-session #${i}: ${b.status}`);
			assert.equal(b.json().session.token, user.token, "the old session survived");
			const c = await request(srv.url, "/demo/whoami", { headers: { Cookie: user.cookie } });
			assert.equal(c.status, 200, `whoami #${i}: ${c.status}`);
			assert.equal(c.json().userId, user.id);
		}
		assert.equal(await db.collection("session").countDocuments({}), before + 3);
		assert.equal(await db.collection("user").countDocuments({ email: user.email }), 1);
		assert.equal(await db.collection("account").countDocuments({ accountId: user.id }), 1);
	});

	it("signin killed in the middle of a sign-in: that request fails cleanly (no session row), the next succeeds", async () => {
		const before = await db.collection("session").countDocuments({});
		const lp = lighttpdPid(srv);
		const signins = () => children(lp).filter((c) => c.name === "signin").map((c) => c.pid);
		// With the store stopped, the sign-in provably stops inside the program, at
		// its first store request (the user lookup), until it is killed there.
		ferret.pause();
		let victim = 0, r;
		try {
			const inflight = postJSON(srv.url, "/api/auth/sign-in/email", { email: user.email, password: PW })
				.catch((e) => ({ status: 0, error: e, body: String(e), setCookies: [] }));
			for (const t0 = Date.now(); !(victim = waitingOnStore(signins(), ferret.port)); await sleep(20))
				assert.ok(Date.now() - t0 < 5000, "no signin process is waiting on the store");
			await killAndWaitRespawn(["signin"], [victim]);
			r = await inflight;
		} finally {
			ferret.resume();
		}
		// lighttpd's own answer for a backend that died before its first byte.
		assert.equal(r.status, 500, `interrupted: ${r.status} ${r.body.slice(0, 200)}`);
		assert.deepEqual(r.setCookies, [], "no cookie for an interrupted sign-in");
		assert.equal(await db.collection("session").countDocuments({}), before, "no half-made session");
		const next = await postJSON(srv.url, "/api/auth/sign-in/email", { email: user.email, password: PW });
		assert.equal(next.status, 200, next.body.slice(0, 200));
		assert.equal(await db.collection("session").countDocuments({}), before + 1, "only the next sign-in's session");
	});
});
