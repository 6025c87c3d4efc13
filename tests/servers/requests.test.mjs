// Request forms every HTTP/1.1 server must take, through every set-up we
// ship, whatever FCGI_AUTH_SERVER says:
// - an absolute-form target (RFC 9112 §3.2.2, "GET http://host/path"), which
//   Apache hands the programs as REQUEST_URI unchanged: answered exactly as
//   the origin-form;
// - a chunked request body: processed, or refused with 411 and the
//   programs' {message, code} JSON (mod_cgid passes a chunked body to a CGI
//   program without CONTENT_LENGTH) — never taken for an empty body.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { startFerret, startFcgi, dbName, signUpUser, SETUPS } from "../lib/stack.mjs";

/** One raw HTTP/1.1 exchange (Connection: close); { status, headers, body } with the body de-chunked. */
function raw(port, head, body = "") {
	return new Promise((resolve, reject) => {
		const s = net.connect(port, "127.0.0.1");
		const chunks = [];
		s.setTimeout(10000, () => s.destroy(new Error("timeout")));
		s.on("data", (d) => chunks.push(d));
		s.on("error", reject);
		s.on("close", () => {
			const text = Buffer.concat(chunks).toString("utf8");
			const i = text.indexOf("\r\n\r\n");
			if (i < 0) return reject(new Error(`no response: ${JSON.stringify(text)}`));
			const lines = text.slice(0, i).split("\r\n");
			const headers = {};
			for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(":")).toLowerCase()] = l.slice(l.indexOf(":") + 1).trim();
			let b = text.slice(i + 4);
			if (/chunked/i.test(headers["transfer-encoding"] ?? "")) {
				let out = "";
				for (;;) {
					const j = b.indexOf("\r\n");
					const n = parseInt(b.slice(0, j), 16);
					if (!n) break;
					out += b.slice(j + 2, j + 2 + n);
					b = b.slice(j + 2 + n + 2);
				}
				b = out;
			}
			resolve({ status: Number(lines[0].split(" ")[1]), headers, body: b });
		});
		s.write(head + body);
	});
}

function chunked(text) {
	const b = Buffer.from(text);
	return `${b.length.toString(16)}\r\n${text}\r\n0\r\n\r\n`;
}

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

for (const server of SETUPS) {
	describe(`request forms under ${server}`, () => {
		let srv, email, cookie, password;
		const host = () => `Host: 127.0.0.1:${srv.port}\r\nConnection: close\r\n`;
		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`forms-${server}`) }, { server });
			({ email, cookie, password } = await signUpUser(srv.url, "forms"));
		});
		after(async () => { await srv?.stop(); });

		it("absolute-form targets are answered as their origin-form", async () => {
			const base = `http://127.0.0.1:${srv.port}`;
			const ok = await raw(srv.port, `GET ${base}/api/auth/ok HTTP/1.1\r\n${host()}\r\n`);
			assert.equal(ok.status, 200, JSON.stringify(ok));
			assert.equal(ok.body, '{"ok":true}');
			const s = await raw(srv.port, `GET ${base}/api/auth/get-session?x=1 HTTP/1.1\r\n${host()}Cookie: ${cookie}\r\n\r\n`);
			assert.equal(s.status, 200, JSON.stringify(s));
			assert.equal(JSON.parse(s.body).user.email, email);
			const body = JSON.stringify({ email, password });
			const si = await raw(srv.port, `POST ${base}/api/auth/sign-in/email HTTP/1.1\r\n${host()}Origin: ${base}\r\n` +
				`Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, body);
			assert.equal(si.status, 200, JSON.stringify(si));
			assert.equal(JSON.parse(si.body).user.email, email);
			const missing = await raw(srv.port, `GET ${base}/api/auth/no-such-path HTTP/1.1\r\n${host()}\r\n`);
			assert.equal(missing.status, 404);
			const w = await raw(srv.port, `GET ${base}/demo/whoami HTTP/1.1\r\n${host()}Cookie: ${cookie}\r\n\r\n`);
			assert.equal(w.status, 200, JSON.stringify(w));
			assert.equal(JSON.parse(w.body).email, email);
		});

		it("a chunked sign-in body is processed or refused with 411 JSON, never read as empty", async () => {
			const body = JSON.stringify({ email, password });
			const r = await raw(srv.port, `POST /api/auth/sign-in/email HTTP/1.1\r\n${host()}Origin: http://127.0.0.1:${srv.port}\r\n` +
				`Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, chunked(body));
			if (r.status === 200) {
				assert.equal(JSON.parse(r.body).user.email, email);
			} else {
				assert.equal(r.status, 411, JSON.stringify(r));
				assert.match(r.headers["content-type"] ?? "", /^application\/json/);
				const j = JSON.parse(r.body);
				assert.deepEqual(Object.keys(j), ["message", "code"]);
				assert.equal(typeof j.message, "string");
				assert.equal(j.code, "LENGTH_REQUIRED");
			}
		});
	});
}
