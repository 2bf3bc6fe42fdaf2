#!/bin/sh
# record's timeline: a counter's samples add up to what the record counted
# over its whole window, for a kernel counter (/proc/vmstat) and for the
# families' maps (collapse, split), and there is a sample per interval.
. "$(dirname "$0")/../lib.sh"
require_root
thp_for_madvise

# Faults, collapses and splits in samples of their own, apart in time.
rec=$TMP/rec.json
"$THPSCOPE" record -q -i 0.05 -o "$rec" -- sh -c "\"$THPLOAD\" -n 8 -t 1 thps &&
	sleep 0.3 && \"$THPLOAD\" -n 4 thrash && sleep 0.3 &&
	\"$THPLOAD\" -n 8 partial-unmap" >/dev/null
check_eq "record of the workloads exits 0" 0 $?

# series_sum NAME: the sum of the timeline's samples of series NAME.
series_sum() {
	"$JGET" "$rec" timeline.series | grep -o "\"$1\":\[[0-9,]*\]" | sed 's/.*\[//; s/\]//' |
		tr ',' '\n' | awk '{ s += $1 } END { print s + 0 }'
}

check_eq "timeline: thp_fault_alloc samples sum to the record's count" \
	"$("$JGET" "$rec" counters.vmstat.thp_fault_alloc)" "$(series_sum vmstat.thp_fault_alloc)"
check_ge "timeline: thpload's 8 THPs faulted" 8 "$(series_sum vmstat.thp_fault_alloc)"
check_eq "timeline: collapse.succeeded samples sum to the record's successes" \
	"$(keyed_sum "$rec" collapse.by_order succeed)" "$(series_sum collapse.succeeded)"
check_ge "timeline: thrash collapsed its range 4 times" 4 "$(series_sum collapse.succeeded)"
check_eq "timeline: split.ok samples sum to the record's splits" \
	"$(keyed_sum "$rec" split.by_order ok)" "$(series_sum split.ok)"
check_eq "timeline: split.pmd samples sum to the record's PMD splits" \
	"$("$JGET" "$rec" split.pmd.total)" "$(series_sum split.pmd)"

samples=$("$JGET" "$rec" timeline.t_ns | tr ',' '\n' | grep -c '[0-9]')
want=$(($("$JGET" "$rec" duration_ns) / 50000000))
check_between "timeline: a sample per 50 ms interval" $((want * 3 / 4)) "$samples" $((want + 1))
