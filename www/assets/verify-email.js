import { authClient } from "./auth-client.js";
import { FormErrors, busy, call } from "./forms.js";

// After a sign-up that the server keeps signed out until the address is
// verified (?email=<address>), or from a failed verification link.
const form = document.getElementById("resend");
const sent = document.getElementById("sent");
const errors = new FormErrors(form, document.getElementById("form-error"), { INVALID_EMAIL: "email" });

const email = new URLSearchParams(location.search).get("email");
if (email) {
	document.getElementById("address").textContent = email;
	form.elements.email.value = email;
} else {
	document.querySelector("h1").textContent = "Verify your email";
	document.getElementById("intro").textContent = "Enter the email address of your account and we will send it a new verification link.";
}

form.addEventListener("submit", async (event) => {
	event.preventDefault();
	errors.clear();
	sent.hidden = true;
	const address = form.elements.email.value.trim();
	const { error } = await busy(form, "Sending…", () =>
		call(() => authClient.sendVerificationEmail({ email: address, callbackURL: "/verified.html" })));
	if (error) {
		if (error.code === "VERIFICATION_EMAIL_NOT_ENABLED")
			error.message = "This server sends no verification mails (it has no mail sender configured).";
		errors.show(error);
		return;
	}
	sent.textContent = `If ${address} belongs to an account that still needs verifying, a new link is on its way.`;
	sent.hidden = false;
});
