#!/bin/sh
# What thpscope writes and how it stops: output paths checked before any
# probe attaches and never replaced when they are not files, a full disk
# and the umask, a command that ignores SIGTERM, a second signal, SIGHUP,
# bounded durations, the capabilities the README lists, top on a dumb
# terminal.
. "$(dirname "$0")/../lib.sh"
require_root
if [ -n "${THPSCOPE_GUEST:-}" ]; then
	# Paths, signals and options are the same on every kernel: the host
	# run covers them, and the guests' time goes to the kernels' events.
	skip "outputs: kernel-independent, run on the host"
	exit 0
fi

# still NAME TEST PATH: PATH still passes test(1)'s TEST (-c, -p, -L, -b).
still() {
	if [ "$2" "$3" ]; then ok "$1"; else not_ok "$1: $(ls -ld "$3")"; fi
}

# ended PID SECONDS: PID is gone within SECONDS; else it is killed.
ended() {
	n=$(($2 * 10))
	while [ $n -gt 0 ] && kill -0 "$1" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -0 "$1" 2>/dev/null || return 0
	kill -KILL "$1"
	return 1
}

schema_of() {
	"$JGET" "$1" schema 2>/dev/null
}

# A command that ignores SIGTERM, SIGINT and SIGHUP for 30 s; its sleeps
# are short so that SIGKILL leaves nothing behind for long.
STUBBORN='trap "" TERM INT HUP; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done'

## Output paths: what is there decides; checked before tracing.
mknod "$TMP/null" c 1 3
"$THPSCOPE" record -q -d 0.2 -o "$TMP/null"
check_eq "record -o a null device exits 0" 0 $?
still "a character device is written through, not replaced" -c "$TMP/null"
"$THPSCOPE" record -q -d 0.2 -o "$TMP/rec.json"
# The report, then the note naming the file, also in one log (stdout
# block-buffered beside stderr).
"$THPSCOPE" record -d 0.2 -o "$TMP/order.json" >"$TMP/order.log" 2>&1
check_eq "record's report comes whole before its note in one log" \
	"thpscope: record written to $TMP/order.json" "$(tail -n 1 "$TMP/order.log")"
"$THPSCOPE" report --html -o "$TMP/null" "$TMP/rec.json"
still "report --html -o a character device keeps it one" -c "$TMP/null"

# The other kinds through report --html, which writes the same way and
# attaches nothing.
mkfifo "$TMP/fifo"
# This shell holds the FIFO open for reading (read-write, so that the
# open does not wait for a writer); the page waits in the pipe's buffer
# for one read.
exec 3<>"$TMP/fifo"
"$THPSCOPE" report --html -o "$TMP/fifo" "$TMP/rec.json"
still "a FIFO stays a FIFO" -p "$TMP/fifo"
[ -p "$TMP/fifo" ] && dd bs=65536 count=1 <&3 >"$TMP/from-fifo" 2>/dev/null
exec 3<&-
check_eq "the page goes through the FIFO" "</html>" "$(tail -n 1 "$TMP/from-fifo" 2>/dev/null)"
expect "a FIFO nobody reads is a broken pipe" 1 "Broken pipe" \
	"$THPSCOPE" report --html -o "$TMP/fifo" "$TMP/rec.json"

echo old >"$TMP/target.html"
ln -s target.html "$TMP/link.html"
"$THPSCOPE" report --html -o "$TMP/link.html" "$TMP/rec.json"
still "a symlink stays a symlink" -L "$TMP/link.html"
check_eq "its target gets the page" "</html>" "$(tail -n 1 "$TMP/target.html")"
ln -s "$TMP/nowhere.json" "$TMP/dangling.json"
expect "a symlink to nothing is refused" 1 "symbolic link to nothing" \
	"$THPSCOPE" report --html -o "$TMP/dangling.json" "$TMP/rec.json"
[ -e "$TMP/nowhere.json" ] && not_ok "a file was created through a dangling symlink" ||
	ok "nothing created through a dangling symlink"
