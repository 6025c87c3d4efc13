#!/usr/bin/env bash
# make test-dist: the release tarball, run as a host without any of our libraries
# would run it. Every program in it must have no INTERP and no NEEDED; each one
# then answers one plain CGI request inside an empty chroot (the binary and
# /etc/hosts, nothing else: no libc, no /dev, no /tmp) against a FerretDB on
# 127.0.0.1, and schema-apply creates the indexes from one. Then name resolution
# and TLS from such a binary: a mongodb+srv:// URI through a DNS server of the
# test's own on a loopback address (SRV, TXT and A records, via the chroot's
# /etc/resolv.conf) to FerretDB's TLS listener, with the CA found each way
# INSTALL names, and refused without one.
# Usage: tests/dist/run.sh <tarball>. Needs root (chroot). Ends with
# "N passed, N failed"; non-zero on failure. Stops what it started, by PID.
set -u
tgz=${1:?usage: tests/dist/run.sh <tarball>}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
tgz=$(realpath "$tgz")
out="$top/tests/out/dist"
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
}
trap cleanup EXIT INT TERM
rm -rf "$out"
mkdir -p "$out"

passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok - $1"; }
fail() { failed=$((failed + 1)); echo "not ok - $1" >&2; }
finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
if [ "$(id -u)" -ne 0 ]; then
	fail "tests/dist/run.sh must run as root (chroot)"
	finish
fi

# 1. the tarball: one top directory, the programs, the files around them
tar -xzf "$tgz" -C "$out" || { fail "unpack $tgz"; finish; }
pkg=$(find "$out" -mindepth 1 -maxdepth 1 -type d)
[ "$(echo "$pkg" | wc -l)" -eq 1 ] && [ "$(basename "$pkg")" = "$(basename "$tgz" -linux-x86_64.tar.gz)" ] &&
	pass "one top directory, named as the tarball" || fail "top directory: $pkg"
