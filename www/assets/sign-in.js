import { authClient } from "./auth-client.js";
import { FormErrors, busy, call } from "./forms.js";

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

// Already signed in: nothing to do here.
call(() => authClient.getSession()).then(({ data }) => {
	if (data?.session) location.replace("dashboard.html");
});

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	const email = form.elements.email.value.trim();
	const password = form.elements.password.value;
	const { error } = await busy(form, "Signing in…", () =>
		call(() => authClient.signIn.email({ email, password })));
	if (error) {
		errors.show(error);
		form.elements.password.select();
		return;
	}
	location.assign("dashboard.html");
});
