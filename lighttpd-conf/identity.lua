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
--
-- The rule is a pure function of the header's name, so each name's verdict
-- is kept in the script's global context, which lighttpd keeps from request
-- to request (the per-request environment is cleared, _G is not): a request
-- whose header names were seen before costs a table lookup per header
-- instead of three string rewrites. At most SEEN_MAX names of at most
-- SEEN_NAME_MAX bytes are kept, so no client can make the table grow without
-- bound; a name not kept is folded every time, as before. The kept verdicts
-- belong to one VOUCHED list: edit the list (lighttpd reloads an edited
-- script into the same context) and they are all thrown away.
local VOUCHED = "USER_ID USER_EMAIL " ..   -- X-User-Id, X-User-Email (README proxy recipes)
	"AUTH_USER_ID AUTH_USER_EMAIL " ..       -- the authorizer's variables
	"REMOTE_USER"
local SEEN_MAX, SEEN_NAME_MAX = 256, 64

local st = _G.fcgi_auth_identity
if st == nil or st.spec ~= VOUCHED then
	local vouched = {}
	for name in VOUCHED:gmatch("%S+") do vouched[name] = true end
	st = { spec = VOUCHED, vouched = vouched, seen = {}, nseen = 0 }
	_G.fcgi_auth_identity = st
end

local vouched, seen = st.vouched, st.seen
local req_header = lighty.r.req_header
local forged
for name in pairs(req_header) do
	local strip = seen[name]
	if strip == nil then
		local folded = name:upper():gsub("[^A-Z0-9]", "_"):gsub("^X_", "")
		strip = vouched[folded] == true
		if st.nseen < SEEN_MAX and #name <= SEEN_NAME_MAX then
			seen[name] = strip
			st.nseen = st.nseen + 1
		end
	end
	if strip then
		forged = forged or {}
		forged[#forged + 1] = name
	end
end
if forged then
	for _, name in ipairs(forged) do req_header[name] = nil end
end
return 0
