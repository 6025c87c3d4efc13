// Test helpers: FerretDB, our lighttpd + FastCGI stack, the Better Auth reference
// server, a MongoDB handle for assertions, a better-auth client with a cookie jar,
// and a raw HTTP helper that shows status, headers and body exactly as sent.
//
// TARGET=fcgi (default) or TARGET=reference picks the implementation that the
// e2e suite drives (startTarget). FCGI_AUTH_SERVER picks the web server in
// front of our programs (startFcgi): lighttpd (default, mod_fastcgi),
// lighttpd-cgi (mod_cgi), apache (mod_fcgid), apache-proxy (mod_proxy_fcgi to
// pools of processes started here, POOL_SIZES) or cgi (Apache mod_cgid). Every process started
// here is registered and killed (by PID) in stop(), and as a last resort when
// this process exits. FCGI_AUTH_STOP_GRACE_MS (default 1500) is how long
// stop() waits for a server's children to exit before SIGKILL (valgrind runs
// need ~20000).
import { execFileSync, spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { MongoClient } from "mongodb";
import { createAuthClient } from "better-auth/client";
import { recordRequest, recordResponse, saveLog } from "./logleak.mjs";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const TARGET = process.env.TARGET || "fcgi";
if (TARGET !== "fcgi" && TARGET !== "reference") throw new Error(`TARGET must be fcgi or reference, not ${TARGET}`);
export const IS_FCGI = TARGET === "fcgi";
export const IS_REF = TARGET === "reference";

// The secret of the spec's test vectors (§11), so fixed vectors can be checked.
export const SECRET = "test-secret-0123456789abcdefghijklmnop";
// The build under test: FCGI_AUTH_BUILD (absolute, or relative to the project
// root; make passes build-san, build-sysmongoc, ...), default build/.
export const BUILD = path.resolve(ROOT, process.env.FCGI_AUTH_BUILD || "build");
export const FCGI_BIN = process.env.FCGI_AUTH_BIN || path.join(BUILD, "cgi-bin");
export const LIGHTTPD = process.env.LIGHTTPD || "lighttpd";
export const FERRETDB = process.env.FERRETDB || path.join(ROOT, ".deps/bin/ferretdb");
export const APACHE = process.env.APACHE || "apache2";
export const SPAWN_FCGI = process.env.SPAWN_FCGI || "spawn-fcgi";

/** The web servers startFcgi can put in front of the programs. */
export const SERVERS = ["lighttpd", "lighttpd-cgi", "apache", "apache-proxy", "cgi"];
/** The system-Apache drop-in (apache-conf/fcgi-auth.conf), which startFcgi
 * also starts (opts.server); not a FCGI_AUTH_SERVER: the programs get only
 * the settings it hands them, so rate limiting is on. */
export const DROPIN = "apache-dropin";
/** Every set-up we ship. */
export const SETUPS = [...SERVERS, DROPIN];
export const SERVER = process.env.FCGI_AUTH_SERVER || "lighttpd";
if (!SERVERS.includes(SERVER)) throw new Error(`FCGI_AUTH_SERVER must be one of ${SERVERS.join(", ")}, not ${SERVER}`);
const STOP_GRACE_MS = Number(process.env.FCGI_AUTH_STOP_GRACE_MS || 1500);

/** Every setting the programs read (`<program> --settings`), except FCGI_AUTH_LISTEN and
 * FCGI_AUTH_LOCATION_HEADER (tests/servers/settings.test.mjs says why and checks the rest). */
export const APP_SETTINGS = [
	"BETTER_AUTH_SECRET", "BETTER_AUTH_URL", "BETTER_AUTH_TRUSTED_ORIGINS", "BETTER_AUTH_RATE_LIMIT",
	"MONGODB_URI", "MONGODB_DB", "FCGI_AUTH_COOKIE_PREFIX", "FCGI_AUTH_SECURE_COOKIES",
	"FCGI_AUTH_SESSION_EXPIRES_IN", "FCGI_AUTH_SESSION_UPDATE_AGE", "FCGI_AUTH_COOKIE_CACHE",
	"FCGI_AUTH_COOKIE_CACHE_MAX_AGE", "FCGI_AUTH_MAX_BODY", "FCGI_AUTH_DB_TIMEOUT_MS", "FCGI_AUTH_LOG_LEVEL", "FCGI_AUTH_LOG_FORMAT",
	"FCGI_AUTH_RATE_LIMIT_WINDOW", "FCGI_AUTH_RATE_LIMIT_MAX", "FCGI_AUTH_RATE_LIMIT_STRICT_MAX",
	"FCGI_AUTH_RATE_LIMIT_SLOW_MAX", "FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW", "FCGI_AUTH_RUNTIME_DIR",
	"FCGI_AUTH_TRUSTED_PROXIES", "FCGI_AUTH_HASH_SLOTS", "FCGI_AUTH_HASH_LOCK",
	"FCGI_AUTH_SESSION_FRESH_AGE", "FCGI_AUTH_SETTINGS_FILE",
	"FCGI_AUTH_DELETE_USER", "FCGI_AUTH_DELETE_USER_VERIFICATION", "FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN",
	"FCGI_AUTH_SMTP_URL", "FCGI_AUTH_SMTP_USER", "FCGI_AUTH_SMTP_PASSWORD",
	"FCGI_AUTH_SMTP_CA_FILE", "FCGI_AUTH_SENDMAIL", "FCGI_AUTH_MAIL_FROM",
	"FCGI_AUTH_MAIL_TEMPLATES", "FCGI_AUTH_APP_NAME", "FCGI_AUTH_MAIL_TIMEOUT_MS",
	"FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN", "FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET", "FCGI_AUTH_VERIFICATION_EXPIRES_IN",
	"FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION", "FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP", "FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN",
	"FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION", "FCGI_AUTH_CHANGE_EMAIL", "FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION",
	"FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION",
];

export function fcgiBuilt() {
	return fs.existsSync(path.join(FCGI_BIN, "session"));
}

// A test file that needs our programs fails (it is not skipped) without them.
export function requireFcgiBuilt() {
	if (!fcgiBuilt()) throw new Error(`${FCGI_BIN}/session is not built (run make first)`);
}

// ---------------------------------------------------------------- processes

const live = new Set(); // child processes still to be killed
const livePids = new Set(); // processes started by scripts that print their PID (Mailpit)

function killTree(pid, sig = "SIGTERM") {
	try { process.kill(pid, sig); } catch { /* gone */ }
}

// Last resort when a test process ends without running its after hooks: kill
// what we started (and what lighttpd spawned) by PID, remove temp dirs.
const tempDirs = new Set();
function killAllNow() {
	for (const c of live) {
		const kids = descendants(c.pid);
		killTree(c.pid, "SIGKILL");
		for (const k of kids) killTree(k, "SIGKILL");
	}
	live.clear();
	for (const pid of livePids) killTree(pid, "SIGKILL");
	livePids.clear();
	for (const d of tempDirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch { /* ignore */ } }
}
process.on("exit", killAllNow);
for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
	process.once(sig, () => { killAllNow(); process.exit(128 + os.constants.signals[sig]); });
}

