#!/bin/sh
# MADV_COLLAPSE of shmem: file scan and collapse results equal ftrace's.
. "$(dirname "$0")/../lib.sh"
require_root

# shmem_checks SCENARIO N: record thpload's SCENARIO of N units and check
# it against ftrace.
shmem_checks() {
	inst=$(ft_open "$1" huge_memory/mm_khugepaged_scan_file \
		huge_memory/mm_khugepaged_collapse_file)
	rec=$TMP/$1.json
	"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n "$2" "$1" >"$TMP/$1.out"
	check_eq "$1: record exit status passes the workload's" 0 $?
	ft_off "$inst"
	pid=$("$JGET" "$rec" command.pid)

	check_same "$1: scan_file results by MADV_COLLAPSE" \
		"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_scan_file result)" \
		"$(jlist "$rec" collapse.by_source.madvise.scan_file)"
	if [ ! -e "$inst/events/huge_memory/mm_khugepaged_collapse_file" ]; then
		skip "$1: collapse_file: tracepoint not in this kernel"
		return
	fi
	check_same "$1: collapse_file results by MADV_COLLAPSE" \
		"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_collapse_file result)" \
		"$(jlist "$rec" collapse.by_source.madvise.collapse_file)"
	check_eq "$1: file collapses attributed to the workload (on its mm)" \
		"$("$FTCOUNT" -m "$pid" "$inst" mm_khugepaged_collapse_file -)" \
		"$("$JGET" "$rec" "collapse.processes[pid=$pid].attempts")"
}

shmem_checks collapse-shmem 4
# The same range collapsed again after each split: one process slot, one
# outcome slot, counted back to back.
shmem_checks thrash-shmem 40
if grep -q "collapsed 40 times of 40" "$TMP/thrash-shmem.out"; then
	ok "thrash-shmem: MADV_COLLAPSE succeeded every round"
else
	not_ok "thrash-shmem: MADV_COLLAPSE succeeded every round: $(cat "$TMP/thrash-shmem.out")"
fi
# MADV_COLLAPSE succeeds on a range still huge too, without a file
# collapse: that the hole split the folio each round shows in ftrace.
if [ -e "$inst/events/huge_memory/mm_khugepaged_collapse_file" ]; then
	check_ge "thrash-shmem: a file collapse every round (ftrace)" 40 \
		"$("$FTCOUNT" -p "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_collapse_file result |
			awk '$1 == "succeed" || $1 == "pte_mapped_hugepage" { n += $2 } END { print n + 0 }')"
fi
