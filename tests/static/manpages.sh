#!/bin/sh
# The man pages (BUILD/man, from docs/man/*.scd) against the programs'
# own help, both ways: every option a --help lists is in its page's
# option lists and every option there is in --help; the same for
# thpscope's commands and thpload's scenarios. Every page has the
# sections a user looks for and renders without a groff warning.
. "$(dirname "$0")/../lib.sh"
MAN=$BUILD/man
sections="NAME SYNOPSIS DESCRIPTION OPTIONS EXIT?STATUS FILES ENVIRONMENT EXAMPLES"

# help_options: the options of a help text on stdin: those of its usage
# lines ("[-x", "| --y") and the terms of its option list (lines
# indented by two spaces: "  -o FILE", "  -h, --help"; an argument is in
# capitals).
help_options() {
	awk '
	/^usage:/ { usage = 1 }
	/^$/ { usage = 0 }
	usage {
		s = $0
		while (match(s, /[[|] ?--?[a-zA-Z][-a-zA-Z0-9]*/)) {
			o = substr(s, RSTART, RLENGTH); sub(/^[[|] ?/, "", o); print o
			s = substr(s, RSTART + RLENGTH)
		}
	}
	/^  -/ {
		for (i = 1; i <= NF; i++) {
			w = $i; sub(/,$/, "", w)
			if (w ~ /^--?[a-zA-Z]/) print w
			else if (w !~ /^[A-Z][A-Z0-9.:_]*$/) break
		}
	}' | sort -u
}

# page_terms PAGE SECTION: the bold words of the terms of SECTION's
# definition list (scdoc writes a term as the text line before .RS).
page_terms() {
	awk -v want="$2" '
	/^\.SH / { sub(/^\.SH /, ""); gsub(/"/, ""); in_s = ($0 == want); next }
	in_s && /^\.RS/ && prev !~ /^\./ {
		s = prev
		while (match(s, /\\fB[^\\]*\\fR/)) {
			print substr(s, RSTART + 3, RLENGTH - 6)
			s = substr(s, RSTART + RLENGTH)
		}
	}
	{ prev = $0 }' "$1" | sort -u
}

# page_options PAGE: the options of every option list of PAGE.
page_options() {
	{ page_terms "$1" OPTIONS; page_terms "$1" FILTERS; } | grep '^-' | sort -u
}

# both_ways NAME WHAT HELP_LIST PAGE_LIST [MISSING_OK]: ok when the
# lists are equal; else what only one side has. A MISSING_OK item of
# the page only (a command not in this build) is a skip.
both_ways() {
	printf '%s\n' "$3" | sed '/^$/d' >"$TMP/help"
	printf '%s\n' "$4" | sed '/^$/d' >"$TMP/page"
	only_help=$(comm -23 "$TMP/help" "$TMP/page" | paste -s -d ' ' -)
	only_page=$(comm -13 "$TMP/help" "$TMP/page" | paste -s -d ' ' -)
	if [ ! -s "$TMP/help" ]; then
		not_ok "$1: no $2 found in the help"
	elif [ -n "$only_help" ] || [ "$only_page" != "${5:-$only_page}" ] ||
		{ [ -n "$only_page" ] && [ -z "${5:-}" ]; }; then
		not_ok "$1: $2 in the help only: [$only_help]; in the page only: [$only_page]"
	elif [ -n "$only_page" ]; then
		skip "$1: $only_page in the page, not in this build's help"
	else
		ok "$1: the same $(wc -l <"$TMP/help") $2 both ways"
	fi
}

# check_page PAGE HELP_FILE: options both ways, sections, rendering.
check_page() {
	name=${1##*/}
	both_ways "$name" options "$(help_options <"$2")" "$(page_options "$1")"
	missing=
	for s in $sections; do
		grep -q "^\.SH \"*$(echo "$s" | tr '?' ' ')\"*\$" "$1" || missing="$missing $s"
	done
	if [ -n "$missing" ]; then
		not_ok "$name: sections missing:$(echo "$missing" | tr '?' ' ')"
	else
		ok "$name: has $(echo "$sections" | tr ' ?' ', ')"
	fi
	warnings=$(LC_ALL=C.UTF-8 groff -man -ww -z -Tutf8 "$1" 2>&1)
	if [ -n "$warnings" ]; then
		not_ok "$name: groff warns: $(echo "$warnings" | head -n 3)"
	else
		ok "$name: renders without a groff warning"
	fi
}

for f in "$BUILD/thpscope" "$BUILD/thpload" "$MAN/thpscope.1"; do
	[ -e "$f" ] || { not_ok "man pages: $f is not built (make)"; exit 0; }
done

"$BUILD/thpscope" --help >"$TMP/thpscope.help"
commands=$(sed -n '/^commands:/,/^$/s/^  \([a-z][a-z]*\) .*/\1/p' "$TMP/thpscope.help" | sort)
pages=$(ls "$MAN" | sed -n 's/^thpscope-\(.*\)\.1$/\1/p' | sort)
page_only=$(printf '%s\n' "$pages" | grep -vxF "$commands" | paste -s -d ' ' -)
both_ways "thpscope-COMMAND(1) pages" commands "$commands" "$pages" "$page_only"
both_ways "thpscope.1 COMMANDS" commands "$commands" "$(page_terms "$MAN/thpscope.1" COMMANDS)" \
	"$page_only"
check_page "$MAN/thpscope.1" "$TMP/thpscope.help"

for c in $commands; do
	[ -f "$MAN/thpscope-$c.1" ] || continue
	if "$BUILD/thpscope" "$c" --help >"$TMP/$c.help"; then
		check_page "$MAN/thpscope-$c.1" "$TMP/$c.help"
	else
		not_ok "thpscope $c --help exited $?"
	fi
done

"$BUILD/thpload" -h >"$TMP/thpload.help"
check_page "$MAN/thpload.1" "$TMP/thpload.help"
both_ways thpload.1 scenarios \
	"$(sed -n '/^scenarios:/,$s/^  \([a-z][-a-z]*\) .*/\1/p' "$TMP/thpload.help" | sort)" \
	"$(page_terms "$MAN/thpload.1" SCENARIOS)"

# thpdev(4) documents every ioctl of the uapi header.
ioctls=$(sed -n 's/^#define \(THPDEV_IOC_[A-Z_]*\)[[:space:]]*_IO.*/\1/p' \
	"$(dirname "$0")/../../module/thpdev_uapi.h" | sort)
both_ways thpdev.4 ioctls "$ioctls" "$(page_terms "$MAN/thpdev.4" IOCTLS | grep '^THPDEV_IOC_')"

# The comparison itself must see a difference: record's page without -q.
grep -v '^\\fB-q\\fR$' "$MAN/thpscope-record.1" >"$TMP/mutant.1"
"$BUILD/thpscope" record --help >"$TMP/record.help"
if [ "$(help_options <"$TMP/record.help")" != "$(page_options "$TMP/mutant.1")" ] &&
	[ "$(help_options <"$TMP/record.help")" = "$(page_options "$MAN/thpscope-record.1")" ]; then
	ok "a page without -q differs from record --help"
else
	not_ok "a page without -q is not told from record --help"
fi
