#!/bin/sh
# Builds, once, the static musl libraries that `make dist` links into programs
# with no dynamic dependencies at all (static-pie: no INTERP, no NEEDED), so they
# run on any x86_64 Linux kernel whatever its libc: OpenSSL 3, libsodium,
# libunistring, libcurl (SMTP/SMTPS only) and the slim libmongoc, from
# Debian's source packages (with Debian's patches), into .deps/musl.
#
# The compiler is Debian's musl-gcc (musl-tools) behind .deps/musl/bin/musl-cc, a
# wrapper that links static-pie (musl-gcc's specs file knows only dynamic and
# static non-PIE) and finds the kernel's uapi headers (<linux/...>, which musl
# does not ship) after musl's own.
#
# CA certificates: OpenSSL's OPENSSLDIR is /etc/ssl, so its default directory is
# /etc/ssl/certs (hashed links: Debian, Ubuntu, SUSE, Arch, Alpine); its default
# file is patched from /etc/ssl/cert.pem to /etc/pki/tls/certs/ca-bundle.crt, the
# bundle of the RHEL family (CentOS, Alma, Rocky, CloudLinux, Fedora, Amazon),
# which has no hashed directory. SSL_CERT_FILE / SSL_CERT_DIR override both.
#
# Each library has its own stamp (.deps/musl/.stamp-<name>: its version and the
# options' checksum), so a failed run resumes, and a changed option rebuilds that
# library and what links it. .deps/musl/.stamp, the one `make dist` waits for, is
# written last. Idempotent; a second run with nothing to do takes milliseconds.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

# The real path (.deps may be a symlink shared by worktrees): the .pc files and
# the compiler wrapper hold it.
deps=$(mkdir -p .deps && cd .deps && pwd -P)
prefix="$deps/musl"
work="$deps/musl-work"
CFLAGS_LIB="-O2 -fPIC -ffunction-sections -fdata-sections -fstack-protector-strong"
. "$top/scripts/mongoc-options.sh"

# Per library: its options. A library is rebuilt when they, CFLAGS_LIB or its
# recipe in build_one below change, and after OpenSSL is (curl, libmongoc).
OPTS_openssl="linux-x86_64 --openssldir=/etc/ssl no-shared no-module no-engine no-tests
no-afalgeng no-devcryptoeng"
OPTS_libsodium="--disable-shared --enable-static --disable-dependency-tracking"
OPTS_libunistring="--disable-shared --enable-static --disable-dependency-tracking --disable-rpath"
. "$top/scripts/curl-options.sh"
OPTS_curl="$CURL_OPTS --with-openssl=$prefix"
OPTS_mongo_c_driver="$MONGOC_OPTS"
# In build order (libunistring, the slowest, last).
LIBS="openssl mongo-c-driver curl libsodium libunistring"

key() { # key NAME: the checksum its stamp must hold
	case $1 in
	curl) _k_dep="$(key openssl) $(cksum <"$top/scripts/curl-options.sh")" ;;
	mongo-c-driver) _k_dep="$(key openssl) $MONGOC_PATCH_SUM" ;;
	*) _k_dep= ;;
	esac
	eval "_k_opts=\$OPTS_$(echo "$1" | tr - _)"
	# its recipe: the case branch of build_one that names it
	_k_recipe=$(sed -n "/^	[a-z| -]*\<$1\>[a-z| -]*)\$/,/^		;;\$/p" "$top/scripts/musl.sh")
	printf '%s\n%s\n%s\n%s\n' "$CFLAGS_LIB" "$_k_opts" "$_k_recipe" "$_k_dep" | cksum | cut -d' ' -f1
}
is_built() { [ -f "$prefix/.stamp-$1" ] && [ "$(sed -n 2p "$prefix/.stamp-$1")" = "$(key "$1")" ]; }

todo=""
for lib in $LIBS; do
	is_built "$lib" || todo="$todo $lib"
done
if [ -z "$todo" ] && [ -f "$prefix/.stamp" ]; then
	touch "$prefix/.stamp"
	exit 0
fi
# The long part runs niced (the machine is shared).
if [ -z "${MUSL_NICED:-}" ]; then
	MUSL_NICED=1 exec nice -n 10 "$0" "$@"
fi

