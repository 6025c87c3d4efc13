#!/bin/sh
# Packs the musl programs into the release tarball (`make dist`).
# Usage: scripts/dist.sh <tarball> <build dir> <program>...
# Each program is stripped into <build dir>/dist/fcgi-auth-<version>/ at its path
# under the build directory (cgi-bin/signup, demo/whoami), a top-level tool under
# bin/; then the web-server configs, hosting/ if there is one, INSTALL, the
# example settings (every row of the README's Configuration table, commented)
# and SHA256SUMS. Older tarballs in the tarball's directory are removed. Prints
# each program's size, the tarball's size and its sha256.
set -eu
tgz=$1 build=$2
shift 2
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

version=$(cat VERSION)
describe=$(git describe --always --dirty 2>/dev/null || echo unknown)
name=$(basename "$tgz" .tar.gz)
name=${name%-linux-x86_64}
stage="$build/dist/$name"
rm -rf "$build/dist"
mkdir -p "$stage/bin"

for p in "$@"; do
	rel=${p#"$build"/}
	case $rel in */*) ;; *) rel=bin/$rel ;; esac
	mkdir -p "$stage/$(dirname "$rel")"
	strip -o "$stage/$rel" "$p"
	if readelf -lW "$stage/$rel" | grep -q INTERP || readelf -dW "$stage/$rel" | grep -q NEEDED; then
		echo "dist: $rel is dynamically linked" >&2
		exit 1
	fi
	printf '  %-22s %9d bytes\n' "$rel" "$(stat -c %s "$stage/$rel")"
done

for d in apache-conf lighttpd-conf hosting; do
	[ -d "$d" ] && cp -R "$d" "$stage/"
done
cp docs/INSTALL "$stage/INSTALL"
printf '%s (%s), x86_64 Linux, static-pie (musl)\n' "$version" "$describe" >"$stage/VERSION"

# The example settings, from the README's Configuration table: one commented
# block per row (meaning, default, then NAME= commented out).
settings() { # NAME<tab>default<tab>meaning per row of the table
	awk -F'|' '/^## Configuration/ { on = 1; next }
		on && /^## / { exit }
		on && /^\| `[A-Z_]+` \|/ {
			what = $4
			for (i = 5; i < NF; i++) what = what "|" $i
			for (i = 2; i <= 3; i++) { gsub(/`| +$|^ +/, "", $i) }
			gsub(/`/, "", what); gsub(/^ +| +$/, "", what)
			print $2 "\t" $3 "\t" what }' README.md
}
{
	echo "# fcgi-auth settings, one NAME=value a line: a systemd EnvironmentFile, or"
	echo "# read by sh with 'set -a; . ./fcgi-auth.env; set +a'. Apache: SetEnv NAME value."
	echo "# Every program reads them once, at start. Uncomment what you set."
	settings | while IFS="$(printf '\t')" read -r var def what; do
		echo
		printf '%s\n' "$what" | fold -s -w 76 | sed 's/ *$//; s/^/# /'
		printf '# Default: %s\n#%s=\n' "$def" "$var"
	done
} >"$stage/fcgi-auth.env.example"
grep -q '^#BETTER_AUTH_SECRET=$' "$stage/fcgi-auth.env.example" || {
	echo "dist: no settings found in README.md's Configuration table" >&2
	exit 1
}

(cd "$stage" && find cgi-bin bin demo -type f | sort | xargs sha256sum >SHA256SUMS)

mkdir -p "$(dirname "$tgz")"
rm -f "$(dirname "$tgz")"/fcgi-auth-*-linux-x86_64.tar.gz
# Reproducible: fixed owner, order and times (the last commit's).
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" \
	-C "$build/dist" -cf - "$name" | gzip -n -9 >"$tgz"
printf '%s: %d bytes\nsha256 %s\n' "$tgz" "$(stat -c %s "$tgz")" "$(sha256sum "$tgz" | cut -d' ' -f1)"