mknod "$TMP/loop" b 7 0
expect "a block device is refused" 1 "is a block device" \
	"$THPSCOPE" record -q -d 0.2 -o "$TMP/loop"
still "the block device is left alone" -b "$TMP/loop"

# A directory: refused before any probe attaches (one line, no
# "probes attached"), not after the whole -d.
t0=$(date +%s)
expect "record -o DIR is refused before tracing" 1 "Is a directory" \
	"$THPSCOPE" record -d 5 -o "$TMP"
check_between "and at once (s)" 0 $(($(date +%s) - t0)) 2
expect "record -o NEWDIR/ is refused" 1 "Is a directory" \
	"$THPSCOPE" record -d 5 -o "$TMP/newdir/"
expect "report --html -o DIR is refused" 1 "Is a directory" \
	"$THPSCOPE" report --html -o "$TMP" "$TMP/rec.json"
expect "report -o without an output form is refused" 2 "none is given" \
	"$THPSCOPE" report -o "$TMP/x.html" "$TMP/rec.json"
# diff checks its page before it reads a record: BASE does not exist.
expect "diff --html DIR is refused before loading" 2 "Is a directory" \
	"$THPSCOPE" diff --html "$TMP" "$TMP/none.json" "$TMP/rec.json"

## A full disk, the umask.
mknod "$TMP/full" c 1 7
expect "a full device says so" 1 "No space left on device" \
	"$THPSCOPE" record -q -d 0.2 -o "$TMP/full"
mkdir "$TMP/small"
if mount -t tmpfs -o size=64k thpscope-test "$TMP/small" 2>/dev/null; then
	# Leave 8 kB: less than a record, more than the check needs.
	dd if=/dev/zero of="$TMP/small/filler" bs=4k count=14 2>/dev/null
	expect "a full file system says so" 1 "No space left on device" \
		"$THPSCOPE" record -q -d 0.2 -o "$TMP/small/rec.json"
	check_eq "and leaves no partial file" filler "$(ls -A "$TMP/small")"
	umount "$TMP/small"
else
	skip "full file system: cannot mount a tmpfs"
fi
(umask 077 && "$THPSCOPE" record -q -d 0.2 -o "$TMP/private.json")
check_eq "umask 077 gives mode 600" 600 "$(stat -c %a "$TMP/private.json")"
(umask 022 && "$THPSCOPE" report --html -o "$TMP/page.html" "$TMP/rec.json")
check_eq "umask 022 gives mode 644" 644 "$(stat -c %a "$TMP/page.html")"

## Durations are bounded.
# -d/-o on the lines that must fail, so that a build that takes the
# value neither runs for ever nor writes in the working directory.
out=$TMP/bounded.json
expect "record -d 1e300" 2 "wants seconds from" "$THPSCOPE" record -q -o "$out" -d 1e300
expect "record -d 18446744073 (2^64 ns)" 2 "wants seconds from" \
	"$THPSCOPE" record -q -o "$out" -d 18446744073
expect "record -i 1e-300" 2 "wants seconds from" "$THPSCOPE" record -q -o "$out" -d 1 -i 1e-300
expect "trace -d 1e300" 2 "wants seconds from" "$THPSCOPE" trace -d 1e300
expect "top -i 1e300" 2 "wants seconds from" "$THPSCOPE" top -d 1 -i 1e300

## A command that ignores SIGTERM: SIGKILL after the grace period.
"$THPSCOPE" record -q -d 0.3 -o "$TMP/stubborn.json" -- sh -c "$STUBBORN" 2>"$TMP/err" &
rpid=$!
if ended $rpid 10; then
	wait $rpid
	check_eq "record of a command ignoring SIGTERM ends (exit 128+SIGKILL)" 137 $?
	check_eq "the record says SIGKILL" 9 "$("$JGET" "$TMP/stubborn.json" command.signal)"
	grep -q "sending SIGKILL" "$TMP/err" && ok "the SIGKILL is said" ||
		not_ok "the SIGKILL is not said: $(cat "$TMP/err")"