mapfile -t progs < <(cd "$pkg" && find cgi-bin bin demo -type f | sort)
endpoints=()
for p in "${progs[@]}"; do case $p in cgi-bin/*) endpoints+=("${p#cgi-bin/}") ;; esac; done
want=$(cd cgi-bin && ls ./*.c | sed 's|^\./||; s|\.c$||' | sort | tr '\n' ' ')
[ "$(printf '%s\n' "${endpoints[@]}" | sort | tr '\n' ' ')" = "$want" ] &&
	pass "cgi-bin/ holds every program of the source tree's cgi-bin/ ($want)" ||
	fail "cgi-bin/ holds ${endpoints[*]}, the tree has $want"
for p in bin/schema-apply demo/whoami; do
	[ -x "$pkg/$p" ] && pass "$p is there" || fail "$p is missing"
done
for f in INSTALL VERSION fcgi-auth.env.example apache-conf/httpd-cgi.conf lighttpd-conf/lighttpd.conf; do
	[ -s "$pkg/$f" ] && pass "$f is there" || fail "$f is missing"
done
if [ -d hosting ]; then
	diff -r hosting "$pkg/hosting" >/dev/null && pass "hosting/ as in the tree" || fail "hosting/ differs"
fi
(cd "$pkg" && sha256sum --quiet -c SHA256SUMS) && pass "SHA256SUMS match" || fail "SHA256SUMS"
missing=""
for v in $(grep -o '"\(BETTER_AUTH\|FCGI_AUTH\|MONGODB\)_[A-Z_]*"' lib/config.c | tr -d '"' | sort -u); do
	grep -q "^#$v=\$" "$pkg/fcgi-auth.env.example" || missing="$missing $v"
done
[ -z "$missing" ] && pass "fcgi-auth.env.example names every setting lib/config.c reads" ||
	fail "fcgi-auth.env.example lacks$missing"

# 2. no dynamic dependencies
for p in "${progs[@]}"; do
	f="$pkg/$p"
	why=""
	readelf -lW "$f" | grep -q 'INTERP' && why="$why INTERP"
	readelf -dW "$f" 2>/dev/null | grep -q '(NEEDED)' && why="$why NEEDED"
	ldd "$f" 2>&1 | grep -q 'not a dynamic executable\|statically linked' || why="$why ldd:$(ldd "$f" 2>&1 | head -1)"
	readelf -SW "$f" | grep -q '\.debug_\|\.symtab' && why="$why not-stripped"
	[ -z "$why" ] && pass "$p: static ($(stat -c %s "$f") bytes)" || fail "$p:$why"
done

# 3. the store: FerretDB, plain and TLS (a CA and a server certificate made here)
tls="$out/tls"
mkdir -p "$tls"
if ! {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=fcgi-auth test CA" \
		-keyout "$tls/ca.key" -out "$tls/ca.pem" &&
		openssl req -newkey rsa:2048 -nodes -subj "/CN=db.fcgi-auth.test" \
			-keyout "$tls/server.key" -out "$tls/server.csr" &&
		printf 'subjectAltName=DNS:db.fcgi-auth.test\n' >"$tls/ext" &&
		openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
			-CAcreateserial -days 2 -extfile "$tls/ext" -out "$tls/server.pem"
} >"$tls/openssl.log" 2>&1; then
	fail "test certificates (see $tls/openssl.log)"
	finish
fi
port=$(./scripts/free-port.sh)
tls_port=$(./scripts/free-port.sh)
if fdb=$(./scripts/ferretdb.sh "$port" "$out/ferretdb" "$out/ferretdb.log" \
	--listen-tls="127.0.0.1:$tls_port" --listen-tls-cert-file="$tls/server.pem" \
	--listen-tls-key-file="$tls/server.key"); then
	pids+=("$fdb")
else
	fail "FerretDB did not start (see $out/ferretdb.log)"
	finish
fi

# 4. one CGI request per program, each in its own empty chroot
secret=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
site="http://127.0.0.1:8080"
store_uri="mongodb://fcgi-auth-store.test:$port/"
db=fcgi-auth-dist
jail() { # jail <name> <program path in the package>: a fresh root holding only it
	local root="$out/root/$1"
	rm -rf "$root"
	mkdir -p "$root/etc"
	cp "$pkg/$2" "$root/$(basename "$2")"
	printf '127.0.0.1\tlocalhost fcgi-auth-store.test\n' >"$root/etc/hosts"
	echo "$root"
}
# cgi <name> <root> <program> <method> <uri> <body> [NAME=value...]: runs it as
# a web server would; the answer in $out/<name>.out, its stderr in .err.
cgi() {
	local name=$1 root=$2 prog=$3 method=$4 uri=$5 body=$6
	shift 6
	printf '%s' "$body" >"$out/$name.in"
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin REQUEST_METHOD="$method" REQUEST_URI="$uri" SCRIPT_NAME="${uri%%\?*}" \
		QUERY_STRING="$([[ $uri == *\?* ]] && echo "${uri#*\?}")" GATEWAY_INTERFACE=CGI/1.1 \
		SERVER_PROTOCOL=HTTP/1.1 SERVER_NAME=127.0.0.1 SERVER_PORT=8080 REMOTE_ADDR=127.0.0.1 \
		HTTP_HOST=127.0.0.1:8080 CONTENT_LENGTH="${#body}" CONTENT_TYPE=application/json \
		BETTER_AUTH_SECRET="$secret" BETTER_AUTH_URL="$site" MONGODB_URI="$store_uri" \
		MONGODB_DB="$db" "$@" \
		timeout 30 chroot "$root" "/$prog" <"$out/$name.in" >"$out/$name.out" 2>"$out/$name.err"
}
status() { head -n 1 "$out/$1.out" | tr -d '\r'; }
body() { sed '1,/^\r\?$/d' "$out/$1.out"; }
expect() { # expect <name> <status line> <text the body must hold> <what>
	if [ "$(status "$1")" = "$2" ] && body "$1" | grep -qF -- "$3"; then
		pass "$4"
	else
		fail "$4: got '$(status "$1")' $(body "$1" | head -c 300) (stderr: $(head -c 300 "$out/$1.err"))"
	fi
}

root=$(jail schema-apply bin/schema-apply)
if env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin MONGODB_URI="$store_uri" MONGODB_DB="$db" timeout 30 chroot "$root" /schema-apply \
	>"$out/schema-apply.out" 2>&1; then
	pass "schema-apply in an empty chroot"
else
	fail "schema-apply in an empty chroot: $(head -c 300 "$out/schema-apply.out")"
fi
want_idx="account:account_userId_idx profiles:profiles_userId_uidx rateLimit:rateLimit_key_uidx"
want_idx="$want_idx session:session_token_uidx session:session_userId_idx user:user_email_uidx"
want_idx="$want_idx users:users_betterAuthUserId_uidx verification:verification_identifier_idx"
have_idx=$(node tests/dist/helper.mjs indexes "mongodb://127.0.0.1:$port/" "$db" 2>"$out/indexes.err")
missing=""
for i in $want_idx; do
	node -e 'const [c, n] = process.argv[2].split(":"); process.exit((JSON.parse(process.argv[1])[c] || []).includes(n) ? 0 : 1)' \
		"${have_idx:-{\}}" "$i" || missing="$missing $i"
done
[ -z "$missing" ] && pass "the indexes exist (listIndexes through the Node driver)" ||
	fail "indexes missing:$missing (have: $have_idx $(head -c 200 "$out/indexes.err"))"

email="dist-$RANDOM@example.com"
password="correct horse battery staple"
creds="{\"email\":\"$email\",\"password\":\"$password\"}"
declare -A done_prog
cookie=""
cookie_of() { sed -n 's/^Set-Cookie: \(better-auth\.session_token=[^;]*\);.*/\1/p' "$out/$1.out" | tr -d '\r' | head -n 1; }
run() { # run <program>: its request, in its own chroot
	local p=$1 r
	r=$(jail "$p" "cgi-bin/$p")
	done_prog[$p]=1
	case $p in
	signup)
		cgi signup "$r" signup POST /api/auth/sign-up/email "{\"name\":\"Dist\",${creds#\{}" HTTP_ORIGIN="$site"
		expect signup "Status: 200 OK" "\"email\":\"$email\"" "signup: POST /api/auth/sign-up/email in an empty chroot"
		;;
	signin)
		cgi signin "$r" signin POST /api/auth/sign-in/email "$creds" HTTP_ORIGIN="$site"
		expect signin "Status: 200 OK" "\"token\":" "signin: POST /api/auth/sign-in/email in an empty chroot"
		cookie=$(cookie_of signin)
		;;
	session)
		cgi session-ok "$r" session GET /api/auth/ok ""
		expect session-ok "Status: 200 OK" '{"ok":true}' "session: GET /api/auth/ok in an empty chroot"
		cgi session "$r" session GET /api/auth/get-session "" HTTP_COOKIE="$cookie"
		expect session "Status: 200 OK" "\"email\":\"$email\"" "session: GET /api/auth/get-session (the store) in an empty chroot"
		;;
	sync-user)
		cgi sync-user "$r" sync-user POST /api/auth/sync-user "{}" HTTP_ORIGIN="$site" HTTP_COOKIE="$cookie"
		expect sync-user "Status: 200 OK" "$email" "sync-user: POST /api/auth/sync-user in an empty chroot"
		;;
	me)
		cgi me "$r" me GET /api/user/me "" HTTP_COOKIE="$cookie"
		expect me "Status: 200 OK" "$email" "me: GET /api/user/me in an empty chroot"
		;;
	signout)
		cgi signout "$r" signout POST /api/auth/sign-out "{}" HTTP_ORIGIN="$site" HTTP_COOKIE="$cookie"
		expect signout "Status: 200 OK" '"success":true' "signout: POST /api/auth/sign-out in an empty chroot"
		;;
	*) # a program this test has no request for yet: it must start and answer
		cgi "$p" "$r" "$p" GET /api/auth/ok "" HTTP_COOKIE="$cookie"
		if status "$p" | grep -q '^Status: [1-5][0-9][0-9] '; then
			pass "$p: answers a CGI request in an empty chroot ($(status "$p"); no request of its own in tests/dist/run.sh yet)"
		else
			fail "$p: no CGI answer in an empty chroot (stderr: $(head -c 300 "$out/$p.err"))"
		fi
		;;
	esac
}
for p in signup signin session sync-user me; do
	[ -x "$pkg/cgi-bin/$p" ] && run "$p"