/** PIDs of all descendants of pid (read from /proc). */
function descendants(pid) {
	const kids = new Map();
	for (const d of fs.readdirSync("/proc")) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
			const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			if (!kids.has(ppid)) kids.set(ppid, []);
			kids.get(ppid).push(Number(d));
		} catch { /* raced */ }
	}
	const out = [];
	const walk = (p) => { for (const k of kids.get(p) ?? []) { out.push(k); walk(k); } };
	walk(pid);
	return out;
}

function alive(pid) {
	try { process.kill(pid, 0); return true; } catch { return false; }
}

/**
 * The live (non-zombie) descendants of pid, read from /proc:
 * [{ pid, ppid, name }] sorted by pid; name is the command (e.g. "signin").
 */
export function processTree(pid) {
	const all = [];
	for (const d of fs.readdirSync("/proc")) {
		if (!/^\d+$/.test(d)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
			const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			if (f[0] === "Z") continue;
			all.push({ pid: Number(d), ppid: Number(f[1]), name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) });
		} catch { /* raced */ }
	}
	const out = [];
	const walk = (p) => { for (const c of all) if (c.ppid === p) { out.push(c); walk(c.pid); } };
	walk(pid);
	return out.sort((a, b) => a.pid - b.pid);
}

async function stopChild(child) {
	if (!child || child.exitCode !== null || child.signalCode !== null) { live.delete(child); return; }
	const kids = descendants(child.pid); // e.g. the FastCGI backends lighttpd spawned
	const exited = new Promise((r) => child.once("exit", r));
	killTree(child.pid, "SIGTERM");
	let timer;
	const t = await Promise.race([exited.then(() => true), new Promise((r) => { timer = setTimeout(r, 3000, false); })]);
	clearTimeout(timer);
	if (!t) { killTree(child.pid, "SIGKILL"); await exited; }
	const deadline = Date.now() + STOP_GRACE_MS;
	while (Date.now() < deadline && kids.some(alive)) await sleep(50);
	for (const k of kids) if (alive(k)) killTree(k, "SIGKILL");
	live.delete(child);
}

function startProcess(cmd, args, opts) {
	const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], ...opts });
	live.add(child);
	child.output = "";
	child.stdout.on("data", (d) => { child.output += d; });
	child.stderr.on("data", (d) => { child.output += d; });
	child.on("exit", () => live.delete(child));
	return child;
}

export async function freePort() {
	return new Promise((resolve, reject) => {
		const s = net.createServer();
		s.unref();
		s.on("error", reject);
		s.listen(0, "127.0.0.1", () => {
			const { port } = s.address();
			s.close(() => resolve(port));
		});
	});
}

function tcpOpen(port) {
	return new Promise((resolve) => {
		const s = net.connect(port, "127.0.0.1");
		s.on("connect", () => { s.destroy(); resolve(true); });
		s.on("error", () => resolve(false));
	});
}

function tmpdir(tag) {
	const d = fs.mkdtempSync(path.join(os.tmpdir(), `fcgi-auth-${tag}-`));
	if (!process.env.KEEP_STATE) tempDirs.add(d);
	return d;
}

