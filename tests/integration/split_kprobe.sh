#!/bin/sh
# Where fentry cannot attach but kprobes can, the deferred-split queue
# still sees its THPs leave split: the split entry points have kprobe
# twins. fentry is refused here through THPSCOPE_MECHANISMS; the THPs are
# the partial-unmap scenario's, split by the shrinker under memcg reclaim.
. "$(dirname "$0")/../lib.sh"
require_root

if [ ! -e /sys/bus/event_source/devices/kprobe/type ]; then
	skip "split entry kprobes: kernel built without kprobes"
	exit 0
fi
J() { "$JGET" "$@"; }
n=8
rec=$TMP/kp.json
THPSCOPE_MECHANISMS=tracepoint,kprobe "$THPSCOPE" record -q -e deferred -e device -o "$rec" -- \
	"$THPLOAD" -n $n partial-unmap >/dev/null || not_ok "partial-unmap scenario failed"

# The first split entry point this kernel has (the loader keeps that one),
# from kallsyms, and the one each family attached.
for want in __folio_split split_huge_page_to_list_to_order split_huge_page_to_list; do
	grep -q " [Tt] $want$" /proc/kallsyms && break
done
split_entry_via() {
	for f in __folio_split split_huge_page_to_list_to_order split_huge_page_to_list; do
		if [ "$(J "$rec" "probes.$1:$f.attached")" = true ]; then
			echo "$f via $(J "$rec" "probes.$1:$f.mechanism")"
			return
		fi
	done
	echo "none ($(J "$rec" "probes.$1:$want.why"))"
}
for family in deferred device; do
	check_eq "$family: the split entry point attaches via kprobe" "$want via kprobe" \
		"$(split_entry_via $family)"
done

order=$(J "$rec" kernel.pmd_order)
check_between "queued THPs seen leaving split: the scenario's, at most thp_split_page" $n \
	"$(J "$rec" "deferred.by_order.$order.split")" "$(J "$rec" counters.vmstat.thp_split_page)"
