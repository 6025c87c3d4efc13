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

// Already signed in: nothing to do here.
call(() => authClient.getSession()).then(({ data }) => {
	if (data?.session) location.replace("dashboard.html");
});

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	const name = document.getElementById("name").value.trim();
	const email = form.elements.email.value.trim();
	const password = form.elements.password.value;
	const { error } = await busy(form, "Creating account…", () =>
		call(() => authClient.signUp.email({ name, email, password })));
	if (error) {
		errors.show(error);
		return;
	}
	location.assign("dashboard.html");
});
