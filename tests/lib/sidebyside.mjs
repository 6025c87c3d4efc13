// Side-by-side helpers: our programs and the reference Better Auth 1.7.25, each
// on a database of its own, driven with the same requests so their answers can
// be compared (status, body modulo ids/tokens/times, Set-Cookie names and
// attributes). Used by the session-management and password e2e tests.
import assert from "node:assert/strict";
import { startFcgi, startReference, mongo, dbName, request, postJSON, parseSetCookie, uniqueEmail, IS_REF } from "./stack.mjs";

export const PW = "password123";

/** ours + ref on uri, each with its own database; env for both. */
export async function startPair(uri, tag, env = {}) {
	const startOurs = IS_REF ? startReference : startFcgi;
	const [na, nb] = [dbName(`${tag}-ours`), dbName(`${tag}-ref`)];
	const [ours, ref] = await Promise.all([
		startOurs({ MONGODB_URI: uri, MONGODB_DB: na, ...env }),
		startReference({ MONGODB_URI: uri, MONGODB_DB: nb, ...env }),
	]);
	ours.db = await mongo(na, uri);
	ref.db = await mongo(nb, uri);
	ours.name = "ours";
	ref.name = "reference";
	const sides = [ours, ref];
	return {
		ours, ref, sides,
		stop: async () => { for (const s of sides) { await s.db.close().catch(() => {}); await s.stop(); } },
	};
}

/** fn(side) on ours, then on the reference: [ours' result, the reference's]. */
export async function both(pair, fn) {
	const out = [];
	for (const s of pair.sides) out.push(await fn(s));
	return out;
}

/** A body with ids, tokens, times, test e-mails and client addresses replaced by placeholders. */
export function normBody(text) {
	return text
		.replace(/"ipAddress":"[^"]*"/g, '"ipAddress":"<ip>"')
		.replace(/"[a-z0-9-]+@example\.com"/g, '"<email>"')
		.replace(/"[0-9a-f]{24}"/g, '"<id>"')
		.replace(/"[A-Za-z0-9]{32}"/g, '"<token>"')
		.replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"/g, '"<date>"');
}

/** A Set-Cookie line with its value replaced by <v> (an empty value stays empty). */
export function normCookie(line) {
	const c = parseSetCookie(line);
	const i = line.indexOf(";");
	return `${c.name}=${c.value ? "<v>" : ""}${i < 0 ? "" : line.slice(i)}`;
}

/** What must be equal between the two implementations. */
export function shape(r) {
	return {
		status: r.status,
		contentType: r.headers["content-type"],
		body: normBody(r.body),
		setCookies: r.setCookies.map(normCookie),
	};
}

/** Asserts both answers have the same shape; returns [ours, ref]. */
export function sameShape(pairOfAnswers, what) {
	const [a, b] = pairOfAnswers;
	assert.deepEqual(shape(a), shape(b), `${what}: ours vs reference`);
	return pairOfAnswers;
}

/** The Cookie header value from an answer's Set-Cookie lines (live cookies only). */
export function cookieOf(res, previous = "") {
	const jar = new Map(previous ? previous.split("; ").map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]) : []);
	for (const line of res.setCookies) {
		const c = parseSetCookie(line);
		if (c.attrs["max-age"] !== undefined && Number(c.attrs["max-age"]) <= 0) jar.delete(c.name);
		else jar.set(c.name, c.value);
	}
	return [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
}

/** The raw session token carried by a Cookie header. */
export function tokenOf(cookie) {
	const m = /better-auth\.session_token=([A-Za-z0-9]{32})\./.exec(cookie);
	assert.ok(m, `no session_token in ${cookie}`);
	return m[1];
}

export async function signUp(srv, email = uniqueEmail("u"), password = PW) {
	const r = await postJSON(srv.url, "/api/auth/sign-up/email", { name: "Alice", email, password });
	assert.equal(r.status, 200, `sign-up on ${srv.name}: ${r.body}`);
	return { email, cookie: cookieOf(r), user: r.json().user };
}

export async function signIn(srv, email, password = PW, extra = {}) {
	const r = await postJSON(srv.url, "/api/auth/sign-in/email", { email, password, ...extra });
	return { res: r, cookie: r.status === 200 ? cookieOf(r) : null };
}

/** A POST with a cookie, JSON body and the server's own Origin (override with headers). */
export function post(srv, p, body, cookie, headers = {}) {
	const h = { Origin: srv.url, ...headers };
	if (cookie) h.Cookie = cookie;
	if (body !== undefined && typeof body !== "string") body = JSON.stringify(body);
	if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["Content-Type"] = "application/json";
	for (const k of Object.keys(h)) if (h[k] === null) delete h[k];
	return request(srv.url, p, { method: "POST", body, headers: h });
}

export function get(srv, p, cookie) {
	return request(srv.url, p, { headers: cookie ? { Cookie: cookie } : {} });
}

export async function getSession(srv, cookie) {
	const r = await get(srv, "/api/auth/get-session", cookie);
	assert.equal(r.status, 200);
	return r.json();
}

/** Moves a session's createdAt (and nothing else) back by seconds. */
export async function ageSession(srv, token, seconds) {
	const s = await srv.db.collection("session").findOne({ token });
	assert.ok(s, "session row");
	await srv.db.collection("session").updateOne({ token }, { $set: { createdAt: new Date(s.createdAt.getTime() - seconds * 1000) } });
}
