#!/usr/bin/env bash
# bash completion (completion/thpscope.bash) driven as bash drives it:
# COMP_WORDS and COMP_CWORD set, the function that complete -p names
# called, COMPREPLY compared with what the sources say. No kernel needed.
# tests/run starts every static check with sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
if [ ! -x "$BUILD/thpscope" ] || [ ! -x "$BUILD/thpload" ]; then
	not_ok "completion: $BUILD/thpscope or thpload is not built (make)"
	exit 0
fi
PATH=$BUILD:$PATH
# shellcheck source=../../completion/thpscope.bash
. "$top/completion/thpscope.bash"

# complete WORD...: the sorted candidates for the last WORD.
complete_words() {
	local func
	func=$(complete -p "$1" 2>/dev/null | sed -n 's/.*-F \([^ ]*\) .*/\1/p')
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	"$func"
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort | paste -s -d ' ' -
}

# expect_words NAME WANT WORD...: WANT is a list of words.
expect_words() {
	local name=$1 want got
	# shellcheck disable=SC2086 # a list of words
	want=$(printf '%s\n' $2 | sort | paste -s -d ' ' -)
	shift 2
	got=$(complete_words "$@")
	if [ "$got" = "$want" ]; then
		ok "$name: [$*] -> $got"
	else
		not_ok "$name: [$*] -> [$got], want [$want]"
	fi
}

for prog in thpscope thpload; do
	if complete -p "$prog" | grep -q -- "-F _$prog $prog\$"; then
		ok "complete -p $prog: $(complete -p "$prog")"
	else
		not_ok "complete -p $prog: $(complete -p "$prog" 2>&1)"
	fi
done

# The commands of user/main.c's table, the families of user/families.c's.
commands=$(sed -n 's/^[[:space:]]*{ "\([a-z]*\)", cmd_.*/\1/p' "$top/user/main.c")
families=$(sed -n 's/^[[:space:]]*X(\([a-z_]*\)).*/\1/p' "$top/user/families.c")
expect_words "commands" "$commands" thpscope ""
expect_words "commands by prefix" "$(echo "$commands" | grep '^r')" thpscope r
expect_words "thpscope's options" "-h --help --version" thpscope -
expect_words "record's options by prefix" "--include-self" thpscope record -q --i
expect_words "diff's options by prefix" "--min-change" thpscope diff --m
for c in record trace serve; do
	expect_words "$c -e: the families" "$families" thpscope "$c" -e ""
done
expect_words "trace -e by prefix" "$(echo "$families" | grep '^s')" thpscope trace -e s
expect_words "no candidates for -d SECONDS" "" thpscope record -d ""

mkdir "$TMP/wd" "$TMP/wd/runs" && cd "$TMP/wd" && touch a.json b.json notes.txt
expect_words "report: records, directories, stdin" "a.json b.json runs -" thpscope report ""
expect_words "diff: records and directories" "a.json b.json runs" thpscope diff a.json ""
expect_words "diff: the next record of a list" "a.json,a.json a.json,b.json a.json,runs" \
	thpscope diff a.json,
expect_words "record -o: any file" "a.json b.json notes.txt runs" thpscope record -o ""
expect_words "report -o by prefix" "notes.txt" thpscope report a.json --html -o n
touch "runs/my run.json"
got=$(complete_words thpscope report runs/m)
if [ "$got" = "runs/my run.json" ]; then
	ok "a record whose name has a space is one candidate: $got"
else
	not_ok "a record whose name has a space: [$got]"
fi
expect_words "the COMMAND after --" "thpload" thpscope record -e split -- thpl

pids=$(complete_words thpscope top -p "$$")
case " $pids " in
*" $$ "*) ok "top -p: this shell's pid $$ among $(echo "$pids" | wc -w) candidates" ;;
*) not_ok "top -p $$: [$pids]" ;;
esac
comm=$(cat /proc/$$/comm)
case " $(complete_words thpscope trace --comm "$comm") " in
*" $comm "*) ok "trace --comm: this shell's name $comm" ;;
*) not_ok "trace --comm $comm: not among the candidates" ;;
esac

# The scenarios of thpload.c's table.
scenarios=$(sed -n 's/^[[:space:]]*{ "\([a-z-]*\)", [a-z_]*, \(true\|false\), .*/\1/p' \
	"$top/workloads/thpload.c")
expect_words "thpload scenarios by prefix" "$(echo "$scenarios" | grep '^co')" thpload co
expect_words "thpload options" "-n -m -t -r -o -f -h" thpload -
