#!/bin/sh
# thpscope leaves itself out of what it measures: by default its memory
# gets no THP and no event is attributed to its process, while the
# command it runs keeps the system's THP policy; --include-self counts
# its own events. With every process's memory eligible (and order 2 on
# mTHP kernels) and khugepaged scanning fast, the ground truth is ftrace:
# khugepaged's records naming thpscope's mm (learnt from thpscope's own
# mmap_lock records), migrations thpscope itself performed (NUMA
# balancing, which THP has no say in), and /proc/<thpscope>/status and
# smaps_rollup read during the recording.
. "$(dirname "$0")/../lib.sh"
require_root

thp=/sys/kernel/mm/transparent_hugepage
knob_set $thp/enabled always
[ -e $thp/hugepages-16kB/enabled ] && knob_set $thp/hugepages-16kB/enabled inherit
knob_set $thp/khugepaged/scan_sleep_millisecs 10
knob_set $thp/khugepaged/pages_to_scan 16384
knob_set $thp/khugepaged/alloc_sleep_millisecs 10

events="huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page migrate/mm_migrate_pages"

# record_self NAME [OPTIONS...]: record system-wide into $TMP/NAME.json
# while a shell sleeps (no workload: in the 7.2 guest the mmap_lock
# records of thpscope's context also named a workload's mm). The shell, thpscope's child, reads thpscope's (its parent's)
# THP switch and AnonHugePages and its own THP switch into
# $TMP/NAME.<what>. thpscope is started by a shell that first points an
# ftrace filter at its own pid, which exec keeps. Sets $pid.
record_self() {
	name=$1
	shift
	outer=$(ft_open "self-$name-outer" $events)
	inner=$(ft_open "self-$name-inner" $events)
	echo 0 >"$inner/tracing_on"
	out=$TMP/$name
	sh -c 'echo "common_pid == $$ && comm == \"thpscope\"" >"$1/filter" && echo 1 >"$1/enable" && shift && exec "$@"' \
		sh "$outer/events/mmap_lock/mmap_lock_start_locking" \
		"$THPSCOPE" record -q -o "$out.json" "$@" -- sh -c "
			echo 1 >$inner/tracing_on; sleep 1
			awk '/^THP_enabled/ { print \$2 }' /proc/\$PPID/status >$out.thp
			awk '/^AnonHugePages/ { print \$2 }' /proc/\$PPID/smaps_rollup >$out.huge
			awk '/^THP_enabled/ { print \$2 }' /proc/\$\$/status >$out.child_thp
			sleep 1; echo 0 >$inner/tracing_on" &
	pid=$!
	wait $pid
	check_eq "$name: record exit status" 0 $?
	ft_off "$outer"
}

# scans_of INSTANCE, attempts_of INSTANCE: khugepaged's scans of
# thpscope's memory and collapse attempts on it (in khugepaged: the
# workload's MADV_COLLAPSE records are not of interest here);
# migrations_of INSTANCE: migrate_pages() calls of thpscope's own.
scans_of() { "$FTCOUNT" -c khugepaged -m "$pid" "$1" mm_khugepaged_scan_pmd -; }
attempts_of() { "$FTCOUNT" -c khugepaged -m "$pid" "$1" mm_collapse_huge_page -; }
migrations_of() { "$FTCOUNT" -p "$pid" "$1" mm_migrate_pages -; }

# The inner instance's records, behind thpscope's mmap_lock records from
# the outer one, which tell ftcount -m thpscope's mm.
inner_view() {
	mkdir -p "$TMP/inner-view"
	ln -sf "$inner/events" "$TMP/inner-view/events"
	{ grep ' mmap_lock_start_locking: ' "$outer/trace"; cat "$inner/trace"; } \
		>"$TMP/inner-view/trace"
	echo "$TMP/inner-view"
}

# Events the record attributes to thpscope, over every family.
attributed() {
	r=$TMP/$1.json
	echo $(($("$JGET" "$r" "collapse.processes[pid=$pid].scans") +
		$("$JGET" "$r" "collapse.processes[pid=$pid].attempts") +
		$("$JGET" "$r" "migration.processes[pid=$pid].calls") +
		$("$JGET" "$r" "split.processes[pid=$pid].splits") +
		$("$JGET" "$r" "pathologies[pid=$pid].count")))
}

