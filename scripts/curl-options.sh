# Sourced by scripts/curl.sh (the slim static libcurl `make` links) and
# scripts/musl.sh (the release's): one libcurl for SMTP/SMTPS/STARTTLS only.
#
# CURL_OPTS: configure options after --with-openssl=…, which each caller adds.
# curl_fix_source DIR: the source fix both builds need (below).
CURL_OPTS="--disable-shared --enable-static --disable-dependency-tracking
--enable-smtp --disable-dict --disable-file --disable-ftp --disable-gopher --disable-http
--disable-imap --disable-ldap --disable-ldaps --disable-mqtt --disable-pop3 --disable-rtsp
--disable-smb --disable-telnet --disable-tftp --disable-proxy --disable-manual --disable-ntlm-wb
--disable-alt-svc --disable-hsts --disable-cookies --without-libpsl --without-brotli
--without-zstd --without-zlib --without-libidn2 --without-nghttp2 --without-ngtcp2
--without-nghttp3 --without-libssh2 --without-libssh --without-librtmp --without-ca-bundle
--without-ca-path --with-ca-fallback"

# Debian's backport of the CVE-2023-38039 fix calls Curl_bump_headersize()
# from pingpong.c (SMTP's reader too) but defines it in http.c, which
# --disable-http leaves out: a static copy of it for pingpong.c.
curl_fix_source() {
	(
		cd "$1" || exit 1
		grep -q Curl_bump_headersize lib/pingpong.c || exit 0
		{
			echo '#ifdef CURL_DISABLE_HTTP'
			grep '^#define MAX_HTTP_RESP_HEADER_SIZE' lib/http.h
			printf 'static '
			sed -n '/^CURLcode Curl_bump_headersize/,/^}/p' lib/http.c
			echo '#endif'
		} >lib/pingpong-bump.inc
		sed -i '/^#include "memdebug.h"/r lib/pingpong-bump.inc' lib/pingpong.c
		grep -q '^static CURLcode Curl_bump_headersize' lib/pingpong.c
	)
}
