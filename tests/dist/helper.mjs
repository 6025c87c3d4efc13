// Helpers of tests/dist/run.sh.
//   node helper.mjs dns <address> <zone.json>
//     A DNS server on <address>:53/udp answering from the zone file
//     ({"name": {"A": ["127.0.0.1"], "SRV": [[prio, weight, port, "target"]],
//     "TXT": ["k=v"]}}): NXDOMAIN for other names, no answers (NODATA) for
//     other types. Prints "ready" once bound; each query is logged on stderr.
//     Stops by itself after 300 s, or on SIGTERM.
//   node helper.mjs indexes <uri> <db>
//     Prints {"collection": ["index name", ...]} for every collection.
import dgram from "node:dgram";
import fs from "node:fs";
import { MongoClient } from "mongodb";

const [cmd, ...args] = process.argv.slice(2);

function readName(msg, off) {
	const labels = [];
	for (;;) {
		const len = msg[off];
		if (len === undefined || (len & 0xc0) !== 0) throw new Error("bad or compressed query name");
		off += 1;
		if (len === 0) break;
		labels.push(msg.subarray(off, off + len).toString("latin1"));
		off += len;
	}
	return { name: labels.join(".").toLowerCase(), off };
}

function encodeName(name) {
	const parts = name.split(".").filter(Boolean);
	const out = [];
	for (const p of parts) out.push(Buffer.from([p.length]), Buffer.from(p, "latin1"));
	out.push(Buffer.from([0]));
	return Buffer.concat(out);
}

const TYPES = { A: 1, TXT: 16, AAAA: 28, SRV: 33 };

function rdata(type, value) {
	if (type === "A") return Buffer.from(value.split(".").map(Number));
	if (type === "TXT") {
		const s = Buffer.from(value);
		return Buffer.concat([Buffer.from([s.length]), s]);
	}
	const [prio, weight, port, target] = value; // SRV
	const head = Buffer.alloc(6);
	head.writeUInt16BE(prio, 0);
	head.writeUInt16BE(weight, 2);
	head.writeUInt16BE(port, 4);
	return Buffer.concat([head, encodeName(target)]);
}

function answer(zone, msg) {
	const { name, off } = readName(msg, 12);
	const qtype = msg.readUInt16BE(off);
	const question = msg.subarray(12, off + 4);
	const entry = zone[name];
	const typeName = Object.keys(TYPES).find((k) => TYPES[k] === qtype);
	const records = entry && typeName && entry[typeName] ? entry[typeName] : [];
	const header = Buffer.alloc(12);
	msg.copy(header, 0, 0, 2); // id
	header.writeUInt16BE(0x8180 | (entry ? 0 : 3), 2); // response, RD, RA; NXDOMAIN
	header.writeUInt16BE(1, 4);
	header.writeUInt16BE(records.length, 6);
	const rrs = records.map((value) => {
		const data = rdata(typeName, value);
		const rr = Buffer.alloc(12);
		rr.writeUInt16BE(0xc00c, 0); // the name of the question
		rr.writeUInt16BE(qtype, 2);
		rr.writeUInt16BE(1, 4); // IN
		rr.writeUInt32BE(60, 6);
		rr.writeUInt16BE(data.length, 10);
		return Buffer.concat([rr, data]);
	});
	process.stderr.write(`dns: ${typeName || qtype} ${name}: ${records.length} answer(s)\n`);
	return Buffer.concat([header, question, ...rrs]);
}

if (cmd === "dns") {
	const [address, zoneFile] = args;
	const zone = JSON.parse(fs.readFileSync(zoneFile, "utf8"));
	const sock = dgram.createSocket("udp4");
	sock.on("message", (msg, rinfo) => {
		try {
			sock.send(answer(zone, msg), rinfo.port, rinfo.address);
		} catch (e) {
			process.stderr.write(`dns: unreadable query: ${e.message}\n`);
		}
	});
	sock.bind(53, address, () => console.log("ready"));
	const stop = () => sock.close(() => process.exit(0));
	setTimeout(stop, 300_000).unref();
	process.on("SIGTERM", stop);
} else if (cmd === "indexes") {
	const [uri, dbName] = args;
	const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
	try {
		const db = client.db(dbName);
		const out = {};
		for (const c of await db.listCollections().toArray())
			out[c.name] = (await db.collection(c.name).indexes()).map((i) => i.name).sort();
		console.log(JSON.stringify(out));
	} finally {
		await client.close();
	}
} else {
	console.error("usage: helper.mjs dns <address> <zone.json> | indexes <uri> <db>");
	process.exit(2);
}
