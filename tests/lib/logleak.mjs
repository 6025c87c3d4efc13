// The log-leak check: no test password, session token, cookie value or the
// secret may appear in any log the programs wrote during the suite, at any
// level, in either log format.
//
// While the suite runs (FCGI_AUTH_TEST_OUT set, as tests/run.sh does):
// - stack.mjs's request helpers hand every request and answer to record*():
//   password fields of JSON and form bodies, the values of the session
//   cookies sent and set (and both halves of a signed value), session tokens
//   in answers — appended to $FCGI_AUTH_TEST_OUT/secrets/<pid>.jsonl;
// - startFcgi's stop() hands each server's logs (error logs, the programs'
//   stderr) to saveLog(), into $FCGI_AUTH_TEST_OUT/logs/.
// At the end `node tests/lib/logleak.mjs <out dir>` adds the password
// literals of the test sources (tests/**/*.mjs: `password: "…"`,
// `PW = "…"`, `.fill("…")` of a password field, `SECRET = "…"`), then looks
// for each one — as is, URL-encoded and JSON-escaped — in every saved log.
// It prints one line per leak and "log-leak: N passed, N failed" (one check
// per log file; no logs or no secrets at all is a failure, not a pass).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const OUT = process.env.FCGI_AUTH_TEST_OUT;
const MIN_LEN = 8; // shorter strings would match ordinary log text
const PASSWORD_FIELDS = new Set(["password", "newPassword", "currentPassword"]);
const COOKIE_RE = /(?:^|\.)(session_token|session_data|dont_remember)$/;
const seen = new Set();
let secretsFile, logCount = 0;

function record(kind, value) {
	if (!OUT || typeof value !== "string" || value.length < MIN_LEN || seen.has(value)) return;
	seen.add(value);
	if (!secretsFile) {
		fs.mkdirSync(path.join(OUT, "secrets"), { recursive: true });
		secretsFile = path.join(OUT, "secrets", `${process.pid}.jsonl`);
	}
	fs.appendFileSync(secretsFile, JSON.stringify({ kind, value }) + "\n");
}

function decode(v) {
	try { return decodeURIComponent(v); } catch { return v; }
}

/** A cookie value: as sent, decoded, and both halves of a signed value. */
function recordCookie(name, value) {
	if (!COOKIE_RE.test(name)) return;
	const v = decode(value.replace(/^"|"$/g, ""));
	record("cookie", value);
	record("cookie", v);
	const dot = v.lastIndexOf(".");
	if (dot > 0) { record("token", v.slice(0, dot)); record("signature", v.slice(dot + 1)); }
}

function recordFields(obj, depth = 0) {
	if (!obj || typeof obj !== "object" || depth > 3) return;
	for (const [k, v] of Object.entries(obj)) {
		if (PASSWORD_FIELDS.has(k)) record("password", v);
		else if (k === "token") record("token", v);
		else recordFields(v, depth + 1);
	}
}

function recordBody(body) {
	if (body === undefined || body === null) return;
	if (typeof body === "object" && !Buffer.isBuffer(body) && !(body instanceof URLSearchParams)) return recordFields(body);
	const text = body instanceof URLSearchParams ? body.toString() : Buffer.isBuffer(body) ? body.toString("utf8") : String(body);
	try { recordFields(JSON.parse(text)); return; } catch { /* not JSON */ }
	if (text.includes("=")) for (const [k, v] of new URLSearchParams(text)) if (PASSWORD_FIELDS.has(k)) record("password", v);
}

/** A request about to be sent: headers (object or Headers) and body. */
export function recordRequest(headers, body) {
	if (!OUT) return;
	const h = headers instanceof Headers ? Object.fromEntries(headers) : headers ?? {};
	for (const [k, v] of Object.entries(h)) {
		if (k.toLowerCase() !== "cookie" || typeof v !== "string") continue;
		for (const part of v.split(";")) {
			const i = part.indexOf("=");
			if (i > 0) recordCookie(part.slice(0, i).trim(), part.slice(i + 1).trim());
		}
	}
	recordBody(body);
}

/** An answer: its Set-Cookie lines and body text. */
export function recordResponse(setCookies, bodyText) {
	if (!OUT) return;
	for (const s of setCookies ?? []) {
		const nv = s.split(";")[0], i = nv.indexOf("=");
		if (i > 0) recordCookie(nv.slice(0, i).trim(), nv.slice(i + 1).trim());
	}
	if (typeof bodyText === "string" && bodyText.startsWith("{")) {
		try { recordFields(JSON.parse(bodyText)); } catch { /* not JSON */ }
	}
}

