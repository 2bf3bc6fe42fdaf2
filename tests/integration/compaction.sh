#!/bin/sh
# Compaction migrates base pages: mm_migrate_pages sums per task equal
# ftrace's, the totals equal the kernel's pgmigrate_*/thp_migration_*
# deltas, and migration entries fall between an inner and an outer ftrace
# window around thpscope's.
. "$(dirname "$0")/../lib.sh"
require_root

rec=$TMP/rec.json
record_windowed compaction "$rec" \
	"migrate/mm_migrate_pages migrate/set_migration_pte migrate/remove_migration_pte" -m 128 compaction
check_eq "record exit status passes the workload's" 0 $?

pid=$(awk '/thpload-[0-9]+ .*mm_migrate_pages:/ { sub(/.*thpload-/, ""); print $1 + 0; exit }' "$inner/trace")
if [ -z "$pid" ]; then
	not_ok "compaction by the workload migrated nothing"
	exit 0
fi
for f in succeeded failed thp_succeeded thp_failed thp_split large_folio_split; do
	if ! grep -q "REC->$f\b" "$inner"/events/migrate/mm_migrate_pages/format; then
		skip "mm_migrate_pages.$f: not in this kernel"
		continue
	fi
	check_eq "migrated $f by the workload" \
		"$("$FTCOUNT" -p "$pid" -s "$inner" mm_migrate_pages "$f")" \
		"$("$JGET" "$rec" "migration.processes[pid=$pid].$f")"
done
check_eq "migrate_pages calls by the workload" \
	"$("$FTCOUNT" -p "$pid" "$inner" mm_migrate_pages -)" \
	"$("$JGET" "$rec" "migration.processes[pid=$pid].calls")"

# The kernel's counters over thpscope's window, all tasks. A call of
# another task (kcompactd, NUMA balancing) can end right at an edge: its
# pages counted in /proc/vmstat read there but its event on the other
# side of the window, or the other way round (the kernel counts them a
# few instructions before the tracepoint). So both the record's vmstat
# and thpscope's sums must lie between the events' sums of the inner and
# the outer ftrace windows, as every figure on the kernel's own clock.
total() { keyed_sum "$rec" migration.by_reason "$1"; }
for pair in pgmigrate_success:succeeded pgmigrate_fail:failed \
	thp_migration_success:thp_succeeded thp_migration_fail:thp_failed \
	thp_migration_split:thp_split; do
	counter=${pair%:*} f=${pair#*:}
	lo=$("$FTCOUNT" -s "$inner" mm_migrate_pages "$f") hi=$("$FTCOUNT" -s "$outer" mm_migrate_pages "$f")
	check_between "$counter of the window: inner <= the record's vmstat <= outer" \
		"$lo" "$("$JGET" "$rec" "counters.vmstat.$counter")" "$hi"
	check_between "sum of $f: inner <= thpscope <= outer" "$lo" "$(total "$f")" "$hi"
done
check_eq "every compaction call has a latency sample" \
	"$("$JGET" "$rec" migration.by_reason.compaction.calls)" \
	"$("$JGET" "$rec" migration.latency.compaction.count)"

# Pages compaction moves while unmapped need no migration entries.
order0() { awk '$1 == 0 { n = $2 } END { print n + 0 }'; }
check_between "set_migration_pte order 0" \
	"$("$FTCOUNT" "$inner" set_migration_pte order | order0)" \
	"$("$JGET" "$rec" migration.pte_by_order.0.set)" \
	"$("$FTCOUNT" "$outer" set_migration_pte order | order0)"
check_between "remove_migration_pte order 0" \
	"$("$FTCOUNT" "$inner" remove_migration_pte order | order0)" \
	"$("$JGET" "$rec" migration.pte_by_order.0.remove)" \
	"$("$FTCOUNT" "$outer" remove_migration_pte order | order0)"
