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

/** The spellings in batches of headers, each carrying its own marked value. */
export function forgedBatches(size = 12) {
	const names = identitySpellings();
	const batches = [];
	for (let i = 0; i < names.length; i += size) {
		batches.push(Object.fromEntries(names.slice(i, i + size).map((n, j) => [n, `forged-${i + j}`])));
	}
	return batches;
}
