import { authClient } from "./auth-client.js";
import { FormErrors, busy, call, showNotice } from "./forms.js";

const form = document.getElementById("sign-in");
const errors = new FormErrors(form, document.getElementById("form-error"), {
	INVALID_EMAIL_OR_PASSWORD: "password",
	INVALID_PASSWORD: "password",
	PASSWORD_TOO_SHORT: "password",
	PASSWORD_TOO_LONG: "password",
	INVALID_EMAIL: "email",
	USER_NOT_FOUND: "email",
	EMAIL_NOT_VERIFIED: "email",
});

// Where the other pages send people back here (?notice=…).
showNotice(document.getElementById("notice"), {
	reset: "Your password has been reset. Sign in with the new one.",
	deleted: "Your account has been deleted.",
	verified: "Your email address is verified. You can sign in now.",
});

// Already signed in: nothing to do here. Asked of the store, not of the
// cookie cache (FCGI_AUTH_COOKIE_CACHE=1), which still vouches for a session
// revoked elsewhere: the dashboard would send us straight back.
call(() => authClient.getSession({ query: { disableCookieCache: true } })).then(({ data }) => {
	if (data?.session) location.replace("dashboard.html");
});

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	const email = form.elements.email.value.trim();
	const password = form.elements.password.value;
	// No callbackURL: with one the server answers redirect:true and the client
	// itself navigates there.
	const { error } = await busy(form, "Signing in…", () =>
		call(() => authClient.signIn.email({ email, password })));
	if (error) {
		errors.show(error);
		if (error.code === "EMAIL_NOT_VERIFIED") {
			const link = document.createElement("a");
			link.href = `verify-email.html?email=${encodeURIComponent(email)}`;
			link.textContent = "Send the verification link again";
			document.getElementById("email-error").append(" ", link);
		}
		form.elements.password.select();
		return;
	}
	location.assign("dashboard.html");
});
