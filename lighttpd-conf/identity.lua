-- identity.lua — lighttpd mod_magnet (Debian: lighttpd-modules-lua), run on
-- every request before anything else looks at it (magnet.attract-raw-url-to):
-- no client-sent header may reach a backend under a name that collides with
-- what the fcgi-auth authorizer vouches for.
--
-- lighttpd hands a CGI/FastCGI backend each header as HTTP_<name> with the
-- name upper-cased and every character that is not a letter or a digit
-- turned into "_", so X-User-Id, X.User.Id, X~User~Id and X_User_Id are all
-- HTTP_X_USER_ID; frameworks behind a proxy fold names the same way. So the
-- rule is on the folded name, which no spelling escapes: a header whose
-- folded name, without a leading "X_", is one of the identities below is
-- removed. (apache-conf/identity.lua is the same rule for Apache.)
local vouched = {
	USER_ID = true, USER_EMAIL = true,           -- X-User-Id, X-User-Email (README proxy recipes)
	AUTH_USER_ID = true, AUTH_USER_EMAIL = true, -- the authorizer's variables
	REMOTE_USER = true,
}

local req_header = lighty.r.req_header
local forged = {}
for name in pairs(req_header) do
	local folded = name:upper():gsub("[^A-Z0-9]", "_"):gsub("^X_", "")
	if vouched[folded] then forged[#forged + 1] = name end
end
for _, name in ipairs(forged) do req_header[name] = nil end
return 0
