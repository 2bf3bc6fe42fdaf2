#!/bin/sh
# The command line: help, errors as one line with a non-zero exit, exit
# status pass-through, duration, signals, atomic record files, probes.
. "$(dirname "$0")/../lib.sh"
require_root

for c in "" record report probes top trace diff serve; do
	expect "thpscope${c:+ $c} --help" 0 "" "$THPSCOPE" $c --help
done
expect "no command" 2 "" "$THPSCOPE"
expect "unknown command" 2 "unknown command 'frobnicate'" "$THPSCOPE" frobnicate
expect "report without a file" 2 "expects one record file" "$THPSCOPE" report
expect "serve --listen without a port" 2 "with a port from 1 to 65535, not '1.2.3'" \
	"$THPSCOPE" serve --listen 1.2.3
expect "serve --listen of a name" 2 "'localhost:80' is not a numeric" \
	"$THPSCOPE" serve --listen localhost:80
expect "serve --by-cgroup too deep" 2 "from 0 to 16, not '99'" "$THPSCOPE" serve --by-cgroup 99
expect "serve with a command" 2 "serve runs no command" "$THPSCOPE" serve -- true
expect "report of a missing file" 1 "$TMP/none.json" "$THPSCOPE" report "$TMP/none.json"
printf '{"schema": "thpscope-record/1",\n "collapse": {,}}\n' >"$TMP/bad.json"
expect "malformed record names line and column" 1 "bad.json:2:" "$THPSCOPE" report "$TMP/bad.json"
echo '{"schema": "thpscope-record/99"}' >"$TMP/future.json"
expect "unknown schema version" 1 "is not supported" "$THPSCOPE" report "$TMP/future.json"
expect "report --json and --html" 2 "exclude each other" "$THPSCOPE" report --json --html "$TMP/bad.json"
expect "trace: unknown family" 2 "unknown family 'nosuch'" "$THPSCOPE" trace -e nosuch
expect "trace: ring too small" 2 "ring-kb wants" "$THPSCOPE" trace --ring-kb 1
expect "top: bad interval" 2 "wants seconds from" "$THPSCOPE" top -i 0
expect "record: no such process" 2 "no process 99999999" "$THPSCOPE" record -p 99999999
expect "record: not a cgroup" 2 "is not a cgroup directory" "$THPSCOPE" record --cgroup /proc
expect "record: comm too long" 2 "1 to 15 characters" "$THPSCOPE" record --comm abcdefghijklmnopq
expect "diff: one side only" 2 "wants BASE and NEW" "$THPSCOPE" diff "$TMP/bad.json"
echo '[1, 2]' >"$TMP/array.json"
expect "not a record" 1 "not a thpscope record" "$THPSCOPE" report "$TMP/array.json"
expect "record -d 0" 2 "wants seconds from" "$THPSCOPE" record -d 0
expect "record -d junk" 2 "wants seconds from" "$THPSCOPE" record -d 1s
expect "record unknown option" 2 "unknown option" "$THPSCOPE" record --frob
expect "record into a missing directory" 1 "cannot write" \
	"$THPSCOPE" record -q -o "$TMP/no/such/dir.json" -- true
[ -e "$TMP/no" ] && not_ok "a missing directory was created" || ok "nothing written on error"
# Checks of the command line load one family (-e collapse): every probe
# is checked once, in the full record of -d 0.5 below.
expect "record of a missing command" 127 "cannot run" \
	"$THPSCOPE" record -e collapse -q -o "$TMP/m.json" -- /nonexistent/cmd
[ -e "$TMP/m.json" ] && not_ok "a record of a command never run was written" ||
	ok "no record of a command never run"
expect "trace of a missing command" 127 "cannot run" \
	"$THPSCOPE" trace -e collapse -- /nonexistent/cmd
expect "top of a missing command" 127 "cannot run" \
	"$THPSCOPE" top --once -- /nonexistent/cmd
if setpriv --help 2>&1 | grep -q -- --reuid; then
	expect "unprivileged" 1 "needs root" setpriv --reuid=65534 --regid=65534 \
		--clear-groups --inh-caps=-all "$THPSCOPE" record -q -d 1 -o /dev/null
else
	skip "unprivileged: no util-linux setpriv"
fi

"$THPSCOPE" record -e collapse -q -o "$TMP/exit.json" -- sh -c 'exit 7'
check_eq "command's exit status is passed on" 7 $?
check_eq "exit status recorded" 7 "$("$JGET" "$TMP/exit.json" command.exit_status)"

"$THPSCOPE" record -q -d 0.5 -o "$TMP/d.json"
check_eq "record -d exits 0" 0 $?
ns=$("$JGET" "$TMP/d.json" duration_ns)
check_between "record -d 0.5 lasts half a second (ms)" 500 $((ns / 1000000)) 1500
check_eq "record schema" thpscope-record/1 "$("$JGET" "$TMP/d.json" schema)"

"$THPSCOPE" record -e collapse -q -o "$TMP/int.json" &
rpid=$!
sleep 1
kill -INT $rpid
wait $rpid
check_eq "SIGINT ends a recording cleanly" 0 $?
check_eq "record written after SIGINT" thpscope-record/1 "$("$JGET" "$TMP/int.json" schema)"
left=$(ls -A "$TMP" | grep -c '^\.' )
check_eq "no temporary files left beside records" 0 "$left"

"$THPSCOPE" report --json "$TMP/d.json" >"$TMP/d2.json"
if cmp -s "$TMP/d.json" "$TMP/d2.json"; then ok "report --json prints the record as written"
else not_ok "report --json differs from the record"; fi
"$THPSCOPE" report "$TMP/d.json" >"$TMP/report.txt"
for section in "probes:" "THP:" "Collapse" "Migration"; do
	if grep -q "$section" "$TMP/report.txt"; then ok "report has '$section'"
	else not_ok "report lacks '$section'"; fi
done

"$THPSCOPE" probes --json >"$TMP/probes.json"
check_eq "probes --json exits 0" 0 $?
# Every probe either attached or says why not.
for p in $(sed -n 's/^ "\([a-z_]*:[a-z_]*\)".*/\1/p' "$TMP/probes.json"); do
	a=$("$JGET" "$TMP/d.json" "probes.$p.attached" 2>/dev/null)
	w=$("$JGET" "$TMP/d.json" "probes.$p.why" 2>/dev/null)
	if [ "$a" = true ] || { [ "$a" = false ] && [ "$w" != null ] && [ -n "$w" ]; }; then
		ok "probe $p: attached=$a"
	else
		not_ok "probe $p: attached=$a why=$w"
	fi
done
