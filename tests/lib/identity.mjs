// Client-sent identity headers in every spelling, for the tests that check
// none reaches a protected backend (tests/servers/identity.test.mjs,
// proxy.test.mjs).

/**
 * Header names that fold (upper case, every character but A-Z and 0-9 to
 * "_") to an identity name: every separator RFC 9110 allows in a field name,
 * in several cases and mixes.
 */
export function identitySpellings() {
	const bases = [["X", "User", "Id"], ["X", "User", "Email"], ["Auth", "User", "Id"],
		["Auth", "User", "Email"], ["Remote", "User"]];
	const seps = ["-", "_", ".", "~", "+", "!", "#", "$", "%", "&", "'", "*", "^", "`", "|"];
	const out = new Set();
	for (const words of bases) {
		for (const sep of seps) out.add(words.join(sep));
		out.add(words.join("-").toLowerCase());
		out.add(words.join("-").toUpperCase());
		out.add(words.join("_").toLowerCase());
		out.add(words.slice(0, -1).join("_") + "-" + words.at(-1));
		out.add(words.slice(0, -1).join(".") + "_" + words.at(-1).toUpperCase());
	}
	return [...out];
}

/**
 * Spellings that identitySpellings() does not make: every letter's case
 * alternating (starting lower, then starting upper), for each separator.
 * For the servers that keep each name's verdict (lighttpd-conf/identity.lua):
 * names sent only after that table is full.
 */
export function freshSpellings() {
	const seen = new Set(identitySpellings());
	const alternate = (s, odd) => [...s].map((c, i) => ((i % 2 === 0) === odd ? c.toUpperCase() : c.toLowerCase())).join("");
	const out = new Set();
	for (const base of ["x-user-id", "x.user.email", "auth~user~id", "auth+user+email", "remote|user"]) {
		for (const odd of [false, true]) out.add(alternate(base, odd));
	}
	return [...out].filter((n) => !seen.has(n));
}

/** The spellings in batches of headers, each carrying its own marked value. */
export function forgedBatches(size = 12, names = identitySpellings()) {
	const batches = [];
	for (let i = 0; i < names.length; i += size) {
		batches.push(Object.fromEntries(names.slice(i, i + size).map((n, j) => [n, `forged-${i + j}`])));
	}
	return batches;
}
