#!/bin/sh
# khugepaged collapses a MADV_HUGEPAGE region: events are attributed to
# the khugepaged source and to the process owning the mm, and the counts
# lie between an inner and an outer ftrace window (khugepaged runs on its
# own clock, so events may fall just outside the workload).
. "$(dirname "$0")/../lib.sh"
require_root

rec=$TMP/rec.json
record_windowed khugepaged "$rec" \
	"huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page
	 huge_memory/mm_collapse_huge_page_isolate" -n 4 -t 60 khugepaged
check_eq "khugepaged collapsed the whole region" 0 $?
order=$("$JGET" "$rec" kernel.pmd_order)

count() { "$FTCOUNT" -c khugepaged -e scan_result:SCAN_ "$1" "$2" status | awk -v r="$3" '$1 == r { print $2 }'; }
check_between "khugepaged scan_pmd succeed" \
	"$(count "$inner" mm_khugepaged_scan_pmd succeed)" \
	"$("$JGET" "$rec" collapse.by_source.khugepaged.scan.succeed)" \
	"$(count "$outer" mm_khugepaged_scan_pmd succeed)"
check_between "khugepaged collapse_huge_page succeed" \
	"$(count "$inner" mm_collapse_huge_page succeed)" \
	"$("$JGET" "$rec" "collapse.by_source.khugepaged.by_order.$order.succeed")" \
	"$(count "$outer" mm_collapse_huge_page succeed)"
# Without a selective filter, isolation steps are counted at once, with
# no owner to wait for.
check_between "khugepaged isolate succeed" \
	"$(count "$inner" mm_collapse_huge_page_isolate succeed)" \
	"$("$JGET" "$rec" "collapse.by_source.khugepaged.isolate.$order.succeed")" \
	"$(count "$outer" mm_collapse_huge_page_isolate succeed)"
check_ge "khugepaged collapses counted" 4 \
	"$("$JGET" "$rec" "collapse.by_source.khugepaged.by_order.$order.succeed")"
# The scenario's own process never collapses: madvise saw nothing.
check_eq "no MADV_COLLAPSE source" 0 \
	"$("$JGET" "$rec" "collapse.by_source.madvise.by_order.$order.succeed")"
check_ge "collapses attributed to the owner of the mm, not khugepaged" 4 \
	"$("$JGET" "$rec" "collapse.processes[comm=thpload].succeeded")"

# With a filter, khugepaged's isolation steps (their record has no mm)
# are attributed through the collapse event ending each attempt: the
# process's successful isolations cover its successful collapses, and
# there are no more of them than ftrace saw in khugepaged.
go=$TMP/go
sh -c 'while [ ! -e "$1" ]; do sleep 0.05; done; exec "$0" -n 4 -t 60 khugepaged >/dev/null' \
	"$THPLOAD" "$go" &
a=$!
inst=$(ft_open khugepaged-filter huge_memory/mm_collapse_huge_page_isolate)
"$THPSCOPE" record -e collapse -q -o "$TMP/filtered.json" -p "$a" -- \
	sh -c "touch $go; while kill -0 $a 2>/dev/null; do sleep 0.1; done"
ft_off "$inst"
k=collapse.by_source.khugepaged
iso=$("$JGET" "$TMP/filtered.json" "$k.isolate.$order.succeed")
check_ge "-p: khugepaged collapsed the process's memory" 4 \
	"$("$JGET" "$TMP/filtered.json" "$k.by_order.$order.succeed")"
check_ge "-p: its isolation steps cover its collapses" \
	"$("$JGET" "$TMP/filtered.json" "$k.by_order.$order.succeed")" "$iso"
check_ge "-p: no more isolation steps than ftrace saw" "$iso" \
	"$("$FTCOUNT" -c khugepaged -e scan_result:SCAN_ "$inst" mm_collapse_huge_page_isolate status |
		awk '$1 == "succeed" { print $2 }')"
