#!/bin/sh
# thpscope trace --json: per event kind, the workload's events equal
# ftrace's for the same process; with a ring too small for a burst, the
# events emitted plus those reported lost equal ftrace's.
. "$(dirname "$0")/../lib.sh"
require_root

out=$TMP/trace.jsonl
# count_events FILE PID EVENT: JSON lines of EVENT attributed to PID
count_events() {
	grep -c "\"pid\":$2,.*\"event\":\"$3\"" "$1"
}
summary() { grep '"event":"summary"' "$1" | sed "s/.*\"$2\":\([0-9]*\).*/\1/"; }

inst=$(ft_open trace-collapse huge_memory/mm_khugepaged_scan_pmd \
	huge_memory/mm_collapse_huge_page huge_memory/mm_collapse_huge_page_isolate)
"$THPSCOPE" trace --json -e collapse -- \
	sh -c 'exec "$0" -n 8 collapse-anon >/dev/null' "$THPLOAD" >"$out" 2>/dev/null
check_eq "trace exit status passes the workload's" 0 $?
ft_off "$inst"
pid=$(awk '/thpload-[0-9]+ .*mm_collapse_huge_page:/ { sub(/.*thpload-/, ""); print $1 + 0; exit }' "$inst/trace")
check_eq "no event lost" 0 "$(summary "$out" lost)"
for ev in scan_pmd:mm_khugepaged_scan_pmd collapse:mm_collapse_huge_page \
	isolate:mm_collapse_huge_page_isolate; do
	check_eq "trace ${ev%%:*} events of the workload = ftrace's" \
		"$("$FTCOUNT" -p "$pid" "$inst" "${ev#*:}" -)" \
		"$(count_events "$out" "$pid" "${ev%%:*}")"
done
check_ge "collapse events seen" 6 "$(count_events "$out" "$pid" collapse)"
check_eq "the summary counts every line" "$(($(wc -l <"$out") - 1))" "$(summary "$out" emitted)"
grep -q "\"pid\":$pid,\"tid\":$pid,\"comm\":\"thpload\",\"family\":\"collapse\",\"event\":\"collapse\",\"order\":9,\"result\":\"succeed\"" "$out" &&
	ok "collapse events decode order and result" || not_ok "collapse events decode order and result"

# A 4 kB ring holds about 36 events: compaction's burst overflows it.
inst=$(ft_open trace-migrate migrate/mm_migrate_pages)
"$THPSCOPE" trace --json -e migrate --ring-kb 4 -- \
	sh -c 'exec "$0" -m 128 compaction >/dev/null' "$THPLOAD" >"$out" 2>/dev/null
check_eq "trace exit status with a small ring" 0 $?
ft_off "$inst"
pid=$(awk '/thpload-[0-9]+ .*mm_migrate_pages:/ { sub(/.*thpload-/, ""); print $1 + 0; exit }' "$inst/trace")
if [ -z "$pid" ]; then
	not_ok "compaction by the workload migrated nothing"
	exit 0
fi
ft=$("$FTCOUNT" -p "$pid" "$inst" mm_migrate_pages -)
emitted=$(count_events "$out" "$pid" migrate_pages)
lost=$(summary "$out" lost)
check_between "migrate_pages emitted: at most ftrace's" 1 "$emitted" "$ft"
check_eq "migrate_pages: emitted + lost = ftrace's (lost $lost)" "$ft" "$((emitted + lost))"
[ "$lost" -gt 0 ] || skip "lost events: the reader kept up with a 4 kB ring this time"
