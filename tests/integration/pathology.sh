#!/bin/sh
# Pathology detectors against the kernel's own account. The thrash
# scenario collapses one range with MADV_COLLAPSE and splits its PMD
# mapping again, -n times: thpscope must name that range and the
# workload, with as many cycles as ftrace saw successful collapses of the
# workload's mm, each ended by one of the PMD splits the kernel counted
# (thp_split_pmd), through fentry and through the kprobe twins. The creep
# scenario leaves a range to khugepaged with mTHP sizes enabled: the
# steps up the orders must be those ftrace saw. The device-exclusive
# scenario has thpdev take a page of one range before each MADV_COLLAPSE
# of it: each attempt is a bounce, and what came of it is what ftrace saw.
# The other scenarios must show no pathology.
. "$(dirname "$0")/../lib.sh"
require_root
J() { "$JGET" "$@"; }
places() { J "$1" pathologies | grep -c "\"$2\""; }

# khugepaged stopped (no size enabled; MADV_COLLAPSE ignores the
# setting), so that the workload's collapses are all there are.
thp=/sys/kernel/mm/transparent_hugepage
for f in $thp/enabled $thp/hugepages-*/enabled; do
	[ -e "$f" ] && knob_set "$f" never
done

# K and T are checked before anything runs.
for bad in "--pathology-count 1" "--pathology-count 9" "--pathology-count 3x" \
	"--pathology-window 0" "--pathology-window soon"; do
	# shellcheck disable=SC2086
	expect "record $bad: refused" 2 "record: ${bad%% *}" "$THPSCOPE" record -q $bad -- true
done
expect "top --pathology-count 0: refused" 2 "top: --pathology-count" \
	"$THPSCOPE" top --once --pathology-count 0

n=6
# thrash_checks WHO: record the thrash scenario (with the environment
# the caller exports) and check its one thrashing range against ftrace.
thrash_checks() {
	inst=$(ft_open "pathology-$1" huge_memory/mm_collapse_huge_page)
	rec=$TMP/thrash-$1.json
	"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n $n thrash >"$TMP/out"
	check_eq "$1: thrash scenario exits 0" 0 $?
	ft_off "$inst"
	if [ "$(J "$rec" pathology_detectors.thrash.available)" != true ]; then
		skip "$1: thrash detector: $(J "$rec" pathology_detectors.thrash.why)"
		return 1
	fi
	pid=$(J "$rec" command.pid)
	start=$(sed -n 's/^thrash: range \(0x[0-9a-f]*\)-.*/\1/p' "$TMP/out")
	collapses=$("$FTCOUNT" -m "$pid" -e scan_result:SCAN_ "$inst" mm_collapse_huge_page status |
		awk '$1 == "succeed" { print $2 }')
	check_eq "$1: one range thrashes" 1 "$(places "$rec" thrash)"
	check_eq "$1: the thrashing range is the workload's" "$pid" \
		"$(J "$rec" "pathologies[start=$start].pid")"
	check_eq "$1: its cycles are the workload's successful collapses (ftrace)" \
		"${collapses:-0}" "$(J "$rec" "pathologies[start=$start].count")"
	check_eq "$1: each cycle ended by a PMD split the kernel counted (thp_split_pmd)" \
		"$(J "$rec" counters.vmstat.thp_split_pmd)" \
		"$(J "$rec" "pathologies[start=$start].evidence.splits_pmd")"
}
thrash_checks fentry || exit 0

# evidence NAME: the list NAME of the (one) pathology, as "a","b".
evidence() { J "$rec" pathologies | tr -d ' \n' | sed -n "s/.*\"$1\":\[\([^]]*\)\].*/\1/p"; }
check_eq "collapsed by MADV_COLLAPSE" '"madvise"' "$(evidence collapse_sources)"
check_eq "split by madvise (MADV_DONTNEED)" '"madvise"' "$(evidence split_causes)"
report=$("$THPSCOPE" report "$rec")
check_eq "the report starts with the pathologies" PATHOLOGIES \
	"$(printf '%s\n' "$report" | sed -n '/^$/{n;p;q}' | cut -d' ' -f1)"

