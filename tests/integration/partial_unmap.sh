#!/bin/sh
# THPs partially unmapped in a memory cgroup, then split by the
# deferred-split shrinker under memcg reclaim. The record's kernel
# counters cover thpscope's window: at least the scenario's own THPs, and
# at most what an outer window read independently around it saw (other
# tasks may split THPs too).
. "$(dirname "$0")/../lib.sh"
require_root

n=8
counters="thp_split_page thp_deferred_split_page thp_split_pmd"
for c in $counters; do eval "before_$c=\$(vmstat_of $c)"; done
mthp=/sys/kernel/mm/transparent_hugepage/hugepages-2048kB/stats
[ -d "$mthp" ] && for s in split split_deferred; do eval "before_$s=\$(cat $mthp/$s)"; done

rec=$TMP/rec.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n $n partial-unmap >/dev/null
status=$?
if [ $status -ne 0 ]; then
	not_ok "partial-unmap scenario failed (exit $status): no memory cgroup?"
	exit 0
fi
for c in $counters; do
	eval "outer=\$((\$(vmstat_of $c) - before_$c))"
	check_between "$c: the scenario's $n THPs, within the outer window" \
		$n "$("$JGET" "$rec" "counters.vmstat.$c")" "$outer"
done
order=$("$JGET" "$rec" kernel.pmd_order)
if [ -d "$mthp" ]; then
	for s in split split_deferred; do
		eval "outer=\$((\$(cat $mthp/$s) - before_$s))"
		check_between "mTHP $s of order $order" $n \
			"$("$JGET" "$rec" "counters.mthp.$order.$s")" "$outer"
	done
else
	skip "per-size mTHP stats: not in this kernel"
fi
