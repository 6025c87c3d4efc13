// Shared helpers of the pages: server errors ({message, code, status}) shown next to
// the field they concern, everything else at the top of the form.
//
// A field is an <input id="F"> with an error region <p id="F-error">;
// Better Auth validation messages name it as "[body.F] text" (several joined by
// "; "), e.g. "[body.address.city] Must be a string of at most 200 characters".
import { authClient } from "./auth-client.js";

/** Splits a message into [{ field, text }] (field undefined for "[body] x" or plain text). */
export function parseIssues(message) {
	const text = String(message ?? "").trim();
	if (!text) return [];
	return text.split(/;\s*(?=\[body[.\]])/).map((part) => {
		const m = /^\[body(?:\.([A-Za-z0-9_.]+))?\]\s*([\s\S]*)$/.exec(part.trim());
		return m ? { field: m[1], text: m[2] || "Invalid value" } : { field: undefined, text: part.trim() };
	});
}

export class FormErrors {
	/** form: the <form>; general: the element for form-level errors; byCode: code → field. */
	constructor(form, general, byCode = {}) {
		this.form = form;
		this.general = general;
		this.byCode = byCode;
	}

	clear() {
		this.general.textContent = "";
		for (const el of this.form.querySelectorAll(".field-error")) el.textContent = "";
		for (const el of this.form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
	}

	/** Shows text next to field (or at the top when there is no such field). */
	set(field, text) {
		const input = field ? document.getElementById(field) : null;
		const region = field ? document.getElementById(`${field}-error`) : null;
		if (!input || !region || !this.form.contains(input)) {
			this.general.textContent = this.general.textContent ? `${this.general.textContent} ${text}` : text;
			return null;
		}
		region.textContent = region.textContent ? `${region.textContent} ${text}` : text;
		input.setAttribute("aria-invalid", "true");
		return input;
	}

	/** Shows a server error; focuses the first field concerned. */
	show(error) {
		this.clear();
		let first = null;
		const status = error?.status ?? 0;
		if (!error || status === 0) {
			this.set(undefined, "Could not reach the server. Check your connection and try again.");
		} else if (status === 429) {
			this.set(undefined, "Too many attempts. Please wait a moment and try again.");
		} else if (error.code && this.byCode[error.code]) {
			first = this.set(this.byCode[error.code], error.message || "Invalid value");
		} else {
			const issues = parseIssues(error.message);
			if (!issues.length) issues.push({ text: status >= 500 ? "Something went wrong on the server. Please try again." : "The request was refused." });
			for (const { field, text } of issues) {
				const input = this.set(field, text);
				first ??= input;
			}
		}
		(first ?? this.general).focus?.();
		if (!first) this.general.scrollIntoView?.({ block: "nearest" });
	}
}

/** Disables the submit button while fn runs; label shows busyText. */
export async function busy(form, busyText, fn) {
	const button = form.querySelector('button[type="submit"]');
	const label = button.textContent;
	button.disabled = true;
	button.textContent = busyText;
	form.setAttribute("aria-busy", "true");
	try {
		return await fn();
	} finally {
		button.disabled = false;
		button.textContent = label;
		form.removeAttribute("aria-busy");
	}
}

/** Makes button sign out (authClient.signOut), then calls then(). */
export function signOutButton(button, then) {
	button.addEventListener("click", async () => {
		button.disabled = true;
		button.textContent = "Signing out…";
		await call(() => authClient.signOut());
		then();
	});
}

/** Calls a better-auth client method, turning a thrown network error into { error }. */
export async function call(fn) {
	try {
		return await fn();
	} catch (err) {
		return { data: null, error: { status: 0, message: String(err?.message ?? err) } };
	}
}

/** Shows the text of the page's ?notice=<key> (one of texts) in el, if any. */
export function showNotice(el, texts) {
	const key = new URLSearchParams(location.search).get("notice");
	if (!key || !Object.hasOwn(texts, key)) return;
	el.textContent = texts[key];
	el.hidden = false;
}

/** Shows text in a status element (ok: the green tick). */
export function setStatus(el, text, ok = true) {
	el.textContent = text;
	el.classList.toggle("status-ok", ok && !!text);
}
