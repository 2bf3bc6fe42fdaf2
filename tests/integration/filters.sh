#!/bin/sh
# Filters applied in the kernel: with two workloads collapsing memory at
# once, -p of one records exactly its events (equal to ftrace's for that
# pid) and none of the other's; --cgroup selects the one in a memory
# cgroup; --comm matches by name; trace -p streams only that process.
. "$(dirname "$0")/../lib.sh"
require_root

# Two workloads that wait for the go file, so that the filters can name
# them and the probes are attached before they start: the traced
# command creates it, then waits for both.
go=$TMP/go
start_load() {
	rm -f "$go"
	sh -c 'while [ ! -e "$1" ]; do sleep 0.05; done; exec "$0" -n 8 -r 15 collapse-anon >/dev/null' \
		"$THPLOAD" "$go" &
}
both_done() { echo "touch $go; while kill -0 $1 2>/dev/null || kill -0 $2 2>/dev/null; do sleep 0.1; done"; }
events="huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page"
rec=$TMP/rec.json

inst=$(ft_open filters-pid $events)
start_load; a=$!
start_load; b=$!
"$THPSCOPE" record -e collapse -q -o "$rec" -d 60 -p "$a" -- sh -c "$(both_done "$a" "$b")"
check_eq "record -p exit status" 0 $?
ft_off "$inst"
check_ge "the other workload collapsed memory too" 1 "$("$FTCOUNT" -p "$b" "$inst" mm_collapse_huge_page -)"
check_same "-p: collapse results = ftrace's for that pid" \
	"$("$FTCOUNT" -p "$a" -e scan_result:SCAN_ "$inst" mm_collapse_huge_page status)" \
	"$(jlist_orders "$rec" collapse.by_order)"
check_same "-p: scan results = ftrace's for that pid" \
	"$("$FTCOUNT" -p "$a" -e scan_result:SCAN_ "$inst" mm_khugepaged_scan_pmd status)" \
	"$(jlist "$rec" collapse.scan)"
check_eq "-p: one process in the record" 1 "$("$JGET" "$rec" collapse.processes | grep -c '"pid"')"
check_eq "-p: it is the one asked for" "$a" "$("$JGET" "$rec" "collapse.processes[pid=$a].pid")"
check_eq "the record names its filter" "[$a]" "$("$JGET" "$rec" filter.pids | tr -d ' \n')"

# cgroup_case DIR HIERARCHY: the second workload alone in cgroup DIR.
cgroup_case() {
	mkdir "$1" || { not_ok "--cgroup ($2): cannot create $1"; return; }
	inst=$(ft_open "filters-cgroup-$2" $events)
	start_load; a=$!
	start_load; b=$!
	echo "$b" >"$1/cgroup.procs"
	"$THPSCOPE" record -e collapse -q -o "$rec" -d 60 --cgroup "$1" -- sh -c "$(both_done "$a" "$b")"
	ft_off "$inst"
	check_same "--cgroup ($2): collapse results = ftrace's for the process inside" \
		"$("$FTCOUNT" -p "$b" -e scan_result:SCAN_ "$inst" mm_collapse_huge_page status)" \
		"$(jlist_orders "$rec" collapse.by_order)"
	check_eq "--cgroup ($2): one process in the record" 1 \
		"$("$JGET" "$rec" collapse.processes | grep -c '"pid"')"
	check_eq "--cgroup ($2): it is the process inside" "$b" \
		"$("$JGET" "$rec" "collapse.processes[pid=$b].pid")"
	check_eq "--cgroup ($2): the record names the hierarchy" "$2" \
		"$("$JGET" "$rec" filter.cgroup.hierarchy)"
	rmdir "$1"
}
if [ -e /sys/fs/cgroup/memory/memory.limit_in_bytes ]; then
	cgroup_case "/sys/fs/cgroup/memory/thpscope-filter-$$" "v1 memory"
else
	skip "--cgroup (v1 memory): no v1 memory hierarchy"
fi
v2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$v2" ]; then
	cgroup_case "$v2/thpscope-filter-$$" v2
else
	skip "--cgroup (v2): no cgroup2 mount"
fi

"$THPSCOPE" record -e collapse -q -o "$rec" --comm no-such-task -- "$THPLOAD" -n 4 collapse-anon >/dev/null
check_eq "--comm of another name: no collapse recorded" "" "$("$JGET" -k "$rec" collapse.by_order)"
"$THPSCOPE" record -e collapse -q -o "$rec" --comm thpload -- "$THPLOAD" -n 4 collapse-anon >/dev/null
check_ge "--comm thpload: the workload's collapses" 2 "$("$JGET" "$rec" "collapse.by_order.9.succeed")"

inst=$(ft_open filters-trace $events)
start_load; a=$!
start_load; b=$!
"$THPSCOPE" trace --json -e collapse -p "$a" -- sh -c "$(both_done "$a" "$b")" >"$TMP/trace" 2>/dev/null
ft_off "$inst"
check_eq "trace -p: collapse events = ftrace's for that pid" \
	"$("$FTCOUNT" -p "$a" "$inst" mm_collapse_huge_page -)" \
	"$(grep -c "\"pid\":$a,.*\"event\":\"collapse\"" "$TMP/trace")"
check_eq "trace -p: no event of another process" 0 "$(grep -v '"event":"summary"' "$TMP/trace" | grep -vc "\"pid\":$a,")"
