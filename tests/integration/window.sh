#!/bin/sh
# Events count only inside the window of the record's kernel counters.
# Memory is fragmented and compacted over and over while the probes
# attach, count and detach: the kernel's pgmigrate_success grows far more
# around the whole run than inside the record, yet the record's sum of
# migrated pages equals its own pgmigrate_success delta, short of the
# migrate_pages calls in flight at the window's two edges and of what
# migrated while an edge stalled (the record's window_edges: a guest's
# vCPU descheduled by a busy host between an edge and its reading).
. "$(dirname "$0")/../lib.sh"
require_root

inst=$(ft_open window migrate/mm_migrate_pages)
rec=$TMP/rec.json
touch "$TMP/go"
compact_loop() { while [ -e "$TMP/go" ]; do "$THPLOAD" -m 64 compaction >/dev/null || break; done; }
compact_loop &
loop1=$!
compact_loop &
loop2=$!
sleep 0.5
outer_start=$(vmstat_of pgmigrate_success)
# System-wide counters count thpscope's own migrations too.
"$THPSCOPE" record -q --include-self -d 1 -o "$rec"
check_eq "record exit status" 0 $?
outer=$(($(vmstat_of pgmigrate_success) - outer_start))
rm "$TMP/go"
wait "$loop1" "$loop2"
ft_off "$inst"

inside=$("$JGET" "$rec" counters.vmstat.pgmigrate_success)
seen=$(keyed_sum "$rec" migration.by_reason succeeded)
# A call in flight on each CPU at each of the two edges, the largest seen.
largest=$("$FTCOUNT" -x "$inst" mm_migrate_pages succeeded)
case $largest in
'' | *[!0-9]*) not_ok "ftrace's largest migrate_pages call: no figure"; exit 0 ;;
esac
edge=$((2 * $(nproc) * largest))
# Migrated between the readings on either side of each edge: in the
# window or not, depending on when the edge came between them.
opening=$("$JGET" "$rec" window_edges.open.counters.vmstat.pgmigrate_success)
closing=$("$JGET" "$rec" window_edges.close.counters.vmstat.pgmigrate_success)
echo "# pgmigrate_success: $outer around the run, $inside inside the record; thpscope $seen;" \
	"edge allowance $edge; across the edges $opening opening, $closing closing"
check_between "migrated pages inside the window = pgmigrate_success" \
	$((inside - closing - edge)) "$seen" $((inside + opening + edge))
# Counting all the probes saw would have been caught only if more than the
# allowance migrated outside the window.
allowance=$((edge + opening + closing))
if [ $((outer - inside)) -gt "$allowance" ]; then
	ok "pages migrated outside the window exceed the allowance ($((outer - inside)) > $allowance)"
else
	skip "too little migrated outside the window to tell ($((outer - inside)) <= $allowance pages)"
fi
