#!/bin/sh
# serve with the coverage family: the processes --comm selects are
# rescanned about once a second, so that a scrape finds the PMD THPs
# thpload holds; with nothing selected, every process's pagemap is
# scanned at most every 30 s and a scrape in between shows the last scan
# (what keeps serve's idle cost down).
. "$(dirname "$0")/../lib.sh"
require_root
thp_for_madvise
if ! command -v curl >/dev/null; then
	skip "serve coverage: curl is missing (scripts/deps.sh test installs it)"
	exit 0
fi
if "$THPSCOPE" serve --listen 127.0.0.1:1 -d 1 2>&1 | grep -q 'no HTTP server'; then
	skip "serve coverage: this build has no HTTP server"
	exit 0
fi

port=$((40000 + $$ % 20000))
order=0 pages=$(($(cat /sys/kernel/mm/transparent_hugepage/hpage_pmd_size) / $(page_size)))
while [ "$pages" -gt 1 ]; do pages=$((pages / 2)) order=$((order + 1)); done

# wait_line FILE TEXT: 0 once FILE holds TEXT, 1 if not within 10 s.
wait_line() {
	i=0
	until grep -qs "$2" "$1"; do
		[ $i -lt 100 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done
}

# serve_coverage NAME [OPTION...]: serve -e coverage; its pid in $spid
# once it serves, 1 if it did not.
serve_coverage() {
	name=$1
	shift
	"$THPSCOPE" serve --listen "127.0.0.1:$port" -e coverage -d 60 "$@" 2>"$TMP/$name.err" &
	spid=$!
	wait_line "$TMP/$name.err" serving
}

# scrape FILE: the metrics now.
scrape() { curl -sf "http://127.0.0.1:$port/metrics" >"$1"; }

# pmd_whole FILE: the anon memory in whole PMD THPs a scrape counted.
pmd_whole() {
	awk -v o="order=\"$order\"" '/^thpscope_coverage_bytes\{/ && /kind="anon"/ &&
		/mapped="whole"/ && index($1, o) { print $2 }' "$1"
}

# thps_start N: thpload holding N PMD THPs; its pid in $lpid and the
# bytes it faulted in $held once they are in place.
thps_start() {
	"$THPLOAD" -n "$1" -t 30 thps >"$TMP/thps.out" &
	lpid=$!
	wait_line "$TMP/thps.out" layout
	held=$(sed -n 's/.* pmd \([0-9]*\) .*/\1/p' "$TMP/thps.out")
}

if ! serve_coverage comm --comm thpload; then
	not_ok "serve -e coverage --comm starts: $(head -c 300 "$TMP/comm.err")"
	exit 0
fi
scrape "$TMP/before.prom"
thps_start 8
sleep 1
scrape "$TMP/after.prom"
check_eq "--comm thpload: no THP of thpload before it ran" "" "$(pmd_whole "$TMP/before.prom")"
check_eq "--comm thpload: rescanned within a second, its $held bytes of PMD THPs" \
	"$held" "$(pmd_whole "$TMP/after.prom")"
kill "$lpid" "$spid"
wait "$lpid" "$spid"

if ! serve_coverage system; then
	not_ok "serve -e coverage starts: $(head -c 300 "$TMP/system.err")"
	exit 0
fi
scrape "$TMP/first.prom"
thps_start 8
# Past what a scan's own duty cycle (ten times its length) would wait.
sleep 5
scrape "$TMP/second.prom"
check_eq "every process: a scrape within 30 s shows the last scan, not thpload's THPs" \
	"$(grep '^thpscope_coverage_rss_bytes ' "$TMP/first.prom")" \
	"$(grep '^thpscope_coverage_rss_bytes ' "$TMP/second.prom")"
check_ge "every process: the scan found memory" 1 \
	"$(awk '/^thpscope_coverage_rss_bytes / { print $2 }' "$TMP/first.prom")"
kill "$lpid" "$spid"
wait "$lpid" "$spid"
