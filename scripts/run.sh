#!/usr/bin/env bash
# `make run`: FerretDB on loopback (unless MONGODB_URI is set), the schema, and
# the whole suite behind lighttpd on http://127.0.0.1:${PORT:-8080} in the
# foreground. Ctrl-C stops everything this script started.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
port=${PORT:-8080}
state=$top/.run
mkdir -p "$state/lighttpd"

if [ -z "${BETTER_AUTH_SECRET:-}" ]; then
	if [ ! -s .secret ]; then
		umask 077
		head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >.secret
		echo "run: generated a secret into .secret (git-ignored)"
	fi
	BETTER_AUTH_SECRET=$(cat .secret)
fi
export BETTER_AUTH_SECRET
export BETTER_AUTH_URL=${BETTER_AUTH_URL:-http://127.0.0.1:$port}
export MONGODB_DB=${MONGODB_DB:-fcgi-auth}

fdb_pid=""
cleanup() {
	[ -n "$fdb_pid" ] && kill "$fdb_pid" 2>/dev/null
	wait 2>/dev/null
	echo "run: stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${MONGODB_URI:-}" ]; then
	fdb_port=${FERRETDB_PORT:-27117}
	fdb_pid=$(./scripts/ferretdb.sh "$fdb_port" "$state/ferretdb" "$state/ferretdb.log")
	export MONGODB_URI="mongodb://127.0.0.1:$fdb_port/"
	echo "run: FerretDB on 127.0.0.1:$fdb_port (data in .run/ferretdb)"
fi
./build/schema-apply >/dev/null || echo "run: warning: indexes not applied; uniqueness is not enforced" >&2

export FCGI_AUTH_PORT=$port FCGI_AUTH_BIN=$top/build/cgi-bin FCGI_AUTH_STATE=$state/lighttpd \
	FCGI_AUTH_DOCROOT=$top/www
echo "run: serving http://127.0.0.1:$port (lighttpd; logs in .run/lighttpd) — Ctrl-C to stop"
lighttpd -D -f lighttpd-conf/lighttpd.conf &
wait $!
