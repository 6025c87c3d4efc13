// Password reset: known and unknown addresses take the same time, even when
// the mail to a known one could never be sent (a hung mail server, mail
// timeout 200 ms). Apart from reset.test.mjs because it takes ~18 s: tests/run.sh
// runs it under lighttpd only, while the plain-CGI answer before the mail
// is checked everywhere by reset.test.mjs ("the same answer at once") and
// maildefer.test.mjs.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { postJSON, sleep, uniqueEmail } from "../lib/stack.mjs";
import { hungMailStacks, median } from "../lib/mailflow.mjs";

let t;
before(async () => { t = await hungMailStacks("reset-timing"); });
after(async () => { await t?.stop(); });

describe("password reset with a hung mail server", () => {
	it("known and unknown addresses take the same time (30 each)", async () => {
		// The mail to a known address would take >= 200 ms (the hung server,
		// FCGI_AUTH_MAIL_TIMEOUT_MS) if it were sent before the answer; after
		// the answer (app_defer) neither path hashes or mails, both make one
		// or two store round trips (~1–5 ms on FerretDB). Requests alternate
		// and are spaced 300 ms apart so a deferred send never queues the next
		// request behind it. Tolerance: 40 ms between medians, far below the
		// 200 ms an inline mail would add, above the store's jitter on a
		// shared 2-core machine.
		const known = uniqueEmail("timing");
		assert.equal((await postJSON(t.ours.url, "/api/auth/sign-up/email", { name: "Timing", email: known, password: "password123" })).status, 200);
		const times = { known: [], unknown: [] };
		for (let i = 0; i < 30; i++) {
			for (const kind of i % 2 ? ["unknown", "known"] : ["known", "unknown"]) {
				const email = kind === "known" ? known : uniqueEmail("nobody");
				const t0 = process.hrtime.bigint();
				const r = await postJSON(t.ours.url, "/api/auth/request-password-reset", { email });
				times[kind].push(Number(process.hrtime.bigint() - t0) / 1e6);
				assert.equal(r.status, 200);
				await sleep(300);
			}
		}
		const mk = median(times.known), mu = median(times.unknown);
		assert.ok(Math.abs(mk - mu) < 40, `medians: known ${mk.toFixed(1)} ms, unknown ${mu.toFixed(1)} ms`);
		assert.ok(mk < 150, `known addresses answered before the mail (median ${mk.toFixed(1)} ms)`);
	});
});
