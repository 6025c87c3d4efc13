#!/bin/sh
# Installs what fcgi-auth needs to build, run and test, only when it is missing:
# Debian packages (apt-get), FerretDB 1.24.2 (built from the Go module proxy into
# .deps/bin), and the npm packages of package-lock.json (npm ci).
# Idempotent; safe to run before every `make run` / `make test`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

PKGS="build-essential pkg-config libfcgi-dev libmongoc-dev libbson-dev libssl-dev
libunistring-dev libsodium-dev cmake dpkg-dev lighttpd apache2 libapache2-mod-fcgid spawn-fcgi curl chromium wrk gnuplot-nox
clang libclang-rt-14-dev valgrind musl-tools openssl"

. "$top/scripts/need.sh"
# shellcheck disable=SC2086  # a word list
need_packages deps $PKGS

# FerretDB: `go install ...@v1.24.2` fails here (the proxy refuses the module's
# version list, which go install reads for deprecation notices) and a binary built
# as a dependency panics on a missing build/version/version.txt. So: fetch the
# module with `go mod download`, copy it, add version.txt, build it in place.
FERRETDB_VERSION=v1.24.2
if [ ! -x .deps/bin/ferretdb ]; then
	command -v go >/dev/null || { echo "deps: go is required to build FerretDB" >&2; exit 1; }
	echo "deps: building FerretDB $FERRETDB_VERSION (one time, ~2 min)" >&2
	mkdir -p .deps/bin
	dir=$(GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] || { echo "deps: go mod download of FerretDB failed" >&2; exit 1; }
	rm -rf .deps/ferretdb-src
	cp -r "$dir" .deps/ferretdb-src
	chmod -R u+w .deps/ferretdb-src
	echo "$FERRETDB_VERSION" >.deps/ferretdb-src/build/version/version.txt
	(cd .deps/ferretdb-src && go build -o "$top/.deps/bin/ferretdb" ./cmd/ferretdb)
	rm -rf .deps/ferretdb-src
fi

if [ -f package-lock.json ] && { [ ! -d node_modules/better-auth ] || [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/esbuild ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
	echo "deps: npm ci" >&2
	npm ci --no-audit --no-fund --loglevel=error >&2
fi