# Debian's musl toolchain, the build tools, and the kernel's uapi headers.
PKGS="musl-tools musl-dev linux-libc-dev build-essential pkg-config cmake dpkg-dev perl
autoconf automake libtool"
. "$top/scripts/need.sh"
# shellcheck disable=SC2086  # a word list
need_packages musl $PKGS

rm -rf "$work"
mkdir -p "$work" "$prefix/bin" "$prefix/lib/pkgconfig" "$prefix/include" "$prefix/kernel-include"
log="$work/build.log"
started=$(date +%s)
echo "musl: building static musl libraries into .deps/musl:$todo (one time, ~15 min; log $log)" >&2

# The compiler wrapper. gcc's own -static-pie spec is replaced by musl-gcc's
# specs file, so ours adds rcrt1.o (self-relocating start file) and the linker
# flags for static-pie, and drops the dynamic linker.
musl_specs=/usr/lib/x86_64-linux-musl/musl-gcc.specs
sed -e 's|^%{!shared: \(/usr/lib/x86_64-linux-musl/\)Scrt1.o}|%{static-pie: \1rcrt1.o; !shared: \1Scrt1.o}|' \
	-e 's|^-dynamic-linker \([^ ]*\)|%{!static-pie:-dynamic-linker \1}|' \
	-e 's|%{static:-static}|%{static:-static} %{static-pie:-static -pie --no-dynamic-linker -z text}|' \
	"$musl_specs" >"$prefix/lib/musl-static-pie.specs"
grep -q rcrt1.o "$prefix/lib/musl-static-pie.specs" || {
	echo "musl: $musl_specs has an unexpected form" >&2
	exit 1
}
for d in linux asm-generic; do ln -sfn "/usr/include/$d" "$prefix/kernel-include/$d"; done
ln -sfn /usr/include/x86_64-linux-gnu/asm "$prefix/kernel-include/asm"
cat >"$prefix/bin/musl-cc" <<EOF
#!/bin/sh
# musl-gcc that links static-pie (written by scripts/musl.sh), unless
# MUSL_CC_DYNAMIC is set.
set -- -specs "$prefix/lib/musl-static-pie.specs" -idirafter "$prefix/kernel-include" "\$@"
[ -z "\${MUSL_CC_DYNAMIC:-}" ] || exec "\${REALGCC:-gcc}" "\$@"
for a; do
	case \$a in -c | -S | -E | -M | -MM | -shared | -r) exec "\${REALGCC:-gcc}" "\$@" ;; esac
done
exec "\${REALGCC:-gcc}" "\$@" -static-pie
EOF
chmod +x "$prefix/bin/musl-cc"
CC="$prefix/bin/musl-cc"
export CC PKG_CONFIG_LIBDIR="$prefix/lib/pkgconfig" PKG_CONFIG_PATH=""
jobs=$(nproc)

. "$top/scripts/debsrc.sh"
# shellcheck disable=SC2086  # todo is a word list
if ! debsrc_fetch "$work" "$log" $todo; then
	tail -5 "$log" >&2
	echo "musl: could not fetch the Debian source packages" >&2
	exit 1
fi

