// The account pages of the static site (www/) in a real browser: Debian's
// /usr/bin/chromium driven by playwright-core, against lighttpd + our programs
// with Mailpit as the mail server, e-mail verification required, account
// deletion on and the cookie cache on (so a browser whose session was revoked
// elsewhere still holds a session_data cookie that vouches for it). Sign up → the verification notice → the link from the mail →
// sign in → settings: sessions of two browsers (revoke one, revoke all
// others), change password (signing out the other devices) → sign in with the
// new password → forgot password → the link from the mail → the reset page →
// sign in with the reset password → delete the account → gone from the store.
// Never downloads a browser: a missing /usr/bin/chromium is a failure.
import { describe, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startFerret, startFcgi, startMailpit, mongo, dbName, uniqueEmail, sleep } from "../lib/stack.mjs";
import { CHROMIUM, CHROMIUM_ARGS, OUT, STEP, VIEW, assertReady, steps, watchContext, watchPage } from "../lib/browser.mjs";

const OTHER_UA = "OtherDevice/1.0 (fcgi-auth browser test)";

const name = "Grace Hopper";
const email = uniqueEmail("browser-account");
const passwords = ["first password of grace", "second password of grace", "reset password of grace"];

let ferret, mailpit, server, browser, db, base;
let here, there; // { context, page }: this browser (the one that changes things) and a second one
const problems = []; // page errors, console errors, requests off this origin
const seenMails = new Set();

/** A fresh browser context (its own cookies) and a page in it, both watched. */
async function newBrowser(options = {}) {
	const context = await browser.newContext({ ...VIEW, ...options });
	context.setDefaultTimeout(STEP);
	watchContext(context, base, problems);
	const page = await context.newPage();
	watchPage(page, base, problems);
	return { context, page };
}

