# Shared by the integration tests (POSIX sh: they also run in busybox
# guests). Each check prints one line, "ok - NAME", "not ok - NAME: why"
# or "skip - NAME: why"; tests/run counts them.

: "${BUILD:=build}"
: "${THPSCOPE:=$BUILD/thpscope}"
: "${THPLOAD:=$BUILD/thpload}"
: "${JGET:=$BUILD/tests/jget}"
: "${FTCOUNT:=$BUILD/tests/ftcount}"

# busybox's sh runs its own applets before the programs on PATH, and its
# setpriv cannot change the user; the lab's guests carry util-linux's as
# /usr/bin/setpriv, which the tests without root need.
if [ -x /usr/bin/setpriv ]; then
	setpriv() { /usr/bin/setpriv "$@"; }
fi

TMP=$(mktemp -d /tmp/thpscope-test.XXXXXX)
# ft_open runs in command substitutions: its instances are listed in a
# file, not a variable, so that cleanup sees them.
FT_LIST=$TMP/ft-instances
# knob_set saves the values it replaces here, restored by cleanup.
KNOB_LIST=$TMP/knobs
# An instance's events/enable turns all its events off in one write (a
# loop over its thousands of events costs tens of seconds in the guests).
ft_remove() {
	echo 0 >"$1/tracing_on" 2>/dev/null
	echo 0 >"$1/events/enable" 2>/dev/null
	rmdir "$1" 2>/dev/null
}
cleanup() {
	if [ -f "$FT_LIST" ]; then
		while read -r i; do ft_remove "$i"; done <"$FT_LIST"
	fi
	# Newest first, so that a knob set twice gets its first value back.
	if [ -f "$KNOB_LIST" ]; then
		awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) print l[i] }' "$KNOB_LIST" |
			while read -r f v; do echo "$v" >"$f"; done
	fi
	rm -rf "$TMP"
}

# knob_set FILE VALUE: write a sysfs knob for the rest of the test; its
# value (a "[choice]" file's choice) is put back on exit.
knob_set() {
	v=$(sed 's/.*\[\(.*\)\].*/\1/' "$1") || return 1
	echo "$1 $v" >>"$KNOB_LIST"
	echo "$2" >"$1"
}
trap cleanup EXIT
# A test killed (Ctrl-C, a timeout, a reader gone) still puts the knobs
# back: the signal becomes an exit, which runs cleanup.
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
skip() { echo "skip - $*"; }

# check_eq NAME WANT GOT (WANT from ftrace or the kernel, GOT from thpscope)
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1 ($3)"; else not_ok "$1: kernel says $2, thpscope $3"; fi
}

# check_ge NAME MIN GOT
check_ge() {
	if [ "$3" -ge "$2" ] 2>/dev/null; then ok "$1 ($3 >= $2)"; else not_ok "$1: $3 < $2"; fi
}

# check_le NAME MAX GOT
check_le() {
	if [ "$3" -le "$2" ] 2>/dev/null; then ok "$1 ($3 <= $2)"; else not_ok "$1: $3 > $2"; fi
}

# check_between NAME LOW GOT HIGH: thpscope's window lies between an
# inner and an outer ftrace window.
check_between() {
	if [ "$2" -le "$3" ] && [ "$3" -le "$4" ]; then
		ok "$1 ($2 <= $3 <= $4)"
	else
		not_ok "$1: $3 not within [$2, $4]"
	fi
}

# check_same NAME WANT GOT: two "key value" lists, order ignored.
check_same() {
	w=$(printf '%s\n' "$2" | sed '/^$/d' | sort)
	g=$(printf '%s\n' "$3" | sed '/^$/d' | sort)
	if [ -z "$w" ]; then
		not_ok "$1: the kernel recorded no such event"
	elif [ "$w" = "$g" ]; then
		ok "$1 ($(echo $w))"
	else
		not_ok "$1: kernel [$(echo $w)] thpscope [$(echo $g)]"
	fi
}

# expect NAME STATUS PATTERN CMD...: CMD exits STATUS and its stderr is
# one line matching PATTERN.
expect() {
	name=$1 want=$2 pat=$3
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	lines=$(wc -l <"$TMP/err")
	if [ "$got" != "$want" ]; then
		not_ok "$name: exit $got, want $want ($(head -c 200 "$TMP/err"))"
	elif [ -n "$pat" ] && { [ "$lines" != 1 ] || ! grep -q -- "$pat" "$TMP/err"; }; then
		not_ok "$name: stderr [$(cat "$TMP/err")] does not match '$pat' in one line"
	else
		ok "$name"
	fi
}

require_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "${0##*/}: needs root"
		exit 0
	fi
	thp_for_madvise
}

