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
bad() {
	rm -f "$TMP/out.json"
	if run "$TMP/cost" >/dev/null 2>"$TMP/err"; then
		not_ok "$1: accepted"
	elif [ "$(wc -l <"$TMP/err")" -ne 1 ] || [ -e "$TMP/out.json" ]; then
		not_ok "$1: $(cat "$TMP/err"), document left: $([ -e "$TMP/out.json" ] && echo yes || echo no)"
	else
		ok "$1 refused: $(cat "$TMP/err")"
	fi
}
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
