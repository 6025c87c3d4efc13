// Every setting the programs read (`<program> --settings`, config.c's one
// table) must be handed over by every list that names settings by hand: the
// web-server configs that pass the environment to the programs one name at a
// time, scripts/run.sh, tests/lib/stack.mjs and the README's table. A
// setting missing from one of them is silently unset under that server; a
// name a list carries that no program reads is a typo or a leftover.
// EXCEPTIONS are the deliberate differences, each with its reason.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT, FCGI_BIN, APP_SETTINGS } from "../lib/stack.mjs";

const read = (f) => fs.readFileSync(path.join(ROOT, f), "utf8");
/** The text between the first line matching start and the next matching end. */
function block(text, start, end, what) {
	const lines = text.split("\n");
	const i = lines.findIndex((l) => start.test(l));
	assert.ok(i >= 0, `${what}: no line matching ${start}`);
	const j = lines.findIndex((l, k) => k > i && end.test(l));
	assert.ok(j > i, `${what}: no end matching ${end}`);
	return lines.slice(i, j + 1).join("\n");
}
const names = (text, re) => [...text.matchAll(re)].map((m) => m[1]);

/** Each hand-written list: the names it carries. */
const LISTS = {
	"apache-conf/httpd-fcgid.conf (FcgiAuthProgram InitialEnv)": () =>
		names(block(read("apache-conf/httpd-fcgid.conf"), /^<Macro FcgiAuthProgram /, /^<\/Macro>/, "httpd-fcgid.conf"),
			/InitialEnv "([A-Z0-9_]+)=/g),
	"apache-conf/httpd-cgi.conf (PassEnv, SetEnv)": () =>
		block(read("apache-conf/httpd-cgi.conf"), /^<Directory "\$\{FCGI_AUTH_BIN\}">/, /^<\/Directory>/, "httpd-cgi.conf")
			.split("\n").filter((l) => /^\s*(PassEnv|SetEnv)\s/.test(l))
			.flatMap((l) => { const w = l.trim().split(/\s+/); return w[0] === "SetEnv" ? [w[1]] : w.slice(1); }),
	"lighttpd-conf/lighttpd-cgi.conf (setenv.add-environment)": () =>
		names(block(read("lighttpd-conf/lighttpd-cgi.conf"), /setenv\.add-environment = \(/, /^\s*\)/, "lighttpd-cgi.conf"),
			/^\s*"([A-Z0-9_]+)"\s*=>/gm),
	"scripts/run.sh (settings=)": () =>
		block(read("scripts/run.sh"), /^settings="/, /"$/, "run.sh").replace(/^settings=/, "").replace(/"/g, "")
			.split(/\s+/).filter(Boolean),
	"tests/lib/stack.mjs (APP_SETTINGS)": () => [...APP_SETTINGS],
	"README.md (Configuration table)": () => names(read("README.md"), /^\| `([A-Z][A-Z0-9_]+)` \|/gm),
};

/** Names a list may leave out, by list, with the reason. */
const EXCEPTIONS = {
	FCGI_AUTH_LISTEN: {
		lists: ["httpd-fcgid.conf", "httpd-cgi.conf", "lighttpd-cgi.conf", "run.sh", "stack.mjs"],
		why: "own-socket mode, for a program started on its own (systemd, bench): a program the web server "
			+ "spawns must serve the socket or CGI pipe it is given, so none of these hands it over",
	},
	FCGI_AUTH_LOCATION_HEADER: {
		lists: ["lighttpd-cgi.conf", "run.sh", "stack.mjs"],
		why: "not the operator's to choose: the Apache configs set it themselves (mod_fcgid and mod_cgid turn "
			+ "a 200 with Location into an internal redirect); lighttpd needs the default, Location",
	},
};

function settingsOf(program) {
	return execFileSync(path.join(FCGI_BIN, program), ["--settings"], { encoding: "utf8" }).trim().split("\n");
}

describe("settings: the programs and the hand-written lists agree", () => {
	const programs = fs.readdirSync(FCGI_BIN).sort();
	const read = settingsOf(programs[0]);

	it("every program prints the same settings, each once", () => {
		assert.ok(read.length > 40 && read.every((n) => /^[A-Z][A-Z0-9_]+$/.test(n)), `--settings printed ${read.join(" ")}`);
		assert.equal(new Set(read).size, read.length, "a setting printed twice");
		for (const p of programs) assert.deepEqual(settingsOf(p), read, `${p} --settings`);
	});

	it("every exception names a setting that is read, and lists that exist", () => {
		for (const [name, e] of Object.entries(EXCEPTIONS)) {
			assert.ok(read.includes(name), `exception ${name} is not a setting`);
			for (const l of e.lists) assert.ok(Object.keys(LISTS).some((k) => k.includes(l)), `exception ${name}: no list ${l}`);
		}
	});

	for (const [list, names] of Object.entries(LISTS)) {
		it(list, () => {
			const got = names();
			const excused = (n) => EXCEPTIONS[n]?.lists.some((l) => list.includes(l));
			const missing = read.filter((n) => !got.includes(n) && !excused(n));
			const unknown = [...new Set(got)].filter((n) => !read.includes(n));
			const needless = read.filter((n) => got.includes(n) && excused(n));
			assert.deepEqual({ missing, unknown, twice: got.filter((n, i) => got.indexOf(n) !== i), needless },
				{ missing: [], unknown: [], twice: [], needless: [] },
				`${list}: missing = not handed over, unknown = read by no program, needless = listed though excused`);
		});
	}
});