// ---------------------------------------------------------------- FerretDB

/**
 * A MongoDB URI: process.env.MONGODB_URI when the outer harness set one,
 * otherwise a private FerretDB (SQLite backend) that stop() ends.
 */
export async function startFerret() {
	if (process.env.MONGODB_URI) return { uri: process.env.MONGODB_URI, stop: async () => {} };
	const dir = tmpdir("ferret");
	fs.mkdirSync(path.join(dir, "data"));
	const port = await freePort();
	const child = startProcess(FERRETDB, [
		"--handler=sqlite", `--sqlite-url=file:${dir}/data/`, `--listen-addr=127.0.0.1:${port}`,
		"--telemetry=disable", "--debug-addr=-", `--state-dir=${dir}`, "--log-level=WARN",
	], { cwd: dir });
	const deadline = Date.now() + 20000;
	while (!(await tcpOpen(port))) {
		if (child.exitCode !== null) throw new Error(`ferretdb exited: ${child.output}`);
		if (Date.now() > deadline) { await stopChild(child); throw new Error(`ferretdb did not start: ${child.output}`); }
		await sleep(50);
	}
	const uri = `mongodb://127.0.0.1:${port}/`;
	return {
		uri,
		stop: async () => { await stopChild(child); fs.rmSync(dir, { recursive: true, force: true }); },
	};
}

/** Applies the indexes (BUILD/schema-apply) to database name on uri; throws on failure. */
export function applySchema(uri, name) {
	execFileSync(path.join(BUILD, "schema-apply"), { env: { ...process.env, MONGODB_URI: uri, MONGODB_DB: name }, stdio: "pipe" });
}

export function dbName(tag) {
	return `t_${tag.replace(/[^A-Za-z0-9]/g, "_")}_${crypto.randomBytes(4).toString("hex")}`;
}

/** A MongoDB Db handle for assertions; close with .client.close() or closeMongo(). */
const mongoClients = new Set();
export async function mongo(name, uri = process.env.MONGODB_URI) {
	if (!uri) throw new Error("mongo(): no uri");
	const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10000 });
	await client.connect();
	mongoClients.add(client);
	const db = client.db(name);
	db.close = async () => { mongoClients.delete(client); await client.close(); };
	return db;
}

// ---------------------------------------------------------------- servers

function appEnv(env, port) {
	const e = { ...process.env };
	// Better Auth disables the origin checks under NODE_ENV=test / TEST; the suite
	// must see the production behaviour from both implementations.
	delete e.NODE_ENV; delete e.TEST; delete e.NODE_TEST_CONTEXT; delete e.NODE_OPTIONS;
	Object.assign(e, {
		BETTER_AUTH_TELEMETRY: "0", DO_NOT_TRACK: "1",
		BETTER_AUTH_SECRET: SECRET,
		BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
		BETTER_AUTH_RATE_LIMIT: "0",
	}, env);
	for (const k of Object.keys(e)) if (e[k] === undefined) delete e[k];
	return e;
}

