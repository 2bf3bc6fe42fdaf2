#!/bin/sh
# Records as metrics (report --openmetrics / --prometheus, the writer serve
# uses): promtool accepts every seed's exposition, both formats hold the
# same samples and OpenMetrics ends with # EOF, no series is written
# twice, and the metrics hold the record's numbers.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib.sh"

# metric NAME SELECTOR FILE: the sum of NAME's samples whose labels
# contain SELECTOR (a substring such as result="ok"; "" for all).
metric() {
	awk -v n="$1" -v sel="$2" '
		{ name = $1; sub(/\{.*/, "", name) }
		name == n && (sel == "" || index($1, sel)) { s += $NF }
		END { printf "%d\n", s }' "$3"
}
# Integers of the record under PATH's keys' objects, summed.
sum_under() { jlist_orders "$1" "$2" | sum2; }

for f in "$here"/seeds/*.json; do
	n=${f##*/}
	"$THPSCOPE" report --prometheus "$f" >"$TMP/text" 2>"$TMP/err" &&
		"$THPSCOPE" report --openmetrics "$f" >"$TMP/om" 2>>"$TMP/err"
	if [ $? -ne 0 ] || [ -s "$TMP/err" ]; then
		not_ok "$n as metrics: $(head -c 200 "$TMP/err")"
		continue
	fi
	if ! command -v promtool >/dev/null; then
		skip "$n: promtool is missing (scripts/deps.sh test installs prometheus)"
	elif promtool check metrics <"$TMP/text" >"$TMP/lint" 2>&1; then
		ok "$n: promtool check metrics finds no problem"
	else
		not_ok "$n: promtool check metrics: $(head -c 300 "$TMP/lint")"
	fi
	check_eq "$n: OpenMetrics ends with # EOF" "# EOF" "$(tail -n 1 "$TMP/om")"
	if [ "$(grep -v '^#' "$TMP/text")" = "$(grep -v '^#' "$TMP/om")" ]; then
		ok "$n: the same samples in both formats"
	else
		not_ok "$n: the formats' samples differ"
	fi
	check_eq "$n: series written twice" "" \
		"$(grep -v '^#' "$TMP/text" | awk '{ print $1 }' | sort | uniq -d | head -n 3)"

	attempts=0
	for s in $("$JGET" -k "$f" collapse.by_source); do
		attempts=$((attempts + $(sum_under "$f" "collapse.by_source.$s.by_order") +
			$(jlist "$f" "collapse.by_source.$s.collapse_file" | sum2)))
	done
	check_eq "$n: collapse attempts" "$attempts" \
		"$(metric thpscope_collapse_attempts_total "" "$TMP/text")"
	check_eq "$n: collapse duration samples" \
		"$(for o in $("$JGET" -k "$f" collapse.latency); do "$JGET" "$f" "collapse.latency.$o.count"; done |
			awk '{ s += $1 } END { print s + 0 }')" \
		"$(metric thpscope_collapse_duration_seconds_count "" "$TMP/text")"
	check_eq "$n: splits that succeeded" "$(keyed_sum "$f" split.by_order ok)" \
		"$(metric thpscope_split_folios_total 'result="ok"' "$TMP/text")"
	check_eq "$n: PMD mappings split" "$(jlist "$f" split.pmd.cause | sum2)" \
		"$(metric thpscope_split_pmd_total "" "$TMP/text")"
	check_eq "$n: deferred-split enqueues" "$(keyed_sum "$f" deferred.by_order enqueued)" \
		"$(metric thpscope_deferred_split_enqueued_total "" "$TMP/text")"
	check_eq "$n: migrate_pages calls" "$(keyed_sum "$f" migration.by_reason calls)" \
		"$(metric thpscope_migrate_pages_calls_total "" "$TMP/text")"
	check_eq "$n: THPs device migration split" \
		"$(for d in $("$JGET" -k "$f" migrate_vma.by_driver); do keyed_sum "$f" "migrate_vma.by_driver.$d" thp_split; done |
			awk '{ s += $1 } END { print s + 0 }')" \
		"$(metric thpscope_migrate_vma_thps_total 'outcome="split"' "$TMP/text")"
	check_eq "$n: vmstat thp_fault_alloc" "$("$JGET" "$f" counters.vmstat.thp_fault_alloc)" \
		"$(metric thpscope_vmstat_thp_fault_alloc_total "" "$TMP/text")"
	check_eq "$n: probes attached" \
		"$(for p in $("$JGET" -k "$f" probes); do "$JGET" "$f" "probes.$p.attached"; done | grep -c true)" \
		"$(metric thpscope_probe_attached "" "$TMP/text")"
done

# -o writes what standard output gets, by the output rule.
f=$here/seeds/sid-device.json
"$THPSCOPE" report --openmetrics "$f" >"$TMP/om"
"$THPSCOPE" report --openmetrics -o "$TMP/out.om" "$f"
if cmp -s "$TMP/om" "$TMP/out.om"; then
	ok "report --openmetrics -o writes the exposition"
else
	not_ok "report --openmetrics -o wrote something else"
fi
expect "report --openmetrics -o a directory is refused" 1 "Is a directory" \
	"$THPSCOPE" report --openmetrics -o "$TMP" "$f"
expect "--json and --openmetrics exclude each other" 2 "exclude each other" \
	"$THPSCOPE" report --json --openmetrics "$f"
expect "-o without an output form" 2 "none is given" "$THPSCOPE" report -o "$TMP/x" "$f"

# Every metric the seeds give is documented.
for f in "$here"/seeds/*.json; do "$THPSCOPE" report --prometheus "$f"; done |
	awk '/^# TYPE thpscope_/ && $3 !~ /^thpscope_(vmstat|mthp)_/ { print $3 }' | sort -u >"$TMP/names"
missing=$(while read -r m; do
	grep -q "\`$m\`" "$here/../../docs/metrics.md" || echo "$m"
done <"$TMP/names")
check_eq "metrics the seeds give that docs/metrics.md does not name" "" "$(echo $missing)"

# Counts a full map could not keep: said by the report, exported.
sed '1s/^{/{"map_full": {"collapse": 7, "split": 0}, /' "$here/seeds/6.18-mixed.json" >"$TMP/full.json"
check_eq "the report names a family whose map was full" \
	"  collapse: 7 counts lost, a map was full" \
	"$("$THPSCOPE" report "$TMP/full.json" | grep 'a map was full')"
"$THPSCOPE" report --prometheus "$TMP/full.json" >"$TMP/full.prom"
check_eq "map_full exported per family" 7 \
	"$(metric thpscope_map_full_events_total 'family="collapse"' "$TMP/full.prom")"
