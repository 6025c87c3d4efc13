import { authClient } from "./auth-client.js";
import { FormErrors, busy, call } from "./forms.js";

const form = document.getElementById("sign-up");
const errors = new FormErrors(form, document.getElementById("form-error"), {
	USER_ALREADY_EXISTS: "email",
	USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: "email",
	INVALID_EMAIL: "email",
	PASSWORD_TOO_SHORT: "password",
	PASSWORD_TOO_LONG: "password",
	INVALID_PASSWORD: "password",
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
	const name = document.getElementById("name").value.trim();
	const email = form.elements.email.value.trim();
	const password = form.elements.password.value;
	// callbackURL: where the verification link lands, when the server sends one.
	const { data, error } = await busy(form, "Creating account…", () =>
		call(() => authClient.signUp.email({ name, email, password, callbackURL: "/verified.html" })));
	if (error) {
		errors.show(error);
		return;
	}
	// No session (token null): the server wants the address verified first.
	if (!data?.token) location.assign(`verify-email.html?email=${encodeURIComponent(email)}`);
	else location.assign("dashboard.html");
});