done
for p in "${endpoints[@]}"; do
	[ "$p" = signout ] || [ -n "${done_prog[$p]:-}" ] || run "$p"
done

root=$(jail whoami demo/whoami)
cgi whoami "$root" whoami GET /demo/whoami "" AUTH_USER_ID=0123456789abcdef01234567 AUTH_USER_EMAIL="$email"
expect whoami "Status: 200 OK" '"userId":"0123456789abcdef01234567"' "demo/whoami in an empty chroot"

# 5. mongodb+srv:// and TLS: the SRV and TXT records and the host's A record come
#    from our DNS server (the chroot's /etc/resolv.conf names it); the host name
#    is the one in the server certificate.
dns_ip="127.53.$((RANDOM % 250 + 1)).1"
cat >"$out/zone.json" <<EOF
{ "_mongodb._tcp.cluster.fcgi-auth.test": { "SRV": [[0, 0, $tls_port, "db.fcgi-auth.test"]] },
  "cluster.fcgi-auth.test": { "TXT": ["authSource=admin"] },
  "db.fcgi-auth.test": { "A": ["127.0.0.1"] } }
EOF
coproc DNS { exec node tests/dist/helper.mjs dns "$dns_ip" "$out/zone.json" 2>"$out/dns.log"; }
pids+=("$DNS_PID")
read -r -t 10 ready <&"${DNS[0]}"
if [ "${ready:-}" != ready ]; then
	fail "the test's DNS server did not start on $dns_ip:53 (see $out/dns.log)"
	finish
