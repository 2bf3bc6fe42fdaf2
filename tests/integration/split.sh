#!/bin/sh
# Splits and the deferred-split queue against the kernel's own counters,
# on whatever tier this kernel allows: fentry/kprobe for folio and PMD
# splits and the queue, the vmscan tracepoints for the shrinker.
. "$(dirname "$0")/../lib.sh"
require_root

J() { "$JGET" "$@"; }
n=8

# Every split that ended in record REC has its latency, under its order.
check_timed() {
	for o in $(J -k "$1" split.by_order); do
		check_eq "order-$o splits ended = their latencies" \
			$(($(J "$1" "split.by_order.$o.ok") + $(J "$1" "split.by_order.$o.failed") +
			   $(J "$1" "split.by_order.$o.uncounted"))) "$(J "$1" "split.latency.$o.count")"
	done
}

# --- the deferred-split shrinker under memcg reclaim ---
rec=$TMP/unmap.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n $n partial-unmap >/dev/null ||
	not_ok "partial-unmap scenario failed"
order=$(J "$rec" kernel.pmd_order)
mthp=$(J -k "$rec" "counters.mthp.$order")

if [ "$(J "$rec" deferred.shrinker_tp.available)" = true ]; then
	check_eq "shrinker tracepoints: folios split = thp_split_page" \
		"$(J "$rec" counters.vmstat.thp_split_page)" "$(J "$rec" deferred.shrinker_tp.freed)"
	# The queue is counted per node; partial-unmap binds its THPs to one.
	check_ge "shrinker tracepoints saw the queued THPs" $n \
		"$(J "$rec" deferred.shrinker_tp.cache_items.max)"
else
	skip "shrinker tracepoints: $(J "$rec" deferred.shrinker_tp.why)"
fi

if [ -z "$(J -k "$rec" split.by_order)" ] &&
	[ "$(J "$rec" 'probes.split:__split_huge_pmd.attached')" != true ]; then
	skip "folio and PMD splits: $(J "$rec" 'probes.split:__folio_split.why')"
	exit 0
fi

if [ -n "$mthp" ]; then
	check_eq "order-$order splits = the mTHP split stat" \
		"$(J "$rec" "counters.mthp.$order.split")" "$(J "$rec" "split.by_order.$order.ok")"
	check_eq "first transitions to partially mapped = split_deferred" \
		"$(J "$rec" "counters.mthp.$order.split_deferred")" \
		"$(J "$rec" "deferred.by_order.$order.partially_mapped")"
	check_ge "failed splits cover split_failed" "$(J "$rec" "counters.mthp.$order.split_failed")" \
		"$(J "$rec" "split.by_order.$order.failed")"
else
	check_eq "order-$order splits = thp_split_page" \
		"$(J "$rec" counters.vmstat.thp_split_page)" "$(J "$rec" "split.by_order.$order.ok")"
	check_eq "enqueued partially mapped THPs = thp_deferred_split_page" \
		"$(J "$rec" counters.vmstat.thp_deferred_split_page)" \
		"$(J "$rec" "deferred.by_order.$order.partially_mapped")"
fi
check_ge "the scenario's THPs split by the shrinker" $n \
	"$(J "$rec" "split.by_order.$order.cause.shrinker")"
check_ge "the scenario's splits counted for its process" $n \
	"$(J "$rec" "split.processes[comm=thpload].splits")"
check_timed "$rec"
check_ge "the scenario's THPs leave the queue split by the shrinker" $n \
	"$(J "$rec" "deferred.by_order.$order.split_by_shrinker")"
check_eq "PMD-mapping splits = thp_split_pmd" \
	"$(J "$rec" counters.vmstat.thp_split_pmd)" "$(J "$rec" split.pmd.total)"
check_ge "the partial unmaps split the mappings" $n "$(J "$rec" split.pmd.cause.munmap)"
if [ -n "$(J -k "$rec" deferred.shrinker)" ]; then
	check_ge "shrinker scans split the THPs" $n "$(J "$rec" deferred.shrinker.split)"
fi

