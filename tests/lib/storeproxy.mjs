// A TCP proxy in front of the store (FerretDB) for tests: it can hold every
// chunk back by `delay` ms in each direction (a slow or distant store), and it
// counts the commands the programs send, by command and collection, from the
// MongoDB wire protocol (OP_MSG: the first key of the body names the command,
// its value the collection). Loopback only; close() ends it.
import net from "node:net";

/**
 * Starts the proxy to 127.0.0.1:targetPort. Returns { port, uri, delay (ms, settable),
 * counts(filter) ({"insert rateLimit": n, ...}, keys kept by filter), reset(), close() }.
 */
export function storeProxy(targetPort) {
	return new Promise((resolve, reject) => {
		const sockets = new Set();
		const counts = new Map(); // "insert rateLimit" -> n
		const proxy = {
			delay: 0,
			counts: (filter = () => true) => {
				const out = {};
				for (const [k, n] of counts) if (filter(k)) out[k] = n;
				return out;
			},
			reset: () => counts.clear(),
		};
		const forward = (from, to, parse) => {
			let pending = Buffer.alloc(0);
			from.on("data", (chunk) => {
				if (parse) {
					pending = Buffer.concat([pending, chunk]);
					while (pending.length >= 16 && pending.length >= pending.readInt32LE(0)) {
						const len = pending.readInt32LE(0);
						const key = command(pending.subarray(0, len));
						if (key) counts.set(key, (counts.get(key) ?? 0) + 1);
						pending = pending.subarray(len);
					}
				}
				if (proxy.delay > 0) setTimeout(() => to.write(chunk), proxy.delay);
				else to.write(chunk);
			});
		};
		const server = net.createServer((client) => {
			const upstream = net.connect(targetPort, "127.0.0.1");
			sockets.add(client), sockets.add(upstream);
			forward(client, upstream, true);
			forward(upstream, client, false);
			const end = () => {
				client.destroy(), upstream.destroy();
				sockets.delete(client), sockets.delete(upstream);
			};
			for (const s of [client, upstream]) s.on("error", end), s.on("close", end);
		});
		server.on("error", reject);
		server.listen(0, "127.0.0.1", () => {
			proxy.port = server.address().port;
			proxy.uri = `mongodb://127.0.0.1:${proxy.port}/`;
			proxy.close = () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); });
			resolve(proxy);
		});
	});
}

/** "<command> <collection>" of one OP_MSG message, or null. */
function command(msg) {
	if (msg.readInt32LE(12) !== 2013 || msg.length < 26 || msg[20] !== 0) return null;
	const doc = 21; // flagBits (4 bytes at 16), section kind 0 at 20, then the body
	const type = msg[doc + 4];
	let i = doc + 5;
	const nameEnd = msg.indexOf(0, i);
	if (nameEnd < 0) return null;
	const name = msg.toString("utf8", i, nameEnd);
	i = nameEnd + 1;
	const coll = type === 2 ? msg.toString("utf8", i + 4, i + 4 + msg.readInt32LE(i) - 1) : "";
	return `${name} ${coll}`;
}
