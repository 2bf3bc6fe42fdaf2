# Private apt: query and download Debian packages of any suite without
# touching the system's sources, state or cache. Sourced, not run.
#
#   papt_init SUITE      prepare (and refresh when older than 6 h) the
#                        package lists of SUITE in the cache
#   papt ARGS...         apt-get with the private configuration
#   papt_cache ARGS...   apt-cache with the private configuration
#   papt_version PKG     candidate version of PKG, empty if unknown

: "${THPSCOPE_MIRROR:=http://deb.debian.org/debian}"
: "${THPSCOPE_SECURITY_MIRROR:=http://deb.debian.org/debian-security}"

papt_sources() {
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	case "$1" in
	sid | unstable)
		echo "deb [signed-by=$keyring] $THPSCOPE_MIRROR sid main" ;;
	bookworm-backports)
		echo "deb [signed-by=$keyring] $THPSCOPE_MIRROR bookworm-backports main" ;;
	bookworm)
		echo "deb [signed-by=$keyring] $THPSCOPE_MIRROR bookworm main"
		echo "deb [signed-by=$keyring] $THPSCOPE_MIRROR bookworm-updates main"
		echo "deb [signed-by=$keyring] $THPSCOPE_SECURITY_MIRROR bookworm-security main" ;;
	*)
		return 1 ;;
	esac
}

papt_init() {
	PAPT_SUITE=$1
	PAPT_DIR="$(thpscope_cache)/apt/$PAPT_SUITE"
	mkdir -p "$PAPT_DIR/etc" "$PAPT_DIR/state/lists/partial" \
		"$PAPT_DIR/cache/archives/partial" ||
		die "cannot create $PAPT_DIR"
	papt_sources "$PAPT_SUITE" >"$PAPT_DIR/etc/sources.list" ||
		die "unknown suite '$PAPT_SUITE'"
	touch "$PAPT_DIR/state/status"
	PAPT_OPTS="-o Dir::Etc::sourcelist=$PAPT_DIR/etc/sources.list
		-o Dir::Etc::sourceparts=/nonexistent
		-o Dir::Etc::preferencesparts=/nonexistent
		-o Dir::State=$PAPT_DIR/state
		-o Dir::State::status=$PAPT_DIR/state/status
		-o Dir::Cache=$PAPT_DIR/cache
		-o APT::Architecture=amd64
		-o APT::Sandbox::User=root
		-o Debug::NoLocking=1"
	local stamp="$PAPT_DIR/state/updated"
	if [ -z "$(find "$stamp" -mmin -360 2>/dev/null)" ] || [ -n "${PAPT_REFRESH:-}" ]; then
		# shellcheck disable=SC2086
		apt-get -q $PAPT_OPTS update >"$PAPT_DIR/update.log" 2>&1 ||
			die "package lists of '$PAPT_SUITE' could not be downloaded (see $PAPT_DIR/update.log)"
		touch "$stamp"
	fi
}

papt() {
	# shellcheck disable=SC2086
	apt-get -q $PAPT_OPTS "$@"
}

papt_cache() {
	# shellcheck disable=SC2086
	apt-cache $PAPT_OPTS "$@"
}

papt_version() {
	papt_cache show "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'
}

# papt_field PKG FIELD: a control field of the candidate version.
papt_field() {
	papt_cache show "$1" 2>/dev/null |
		awk -v f="$2:" '$1 == f { sub(/^[^:]*: */, ""); print; exit }'
}

# papt_download PKG DIR: download PKG's candidate into DIR, verified by
# apt against the signed index; a partial download never lands in DIR.
papt_download() {
	local pkg=$1 dir=$2 tmp
	tmp=$(mktemp -d "$dir/.dl.XXXXXX") || die "cannot write to $dir"
	if ! (cd "$tmp" && papt download "$pkg" >"$tmp/log" 2>&1); then
		sed -n '$p' "$tmp/log" >&2
		rm -rf "$tmp"
		die "download of $pkg failed"
	fi
	mv "$tmp"/*.deb "$dir/" && rm -rf "$tmp"
}
