// The static site (www/) in a real browser: Debian's /usr/bin/chromium driven by
// playwright-core over CDP, against lighttpd + our FastCGI programs serving
// www/ as the document root. Sign up → dashboard → edit the profile → reload →
// sign out → the dashboard redirects → wrong password → sign in → dashboard →
// settings (no delete section: deletion is off) → forgot password (no mail sender).
// Saves a screenshot of the dashboard to $FCGI_AUTH_TEST_OUT/dashboard.png.
// Never downloads a browser: a missing /usr/bin/chromium is a failure.
import { describe, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { ROOT, startFerret, startFcgi, dbName, uniqueEmail } from "../lib/stack.mjs";
import { CHROMIUM, CHROMIUM_ARGS, OUT, STEP, VIEW, assertReady, steps, watchContext, watchPage } from "../lib/browser.mjs";

const name = "Ada Lovelace";
const email = uniqueEmail("browser");
const password = "correct horse battery staple";
const bio = "Analyst of engines; writes notes longer than the paper they annotate.";

let ferret, server, context, page, userData, base;
const problems = []; // page errors, console errors, requests off this origin

async function setUp() {
	assertReady();
	ferret = await startFerret();
	server = await startFcgi({
		MONGODB_URI: ferret.uri, MONGODB_DB: dbName("browser"), FCGI_AUTH_DOCROOT: path.join(ROOT, "www"),
	});
	base = server.url;
	userData = fs.mkdtempSync(path.join(os.tmpdir(), "fcgi-auth-chromium-"));
	context = await chromium.launchPersistentContext(userData, {
		executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, timeout: STEP, ...VIEW,
	});
	context.setDefaultTimeout(STEP);
	page = context.pages()[0] ?? await context.newPage();
	watchPage(page, base, problems);
	watchContext(context, base, problems);
}

after(async () => {
	await context?.close().catch(() => {});
	if (userData) fs.rmSync(userData, { recursive: true, force: true });
	await server?.stop();
	await ferret?.stop();
});

const text = (sel) => page.locator(sel).textContent();
async function expectText(sel, re) {
	await page.locator(sel).filter({ hasText: re }).waitFor();
}

describe("the static site in Chromium", () => {
	const step = steps("starts lighttpd serving www/ and Debian's Chromium", setUp);

	step("the home page links to sign-up, sign-in and the dashboard", async () => {
		await page.goto(`${base}/`);
		assert.equal(await page.title(), "fcgi-auth");
		for (const href of ["sign-up.html", "sign-in.html", "dashboard.html"])
			assert.equal(await page.locator(`a[href="${href}"]`).count(), 1, href);
	});

	step("sign-up lands on the dashboard showing the name and email", async () => {
		await page.goto(`${base}/sign-up.html`);
		await page.getByLabel("Name").fill(name);
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill(password);
		await page.getByRole("button", { name: "Create account" }).click();
		await page.waitForURL(`${base}/dashboard.html`);
		await expectText("#user-email", email);
		assert.equal(await text("#user-name"), name);
		assert.equal(await text("#topbar-email"), email);
		assert.equal(await page.locator("#content").isVisible(), true);
	});

	step("a bad phone number is refused next to the phone field", async () => {
		await page.getByLabel("Phone number").fill("call me maybe");
		await page.getByRole("button", { name: "Save profile" }).click();
		await expectText("#phoneNumber-error", /at most 32 digits/);
		assert.equal(await page.getByLabel("Phone number").getAttribute("aria-invalid"), "true");
		assert.equal(await text("#profile-status"), "");
		assert.equal(await text("#profile-error"), "");
	});

	step("the profile is saved and still there after a reload", async () => {
		await page.getByLabel("Bio").fill(bio);
		await page.getByLabel("Phone number").fill("+44 (20) 7946-0958");
		await page.getByLabel("City").fill("London");
		await page.getByLabel("Country").fill("United Kingdom");
		await page.getByRole("button", { name: "Save profile" }).click();
		await expectText("#profile-status", "Profile saved.");
		assert.equal(await text("#phoneNumber-error"), "");
		assert.equal(await page.getByLabel("Phone number").getAttribute("aria-invalid"), null);

		await page.reload();
		await page.locator("#content").waitFor();
		assert.equal(await page.getByLabel("Bio").inputValue(), bio);
		assert.equal(await page.getByLabel("Phone number").inputValue(), "+44 (20) 7946-0958");
		assert.equal(await page.getByLabel("City").inputValue(), "London");
		assert.equal(await page.getByLabel("Country").inputValue(), "United Kingdom");
		assert.equal(await page.getByLabel("Street").inputValue(), "");
	});

	step("sign-out goes to the sign-in page; the dashboard then redirects there", async () => {
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.waitForURL(`${base}/sign-in.html`);
		await page.goto(`${base}/dashboard.html`);
		await page.waitForURL(`${base}/sign-in.html`);
		assert.equal(await page.locator("#content").count(), 0);
	});

	step("signing up again with the same email shows the error by the email field", async () => {
		await page.goto(`${base}/sign-up.html`);
		await page.getByLabel("Name").fill("Someone Else");
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill("another long password");
		await page.getByRole("button", { name: "Create account" }).click();
		await expectText("#email-error", /already exists/i);
		assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
		assert.equal(page.url(), `${base}/sign-up.html`);
	});

	step("a wrong password shows the error by the password field", async () => {
		await page.goto(`${base}/sign-in.html`);
		await page.getByLabel("Email").fill(email);
		await page.getByLabel("Password").fill("not the password");
		await page.getByRole("button", { name: "Sign in" }).click();
		await expectText("#password-error", /invalid email or password/i);
		assert.equal(await page.getByLabel("Password").getAttribute("aria-invalid"), "true");
		assert.equal(await text("#email-error"), "");
		assert.equal(page.url(), `${base}/sign-in.html`);
		fs.mkdirSync(OUT, { recursive: true });
		await page.screenshot({ path: path.join(OUT, "sign-in-error.png") });
	});

	step("signing in with the right password opens the dashboard with the saved profile", async () => {
		await page.getByLabel("Password").fill(password);
		await page.getByRole("button", { name: "Sign in" }).click();
		await page.waitForURL(`${base}/dashboard.html`);
		await expectText("#user-email", email);
		assert.equal(await page.getByLabel("Bio").inputValue(), bio);

		fs.mkdirSync(OUT, { recursive: true });
		const shot = path.join(OUT, "dashboard.png");
		await page.screenshot({ path: shot, fullPage: true });
		assert.ok(fs.statSync(shot).size > 1000, "screenshot written");
	});

	step("settings, from the dashboard: this session listed, no delete section (deletion is off)", async () => {
		// The page asks delete-user whether deletion is on (404 when off).
		const probe = page.waitForResponse((r) => r.url() === `${base}/api/auth/delete-user`);
		await page.getByRole("link", { name: "Settings" }).click();
		await page.waitForURL(`${base}/settings.html`);
		assert.equal((await probe).status(), 404);
		await page.locator("#content:not([aria-busy])").waitFor(); // loaded, probe answered
		assert.equal(await page.locator("#sessions li").count(), 1);
		assert.match(await page.locator("#sessions li").first().textContent(), /This device/);
		assert.equal(await page.locator("#delete-section").isVisible(), false);
	});

	step("forgot password without a mail sender says that reset is not available", async () => {
		await page.getByRole("button", { name: "Sign out" }).click();
		await page.waitForURL(`${base}/sign-in.html`);
		await page.getByRole("link", { name: "Forgot password?" }).click();
		await page.waitForURL(`${base}/forgot-password.html`);
		await page.getByLabel("Email").fill(email);
		await page.getByRole("button", { name: "Send reset link" }).click();
		await expectText("#form-error", /not available on this server/);
		assert.equal(await page.locator("#sent").isVisible(), false);
	});

	step("nothing went wrong in the page, and nothing left the origin", () => {
		assert.deepEqual(problems, []);
	});
});