record_self default
check_eq "default: the record names thpscope's pid" "$pid" "$("$JGET" "$TMP/default.json" self.pid)"
check_eq "default: the record says thpscope left itself out" excluded \
	"$("$JGET" "$TMP/default.json" self.events)"
check_eq "default: THP is off for thpscope's memory (status THP_enabled)" 0 \
	"$(cat "$TMP/default.thp")"
check_eq "default: thpscope's AnonHugePages during the recording, kB" 0 \
	"$(cat "$TMP/default.huge")"
check_eq "default: the command keeps THP (its status THP_enabled)" 1 \
	"$(cat "$TMP/default.child_thp")"
check_eq "default: khugepaged's scans of thpscope's memory" 0 "$(scans_of "$outer")"
check_eq "default: collapse attempts on thpscope's memory" 0 "$(attempts_of "$outer")"
for ev in mm_khugepaged_scan_pmd mm_collapse_huge_page; do
	[ "$("$FTCOUNT" -m "$pid" "$outer" $ev -)" = 0 ] ||
		echo "# default: $ev naming thpscope's mm, by task and result:" \
			$("$FTCOUNT" -c khugepaged -m "$pid" -e scan_result:SCAN_ "$outer" $ev status) "/ all:" \
			$("$FTCOUNT" -m "$pid" -e scan_result:SCAN_ "$outer" $ev status)
done
check_eq "default: events attributed to thpscope" 0 "$(attributed default)"
# Migrations are not THP's to prevent: these are left out by the filter
# in the kernel alone.
n=$(migrations_of "$outer")
if [ "$n" -gt 0 ]; then
	check_eq "default: thpscope's own $n migrate_pages calls left out" 0 \
		"$("$JGET" "$TMP/default.json" "migration.processes[pid=$pid].calls")"
else
	skip "default: thpscope performed no migration (NUMA balancing) to leave out"
fi
if "$THPSCOPE" report "$TMP/default.json" | grep -q "^self: excluded (thpscope's pid $pid; THP off"; then
	ok "default: the report header says thpscope is left out"
else
	not_ok "default: the report header says thpscope is left out"
fi

# The command thpscope runs gets THPs: MADV_COLLAPSE fails on memory
# whose process has THP off.
"$THPSCOPE" record -q -o "$TMP/cmd.json" -- "$THPLOAD" -n 4 collapse-anon >"$TMP/cmd.out"
check_eq "the command's record exit status" 0 $?
check_ge "the command's AnonHugePages after MADV_COLLAPSE, kB" 1 \
	"$(awk '/AnonHugePages .* after/ { print $(NF - 2) }' "$TMP/cmd.out")"

record_self included --include-self
check_eq "--include-self: the record says so" included \
	"$("$JGET" "$TMP/included.json" self.events)"
check_eq "--include-self: THP is on for thpscope's memory" 1 "$(cat "$TMP/included.thp")"
echo "# --include-self: thpscope's AnonHugePages $(cat "$TMP/included.huge") kB;" \
	"khugepaged's collapse attempts on its memory $(attempts_of "$outer")"
inner=$(inner_view)
check_ge "--include-self: khugepaged scanned thpscope's memory" 1 "$(scans_of "$inner")"
check_between "--include-self: khugepaged's scans of thpscope's memory, attributed to it" \
	"$(scans_of "$inner")" \
	"$("$JGET" "$TMP/included.json" "collapse.processes[pid=$pid].scans")" \
	"$(scans_of "$outer")"
check_between "--include-self: collapse attempts on thpscope's memory, attributed to it" \
	"$(attempts_of "$inner")" \
	"$("$JGET" "$TMP/included.json" "collapse.processes[pid=$pid].attempts")" \
	"$(attempts_of "$outer")"
check_between "--include-self: thpscope's own migrate_pages calls, attributed to it" \
	"$(migrations_of "$inner")" \
	"$("$JGET" "$TMP/included.json" "migration.processes[pid=$pid].calls")" \
	"$(migrations_of "$outer")"
"$THPSCOPE" diff "$TMP/default.json" "$TMP/included.json" >"$TMP/diff.out"
if grep -q 'self.events' "$TMP/diff.out"; then
	ok "diff lists self.events as a configuration difference"
else
	not_ok "diff lists self.events as a configuration difference: $(head -5 "$TMP/diff.out")"
fi
