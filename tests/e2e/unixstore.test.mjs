// The store over a Unix socket (README, "MONGODB_URI"): our programs reach a
// FerretDB that listens on a Unix socket only (scripts/ferretdb.sh with port
// "-": no TCP listener at all), named in MONGODB_URI by its percent-encoded
// path. The path has characters a URI must encode (space, %, +, @, ",", =, ?,
// #, a non-ASCII letter), and "%41" in it, which a URI that does not encode
// "%" would turn into "A": that URI must not reach the store. fcgi-only: it
// starts our programs itself (startFcgi) on a store of its own.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFcgi, request, postJSON, dbName, uniqueEmail, mongo, applySchema, requireFcgiBuilt, apacheRunAs, CookieJar, ROOT } from "../lib/stack.mjs";

const PW = "correct horse battery staple";
let dir, sock, log, fdbPid, srv, name;

const uriOf = (p) => `mongodb://${encodeURIComponent(p)}/`;
/** FerretDB's "Connection started" lines: one per client connection, with the address it came in on. */
const connections = () => fs.readFileSync(log, "utf8").split("\n").filter((l) => l.includes("Connection started"));

before(async () => {
	requireFcgiBuilt();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-unixstore-"));
	fs.mkdirSync(path.join(dir, "a b%41+@,=?#é"));
	sock = path.join(dir, "a b%41+@,=?#é", "store.sock");
	log = path.join(dir, "ferretdb.log");
	// --log-level=info: FerretDB logs every connection with its address.
	fdbPid = Number(execFileSync(path.join(ROOT, "scripts/ferretdb.sh"),
		["-", path.join(dir, "data"), log, `--listen-unix=${sock}`, "--log-level=info"], { encoding: "utf8" }).trim());
	// Apache runs the programs as another user (www-data when we are root). As the
	// README says, that user needs search permission on the directories and write
	// permission on the socket (FerretDB makes it 0755, its owner's).
	fs.chmodSync(dir, 0o711);
	if (process.getuid() === 0) {
		const runAs = apacheRunAs();
		fs.chownSync(sock, runAs.uid, runAs.gid);
	}
	name = dbName("unixstore");
	applySchema(uriOf(sock), name);
	srv = await startFcgi({ MONGODB_URI: uriOf(sock), MONGODB_DB: name });
});
after(async () => {
	await srv?.stop();
	if (fdbPid) try { process.kill(fdbPid, "SIGKILL"); } catch { /* gone */ }
	if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("the store over a Unix socket", () => {
	it("FerretDB listens on the socket only, no TCP port", () => {
		assert.ok(fs.statSync(sock).isSocket());
		// /proc/net/tcp: every listening TCP socket (state 0A) with its inode; none is FerretDB's.
		const fds = fs.readdirSync(`/proc/${fdbPid}/fd`).map((f) => { try { return fs.readlinkSync(`/proc/${fdbPid}/fd/${f}`); } catch { return ""; } });
		const inodes = new Set(fds.filter((l) => l.startsWith("socket:[")).map((l) => l.slice(8, -1)));
		assert.ok(inodes.size > 0, "FerretDB holds its listening socket");
		for (const t of ["/proc/net/tcp", "/proc/net/tcp6"]) {
			for (const line of fs.readFileSync(t, "utf8").split("\n").slice(1).filter(Boolean)) {
				const f = line.trim().split(/\s+/);
				assert.ok(!(f[3] === "0A" && inodes.has(f[9])), `FerretDB listens on TCP: ${line}`);
			}
		}
	});

	it("sign-up, sign-in and get-session through our programs reach it", async () => {
		const email = uniqueEmail("unix");
		const up = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Unix", email, password: PW });
		assert.equal(up.status, 200, up.body);
		const inn = await postJSON(srv.url, "/api/auth/sign-in/email", { email, password: PW });
		assert.equal(inn.status, 200, inn.body);
		const jar = new CookieJar();
		jar.store(inn.setCookies);
		const s = await request(srv.url, "/api/auth/get-session", { headers: { Cookie: jar.header() } });
		assert.equal(s.status, 200, s.body);
		assert.equal(s.json().user.email, email);
		assert.equal(s.json().session.token, jar.get("better-auth.session_token").split(".")[0]);
		// The rows are in the store behind the socket (the Node driver through a
		// plain-named link to it: it decodes the host twice, so a "%" in the path defeats it).
		const link = path.join(dir, "link.sock");
		if (!fs.existsSync(link)) fs.symlinkSync(sock, link);
		const db = await mongo(name, uriOf(link));
		try {
			const user = await db.collection("user").findOne({ email });
			assert.ok(user, "the user row is in the store behind the socket");
			assert.equal(await db.collection("session").countDocuments({ userId: user._id }), 2, "sign-up's and sign-in's sessions");
		} finally {
			await db.close();
		}
		// schema-apply, signup, signin, session and the Node client each opened a
		// connection, every one on the socket.
		const all = connections();
		assert.ok(all.length >= 5, `connections: ${all.join("\n")}`);
		for (const l of all) assert.ok(l.includes(`"conn":"unix:`) && l.includes(`-> ${sock}"`), l);
	});

	it("a URI that leaves the path's \"%\" unencoded does not reach the store", async () => {
		// "%41" decodes to "A": .../a b%41+... becomes .../a bA+..., which does not exist.
		const raw = encodeURIComponent(sock).replace("%2541", "%41");
		assert.notEqual(raw, encodeURIComponent(sock));
		const bad = await startFcgi({ MONGODB_URI: `mongodb://${raw}/`, MONGODB_DB: name });
		try {
			const h = await request(bad.url, "/fcgi-auth/health", { timeout: 10000 });
			assert.equal(h.status, 503, h.body);
			const up = await postJSON(bad.url, "/api/auth/sign-up/email", { name: "X", email: uniqueEmail("unixbad"), password: PW });
			assert.ok(up.status >= 500, `sign-up answered ${up.status}: ${up.body}`);
		} finally {
			await bad.stop();
		}
		const h = await request(srv.url, "/fcgi-auth/health");
		assert.equal(h.status, 200, h.body);
		assert.equal(h.body, '{"status":"ok","store":"up"}');
	});
});
