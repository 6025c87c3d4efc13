#!/bin/sh
# Builds the "slim" libbson + libmongoc that `make` links statically (MONGOC=slim,
# the default) into .deps/mongoc, once.
#
# Why: Debian's shared libmongoc pulls ICU, libstdc++, Cyrus SASL (which dlopens
# all its plugins and libdb at mongoc_init), libmongocrypt, snappy and zstd into
# every process: about 3.5 MiB of resident shared-library pages per FastCGI
# process before main() runs. The same driver source (Debian's source package,
# with Debian's security patches) built without those features and linked
# statically with --gc-sections brings a process from ~10.5 to ~7 MiB VmRSS.
#
# What the slim build leaves out: Kerberos/GSSAPI auth (Cyrus SASL), SASLprep of
# non-ASCII user names and passwords for SCRAM-SHA-256 (ICU), wire compression
# (zlib, snappy, zstd) and client-side field-level encryption. TLS (OpenSSL),
# SCRAM-SHA-1/256, X.509, MONGODB-AWS and mongodb+srv:// stay. Deployments that
# need the rest build with `make MONGOC=system` (Debian's shared libmongoc).
#
# fcgi-auth's own patches (scripts/mongoc-patches, each explained at its top)
# are applied after Debian's: they make the driver cheaper per operation and
# change nothing it sends or answers.
#
# The source comes from the machine's own Debian package sources, turned into
# deb-src entries in a private apt configuration under .deps (the system's apt
# configuration is not changed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# MONGOC_PREFIX (make passes $(MONGOC_DIR)): another directory than the shared
# .deps/mongoc, e.g. to try a patch in a worktree whose .deps is shared.
prefix=${MONGOC_PREFIX:-$top/.deps/mongoc}
# Changing these options or the patches rebuilds (the stamp records them).
. "$top/scripts/mongoc-options.sh"
OPTS=$MONGOC_OPTS
CFLAGS_MONGOC="-O2 -g -fPIC -ffunction-sections -fdata-sections"
stamp_want=$(printf '%s\n%s\n%s\n' "$OPTS" "$CFLAGS_MONGOC" "$MONGOC_PATCH_SUM" | cksum | cut -d' ' -f1)
if [ -f "$prefix/.stamp" ] && [ "$(sed -n 2p "$prefix/.stamp")" = "$stamp_want" ]; then
	touch "$prefix/.stamp"
	exit 0
fi

# Build tools and the libraries our own code and the driver compile against
# (checked here, because `make` builds this first, before anything else is
# compiled). Never installed here: plain `make` installs nothing; `make deps`
# (scripts/deps.sh, also run by `make run` and `make test`) does.
PKGS="build-essential pkg-config cmake dpkg-dev libssl-dev libunistring-dev libsodium-dev"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "mongoc: the build needs Debian packages that are not installed:$missing" >&2
	echo "mongoc: run \`make deps\` first (it installs them)" >&2
	exit 1
fi

work="$prefix-work"
rm -rf "$work"
mkdir -p "$work"
log="$work/build.log"
echo "mongoc: building the slim libmongoc into $prefix (one time, ~1 min; log $log)" >&2

. "$top/scripts/debsrc.sh"
if ! debsrc_fetch "$work" "$log" mongo-c-driver; then
	tail -5 "$log" >&2
	echo "mongoc: could not fetch Debian's mongo-c-driver source package; build with" \
		"\`make MONGOC=system\` to link Debian's shared libmongoc instead" >&2
	exit 1
fi
version=$(debsrc_unpack "$work" mongo-c-driver src)
upstream=${version%%-*}
mongoc_apply_patches "$work/src" >>"$log" 2>&1 || {
	tail -5 "$log" >&2
	echo "mongoc: a patch of scripts/mongoc-patches does not apply to $version" >&2
	exit 1
}
mkdir -p "$work/build"
# shellcheck disable=SC2086  # OPTS is a word list
(cd "$work/build" && cmake ../src -DBUILD_VERSION="$upstream" -DCMAKE_INSTALL_PREFIX="$prefix" \
	-DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_C_FLAGS="$CFLAGS_MONGOC" $OPTS &&
	make -j"$(nproc)" install) >>"$log" 2>&1 || {
	tail -20 "$log" >&2
	echo "mongoc: build failed (log $log)" >&2
	exit 1
}
printf '%s\n%s\n' "mongo-c-driver $version (Debian source package, slim, patched)" "$stamp_want" >"$prefix/.stamp"
rm -rf "$work"
echo "mongoc: built mongo-c-driver $version into $prefix" >&2
