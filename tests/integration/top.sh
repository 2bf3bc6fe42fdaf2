#!/bin/sh
# thpscope top in a terminal (tmux, 80x24): while a workload collapses
# memory, the screen shows its per-order collapses and names it among the
# processes; it follows a resize and quits on q.
. "$(dirname "$0")/../lib.sh"
require_root

sock=$TMP/tmux
"$THPLOAD" -n 8 -r 1000000 collapse-anon >/dev/null &
load=$!
tm() { tmux -S "$sock" "$@"; }
stop() { kill "$load" 2>/dev/null; command -v tmux >/dev/null && tm kill-server 2>/dev/null; }
trap 'stop; cleanup' EXIT
# The PMD order: log2(PMD size / page size), in shell arithmetic (the
# guests' busybox awk has no math).
size=$(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size)
page=$(getconf PAGESIZE 2>/dev/null || echo 4096)
order=0
while [ $((page << order)) -lt "$size" ]; do order=$((order + 1)); done

# --once: one plain screen, no escape sequences, when not a terminal.
"$THPSCOPE" top --once -i 2 >"$TMP/once" 2>/dev/null
check_eq "top --once exit status" 0 $?
if grep -q "$(printf '\033')" "$TMP/once"; then
	not_ok "top --once writes no escape sequence to a pipe"
else
	ok "top --once writes no escape sequence to a pipe"
fi
grep -Eq "^  order $order +[1-9]" "$TMP/once" && ok "top --once shows the collapses" ||
	not_ok "top --once shows the collapses: $(cat "$TMP/once")"
grep -Eq "^ +$load +thpload +[1-9]" "$TMP/once" && ok "top --once names the workload" ||
	not_ok "top --once names the workload (pid $load): $(cat "$TMP/once")"

if ! command -v tmux >/dev/null; then
	skip "top in a terminal: tmux not installed"
	exit 0
fi
tm new-session -d -x 80 -y 24 "$THPSCOPE top -i 1 2>$TMP/top.err"

# screen_has PATTERN: the pane shows PATTERN within 10 s
screen_has() {
	for _ in $(seq 20); do
		tm capture-pane -p >"$TMP/screen" 2>/dev/null
		grep -Eq "$1" "$TMP/screen" && return 0
		sleep 0.5
	done
	return 1
}
if screen_has "^  order $order +[1-9][0-9]* +[1-9]"; then
	ok "top shows order-$order collapse attempts and successes this interval"
else
	not_ok "top shows order-$order collapses: $(cat "$TMP/screen" "$TMP/top.err")"
fi
if screen_has "^ +$load +thpload +[1-9]"; then
	ok "top names the workload (pid $load) with its collapses"
else
	not_ok "top names the workload (pid $load): $(cat "$TMP/screen")"
fi
width=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$TMP/screen")
check_between "lines fit 80 columns" 1 "$width" 80
check_between "the screen fits 24 lines" 10 "$(grep -c . "$TMP/screen")" 24

tm resize-window -x 60 -y 20 2>/dev/null
sleep 1.5
tm capture-pane -p >"$TMP/screen"
width=$(awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$TMP/screen")
check_between "after a resize, lines fit 60 columns" 1 "$width" 60

tm send-keys q
for _ in $(seq 20); do
	tm has-session 2>/dev/null || break
	sleep 0.25
done
if tm has-session 2>/dev/null; then
	not_ok "top quits on q"
else
	ok "top quits on q"
fi

