#!/bin/sh
# scripts/vm/compare KERNEL_A KERNEL_B SCENARIO: the same scenario is
# recorded in both guests, the records come back whole, and diff
# compares them with the kernels' difference listed first.
# Usage: compare.sh KERNEL_A KERNEL_B (from tests/run, on the host).
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)

out=$TMP/cmp
"$top/scripts/vm/compare" --out "$out" "$1" "$2" -n 4 collapse-anon >"$TMP/diff" 2>"$TMP/err"
st=$?
case $st in
0|1) ok "compare $1 $2 ran diff (exit $st)" ;;
*) not_ok "compare $1 $2: exit $st"; tail -15 "$TMP/err" | sed 's/^/# /'; exit 0 ;;
esac
for side in a b; do
	check_eq "one record from the $side side" 1 "$(ls "$out/$side" | wc -l)"
	check_eq "the $side record is whole (its schema)" thpscope-record/1 \
		"$("$JGET" "$out/$side/run01.json" schema)"
done
check_ge "the $1 guest's workload collapsed memory" 3 "$("$JGET" "$out/a/run01.json" "collapse.by_order.9.succeed")"
check_ge "the $2 guest's workload collapsed memory" 3 "$("$JGET" "$out/b/run01.json" "collapse.by_order.9.succeed")"
grep -q '^  kernel.release ' "$TMP/diff" && ok "the kernels' difference is listed first" ||
	not_ok "the kernels' difference is listed first: $(head -12 "$TMP/diff")"
grep REGRESSION "$TMP/diff" | sed 's/^/# /'
grep -q "counters compared per run" "$TMP/diff" && ok "counters compared per run (one command)" ||
	not_ok "counters compared per run: $(head -3 "$TMP/diff")"
