#!/bin/sh
# khugepaged collapses a MADV_HUGEPAGE region: events are attributed to
# the khugepaged source and to the process owning the mm, and the counts
# lie between an inner and an outer ftrace window (khugepaged runs on its
# own clock, so events may fall just outside the workload).
. "$(dirname "$0")/../lib.sh"
require_root

rec=$TMP/rec.json
record_windowed khugepaged "$rec" \
	"huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page" -n 4 -t 60 khugepaged
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
check_ge "khugepaged collapses counted" 4 \
	"$("$JGET" "$rec" "collapse.by_source.khugepaged.by_order.$order.succeed")"
# The scenario's own process never collapses: madvise saw nothing.
check_eq "no MADV_COLLAPSE source" 0 \
	"$("$JGET" "$rec" "collapse.by_source.madvise.by_order.$order.succeed")"
check_ge "collapses attributed to the owner of the mm, not khugepaged" 4 \
	"$("$JGET" "$rec" "collapse.processes[comm=thpload].succeeded")"
