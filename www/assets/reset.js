import { authClient } from "./auth-client.js";
import { FormErrors, busy, call } from "./forms.js";

// Reached from the reset mail through /api/auth/reset-password/<token>:
// ?token=<token> when the link is valid, ?error=INVALID_TOKEN otherwise.
const params = new URLSearchParams(location.search);
const token = params.get("token");
const form = document.getElementById("reset");
const invalid = document.getElementById("invalid");
const errors = new FormErrors(form, document.getElementById("form-error"), {
	PASSWORD_TOO_SHORT: "newPassword",
	PASSWORD_TOO_LONG: "newPassword",
});

if (!token || params.has("error")) {
	invalid.hidden = false;
} else {
	form.hidden = false;
	form.elements.newPassword.focus();
}

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	const newPassword = form.elements.newPassword.value;
	const { error } = await busy(form, "Saving…", () =>
		call(() => authClient.resetPassword({ newPassword, token })));
	if (error?.code === "INVALID_TOKEN") {
		form.hidden = true;
		invalid.hidden = false;
		return;
	}
	if (error) {
		errors.show(error);
		return;
	}
	location.assign("sign-in.html?notice=reset");
});
