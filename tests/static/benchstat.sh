#!/bin/sh
# The statistics and output of scripts/bench (build/tests/benchstat) on
# samples whose medians and intervals are known by hand; no kernel needed.
. "$(dirname "$0")/../lib.sh"
B=$BUILD/tests/benchstat
[ -x "$B" ] || { not_ok "benchstat: $B is not built (make tools)"; exit 0; }

# Run times above 2^31 ns, as every workload of about 6 s has: medians
# 3 s and 6 s. "thpscope" takes twice the baseline's every time: any
# resample's ratio lies within [5.8 / 3.1, 6.2 / 2.9]. "same" is the
# baseline itself, so its intervals hold 1. The workload's CPU: 2 s a run
# under baseline and same, 4 s under thpscope.
for c in baseline thpscope same; do
	for s in 3000000000 3100000000 2900000000 3050000000 2950000000; do
		cpu=2000000000
		[ $c = thpscope ] && s=$((2 * s)) cpu=4000000000
		echo "long $c $s $cpu"
	done
done >"$TMP/samples"
printf 'thpscope %s\n' 200000000 220000000 210000000 >"$TMP/attach"
# thpscope's cost in its 5 runs: BPF 10 to 50 ms and 10 ms of its own CPU
# over the baseline's 2 s of workload CPU: 1%, 1.5%, 2%, 2.5%, 3%.
for b in 10 20 30 40 50; do
	echo "long thpscope ${b}000000 10000000 300000000"
done >"$TMP/cost"
# Per probe and repetition: "many" 10,000 events at 100 to 500 ns, "few"
# 10 events at 100 ns; first touch of "many": 8 events in 8 us.
for r in 1 2 3 4 5; do
	echo "steady long collapse:many tracepoint $r 10000 ${r}000000"
	echo "steady long migrate:few tracepoint $r 10 1000"
done >"$TMP/probes"
printf 'first long collapse:many tracepoint %s 4 4000\n' 1 2 >>"$TMP/probes"
# record -i 0.1 over 30 s: 150 ms of its CPU and 3 ms in its programs.
echo "30000000000 150000000 3000000" >"$TMP/idle"
run() {
	"$B" --json "$TMP/out.json" --kernel 6.18.0-test --date 2026-01-01T00:00:00Z \
		--reps 5 --samples "$TMP/samples" --attach "$TMP/attach" \
		--rss 2048 --cpu-user 0.25 --cpu-sys 0.5 --record-idle "$TMP/idle" "$@"
}
if run --cost "$TMP/cost" --probes "$TMP/probes" >"$TMP/out.txt" 2>"$TMP/err"; then
	ok "benchstat runs"
else
	not_ok "benchstat: $(cat "$TMP/err")"
	exit 0
fi
json() { grep -o "\"$1\": {[^}]*}" "$TMP/out.json" | head -n 1; }
check_eq "run times above 2^31 ns kept whole, the workload's CPU beside them" \
	'"baseline": {"median_ns": 3000000000, "cpu_median_ns": 2000000000, "samples_ns": [3000000000, 3100000000, 2900000000, 3050000000, 2950000000]' \
	"$(json baseline | sed 's/, "cpu_samples_ns.*//')"
check_eq "the slowdown is the ratio of the medians" 2.0000 \
	"$(json thpscope | sed -n 's/.*"ratio": \([0-9.]*\).*/\1/p')"
# ci NAME: the low and high ends of NAME's interval.
ci() { json "$1" | sed -n 's/.*"ci95": \[\([0-9.]*\), \([0-9.]*\)\].*/\1 \2/p'; }
read -r lo hi <<EOF
$(ci thpscope)
EOF
if awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo >= 1.8709 && lo <= 2 && hi >= 2 && hi <= 2.1380) }'; then
	ok "the interval holds the ratio, within the extremes of resampling ([$lo, $hi])"
else
	not_ok "interval [$lo, $hi] for a ratio of 2 within [1.8709, 2.1380]"
fi
check_eq "a tool always slower is slower" '"verdict": "slower"' \
	"$(json thpscope | grep -o '"verdict": "[a-z]*"')"
check_eq "the baseline against itself is indistinguishable" '"verdict": "indistinguishable"' \
	"$(json same | grep -o '"verdict": "[a-z]*"')"
check_eq "the table: header" "WORKLOAD       BASELINE                     THPSCOPE                         SAME" \
	"$(sed -n 2p "$TMP/out.txt")"
read -r same_lo same_hi <<EOF
$(ci same)
EOF
cell() { printf ' %28s' "$(printf '%.3f [%.3f,%.3f]%s' "$@")"; }
check_eq "the table: the baseline's median, then each tool's ratio and interval" \
	"long              3.00s$(cell 2 "$lo" "$hi" "")$(cell 1 "$same_lo" "$same_hi" " =")" \
	"$(sed -n 3p "$TMP/out.txt")"