async function setUp() {
	assertReady();
	ferret = await startFerret();
	mailpit = await startMailpit();
	const dbname = dbName("browser_account");
	server = await startFcgi({
		MONGODB_URI: ferret.uri, MONGODB_DB: dbname, FCGI_AUTH_DOCROOT: path.join(ROOT, "www"),
		FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${mailpit.smtpPort}`, FCGI_AUTH_MAIL_FROM: "fcgi-auth <noreply@example.com>",
		FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION: "1", FCGI_AUTH_DELETE_USER: "1", FCGI_AUTH_COOKIE_CACHE: "1",
	});
	base = server.url;
	db = await mongo(dbname, ferret.uri);
	browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: STEP });
	here = await newBrowser();
	there = await newBrowser({ userAgent: OTHER_UA });
}

after(async () => {
	await browser?.close().catch(() => {});
	await db?.close().catch(() => {});
	await server?.stop();
	await mailpit?.stop();
	await ferret?.stop();
});

/** The link matching re in the newest mail to addr not read before (waits up to 10 s). */
async function linkFromMail(addr, re) {
	const deadline = Date.now() + 10000;
	for (;;) {
		const { messages } = await mailpit.api("/messages?limit=50");
		for (const m of messages) {
			if (seenMails.has(m.ID) || !m.To.some((a) => a.Address === addr)) continue;
			const msg = await mailpit.api(`/message/${m.ID}`);
			const link = (msg.Text.match(/https?:\/\/\S+/g) ?? []).find((u) => re.test(u));
			if (!link) continue;
			seenMails.add(m.ID);
			return link;
		}
		if (Date.now() > deadline) throw new Error(`no new mail to ${addr} with a link like ${re}`);
		await sleep(100);
	}
}

async function theUser() {
	return db.collection("user").findOne({ email });
}

async function liveSessions() {
	const u = await theUser();
	return db.collection("session").countDocuments({ userId: u._id, expiresAt: { $gt: new Date() } });
}

async function signIn(page, password) {
	await page.goto(`${base}/sign-in.html`);
	await page.getByLabel("Email").fill(email);
	await page.getByLabel("Password").fill(password);
	await page.getByRole("button", { name: "Sign in" }).click();
}

async function signedIn(page, password) {
	await signIn(page, password);
	await page.waitForURL(`${base}/dashboard.html`);
	await page.locator("#content").waitFor();
}

async function openSettings(page) {
	await page.goto(`${base}/settings.html`);
	await page.locator("#content:not([aria-busy])").waitFor();
}

const sessionItems = (page) => page.locator("#sessions li");

describe("the account pages in Chromium", () => {
	const step = steps("starts lighttpd serving www/ (verification required, deletion and cookie cache on), Mailpit and Debian's Chromium", setUp);

	step("sign-up shows the verification notice and leaves no session", async () => {
		const { page } = here;
		await page.goto(`${base}/sign-up.html`);
		await page.getByLabel("Name").fill(name);
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill(passwords[0]);
		await page.getByRole("button", { name: "Create account" }).click();
		await page.waitForURL(`${base}/verify-email.html?email=${encodeURIComponent(email)}`);
		assert.equal(await page.locator("h1").textContent(), "Check your inbox");
		assert.equal(await page.locator("#address").textContent(), email);
		const u = await theUser();
		assert.equal(u.emailVerified, false);
		assert.equal(await db.collection("session").countDocuments({ userId: u._id }), 0);
	});

	step("sign-in before verifying is refused by the email field, with a link to send it again", async () => {
		const { page } = here;
		await signIn(page, passwords[0]);
		await page.locator("#email-error").filter({ hasText: /not verified/i }).waitFor();
		assert.equal(await page.locator('#email-error a[href^="verify-email.html?email="]').count(), 1);
		assert.equal(page.url(), `${base}/sign-in.html`);
	});

	step("the link from the mail lands on the verified page; signing in then works", async () => {
		const { page } = here;
		const link = await linkFromMail(email, /\/api\/auth\/verify-email\?token=/);
		assert.ok(link.startsWith(`${base}/api/auth/verify-email?token=`), link);
		assert.match(link, /callbackURL=%2Fverified\.html/);
		await page.goto(link);
		await page.waitForURL(`${base}/verified.html`);
		await page.locator("#ok").waitFor();
		assert.equal((await theUser()).emailVerified, true);
		await page.getByRole("link", { name: "Sign in" }).click();
		await page.waitForURL(`${base}/sign-in.html?notice=verified`);
		await page.locator("#notice").filter({ hasText: /verified/ }).waitFor();
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill(passwords[0]);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${base}/dashboard.html`);
		await page.locator("#content").waitFor();
	});

	step("a link with a bad token lands on the verified page's error", async () => {
		const { page } = there;
		await page.goto(`${base}/api/auth/verify-email?token=not.a.token&callbackURL=%2Fverified.html`);
		await page.waitForURL(`${base}/verified.html?error=INVALID_TOKEN`);
		await page.locator("#reason").filter({ hasText: /not valid/ }).waitFor();
		assert.equal(await page.locator("#ok").isVisible(), false);
	});

	step("settings, from the dashboard: this device's session, and the delete section (deletion is on)", async () => {
		const { page } = here;
		await page.getByRole("link", { name: "Settings" }).click();
		await page.waitForURL(`${base}/settings.html`);
		await page.locator("#content:not([aria-busy])").waitFor();
		assert.equal(await sessionItems(page).count(), 1);
		assert.match(await sessionItems(page).first().textContent(), /Chrome on Linux.*This device/);
		await page.locator("#delete-section").waitFor();
		assert.equal(await page.locator("#revoke-others").isVisible(), false);
	});

	step("a second browser's session appears in the list; revoking it signs that browser out", async () => {
		await signedIn(there.page, passwords[0]);
		const { page } = here;
		await page.reload();
		await sessionItems(page).nth(1).waitFor();
		assert.equal(await sessionItems(page).count(), 2);
		const other = sessionItems(page).filter({ hasText: "OtherDevice/1.0" });
		assert.equal(await other.count(), 1);
		assert.equal(await liveSessions(), 2);
		await other.getByRole("button", { name: /Revoke/ }).click();
		await page.locator("#sessions-status").filter({ hasText: "Session revoked." }).waitFor();
		await sessionItems(page).filter({ hasText: "OtherDevice/1.0" }).waitFor({ state: "detached" });
		assert.equal(await sessionItems(page).count(), 1);
		assert.equal(await liveSessions(), 1);

		await there.page.goto(`${base}/dashboard.html`);
		await there.page.waitForURL(`${base}/sign-in.html`);
		// And this browser is still signed in.
		await page.reload();
		await sessionItems(page).first().waitFor();
		assert.match(await sessionItems(page).first().textContent(), /This device/);
	});

	step("\"sign out all other sessions\" ends the second browser's new session", async () => {
		await signedIn(there.page, passwords[0]);
		const { page } = here;
		await page.reload();
		await sessionItems(page).nth(1).waitFor();
		await page.getByRole("button", { name: "Sign out all other sessions" }).click();
		await page.locator("#sessions-status").filter({ hasText: "All other sessions signed out." }).waitFor();
		await sessionItems(page).nth(1).waitFor({ state: "detached" });
		assert.equal(await liveSessions(), 1);
		await there.page.goto(`${base}/dashboard.html`);
		await there.page.waitForURL(`${base}/sign-in.html`);
	});

	step("change password: a wrong current one is refused by its field", async () => {
		const { page } = here;
		await page.getByLabel("Current password").fill("not my password");
		await page.getByLabel("New password").fill(passwords[1]);
		await page.getByRole("button", { name: "Change password" }).click();
		await page.locator("#currentPassword-error").filter({ hasText: /invalid password/i }).waitFor();
		assert.equal(await page.getByLabel("Current password").getAttribute("aria-invalid"), "true");
		assert.equal(await page.locator("#password-status").textContent(), "");
	});

	step("change password with \"sign out of all other devices\": this browser stays in, the other is out", async () => {
		await signedIn(there.page, passwords[0]);
		const { page } = here;
		await page.reload();
		await sessionItems(page).nth(1).waitFor();
		await page.getByLabel("Current password").fill(passwords[0]);
		await page.getByLabel("New password").fill(passwords[1]);
		await page.getByLabel("Sign out of all other devices").check();
		await page.getByRole("button", { name: "Change password" }).click();
		await page.locator("#password-status").filter({ hasText: "Password changed; other devices signed out." }).waitFor();
		await sessionItems(page).nth(1).waitFor({ state: "detached" });
		assert.match(await sessionItems(page).first().textContent(), /This device/);
		assert.equal(await liveSessions(), 1);
		assert.equal(await page.getByLabel("Current password").inputValue(), "");
		await there.page.goto(`${base}/dashboard.html`);
		await there.page.waitForURL(`${base}/sign-in.html`);
		await page.reload();
		await page.locator("#content").waitFor(); // still signed in with the new session
		fs.mkdirSync(OUT, { recursive: true });
		await page.screenshot({ path: path.join(OUT, "settings.png"), fullPage: true });
	});

	step("after the change the old password fails and the new one signs in", async () => {
		const { page } = there;
		await signIn(page, passwords[0]);
		await page.locator("#password-error").filter({ hasText: /invalid email or password/i }).waitFor();
		await page.getByLabel("Password").fill(passwords[1]);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${base}/dashboard.html`);
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.waitForURL(`${base}/sign-in.html`);
	});

	step("forgot password: the link on the sign-in page, the request, the notice", async () => {
		const { page } = there;
		await page.getByRole("link", { name: "Forgot password?" }).click();
		await page.waitForURL(`${base}/forgot-password.html`);
		await page.getByLabel("Email").fill(email);
		await page.getByRole("button", { name: "Send reset link" }).click();
		await page.locator("#sent").filter({ hasText: `If an account exists for ${email}` }).waitFor();
		assert.equal(await page.locator("#forgot").isVisible(), false);
	});

	step("the link from the reset mail opens the reset page; the new password is set and signs in", async () => {
		const { page } = there;
		const link = await linkFromMail(email, /\/api\/auth\/reset-password\//);
		assert.ok(link.startsWith(`${base}/api/auth/reset-password/`), link);
		assert.match(link, /\?callbackURL=%2Freset\.html$/);
		await page.goto(link);
		await page.waitForURL(/\/reset\.html\?token=[A-Za-z0-9]+$/);
		await page.getByLabel("New password").fill(passwords[2]);
		await page.getByRole("button", { name: "Set new password" }).click();
		await page.waitForURL(`${base}/sign-in.html?notice=reset`);
		await page.locator("#notice").filter({ hasText: "Your password has been reset." }).waitFor();

		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill(passwords[1]);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.locator("#password-error").filter({ hasText: /invalid email or password/i }).waitFor();
		await page.getByLabel("Password").fill(passwords[2]);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${base}/dashboard.html`);
		await page.locator("#content").waitFor();

		// The token is used up: the same link now shows the invalid-link message.
		await page.goto(link);
		await page.waitForURL(`${base}/reset.html?error=INVALID_TOKEN`);
		await page.locator("#invalid").waitFor();
		assert.equal(await page.locator("#reset").isVisible(), false);
	});

	step("delete account: a wrong password is refused, the right one deletes everything of the user", async () => {
		const { page } = here; // signed in since before the reset (resets keep sessions by default)
		await openSettings(page);
		await page.locator("#delete-section").waitFor();
		const u = await theUser();
		assert.ok(await db.collection("users").findOne({ betterAuthUserId: u._id.toHexString() }), "the dashboard made the app user");
		await page.getByLabel("Password", { exact: true }).fill(passwords[1]);
		await page.getByLabel(/I understand/).check();
		await page.getByRole("button", { name: "Delete my account" }).click();
		await page.locator("#deletePassword-error").filter({ hasText: /invalid password/i }).waitFor();
		assert.ok(await theUser(), "still there after a wrong password");

		await page.getByLabel("Password", { exact: true }).fill(passwords[2]);
		await page.getByRole("button", { name: "Delete my account" }).click();
		await page.waitForURL(`${base}/sign-in.html?notice=deleted`);
		await page.locator("#notice").filter({ hasText: "Your account has been deleted." }).waitFor();
		assert.equal(await theUser(), null);
		assert.equal(await db.collection("account").countDocuments({ userId: u._id }), 0);
		assert.equal(await db.collection("session").countDocuments({ userId: u._id }), 0);
		assert.equal(await db.collection("users").countDocuments({ betterAuthUserId: u._id.toHexString() }), 0);

		// The other browser's session went with it.
		await there.page.goto(`${base}/dashboard.html`);
		await there.page.waitForURL(`${base}/sign-in.html`);
		await signIn(page, passwords[2]);
		await page.locator("#password-error").filter({ hasText: /invalid email or password/i }).waitFor();
	});

	step("nothing went wrong in the pages, and nothing left the origin", () => {
		assert.deepEqual(problems, []);
	});
});
