import { authClient } from "./auth-client.js";
import { FormErrors, busy, call, signOutButton } from "./forms.js";

const $ = (id) => document.getElementById(id);
const ADDRESS = ["street", "city", "state", "postalCode", "country"];
const form = $("profile");
const errors = new FormErrors(form, $("profile-error"));
const status = $("profile-status");

function toSignIn() {
	location.replace("sign-in.html");
}

function fail(text) {
	$("loading").hidden = true;
	$("page-error").textContent = text;
}

/** GET or PATCH /api/user/me → { status, body } (body null when not JSON). */
async function me(method = "GET", payload) {
	const res = await fetch("/api/user/me", {
		method,
		credentials: "same-origin",
		headers: { Accept: "application/json", ...(payload ? { "Content-Type": "application/json" } : {}) },
		body: payload ? JSON.stringify(payload) : undefined,
	});
	let body = null;
	try { body = await res.json(); } catch { /* empty or not JSON */ }
	return { status: res.status, body };
}

function fill({ user, profile }) {
	if (user?.createdAt) {
		const d = new Date(user.createdAt);
		$("member-since").textContent = d.toLocaleDateString(undefined, { year: "numeric", month: "long", day: "numeric" });
		$("member-since").title = user.createdAt;
	}
	const p = profile ?? {};
	$("bio").value = p.bio ?? "";
	$("phoneNumber").value = p.phoneNumber ?? "";
	$("avatarUrl").value = p.avatarUrl ?? "";
	for (const k of ADDRESS) $(`address.${k}`).value = p.address?.[k] ?? "";
}

function collect() {
	const text = (id) => $(id).value.trim();
	const address = {};
	for (const k of ADDRESS) address[k] = text(`address.${k}`);
	return {
		bio: $("bio").value.trim(),
		phoneNumber: text("phoneNumber") || null,
		avatarUrl: text("avatarUrl") || null,
		address,
	};
}

async function load() {
	const { data, error } = await call(() => authClient.getSession());
	if (error) return fail(`Could not load your session (${error.message || "network error"}). Reload to try again.`);
	if (!data?.session) return toSignIn();

	const { user } = data;
	$("user-name").textContent = user.name || user.email;
	$("account-name").textContent = user.name || "—";
	$("user-email").textContent = user.email;
	$("topbar-email").textContent = user.email;

	let r;
	try { r = await me(); } catch { return fail("Could not reach the server. Reload to try again."); }
	if (r.status === 401) return toSignIn();
	if (r.status !== 200 || !r.body) return fail(r.body?.message ?? `Could not load your profile (HTTP ${r.status}).`);
	fill(r.body);

	$("loading").hidden = true;
	$("topbar-user").hidden = false;
	$("content").hidden = false;
	document.title = `${user.name || user.email} — fcgi-auth`;
}

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	status.textContent = "";
	status.classList.remove("status-ok");
	let r;
	try {
		r = await busy(form, "Saving…", () => me("PATCH", collect()));
	} catch {
		errors.show({ status: 0 });
		return;
	}
	if (r.status === 401) return toSignIn();
	if (r.status !== 200 || !r.body) {
		errors.show({ status: r.status, code: r.body?.code, message: r.body?.message });
		return;
	}
	fill(r.body);
	status.textContent = "Profile saved.";
	status.classList.add("status-ok");
});

form.addEventListener("input", () => {
	if (status.textContent) { status.textContent = ""; status.classList.remove("status-ok"); }
});

signOutButton($("sign-out"), toSignIn);

load();