if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	export THPSCOPE_MECHANISMS=tracepoint,kprobe
	thrash_checks kprobe &&
		check_eq "kprobe: collapse_huge_page through its kprobe twin" kprobe \
			"$(J "$rec" 'probes.pathology:collapse_huge_page.mechanism')"
	unset THPSCOPE_MECHANISMS
else
	skip "thrash through kprobes: kernel built without kprobes"
fi

# Below the detector's threshold: two cycles are no thrash.
"$THPSCOPE" record -q -o "$TMP/two.json" -- "$THPLOAD" -n 2 thrash >/dev/null
check_eq "two cycles are no thrash" 0 "$(places "$TMP/two.json" thrash)"

# The streamed event, once, when the range is first found thrashing:
# at its K-th cycle, K set to 5.
"$THPSCOPE" trace --json -e pathology --pathology-count 5 -- "$THPLOAD" -n $n thrash \
	>"$TMP/ev.jsonl" 2>/dev/null
check_eq "trace: one pathology event for the thrashing range" 1 \
	"$(grep -c '"kind": *"thrash"' "$TMP/ev.jsonl")"
check_eq "trace --pathology-count 5: the range thrashes at its fifth cycle" 5 \
	"$(grep '"kind": *"thrash"' "$TMP/ev.jsonl" | sed -n 's/.*"count": *\([0-9]*\).*/\1/p')"

# No false positives: every other scenario of the mixed run.
"$THPSCOPE" record -q -o "$TMP/mixed.json" -- "$THPLOAD" -n 4 -m 64 mixed >/dev/null
check_eq "no pathology in the mixed scenarios" 0 "$(J "$TMP/mixed.json" pathologies | grep -c '"kind"')"

