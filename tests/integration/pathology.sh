#!/bin/sh
# Pathology detectors against the kernel's own account. The thrash
# scenario collapses one range with MADV_COLLAPSE and splits its PMD
# mapping again, -n times: thpscope must name that range and the
# workload, with as many cycles as ftrace saw successful collapses of the
# workload's mm, each ended by one of the PMD splits the kernel counted
# (thp_split_pmd). The other scenarios must show no pathology.
. "$(dirname "$0")/../lib.sh"
require_root
J() { "$JGET" "$@"; }

# khugepaged stopped (no size enabled; MADV_COLLAPSE ignores the
# setting), so that the workload's collapses are all there are.
thp=/sys/kernel/mm/transparent_hugepage
for f in $thp/enabled $thp/hugepages-*/enabled; do
	[ -e "$f" ] && knob_set "$f" never
done

n=6
inst=$(ft_open pathology huge_memory/mm_collapse_huge_page)
rec=$TMP/thrash.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n $n thrash >"$TMP/out"
check_eq "thrash scenario exits 0" 0 $?
ft_off "$inst"
if [ "$(J "$rec" pathology_detectors.thrash.available)" != true ]; then
	skip "thrash detector: $(J "$rec" pathology_detectors.thrash.why)"
	exit 0
fi
pid=$(J "$rec" command.pid)
start=$(sed -n 's/^thrash: range \(0x[0-9a-f]*\)-.*/\1/p' "$TMP/out")
collapses=$("$FTCOUNT" -m "$pid" -e scan_result:SCAN_ "$inst" mm_collapse_huge_page status |
	awk '$1 == "succeed" { print $2 }')
check_eq "one range thrashes" 1 "$(J "$rec" pathologies | grep -c '"kind"')"
check_eq "the thrashing range is the workload's" "$pid" "$(J "$rec" "pathologies[start=$start].pid")"
check_eq "its cycles are the workload's successful collapses (ftrace)" "${collapses:-0}" \
	"$(J "$rec" "pathologies[start=$start].count")"
check_eq "each cycle ended by a PMD split the kernel counted (thp_split_pmd)" \
	"$(J "$rec" counters.vmstat.thp_split_pmd)" \
	"$(J "$rec" "pathologies[start=$start].evidence.splits_pmd")"
# evidence NAME: the list NAME of the (one) pathology, as "a","b".
evidence() { J "$rec" pathologies | tr -d ' \n' | sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p"; }
check_eq "collapsed by MADV_COLLAPSE" '"madvise"' "$(evidence collapse_sources)"
check_eq "split by madvise (MADV_DONTNEED)" '"madvise"' "$(evidence split_causes)"
report=$("$THPSCOPE" report "$rec")
check_eq "the report starts with the pathologies" PATHOLOGIES \
	"$(printf '%s\n' "$report" | sed -n '/^$/{n;p;q}' | cut -d' ' -f1)"

# Below the detector's threshold: two cycles are no thrash.
"$THPSCOPE" record -q -o "$TMP/two.json" -- "$THPLOAD" -n 2 thrash >/dev/null
check_eq "two cycles are no thrash" 0 "$(J "$TMP/two.json" pathologies | grep -c '"kind"')"

# The streamed event, once, when the range is first found thrashing.
"$THPSCOPE" trace --json -e pathology -- "$THPLOAD" -n $n thrash >"$TMP/ev.jsonl" 2>/dev/null
check_eq "trace: one pathology event for the thrashing range" 1 \
	"$(grep -c '"kind": *"thrash"' "$TMP/ev.jsonl")"

# No false positives: every other scenario of the mixed run.
"$THPSCOPE" record -q -o "$TMP/mixed.json" -- "$THPLOAD" -n 8 mixed >/dev/null
check_eq "no pathology in the mixed scenarios" 0 \
	"$(J "$TMP/mixed.json" pathologies | grep -c '"kind"')"
