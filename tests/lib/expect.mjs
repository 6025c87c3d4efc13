// Assertions on raw responses (see request() in stack.mjs). The texts below are
// Better Auth 1.7.25's, measured on the wire (spec §4, captures 01-basic/07-validation).
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { SECRET, ISO_RE, HEX24_RE, TOKEN_RE, parseSetCookie } from "./stack.mjs";

export const ERR = {
	INVALID_JSON: ["BAD_REQUEST", "Invalid JSON in request body"],
	INVALID_EMAIL_OR_PASSWORD: ["INVALID_EMAIL_OR_PASSWORD", "Invalid email or password"],
	USER_EXISTS: ["USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL", "User already exists. Use another email."],
	INVALID_EMAIL: ["INVALID_EMAIL", "Invalid email"],
	PASSWORD_TOO_SHORT: ["PASSWORD_TOO_SHORT", "Password too short"],
	PASSWORD_TOO_LONG: ["PASSWORD_TOO_LONG", "Password too long"],
	MISSING_OR_NULL_ORIGIN: ["MISSING_OR_NULL_ORIGIN", "Missing or null Origin"],
	INVALID_ORIGIN: ["INVALID_ORIGIN", "Invalid origin"],
	CROSS_SITE: ["CROSS_SITE_NAVIGATION_LOGIN_BLOCKED", "Cross-site navigation login blocked. This request appears to be a CSRF attack."],
	INVALID_CALLBACK_URL: ["INVALID_CALLBACK_URL", "Invalid callbackURL"],
	METHOD_NOT_ALLOWED: ["METHOD_NOT_ALLOWED_DEFER_SESSION_REQUIRED", "POST method requires deferSessionRefresh to be enabled in session config"],
};

export const SIGNUP_TYPES = "application/x-www-form-urlencoded, application/json";

/** A JSON response: status, `content-type: application/json` exactly, body bytes. */
export function expectJson(res, status, body) {
	const text = typeof body === "string" ? body : JSON.stringify(body);
	assert.equal(res.status, status, `status (body ${res.body})`);
	assert.equal(res.headers["content-type"], "application/json", "content-type");
	assert.equal(res.body, text, "body");
}

/** An error response {"message":…,"code":…} (or {"message":…} when code is null). */
export function expectError(res, status, code, message) {
	if (Array.isArray(code)) [code, message] = code;
	expectJson(res, status, code === null ? { message } : { message, code });
}

export function expectValidation(res, message) {
	expectError(res, 400, "VALIDATION_ERROR", message);
}

/** Better Auth's routing 404: empty body, no Content-Type. */
export function expect404(res) {
	assert.equal(res.status, 404, `status for 404 (body ${JSON.stringify(res.body)})`);
	assert.equal(res.body, "", "404 body must be empty");
	assert.equal(res.headers["content-type"], undefined, "404 must carry no content-type");
	assert.deepEqual(res.setCookies, [], "404 sets no cookie");
}

/** HMAC-SHA256(secret, value) in standard base64 with padding (spec §5.3). */
export function hmacB64(value, secret = SECRET) {
	return crypto.createHmac("sha256", secret).update(value).digest("base64");
}

/**
 * Assert a Set-Cookie string for a signed session token, byte for byte:
 * `<name>=<token>.<sig URL-encoded>[; Max-Age=<n>]; Path=/; HttpOnly[; Secure]; SameSite=Lax`.
 * maxAge null = no Max-Age. Returns the token.
 */
export function expectTokenCookie(setCookie, { name = "better-auth.session_token", maxAge = 604800, secure = false, token } = {}) {
	const esc = name.replace(/[.]/g, "\\.");
	const m = new RegExp(`^${esc}=([A-Za-z0-9]{32})\\.([A-Za-z0-9%]+)(; .*)$`).exec(setCookie);
	assert.ok(m, `session_token Set-Cookie shape: ${setCookie}`);
	const [, tok, sigEnc, attrs] = m;
	assert.equal(sigEnc, encodeURIComponent(hmacB64(tok)), "session_token signature (HMAC-SHA256 base64, URL-encoded)");
	const want = `${maxAge === null ? "" : `; Max-Age=${maxAge}`}; Path=/; HttpOnly${secure ? "; Secure" : ""}; SameSite=Lax`;
	assert.equal(attrs, want, `session_token attributes of ${setCookie}`);
	if (token !== undefined) assert.equal(tok, token, "session_token carries the session token");
	return tok;
}

