// Helpers of the mail-flow tests (reset, verify, change-email): our stack
// with a Mailpit sender, the reference Better Auth on the same store with
// its callbacks recording to a file, and readers for both mail boxes.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { mongo, request, sleep, startFcgi, startFerret, startMailpit, startReference, dbName } from "./stack.mjs";

export const FROM = "fcgi-auth <noreply@example.com>";

/**
 * FerretDB, Mailpit, our programs (env + the SMTP sender) and, unless
 * opts.reference is false, the reference server on the same database (env,
 * callbacks recording to refLog). opts.smtpDelayMs: our mail goes through
 * slowProxy, a mail server that greets that late. Returns { ours, ref, mp, db, refMails(),
 * mailTo(addr), stop() }.
 */
export async function mailStacks(tag, env = {}, opts = {}) {
	// What is started so far, stopped in reverse if a later start fails
	// (else its processes would outlive the failed hook).
	const started = [];
	const keep = (x) => { if (x) started.push(x); return x; };
	try {
		const ferret = keep(await startFerret());
		const name = dbName(tag);
		const mp = opts.mailpit === false ? null : keep(await startMailpit());
		const slow = mp && opts.smtpDelayMs ? keep(await slowProxy(mp.smtpPort, opts.smtpDelayMs)) : null;
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fcgi-auth-${tag}-`));
		started.push({ stop: async () => fs.rmSync(dir, { recursive: true, force: true }) });
		const refLog = path.join(dir, "ref-mails.jsonl");
		fs.writeFileSync(refLog, "");
		const base = { MONGODB_URI: ferret.uri, MONGODB_DB: name, FCGI_AUTH_LOG_LEVEL: "info", ...env };
		const sender = opts.sender ?? (mp ? { FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${slow?.port ?? mp.smtpPort}` } : {});
		const ours = keep(await startFcgi({ ...base, FCGI_AUTH_MAIL_FROM: FROM, ...sender }));
		const ref = opts.reference === false ? null : keep(await startReference({ ...base, FCGI_AUTH_REF_MAIL_LOG: refLog }));
		const db = await mongo(name, ferret.uri);
		return mailStacksOf({ ours, ref, mp, db, slow, ferret, dir, refLog });
	} catch (err) {
		for (const x of started.reverse()) await Promise.resolve().then(() => x.stop()).catch(() => {});
		throw err;
	}
}

function mailStacksOf({ ours, ref, mp, db, slow, ferret, dir, refLog }) {
	return {
		ours, ref, mp, db,
		/** The reference's recorded mails, [{kind, to, url, token, newEmail}]. */
		refMails: () => fs.readFileSync(refLog, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)),
		/** The newest reference mail to addr (waits up to 3 s). */
		async refMailTo(addr, kind) {
			const deadline = Date.now() + 3000;
			for (;;) {
				const m = this.refMails().filter((x) => x.to === addr && (!kind || x.kind === kind)).pop();
				if (m) return m;
				if (Date.now() > deadline) return null;
				await sleep(50);
			}
		},
		/** Our newest mail to addr (Mailpit), { summary, msg, link }; null if none in ms. */
		async mailTo(addr, ms = 5000, pred = () => true) {
			const s = await mp.waitFor((m) => m.To.some((a) => a.Address === addr) && pred(m), ms);
			if (!s) return null;
			const msg = await mp.api(`/message/${s.ID}`);
			const link = msg.Text.match(/https?:\/\/\S+/)?.[0];
			return { summary: s, msg, link };
		},
		/** How many of our mails went to addr so far. */
		async countTo(addr) {
			const { messages } = await mp.api("/messages?limit=500");
			return messages.filter((m) => m.To.some((a) => a.Address === addr)).length;
		},
		async stop() {
			await db.close().catch(() => {});
			await ours.stop();
			await ref?.stop();
			await slow?.stop();
			await mp?.stop();
			await ferret.stop();
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
}

/**
 * A TCP server on a free loopback port calling onConnection(socket, track)
 * (track(s) registers another socket to destroy at stop). Returns { port, stop() }.
 */
async function loopbackServer(onConnection) {
	const socks = new Set();
	const track = (x) => { socks.add(x); x.on("error", () => {}); x.on("close", () => socks.delete(x)); return x; };
	const srv = net.createServer((s) => onConnection(track(s), track));
	await new Promise((r) => srv.listen(0, "127.0.0.1", r));
	return {
		port: srv.address().port,
		stop: () => new Promise((r) => { for (const x of socks) x.destroy(); srv.close(r); }),
	};
}

/** A TCP server that accepts and never says a word: a hung mail server. */
export function silentServer() {
	return loopbackServer(() => {});
}

/**
 * mailStacks without Mailpit or the reference, our programs sending to
 * silentServer (FCGI_AUTH_MAIL_TIMEOUT_MS 200 unless env says otherwise):
 * every mail times out. stop() ends the silent server too.
 */
export async function hungMailStacks(tag, env = {}) {
	const silent = await silentServer();
	try {
		const t = await mailStacks(tag, { FCGI_AUTH_MAIL_TIMEOUT_MS: "200", ...env },
			{ mailpit: false, reference: false, sender: { FCGI_AUTH_SMTP_URL: `smtp://127.0.0.1:${silent.port}` } });
		const stop = t.stop.bind(t);
		t.stop = async () => { await stop(); await silent.stop(); };
		return t;
	} catch (err) {
		await silent.stop();
		throw err;
	}
}

/**
 * A mail server that takes delayMs to greet: a TCP proxy to 127.0.0.1:port
 * holding the server's first bytes back that long, then passing everything
 * through. Returns { port, stop() }.
 */
export function slowProxy(port, delayMs) {
	return loopbackServer((client, track) => {
		const upstream = track(net.connect(port, "127.0.0.1"));
		client.pipe(upstream);
		setTimeout(() => upstream.pipe(client), delayMs);
		client.on("close", () => upstream.destroy());
		upstream.on("close", () => client.destroy());
	});
}

/** GET of a URL (absolute) on its server, raw. */
export function getUrl(u, headers = {}) {
	const x = new URL(u);
	return request(x.origin, x.pathname + x.search, { headers });
}

/** Replaces the server's origin in s, so ours and the reference compare. */
export function portless(s, server) {
	return String(s).split(server.url).join("<BASE>");
}

/** The same status, content-type, body and location on both. */
export function sameAnswer(a, b, oursSrv, refSrv, what) {
	assert.equal(a.status, b.status, `${what}: status (ours ${a.body} / ref ${b.body})`);
	assert.equal(a.headers["content-type"], b.headers["content-type"], `${what}: content-type`);
	assert.equal(a.body, b.body, `${what}: body`);
	assert.equal(portless(a.headers.location ?? "", oursSrv), portless(b.headers.location ?? "", refSrv), `${what}: location`);
}

export function median(xs) {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
