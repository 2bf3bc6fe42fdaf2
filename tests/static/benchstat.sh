#!/bin/sh
# The statistics and output of scripts/bench (build/tests/benchstat) on
# samples whose medians and intervals are known by hand; no kernel needed.
. "$(dirname "$0")/../lib.sh"
B=$BUILD/tests/benchstat
[ -x "$B" ] || { not_ok "benchstat: $B is not built (make tools)"; exit 0; }

# Run times above 2^31 ns, as every workload of about 6 s has: medians
# 3 s and 6 s. "slow" takes twice the baseline's every time: any
# resample's ratio lies within [5.8 / 3.1, 6.2 / 2.9]. "same" is the
# baseline itself, so its intervals hold 1.
for c in baseline slow same; do
	for s in 3000000000 3100000000 2900000000 3050000000 2950000000; do
		[ $c = slow ] && s=$((2 * s))
		echo "long $c $s"
	done
done >"$TMP/samples"
printf 'thpscope %s\n' 200000000 220000000 210000000 >"$TMP/attach"
echo "collapse:mm_collapse_huge_page tracepoint 10 1000" >"$TMP/cost"
run() {
	"$B" --json "$TMP/out.json" --kernel 6.18.0-test --date 2026-01-01T00:00:00Z \
		--reps 5 --rss 2048 --cpu-user 0.25 --cpu-sys 0.5 --cost-ms 2000 \
		"$TMP/samples" "$TMP/attach" "$@"
}
if run "$TMP/cost" >"$TMP/out.txt" 2>"$TMP/err"; then
	ok "benchstat runs"
else
	not_ok "benchstat: $(cat "$TMP/err")"
	exit 0
fi
json() { grep -o "\"$1\": {[^}]*}" "$TMP/out.json" | head -n 1; }
check_eq "run times above 2^31 ns kept whole" \
	'"baseline": {"median_ns": 3000000000, "samples_ns": [3000000000, 3100000000, 2900000000, 3050000000, 2950000000]}' \
	"$(json baseline)"
check_eq "the slowdown is the ratio of the medians" 2.0000 \
	"$(json slow | sed -n 's/.*"ratio": \([0-9.]*\).*/\1/p')"
# ci NAME: the low and high ends of NAME's interval.
ci() { json "$1" | sed -n 's/.*"ci95": \[\([0-9.]*\), \([0-9.]*\)\].*/\1 \2/p'; }
read -r lo hi <<EOF
$(ci slow)
EOF
if awk -v lo="$lo" -v hi="$hi" 'BEGIN { exit !(lo >= 1.8709 && lo <= 2 && hi >= 2 && hi <= 2.1380) }'; then
	ok "the interval holds the ratio, within the extremes of resampling ([$lo, $hi])"
else
	not_ok "interval [$lo, $hi] for a ratio of 2 within [1.8709, 2.1380]"
fi
check_eq "a tool always slower is slower" '"verdict": "slower"' \
	"$(json slow | grep -o '"verdict": "[a-z]*"')"
check_eq "the baseline against itself is indistinguishable" '"verdict": "indistinguishable"' \
	"$(json same | grep -o '"verdict": "[a-z]*"')"
check_eq "the table: header" "WORKLOAD       BASELINE                         SLOW                         SAME" \
	"$(sed -n 2p "$TMP/out.txt")"
read -r same_lo same_hi <<EOF
$(ci same)
EOF
cell() { printf ' %28s' "$(printf '%.3f [%.3f,%.3f]%s' "$@")"; }
check_eq "the table: the baseline's median, then each tool's ratio and interval" \
	"long              3.00s$(cell 2 "$lo" "$hi" "")$(cell 1 "$same_lo" "$same_hi" " =")" \
	"$(sed -n 3p "$TMP/out.txt")"
check_eq "per-probe cost: 1000 ns over 10 events" \
	"collapse:mm_collapse_huge_page                   tracepoint         10        100" \
	"$(grep '^collapse:' "$TMP/out.txt")"
check_eq "events per second: 10 in 2 s" "events seen: 10 (5 per second)" "$(grep '^events seen' "$TMP/out.txt")"
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
bad() { refused "$1" "$TMP/out.json" run "$TMP/cost"; }
cp "$TMP/samples" "$TMP/good"
echo "long slow" >>"$TMP/samples"
bad "a line with a field missing"
cp "$TMP/good" "$TMP/samples"
echo "long slow -5" >>"$TMP/samples"
bad "a negative run time"
cp "$TMP/good" "$TMP/samples"
echo 'lo"ng slow 5' >>"$TMP/samples"
bad "a name that would break the JSON"
grep -v '^long baseline' "$TMP/good" >"$TMP/samples"
bad "a workload without a baseline"
: >"$TMP/samples"
bad "no samples"

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
if run "$TMP/cost" --serve-cpu "$TMP/cpu" --serve-latency "$TMP/lat" --serve-rss "$TMP/rss" \
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
