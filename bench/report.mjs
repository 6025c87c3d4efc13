// Report of bench/run.sh: reads <work>/results.tsv, meta.env and rss.tsv;
// prints the table and the targets; replaces the part of <md> between the
// bench:begin / bench:end markers (creating the file if needed, keeping
// everything else, e.g. hand-written profile notes); writes the chart data.
// Usage: node bench/report.mjs <work dir> <md path> <chart data path>
import fs from "node:fs";
import path from "node:path";

const [work, mdPath, chartPath] = process.argv.slice(2);
const meta = Object.fromEntries(
	fs.readFileSync(path.join(work, "meta.env"), "utf8").split("\n").filter(Boolean)
		.map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));

const median = (a) => {
	const s = a.filter((x) => !Number.isNaN(x)).sort((x, y) => x - y);
	const n = s.length;
	return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

// cell impl rep rps p50_us p99_us non2xx sockerr
const runs = fs.readFileSync(path.join(work, "results.tsv"), "utf8").split("\n").filter(Boolean)
	.map((l) => l.split("\t")).map(([cell, impl, rep, rps, p50, p99, non2xx, sock, cpu, db, machine, wrk]) =>
		// no request completed: no latency either (wrk prints 0)
		({ cell, impl, rep, rps: +rps, p50: +rps > 0 ? +p50 / 1000 : NaN, p99: +rps > 0 ? +p99 / 1000 : NaN,
			non2xx: +non2xx, sock: +sock, cpu: +cpu, db: +db, machine: +machine, wrk: +wrk }));
function stat(cell, impl) {
	const r = runs.filter((x) => x.cell === cell && x.impl === impl).sort((x, y) => +x.rep - +y.rep);
	if (!r.length) return null;
	return {
		rps: median(r.map((x) => x.rps)), p50: median(r.map((x) => x.p50)), p99: median(r.map((x) => x.p99)),
		cpu: median(r.map((x) => x.cpu)), db: median(r.map((x) => x.db)),
		machine: median(r.map((x) => x.machine)), wrk: median(r.map((x) => x.wrk)),
		// the rest of the machine: what neither the server, the store nor wrk ran
		other: median(r.map((x) => x.machine - x.cpu - x.db - x.wrk)),
		all: r.map((x) => x.rps), bad: r.reduce((s, x) => s + x.non2xx + x.sock, 0), n: r.length,
	};
}

const rows = [
	["get-db", "GET get-session, database path"],
	["get-rl", "GET get-session, database path, both rate limiters on"],
	["get-cache", "GET get-session, cookie cache"],
	["signin", "POST sign-in/email (scrypt)"],
	["signup", "POST sign-up/email (scrypt + writes)"],
	["trivial", "trivial responder (ceiling)¹"],
];
const f1 = (x) => (x == null || Number.isNaN(x) ? "—" : x >= 100 ? x.toFixed(0) : x.toFixed(1));
const ms = (x) => (x == null || Number.isNaN(x) ? "—" : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const S = Object.fromEntries(rows.map(([k]) => [k, { ours: stat(k, "ours"), theirs: stat(k, "theirs") }]));

const table = [
	"| row | ours req/s | p50 ms | p99 ms | theirs req/s | p50 ms | p99 ms | ours/theirs |",
	"|---|---:|---:|---:|---:|---:|---:|---:|",
];
for (const [k, label] of rows) {
	const o = S[k].ours, t = S[k].theirs;
	const note = (o?.bad || t?.bad) ? ` ⚠ errors: ours ${o?.bad ?? 0}, theirs ${t?.bad ?? 0}` : "";
	table.push(`| ${label}${note} | ${f1(o?.rps)} | ${ms(o?.p50)} | ${ms(o?.p99)} | ${f1(t?.rps)} | ${ms(t?.p50)} | ${ms(t?.p99)} | ${o && t && t.rps > 0 ? (o.rps / t.rps).toFixed(2) + "×" : "—"} |`);
}

// CPU per request, a measure the machine's other load disturbs far less
const us = (x) => (x == null || Number.isNaN(x) ? "—" : x >= 10000 ? (x / 1000).toFixed(0) + " ms" : x >= 1000 ? (x / 1000).toFixed(1) + " ms" : x.toFixed(0) + " µs");
const cpuTable = [
	"| row | ours: lighttpd + FastCGI | ours: store | theirs: Node | theirs: store | server CPU theirs/ours |",
	"|---|---:|---:|---:|---:|---:|",
];
for (const [k, label] of rows) {
	const o = S[k].ours, t = S[k].theirs;
	cpuTable.push(`| ${label.replace("¹", "")} | ${us(o?.cpu)} | ${us(o?.db)} | ${us(t?.cpu)} | ${us(t?.db)} | ${o && t && o.cpu > 0 ? (t.cpu / o.cpu).toFixed(2) + "×" : "—"} |`);
}

// the whole machine per request: wrk's share, and the rest (other
// processes, interrupts) — what the server, the store and wrk do not explain
const machineTable = [
	"| row | ours: all cores | ours: wrk | ours: rest | theirs: all cores | theirs: wrk | theirs: rest |",
	"|---|---:|---:|---:|---:|---:|---:|",
];
for (const [k, label] of rows) {
	const o = S[k].ours, t = S[k].theirs;
	machineTable.push(`| ${label.replace("¹", "")} | ${us(o?.machine)} | ${us(o?.wrk)} | ${us(o?.other)} | ${us(t?.machine)} | ${us(t?.wrk)} | ${us(t?.other)} |`);
}

// memory: rss.tsv when instance pid name vmrss vmhwm rssanon pss (KiB)
const rss = fs.readFileSync(path.join(work, "rss.tsv"), "utf8").split("\n").filter(Boolean)
	.map((l) => l.split("\t")).map(([when, inst, pid, name, kib, hwm, anon, pss]) =>
		({ when, inst, pid, name, kib: +kib, hwm: +hwm, anon: +anon, pss: +pss }));
const mib = (k) => (k / 1024).toFixed(1);
const groups = new Map();
for (const r of rss) {
	const key = `${r.inst}\t${r.name}`;
	if (!groups.has(key)) groups.set(key, { inst: r.inst, name: r.name, pids: new Set(), rest: [], after: [], hwm: [], anon: [], pss: [] });
	const g = groups.get(key);
	g.pids.add(r.pid);
	if (r.when === "rest") { g.rest.push(r.kib); g.anon.push(r.anon); g.pss.push(r.pss); }
	else { g.after.push(r.kib); g.hwm.push(r.hwm); }
}
const memTable = [
	"| instance | process | count | VmRSS at rest | VmRSS after runs | VmHWM (peak) | RssAnon at rest (private) | Pss at rest |",
	"|---|---|---:|---:|---:|---:|---:|---:|",
];
const range = (a) => (a.length ? (Math.min(...a) === Math.max(...a) ? mib(a[0]) : `${mib(Math.min(...a))}–${mib(Math.max(...a))}`) : "—");
for (const g of groups.values())
	memTable.push(`| ${g.inst} | ${g.name} | ${g.pids.size} | ${range(g.rest)} | ${range(g.after)} | ${range(g.hwm)} | ${range(g.anon)} | ${range(g.pss)} |`);
memTable.push("", "(MiB. VmRSS counts every resident page mapped, including shared-library pages that all the processes share; RssAnon is the process's own memory; Pss splits shared pages among their users.)");

// targets (issue 17), ratios within this run
// the two-hasher rate: measured again before each sign-in repetition (the
// median of those), else once before the scrypt-bound cells
const pars = (meta.scrypt_c_parallel_rates || "").split(" ").filter(Boolean).map(Number);
const nproc = +meta.nproc, cS = +meta.scrypt_c_s, nS = +meta.scrypt_node_s,
	par = pars.length ? median(pars) : +meta.scrypt_c_parallel_rate;
const limitC = nproc / cS, limitNode = nproc / nS;
const pf = (ok) => (ok ? "**PASS**" : "**MISS**");
const store = meta.store || "sqlite";
// BENCH_STORE_ADDR: how both implementations reach FerretDB
const storeAddr = meta.store_addr === "unix socket" ? "its Unix socket (`BENCH_STORE_ADDR=unix`)" : "TCP on 127.0.0.1";
const targets = [];
const ratio = (k, want, what) => {
	const o = S[k].ours, t = S[k].theirs;
	targets.push(`| ${what} ≥ ${want}× Better Auth's req/s | ${o && t ? `${(o.rps / t.rps).toFixed(2)}× (${f1(o.rps)} vs ${f1(t.rps)} req/s); p99 ${ms(o.p99)} vs ${ms(t.p99)} ms` : "not run"} | ${o && t ? pf(o.rps >= want * t.rps) : "—"} |`);
};
ratio("get-rl", store === "postgresql" ? 3 : 2.5, "get-session (DB path), both rate limiters on");
ratio("get-db", 3, "get-session (DB path), both rate limiters off");
for (const k of ["get-db", "get-rl"]) {
	const o = S[k].ours, t = S[k].theirs;
	targets.push(`| server CPU per get-session (${k === "get-db" ? "limiters off" : "limiters on"}; lighttpd + session against Node, store excluded) ≥ 10× less | ${o && t && o.cpu > 0 ? `${(t.cpu / o.cpu).toFixed(1)}× (${us(o.cpu)} vs ${us(t.cpu)})` : "not run"} | ${o && t && o.cpu > 0 ? pf(t.cpu >= 10 * o.cpu) : "—"} |`);
}
const cg = (k) => (meta[`callgrind_${k}`] === undefined ? NaN : +meta[`callgrind_${k}`]);
const kI = (x) => (Number.isNaN(x) ? "—" : `${(x / 1000).toFixed(1)} k`);
targets.push(`| \`session\` instructions per DB-path get-session, limiter on (callgrind) ≤ 170 k | ${kI(cg("db-on"))} (limiter off: ${kI(cg("db-off"))}) | ${Number.isNaN(cg("db-on")) ? "—" : pf(cg("db-on") <= 170000)} |`);
targets.push(`| \`session\` instructions per cookie-cache hit (callgrind) ≤ 60 k | ${kI(cg("cache-off"))} (limiter on: ${kI(cg("cache-on"))}) | ${Number.isNaN(cg("cache-off")) ? "—" : pf(cg("cache-off") <= 60000)} |`);
// A ratio to a ceiling measured in the same repetition (the cookie cache and
// the trivial responder run one after the other, the two-hasher rate just
// before each sign-in repetition). The target is on the medians' ratio, as
// before; each repetition's own ratio is shown beside it (the machine's speed
// drifts between repetitions, so they spread), and for the cookie cache the
// ratio of the machine's CPU per request, which noise moves least.
const paired = (a, b) => {
	const n = Math.min(a.length, b.length), r = [];
	for (let i = 0; i < n; i++) if (b[i] > 0) r.push(a[i] / b[i]);
	return r;
};
const pct = (x) => `${(100 * x).toFixed(0)}%`;
{
	const o = S["get-cache"].ours, c = S.trivial.ours;
	const r = o && c ? paired(o.all, c.all) : [];
	targets.push(`| cookie-cache get-session ≥ 90% of the trivial-responder ceiling | ${o && c ? `${pct(o.rps / c.rps)} (${f1(o.rps)} of ${f1(c.rps)} req/s; repetition by repetition ${r.map(pct).join(" / ")}; the machine's CPU a request ${us(c.machine)} for the ceiling against ${us(o.machine)} = ${pct(c.machine / o.machine)})` : "not run"} | ${o && c ? pf(o.rps >= 0.9 * c.rps) : "—"} |`);
}
{
	const o = S.signin.ours;
	const r = o && pars.length ? paired(o.all, pars) : [];
	targets.push(`| sign-in ≥ 0.95 × what ${nproc || "the"} bare hashers do at once (${Number.isNaN(par) ? "—" : par.toFixed(2)} hashes/s) | ${o ? `${pct(o.rps / par)} (${f1(o.rps)} req/s; ${r.length ? `repetition by repetition ${r.map(pct).join(" / ")}; ` : ""}${((100 * o.rps) / limitC).toFixed(0)}% of the single-hasher limit ${limitC.toFixed(2)}/s); p99 ${ms(o.p99)} ms; peak RSS per sign-in process ${mib(+meta.signin_peak_ours_kib)} MiB (all sign-in processes ${mib(+meta.signin_peak_ours_sum_kib)} MiB; Node ${mib(+meta.signin_peak_theirs_kib)} MiB)` : "not run"} | ${o ? pf(o.rps >= 0.95 * par) : "—"} |`);
}
{
	const rest = rss.filter((r) => r.when === "rest" && r.name !== "node");
	const max = Math.max(...rest.map((r) => r.kib));
	const who = rest.find((r) => r.kib === max);
	const anon = Math.max(...rest.map((r) => r.anon)), pss = Math.max(...rest.map((r) => r.pss));
	targets.push(`| RSS ≤ 8 MiB per FastCGI process at rest (VmRSS) | largest ${mib(max)} MiB (${who?.inst} ${who?.name}) over ${rest.length} processes; private (RssAnon) ≤ ${mib(anon)} MiB, Pss ≤ ${mib(pss)} MiB | ${pf(rest.length > 0 && max <= 8 * 1024)} |`);
}

// callgrind rows: instructions per request in the session program
const cgTable = [
	"| `session` program, per request | rate limiter off | rate limiter on |",
	"|---|---:|---:|",
	`| get-session, database path (two finds) | ${kI(cg("db-off"))} | ${kI(cg("db-on"))} |`,
	`| get-session, cookie-cache hit | ${kI(cg("cache-off"))} | ${kI(cg("cache-on"))} |`,
];

// Processes per program, as lighttpd-conf/lighttpd.conf ships them.
const conf = fs.readFileSync(new URL("../lighttpd-conf/lighttpd.conf", import.meta.url), "utf8");
const procs = [...conf.matchAll(/"bin-path" => var\.bin \+ "\/([a-z-]+)",\s*"check-local" => "disable", "max-procs" => (\d+)/g)]
	.filter((m, i, all) => all.findIndex((x) => x[1] === m[1]) === i) // the authorizer is `session` again
	.map(([, name, n]) => `${name} ×${n}`).join(", ");

const reps = (k) => ["ours", "theirs"].map((i) => S[k][i] ? `${i} ${S[k][i].all.map(f1).join(" / ")}` : null).filter(Boolean).join("; ");
const out = [
	`Run of ${meta.date}: \`${meta.command}\` (${meta.elapsed_s} s). Medians of ${meta.reps} runs per cell, ours and theirs interleaved, each after a ${"warm-up"}.`,
	`wrk ${meta.wrk}, ${meta.threads} thread(s); GET cells ${meta.get_conns} connections × ${meta.get_s} s, POST cells ${meta.post_conns} connections × ${meta.post_s} s; 127.0.0.1 only.`,
	"",
	"**Ours**: lighttpd + the FastCGI programs (`lighttpd-conf/lighttpd.conf` as shipped: " + procs + " processes; scrypt hashes in flight capped at " + meta.hash_slots + " by `FCGI_AUTH_HASH_SLOTS`). " +
		"**Theirs**: Better Auth " + meta.better_auth + " + @better-auth/mongo-adapter " + meta.mongo_adapter + " on Node (`tests/reference/server.mjs`, one process, NODE_ENV=production). " +
		"Rate limiting off in every row but \"both rate limiters on\" (ours `BETTER_AUTH_RATE_LIMIT=1`, Better Auth's in-memory limiter; every limit raised to 1 000 000 so that nothing is refused). " +
		`Both on one FerretDB ${meta.ferretdb} (${store === "postgresql" ? `PostgreSQL backend, a private PostgreSQL ${meta.postgresql} cluster with its default settings` : "SQLite backend"}), reached by both over ${storeAddr}, different databases, the same indexes (\`schema-apply\`), the same secret.`,
	"",
	...table,
	"",
	"¹ Ceiling: ours = `bench/trivial.c` (a FastCGI responder that only prints `{\"ok\":true}`, on the programs' own FastCGI layer `lib/fcgi.c`) as every program of `lighttpd-conf/lighttpd.conf`, under that configuration as shipped (`identity.lua`, the URL conditions, the processes per program listed above), sent the cookie-cache row's request (get-session with its Cookie header); theirs = a bare `node:http` server with the same body, sent Better Auth's cookie-cache request.",
	"",
	"CPU time per request (utime + stime of the server processes and of the store — FerretDB" + (store === "postgresql" ? " and PostgreSQL" : "") + " — over each run, divided by the requests it completed; medians). " +
		"Less disturbed by the other work on the machine than req/s; the store's share is the database work each implementation asks for.",
	"",
	...cpuTable,
	"",
	"The whole machine per request (every core's busy time over the run, from /proc/stat, divided by the requests): wrk's share (its own user + system time) and the rest — other processes and interrupts, what neither the server, the store nor wrk ran.",
	"",
	...machineTable,
	"",
	"Per-run req/s: " + rows.map(([k]) => `${k}: ${reps(k)}`).join(" · "),
	"",
	`Instructions per request in the \`session\` program (callgrind, \`bench/callgrind.sh\`: one process under valgrind behind its own lighttpd, ${meta.callgrind_requests ?? "—"} requests one after another after a warm-up; everything the process runs for them, accept to close; deterministic):`,
	"",
	...cgTable,
	"",
	"### Targets",
	"",
	"| target | measured | |",
	"|---|---|---|",
	...targets,
	"",
	`Scrypt limit = cores ÷ seconds per hash (N=16384, r=16, p=1, 64-byte key), measured single-threaded just before the sign-in cells: ` +
		`C \`password_hash\` (libsodium ${meta.libsodium}, \`bench/scrypt-rate.c\`) ${(cS * 1000).toFixed(0)} ms/hash, ${meta.scrypt_c_faults} page faults/hash (huge pages: \`lib/bigmap.h\`) → **${limitC.toFixed(2)} hashes/s**; ` +
		`Node \`crypto.scryptSync\` (OpenSSL bundled with Node) ${(nS * 1000).toFixed(0)} ms/hash → ${limitNode.toFixed(2)} hashes/s. nproc = ${nproc}. ` +
		`With ${nproc} C hashers running at once (they share the memory bus: 32 MiB per hash) the machine did ${(+meta.scrypt_c_parallel_rate).toFixed(2)} hashes/s` +
		(pars.length ? `; measured again before each sign-in repetition: ${pars.map((x) => x.toFixed(2)).join(" / ")} (the target uses their median).` : "."),
	"",
	"### Memory",
	"",
	"At rest = after start-up and seeding (8 sign-ups + 2 sign-ins per implementation), before any load; after = at the end of all cells.",
	"",
	...memTable,
	"",
	"### Machine and load",
	"",
	`- ${meta.cpu}, nproc ${meta.nproc}, ${meta.mem} RAM, ${meta.kernel}`,
	`- ${meta.lighttpd}, Node ${meta.node}, FerretDB ${meta.ferretdb}, libmongoc ${meta.libmongoc}, libsodium ${meta.libsodium}, OpenSSL ${meta.openssl}, ${meta.cc}`,
	`- load average (1/5/15 min) before each cell: ` +
		rows.map(([k]) => k).filter((k) => meta[`load_${k}`]).map((k) => `${k} ${meta[`load_${k}`]}`).join("; ") +
		`; at the end ${meta.load_end}. The machine is shared (other engineers' tests may run at the same time), so single runs are noisy; the medians are what counts.`,
	"",
	`![req/s, log scale](${meta.chart || "benchmarks.svg"})`,
];

// stdout: the table and the targets
console.log(["", `FerretDB ${meta.ferretdb} (${store}), reached by both over ${storeAddr}`, "", ...table, "", ...cgTable, "", "| target | measured | |", "|---|---|---|", ...targets, "",
	(Number.isNaN(cS) ? "scrypt limit: not measured (no sign-in or sign-up cell)" : `scrypt limit: C ${limitC.toFixed(2)}/s (${(cS * 1000).toFixed(0)} ms/hash, ${meta.scrypt_c_faults} faults/hash; ${nproc} at once ${(+meta.scrypt_c_parallel_rate).toFixed(2)}/s), Node ${limitNode.toFixed(2)}/s (${(nS * 1000).toFixed(0)} ms/hash)`) + `; load now ${meta.load_end}`,
	"", ...cpuTable, "", ...machineTable, "", ...memTable, ""].join("\n"));

// docs/benchmarks.md: replace between markers
// One section per store: SQLite's keeps the original markers.
const tag = store === "sqlite" ? "bench" : `bench-${store}`;
const BEGIN = `<!-- ${tag}:begin — written by bench/run.sh; edits between these markers are overwritten -->`;
const END = `<!-- ${tag}:end -->`;
let md;
if (fs.existsSync(mdPath)) md = fs.readFileSync(mdPath, "utf8");
else md = `# Benchmarks: fcgi-auth against Better Auth\n\n\`make bench\` (or \`./bench/run.sh\` after \`make\`) runs everything below in about five minutes and rewrites the part between the markers.\n\n${BEGIN}\n${END}\n`;
const b = md.indexOf(`<!-- ${tag}:begin`), e = md.indexOf(END);
const section = `${BEGIN}\n${out.join("\n")}\n${END}`;
if (b >= 0 && e > b) md = md.slice(0, b) + section + md.slice(e + END.length);
else md += `\n${section}\n`;
fs.writeFileSync(mdPath, md);

// chart data: label ours theirs
const short = { "get-db": "get-session (DB)", "get-rl": "get-session (DB, limiters on)", "get-cache": "get-session (cache)", signin: "sign-in", signup: "sign-up", trivial: "trivial (ceiling)" };
fs.writeFileSync(chartPath, rows.map(([k]) =>
	`"${short[k]}" ${S[k].ours ? S[k].ours.rps.toFixed(1) : "NaN"} ${S[k].theirs ? S[k].theirs.rps.toFixed(1) : "NaN"}`).join("\n") + "\n");
