import { authClient } from "./auth-client.js";
import { FormErrors, busy, call } from "./forms.js";

const form = document.getElementById("forgot");
const sent = document.getElementById("sent");
const errors = new FormErrors(form, document.getElementById("form-error"), { INVALID_EMAIL: "email" });

const given = new URLSearchParams(location.search).get("email");
if (given) form.elements.email.value = given;

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	sent.hidden = true;
	const email = form.elements.email.value.trim();
	// The mail's link goes through /api/auth/reset-password/<token>, which
	// redirects to /reset.html?token=… (or ?error=INVALID_TOKEN).
	const { error } = await busy(form, "Sending…", () =>
		call(() => authClient.requestPasswordReset({ email, redirectTo: "/reset.html" })));
	if (error) {
		if (error.code === "RESET_PASSWORD_DISABLED")
			error.message = "Password reset is not available on this server (it has no mail sender configured).";
		errors.show(error);
		return;
	}
	// The same answer whether or not an account exists (the server's too).
	sent.textContent = `If an account exists for ${email}, we have sent it a link to choose a new password. The link works once, for a limited time.`;
	sent.hidden = false;
	form.hidden = true;
});