async function waitOk(url, child, what) {
	const deadline = Date.now() + 30000;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode}): ${child.output}`);
		try {
			const r = await request(url, "/api/auth/ok", { timeout: 2000 });
			if (r.status === 200) return;
		} catch { /* not yet */ }
		if (Date.now() > deadline) throw new Error(`${what} did not answer GET /api/auth/ok: ${child.output}`);
		await sleep(100);
	}
}

/**
 * Our implementation behind a web server on a free port: the programs of
 * FCGI_BIN with the settings of env. The server is opts.server, else
 * FCGI_AUTH_SERVER, else lighttpd (see SERVERS); opts.extraConfig is config
 * text for that server appended after the shipped file (a wrapper config in
 * the state dir includes it). env.FCGI_AUTH_HOST (default 127.0.0.1) is
 * the loopback address the server listens on; url and BETTER_AUTH_URL
 * follow it. Resolves once GET /api/auth/ok answers 200.
 * Returns { url, port, stateDir, kind: "fcgi", server, pid (the web
 * server's), errlog(), output(), stop() }.
 */
export async function startFcgi(env = {}, opts = {}) {
	const server = opts.server ?? SERVER;
	if (!SETUPS.includes(server)) throw new Error(`startFcgi: unknown server ${server}`);
	const port = env.PORT ? Number(env.PORT) : await freePort();
	const host = env.FCGI_AUTH_HOST || "127.0.0.1";
	const state = tmpdir(server);
	const docroot = path.join(state, "docroot");
	fs.mkdirSync(docroot);
	const e = appEnv({
		FCGI_AUTH_HOST: host, FCGI_AUTH_PORT: String(port), FCGI_AUTH_BIN: FCGI_BIN, FCGI_AUTH_STATE: state,
		FCGI_AUTH_DOCROOT: docroot, BETTER_AUTH_URL: `http://${host}:${port}`, ...env,
	}, port);
	// Servers whose config names every setting (mod_fcgid's FcgidInitialEnv,
	// lighttpd's env.X, Apache's ${X}) need each one defined; empty = default.
	for (const k of APP_SETTINGS) if (e[k] === undefined) e[k] = "";
	const url = `http://${host}:${port}`;
	const procs = []; // { child } or supervisors, stopped after the server
	const logs = [];  // files errlog() reads, in order
	const errlog = () => logs.map((f) => { try { return fs.readFileSync(f, "utf8"); } catch { return ""; } }).join("");
	let child;
	try {
		if (server === "lighttpd" || server === "lighttpd-cgi") {
			logs.push(path.join(state, "lighttpd-error.log"));
			if (server === "lighttpd-cgi") logs.push(path.join(state, "cgi-stderr.log"));
			e.FCGI_AUTH_CONF = path.join(ROOT, "lighttpd-conf");
			const conf = path.join(ROOT, "lighttpd-conf", server === "lighttpd" ? "lighttpd.conf" : "lighttpd-cgi.conf");
			child = startProcess(LIGHTTPD, ["-D", "-f", withExtra(conf, opts.extraConfig, state, "include")], { env: e, cwd: state });
		} else {
			child = await startApache(server, e, state, procs, logs, opts.extraConfig);
		}
		await waitOk(url, child, server);
	} catch (err) {
		if (child) await stopChild(child);
		for (const p of procs) await p.stop();
		err.message += `\n${server} logs:\n${errlog()}`;
		saveLog(server, errlog() + (child?.output ?? "")); // for the log-leak check (tests/lib/logleak.mjs)
		fs.rmSync(state, { recursive: true, force: true });
		throw err;
	}
	const db = e.MONGODB_DB || "better-auth";
	metricsHold(db);
	return {
		url, port, stateDir: state, kind: "fcgi", server, pid: child.pid, errlog,
		output: () => child.output, // the web server's stdout/stderr (lighttpd: the programs' logs)
		stop: async () => {
			await stopChild(child);
			for (const p of procs) await p.stop();
			metricsRelease(db);
			saveLog(server, errlog() + child.output); // for the log-leak check (tests/lib/logleak.mjs)
			if (!process.env.KEEP_STATE) fs.rmSync(state, { recursive: true, force: true });
		},
	};
}

// The metrics segment of a test database (lib/metrics.c keys one per
// database name) outlives the programs; removed when the last stack of this
// process on that database stops, so repeated runs do not exhaust the
// machine's segments (tests/tools/metrics-remove.c).
const metricsUsers = new Map();
function metricsHold(db) {
	metricsUsers.set(db, (metricsUsers.get(db) ?? 0) + 1);
}
function metricsRelease(db) {
	const n = (metricsUsers.get(db) ?? 1) - 1;
	if (n > 0) return metricsUsers.set(db, n);
	metricsUsers.delete(db);
	removeMetrics(db);
}

/** Removes the metrics segment of database db (tests/tools/metrics-remove.c
 * says why), as us and, when we are root, as the user Apache runs the
 * programs as (the key holds the uid). For programs started without
 * startFcgi; startFcgi's stop() does it itself. */
export function removeMetrics(db) {
	const users = [{}];
	if (process.getuid() === 0) users.push({ uid: apacheRunAs().uid, gid: apacheRunAs().gid });
	for (const u of users) {
		try {
			execFileSync(path.resolve(FCGI_BIN, "../tests-tools/metrics-remove"), [db], { stdio: "ignore", ...u });
		} catch {
			// a build without the tool: the segment stays, as before
		}
	}
}

/** conf itself, or a wrapper in state that includes it and adds extra. */
function withExtra(conf, extra, state, include) {
	if (!extra) return conf;
	const wrapper = path.join(state, `extra-${path.basename(conf)}`);
	fs.writeFileSync(wrapper, `${include} "${conf}"\n${extra}\n`);
	return wrapper;
}

/** The uid/gid Apache's workers should run as: www-data when we are root. */
export function apacheRunAs() {
	if (process.getuid() !== 0) {
		const u = os.userInfo();
		return { user: u.username, group: `#${process.getgid()}`, uid: u.uid, gid: process.getgid() };
	}
	const line = fs.readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith("www-data:"));
	if (!line) return { user: "nobody", group: "nogroup", uid: 65534, gid: 65534 };
	const f = line.split(":");
	return { user: "www-data", group: "#" + f[3], uid: Number(f[2]), gid: Number(f[3]) };
}

/**
 * n processes of a program sharing one listening socket on 127.0.0.1:port,
 * each started again when it exits (spawn-fcgi opens the socket,
 * scripts/fcgi-pool.sh keeps the processes): what systemd socket units or
 * spawn-fcgi -F do in a deployment with mod_proxy_fcgi or mod_authnz_fcgi.
 * runAs ({ uid, gid }, optional): the user the processes run as. Resolves
 * once the socket listens.
 */
