#!/usr/bin/env node
// Bundles web/auth-client.js (the official better-auth client) into
// www/assets/auth-client.js, one self-contained ES module for the static pages.
// Run: node web/build.mjs   (needs the devDependencies: npm ci)
// Fails when the bundle would name any remote URL, so the pages never load or
// link to anything off this origin.
import { build } from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outfile = path.join(root, "www/assets/auth-client.js");

await build({
	entryPoints: [path.join(root, "web/auth-client.js")],
	outfile,
	bundle: true,
	format: "esm",
	platform: "browser",
	target: ["es2020"],
	minify: true,
	legalComments: "none",
	charset: "utf8",
	define: { "process.env.NODE_ENV": '"production"' },
	banner: { js: "/* better-auth 1.7.25 client (createAuthClient), bundled by web/build.mjs — do not edit */" },
	logLevel: "warning",
});

const text = fs.readFileSync(outfile, "utf8");
const remote = text.match(/\b(?:https?|wss?):\/\/(?!localhost\b|127\.0\.0\.1\b)[^\s"'`)]+/g);
if (remote) {
	fs.rmSync(outfile);
	console.error(`build: the bundle names remote URLs: ${[...new Set(remote)].join(", ")}`);
	process.exit(1);
}
console.log(`build: ${path.relative(root, outfile)} (${text.length} bytes)`);
