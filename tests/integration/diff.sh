#!/bin/sh
# thpscope diff as a CI gate: repeated runs of one scenario compare
# without a regression (exit 0); the same scenario in a memory cgroup too
# tight for a collapse's charge is a regression (exit 1) of the collapses
# that succeed, decided by the Mann-Whitney test with 5 runs a side and by
# the threshold with one; bad input exits 2 with one line.
. "$(dirname "$0")/../lib.sh"
require_root
if [ -n "${THPSCOPE_GUEST:-}" ]; then
	# Its subject is the comparison, not the kernel: the host run covers it,
	# and scripts/vm/compare compares kernels.
	skip "diff: kernel-independent, run on the host"
	exit 0
fi

# runs DIR N [CGROUP]: N records of collapse-anon in DIR, the workload in
# CGROUP when given; the command line is the same either way, so counts
# compare per run.
runs() {
	mkdir -p "$1"
	for i in $(seq "$2"); do
		CG=$3 "$THPSCOPE" record -q -o "$1/run$i.json" -- \
			sh -c '[ -z "$CG" ] || echo $$ >"$CG/cgroup.procs"; exec "$0" -n 8 collapse-anon >/dev/null' \
			"$THPLOAD"
	done
}
runs "$TMP/a" 5
runs "$TMP/b" 5

"$THPSCOPE" diff "$TMP/a" "$TMP/b" >"$TMP/out" 2>&1
check_eq "5 runs against 5 runs of the same scenario: no regression (exit 0)" 0 $?
grep -q "^0 regressions" "$TMP/out" && ok "the output says 0 regressions" ||
	not_ok "the output says 0 regressions: $(cat "$TMP/out")"
# A single run's latency percentiles move by tens of percent, more under
# an emulated CPU: with one or two runs a side, a 50% threshold.
"$THPSCOPE" diff --threshold 50 "$TMP/a/run1.json" "$TMP/b/run1.json" >"$TMP/out" 2>&1
st=$?
check_eq "one run against one: no regression (exit 0) $(grep REGRESSION "$TMP/out")" 0 $st
"$THPSCOPE" diff --threshold 50 "$TMP/a/run1.json,$TMP/a/run2.json" \
	"$TMP/b/run1.json,$TMP/b/run2.json" >"$TMP/out" 2>&1
st=$?
check_eq "two runs against two (lists): no regression (exit 0) $(grep REGRESSION "$TMP/out")" 0 $st

cg=/sys/fs/cgroup/memory/thpscope-diff-$$
if mkdir "$cg" 2>/dev/null; then
	# Room for the touched base pages, not for a 2 MB folio more.
	echo 8M >"$cg/memory.limit_in_bytes"
	runs "$TMP/tight" 5 "$cg"
	rmdir "$cg"
	"$THPSCOPE" diff --json "$TMP/a" "$TMP/tight" >"$TMP/json" 2>"$TMP/err"
	check_eq "collapses failing in a tight cgroup: a regression (exit 1)" 1 $?
	tr -d ' \n' <"$TMP/json" >"$TMP/flat"
	if grep -q '"bad":"down","base":6\.0*,"base_per_s":[^}]*"name":"collapse\.order9\.succeeded","new":0\.0*,[^}]*"p":[0-9.e-]*,"rel":-1\.0*,"rule":"mann_whitney","verdict":"regression"' "$TMP/flat" &&
		grep -q '"per_second":false' "$TMP/flat"; then
		ok "order-9 collapses 6 -> 0 flagged by the Mann-Whitney test"
	else
		not_ok "order-9 collapses flagged by the Mann-Whitney test: $(grep -o '{[^{}]*collapse.order9.succeeded[^{}]*}' "$TMP/flat")"
	fi
	p=$(grep -o '"name":"collapse.order9.succeeded"[^}]*"p":[0-9.e-]*' "$TMP/flat" | sed 's/.*"p"://')
	# 5 runs at 6 against 5 at 0: U = 25, two tie groups of 5, variance
	# 25/12 * (11 - 240/90); with the continuity correction
	# p = erfc(12 / sqrt(2 * variance)) = 0.003977.
	check_between "p of 5 tied runs fully apart, x 1e6" 3970 "$(awk -v p="$p" 'BEGIN { printf "%d", p * 1e6 }')" 3985
	"$THPSCOPE" diff "$TMP/a/run1.json" "$TMP/tight/run1.json" >"$TMP/out" 2>&1
	check_eq "one run against one tight run: a regression (exit 1)" 1 $?
	grep -q "collapse.order9.succeeded .* threshold .*REGRESSION" "$TMP/out" &&
		ok "decided by the threshold with one run a side" ||
		not_ok "decided by the threshold: $(cat "$TMP/out")"
	"$THPSCOPE" diff --html "$TMP/diff.html" "$TMP/a" "$TMP/tight" >/dev/null 2>&1
	check_eq "diff --html keeps the exit status" 1 $?
	[ -s "$TMP/diff.html" ] && ok "diff --html wrote the page" || not_ok "diff --html wrote the page"
else
	skip "regression runs: no v1 memory hierarchy at /sys/fs/cgroup/memory"
fi

"$THPSCOPE" diff "$TMP/none.json" "$TMP/a" 2>"$TMP/err"
check_eq "a missing record: exit 2" 2 $?
check_eq "one line of error" 1 "$(wc -l <"$TMP/err")"
sed 's/thpscope-record\/1/thpscope-record\/2/' "$TMP/a/run1.json" >"$TMP/v2.json"
"$THPSCOPE" diff "$TMP/v2.json" "$TMP/a" 2>"$TMP/err"
check_eq "another schema version: exit 2" 2 $?
grep -q 'schema "thpscope-record/2" is not supported' "$TMP/err" && ok "the error names the schema" ||
	not_ok "the error names the schema: $(cat "$TMP/err")"
printf '{"schema": "thpscope-record/1",\n  "kernel": }\n' >"$TMP/bad.json"
"$THPSCOPE" diff "$TMP/a" "$TMP/bad.json" 2>"$TMP/err"
check_eq "malformed JSON: exit 2" 2 $?
grep -q 'bad.json:2:' "$TMP/err" && ok "the error gives the line" || not_ok "the error gives the line: $(cat "$TMP/err")"
"$THPSCOPE" diff --threshold ten "$TMP/a" "$TMP/b" 2>/dev/null
check_eq "a bad threshold: exit 2" 2 $?
