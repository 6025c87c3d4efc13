// The browser's Better Auth client: the official createAuthClient of
// better-auth/client (1.7.25), pointed at this origin's /api/auth.
// Bundled by web/build.mjs into www/assets/auth-client.js; the pages import that.
import { createAuthClient } from "better-auth/client";

export { createAuthClient };

export const authClient = createAuthClient({
	baseURL: window.location.origin, // basePath defaults to /api/auth
	fetchOptions: { credentials: "same-origin" },
});