# --- the same splits, their causes from the cause functions' context ---
# (THPSCOPE_CAUSE_CONTEXT=1; the split family alone, as its probes are
# many): the causes must be the stack walk's, and the context must have
# decided them.
crec=$TMP/unmap-context.json
THPSCOPE_CAUSE_CONTEXT=1 "$THPSCOPE" record -q -e split -o "$crec" -- \
	"$THPLOAD" -n $n partial-unmap >/dev/null || not_ok "partial-unmap with the cause context failed"
if [ "$(J "$crec" split.causes.context.mechanism)" = null ] ||
	[ -z "$(J "$crec" split.causes.context.mechanism)" ]; then
	skip "cause context: no fentry or kprobe on the cause functions here"
else
	check_ge "cause context: the scenario's THPs split by the shrinker" $n \
		"$(J "$crec" "split.by_order.$order.cause.shrinker")"
	check_ge "cause context: the partial unmaps split the mappings" $n \
		"$(J "$crec" split.pmd.cause.munmap)"
	check_ge "cause context decided the scenario's splits" $((2 * n)) \
		"$(J "$crec" split.causes.context.decided.context)"
	# With fprobes, one kprobe.multi link for every cause function.
	if grep -q ' register_fprobe_ips$' /proc/kallsyms; then
		check_eq "cause context attached as one link (fprobes)" kprobe.multi \
			"$(J "$crec" split.causes.context.mechanism)"
		check_eq "cause context: every hookable function hooked" 0 \
			"$(J "$crec" split.causes.context.unhooked | grep -c '"')"
	fi
	# madvise(2) enters do_madvise, then madvise_do_behavior (6.16+):
	# the callee of the same cause and rank needs no probe of its own.
	if grep -q ' madvise_do_behavior$' /proc/kallsyms; then
		check_eq "cause context: do_madvise covered by madvise_do_behavior" 1 \
			"$(J "$crec" split.causes.context.covered | grep -c '"do_madvise"')"
	fi
fi

# --- debugfs splits to non-zero orders, then to base pages ---
if [ ! -w /sys/kernel/debug/split_huge_pages ]; then
	skip "debugfs splits: /sys/kernel/debug/split_huge_pages is not writable"
else
	orders=0
	[ -n "$mthp" ] && orders=4,0	# new_order needs 6.10+
	rec=$TMP/debugfs.json
	"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 4 -o $orders split-debugfs >/dev/null
	check_eq "debugfs splits of order $order" 4 "$(J "$rec" "split.by_order.$order.cause.debugfs")"
	if [ -n "$mthp" ]; then
		check_eq "debugfs split $order -> 4" 4 "$(J "$rec" "split.by_order.$order.to.4")"
		for o in $(J -k "$rec" split.by_order); do
			check_eq "order-$o splits = the mTHP split stat" \
				"$(J "$rec" "counters.mthp.$o.split")" "$(J "$rec" "split.by_order.$o.ok")"
		done
		check_eq "order-4 folios split by debugfs" 128 "$(J "$rec" split.by_order.4.cause.debugfs)"
	else
		check_eq "order-$order splits = thp_split_page" \
			"$(J "$rec" counters.vmstat.thp_split_page)" "$(J "$rec" "split.by_order.$order.ok")"
	fi
	check_eq "PMD-mapping splits = thp_split_pmd" \
		"$(J "$rec" counters.vmstat.thp_split_pmd)" "$(J "$rec" split.pmd.total)"
	check_ge "the folio splits split the mappings" 4 "$(J "$rec" split.pmd.cause.folio_split)"
	check_timed "$rec"
fi

# --- migration to a node without free 2 MB blocks ---
if [ ! -e /sys/devices/system/node/node1/hugepages/hugepages-2048kB/nr_hugepages ]; then
	skip "migration fallback: needs a second NUMA node with hugetlb"
else
	rec=$TMP/migrate.json
	"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 4 migrate-fallback >"$TMP/migrate.out"
	check_eq "migrate-fallback ran with THPs on node 0 and node 1 full" 0 $?
	sed 's/^/# /' "$TMP/migrate.out"
	check_ge "THP migrations fell back to splitting" 1 "$(J "$rec" counters.vmstat.thp_migration_split)"
	check_eq "migration fallback splits = thp_migration_split" \
		"$(J "$rec" counters.vmstat.thp_migration_split)" \
		"$(J "$rec" "split.by_order.$order.cause.migration_fallback")"
fi