async function startPool(program, port, n, env, logFile, runAs) {
	const out = fs.openSync(logFile, "a");
	const e = { ...env };
	delete e.FCGI_AUTH_LISTEN; // the processes serve the socket they are given
	const child = spawn(SPAWN_FCGI, ["-n", "-a", "127.0.0.1", "-p", String(port), "--",
		path.join(ROOT, "scripts/fcgi-pool.sh"), String(n), path.join(env.FCGI_AUTH_BIN, program)],
	{ env: e, stdio: ["ignore", out, out], ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) });
	fs.closeSync(out);
	live.add(child);
	child.on("exit", () => live.delete(child));
	const deadline = Date.now() + 15000;
	while (!(await tcpOpen(port))) {
		if (Date.now() > deadline || child.exitCode !== null) {
			await stopChild(child);
			throw new Error(`${program} did not listen on 127.0.0.1:${port}: ${fs.readFileSync(logFile, "utf8")}`);
		}
		await sleep(25);
	}
	return { program, port, pid: child.pid, stop: () => stopChild(child) };
}

/** Processes per endpoint where the tests start them (apache-proxy), as README "mod_proxy_fcgi" says. */
export const POOL_SIZES = { signup: 4, signin: 4, signout: 2, "sync-user": 2, me: 2, session: 4, sessions: 2, password: 2, account: 2, mail: 2 };
/** Processes of the /demo/ authorizer (mod_authnz_fcgi) under the other Apache set-ups. */
const AUTHORIZER_POOL = 2;

/** Apache in the foreground with apache-conf/httpd-<kind>.conf (see startFcgi). */
async function startApache(server, e, state, procs, logs, extraConfig) {
	const run = apacheRunAs();
	// The workers run as www-data when we are root: let them into the state dir.
	fs.chmodSync(state, 0o755);
	Object.assign(e, {
		FCGI_AUTH_CONF: path.join(ROOT, "apache-conf"),
		FCGI_AUTH_DEMO: e.FCGI_AUTH_DEMO || path.join(e.FCGI_AUTH_BIN, "..", "demo"),
		FCGI_AUTH_RUN_USER: run.user, FCGI_AUTH_RUN_GROUP: run.group,
	});
	logs.push(path.join(state, "apache-error.log"));
	// Every program of FCGI_BIN, keyed as the configs name its port
	// (FCGI_AUTH_PORT_SYNC_USER for sync-user).
	const programs = Object.fromEntries(fs.readdirSync(e.FCGI_AUTH_BIN).sort()
		.map((prog) => [prog.toUpperCase().replace(/-/g, "_"), prog]));
	if (server === "apache-proxy") {
		const started = await Promise.allSettled(Object.entries(programs).map(async ([key, prog]) => {
			const p = await freePort();
			e[`FCGI_AUTH_PORT_${key}`] = String(p);
			const log = path.join(state, `${prog}.log`);
			logs.push(log);
			return startPool(prog, p, POOL_SIZES[prog], e, log);
		}));
		for (const r of started) if (r.status === "fulfilled") procs.push(r.value);
		const failed = started.find((r) => r.status === "rejected");
		if (failed) throw failed.reason;
		e.FCGI_AUTH_PORT_AUTHORIZER = e.FCGI_AUTH_PORT_SESSION; // one process, both roles
	} else {
		for (const key of Object.keys(programs)) e[`FCGI_AUTH_PORT_${key}`] = "0";
		const p = await freePort();
		e.FCGI_AUTH_PORT_AUTHORIZER = String(p);
		const log = path.join(state, "authorizer.log");
		logs.push(log);
		// As the user Apache runs the other programs as: one installation's
		// programs share their metrics (lib/metrics.h: per user).
		procs.push(await startPool("session", p, AUTHORIZER_POOL, e, log, process.getuid() === 0 ? run : undefined));
	}
	const conf = server === DROPIN ? dropinConfig(e, state)
		: path.join(ROOT, "apache-conf", { apache: "httpd-fcgid.conf", "apache-proxy": "httpd-proxy-fcgi.conf", cgi: "httpd-cgi.conf" }[server]);
	const file = withExtra(conf, extraConfig, state, "Include");
	// With mod_proxy_fcgi Apache needs none of the programs' settings; the
	// drop-in takes the two of /etc/apache2/envvars.
	const apacheEnv = { ...e };
	if (server === "apache-proxy" || server === DROPIN) for (const k of APP_SETTINGS) delete apacheEnv[k];
	if (server === DROPIN) Object.assign(apacheEnv, { FCGI_AUTH_SECRET: e.BETTER_AUTH_SECRET, FCGI_AUTH_MONGODB_URI: e.MONGODB_URI });
	return startProcess(APACHE, ["-D", "FOREGROUND", "-f", file], { env: apacheEnv, cwd: state });
}

/**
 * The drop-in (apache-conf/fcgi-auth.conf) in a stand-in for a stock Debian
 * Apache: apache2.conf's essentials, Debian's mpm_event.conf and fcgid.conf,
 * the modules Debian enables by default but mod_reqtimeout (which the
 * drop-in must load itself where it is off) and those the drop-in's
 * instructions enable, a <VirtualHost> as 000-default.conf, the Define lines
 * set, and the authorizer block the drop-in shows uncommented for /demo/.
 * The programs get only what the drop-in hands them (the secret, URL,
 * database URI and name, and FCGI_AUTH_SETTINGS_FILE when e names one):
 * rate limiting is on.
 */