/** A server's logs, kept for the check (label: e.g. "lighttpd"). */
export function saveLog(label, text) {
	if (!OUT || !text) return;
	fs.mkdirSync(path.join(OUT, "logs"), { recursive: true });
	fs.writeFileSync(path.join(OUT, "logs", `${label}-${process.pid}-${++logCount}.log`), text);
}

// ---------------------------------------------------------------- the check

/** The password (and secret) literals of the test sources under dir. */
export function sourcePasswords(dir) {
	const out = new Set();
	const lit = String.raw`"((?:[^"\\\n]|\\.)*)"`;
	const res = [
		new RegExp(String.raw`\b(?:password|newPassword|currentPassword)\s*[:=]\s*${lit}`, "gi"),
		new RegExp(String.raw`\bPWD?\w*\s*=\s*${lit}`, "g"),
		new RegExp(String.raw`\b\w*SECRET\s*=\s*${lit}`, "g"), // stack.mjs's BETTER_AUTH_SECRET
		new RegExp(String.raw`getByLabel\("Password"\)\.fill\(${lit}\)`, "g"),
	];
	const walk = (d) => {
		for (const e of fs.readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, e.name);
			if (e.isDirectory()) { if (e.name !== "out" && e.name !== "node_modules") walk(p); }
			else if (e.name.endsWith(".mjs")) {
				const text = fs.readFileSync(p, "utf8");
				for (const re of res) for (const m of text.matchAll(re)) {
					let s = m[1];
					try { s = JSON.parse(`"${s.replace(/\\u\{([0-9a-fA-F]+)\}/g, (_, h) => String.fromCodePoint(parseInt(h, 16)))}"`); } catch { /* keep raw */ }
					if (s.length >= MIN_LEN) out.add(s);
				}
			}
		}
	};
	walk(dir);
	return out;
}

/** The forms a secret could take in a log line. */
function forms(s) {
	let enc = s;
	try { enc = encodeURIComponent(s); } catch { /* a lone surrogate (a hostile test input) has no URL form */ }
	return [...new Set([s, enc, JSON.stringify(s).slice(1, -1)])].filter((f) => f.length >= MIN_LEN);
}

/**
 * Looks for every secret recorded in outDir/secrets, and every literal of
 * the sources under testsDir (if given), in every log of outDir/logs.
 * Returns { files, secrets, leaks: [{ file, kind, secret, line }] }.
 */
export function check(outDir, testsDir) {
	const secrets = new Map();
	const sdir = path.join(outDir, "secrets");
	if (fs.existsSync(sdir)) {
		for (const f of fs.readdirSync(sdir)) {
			for (const line of fs.readFileSync(path.join(sdir, f), "utf8").split("\n")) {
				if (!line) continue;
				try { const { kind, value } = JSON.parse(line); secrets.set(value, kind); } catch { /* a torn last line */ }
			}
		}
	}
	if (testsDir) for (const p of sourcePasswords(testsDir)) if (!secrets.has(p)) secrets.set(p, "password (source)");
	const ldir = path.join(outDir, "logs");
	const files = fs.existsSync(ldir) ? fs.readdirSync(ldir).sort() : [];
	const needles = [...secrets].flatMap(([value, kind]) => forms(value).map((f) => ({ f, value, kind })));
	const leaks = [];
	for (const file of files) {
		const text = fs.readFileSync(path.join(ldir, file), "utf8");
		for (const n of needles) {
			const i = text.indexOf(n.f);
			if (i < 0) continue;
			const start = text.lastIndexOf("\n", i) + 1, end = text.indexOf("\n", i);
			leaks.push({ file, kind: n.kind, secret: n.value, line: text.slice(start, end < 0 ? undefined : end).slice(0, 300) });
		}
	}
	return { files, secrets: secrets.size, leaks };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const outDir = process.argv[2];
	if (!outDir) { console.error("usage: node tests/lib/logleak.mjs <test out dir>"); process.exit(2); }
	const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
	const r = check(outDir, path.join(root, "tests"));
	const bad = new Set(r.leaks.map((l) => l.file));
	for (const l of r.leaks) console.log(`log-leak: ${l.file}: ${l.kind} ${JSON.stringify(l.secret)} in: ${l.line}`);
	let failed = bad.size;
	if (r.files.length === 0) { console.log("log-leak: no server logs were saved (is FCGI_AUTH_TEST_OUT set?)"); failed++; }
	if (r.secrets === 0) { console.log("log-leak: no secrets were recorded"); failed++; }
	console.log(`log-leak: ${r.files.length} logs, ${r.secrets} secrets`);
	console.log(`log-leak: ${r.files.length - bad.size} passed, ${failed} failed`);
	process.exit(failed ? 1 : 0);
}
