// GET /fcgi-auth/metrics from this machine only (issue 14): every shipped
// set-up allows exactly 127.0.0.1 and ::1 and refuses any other client with
// 403, before a program sees the request. Only loopback is reachable here,
// so the other client is 127.0.0.2 (a source address the servers, listening
// on 127.0.0.1, accept like any other). The health URL stays open to all.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFerret, startFcgi, dbName, request, SETUPS } from "../lib/stack.mjs";

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

for (const server of SETUPS) {
	describe(`/fcgi-auth/metrics under ${server}`, () => {
		let srv;
		before(async () => { srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`acl-${server}`) }, { server }); });
		after(async () => { await srv?.stop(); });

		it("200 from 127.0.0.1, 403 from 127.0.0.2; health from both", async () => {
			const mine = await request(srv.url, "/fcgi-auth/metrics", { localAddress: "127.0.0.1" });
			assert.equal(mine.status, 200, mine.body);
			assert.match(mine.body, /^# HELP fcgi_auth_requests_total /m);
			const other = await request(srv.url, "/fcgi-auth/metrics", { localAddress: "127.0.0.2" });
			assert.equal(other.status, 403, other.body);
			assert.ok(!other.body.includes("fcgi_auth_"), "no metrics in the refusal");
			// Refused by the web server: no program counted the request.
			const again = await request(srv.url, "/fcgi-auth/metrics", { localAddress: "127.0.0.1" });
			const served = (t) => Number(t.match(/^fcgi_auth_requests_total\{endpoint="\/fcgi-auth\/metrics",status="403"\} (\d+)$/m)?.[1] ?? 0);
			assert.equal(served(again.body), 0, "the 403 never reached the program");
			for (const from of ["127.0.0.1", "127.0.0.2"]) {
				const h = await request(srv.url, "/fcgi-auth/health", { localAddress: from });
				assert.equal(h.status, 200, `health from ${from}: ${h.body}`);
			}
		});
	});
}