# Device-exclusive bounce: before each MADV_COLLAPSE of one range, thpdev
# takes its first page: each attempt is a bounce, and what came of it is
# what ftrace saw.
bounce_checks() {
	if [ "$(J "$rec" pathology_detectors.device_exclusive_bounce.available)" != true ]; then
		skip "device-exclusive bounce: $(J "$rec" pathology_detectors.device_exclusive_bounce.why)"
		return
	fi
	inst=$(ft_open bounce huge_memory/mm_khugepaged_scan_pmd)
	rec=$TMP/bounce.json
	"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 4 exclusive-collapse >"$TMP/out"
	ft_off "$inst"
	pid=$(J "$rec" command.pid)
	start=$(sed -n 's/^exclusive-collapse: range \(0x[0-9a-f]*\)-.*/\1/p' "$TMP/out")
	"$FTCOUNT" -m "$pid" -e scan_result:SCAN_ "$inst" mm_khugepaged_scan_pmd status >"$TMP/scans"
	check_eq "bounce: one range found" 1 "$(places "$rec" device_exclusive_bounce)"
	# jget sums what a selector matches (the range also thrashes), so
	# the bounce is picked by kind; its keys after "kind" (jget sorts
	# them) hold no object, so its range and pid are read from there.
	bounce=pathologies[kind=device_exclusive_bounce]
	J "$rec" pathologies | tr -d ' \n' | grep -o '"kind":"device_exclusive_bounce"[^}]*' >"$TMP/b"
	check_eq "bounce: the workload's range" "$start $pid" \
		"$(sed -n 's/.*"start":"\([^"]*\)".*/\1/p' "$TMP/b") $(J "$rec" "$bounce.pid")"
	check_eq "bounce: an attempt per collapse ftrace saw on the workload's memory" \
		"$(sum2 <"$TMP/scans")" "$(J "$rec" "$bounce.count")"
	check_eq "bounce: failed attempts = ftrace's" \
		"$(awk '$1 != "succeed"' "$TMP/scans" | sum2)" \
		"$(J "$rec" "$bounce.evidence.failed")"
	check_eq "bounce: the results seen are ftrace's" \
		"$(awk '{ print "\"" $1 "\"" }' "$TMP/scans" | sort | tr '\n' ' ')" \
		"$(evidence results | tr , '\n' | sort | tr '\n' ' ')"
	check_eq "bounce: the exclusive invalidations are thpdev's" \
		"$(sed -n 's/.* inval_exclusive \([0-9]*\).*/\1/p' "$TMP/out")" \
		"$(J "$rec" "$bounce.evidence.invalidations.exclusive")"
	# The CPU takes the page back before each collapse: no bounce.
	"$THPSCOPE" record -q -o "$TMP/clean.json" -- "$THPLOAD" -n 4 device-exclusive >/dev/null
	check_eq "bounce: none where the device gave the page back before each collapse" 0 \
		"$(places "$TMP/clean.json" device_exclusive_bounce)"
}

# The spinning fault's event: thpdev refuses 5 CPU faults at one address
# in a row; the event comes once, at the address whose faults the device
# events show stalled.
spinning_checks() {
	"$THPSCOPE" trace --json -e device -- "$THPLOAD" -n 4 -f 5 device >"$TMP/ev.jsonl" 2>/dev/null
	check_eq "trace: one event for the spinning fault" 1 \
		"$(grep -c '"kind": *"spinning_device_fault"' "$TMP/ev.jsonl")"
	check_eq "trace: the spinning fault's range starts where the faults stalled" \
		"$(grep '"stalled": *3[,}]' "$TMP/ev.jsonl" | sed -n 's/.*"address": *"\(0x[0-9a-f]*\)".*/\1/p')" \
		"$(grep '"spinning_device_fault"' "$TMP/ev.jsonl" | sed -n 's/.*"start": *"\(0x[0-9a-f]*\)".*/\1/p')"
}

# Both with thpdev, where it is built (7.x).
if thpdev_ko "device pathologies"; then
	if [ -e /sys/module/thpdev ] || { insmod "$THPDEV_KO" && loaded=1; }; then
		bounce_checks
		spinning_checks
		[ -z "${loaded:-}" ] || rmmod thpdev
	else
		not_ok "thpdev does not load"
	fi
fi

# Creep: every size enabled for MADV_HUGEPAGE, max_ptes_none above half
# a PMD, so that a collapse to one order fills enough of the next.
if [ "$(J "$rec" pathology_detectors.creep.available)" != true ]; then
	skip "creep: $(J "$rec" pathology_detectors.creep.why)"
	exit 0
fi
for f in $thp/enabled $thp/hugepages-*/enabled; do
	knob_set "$f" madvise
done
knob_set $thp/khugepaged/max_ptes_none 300
inst=$(ft_open creep huge_memory/mm_collapse_huge_page)
rec=$TMP/creep.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -t 20 creep >"$TMP/out"
ft_off "$inst"
start=$(sed -n 's/^creep: range \(0x[0-9a-f]*\)-.*/\1/p' "$TMP/out")
# The orders of the successful collapses, in turn (only the workload
# asked for THPs), and the steps up of the last run of them.
orders=$(sed -n 's/.*status=succeeded.*order=\([0-9]*\).*/\1/p' "$inst/trace" | tr '\n' ' ')
steps=$(echo "$orders" | awk '{ for (i = 1; i <= NF; i++) { s = (i > 1 && $i > $(i - 1)) ? s + 1 : 0 } print s + 0 }')
if [ "$steps" -lt 3 ]; then
	check_eq "creep: none found where khugepaged collapsed to orders [$orders] only" 0 \
		"$(places "$rec" creep)"
	skip "creep: not provoked here: with max_ptes_none 300 khugepaged collapsed the 12 pages to orders [$orders] only"
	exit 0
fi
check_eq "creep: the range is found creeping" 1 "$(places "$rec" creep)"
check_eq "creep: the workload's range" "$(J "$rec" command.pid)" \
	"$(J "$rec" "pathologies[start=$start].pid")"
check_eq "creep: its steps up the orders are ftrace's" "$steps" \
	"$(J "$rec" "pathologies[start=$start].count")"
check_eq "creep: its orders end with ftrace's" "$(echo "$orders" | awk '{ print $NF }')" \
	"$(J "$rec" pathologies | tr -d ' \n' | sed -n 's/.*"orders":\[\([0-9,]*\)\].*/\1/p' | awk -F, '{ print $NF }')"
