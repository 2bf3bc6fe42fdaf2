#!/bin/sh
# MADV_COLLAPSE of anonymous memory: thpscope's per-result counts equal
# ftrace's for the same events, attribution names the workload, and the
# kernel's collapse allocation counters equal the attempts seen, per order.
. "$(dirname "$0")/../lib.sh"
require_root

# khugepaged stopped (no size enabled; MADV_COLLAPSE ignores the
# setting), so that the workload's attempts are all the kernel counts.
thp=/sys/kernel/mm/transparent_hugepage
for f in $thp/enabled $thp/shmem_enabled $thp/hugepages-*/enabled $thp/hugepages-*/shmem_enabled; do
	[ -e "$f" ] && knob_set "$f" never
done

inst=$(ft_open collapse-anon huge_memory/mm_khugepaged_scan_pmd \
	huge_memory/mm_collapse_huge_page huge_memory/mm_collapse_huge_page_isolate)
rec=$TMP/rec.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 8 collapse-anon >/dev/null
check_eq "record exit status passes the workload's" 0 $?
ft_off "$inst"
pid=$("$JGET" "$rec" command.pid)

check_same "scan_pmd results by MADV_COLLAPSE" \
	"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_scan_pmd status)" \
	"$(jlist "$rec" collapse.by_source.madvise.scan)"
check_same "collapse_huge_page results by MADV_COLLAPSE" \
	"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_collapse_huge_page status)" \
	"$(jlist_orders "$rec" collapse.by_source.madvise.by_order)"
check_same "isolate results by MADV_COLLAPSE" \
	"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_collapse_huge_page_isolate status)" \
	"$(jlist_orders "$rec" collapse.by_source.madvise.isolate)"

order=$("$JGET" "$rec" kernel.pmd_order)
check_ge "collapses to order $order succeeded" 6 \
	"$("$JGET" "$rec" "collapse.by_order.$order.succeed")"
# Attribution names the owner of the mm, so khugepaged's work on the
# workload's memory counts for the workload too: the ground truth is every
# record naming the workload's mm, not just those in its own context.
check_eq "attempts attributed to the workload (on its mm)" \
	"$("$FTCOUNT" -m "$pid" "$inst" mm_collapse_huge_page -)" \
	"$("$JGET" "$rec" "collapse.processes[pid=$pid].attempts")"
check_eq "scans attributed to the workload (on its mm)" \
	"$("$FTCOUNT" -m "$pid" "$inst" mm_khugepaged_scan_pmd -)" \
	"$("$JGET" "$rec" "collapse.processes[pid=$pid].scans")"

# Per-process counts in both tiers of their table (proc_slot.h): with
# two hot slots, which every key tries in turn, the first two processes
# take them, the second at its second try when both hash to one (about
# one run in two; tests/unit/test_proc_slot.c checks where tries go), and the
# third goes to the mapped array; a harvest reads both. Each process's
# counts equal ftrace's on its mm.
tiers=$(ft_open collapse-tiers huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page)
THPSCOPE_HOT_SLOTS=2 "$THPSCOPE" record -q -o "$TMP/tiers.json" -- sh -c \
	"'$THPLOAD' -n 2 collapse-anon; '$THPLOAD' -n 3 collapse-anon; '$THPLOAD' -n 4 collapse-anon" \
	>/dev/null
check_eq "record with two hot slots: exit status" 0 $?
ft_off "$tiers"
pids=$(sed -n 's/^ *thpload-\([0-9]*\) .* mm_collapse_huge_page:.*/\1/p' "$tiers/trace" | sort -u)
check_eq "processes that collapsed, two hot slots" 3 "$(echo $pids | wc -w)"
for p in $pids; do
	check_eq "attempts of process $p of 3, two hot slots" \
		"$("$FTCOUNT" -m "$p" "$tiers" mm_collapse_huge_page -)" \
		"$("$JGET" "$TMP/tiers.json" "collapse.processes[pid=$p].attempts")"
	check_eq "scans of process $p of 3, two hot slots" \
		"$("$FTCOUNT" -m "$p" "$tiers" mm_khugepaged_scan_pmd -)" \
		"$("$JGET" "$TMP/tiers.json" "collapse.processes[pid=$p].scans")"
done

# Every anon collapse attempt allocates first: the kernel's allocation
# counters split each order's attempts into allocated and failed to
# allocate. vmstat counts the PMD order only; on kernels with per-size
# collapse stats (7.x) each size's own counts its order, the PMD order
# included.
allocated() { jlist "$rec" "collapse.by_order.$1" |
	awk '$1 != "alloc_huge_page_fail" { n += $2 } END { print n + 0 }'; }
alloc_failed() { jlist "$rec" "collapse.by_order.$1" |
	awk '$1 == "alloc_huge_page_fail" { n += $2 } END { print n + 0 }'; }
check_eq "thp_collapse_alloc: order-$order attempts that allocated" \
	"$("$JGET" "$rec" counters.vmstat.thp_collapse_alloc)" "$(allocated "$order")"
check_eq "thp_collapse_alloc_failed: order-$order allocation failures" \
	"$("$JGET" "$rec" counters.vmstat.thp_collapse_alloc_failed)" "$(alloc_failed "$order")"
for o in $("$JGET" -k "$rec" counters.mthp); do
	[ -n "$("$JGET" -k "$rec" "counters.mthp.$o" | grep -x collapse_alloc)" ] || continue
	check_eq "order-$o collapse_alloc: attempts that allocated" \
		"$("$JGET" "$rec" "counters.mthp.$o.collapse_alloc")" "$(allocated "$o")"
	check_eq "order-$o collapse_alloc_failed: allocation failures" \
		"$("$JGET" "$rec" "counters.mthp.$o.collapse_alloc_failed")" "$(alloc_failed "$o")"
done

# Where collapse_huge_page can be traced (fentry or kprobe), each of the
# workload's MADV_COLLAPSE attempts has a latency sample. (khugepaged's
# are not compared: on 7.x it enters collapse_huge_page for mTHP orders
# it then gives up on without the tracepoint.)
madvise_samples() {
	for o in $("$JGET" -k "$1" collapse.by_source.madvise.latency); do
		"$JGET" "$1" "collapse.by_source.madvise.latency.$o.count"
	done | awk '{ s += $1 } END { print s + 0 }'
}
madvise_attempts() { jlist_orders "$1" collapse.by_source.madvise.by_order | sum2; }
if [ "$("$JGET" "$rec" 'probes.collapse:collapse_huge_page.attached')" = true ]; then
	check_eq "one latency sample per MADV_COLLAPSE attempt ($("$JGET" "$rec" \
		'probes.collapse:collapse_huge_page.mechanism'))" \
		"$(madvise_attempts "$rec")" "$(madvise_samples "$rec")"
else
	skip "collapse latency: $("$JGET" "$rec" 'probes.collapse:collapse_huge_page.why')"
fi

# The kprobe fallback measures the same latency where kprobes exist.
if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	THPSCOPE_MECHANISMS=tracepoint,kprobe "$THPSCOPE" record -q -o "$TMP/kp.json" -- \
		"$THPLOAD" -n 4 collapse-anon >/dev/null
	check_eq "collapse_huge_page falls back to kprobe" kprobe \
		"$("$JGET" "$TMP/kp.json" 'probes.collapse:collapse_huge_page.mechanism')"
	check_eq "one kprobe latency sample per MADV_COLLAPSE attempt" \
		"$(madvise_attempts "$TMP/kp.json")" "$(madvise_samples "$TMP/kp.json")"
else
	skip "kprobe fallback: kernel built without kprobes"
fi
