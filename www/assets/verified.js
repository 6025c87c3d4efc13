import { authClient } from "./auth-client.js";
import { call } from "./forms.js";

// Where the verification link lands (its callbackURL): /verified.html on
// success, /verified.html?error=<CODE> when the link is bad.
const REASONS = {
	INVALID_TOKEN: "This verification link is not valid. It may have been cut short or already replaced by a newer one.",
	TOKEN_EXPIRED: "This verification link has expired.",
	USER_NOT_FOUND: "The account this link was sent for no longer exists.",
};
const code = new URLSearchParams(location.search).get("error");

if (code) {
	document.getElementById("reason").textContent = REASONS[code] ?? `The link could not be verified (${code}).`;
	document.getElementById("failed").hidden = false;
} else {
	document.getElementById("ok").hidden = false;
	// With FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION the link also signed us in.
	call(() => authClient.getSession()).then(({ data }) => {
		if (!data?.session) return;
		const next = document.getElementById("next");
		next.href = "dashboard.html";
		next.textContent = "Continue to your dashboard";
	});
}