fi
srv="mongodb+srv://cluster.fcgi-auth.test/"
hash=$(openssl x509 -hash -noout -in "$tls/ca.pem")
tls_case() { # tls_case <name> <where the CA goes: path in the chroot, or ""> <expected status> <what> [NAME=value...]
	local name=$1 ca=$2 want=$3 what=$4 r
	shift 4
	r=$(jail "$name" cgi-bin/session)
	printf 'nameserver %s\noptions timeout:2 attempts:2\n' "$dns_ip" >"$r/etc/resolv.conf"
	if [ -n "$ca" ]; then
		mkdir -p "$r$(dirname "$ca")"
		cp "$tls/ca.pem" "$r$ca"
	fi
	cgi "$name" "$r" session GET /api/auth/get-session "" HTTP_COOKIE="$cookie" MONGODB_URI="$srv" "$@"
	if [ "$want" = 200 ]; then
		expect "$name" "Status: 200 OK" "\"email\":\"$email\"" "$what"
	else
		expect "$name" "Status: $want Service Unavailable" "SERVICE_UNAVAILABLE" "$what"
		grep -q "certificate verify failed" "$out/$name.err" && pass "$name: the refusal is the certificate check" ||
			fail "$name: no certificate verify failure logged (stderr: $(head -c 300 "$out/$name.err"))"
	fi
}
tls_case srv-rhel-bundle /etc/pki/tls/certs/ca-bundle.crt 200 \
	"mongodb+srv:// (SRV, TXT, A by DNS) + TLS, CA in the default file /etc/pki/tls/certs/ca-bundle.crt"
tls_case srv-hashed-dir "/etc/ssl/certs/$hash.0" 200 \
	"mongodb+srv:// + TLS, CA in the default hashed directory /etc/ssl/certs"
tls_case srv-ssl-cert-file /ca.pem 200 "mongodb+srv:// + TLS, CA named by SSL_CERT_FILE" SSL_CERT_FILE=/ca.pem
tls_case srv-tlscafile /ca.pem 200 "mongodb+srv:// + TLS, CA named by tlsCAFile in the URI" \
	MONGODB_URI="$srv?tlsCAFile=/ca.pem"
tls_case srv-no-ca "" 503 "mongodb+srv:// + TLS with no CA anywhere: refused (503)"
grep -q 'SRV _mongodb._tcp.cluster.fcgi-auth.test: 1' "$out/dns.log" && grep -q 'A db.fcgi-auth.test: 1' "$out/dns.log" &&
	pass "the SRV and A records were asked of the DNS server" || fail "no SRV/A query reached the DNS server (see $out/dns.log)"

# Last, so the session used above stays valid until here.
[ -x "$pkg/cgi-bin/signout" ] && run signout

# 6. the shared-hosting kit as a host runs it, with the tarball's programs
#    (tests/servers/hosting.test.mjs: a stock-like Apache, the kit copied verbatim)
if BETTER_AUTH_TELEMETRY=0 FCGI_AUTH_HOSTING_PROGRAMS="$pkg/cgi-bin" \
	node --test --test-reporter=tap tests/servers/hosting.test.mjs >"$out/hosting.tap" 2>&1 &&
	grep -q '^# fail 0$' "$out/hosting.tap"; then
	pass "the hosting kit serves sign-up, sign-in, get-session, sign-out and me with the tarball's programs ($(sed -n 's/^# pass //p' "$out/hosting.tap" | tail -n 1) tests)"
else
	fail "the hosting kit with the tarball's programs: see $out/hosting.tap"
fi
finish
