#!/bin/sh
# Record files as the CLI reads them: the seeds (real records of several
# kernels, and synthetic-device.json for the device sections no guest
# record has) give the same report as when they were recorded and go
# through every reader; each regression input is refused with one line
# naming its key, or read whole; directories, FIFOs and stdin.
# BUILD selects the binaries (build/asan for the sanitizer stage).
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"
seeds=$here/seeds
regr=$here/regressions
other=$seeds/6.18-mixed.json

# run NAME WANT CMD...: CMD exits WANT (a list: "0 1") with nothing on
# stderr.
run() {
	name=$1 want=$2
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	case " $want " in
	*" $got "*)
		if [ -s "$TMP/err" ]; then
			not_ok "$name: stderr $(head -c 300 "$TMP/err")"
		else
			ok "$name"
		fi ;;
	*) not_ok "$name: exit $got, want $want ($(head -c 300 "$TMP/err"))" ;;
	esac
}

# refused NAME STATUS PATTERN CMD...: CMD exits STATUS with one short line
# on stderr matching PATTERN, and writes no page.
refused() {
	name=$1 want=$2 pat=$3
	shift 3
	rm -f "$TMP/page.html"
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	if [ "$got" != "$want" ]; then
		not_ok "$name: exit $got, want $want ($(head -c 300 "$TMP/err"))"
	elif [ "$(wc -l <"$TMP/err")" != 1 ] || [ "$(wc -c <"$TMP/err")" -gt 400 ] ||
	     ! grep -q -- "$pat" "$TMP/err"; then
		not_ok "$name: stderr [$(head -c 300 "$TMP/err")] is not one short line matching '$pat'"
	elif [ -e "$TMP/page.html" ]; then
		not_ok "$name: a page was written"
	else
		ok "$name"
	fi
}

# Every reader of an accepted record: report, --json, --html, diff both ways.
readers() {
	f=$1 n=${1##*/}
	run "report $n" 0 "$THPSCOPE" report "$f"
	cp "$TMP/out" "$TMP/report.txt"
	run "report --json $n" 0 "$THPSCOPE" report --json "$f"
	run "report --html $n" 0 "$THPSCOPE" report --html -o "$TMP/page.html" "$f"
	run "report --openmetrics $n" 0 "$THPSCOPE" report --openmetrics "$f"
	run "report --prometheus $n" 0 "$THPSCOPE" report --prometheus "$f"
	run "diff $n against a seed" "0 1" "$THPSCOPE" diff "$f" "$other"
	run "diff a seed against $n" "0 1" "$THPSCOPE" diff --json "$other" "$f"
	run "diff --html $n" "0 1" "$THPSCOPE" diff --html "$TMP/page.html" "$other" "$f"
}

for f in "$seeds"/*.json; do
	readers "$f"
	if cmp -s "${f%.json}.txt" "$TMP/report.txt"; then
		ok "report ${f##*/} as when recorded"
	else
		not_ok "report ${f##*/} changed: $(diff "${f%.json}.txt" "$TMP/report.txt" | head -n 4)"
	fi
done

# Refused: the key named, the CLI's status, nothing written.
bad() {
	f=$regr/$1 pat=$2
	refused "report $1" 1 "$pat" "$THPSCOPE" report "$f"
	refused "report --html $1" 1 "$pat" "$THPSCOPE" report --html -o "$TMP/page.html" "$f"
	refused "report --openmetrics $1" 1 "$pat" "$THPSCOPE" report --openmetrics -o "$TMP/page.html" "$f"
	refused "diff $1 against a seed" 2 "$pat" "$THPSCOPE" diff --html "$TMP/page.html" "$f" "$other"
	refused "diff a seed against $1" 2 "$pat" "$THPSCOPE" diff "$other" "$f"
}
bad deferred-key300.json 'deferred\.by_order\.7\{40\}\.\.\.: not an order'
bad mthp-key100000.json 'counters\.mthp\.4\{40\}\.\.\.: not an order'
bad collapse-order64.json 'collapse\.by_order\.64: not an order from 0 to the PMD order 9'
bad split-order-1.json 'split\.by_order\.-1: not an order'
bad pmd-order63.json 'kernel\.pmd_order: 63 is not a PMD order (1\.\.13)'
bad fallback-huge-count.json \
	'migrate_vma\.fallback_reasons\.split_failed: 9223372036854775807 is out of range'