# THP on for MADV_HUGEPAGE regions, as thpload's scenarios expect: a
# machine (or a run killed before it put them back) with THP off gets it
# for the test's duration. Tests that want it off set it after this.
thp_for_madvise() {
	t=/sys/kernel/mm/transparent_hugepage
	[ -w "$t/enabled" ] || return 0
	grep -q '\[never\]' "$t/enabled" && knob_set "$t/enabled" madvise
	pmd=$t/hugepages-$(($(cat "$t/hpage_pmd_size") / 1024))kB/enabled
	[ -w "$pmd" ] && grep -q '\[never\]' "$pmd" && knob_set "$pmd" inherit
	return 0
}

tracefs() {
	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		[ -d "$d/events" ] && { echo "$d"; return 0; }
	done
	mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null && echo /sys/kernel/tracing
}

# ft_open NAME SYSTEM/EVENT...: a private ftrace instance with those
# events on; prints its path.
ft_open() {
	t=$(tracefs) || return 1
	inst="$t/instances/thpscope-$1-$$"
	mkdir "$inst" || return 1
	echo "$inst" >>"$FT_LIST"
	echo 32768 >"$inst/buffer_size_kb"
	shift
	for ev in "$@"; do
		[ -e "$inst/events/$ev/enable" ] && echo 1 >"$inst/events/$ev/enable"
	done
	echo "$inst"
}

ft_off() {
	echo 0 >"$1/tracing_on"
}

# jlist REC PATH: "key value" for the integers of the object at PATH.
jlist() {
	for k in $("$JGET" -k "$1" "$2"); do
		echo "$k $("$JGET" "$1" "$2.$k")"
	done
}

# jlist_orders REC PATH: like jlist over {order: {key: value}}, summed
# over the orders.
jlist_orders() {
	for o in $("$JGET" -k "$1" "$2"); do
		jlist "$1" "$2.$o"
	done | awk '{ s[$1] += $2 } END { for (k in s) print k, s[k] }'
}

# keyed_sum REC PATH FIELD: FIELD summed over the objects keyed below PATH.
keyed_sum() {
	for k in $("$JGET" -k "$1" "$2"); do
		"$JGET" "$1" "$2.$k.$3"
	done | awk '{ s += $1 } END { print s + 0 }'
}

# vmstat_of NAME: the kernel's counter NAME now.
vmstat_of() {
	awk -v n="$1" '$1 == n { print $2 }' /proc/vmstat
}

# The page size in bytes (busybox has no getconf).
page_size() {
	awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps
}

# sum of the second column
sum2() {
	awk '{ s += $2 } END { print s + 0 }'
}

# record_windowed NAME REC "EVENTS" THPLOAD-ARGS...: record thpload with
# thpscope into REC while two ftrace instances trace EVENTS: $outer around
# the whole recording, $inner around the workload only. Events the kernel
# emits on its own clock must lie between the two. Returns the workload's
# exit status. The kernel's counters and ftrace are system-wide and count
# thpscope's own work too (NUMA balancing migrates its pages in the
# two-node guests), so thpscope counts itself here: --include-self.
record_windowed() {
	name=$1 rec=$2 evs=$3
	shift 3
	# shellcheck disable=SC2086
	outer=$(ft_open "$name-outer" $evs)
	# shellcheck disable=SC2086
	inner=$(ft_open "$name-inner" $evs)
	echo 0 >"$inner/tracing_on"
	"$THPSCOPE" record -q --include-self -o "$rec" -- sh -c \
		"echo 1 > $inner/tracing_on; \"$THPLOAD\" $*; s=\$?; echo 0 > $inner/tracing_on; exit \$s" \
		>/dev/null
	s=$?
	ft_off "$outer"
	return $s
}

# The thpdev module built for this kernel, or a skip line naming WHAT and
# status 1 where none was built (kernels without DEVICE_PRIVATE).
thpdev_ko() {
	THPDEV_KO=${THPDEV_KO:-/mnt/module/thpdev-$(uname -r).ko}
	[ -f "$THPDEV_KO" ] && return 0
	skip "$1: no module built for $(uname -r)"
	return 1
}

# ok when the kernel log (cleared with `dmesg -c` before the test) has no
# warning, bug, bad page, lockdep or hung-task report; else not ok with
# its tail. WHEN says after what.
kernel_log_clean() {
	if dmesg | grep -E 'WARNING|BUG|Oops|Bad page|general protection|circular locking|lock held|blocked for more than|leak' >"$TMP/bad"; then
		not_ok "kernel log has warnings after $1: $(head -c 300 "$TMP/bad")"
		dmesg | tail -n 60
	else
		ok "kernel log clean after $1"
	fi
}