function dropinConfig(e, state) {
	const mod = (m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`;
	const file = path.join(state, "dropin-apache2.conf");
	fs.writeFileSync(file, `# Generated by tests/lib/stack.mjs: a stock Debian Apache with the drop-in.
ServerRoot "${state}"
ServerName 127.0.0.1
Listen ${e.FCGI_AUTH_HOST}:${e.FCGI_AUTH_PORT}
PidFile "${state}/apache.pid"
DefaultRuntimeDir "${state}"
Mutex "file:${state}" default
User \${FCGI_AUTH_RUN_USER}
Group \${FCGI_AUTH_RUN_GROUP}
ErrorLog "${state}/apache-error.log"
LogLevel warn
Timeout 300
KeepAlive On
MaxKeepAliveRequests 100
KeepAliveTimeout 5
${mod("mpm_event")}
StartServers 2
MinSpareThreads 25
MaxSpareThreads 75
ThreadLimit 64
ThreadsPerChild 25
MaxRequestWorkers 150
MaxConnectionsPerChild 0
${["authz_core", "authz_host", "authn_core", "alias", "dir", "mime", "env", "setenvif", "deflate", "filter", "negotiation",
		"headers", "rewrite", "macro", "lua", "fcgid", "authnz_fcgi"].map(mod).join("\n")}
FcgidIPCDir "${state}/fcgid"
FcgidProcessTableFile "${state}/fcgid_shm"
TypesConfig /etc/mime.types
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
<Directory "${e.FCGI_AUTH_DOCROOT}">
    Require all granted
</Directory>
<VirtualHost ${e.FCGI_AUTH_HOST}:${e.FCGI_AUTH_PORT}>
    DocumentRoot "${e.FCGI_AUTH_DOCROOT}"
</VirtualHost>
Define FCGI_AUTH_BIN "${e.FCGI_AUTH_BIN}"
Define FCGI_AUTH_URL "${e.BETTER_AUTH_URL}"
Define FCGI_AUTH_DB "${e.MONGODB_DB}"
Define FCGI_AUTH_IDENTITY_LUA "${path.join(ROOT, "apache-conf", "identity.lua")}"
${e.FCGI_AUTH_SETTINGS_FILE ? `Define FCGI_AUTH_SETTINGS_FILE "${e.FCGI_AUTH_SETTINGS_FILE}"` : ""}
Include "${path.join(ROOT, "apache-conf", "fcgi-auth.conf")}"
AuthnzFcgiDefineProvider authnz fcgi-auth fcgi://127.0.0.1:${e.FCGI_AUTH_PORT_AUTHORIZER}/
<Location "/demo/">
    AuthType fcgi-auth
    AuthName "fcgi-auth"
    AuthnzFcgiCheckAuthnProvider fcgi-auth Authoritative On RequireBasicAuth Off \\
                                 UserExpr "%{reqenv:AUTH_USER_ID}"
    Require fcgi-auth
    Header always set Content-Type application/json "expr=%{REQUEST_STATUS} in {'401', '503'}"
</Location>
Alias "/demo/whoami" "${path.join(e.FCGI_AUTH_DEMO, "whoami")}"
<Directory "${e.FCGI_AUTH_DEMO}">
    <Files "whoami">
        SetHandler fcgid-script
        Options +ExecCGI
        Require all granted
    </Files>
</Directory>
`);
	return file;
}

/** Better Auth 1.7.25 (tests/reference/server.mjs) with the same env contract. */
export async function startReference(env = {}) {
	// freePort's port can be taken before the server binds it (another test
	// file, or an outgoing connection's ephemeral port): then try another.
	for (let attempt = 1; ; attempt++) {
		const port = env.PORT ? Number(env.PORT) : await freePort();
		const e = appEnv({ PORT: String(port), ...env }, port);
		const child = startProcess(process.execPath, [path.join(ROOT, "tests/reference/server.mjs")], { env: e, cwd: ROOT });
		const url = `http://127.0.0.1:${port}`;
		try {
			await waitOk(url, child, "reference server");
		} catch (err) {
			await stopChild(child);
			if (!env.PORT && attempt < 3 && /EADDRINUSE/.test(child.output)) continue;
			throw err;
		}
		return { url, port, kind: "reference", output: () => child.output, stop: () => stopChild(child) };
	}
}

export function startTarget(env = {}) {
	return IS_FCGI ? startFcgi(env) : startReference(env);
}

/**
 * Everything a test file needs: a database of its own (on the harness's
 * MONGODB_URI or a private FerretDB), the implementation under test started
 * with env, and a Db handle. stop() ends all of it.
 */
export async function createStack(tag, env = {}) {
	const ferret = await startFerret();
	const name = dbName(tag);
	try {
		const server = await startTarget({ MONGODB_URI: ferret.uri, MONGODB_DB: name, ...env });
		const db = await mongo(name, ferret.uri);
		return {
			url: server.url, server, db, dbName: name, mongoUri: ferret.uri,
			stop: async () => {
				await db.close().catch(() => {});
				await server.stop();
				await ferret.stop();
			},
		};
	} catch (err) {
		await ferret.stop();
		throw err;
	}
}

