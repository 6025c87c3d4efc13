#!/bin/sh
# Installs what fcgi-auth needs to build, run and test, only when it is missing:
# Debian packages (apt-get), FerretDB 1.24.2 and Mailpit 1.33.1 (built from the Go
# module proxy into .deps/bin), and the npm packages of package-lock.json (npm ci).
# Idempotent; safe to run before every `make run` / `make test`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

PKGS="build-essential pkg-config libmongoc-dev libbson-dev libssl-dev
libunistring-dev libsodium-dev libcurl4-openssl-dev cmake dpkg-dev lighttpd lighttpd-modules-lua apache2 libapache2-mod-fcgid spawn-fcgi curl chromium wrk gnuplot-nox
clang libclang-rt-14-dev valgrind clang-format cppcheck musl-tools openssl"

. "$top/scripts/need.sh"
# shellcheck disable=SC2086  # a word list
need_packages deps $PKGS

# Go programs from the module proxy: `go install ...@version` fails here (the
# proxy refuses the module's version list, which go install reads for
# deprecation notices). So: fetch the module with `go mod download` and copy it
# (writable) to .deps/<name>-src, where the caller builds it and removes it.
go_module_src() { # <name> <module> <version>
	command -v go >/dev/null || { echo "deps: go is required to build $1" >&2; exit 1; }
	echo "deps: building $1 $3 (one time, ~2 min)" >&2
	mkdir -p .deps/bin
	dir=$(GOFLAGS=-mod=mod go mod download -json "$2@$3" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] || { echo "deps: go mod download of $1 failed" >&2; exit 1; }
	rm -rf ".deps/$1-src"
	cp -r "$dir" ".deps/$1-src"
	chmod -R u+w ".deps/$1-src"
}

# FerretDB: a binary built as a dependency panics on a missing
# build/version/version.txt, so it is built in its own module, with that file.
FERRETDB_VERSION=v1.24.2
if [ ! -x .deps/bin/ferretdb ]; then
	go_module_src ferretdb github.com/FerretDB/FerretDB "$FERRETDB_VERSION"
	echo "$FERRETDB_VERSION" >.deps/ferretdb-src/build/version/version.txt
	(cd .deps/ferretdb-src && go build -o "$top/.deps/bin/ferretdb" ./cmd/ferretdb)
	rm -rf .deps/ferretdb-src
fi

# Mailpit: the SMTP server (with a sendmail mode and an HTTP API) of the mail
# tests and `make run`. Its module carries no built web UI (server/ui/dist is
# made by npm upstream): the HTTP API works, the web inbox page loads without
# its scripts.
MAILPIT_VERSION=v1.33.1
if [ ! -x .deps/bin/mailpit ]; then
	go_module_src mailpit github.com/axllent/mailpit "$MAILPIT_VERSION"
	(cd .deps/mailpit-src && CGO_ENABLED=0 go build \
		-ldflags "-s -w -X github.com/axllent/mailpit/config.Version=$MAILPIT_VERSION" \
		-o "$top/.deps/bin/mailpit.tmp" . && mv "$top/.deps/bin/mailpit.tmp" "$top/.deps/bin/mailpit")
	rm -rf .deps/mailpit-src
fi

if [ -f package-lock.json ] && { [ ! -d node_modules/better-auth ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
	echo "deps: npm ci" >&2
	npm ci --no-audit --no-fund --loglevel=error >&2
fi