/** The signed dont_remember cookie (deterministic for a secret, spec §5.2). */
export function dontRememberCookie(prefix = "better-auth", secure = false) {
	return `${secure ? "__Secure-" : ""}${prefix}.dont_remember=${encodeURIComponent(`true.${hmacB64("true")}`)}; Path=/; HttpOnly${secure ? "; Secure" : ""}; SameSite=Lax`;
}

export function clearedCookie(name, secure = false) {
	return `${name}=; Max-Age=0; Path=/; HttpOnly${secure ? "; Secure" : ""}; SameSite=Lax`;
}

/** The three deletions, in Better Auth's order (session_token, session_data, dont_remember). */
export function clearedCookies(prefix = "better-auth", secure = false) {
	const p = `${secure ? "__Secure-" : ""}${prefix}`;
	return [clearedCookie(`${p}.session_token`, secure), clearedCookie(`${p}.session_data`, secure), clearedCookie(`${p}.dont_remember`, secure)];
}

export const USER_KEYS = ["name", "email", "emailVerified", "createdAt", "updatedAt", "id"];
export const SESSION_KEYS = ["expiresAt", "token", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId", "id"];
// Key order when get-session is served from the session_data cookie (spec §3).
export const CACHE_SESSION_KEYS = ["id", "createdAt", "updatedAt", "userId", "expiresAt", "token", "ipAddress", "userAgent"];
export const CACHE_USER_KEYS = ["id", "createdAt", "updatedAt", "email", "emailVerified", "name"];

/** A user object as returned from the database path (spec §3). */
export function expectUser(u, { name, email, id, keys = USER_KEYS } = {}) {
	assert.deepEqual(Object.keys(u), keys, "user key order");
	if (name !== undefined) assert.equal(u.name, name);
	if (email !== undefined) assert.equal(u.email, email);
	if (id !== undefined) assert.equal(u.id, id);
	assert.equal(u.emailVerified, false);
	assert.match(u.createdAt, ISO_RE);
	assert.match(u.updatedAt, ISO_RE);
	assert.match(u.id, HEX24_RE);
}

export function expectSession(s, { token, userId, userAgent, keys = SESSION_KEYS } = {}) {
	assert.deepEqual(Object.keys(s), keys, "session key order");
	assert.match(s.token, TOKEN_RE);
	if (token !== undefined) assert.equal(s.token, token);
	if (userId !== undefined) assert.equal(s.userId, userId);
	if (userAgent !== undefined) assert.equal(s.userAgent, userAgent);
	// Our implementation records the web server's REMOTE_ADDR, Better Auth ""
	// without X-Forwarded-For: only the type is common ground.
	assert.equal(typeof s.ipAddress, "string");
	for (const k of ["expiresAt", "createdAt", "updatedAt"]) assert.match(s[k], ISO_RE, k);
	assert.match(s.id, HEX24_RE);
	assert.match(s.userId, HEX24_RE);
}

/** Body of a JSON response re-serialised compactly equals the bytes received. */
export function expectCompact(res) {
	assert.equal(JSON.stringify(JSON.parse(res.body)), res.body, "compact JSON.stringify serialisation");
}

export function cookieNames(setCookies) {
	return setCookies.map((s) => parseSetCookie(s).name);
}

/** |a - b| <= tol (ms); a, b Date|string|number. */
export function near(a, b, tol, msg) {
	const x = new Date(a).getTime(), y = new Date(b).getTime();
	assert.ok(Math.abs(x - y) <= tol, `${msg ?? "time"}: ${new Date(a).toISOString()} vs ${new Date(b).toISOString()} (tolerance ${tol} ms)`);
}
