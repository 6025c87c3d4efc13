// The FastCGI protocol as a real program speaks it (lib/fcgi.c inside
// `session`, on its own socket: FCGI_AUTH_LISTEN), driven by a client that
// builds the records by hand — what no shipped web server sends but a
// FastCGI client may: two requests on one connection (FCGI_KEEP_CONN),
// FCGI_GET_VALUES, a management record of an unknown type, the Filter role,
// a second request while one is in hand, parameters split across records,
// and a request body in pieces. tests/unit/test_fcgi.c checks the same layer
// record by record; this checks the program around it answers.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { startFerret, dbName, freePort, removeMetrics, requireFcgiBuilt, FCGI_BIN, SECRET } from "../lib/stack.mjs";

requireFcgiBuilt();

const BEGIN = 1, ABORT = 2, END = 3, PARAMS = 4, STDIN = 5, STDOUT = 6, GET_VALUES = 9, VALUES_RESULT = 10, UNKNOWN_TYPE = 11;

function record(type, id, content = Buffer.alloc(0), padding = 0) {
	const h = Buffer.alloc(8);
	h.writeUInt8(1, 0);
	h.writeUInt8(type, 1);
	h.writeUInt16BE(id, 2);
	h.writeUInt16BE(content.length, 4);
	h.writeUInt8(padding, 6);
	return Buffer.concat([h, content, Buffer.alloc(padding, 0xee)]);
}
function begin(id, role = 1, keep = false) {
	return record(BEGIN, id, Buffer.from([role >> 8, role & 255, keep ? 1 : 0, 0, 0, 0, 0, 0]));
}
function len(n) {
	if (n < 128) return Buffer.from([n]);
	const b = Buffer.alloc(4);
	b.writeUInt32BE((n | 0x80000000) >>> 0);
	return b;
}
function pairs(obj) {
	return Buffer.concat(Object.entries(obj).map(([k, v]) => Buffer.concat([len(Buffer.byteLength(k)), len(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)])));
}
/** The records of a request: its parameters (split in two records), its body. */
function request(id, { method = "GET", uri = "/api/auth/ok", body = "", keep = false, extra = {} } = {}) {
	const p = pairs({
		REQUEST_METHOD: method, REQUEST_URI: uri, SCRIPT_NAME: uri, QUERY_STRING: "", SERVER_PROTOCOL: "HTTP/1.1",
		REMOTE_ADDR: "127.0.0.1", CONTENT_LENGTH: String(Buffer.byteLength(body)), HTTP_HOST: "127.0.0.1",
		...(body ? { CONTENT_TYPE: "application/json", HTTP_ORIGIN: "http://127.0.0.1" } : {}), ...extra,
	});
	const half = Math.floor(p.length / 2);
	const b = Buffer.from(body);
	return Buffer.concat([
		begin(id, 1, keep), record(PARAMS, id, p.subarray(0, half), 3), record(PARAMS, id, p.subarray(half)), record(PARAMS, id),
		...(b.length ? [record(STDIN, id, b.subarray(0, 1)), record(STDIN, id, b.subarray(1))] : []), record(STDIN, id),
	]);
}

