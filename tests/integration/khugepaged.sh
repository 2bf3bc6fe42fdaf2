#!/bin/sh
# khugepaged collapses a MADV_HUGEPAGE region: events are attributed to
# the khugepaged source and to the process owning the mm, and the counts
# lie between an inner and an outer ftrace window (khugepaged runs on its
# own clock, so events may fall just outside the workload).
. "$(dirname "$0")/../lib.sh"
require_root

events="huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page"
outer=$(ft_open khugepaged-outer $events)
inner=$(ft_open khugepaged-inner $events)
echo 0 >"$inner/tracing_on"
rec=$TMP/rec.json
"$THPSCOPE" record -q -o "$rec" -- sh -c \
	"echo 1 > $inner/tracing_on; \"$THPLOAD\" -n 4 -t 60 khugepaged; s=\$?; echo 0 > $inner/tracing_on; exit \$s" \
	>/dev/null
check_eq "khugepaged collapsed the whole region" 0 $?
ft_off "$outer"
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
check_ge "khugepaged collapses counted" 4 \
	"$("$JGET" "$rec" "collapse.by_source.khugepaged.by_order.$order.succeed")"
# The scenario's own process never collapses: madvise saw nothing.
check_eq "no MADV_COLLAPSE source" 0 \
	"$("$JGET" "$rec" "collapse.by_source.madvise.by_order.$order.succeed")"
check_ge "collapses attributed to the owner of the mm, not khugepaged" 4 \
	"$("$JGET" "$rec" "collapse.processes[comm=thpload].succeeded")"
