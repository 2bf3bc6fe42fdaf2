#!/bin/sh
# make install into a DESTDIR installs what the sources say it should,
# where the directory variables say, and nothing else; make uninstall
# removes exactly that, and leaves a file that is not thpscope's.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$BUILD" && pwd)

# expected PREFIX MANDIR: the files an install holds, from the sources.
expected() {
	{
		echo "$1/bin/thpscope"
		echo "$1/bin/thpload"
		for scd in "$top"/docs/man/*.scd; do
			page=${scd##*/}
			page=${page%.scd}
			echo "$2/man${page##*.}/$page"
		done
		echo "$1/share/bash-completion/completions/thpscope"
		echo "$1/share/bash-completion/completions/thpload"
		for doc in "$top"/README.md "$top"/docs/*.md; do
			echo "$1/share/doc/thpscope/${doc##*/}"
		done
		echo "$1/share/doc/thpscope/contrib/README.md"
		for rules in "$top"/contrib/prometheus/*.yml; do
			echo "$1/share/thpscope/prometheus/${rules##*/}"
		done
		echo "$1/lib/systemd/system/thpscope.service"
	} | sort
}

# installed ROOT: the files and links under ROOT, foreign ones left out.
installed() {
	(cd "$1" && find . ! -type d | sed 's|^\.||' | grep -v '/foreign' | sort)
}

# same NAME WANT GOT: two file lists, both ways.
same() {
	only_want=$(printf '%s\n' "$2" | comm -23 - "$3" | paste -s -d ' ' -)
	only_got=$(printf '%s\n' "$2" | comm -13 - "$3" | paste -s -d ' ' -)
	if [ -z "$only_want$only_got" ]; then
		ok "$1 ($(wc -l <"$3") files)"
	else
		not_ok "$1: missing [$only_want]; not expected [$only_got]"
	fi
}

# is NAME WANT GOT
is() {
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: [$3], want [$2]"; fi
}

# try PREFIX MANDIR: install, check, uninstall, check.
try() {
	prefix=$1 mandir=$2 root=$TMP/root$(echo "$1" | tr / _)
	vars="BUILD=$BUILD PREFIX=$prefix mandir=$mandir DESTDIR=$root"
	# Files that are not thpscope's, in its directories and beside them.
	mkdir -p "$root$prefix/bin" "$root$prefix/share/doc/thpscope"
	echo foreign >"$root$prefix/bin/foreign"
	echo foreign >"$root$prefix/share/doc/thpscope/foreign.md"

	# shellcheck disable=SC2086 # make's variable assignments
	if ! make -s -C "$top" $vars install >"$TMP/make.out" 2>&1; then
		not_ok "make install PREFIX=$prefix: $(tail -n 3 "$TMP/make.out")"
		return
	fi
	installed "$root" >"$TMP/got"
	same "make install PREFIX=$prefix mandir=$mandir: the files the sources name" \
		"$(expected "$prefix" "$mandir")" "$TMP/got"

	version=$("$root$prefix/bin/thpscope" --version)
	is "installed thpscope --version" "thpscope $(cat "$top/VERSION")" "${version%% (*}"
	is "the unit runs the installed thpscope" "ExecStart=$prefix/bin/thpscope serve" \
		"$(grep '^ExecStart=' "$root$prefix/lib/systemd/system/thpscope.service" 2>&1)"
	is "thpload's completion is thpscope's" "thpscope" \
		"$(readlink "$root$prefix/share/bash-completion/completions/thpload")"
	if MANPATH=$root$mandir man -w thpscope-record 2>/dev/null | grep -q "^$root$mandir/man1/"; then
		ok "man finds thpscope-record(1) under mandir $mandir"
	else
		not_ok "man -w thpscope-record with MANPATH=$root$mandir: not found"
	fi

	# shellcheck disable=SC2086
	if ! make -s -C "$top" $vars uninstall >"$TMP/make.out" 2>&1; then
		not_ok "make uninstall PREFIX=$prefix: $(tail -n 3 "$TMP/make.out")"
		return
	fi
	installed "$root" >"$TMP/got"
	same "make uninstall PREFIX=$prefix: no file of thpscope's is left" "" "$TMP/got"
	left=$(cd "$root" && find . -name 'foreign*' | sort | paste -s -d ' ' -)
	is "make uninstall leaves the files that are not thpscope's" \
		"./${prefix#/}/bin/foreign ./${prefix#/}/share/doc/thpscope/foreign.md" "$left"
	if [ -e "$root$prefix/share/thpscope" ] || [ -e "$root$prefix/share/doc/thpscope/contrib" ]; then
		not_ok "make uninstall PREFIX=$prefix: thpscope's own directories are left"
	else
		ok "make uninstall PREFIX=$prefix: thpscope's own directories are gone"
	fi
}

try /usr /usr/share/man
try /opt/thpscope /opt/thpscope/man
