// Ours and the real Better Auth side by side, each on a database of its own:
// the same exchange is run on both and the transcripts must agree (status,
// body modulo ids and times, Set-Cookie names and attributes in order).
// Used by the account program's tests.
import assert from "node:assert/strict";
import { ObjectId } from "mongodb";
import { startFcgi, startReference, mongo, dbName, makeClient, request, uniqueEmail, parseSetCookie } from "./stack.mjs";

export const PW = "password123";

/** Ours and the reference, each on its own fresh database, same settings. */
export class Sides {
	constructor(uri) { this.uri = uri; this.closers = []; }
	/** [ours, ref]: each { kind, url, srv, db }. */
	async start(tag, env = {}) {
		const out = [];
		for (const [kind, start] of [["ours", startFcgi], ["ref", startReference]]) {
			const name = dbName(`${tag}-${kind}`);
			const srv = await start({ MONGODB_URI: this.uri, MONGODB_DB: name, ...env });
			const db = await mongo(name, this.uri);
			this.closers.push(() => srv.stop(), () => db.close());
			out.push({ kind, url: srv.url, srv, db, env });
		}
		return out;
	}
	async stop() {
		for (const c of this.closers.reverse()) await c().catch(() => {});
		this.closers = [];
	}
}

/** Body text with ids, times and tokens replaced, for comparing two servers. */
export function norm(text) {
	return text
		.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/g, "<date>")
		.replace(/\b[0-9a-f]{24}\b/g, "<id>")
		.replace(/"token":"[A-Za-z0-9]{32}"/g, '"token":"<token>"')
		// Node sees no client address behind its own listener; ours gets the web server's.
		.replace(/"ipAddress":"[^"]*"/g, '"ipAddress":"<ip>"')
		.replace(/(u|d)-[0-9a-f]{10}@example\.com/g, "<email>");
}

/** Set-Cookie lines as "name=<set|empty>; attrs…" (values differ per server). */
export function cookieShape(setCookies) {
	return setCookies.map((s) => {
		const c = parseSetCookie(s);
		const attrs = s.split(";").slice(1).map((a) => a.trim()).join("; ");
		return `${c.name}=${c.value ? "<set>" : ""}; ${attrs}`;
	});
}

/** What a raw exchange shows, comparable across servers. */
export function shape(res) {
	return { status: res.status, type: res.headers["content-type"] ?? null, body: norm(res.body), cookies: cookieShape(res.setCookies) };
}

/** A signed-up user on side s: { client, jar, email, id }. */
export async function signUp(s, opts = {}) {
	const c = makeClient(s.url);
	const email = uniqueEmail(opts.tag ?? "u");
	const r = await c.client.signUp.email({ email, password: PW, name: "Alice" });
	assert.equal(r.error, null, JSON.stringify(r.error));
	if (opts.rememberMe === false) {
		c.jar.clear();
		const si = await c.client.signIn.email({ email, password: PW, rememberMe: false });
		assert.equal(si.error, null);
	}
	return { ...c, email, id: r.data.user.id };
}

/** A raw request with the user's cookies and, for POSTs, its Origin. */
export function call(s, u, method, path, body, headers = {}) {
	const h = { Cookie: u.jar.header(), ...headers };
	if (method !== "GET" && !("Origin" in headers)) h.Origin = s.url;
	if (headers.Origin === null) delete h.Origin;
	if (body !== undefined && typeof body !== "string") body = JSON.stringify(body);
	if (body !== undefined && !Object.keys(h).some((k) => k.toLowerCase() === "content-type")) h["Content-Type"] = "application/json";
	return request(s.url, path, { method, headers: h, body });
}

/** Runs fn(side) on both sides, asserts the transcripts agree, returns ours. */
export async function same(pair, fn) {
	const [ours, ref] = await Promise.all(pair.map((s) => fn(s)));
	assert.deepEqual(ours, ref, "ours and Better Auth differ");
	return ours;
}

/** Makes the user's sessions older than freshAge (1 day). */
export async function stale(s, u) {
	await s.db.collection("session").updateMany({ userId: new ObjectId(u.id) },
		{ $set: { createdAt: new Date(Date.now() - 2 * 86400 * 1000) } });
}

