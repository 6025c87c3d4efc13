# Sourced by scripts/deps.sh, mongoc.sh and musl.sh.
# need_packages LABEL PACKAGE...: installs with apt-get those of the Debian
# packages that are not installed yet (sudo when not root); fails as apt-get does.
need_packages() {
	_np_label=$1
	shift
	_np_missing=""
	for _np_p in "$@"; do
		dpkg-query -W -f='${Status}' "$_np_p" 2>/dev/null | grep -q "install ok installed" ||
			_np_missing="$_np_missing $_np_p"
	done
	[ -n "$_np_missing" ] || return 0
	echo "$_np_label: installing Debian packages:$_np_missing" >&2
	_np_sudo=""
	[ "$(id -u)" -eq 0 ] || _np_sudo=sudo
	$_np_sudo apt-get update -qq &&
		# shellcheck disable=SC2086  # a word list
		DEBIAN_FRONTEND=noninteractive $_np_sudo apt-get install -y -qq $_np_missing >/dev/null
}