fail() {
	tail -30 "$log" >&2
	echo "musl: building $1 failed (log $log)" >&2
	exit 1
}
# shellcheck disable=SC2086  # the OPTS_* are word lists
build_one() {
	case $1 in
	openssl)
		# The default CA file: the RHEL family's bundle (see the top).
		sed -i 's|^\(# *define X509_CERT_FILE *\)OPENSSLDIR "/cert.pem"|\1"/etc/pki/tls/certs/ca-bundle.crt"|' \
			include/internal/cryptlib.h
		grep -q '"/etc/pki/tls/certs/ca-bundle.crt"' include/internal/cryptlib.h || return 1
		./Configure $OPTS_openssl --prefix="$prefix" \
			--libdir=lib CC="$CC" CFLAGS="$CFLAGS_LIB" &&
			make -j"$jobs" build_libs && make install_dev
		;;
	libsodium | libunistring)
		eval "_b_opts=\$OPTS_$1"
		# libsodium's source package is a git tree: no configure script yet.
		{ [ -x configure ] || autoreconf -fi; } &&
			./configure $_b_opts --prefix="$prefix" CC="$CC" CFLAGS="$CFLAGS_LIB" &&
			make -j"$jobs" && make install
		;;
	curl)
		curl_fix_source . || return 1
		# The library alone (not the curl tool, its manual or docs).
		./configure $OPTS_curl --prefix="$prefix" CC="$CC" CFLAGS="$CFLAGS_LIB" &&
			make -j"$jobs" -C lib && make -C lib install && make -C include install &&
			cp libcurl.pc "$prefix/lib/pkgconfig/"
		;;
	mongo-c-driver)
		# fcgi-auth's patches, as scripts/mongoc.sh applies them.
		mongoc_apply_patches . || return 1
		# libbson picks GNU strerror_r for any GNU compiler with _GNU_SOURCE; musl
		# has only the XSI one (an int: the message would be a NULL pointer).
		sed -i 's/#elif defined(__GNUC__) && defined(_GNU_SOURCE)$/#elif defined(__GLIBC__) \&\& defined(_GNU_SOURCE)/' \
			src/libbson/src/bson/bson-error.c
		grep -q '__GLIBC__) && defined(_GNU_SOURCE)' src/libbson/src/bson/bson-error.c || return 1
		# Its shared libraries and tools (not installed) link dynamically.
		export MUSL_CC_DYNAMIC=1
		mkdir -p build && cd build &&
			cmake .. -DBUILD_VERSION="${version%%-*}" -DCMAKE_INSTALL_PREFIX="$prefix" \
				-DCMAKE_INSTALL_LIBDIR=lib -DCMAKE_C_COMPILER="$CC" -DCMAKE_C_FLAGS="$CFLAGS_LIB" \
				-DOPENSSL_ROOT_DIR="$prefix" -DOPENSSL_USE_STATIC_LIBS=TRUE \
				-DRT_LIBRARY=/usr/lib/x86_64-linux-musl/librt.a \
				$OPTS_mongo_c_driver &&
			make -j"$jobs" install &&
			rm -f "$prefix"/lib/libbson-1.0.so* "$prefix"/lib/libmongoc-1.0.so*
		;;
	esac
}

for lib in $todo; do
	rm -f "$prefix/.stamp" "$prefix/.stamp-$lib"
	version=$(debsrc_unpack "$work" "$lib" "$lib") || fail "$lib (unpacking)"
	t0=$(date +%s)
	(cd "$work/$lib" && build_one "$lib") >>"$log" 2>&1 || fail "$lib"
	printf '%s\n%s\n' "$lib $version (Debian source package, musl, static)" "$(key "$lib")" \
		>"$prefix/.stamp-$lib"
	echo "musl: $lib $version built in $(($(date +%s) - t0)) s" >&2
	# What links it must be rebuilt against it.
	[ "$lib" != openssl ] || rm -f "$prefix/.stamp-curl" "$prefix/.stamp-mongo-c-driver"
done
for lib in $LIBS; do
	is_built "$lib" || fail "$lib (not built: run again)"
done
# Nothing of the host's glibc may reach a link line.
if grep -l 'linux-gnu' "$prefix"/lib/pkgconfig/*.pc >&2; then
	echo "musl: these .pc files name glibc libraries" >&2
	exit 1
fi
# What the libraries must be, checked from a program linked as ours are: no
# dynamic section entries, OpenSSL's default CA paths, curl's protocols.
cat >"$work/check.c" <<'EOF_C'
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <stdio.h>
int main(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	const char *const *p;

	printf("%s %s ssl=%s protocols=", X509_get_default_cert_file(), X509_get_default_cert_dir(),
	       v->ssl_version);
	for (p = v->protocols; *p; p++)
		printf("%s%s", *p, p[1] ? "," : "\n");
	return 0;
}
EOF_C
# shellcheck disable=SC2046  # pkg-config's word lists
"$CC" -o "$work/check" "$work/check.c" $(pkg-config --cflags --static --libs libcurl libcrypto) >>"$log" 2>&1 ||
	fail "the library check program"
check=$("$work/check")
case $check in
"/etc/pki/tls/certs/ca-bundle.crt /etc/ssl/certs ssl=OpenSSL/3."*" protocols=smtp,smtps") ;;
*)
	echo "musl: the libraries are not as built for: $check" >&2
	exit 1
	;;
esac
if readelf -lW "$work/check" | grep -q INTERP; then
	echo "musl: $CC does not link static-pie" >&2
	exit 1
fi
echo "musl: check: $check" >&2
for lib in $LIBS; do sed -n 1p "$prefix/.stamp-$lib"; done >"$prefix/.stamp"
rm -rf "$work"
echo "musl: done in $(($(date +%s) - started)) s" >&2
