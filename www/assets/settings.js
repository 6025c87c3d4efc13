import { authClient } from "./auth-client.js";
import { FormErrors, busy, call, signOutButton, setStatus } from "./forms.js";

const $ = (id) => document.getElementById(id);
const passwordForm = $("change-password");
const passwordErrors = new FormErrors(passwordForm, $("password-form-error"), {
	INVALID_PASSWORD: "currentPassword",
	PASSWORD_TOO_SHORT: "newPassword",
	PASSWORD_TOO_LONG: "newPassword",
});
const deleteForm = $("delete-account");
const deleteErrors = new FormErrors(deleteForm, $("delete-form-error"), {
	INVALID_PASSWORD: "deletePassword",
	PASSWORD_TOO_LONG: "deletePassword",
});
const MAX_PASSWORD = 128; // the server's maximum password length

let currentToken = null; // this browser's session

function toSignIn(query = "") {
	location.replace(`sign-in.html${query}`);
}

function fail(text) {
	$("loading").hidden = true;
	$("page-error").textContent = text;
}

function when(iso) {
	const d = new Date(iso);
	return Number.isNaN(d.getTime()) ? "" : d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "Chrome on Linux" from a User-Agent; the UA's first word when it is none we know. */
function device(ua) {
	if (!ua) return "Unknown device";
	const browser = [["Edg/", "Edge"], ["Firefox/", "Firefox"], ["Chrome/", "Chrome"], ["Safari/", "Safari"]]
		.find(([k]) => ua.includes(k))?.[1];
	const os = [["Android", "Android"], ["iPhone", "iOS"], ["iPad", "iOS"], ["Windows", "Windows"],
		["Mac OS X", "macOS"], ["Linux", "Linux"]].find(([k]) => ua.includes(k))?.[1];
	if (!browser) return ua.split(" ")[0].slice(0, 60);
	return os ? `${browser} on ${os}` : browser;
}

// ---------------------------------------------------------------- sessions

function sessionItem(s) {
	const li = document.createElement("li");
	const what = document.createElement("div");
	what.className = "session-what";
	what.title = s.userAgent ?? "";
	what.append(device(s.userAgent));
	const meta = document.createElement("span");
	meta.className = "session-meta";
	meta.textContent = [s.ipAddress, `signed in ${when(s.createdAt)}`].filter(Boolean).join(" · ");
	what.append(meta);
	li.append(what);
	if (s.token === currentToken) {
		const badge = document.createElement("span");
		badge.className = "badge";
		badge.textContent = "This device";
		what.firstChild.after(badge);
		return li;
	}
	const button = document.createElement("button");
	button.type = "button";
	button.className = "button button-secondary button-small";
	button.textContent = "Revoke";
	button.setAttribute("aria-label", `Revoke the session of ${device(s.userAgent)}, signed in ${when(s.createdAt)}`);
	button.addEventListener("click", async () => {
		button.disabled = true;
		const { error } = await call(() => authClient.revokeSession({ token: s.token }));
		if (error) return sessionsFailed(error);
		setStatus($("sessions-status"), "Session revoked.");
		loadSessions();
	});
	li.append(button);
	return li;
}

function sessionsFailed(error) {
	if (error.status === 401) return toSignIn();
	$("revoke-others").hidden = true;
	$("sessions-error").textContent = error.code === "SESSION_NOT_FRESH"
		? "For your security, sign out and sign in again to see your sessions."
		: error.message || "Could not load your sessions.";
}

async function loadSessions() {
	$("sessions-error").textContent = "";
	const { data, error } = await call(() => authClient.listSessions());
	if (error) return sessionsFailed(error);
	const list = [...data].sort((a, b) => (a.token === currentToken ? -1 : b.token === currentToken ? 1 : 0));
	$("sessions").replaceChildren(...list.map(sessionItem));
	$("revoke-others").hidden = list.length < 2;
}

$("revoke-others").addEventListener("click", async (event) => {
	const button = event.currentTarget;
	button.disabled = true;
	const { error } = await call(() => authClient.revokeOtherSessions());
	button.disabled = false;
	if (error) return sessionsFailed(error);
	setStatus($("sessions-status"), "All other sessions signed out.");
	loadSessions();
});

// ---------------------------------------------------------------- password

passwordForm.addEventListener("submit", async (event) => {
	event.preventDefault();
	passwordErrors.clear();
	setStatus($("password-status"), "");
	const f = passwordForm.elements;
	const revokeOtherSessions = f.revokeOtherSessions.checked;
	const { data, error } = await busy(passwordForm, "Changing…", () => call(() => authClient.changePassword({
		currentPassword: f.currentPassword.value, newPassword: f.newPassword.value, revokeOtherSessions,
	})));
	if (error?.status === 401) return toSignIn();
	if (error) {
		passwordErrors.show(error);
		return;
	}
	// With revokeOtherSessions the server replaced this session too (new cookie, new token).
	if (data?.token) currentToken = data.token;
	passwordForm.reset();
	setStatus($("password-status"), revokeOtherSessions ? "Password changed; other devices signed out." : "Password changed.");
	loadSessions();
});

// ---------------------------------------------------------------- delete

// Whether the server allows deleting accounts (FCGI_AUTH_DELETE_USER=1):
// when off, delete-user answers 404 before looking at the body; when on, a
// password over the maximum length is refused (400 PASSWORD_TOO_LONG) before
// any check of it, so this probe deletes nothing and computes no hash.
async function deletionEnabled() {
	const { error } = await call(() => authClient.deleteUser({ password: "x".repeat(MAX_PASSWORD + 1) }));
	return error?.status === 400 && error.code === "PASSWORD_TOO_LONG";
}

deleteForm.addEventListener("submit", async (event) => {
	event.preventDefault();
	deleteErrors.clear();
	setStatus($("delete-status"), "");
	const f = deleteForm.elements;
	if (!f.password.value) return deleteErrors.set("deletePassword", "Enter your password.");
	if (!f.confirmDelete.checked) return deleteErrors.set(undefined, "Tick the box to confirm.");
	const { data, error } = await busy(deleteForm, "Deleting…", () => call(() =>
		authClient.deleteUser({ password: f.password.value, callbackURL: "/sign-in.html?notice=deleted" })));
	if (error?.status === 401) return toSignIn();
	if (error?.status === 404 && !error.code) {
		$("delete-section").hidden = true;
		$("page-error").textContent = "Deleting accounts is turned off on this server.";
		return;
	}
	if (error) {
		deleteErrors.show(error);
		return;
	}
	if (data?.message === "Verification email sent") {
		deleteForm.reset();
		setStatus($("delete-status"), "Check your email: open the link we sent to delete the account.");
		return;
	}
	toSignIn("?notice=deleted");
});

// ---------------------------------------------------------------- page

signOutButton($("sign-out"), toSignIn);

async function load() {
	const { data, error } = await call(() => authClient.getSession());
	if (error) return fail(`Could not load your session (${error.message || "network error"}). Reload to try again.`);
	if (!data?.session) return toSignIn();
	currentToken = data.session.token;
	$("topbar-email").textContent = data.user.email;
	$("username").value = data.user.email;
	$("loading").hidden = true;
	$("topbar-user").hidden = false;
	$("content").hidden = false;
	await loadSessions();
	$("delete-section").hidden = !(await deletionEnabled());
	$("content").removeAttribute("aria-busy");
}

load();
