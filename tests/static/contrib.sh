#!/bin/sh
# contrib/: the Prometheus rules are valid and pass their unit tests, use
# only metrics thpscope exposes, and the systemd unit verifies and stays
# hardened. No kernel needed.
. "$(dirname "$0")/../lib.sh"
top=$(cd "$(dirname "$0")/../.." && pwd)
rules=$top/contrib/prometheus/thpscope.rules.yml
rules_test=$top/contrib/prometheus/thpscope.rules.test.yml
unit=$top/contrib/systemd/thpscope.service
# systemd-analyze security's exposure, 0 (locked down) to 10; the unit
# scores 2.2.
max_exposure=2.5

# Metrics only a running serve writes: no record of tests/fuzz/seeds
# holds them, so the sources must name them.
live_only="thpscope_map_full_events_total"

if command -v promtool >/dev/null; then
	if out=$(promtool check rules "$rules" 2>&1); then
		ok "promtool check rules: $(echo "$out" | grep -o '[0-9]* rules found')"
	else
		not_ok "promtool check rules: $(echo "$out" | tail -n +2)"
	fi
	if out=$(promtool test rules "$rules_test" 2>&1); then
		ok "promtool test rules: $(grep -c 'alertname:\|- expr:' "$rules_test") checks of the alerts and recording rules"
	else
		not_ok "promtool test rules:"
		echo "$out" | head -n 40
	fi
else
	skip "promtool check rules: promtool is missing (scripts/deps.sh test)"
	skip "promtool test rules: promtool is missing (scripts/deps.sh test)"
fi

# Every metric the rules and their tests name (recorded names hold a
# colon and are left out) must be one thpscope writes: a sample name of
# some seed record's exposition, or one of the live-only ones.
if [ -x "$BUILD/thpscope" ]; then
	for seed in "$top"/tests/fuzz/seeds/*.json; do
		"$BUILD/thpscope" report --prometheus "$seed" || echo "report failed: $seed" >&2
	done 2>"$TMP/report.err" | sed -n 's/^\(thpscope_[a-z0-9_]*\).*/\1/p' | sort -u >"$TMP/exposed"
	if [ -s "$TMP/report.err" ]; then
		not_ok "the seeds' exposition: $(head -n 1 "$TMP/report.err")"
	fi
	for name in $live_only; do
		if grep -q "\"${name%_total}\"" "$top"/user/*.c; then
			echo "$name" >>"$TMP/exposed"
		else
			not_ok "live-only metric $name: user/*.c do not name \"${name%_total}\""
		fi
	done
	cat "$rules" "$rules_test" | grep -o '[a-zA-Z_:][a-zA-Z0-9_:]*' |
		grep '^thpscope_' | grep -v ':' | sort -u >"$TMP/used"
	unknown=$(sort -u "$TMP/exposed" | comm -23 "$TMP/used" -)
	if [ ! -s "$TMP/used" ]; then
		not_ok "metric names in the rules: none found"
	elif [ -n "$unknown" ]; then
		not_ok "metric names in the rules that thpscope does not expose: $(echo "$unknown" | paste -s -d ' ' -)"
	else
		ok "the $(wc -l <"$TMP/used") metric names in the rules are all exposed"
	fi
else
	not_ok "metric names in the rules: $BUILD/thpscope is not built"
fi

if command -v systemd-analyze >/dev/null; then
	# verify wants the unit under its own name and its ExecStart to exist
	# (the binary is /usr/bin/thpscope only once installed).
	mkdir "$TMP/unit"
	sed "s|^ExecStart=/usr/bin/thpscope |ExecStart=$(command -v true) |" "$unit" \
		>"$TMP/unit/thpscope.service"
	# It warns of unknown keys and bad values but exits 0: any output fails.
	if out=$(systemd-analyze verify "$TMP/unit/thpscope.service" 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify thpscope.service"
	else
		not_ok "systemd-analyze verify thpscope.service: $out"
	fi
	exposure=$(systemd-analyze security --offline=true "$TMP/unit/thpscope.service" 2>&1 |
		sed -n 's/.*Overall exposure level for thpscope.service: \([0-9.]*\).*/\1/p')
	if [ -z "$exposure" ]; then
		not_ok "systemd-analyze security thpscope.service: no exposure level"
	elif awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e <= m) }'; then
		ok "systemd-analyze security thpscope.service: exposure $exposure <= $max_exposure"
	else
		not_ok "systemd-analyze security thpscope.service: exposure $exposure > $max_exposure"
	fi
else
	skip "systemd-analyze verify thpscope.service: systemd-analyze is missing"
	skip "systemd-analyze security thpscope.service: systemd-analyze is missing"
fi
