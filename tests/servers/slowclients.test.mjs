// Slow clients do not take the site down, under every web-server set-up we
// ship (the drop-in apache-conf/fcgi-auth.conf in a stock Debian Apache
// included), whatever FCGI_AUTH_SERVER says. Bounded: 80 connections sending their
// headers a byte a second, and one sending a sign-in body a byte a second,
// all on loopback, for at most ~20 s per set-up.
// - The site stays reachable and sign-ins keep working meanwhile. (Apache
//   reads a request's headers on a worker thread: with 64 workers, 64 such
//   connections made it unreachable. mod_proxy_fcgi hands the program the
//   request while its body is still arriving: with one process per
//   endpoint, one trickling body stopped every sign-in.)
// - Apache cuts them (mod_reqtimeout: headers within 10 s, then 500 bytes/s;
//   the body at 500 bytes/s after its first 10 s). lighttpd reads every
//   connection without a thread of its own and hands a backend a request
//   only once its body is complete, so there it is only the first point.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import {
	startFerret, startFcgi, dbName, request, signUpUser, sleep, DROPIN,
} from "../lib/stack.mjs";

const PW = "correct horse battery staple";
const SLOW_HEADERS = 80;
const CUT_WITHIN_MS = 18000; // the header timeout (10 s) plus slack on a busy machine

/**
 * A connection that sends `head` and then `rest` one byte a second. Resolves
 * nothing; .closed is a promise of the time (ms since open) the server
 * closed it, .stop() ends it from our side.
 */
function trickle(port, head, rest) {
	const t0 = Date.now();
	const s = net.connect(port, "127.0.0.1");
	let i = 0, timer;
	const closed = new Promise((resolve) => {
		s.on("close", () => { clearInterval(timer); resolve(Date.now() - t0); });
	});
	s.on("error", () => {});
	s.on("data", () => {}); // a 408, if the server says anything
	s.on("connect", () => {
		s.write(head);
		timer = setInterval(() => { if (i < rest.length && !s.destroyed) s.write(rest[i++]); }, 1000);
	});
	return { closed, stop: () => { clearInterval(timer); s.destroy(); } };
}

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

for (const server of ["lighttpd", "apache", "apache-proxy", "cgi", DROPIN]) {
	const apache = server !== "lighttpd";
	// The drop-in's programs limit sign-ins (3 per 10 s): there get-session
	// stands for them; its bodies are mod_fcgid's, as under "apache".
	const dropin = server === DROPIN;
	describe(`slow clients under ${server}`, () => {
		let srv, email, host, body, slow = [];
		const signIns = async (what) => {
			if (dropin) {
				const r = await request(srv.url, "/api/auth/get-session", { timeout: 5000 });
				assert.equal(r.status, 200, `${what}: ${r.body}`);
				return;
			}
			for (let i = 0; i < 4; i++) {
				const r = await request(srv.url, "/api/auth/sign-in/email", {
					method: "POST", body: JSON.stringify({ email, password: PW }), timeout: 5000,
					headers: { "Content-Type": "application/json", Origin: srv.url },
				});
				assert.equal(r.status, 200, `${what}: ${r.body}`);
				assert.equal(r.json().user.email, email);
			}
		};
		before(async () => {
			srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`slow-${server}`) }, { server });
			({ email } = await signUpUser(srv.url, "slow", PW));
			host = `Host: 127.0.0.1:${srv.port}\r\n`;
		});
		after(async () => {
			for (const c of [...slow, body]) c?.stop();
			await srv?.stop();
		});

		if (!dropin) it("one connection trickling a sign-in body does not stop other sign-ins", async () => {
			const json = JSON.stringify({ email, password: PW }).padEnd(200, " ");
			body = trickle(srv.port, `POST /api/auth/sign-in/email HTTP/1.1\r\n${host}Origin: ${srv.url}\r\n` +
				`Content-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json[0]}`, json.slice(1));
			await sleep(1500); // its request handed to a program, where the server does that before the body
			await signIns("beside a trickling body");
		});

		it(`${SLOW_HEADERS} connections sending their headers slowly do not make the site unreachable`, async () => {
			for (let i = 0; i < SLOW_HEADERS; i++) {
				slow.push(trickle(srv.port, `GET /api/auth/ok HTTP/1.1\r\n${host}`, `X-Slow-${i}: ${"x".repeat(40)}\r\n`));
			}
			await sleep(2000); // every one open and read by the server
			for (let i = 0; i < 3; i++) {
				const r = await request(srv.url, "/api/auth/ok", { timeout: 4000 });
				assert.equal(r.status, 200);
			}
			await signIns("beside slow headers");
		});

		if (apache) {
			it("Apache cuts the slow connections", async () => {
				let timer;
				const deadline = new Promise((r) => { timer = setTimeout(r, CUT_WITHIN_MS, "open"); });
				const res = await Promise.race([Promise.all([...slow, body].filter(Boolean).map((c) => c.closed)), deadline]);
				clearTimeout(timer);
				assert.notEqual(res, "open", `slow connections still open after ${CUT_WITHIN_MS} ms`);
				assert.ok(Math.max(...res) < CUT_WITHIN_MS, `closed after ${Math.max(...res)} ms`);
			});
		}
	});
}
