#!/bin/sh
# THPs partially unmapped in a memory cgroup, then split by the
# deferred-split shrinker under memcg reclaim: the record's kernel
# counters equal deltas read independently around it, and equal the
# scenario's own size.
. "$(dirname "$0")/../lib.sh"
require_root

vm() { awk -v n="$1" '$1 == n { print $2 }' /proc/vmstat; }
n=8
before_split=$(vm thp_split_page)
before_deferred=$(vm thp_deferred_split_page)
before_pmd=$(vm thp_split_pmd)
rec=$TMP/rec.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n $n partial-unmap >/dev/null
status=$?
if [ $status -ne 0 ]; then
	not_ok "partial-unmap scenario failed (exit $status): no memory cgroup?"
	exit 0
fi
check_eq "thp_split_page delta" $(($(vm thp_split_page) - before_split)) \
	"$("$JGET" "$rec" counters.vmstat.thp_split_page)"
check_eq "thp_deferred_split_page delta" $(($(vm thp_deferred_split_page) - before_deferred)) \
	"$("$JGET" "$rec" counters.vmstat.thp_deferred_split_page)"
check_eq "thp_split_pmd delta" $(($(vm thp_split_pmd) - before_pmd)) \
	"$("$JGET" "$rec" counters.vmstat.thp_split_pmd)"
check_eq "every half-unmapped THP was queued" $n \
	"$("$JGET" "$rec" counters.vmstat.thp_deferred_split_page)"
check_eq "every queued THP was split by reclaim" $n \
	"$("$JGET" "$rec" counters.vmstat.thp_split_page)"
order=$("$JGET" "$rec" kernel.pmd_order)
if [ -n "$("$JGET" -k "$rec" "counters.mthp.$order")" ]; then
	check_eq "mTHP split_deferred of order $order" $n \
		"$("$JGET" "$rec" "counters.mthp.$order.split_deferred")"
	check_eq "mTHP split of order $order" $n "$("$JGET" "$rec" "counters.mthp.$order.split")"
else
	skip "per-size mTHP stats: not in this kernel"
fi