check_eq "attributable cost: (BPF + the tool's CPU) / the baseline's workload CPU, p50 [min, max]" \
	"long             2.00s  thpscope record  2.000 [1.000, 3.000]         1.500   0.500     300ms     2.000    2.000" \
	"$(grep '^long .*thpscope record' "$TMP/out.txt")"
check_eq "attributable cost in the JSON" \
	'"thpscope": {"runs": 5, "percent": {"p50": 2.0000, "min": 1.0000, "max": 3.0000}' \
	"$(grep -o '"thpscope": {"runs[^}]*}' "$TMP/out.json")"
check_eq "attributable cost as markdown" \
	"| long | 2.00 s | 2.000% [1.000, 3.000] (BPF 1.500%); wall 2.000 |" \
	"$(grep '^| long |' "$TMP/out.txt")"
check_eq "per probe: steady ns/event p50 and max across repetitions, first touch apart" \
	"collapse:many                              tracepoint      10000        300       500             8      1000" \
	"$(grep '^collapse:many' "$TMP/out.txt")"
check_eq "per probe: fewer than 10,000 events a repetition is marked" \
	"migrate:few                                tracepoint         10*       100       100             0         0" \
	"$(grep '^migrate:few' "$TMP/out.txt")"
check_eq "events per second: 50,050 in thpscope's 30 s of timed runs" \
	"events in the timed runs: 50050 (1668 per second)" "$(grep '^events in' "$TMP/out.txt")"
check_eq "record -i 0.1 idle: its CPU and its programs' share of a core, against 1%" \
	"thpscope record -i 0.1, idle, from attached over 30 s: 0.510% of a core (0.500% in record, 0.010% in its BPF programs), target <= 1.0%: met" \
	"$(grep '^thpscope record -i' "$TMP/out.txt")"
check_eq "launch to attached: the median of 200, 220 and 210 ms" "  thpscope        210 ms" \
	"$(grep '^  thpscope' "$TMP/out.txt")"
check_eq "the JSON document ends with thpscope's own cost" \
	' "thpscope": {"peak_rss_kb": 2048, "cpu_user_s": 0.25, "cpu_sys_s": 0.50}' \
	"$(tail -n 2 "$TMP/out.json" | head -n 1)"

# Hostile input: one line of error, a non-zero exit, no document left.
# refused NAME DOCUMENT COMMAND...
refused() {
	name=$1 doc=$2
	shift 2
	rm -f "$doc"
	if "$@" >/dev/null 2>"$TMP/err"; then
		not_ok "$name: accepted"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ -e "$doc" ]; then
		not_ok "$name: $(cat "$TMP/err"), document left: $([ -e "$doc" ] && echo yes || echo no)"
	else
		ok "$name refused: $(cat "$TMP/err")"
	fi
}
bad() { refused "$1" "$TMP/out.json" run --cost "$TMP/cost" --probes "$TMP/probes"; }
# broken FILE NAME LINE: LINE added to FILE is refused, FILE restored.
broken() {
	cp "$1" "$1.good"
	echo "$3" >>"$1"
	bad "$2"
	mv "$1.good" "$1"
}
broken "$TMP/samples" "a line with a field missing" "long thpscope 5"
broken "$TMP/samples" "a negative run time" "long thpscope -5 5"
broken "$TMP/samples" "a name that would break the JSON" 'lo"ng thpscope 5 5'
broken "$TMP/samples" "a run of no CPU time" "long thpscope 5 0"
broken "$TMP/cost" "the cost of a workload never run" "short thpscope 1 1 1"
broken "$TMP/cost" "a tool whose BPF programs never ran" "long thpscope 0 1 1"
broken "$TMP/probes" "a repetition beyond --reps" "steady long migrate:few tracepoint 6 10 1000"
broken "$TMP/probes" "a phase neither first nor steady" "warm long migrate:few tracepoint 1 10 1000"
cp "$TMP/samples" "$TMP/good"
grep -v '^long baseline' "$TMP/good" >"$TMP/samples"
bad "a workload without a baseline"
: >"$TMP/samples"
bad "no samples"
cp "$TMP/good" "$TMP/samples"

# The serve part alone: 60 scrapes over 60 s costing 0.12 s of serve's CPU
# and 6 ms in its BPF programs is 0.2% + 0.01% of a core; p99s of 4 ms
# (met) and 7.5 ms (missed by 2.5); RSS 19300 kB at its peak while
# serving (19500 while loading is not judged), growing by 27 kB over
# 9000 scrapes (under a page per 1000: flat).
cp "$TMP/good" "$TMP/samples"
echo "60000000000 120000000 6000000 60" >"$TMP/cpu"
printf '%s\n' "idle 10000 2000000 4000000 9000000 26000" \
	"mixed 1000 3000000 7500000 20000000 26100" >"$TMP/lat"
printf '%s\n' "attached 19000 19500" "0 19100 19100" "1000 19200 19200" \
	"10000 19227 19300" >"$TMP/rss"
