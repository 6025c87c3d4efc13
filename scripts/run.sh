#!/usr/bin/env bash
# `make run`: FerretDB on loopback (unless MONGODB_URI is set), the schema, and
# the whole suite — the API, the static site of www/ and the /demo/whoami
# backend behind the authorizer — on http://127.0.0.1:${PORT:-8080} in the
# foreground. Ctrl-C stops everything this script started.
#
# SERVER picks the web server (from the environment; `make run SERVER=...`):
#   lighttpd      lighttpd + mod_fastcgi (default)      lighttpd-conf/lighttpd.conf
#   apache        Apache + mod_fcgid                    apache-conf/httpd-fcgid.conf
#   apache-proxy  Apache + mod_proxy_fcgi               apache-conf/httpd-proxy-fcgi.conf
#   cgi           Apache + mod_cgid (plain CGI)         apache-conf/httpd-cgi.conf
#   lighttpd-cgi  lighttpd + mod_cgi (plain CGI)        lighttpd-conf/lighttpd-cgi.conf
# Under Apache, the processes Apache does not start itself (the /demo/
# authorizer, and every endpoint with apache-proxy) run here, several per
# endpoint sharing one socket (spawn-fcgi + scripts/fcgi-pool.sh, which
# restarts one that exits).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# The build to serve (make passes its build directory: build-sysmongoc, ...).
build=${FCGI_AUTH_BUILD:-build}
case "$build" in /*) ;; *) build=$top/$build ;; esac
[ -x "$build/cgi-bin/session" ] || { echo "run: no programs in $build/cgi-bin: run make first" >&2; exit 1; }
port=${PORT:-8080}
server=${SERVER:-lighttpd}
case "$server" in
lighttpd | lighttpd-cgi | apache | apache-proxy | cgi) ;;
*) echo "run: SERVER must be lighttpd, apache, apache-proxy, cgi or lighttpd-cgi, not \"$server\"" >&2; exit 2 ;;
esac
state=$top/.run
mkdir -p "$state/$server"

if [ -z "${BETTER_AUTH_SECRET:-}" ]; then
	if [ ! -s .secret ]; then
		(umask 077 && head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >.secret)
		echo "run: generated a secret into .secret (git-ignored)"
	fi
	BETTER_AUTH_SECRET=$(cat .secret)
fi
export BETTER_AUTH_SECRET
export FCGI_AUTH_HOST=${FCGI_AUTH_HOST:-127.0.0.1} # the address the web server listens on
export BETTER_AUTH_URL=${BETTER_AUTH_URL:-http://$FCGI_AUTH_HOST:$port}
export MONGODB_DB=${MONGODB_DB:-fcgi-auth}
# Every setting (README "Configuration") defined, possibly empty (= the
# default): the Apache configs and lighttpd-cgi.conf name each one, and refuse
# or mangle an undefined one.
settings="BETTER_AUTH_SECRET BETTER_AUTH_URL BETTER_AUTH_TRUSTED_ORIGINS BETTER_AUTH_RATE_LIMIT
	MONGODB_URI MONGODB_DB FCGI_AUTH_COOKIE_PREFIX FCGI_AUTH_SECURE_COOKIES
	FCGI_AUTH_SESSION_EXPIRES_IN FCGI_AUTH_SESSION_UPDATE_AGE FCGI_AUTH_COOKIE_CACHE
	FCGI_AUTH_COOKIE_CACHE_MAX_AGE FCGI_AUTH_MAX_BODY FCGI_AUTH_DB_TIMEOUT_MS FCGI_AUTH_LOG_LEVEL
	FCGI_AUTH_RATE_LIMIT_WINDOW FCGI_AUTH_RATE_LIMIT_MAX FCGI_AUTH_RATE_LIMIT_STRICT_MAX
	FCGI_AUTH_RATE_LIMIT_SLOW_MAX FCGI_AUTH_RATE_LIMIT_SLOW_WINDOW FCGI_AUTH_RUNTIME_DIR FCGI_AUTH_SESSION_FRESH_AGE FCGI_AUTH_SETTINGS_FILE
	FCGI_AUTH_TRUSTED_PROXIES FCGI_AUTH_HASH_SLOTS FCGI_AUTH_HASH_LOCK
	FCGI_AUTH_DELETE_USER FCGI_AUTH_DELETE_USER_VERIFICATION FCGI_AUTH_DELETE_TOKEN_EXPIRES_IN
	FCGI_AUTH_SMTP_URL FCGI_AUTH_SMTP_USER FCGI_AUTH_SMTP_PASSWORD FCGI_AUTH_SMTP_CA_FILE FCGI_AUTH_SENDMAIL FCGI_AUTH_MAIL_FROM FCGI_AUTH_MAIL_TEMPLATES FCGI_AUTH_APP_NAME FCGI_AUTH_MAIL_TIMEOUT_MS FCGI_AUTH_RESET_PASSWORD_EXPIRES_IN FCGI_AUTH_REVOKE_SESSIONS_ON_PASSWORD_RESET FCGI_AUTH_VERIFICATION_EXPIRES_IN FCGI_AUTH_REQUIRE_EMAIL_VERIFICATION FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_UP FCGI_AUTH_SEND_VERIFICATION_ON_SIGN_IN FCGI_AUTH_AUTO_SIGN_IN_AFTER_VERIFICATION FCGI_AUTH_CHANGE_EMAIL FCGI_AUTH_UPDATE_EMAIL_WITHOUT_VERIFICATION FCGI_AUTH_CHANGE_EMAIL_CONFIRMATION FCGI_AUTH_LOG_FORMAT"
for v in $settings; do
	[ "$v" = MONGODB_URI ] || export "$v=${!v:-}"
done

pids=() # everything started here, stopped by PID on exit
cleanup() {
	trap - EXIT INT TERM
	local p
	for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	echo "run: stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Mail: Mailpit on loopback unless a sender is configured; its web inbox
# shows every mail the site sends (reset links, verification links).
if [ -z "$FCGI_AUTH_SMTP_URL$FCGI_AUTH_SENDMAIL" ]; then
	smtp_port=$(./scripts/free-port.sh) inbox_port=$(./scripts/free-port.sh)
	pids+=("$(./scripts/mailpit.sh "$smtp_port" "$inbox_port" "$state/mailpit.log")")
	export FCGI_AUTH_SMTP_URL=smtp://127.0.0.1:$smtp_port
	export FCGI_AUTH_MAIL_FROM=${FCGI_AUTH_MAIL_FROM:-fcgi-auth <noreply@example.com>}
	echo "run: mails go to Mailpit, inbox at http://127.0.0.1:$inbox_port/"
fi

if [ -z "${MONGODB_URI:-}" ]; then
	fdb_port=${FERRETDB_PORT:-27117}
	pids+=("$(./scripts/ferretdb.sh "$fdb_port" "$state/ferretdb" "$state/ferretdb.log")")
	export MONGODB_URI="mongodb://127.0.0.1:$fdb_port/"
	echo "run: FerretDB on 127.0.0.1:$fdb_port (data in .run/ferretdb)"
fi
"$build/schema-apply" >/dev/null || echo "run: warning: indexes not applied; uniqueness is not enforced" >&2

export FCGI_AUTH_PORT=$port FCGI_AUTH_BIN=$build/cgi-bin FCGI_AUTH_STATE=$state/$server \
	FCGI_AUTH_DOCROOT=$top/www FCGI_AUTH_DEMO=$build/demo FCGI_AUTH_CONF=$top/apache-conf

# pool <program> <port> <n>: n processes of the program sharing one socket on
# 127.0.0.1:<port>, each started again when it exits, as systemd socket units
# or spawn-fcgi -F would run them (README "mod_proxy_fcgi"); logs in the
# state dir.
pool() {
	spawn-fcgi -n -a 127.0.0.1 -p "$2" -- "$top/scripts/fcgi-pool.sh" "$3" "$FCGI_AUTH_BIN/$1" \
		>>"$FCGI_AUTH_STATE/$1.log" 2>&1 &
	pids+=("$!")
	local i=0
	until (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			echo "run: $1 did not listen on 127.0.0.1:$2; see .run/$server/$1.log" >&2
			exit 1
		fi
		sleep 0.1
	done
}

case "$server" in
lighttpd | lighttpd-cgi)
	conf=lighttpd-conf/lighttpd.conf
	[ "$server" = lighttpd-cgi ] && conf=lighttpd-conf/lighttpd-cgi.conf
	echo "run: serving http://127.0.0.1:$port ($server; logs in .run/$server) — Ctrl-C to stop"
	FCGI_AUTH_CONF=$top/lighttpd-conf lighttpd -D -f "$conf" &
	;;
apache | apache-proxy | cgi)
	if [ "$(id -u)" = 0 ]; then # Apache refuses to serve as root
		export FCGI_AUTH_RUN_USER=www-data FCGI_AUTH_RUN_GROUP=www-data
	else
		FCGI_AUTH_RUN_USER=$(id -un) FCGI_AUTH_RUN_GROUP=$(id -gn)
		export FCGI_AUTH_RUN_USER FCGI_AUTH_RUN_GROUP
	fi
	chmod 755 "$FCGI_AUTH_STATE"
	unset_settings=()
	if [ "$server" = apache-proxy ]; then
		# Processes per endpoint: as tests/lib/stack.mjs POOL_SIZES.
		for p in SIGNUP:signup:4 SIGNIN:signin:4 SIGNOUT:signout:2 SYNC_USER:sync-user:2 ME:me:2 \
			SESSION:session:4 SESSIONS:sessions:2 PASSWORD:password:2 ACCOUNT:account:2 MAIL:mail:2; do
			IFS=: read -r key prog n <<<"$p"
			fp=$(./scripts/free-port.sh)
			export "FCGI_AUTH_PORT_$key=$fp"
			pool "$prog" "$fp" "$n"
		done
		export FCGI_AUTH_PORT_AUTHORIZER=$FCGI_AUTH_PORT_SESSION
		for v in $settings; do unset_settings+=(-u "$v"); done # Apache needs none of them
	else
		for p in SIGNUP SIGNIN SIGNOUT SYNC_USER ME SESSION SESSIONS PASSWORD ACCOUNT MAIL; do export "FCGI_AUTH_PORT_$p=0"; done
		FCGI_AUTH_PORT_AUTHORIZER=$(./scripts/free-port.sh)
		export FCGI_AUTH_PORT_AUTHORIZER
		pool session "$FCGI_AUTH_PORT_AUTHORIZER" 2
	fi
	conf=httpd-fcgid.conf
	[ "$server" = apache-proxy ] && conf=httpd-proxy-fcgi.conf
	[ "$server" = cgi ] && conf=httpd-cgi.conf
	echo "run: serving http://127.0.0.1:$port ($server, apache-conf/$conf; logs in .run/$server) — Ctrl-C to stop"
	env ${unset_settings[@]+"${unset_settings[@]}"} FCGI_AUTH_CONF="$top/apache-conf" \
		apache2 -D FOREGROUND -f "$top/apache-conf/$conf" &
	;;
esac
pids+=("$!")
wait "$!"
