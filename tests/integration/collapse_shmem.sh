#!/bin/sh
# MADV_COLLAPSE of shmem: file scan and collapse results equal ftrace's.
. "$(dirname "$0")/../lib.sh"
require_root

inst=$(ft_open collapse-shmem huge_memory/mm_khugepaged_scan_file \
	huge_memory/mm_khugepaged_collapse_file)
rec=$TMP/rec.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 4 collapse-shmem >/dev/null
check_eq "record exit status passes the workload's" 0 $?
ft_off "$inst"
pid=$("$JGET" "$rec" command.pid)

check_same "scan_file results by MADV_COLLAPSE" \
	"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_scan_file result)" \
	"$(jlist "$rec" collapse.by_source.madvise.scan_file)"
if [ -e "$inst/events/huge_memory/mm_khugepaged_collapse_file" ]; then
	check_same "collapse_file results by MADV_COLLAPSE" \
		"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_collapse_file result)" \
		"$(jlist "$rec" collapse.by_source.madvise.collapse_file)"
	check_eq "file collapses attributed to the workload (on its mm)" \
		"$("$FTCOUNT" -m "$pid" "$inst" mm_khugepaged_collapse_file -)" \
		"$("$JGET" "$rec" "collapse.processes[pid=$pid].attempts")"
else
	skip "collapse_file: tracepoint not in this kernel"
fi
