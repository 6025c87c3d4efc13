-- identity.lua — Apache mod_lua, run on every request before its handler and
-- before mod_headers sets anything (LuaHookFixups in httpd-common.conf and
-- fcgi-auth.conf): no client-sent header may reach a backend under a name
-- that collides with what the fcgi-auth authorizer vouches for.
--
-- Apache drops from the CGI/FastCGI environment every header whose name has
-- a character other than a letter, a digit or "-", but mod_proxy passes
-- them all on, and the application behind it (or lighttpd, or a framework)
-- folds names: upper case, every character that is not a letter or a digit
-- to "_", so X-User-Id, X.User.Id and X_User_Id are all X_USER_ID. So the
-- rule is on the folded name, which no spelling escapes: a header whose
-- folded name, without a leading "X_", is one of the identities below is
-- removed. (lighttpd-conf/identity.lua is the same rule for lighttpd.)
local vouched = {
	USER_ID = true, USER_EMAIL = true,           -- X-User-Id, X-User-Email (README proxy recipes)
	AUTH_USER_ID = true, AUTH_USER_EMAIL = true, -- the authorizer's variables
	REMOTE_USER = true,
}

function fcgi_auth_strip_identity(r)
	local forged = {}
	for name in pairs(r:headers_in_table()) do
		local folded = name:upper():gsub("[^A-Z0-9]", "_"):gsub("^X_", "")
		if vouched[folded] then forged[#forged + 1] = name end
	end
	for _, name in ipairs(forged) do r.headers_in[name] = nil end
	return apache2.DECLINED
end
