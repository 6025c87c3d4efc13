#!/bin/sh
# Builds the "slim" static libcurl that `make` links (CURL=slim, the default)
# into .deps/curl, once.
#
# Why: the programs that send mail (signup, signin, account, mail) linked
# Debian's shared libcurl, which brings 26 more shared libraries (GnuTLS,
# Kerberos, LDAP, SASL, libssh2, nghttp2, brotli, zstd, libidn2, libpsl, ...)
# into every one of their processes: ~4 MiB of resident pages each before
# main() runs (11 MiB VmRSS against the other programs' 7). We need SMTP, SMTPS
# and STARTTLS over OpenSSL only: the same Debian source built with only those
# (scripts/curl-options.sh, shared with the musl release) and linked statically
# adds almost nothing. `make CURL=system` links Debian's shared libcurl.
#
# The source comes from the machine's own Debian package sources
# (scripts/debsrc.sh), as for the slim libmongoc.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

prefix=${CURL_PREFIX:-$top/.deps/curl}
. "$top/scripts/curl-options.sh"
CFLAGS_CURL="-O2 -g -fPIC -ffunction-sections -fdata-sections"
stamp_want=$(printf '%s\n%s\n%s\n' "$CURL_OPTS" "$CFLAGS_CURL" "$(cksum <"$top/scripts/curl-options.sh")" |
	cksum | cut -d' ' -f1)
if [ -f "$prefix/.stamp" ] && [ "$(sed -n 2p "$prefix/.stamp")" = "$stamp_want" ]; then
	touch "$prefix/.stamp"
	exit 0
fi
for p in build-essential pkg-config dpkg-dev libssl-dev; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || {
		echo "curl: the build needs $p: run \`make deps\` first (it installs it)" >&2
		exit 1
	}
done

work="$prefix-work"
rm -rf "$work" "$prefix"
mkdir -p "$work"
log="$work/build.log"
echo "curl: building the slim static libcurl into $prefix (one time, ~1 min; log $log)" >&2
. "$top/scripts/debsrc.sh"
if ! debsrc_fetch "$work" "$log" curl; then
	tail -5 "$log" >&2
	echo "curl: could not fetch Debian's curl source package; build with" \
		"\`make CURL=system\` to link Debian's shared libcurl instead" >&2
	exit 1
fi
version=$(debsrc_unpack "$work" curl src)
# shellcheck disable=SC2086  # CURL_OPTS is a word list
(curl_fix_source "$work/src" &&
	cd "$work/src" && ./configure $CURL_OPTS --with-openssl --prefix="$prefix" \
	CFLAGS="$CFLAGS_CURL" && make -j"$(nproc)" -C lib && make -C lib install &&
	make -C include install && mkdir -p "$prefix/lib/pkgconfig" &&
	cp libcurl.pc "$prefix/lib/pkgconfig/") >>"$log" 2>&1 || {
	tail -20 "$log" >&2
	echo "curl: build failed (log $log)" >&2
	exit 1
}
printf '%s\n%s\n' "curl $version (Debian source package, slim: SMTP over OpenSSL)" "$stamp_want" >"$prefix/.stamp"
rm -rf "$work"
echo "curl: built curl $version into $prefix" >&2
