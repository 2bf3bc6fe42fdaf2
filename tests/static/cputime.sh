#!/bin/sh
# The bench's CPU clock (build/tests/cputime) against the kernel's own
# accounting in /proc/PID/stat (ticks of 1/CLK_TCK s): a busy process, a
# command's tree, the exit status passed on, bad input refused.
. "$(dirname "$0")/../lib.sh"
C=$BUILD/tests/cputime
[ -x "$C" ] || { not_ok "cputime: $C is not built (make tools)"; exit 0; }
hz=$(getconf CLK_TCK)

# ticks_ns FILE: utime + stime (+ cutime + cstime with "all") of a saved
# /proc/PID/stat, in ns.
ticks_ns() {
	awk -v hz="$hz" -v all="${2:-}" '{ t = $14 + $15; if (all) t += $16 + $17
		printf "%.0f\n", t * 1e9 / hz }' "$1"
}
# within A B NS: |A - B| <= NS.
within() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { exit !(a - b <= d && b - a <= d) }'; }

# A process that burns CPU: -p reads its clock, /proc its ticks, while it
# is stopped (on a loaded machine, starting the second reader takes long
# enough for a running process to add tens of milliseconds).
sh -c 'while :; do :; done' &
busy=$!
sleep 0.5
kill -STOP "$busy"
n=$("$C" -p "$busy")
cp "/proc/$busy/stat" "$TMP/stat"
kill "$busy"
kill -CONT "$busy"
wait "$busy" 2>/dev/null
t=$(ticks_ns "$TMP/stat")
if [ "$n" -gt 100000000 ] && within "$n" "$t" 30000000; then
	ok "-p: a busy process's CPU time, $n ns, is what /proc counts ($t ns)"
else
	not_ok "-p: $n ns against $t ns in /proc/PID/stat"
fi

# A command whose child burns CPU and is waited for: its tree's rusage.
# The shell saves its own stat last, children's times included.
rm -f "$TMP/out"
"$C" -o "$TMP/out" sh -c '
	sh -c "i=0; while [ \$i -lt 300000 ]; do i=\$((i + 1)); done"
	cat /proc/$$/stat >"$1"' sh "$TMP/tree" >/dev/null
rc=$?
read -r wall user sys <"$TMP/out"
t=$(ticks_ns "$TMP/tree" all)
if [ "$rc" -eq 0 ] && [ "$t" -gt 100000000 ] && within "$((user + sys))" "$t" 30000000 &&
	[ "$wall" -ge "$((user + sys - 30000000))" ]; then
	ok "-o: a command's tree, $((user + sys)) ns of CPU in $wall ns, is what /proc counts ($t ns)"
else
	not_ok "-o: rc $rc, wall $wall, user $user, sys $sys against $t ns in /proc"
fi

rm -f "$TMP/out"
"$C" -o "$TMP/out" sh -c 'exit 3'
check_eq "-o: the command's exit status is passed on" 3 $?
rm -f "$TMP/out"
"$C" -o "$TMP/out" sh -c 'kill -TERM $$'
check_eq "-o: a command ended by a signal: 128 + the signal" 143 $?

# Hostile input: one line of error, a non-zero exit, no file written.
# refused NAME COMMAND...
refused() {
	name=$1
	shift
	rm -f "$TMP/out"
	if "$@" >/dev/null 2>"$TMP/err"; then
		not_ok "$name: accepted"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ -e "$TMP/out" ]; then
		not_ok "$name: $(cat "$TMP/err"), file written: $([ -e "$TMP/out" ] && echo yes || echo no)"
	else
		ok "$name refused: $(cat "$TMP/err")"
	fi
}
refused "a pid that is not a number" "$C" -p 12x
refused "a pid of no process" "$C" -p 4194304
refused "a pid beyond the kernel's bound" "$C" -p 2147483647
echo keep >"$TMP/kept"
refused "an output file that exists" "$C" -o "$TMP/kept" true
check_eq "the file that existed is left as it was" keep "$(cat "$TMP/kept")"
refused "no arguments" "$C"
refused "a command that does not exist" "$C" -o "$TMP/out" "$TMP/no-such-command"
refused "a file in no directory" "$C" -o "$TMP/none/out" true
