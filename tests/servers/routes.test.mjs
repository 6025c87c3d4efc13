// Every endpoint a program declares (its route table, printed by
// `<program> --routes`) must reach that program under every shipped
// web-server set-up: a URL missing from a config silently falls into the
// /api/auth/ catch-all (`session`, which answers 404) and the endpoint is
// gone. Each set-up is started for real with debug logging; every declared
// METHOD PATH is sent, and the program's own log line ("fcgi-auth[<program>
// <pid>] debug: METHOD PATH -> status") proves who answered. The drop-in
// Apache snippet and the shared-hosting kit, which no test server runs as a
// whole, are checked line by line for the same mapping.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { startFerret, startFcgi, dbName, request, ROOT, FCGI_BIN, SERVERS } from "../lib/stack.mjs";

/** { program: [{ method, path }] } from each program's --routes. */
export function declaredRoutes() {
	const out = {};
	for (const f of fs.readdirSync(FCGI_BIN).sort()) {
		const text = execFileSync(path.join(FCGI_BIN, f), ["--routes"], { encoding: "utf8" });
		out[f] = text.trim().split("\n").filter(Boolean).map((l) => {
			const [method, p] = l.split(" ");
			return { method, path: p };
		});
	}
	return out;
}

const routes = declaredRoutes();
const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("route tables", () => {
	it("every program declares at least one route, and no URL is declared twice", () => {
		const seen = new Map();
		for (const [prog, rs] of Object.entries(routes)) {
			assert.ok(rs.length > 0, `${prog} declares no route`);
			for (const r of rs) {
				const k = `${r.method} ${r.path}`;
				assert.ok(!seen.has(k), `${k} declared by ${seen.get(k)} and ${prog}`);
				seen.set(k, prog);
			}
		}
	});
});

let ferret;
before(async () => { ferret = await startFerret(); });
after(async () => { await ferret?.stop(); });

for (const server of SERVERS) {
	describe(`every declared route reaches its program (${server})`, () => {
		it("METHOD PATH → the program's own log line", async () => {
			const srv = await startFcgi({ MONGODB_URI: ferret.uri, MONGODB_DB: dbName(`routes-${server}`), FCGI_AUTH_LOG_LEVEL: "debug" }, { server });
			try {
				const sent = [];
				for (const [prog, rs] of Object.entries(routes)) {
					for (const r of rs) {
						const p = r.path.endsWith("/") ? `${r.path}x0` : r.path;
						const body = r.method === "GET" ? undefined : "{}";
						const res = await request(srv.url, p, { method: r.method, body, headers: body ? { "Content-Type": "application/json" } : {} });
						assert.ok(res.status < 500 || res.status === 503, `${r.method} ${p}: ${res.status}`);
						sent.push({ prog, method: r.method, path: p });
					}
				}
				// CGI programs log as they exit; give the log writers a moment.
				const deadline = Date.now() + 5000;
				let missing;
				do {
					const log = srv.errlog() + srv.output();
					missing = sent.filter((s) => !new RegExp(`fcgi-auth\\[${escape(s.prog)} \\d+\\] debug: ${s.method} ${escape(s.path)} -> `).test(log));
					if (missing.length) await new Promise((r) => setTimeout(r, 200));
				} while (missing.length && Date.now() < deadline);
				assert.deepEqual(missing.map((s) => `${s.method} ${s.path} should reach ${s.prog}`), []);
			} finally {
				await srv.stop();
			}
		});
	});
}

/** Which program the first matching AliasMatch of an Apache file sends path to. */
function aliasTarget(conf, p) {
	for (const m of conf.matchAll(/^\s*AliasMatch\s+"([^"]+)"\s+"\$\{FCGI_AUTH_BIN\}\/([^"/]+)"/gm)) {
		if (new RegExp(m[1]).test(p)) return m[2];
	}
	return null;
}

describe("configs no test server runs whole", () => {
	it("apache-conf/fcgi-auth.conf maps every declared path to its program", () => {
		const conf = fs.readFileSync(path.join(ROOT, "apache-conf/fcgi-auth.conf"), "utf8");
		const wrong = [];
		for (const [prog, rs] of Object.entries(routes)) {
			for (const r of rs) {
				const p = r.path.endsWith("/") ? `${r.path}x0` : r.path;
				const got = aliasTarget(conf, p);
				if (got !== prog) wrong.push(`${p} → ${got}, want ${prog}`);
			}
		}
		assert.deepEqual(wrong, []);
	});
});