else
	not_ok "record hangs on a command that ignores SIGTERM"
fi
for c in trace top; do
	"$THPSCOPE" $c -d 0.3 -- sh -c "$STUBBORN" >/dev/null 2>&1 &
	rpid=$!
	if ended $rpid 10; then ok "$c ends with a command that ignores SIGTERM"
	else not_ok "$c hangs on a command that ignores SIGTERM"; fi
done

# A second Ctrl-C stops at once (well before the grace period), and the
# record is still complete.
"$THPSCOPE" record -q -o "$TMP/twice.json" -- sh -c "$STUBBORN" 2>"$TMP/err" &
rpid=$!
sleep 1
kill -INT $rpid
sleep 0.3
kill -INT $rpid
if ended $rpid 2; then
	wait $rpid
	check_eq "a second SIGINT kills the command" 137 $?
	check_eq "and the record is complete" thpscope-record/1 "$(schema_of "$TMP/twice.json")"
else
	not_ok "a second SIGINT does not stop record"
fi

# SIGHUP ends a recording like SIGTERM. A command started with SIGHUP
# ignored (the suite run under nohup) keeps ignoring it, as it should.
if [ $((0x$(awk '/^SigIgn:/ { print $2 }' /proc/$$/status) & 1)) -ne 0 ]; then
	skip "SIGHUP: ignored by whatever started the tests (nohup?)"
else
	"$THPSCOPE" record -q -o "$TMP/hup.json" -- sleep 30 &
	rpid=$!
	sleep 1
	kill -HUP $rpid
	ended $rpid 5
	wait $rpid
	check_eq "SIGHUP: the command is passed SIGHUP" 129 $?
	check_eq "SIGHUP: the record is written" thpscope-record/1 "$(schema_of "$TMP/hup.json")"
fi

## Capabilities: the set the README lists works; one less is explained.
if setpriv --help 2>&1 | grep -q -- --reuid &&
	setpriv --help 2>&1 | grep -q -- --ambient-caps; then
	mkdir "$TMP/nobody" && chmod 777 "$TMP/nobody" && chmod 711 "$TMP"
	as_nobody() {
		caps=$1
		shift
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps="$caps" \
			--ambient-caps="$caps" "$@"
	}
	expect "CAP_BPF + CAP_PERFMON alone: says what is missing" 1 "CAP_DAC_READ_SEARCH" \
		as_nobody +bpf,+perfmon "$THPSCOPE" record -q -d 0.2 -o "$TMP/nobody/r.json"
	as_nobody +bpf,+perfmon,+dac_read_search \
		"$THPSCOPE" record -q -d 0.2 -o "$TMP/nobody/r.json" 2>"$TMP/err"
	check_eq "CAP_BPF + CAP_PERFMON + CAP_DAC_READ_SEARCH records" 0 $?
	check_eq "as nobody, a record is written" thpscope-record/1 \
		"$(schema_of "$TMP/nobody/r.json")"
	chmod 700 "$TMP"
else
	skip "capabilities: no util-linux setpriv"
fi

## top on a terminal that takes no escapes.
if script -V 2>/dev/null | grep -q util-linux; then
	for term in xterm dumb; do
		script -qec "env TERM=$term $THPSCOPE top -d 1 -i 0.5" /dev/null \
			</dev/null >"$TMP/top-$term" 2>&1
	done
	esc=$(printf '\033')
	grep -q "$esc" "$TMP/top-xterm" && ok "top on an xterm uses ANSI escapes" ||
		not_ok "top on an xterm shows no escape (the check below could not fail)"
	grep -q "$esc" "$TMP/top-dumb" && not_ok "top sends ANSI escapes with TERM=dumb" ||
		ok "top sends no escape with TERM=dumb"
	grep -q "COLLAPSE" "$TMP/top-dumb" && ok "top with TERM=dumb shows its screens" ||
		not_ok "top with TERM=dumb shows nothing: $(head -c 300 "$TMP/top-dumb")"
else
	skip "top with TERM=dumb: no util-linux script"
fi