bad split-failed-negative.json 'split\.by_order\.9\.failed: -5 is out of range'
bad timeline-sum-overflow.json 'timeline\.series\.collapse\.attempts'
bad collapse-real-count.json 'collapse\.by_order\.9\.fail: 1e+300 is not a whole number'
bad schema-number.json '"schema" is a number, not a string'

# Accepted, and read whole.
for f in html-no-by-order.json long-names.json sort-keys-overflow.json; do
	readers "$regr/$f"
done
"$THPSCOPE" report "$regr/long-names.json" >"$TMP/out" 2>&1
n=$(grep -c "$(printf 'r%.0s' $(seq 300)) " "$TMP/out")
[ "$n" -ge 1 ] && ok "a 300-character reason is printed whole ($n rows)" ||
	not_ok "the 300-character reason is cut or missing"
n=$(tr -c m '\n' <"$TMP/out" | awk 'length == 100000' | wc -l)
[ "$n" -ge 1 ] && ok "a 100000-character mechanism is printed whole" ||
	not_ok "the 100000-character mechanism is cut or missing"
"$THPSCOPE" report "$regr/sort-keys-overflow.json" >"$TMP/out" 2>&1
got=$(awk '/^Migration by mode/ { on = 1; next } on && /^$/ { exit } on && NR > 0 { print $1 }' \
	"$TMP/out" | sed 1d | tr '\n' ' ')
want="-9223372036854775807 -1 9223372036854775807 "
[ "$got" = "$want" ] && ok "modes sorted numerically at the ends of long ($got)" ||
	not_ok "modes sorted [$got], want [$want]"

# A pathology found where the base found none is a regression, and is
# exported: the seed with a thrashing range against itself without it.
p=$seeds/synthetic-pathology.json
awk '/^  "pathologies": \[/ { print "  \"pathologies\": []"; print "}"; exit } { print }' "$p" \
	>"$TMP/calm.json"
run "diff: a new thrashing range is a regression" 1 "$THPSCOPE" diff "$TMP/calm.json" "$p"
grep -q '^  pathology\.thrash\.count .* REGRESSION$' "$TMP/out" &&
	ok "diff names pathology.thrash.count" || not_ok "diff: $(grep pathology "$TMP/out")"
run "diff: the same pathologies are none" 0 "$THPSCOPE" diff "$p" "$p"
"$THPSCOPE" report --prometheus "$p" >"$TMP/out"
check_eq "the thrashing range exported" 1 \
	"$(sed -n 's/^thpscope_pathologies_detected_total{kind="thrash"} //p' "$TMP/out")"

# Inputs that are not record files.
refused "report of a directory" 1 "$TMP: is a directory" "$THPSCOPE" report "$TMP"
mkfifo "$TMP/fifo"
refused "report of a FIFO with no writer" 1 "fifo: not a regular file" \
	timeout 10 "$THPSCOPE" report "$TMP/fifo"
refused "diff of a FIFO" 2 "fifo: not a regular file" timeout 10 "$THPSCOPE" diff "$TMP/fifo" "$other"
"$THPSCOPE" report - <"$other" >"$TMP/stdin.txt" 2>"$TMP/err"
if cmp -s "$TMP/stdin.txt" "${other%.json}.txt" && [ ! -s "$TMP/err" ]; then
	ok "report - reads stdin"
else
	not_ok "report - differs from report FILE ($(head -c 200 "$TMP/err"))"
fi
refused "report - of an array" 1 'stdin: not a thpscope record (an array, not an object)' \
	sh -c "echo '[42]' | \"$THPSCOPE\" report -"
