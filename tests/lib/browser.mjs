// Helpers of the browser tests (tests/browser/): Debian's /usr/bin/chromium
// driven by playwright-core, and a watch on pages for errors and for requests
// that leave the site's origin. Never downloads a browser: a missing
// /usr/bin/chromium is a failure.
import { it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { ROOT, requireFcgiBuilt } from "./stack.mjs";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"];
/** Where screenshots go. */
export const OUT = process.env.FCGI_AUTH_TEST_OUT || path.join(ROOT, "tests/out");
/** The longest wait of one step (ms). */
export const STEP = 15000;
/** The browser context options of every test. */
export const VIEW = { viewport: { width: 1200, height: 900 }, colorScheme: "light", locale: "en-US" };

/** Fails unless the browser and our programs are there. */
export function assertReady() {
	assert.ok(fs.existsSync(CHROMIUM),
		`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium, or make deps); this test never downloads a browser`);
	requireFcgiBuilt();
}

/**
 * Records into problems what must not happen in a context of the site at
 * base: a non-API answer of 400 or more, a request off the origin. The API's
 * 4xx (401 after sign-out, refused forms, probes) are expected.
 */
export function watchContext(context, base, problems) {
	context.on("response", (r) => {
		if (r.status() >= 400 && !new URL(r.url()).pathname.startsWith("/api/")) problems.push(`HTTP ${r.status()}: ${r.url()}`);
	});
	context.on("request", (r) => {
		if (!r.url().startsWith(`${base}/`)) problems.push(`request off origin: ${r.url()}`);
	});
}

/** Records a page's uncaught errors and console errors, except the browser's
 * "Failed to load resource" for the API's expected 4xx. */
export function watchPage(page, base, problems) {
	page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
	page.on("console", (m) => {
		if (m.type() !== "error") return;
		const where = m.location()?.url ?? "";
		if (/^Failed to load resource/.test(m.text()) && where.startsWith(`${base}/api/`)) return;
		problems.push(`console: ${m.text()} (${where})`);
	});
}

/**
 * Steps that each need the ones before: the set-up is a test of its own (not
 * a before hook), so a missing browser or a stack that does not start counts
 * as a failure in every runner's tally, and after it fails every step fails
 * at once. Returns step(title, fn).
 */
export function steps(setUpTitle, setUp) {
	let ready = false;
	it(setUpTitle, async () => {
		await setUp();
		ready = true;
	});
	return (title, fn) => it(title, async () => {
		if (!ready) throw new Error("not run: setup failed (see the first test)");
		await fn();
	});
}
