// Reference server: the real Better Auth 1.7.25 (email/password, MongoDB adapter)
// configured from the same environment variables as the C FastCGI programs, so
// the test suite can run against either implementation (TARGET=reference) and
// the interop tests can run both on one database.
//
// Env: PORT (listen port on 127.0.0.1), BETTER_AUTH_SECRET, BETTER_AUTH_URL,
// BETTER_AUTH_TRUSTED_ORIGINS, MONGODB_URI, MONGODB_DB, FCGI_AUTH_COOKIE_PREFIX,
// FCGI_AUTH_SECURE_COOKIES, FCGI_AUTH_SESSION_EXPIRES_IN,
// FCGI_AUTH_SESSION_UPDATE_AGE, FCGI_AUTH_COOKIE_CACHE,
// FCGI_AUTH_COOKIE_CACHE_MAX_AGE, BETTER_AUTH_RATE_LIMIT (default off here),
// FCGI_AUTH_RATE_LIMIT_WINDOW, FCGI_AUTH_RATE_LIMIT_MAX, FCGI_AUTH_SESSION_FRESH_AGE,
// FCGI_AUTH_DELETE_USER, FCGI_AUTH_DELETE_USER_VERIFICATION (a
// sendDeleteAccountVerification that appends {kind, to, url, token} as a JSON
// line to REFERENCE_MAIL_LOG), FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN.
// Prints "listening" on stdout when ready.
import fs from "node:fs";
import http from "node:http";
import { MongoClient } from "mongodb";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";
import { mongodbAdapter } from "@better-auth/mongo-adapter";

if (process.env.BETTER_AUTH_TELEMETRY !== "0") {
	console.error("refusing to start: set BETTER_AUTH_TELEMETRY=0");
	process.exit(2);
}
// Better Auth skips the origin/CSRF checks under NODE_ENV=test or TEST=1.
if (process.env.NODE_ENV === "test" || process.env.TEST) {
	console.error("refusing to start: NODE_ENV=test / TEST would disable the CSRF checks");
	process.exit(2);
}

const env = process.env;
const num = (v, d) => (v === undefined || v === "" ? d : Number(v));
const bool = (v, d) => (v === undefined || v === "" ? d : v === "1" || v === "true");

const port = num(env.PORT, 0);
const mongoUri = env.MONGODB_URI || "mongodb://127.0.0.1:27017/";
const client = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 10000 });
await client.connect();
const db = client.db(env.MONGODB_DB || "fcgi_auth");

const trusted = (env.BETTER_AUTH_TRUSTED_ORIGINS || "")
	.split(",").map((s) => s.trim()).filter(Boolean);

// The account program's options (update-user, delete-user, list/unlink accounts).
const recordMail = (kind) => async ({ user, url, token }) => {
	if (env.REFERENCE_MAIL_LOG) fs.appendFileSync(env.REFERENCE_MAIL_LOG, JSON.stringify({ kind, to: user.email, url, token }) + "\n");
};
const accountOptions = {
	user: {
		deleteUser: {
			enabled: bool(env.FCGI_AUTH_DELETE_USER, false),
			deleteTokenExpiresIn: num(env.FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN, 86400),
			...(bool(env.FCGI_AUTH_DELETE_USER_VERIFICATION, false) && { sendDeleteAccountVerification: recordMail("delete-account") }),
		},
	},
	freshAge: num(env.FCGI_AUTH_SESSION_FRESH_AGE, 86400),
};
// The mail flows (accounts spec §2.7, §8): with FCGI_AUTH_REF_MAIL_LOG set
// (a file; test-only, ours sends real mail instead) every callback appends
// one JSON line {kind, to, url, token, newEmail?}; without it no callback is
// configured, as ours without a sender. The other settings are ours, mapped
// to Better Auth's options.
const mailLog = env.FCGI_AUTH_REF_MAIL_LOG;
const { appendFileSync } = await import("node:fs");
const record = (kind) => async ({ user, url, token, newEmail }) => {
	appendFileSync(mailLog, JSON.stringify({ kind, to: user.email, url, token, newEmail }) + "\n");
};
const requireVerification = bool(env.FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION, false);
const emailAndPassword = {
	enabled: true,
	requireEmailVerification: requireVerification,
	resetPasswordTokenExpiresIn: num(env.FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN, 3600),
	revokeSessionsOnPasswordReset: bool(env.FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET, false),
	...(mailLog ? { sendResetPassword: record("reset-password") } : {}),
};
const emailVerification = {
	sendOnSignUp: bool(env.FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP, requireVerification),
	sendOnSignIn: bool(env.FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN, false),
	autoSignInAfterVerification: bool(env.FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION, false),
	expiresIn: num(env.FCGI_AUTH_VERIFICATION_EXPIRES_IN, 3600),
	...(mailLog ? { sendVerificationEmail: record("verify-email") } : {}),
};
const changeEmail = {
	enabled: bool(env.FCGI_AUTH_CHANGE_EMAIL, false),
	updateEmailWithoutVerification: bool(env.FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION, false),
	...(mailLog && bool(env.FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION, false)
		? { sendChangeEmailConfirmation: record("change-email-confirmation") } : {}),
};

const auth = betterAuth({
	secret: env.BETTER_AUTH_SECRET,
	baseURL: env.BETTER_AUTH_URL || `http://127.0.0.1:${port}`,
	trustedOrigins: trusted,
	emailAndPassword,
	emailVerification,
	user: { ...accountOptions.user, changeEmail },
	// No `client` option: no transactions (FerretDB has none).
	database: mongodbAdapter(db),
	advanced: {
		cookiePrefix: env.FCGI_AUTH_COOKIE_PREFIX || "better-auth",
		useSecureCookies: bool(env.FCGI_AUTH_SECURE_COOKIES, false),
	},
	session: {
		expiresIn: num(env.FCGI_AUTH_SESSION_EXPIRES_IN, 604800),
		updateAge: num(env.FCGI_AUTH_SESSION_UPDATE_AGE, 86400),
		freshAge: accountOptions.freshAge,
		cookieCache: {
			enabled: bool(env.FCGI_AUTH_COOKIE_CACHE, false),
			maxAge: num(env.FCGI_AUTH_COOKIE_CACHE_MAX_AGE, 300),
		},
	},
	// Off unless BETTER_AUTH_RATE_LIMIT=1 (the benchmark's "limiters on" cell),
	// then with Better Auth's default storage (memory) and the window and limit
	// the C programs read; its own special rules (sign-in, sign-up: 3 per 10 s) stay.
	rateLimit: {
		enabled: bool(env.BETTER_AUTH_RATE_LIMIT, false),
		window: num(env.FCGI_AUTH_RATE_LIMIT_WINDOW, 10),
		max: num(env.FCGI_AUTH_RATE_LIMIT_MAX, 100),
	},
	telemetry: { enabled: false },
});

const server = http.createServer(toNodeHandler(auth));
server.listen(port, "127.0.0.1", () => {
	process.stdout.write("listening\n");
});

const shutdown = () => {
	server.close();
	server.closeAllConnections?.();
	client.close().finally(() => process.exit(0));
	setTimeout(() => process.exit(0), 2000).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