// ---------------------------------------------------------------- Mailpit

export const MAILPIT = process.env.MAILPIT || path.join(ROOT, ".deps/bin/mailpit");

/**
 * Mailpit on free loopback ports, started by scripts/mailpit.sh (which adds
 * --disable-version-check --smtp-disable-rdns; extraArgs are more flags, e.g.
 * TLS or an auth file). Its messages live in a temporary SQLite file in a
 * private TMPDIR, gone with stop(). Returns { smtpPort, httpPort, pid,
 * sendmail (the FCGI_AUTH_SENDMAIL command that submits to it), api(path)
 * (JSON of GET /api/v1<path>), raw(id), waitFor(pred, ms) (the first
 * message summary pred accepts, polled), stop() }.
 */
export async function startMailpit(extraArgs = []) {
	const dir = tmpdir("mailpit");
	const [smtpPort, httpPort] = [await freePort(), await freePort()];
	const log = path.join(dir, "mailpit.log");
	const pid = await new Promise((resolve, reject) => {
		const c = spawn(path.join(ROOT, "scripts/mailpit.sh"), [String(smtpPort), String(httpPort), log, ...extraArgs],
			{ env: { ...process.env, TMPDIR: dir }, stdio: ["ignore", "pipe", "pipe"] });
		let out = "";
		c.stdout.on("data", (d) => { out += d; });
		c.stderr.on("data", (d) => { out += d; });
		c.on("exit", (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`mailpit.sh: ${out}${fs.existsSync(log) ? fs.readFileSync(log, "utf8") : ""}`))));
	});
	livePids.add(pid);
	const base = `http://127.0.0.1:${httpPort}/api/v1`;
	const get = async (p) => {
		const r = await fetch(base + p);
		if (!r.ok) throw new Error(`mailpit GET ${p}: ${r.status}`);
		return r;
	};
	const api = async (p) => (await get(p)).json();
	return {
		smtpPort, httpPort, pid, log,
		sendmail: `${MAILPIT} sendmail -S 127.0.0.1:${smtpPort} -t -i`,
		api,
		raw: async (id) => (await get(`/message/${id}/raw`)).text(),
		async waitFor(pred, ms = 5000) {
			const deadline = Date.now() + ms;
			for (;;) {
				const { messages } = await api("/messages?limit=200");
				const m = messages.find(pred);
				if (m) return m;
				if (Date.now() > deadline) return null;
				await sleep(50);
			}
		},
		async stop() {
			// Not our child (the script exited): a zombie nobody reaps counts as gone.
			const running = () => { try { return !/^\d+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8")); } catch { return false; } };
			killTree(pid, "SIGTERM");
			const deadline = Date.now() + 3000;
			while (running() && Date.now() < deadline) await sleep(20);
			if (running()) killTree(pid, "SIGKILL");
			livePids.delete(pid);
			if (!process.env.KEEP_STATE) fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

// ---------------------------------------------------------------- raw HTTP

/**
 * One HTTP/1.1 request with exactly the headers given (plus Host and
 * Content-Length), through node:http so nothing like Sec-Fetch-Mode is added.
 * body: string | Buffer | object (sent as JSON with Content-Type application/json
 * unless headers name another); localAddress: the source address (e.g.
 * "127.0.0.2", any of 127.0.0.0/8 reaches a server on 127.0.0.1). Returns { status, headers (lower-case names;
 * set-cookie an array), rawHeaders, setCookies, body (string), json() }.
 */
export function request(baseUrl, pathname, { method = "GET", headers = {}, body, timeout = 15000, localAddress } = {}) {
	const u = new URL(baseUrl);
	const h = { ...headers };
	let payload;
	if (body !== undefined) {
		if (typeof body === "string" || Buffer.isBuffer(body)) payload = Buffer.from(body);
		else {
			payload = Buffer.from(JSON.stringify(body));
			if (!Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["Content-Type"] = "application/json";
		}
		h["Content-Length"] = String(payload.length);
	} else if (!["GET", "HEAD", "OPTIONS", "DELETE"].includes(method) && !Object.keys(h).some((k) => k.toLowerCase() === "content-length")) {
		h["Content-Length"] = "0"; // an empty POST as a browser sends it (no chunked framing)
	}
	recordRequest(h, payload); // the log-leak check's secrets (tests/lib/logleak.mjs)
	return new Promise((resolve, reject) => {
		let answered = false;
		const req = http.request({
			host: u.hostname, port: u.port, path: pathname, method, headers: h, agent: false, timeout, localAddress,
		}, (res) => {
			answered = true;
			const chunks = [];
			res.on("data", (c) => chunks.push(c));
			res.on("error", reject);
			res.on("end", () => {
				const text = Buffer.concat(chunks).toString("utf8");
				recordResponse(res.headers["set-cookie"], text);
				resolve({
					status: res.statusCode,
					headers: res.headers,
					rawHeaders: res.rawHeaders,
					setCookies: res.headers["set-cookie"] ?? [],
					body: text,
					json() { return JSON.parse(text); },
				});
			});
		});
		req.on("timeout", () => req.destroy(new Error(`timeout ${method} ${pathname}`)));
		req.on("error", (err) => { if (!answered) reject(err); });
		if (payload) req.end(payload); else req.end();
	});
}

/** JSON POST as a same-origin browser fetch would send it (Origin set). */
export function postJSON(baseUrl, pathname, body, headers = {}) {
	return request(baseUrl, pathname, {
		method: "POST", body: typeof body === "string" ? body : JSON.stringify(body),
		headers: { "Content-Type": "application/json", Origin: baseUrl, ...headers },
	});
}

// ---------------------------------------------------------------- cookies

/** Parse one Set-Cookie string into { name, value, attrs: {lower-case name: value|true}, raw }. */
export function parseSetCookie(s) {
	const [nv, ...rest] = s.split(";");
	const i = nv.indexOf("=");
	const attrs = {};
	for (const a of rest) {
		const t = a.trim();
		if (!t) continue;
		const j = t.indexOf("=");
		if (j < 0) attrs[t.toLowerCase()] = true;
		else attrs[t.slice(0, j).toLowerCase()] = t.slice(j + 1);
	}
	return { name: nv.slice(0, i).trim(), value: nv.slice(i + 1).trim(), attrs, raw: s };
}

export class CookieJar {
	constructor() { this.map = new Map(); this.attrs = new Map(); }
	get(name) { return this.map.get(name); }
	set(name, value) { this.map.set(name, value); }
	delete(name) { this.map.delete(name); this.attrs.delete(name); }
	clear() { this.map.clear(); this.attrs.clear(); }
	has(name) { return this.map.has(name); }
	names() { return [...this.map.keys()]; }
	/** Attributes of the last Set-Cookie seen for name. */
	attributes(name) { return this.attrs.get(name); }
	/** Apply a list of Set-Cookie header values. */
	store(setCookies) {
		for (const s of setCookies) {
			const c = parseSetCookie(s);
			if (c.attrs["max-age"] !== undefined && Number(c.attrs["max-age"]) <= 0) this.delete(c.name);
			else { this.map.set(c.name, c.value); this.attrs.set(c.name, c.attrs); }
		}
	}
	header() { return [...this.map].map(([k, v]) => `${k}=${v}`).join("; "); }
	copyFrom(other) { for (const [k, v] of other.map) this.map.set(k, v); }
}

/**
 * A better-auth client (better-auth/client) whose fetch keeps cookies in a jar
 * and sends Origin: <url> on every request, as a browser would. Options:
 * origin (string, or null for none), jar (share one between clients).
 * Returns { client, jar, log, last(), url }; log holds every exchange
 * { method, url, status, setCookies }.
 */
export function makeClient(url, opts = {}) {
	const jar = opts.jar ?? new CookieJar();
	const origin = opts.origin === undefined ? url : opts.origin;
	const log = [];
	const customFetchImpl = async (input, init = {}) => {
		const reqUrl = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
		const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
		if (origin) headers.set("Origin", origin);
		const cookie = jar.header();
		if (cookie) headers.set("Cookie", cookie); else headers.delete("Cookie");
		recordRequest(headers, init.body); // the log-leak check's secrets (tests/lib/logleak.mjs)
		const res = await fetch(reqUrl, { ...init, headers, redirect: "manual" });
		const setCookies = res.headers.getSetCookie();
		recordResponse(setCookies);
		jar.store(setCookies);
		log.push({ method: init.method ?? "GET", url: reqUrl, status: res.status, setCookies, headers: res.headers });
		return res;
	};
	const client = createAuthClient({ baseURL: url, fetchOptions: { customFetchImpl } });
	return { client, jar, log, url, last: () => log[log.length - 1] };
}

// ---------------------------------------------------------------- checks

export const ISO_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const HEX24_RE = /^[0-9a-f]{24}$/;
export const TOKEN_RE = /^[A-Za-z0-9]{32}$/;
export const HASH_RE = /^[0-9a-f]{32}:[0-9a-f]{128}$/;

/** The wire form (URL-encoded) of a signed cookie value (spec §5.3). */
export function signCookieValue(value, secret = SECRET) {
	const sig = crypto.createHmac("sha256", secret).update(value).digest("base64");
	return encodeURIComponent(`${value}.${sig}`);
}

export function uniqueEmail(tag = "u") {
	return `${tag}-${crypto.randomBytes(5).toString("hex")}@example.com`;
}

/** Signs up a new user on url; { user, email, password, cookie } (the Cookie header of its session). Throws unless 200. */
export async function signUpUser(url, tag = "u", password = "correct horse battery staple") {
	const email = uniqueEmail(tag);
	const r = await postJSON(url, "/api/auth/sign-up/email", { name: "Ada", email, password });
	if (r.status !== 200) throw new Error(`sign-up ${r.status}: ${r.body}`);
	const jar = new CookieJar();
	jar.store(r.setCookies);
	return { user: r.json().user, email, password, cookie: jar.header() };
}

/** Counts of the user, account and session collections. */
export async function counts(db) {
	const [user, account, session] = await Promise.all(
		["user", "account", "session"].map((c) => db.collection(c).countDocuments({})));
	return { user, account, session };
}

export { sleep };
