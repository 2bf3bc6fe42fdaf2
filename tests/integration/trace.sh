#!/bin/sh
# thpscope trace --json: per event kind, the workload's events equal
# ftrace's for the same process; with a small ring and its reader
# stopped, the events emitted plus those reported lost equal ftrace's.
. "$(dirname "$0")/../lib.sh"
require_root

out=$TMP/trace.jsonl
# count_events FILE PID EVENT: JSON lines of EVENT attributed to PID
count_events() {
	grep -c "\"pid\":$2,.*\"event\":\"$3\"" "$1"
}
summary() { grep '"event":"summary"' "$1" | sed "s/.*\"$2\":\([0-9]*\).*/\1/"; }

events="huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page
	huge_memory/mm_collapse_huge_page_isolate"
inst=$(ft_open trace-collapse $events)
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

# A 4 kB ring holds about 34 events. The reader is stopped while the
# workload runs, so the ring overflows: what was emitted plus what is
# reported lost must still equal ftrace's count. The loss is counted for
# every event the probes keep, so they keep the workload's alone: other
# processes (a lab guest's qemu, whose memory khugepaged scans) would
# add theirs.
inst=$(ft_open trace-lost $events)
"$THPSCOPE" trace --json -e collapse --ring-kb 4 --comm thpload -- sh -c '
	while [ ! -e "$1" ]; do sleep 0.05; done
	"$0" -n 16 collapse-anon >/dev/null
	touch "$2"' "$THPLOAD" "$TMP/go" "$TMP/done" >"$out" 2>"$TMP/err" &
tpid=$!
for _ in $(seq 200); do grep -q "probes attached" "$TMP/err" && break; sleep 0.1; done
kill -STOP "$tpid"
touch "$TMP/go"
for _ in $(seq 600); do [ -e "$TMP/done" ] && break; sleep 0.1; done
kill -CONT "$tpid"
wait "$tpid"
check_eq "trace exit status after a stop" 0 $?
ft_off "$inst"
pid=$(awk '/thpload-[0-9]+ .*mm_collapse_huge_page:/ { sub(/.*thpload-/, ""); print $1 + 0; exit }' "$inst/trace")
ft=0
for e in mm_khugepaged_scan_pmd mm_collapse_huge_page mm_collapse_huge_page_isolate; do
	ft=$((ft + $("$FTCOUNT" -p "$pid" "$inst" "$e" -)))
done
emitted=$(grep -c "\"pid\":$pid,.*\"family\":\"collapse\"" "$out")
lost=$(summary "$out" lost)
check_ge "events were lost while the reader was stopped" 1 "$lost"
check_eq "emitted + lost = ftrace's (emitted $emitted, lost $lost)" "$ft" "$((emitted + lost))"
grep -q "thpscope: $emitted events, $lost lost" "$TMP/err" && ok "the loss is reported on stderr" ||
	not_ok "the loss is reported on stderr: $(tail -1 "$TMP/err")"