serve_run() {
	"$B" --json "$TMP/serve.json" --kernel 6.18.0-test --date 2026-01-01T00:00:00Z \
		--serve-cpu "$TMP/cpu" --serve-latency "$TMP/lat" --serve-rss "$TMP/rss"
}
if serve_run >"$TMP/serve.txt" 2>"$TMP/err"; then
	ok "benchstat runs the serve part alone"
else
	not_ok "benchstat, serve part: $(cat "$TMP/err")"
	exit 0
fi
# printed START: the line of the serve part's table that starts so.
printed() { grep "^  $1" "$TMP/serve.txt"; }
valid_json() { perl -MJSON::PP -e 'local $/; decode_json(<STDIN>)' <"$1" 2>/dev/null; }
valid_json "$TMP/serve.json" && ok "the serve document is JSON" ||
	not_ok "the serve document is not JSON: $(cat "$TMP/serve.json")"
check_eq "idle CPU: serve's and its programs' share of the wall time, against 0.5%" \
	"  idle, 60 scrapes over 60 s: 0.210% of a core (0.200% in serve, 0.010% in its BPF programs), target <= 0.5%: met" \
	"$(printed 'idle,')"
check_eq "a p99 under 5 ms is met" \
	"  idle              10000    2.00ms    4.00ms    9.00ms    26000   met" \
	"$(printed 'idle  ')"
check_eq "a p99 over 5 ms is missed, by how much" \
	"  mixed              1000    3.00ms    7.50ms   20.00ms    26100   missed by 2.50 ms" \
	"$(printed 'mixed ')"
check_eq "RSS: the peak while serving, growth from scrape 1000 to the last" \
	"  RSS target <= 20 MB: met; growth from scrape 1000 to 10000: +27 kB (flat)" \
	"$(printed 'RSS target')"
check_eq "the JSON holds the idle figures and the verdict" \
	'"idle": {"seconds": 60.0, "scrapes": 60, "cpu_percent": 0.2000, "bpf_percent": 0.0100, "total_percent": 0.2100, "target_percent": 0.5, "met": true}' \
	"$(grep -o '"idle": {"seconds[^}]*}' "$TMP/serve.json")"
check_eq "the JSON holds each phase's quantiles in ms" \
	'"mixed": {"scrapes": 1000, "p50_ms": 3.000, "p99_ms": 7.500, "max_ms": 20.000, "bytes": 26100, "met": false}' \
	"$(grep -o '"mixed": {[^}]*}' "$TMP/serve.json")"
check_eq "the JSON holds the RSS verdicts" \
	'"peak_kb": 19300, "growth_kb": 27, "growth_from_scrapes": 1000, "target_kb": 20480, "met": true, "flat": true}' \
	"$(grep -o '"peak_kb": [^}]*}' "$TMP/serve.json")"
printf '%s\n' "attached 19000 19500" "0 19100 19100" "1000 19200 19200" \
	"10000 19236 21000" >"$TMP/rss"
serve_run >"$TMP/serve.txt" 2>&1
check_eq "36 kB over 9000 scrapes is growing; a 21000 kB peak misses 20 MB" \
	"  RSS target <= 20 MB: missed by 0.5 MB; growth from scrape 1000 to 10000: +36 kB (growing)" \
	"$(printed 'RSS target')"
printf '%s\n' "attached 20600 30000" "0 19100 19100" "10000 19100 19300" >"$TMP/rss"
serve_run >"$TMP/serve.txt" 2>&1
check_eq "the RSS once attached counts, the peak of loading does not" \
	"  RSS target <= 20 MB: missed by 0.1 MB; growth from scrape 0 to 10000: +0 kB (flat)" \
	"$(printed 'RSS target')"
if run --cost "$TMP/cost" --serve-cpu "$TMP/cpu" --serve-latency "$TMP/lat" --serve-rss "$TMP/rss" \
	>/dev/null 2>"$TMP/err" && valid_json "$TMP/out.json" &&
	grep -q '"workloads": {' "$TMP/out.json" && grep -q '"serve": {' "$TMP/out.json"; then
	ok "both parts in one JSON document"
else
	not_ok "both parts in one document: $(cat "$TMP/err")"
fi

serve_bad() { refused "$1" "$TMP/serve.json" serve_run; }
cp "$TMP/rss" "$TMP/rss.good"
cp "$TMP/lat" "$TMP/lat.good"
echo "loaded 1000 5000000 4000000 9000000 26000" >>"$TMP/lat"
serve_bad "a p50 above the p99"
cp "$TMP/lat.good" "$TMP/lat"
echo "500 19000 19100" >>"$TMP/rss"
serve_bad "RSS stages out of order"
grep -v '^attached' "$TMP/rss.good" >"$TMP/rss"
serve_bad "no RSS once attached"
cp "$TMP/rss.good" "$TMP/rss"
echo "60000000000 1 1 60" >>"$TMP/cpu"
serve_bad "two idle stretches"
echo "0 1 1 60" >"$TMP/cpu"
serve_bad "an idle stretch of no time"