/** Sends bytes on a new connection and collects records until `done(records)` or the close. */
function exchange(port, chunks, done = () => false) {
	return new Promise((resolve, reject) => {
		const sock = net.connect(port, "127.0.0.1");
		let buf = Buffer.alloc(0);
		const recs = [];
		const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer; records so far: ${JSON.stringify(recs.map((r) => [r.type, r.id]))}`)); }, 10000);
		const finish = (closed) => { clearTimeout(timer); sock.destroy(); resolve({ recs, closed }); };
		sock.on("connect", () => { for (const c of chunks) sock.write(c); });
		sock.on("data", (d) => {
			buf = Buffer.concat([buf, d]);
			while (buf.length >= 8) {
				const n = buf.readUInt16BE(4), pad = buf.readUInt8(6);
				if (buf.length < 8 + n + pad) break;
				recs.push({ version: buf[0], type: buf[1], id: buf.readUInt16BE(2), content: buf.subarray(8, 8 + n) });
				buf = buf.subarray(8 + n + pad);
			}
			if (done(recs)) finish(false);
		});
		sock.on("end", () => finish(true));
		sock.on("error", reject);
	});
}
const stdoutOf = (recs, id) => Buffer.concat(recs.filter((r) => r.type === STDOUT && r.id === id).map((r) => r.content)).toString();
const ended = (recs, id) => recs.find((r) => r.type === END && r.id === id);

let ferret, child, port;
const db = dbName("fastcgi");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-fastcgi-"));
before(async () => {
	ferret = await startFerret();
	port = await freePort();
	child = spawn(path.join(FCGI_BIN, "session"), [], {
		env: { PATH: process.env.PATH, BETTER_AUTH_SECRET: SECRET, MONGODB_URI: ferret.uri, MONGODB_DB: db,
			FCGI_AUTH_LISTEN: `127.0.0.1:${port}`, TMPDIR: dir, BETTER_AUTH_RATE_LIMIT: "0" },
		stdio: ["ignore", "ignore", "pipe"],
	});
	child.stderr.on("data", () => {});
	const deadline = Date.now() + 15000;
	for (;;) {
		const up = await new Promise((r) => { const s = net.connect(port, "127.0.0.1", () => { s.destroy(); r(true); }); s.on("error", () => r(false)); });
		if (up) break;
		if (Date.now() > deadline || child.exitCode !== null) throw new Error("session did not listen");
		await new Promise((r) => setTimeout(r, 50));
	}
});
after(async () => {
	if (child && child.exitCode === null) {
		child.kill("SIGTERM");
		await new Promise((r) => child.once("exit", r));
	}
	await ferret?.stop();
	removeMetrics(db);
	fs.rmSync(dir, { recursive: true, force: true });
});

describe("FastCGI, spoken to a program directly", () => {
	it("one request: STDOUT, the empty STDOUT, END_REQUEST complete, then the close", async () => {
		const { recs, closed } = await exchange(port, [request(1)]);
		assert.ok(closed, "the program closes a connection the server does not keep");
		assert.match(stdoutOf(recs, 1), /^Status: 200 OK\r\n[\s\S]*\r\n\r\n\{"ok":true\}$/);
		const e = ended(recs, 1);
		assert.ok(e && e.content.length === 8 && e.content[4] === 0, "END_REQUEST, FCGI_REQUEST_COMPLETE");
		assert.ok(recs.some((r) => r.type === STDOUT && r.content.length === 0), "the empty STDOUT record");
		assert.ok(recs.every((r) => r.version === 1));
	});

	it("FCGI_KEEP_CONN: two requests on one connection, different ids, both answered in turn", async () => {
		// the second is sent only after the first is answered: a process serves one at a time
		const sock = net.connect(port, "127.0.0.1");
		await new Promise((r) => sock.on("connect", r));
		const read = (id) => new Promise((resolve, reject) => {
			let buf = Buffer.alloc(0);
			const recs = [];
			const onData = (d) => {
				buf = Buffer.concat([buf, d]);
				while (buf.length >= 8 && buf.length >= 8 + buf.readUInt16BE(4) + buf[6]) {
					const n = buf.readUInt16BE(4);
					recs.push({ type: buf[1], id: buf.readUInt16BE(2), content: buf.subarray(8, 8 + n) });
					buf = buf.subarray(8 + n + buf[6]);
				}
				if (ended(recs, id)) { sock.off("data", onData); resolve(recs); }
			};
			sock.on("data", onData);
			sock.once("error", reject);
			setTimeout(() => reject(new Error(`no END_REQUEST for ${id}`)), 10000);
		});
		sock.write(request(7, { keep: true }));
		const first = await read(7);
		assert.match(stdoutOf(first, 7), /\{"ok":true\}$/);
		sock.write(request(8, { uri: "/api/auth/get-session", keep: true }));
		const second = await read(8);
		assert.match(stdoutOf(second, 8), /^Status: 200 OK\r\n[\s\S]*\r\n\r\nnull$/, "get-session without a cookie: null");
		assert.ok(!sock.destroyed, "the connection stays open");
		sock.destroy();
	});

	it("FCGI_GET_VALUES and an unknown management record are answered before the request", async () => {
		const q = pairs({ FCGI_MAX_CONNS: "", FCGI_MAX_REQS: "", FCGI_MPXS_CONNS: "", NO_SUCH_VALUE: "" });
		const { recs } = await exchange(port, [record(GET_VALUES, 0, q), record(42, 0, Buffer.from("x"), 7), request(1)]);
		const v = recs.find((r) => r.type === VALUES_RESULT);
		assert.ok(v && v.id === 0, "GET_VALUES_RESULT");
		assert.deepEqual(v.content, pairs({ FCGI_MAX_CONNS: "1", FCGI_MAX_REQS: "1", FCGI_MPXS_CONNS: "0" }));
		const u = recs.find((r) => r.type === UNKNOWN_TYPE);
		assert.ok(u && u.content[0] === 42, "FCGI_UNKNOWN_TYPE for type 42");
		assert.match(stdoutOf(recs, 1), /\{"ok":true\}$/);
		assert.ok(recs.indexOf(v) < recs.indexOf(ended(recs, 1)), "in order");
	});

	it("the Filter role is refused (FCGI_UNKNOWN_ROLE) and the kept connection serves the next request", async () => {
		const { recs } = await exchange(port, [begin(3, 3, true), request(4)], (r) => ended(r, 4));
		assert.equal(ended(recs, 3)?.content[4], 3, "FCGI_UNKNOWN_ROLE");
		assert.match(stdoutOf(recs, 4), /\{"ok":true\}$/);
	});

	it("a second request while one is in hand: FCGI_CANT_MPX_CONN for it, the first answered", async () => {
		const p = pairs({ REQUEST_METHOD: "GET", REQUEST_URI: "/api/auth/ok", REMOTE_ADDR: "127.0.0.1" });
		const { recs } = await exchange(port, [begin(5), record(PARAMS, 5, p), begin(6), record(PARAMS, 5), record(STDIN, 5)], (r) => ended(r, 5));
		assert.equal(ended(recs, 6)?.content[4], 1, "FCGI_CANT_MPX_CONN");
		assert.match(stdoutOf(recs, 5), /\{"ok":true\}$/);
	});

	it("a POST body in pieces reaches the handler whole (sign-in validation answers on its content)", async () => {
		const body = JSON.stringify({ email: "not-an-email", password: "x".repeat(300) });
		const { recs } = await exchange(port, [request(9, { method: "POST", uri: "/api/auth/sign-in/email", body })]);
		// `session` does not serve sign-in: a 404 in Better Auth's form, after reading the body
		assert.match(stdoutOf(recs, 9), /^Status: 404 /);
		assert.equal(ended(recs, 9)?.content[4], 0);
	});

	it("an abort before the parameters end: only END_REQUEST, and the program still serves", async () => {
		const { recs } = await exchange(port, [begin(2), record(ABORT, 2)], (r) => ended(r, 2));
		assert.ok(ended(recs, 2));
		assert.equal(stdoutOf(recs, 2), "");
		const again = await exchange(port, [request(1)]);
		assert.match(stdoutOf(again.recs, 1), /\{"ok":true\}$/);
	});
});
