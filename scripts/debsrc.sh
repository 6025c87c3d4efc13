# Sourced by scripts/mongoc.sh and scripts/musl.sh: fetch Debian source packages
# through the machine's own Debian package sources, turned into deb-src entries in
# a private apt configuration under a work directory (the system's apt
# configuration is not changed).
#
# debsrc_fetch WORK LOG PACKAGE...  downloads each PACKAGE's source into WORK
#                                   (apt output appended to LOG); fails with 1.
# debsrc_unpack WORK PACKAGE DIR     unpacks the fetched PACKAGE into WORK/DIR
#                                   (Debian's patches applied) and prints its
#                                   Debian version.

debsrc_fetch() {
	_ds_work=$1 _ds_log=$2
	shift 2
	mkdir -p "$_ds_work/apt/parts" "$_ds_work/apt/lists/partial" "$_ds_work/apt/cache/archives/partial"
	# deb-src twins of the machine's deb entries (one-line and deb822 formats).
	: >"$_ds_work/apt/sources.list"
	for _ds_f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$_ds_f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$_ds_f" >>"$_ds_work/apt/sources.list"
	done
	for _ds_f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$_ds_f" ] || continue
		awk 'BEGIN { RS = ""; ORS = "\n\n" }
		     $0 ~ /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ {
		         sub(/(^|\n)Types:[^\n]*/, "\nTypes: deb-src"); sub(/^\n/, ""); print }' \
			"$_ds_f" >"$_ds_work/apt/parts/$(basename "$_ds_f")"
	done
	_debsrc_apt apt-get update >>"$_ds_log" 2>&1 || return 1
	for _ds_p in "$@"; do
		# A security update's source can be listed before the mirror has it:
		# then the other versions the lists name, newest first.
		for _ds_v in "" $(_debsrc_apt apt-cache showsrc "$_ds_p" 2>/dev/null |
			sed -n 's/^Version: /=/p' | sort -t= -k2 -V -r); do
			(cd "$_ds_work" && _debsrc_apt apt-get source --download-only "$_ds_p$_ds_v") \
				>>"$_ds_log" 2>&1 && continue 2
			rm -f "$_ds_work/${_ds_p}_"*.dsc
		done
		echo "debsrc: no source package $_ds_p could be fetched (log $_ds_log)" >&2
		return 1
	done
}

_debsrc_apt() {
	_ds_cmd=$1
	shift
	"$_ds_cmd" -q -o Dir::Etc::SourceList="$_ds_work/apt/sources.list" \
		-o Dir::Etc::SourceParts="$_ds_work/apt/parts" -o Dir::State::Lists="$_ds_work/apt/lists" \
		-o Dir::Cache="$_ds_work/apt/cache" -o APT::Sandbox::User=root "$@"
}

debsrc_unpack() {
	_ds_dsc=$(ls "$1/$2"_*.dsc)
	(cd "$1" && dpkg-source --no-check -x "$_ds_dsc" "$3") >/dev/null 2>&1 || return 1
	sed -n 's/^Version: //p' "$_ds_dsc"
}
