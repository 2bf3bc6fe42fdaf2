#!/bin/sh
# thpscope serve, scraped every second by a real Prometheus while thpload
# runs: the counters' growth over a window, read back with PromQL, equals
# ftrace's count of the same events (or lies between an inner and an
# outer ftrace window where the kernel acts on its own clock); no counter
# ever goes down, also when a map is full; promtool accepts the
# exposition, OpenMetrics ends with # EOF; 50 clients scraping flat out
# are all answered; malformed requests get 4xx; SIGTERM detaches every
# probe.
. "$(dirname "$0")/../lib.sh"
require_root
for c in prometheus promtool ab curl perl bpftool; do
	if ! command -v "$c" >/dev/null; then
		skip "serve: $c is missing (scripts/deps.sh test installs it)"
		exit 0
	fi
done
if "$THPSCOPE" serve --listen 127.0.0.1:1 -d 1 2>&1 | grep -q 'no HTTP server'; then
	skip "serve: this build has no HTTP server"
	exit 0
fi

# khugepaged idle (no size enabled; MADV_COLLAPSE ignores the setting),
# so that collapses come from the workload only.
thp=/sys/kernel/mm/transparent_hugepage
for f in $thp/enabled $thp/shmem_enabled $thp/hugepages-*/enabled $thp/hugepages-*/shmem_enabled; do
	[ -e "$f" ] && knob_set "$f" never
done

PIDS=$TMP/pids
stop_all() {
	[ -f "$PIDS" ] && while read -r p; do kill "$p" 2>/dev/null; done <"$PIDS"
	cleanup
}
trap stop_all EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

# serve_start NAME PORT [OPTION...]: thpscope serve on 127.0.0.1:PORT,
# its pid in $spid once it says it serves; 1 if it did not.
serve_start() {
	name=$1 port=$2
	shift 2
	"$THPSCOPE" serve --listen "127.0.0.1:$port" -d 900 "$@" 2>"$TMP/$name.err" &
	spid=$!
	echo "$spid" >>"$PIDS"
	i=0
	while [ $i -lt 600 ]; do
		grep -q serving "$TMP/$name.err" && return 0
		kill -0 "$spid" 2>/dev/null || return 1
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}

base=$((20000 + $$ % 20000))
port=$base pport=$((base + 1)) fport=$((base + 2))
if ! serve_start serve $port; then
	not_ok "serve starts: $(head -c 300 "$TMP/serve.err")"
	exit 0
fi
ok "serve starts and listens on 127.0.0.1:$port"
url=http://127.0.0.1:$port/metrics
expect "a second serve on the port is refused before loading anything" 1 "Address already in use" \
	timeout 5 "$THPSCOPE" serve --listen "127.0.0.1:$port"

cat >"$TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: thpscope
    static_configs:
      - targets: ['127.0.0.1:$port']
EOF
prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address="127.0.0.1:$pport" --log.level=warn >"$TMP/prometheus.log" 2>&1 &
echo $! >>"$PIDS"
api=http://127.0.0.1:$pport/api/v1

# prom_at TIME QUERY: "labels value" per series of QUERY's instant vector
# at TIME ("-" for a series without labels).
prom_at() {
	curl -sG --data-urlencode "query=$2" --data-urlencode "time=$1" "$api/query" |
		perl -MJSON::PP -0777 -ne '
			my $d = decode_json($_);
			for my $r (@{$d->{data}{result}}) {
				my %m = %{$r->{metric}};
				delete $m{__name__};
				my $k = join(",", map { $m{$_} } sort keys %m) || "-";
				print "$k $r->{value}[1]\n";
			}'
}

# prom_delta QUERY: QUERY's growth from $t0 to $t1 per series, "labels n";
# a series absent at $t0 had not grown yet. Not increase(): it
# extrapolates to the range's edges and gives fractions of events.
prom_delta() {
	prom_at "$t0" "$1" >"$TMP/at0"
	prom_at "$t1" "$1" >"$TMP/at1"
	awk 'FILENAME == ARGV[1] { a[$1] = $2; next } { d = $2 - a[$1]; if (d) printf "%s %d\n", $1, d }' \
		"$TMP/at0" "$TMP/at1"
}

i=0
until [ "$(prom_at "$(date +%s)" 'sum(up{job="thpscope"})' 2>/dev/null)" = "- 1" ]; do
	i=$((i + 1))
	if [ $i -gt 300 ]; then
		not_ok "Prometheus scrapes serve: $(tail -c 300 "$TMP/prometheus.log")"
		exit 0
	fi
	sleep 0.2
done
ok "Prometheus scrapes serve (up = 1)"
# Prometheus asks for OpenMetrics first: the target stays healthy on it.
health=$(curl -s "$api/targets" | perl -MJSON::PP -0777 -ne '
	my $t = decode_json($_)->{data}{activeTargets}[0];
	print "$t->{health} [$t->{lastError}]"')
check_eq "the target is healthy with OpenMetrics negotiation" "up []" "$health"

# window_open NAME "EVENTS": ftrace instances $outer (from now) and
# $inner (for the workload), then a pause, so that the last scrape before
# $t0 comes after $outer opened. window_close: the same pause after the
# workload, so that the last scrape before $t1 comes after $inner closed.
window_open() {
	# shellcheck disable=SC2086
	outer=$(ft_open "$1-outer" $2)
	# shellcheck disable=SC2086
	inner=$(ft_open "$1-inner" $2)
	echo 0 >"$inner/tracing_on"
	sleep 2.5
	t0=$(date +%s.%N)
}
window_close() {
	sleep 2.5
	t1=$(date +%s.%N)
	ft_off "$outer"
}
# workload THPLOAD-ARGS...: thpload inside the inner window.
workload() {
	sh -c "echo 1 > $inner/tracing_on; \"$THPLOAD\" $*; s=\$?; echo 0 > $inner/tracing_on; exit \$s" \
		>/dev/null
}

# MADV_COLLAPSE: the workload's own, synchronous; with khugepaged idle the
# inner and outer windows see the same events.
collapse_events="huge_memory/mm_khugepaged_scan_pmd huge_memory/mm_collapse_huge_page"
window_open collapse "$collapse_events"
alloc0=$(vmstat_of thp_collapse_alloc)
stat=$thp/hugepages-$(($(cat $thp/hpage_pmd_size) / 1024))kB/stats/collapse_alloc
[ -r "$stat" ] && mthp0=$(cat "$stat")
workload -n 8 collapse-anon
alloc1=$(vmstat_of thp_collapse_alloc)
[ -r "$stat" ] && mthp1=$(cat "$stat")
window_close
check_same "collapse attempts by result: PromQL = ftrace" \
	"$("$FTCOUNT" -e scan_result:SCAN_ "$outer" mm_collapse_huge_page status)" \
	"$(prom_delta 'sum by (result) (thpscope_collapse_attempts_total{source="madvise",kind="anon"})')"
check_same "collapse scans by result: PromQL = ftrace" \
	"$("$FTCOUNT" -e scan_result:SCAN_ "$outer" mm_khugepaged_scan_pmd status)" \
	"$(prom_delta 'sum by (result) (thpscope_collapse_scans_total{source="madvise",kind="anon"})')"
# The PMD order, from the kernel's sizes.
order=$(awk -v p="$(page_size)" '{ o = 0; for (n = $1 / p; n > 1; n /= 2) o++; print o }' \
	$thp/hpage_pmd_size)
check_same "collapse attempts by order: PromQL = ftrace" \
	"$order $("$FTCOUNT" "$outer" mm_collapse_huge_page -)" \
	"$(prom_delta 'sum by (order) (thpscope_collapse_attempts_total{source="madvise"})')"
check_eq "thp_collapse_alloc: PromQL = /proc/vmstat" "- $((alloc1 - alloc0))" \
	"$(prom_delta 'sum(thpscope_vmstat_thp_collapse_alloc_total)')"
if [ -r "$stat" ]; then
	check_eq "the PMD size's mTHP collapse_alloc: PromQL = sysfs" "$order $((mthp1 - mthp0))" \
		"$(prom_delta 'sum by (order) (thpscope_mthp_collapse_alloc_total)')"
else
	skip "mTHP collapse_alloc: no per-size stat on this kernel"
fi
if [ "$(prom_at "$t1" 'sum(thpscope_probe_attached{probe="collapse:collapse_huge_page"})')" = "- 1" ]; then
	check_eq "collapse latency samples: one per attempt" \
		"$(prom_delta 'sum(thpscope_collapse_attempts_total{source="madvise"})')" \
		"$(prom_delta 'sum(thpscope_collapse_duration_seconds_count{source="madvise"})')"
else
	skip "collapse latency: collapse_huge_page cannot be traced here"
fi

# Compaction: the workload's, and kcompactd's on its own clock.
migrate_events="migrate/mm_migrate_pages"
window_open compaction "$migrate_events"
workload -m 128 compaction
window_close
sum_of() { awk '{ s += $2 } END { print s + 0 }'; }
check_between "migrate_pages calls: inner <= PromQL <= outer" \
	"$("$FTCOUNT" "$inner" mm_migrate_pages -)" \
	"$(prom_delta 'sum(thpscope_migrate_pages_calls_total)' | sum_of)" \
	"$("$FTCOUNT" "$outer" mm_migrate_pages -)"
check_between "pages migrated: inner <= PromQL <= outer" \
	"$("$FTCOUNT" -s "$inner" mm_migrate_pages succeeded)" \
	"$(prom_delta 'sum(thpscope_migrate_pages_total{result="succeeded"})' | sum_of)" \
	"$("$FTCOUNT" -s "$outer" mm_migrate_pages succeeded)"

# promtool on what serve writes, in both formats.
curl -s "$url" >"$TMP/text.prom"
if promtool check metrics <"$TMP/text.prom" >"$TMP/promtool.out" 2>&1; then
	ok "promtool check metrics: no problem in the text format ($(grep -c '^# TYPE' "$TMP/text.prom") families)"
else
	not_ok "promtool check metrics: $(head -c 300 "$TMP/promtool.out")"
fi
curl -s -D "$TMP/om.headers" -H 'Accept: application/openmetrics-text; version=1.0.0' "$url" >"$TMP/om.prom"
check_eq "OpenMetrics asked for, OpenMetrics answered" 1 \
	"$(grep -ci '^content-type: application/openmetrics-text; version=1.0.0' "$TMP/om.headers")"
check_eq "OpenMetrics ends with # EOF" "# EOF" "$(tail -n 1 "$TMP/om.prom")"
check_eq "text format by default" 1 \
	"$(curl -s -D - -o /dev/null "$url" | grep -ci '^content-type: text/plain; version=0.0.4')"

# 50 clients as fast as they can for 10 s, during MADV_COLLAPSE: every
# scrape answered, the counts still exact.
window_open load "$collapse_events"
ab -q -l -c 50 -t 10 -n 1000000 -r "$url" >"$TMP/ab.out" 2>&1 &
abpid=$!
workload -n 8 -r 4 collapse-anon
wait $abpid
window_close
done_n=$(awk '/^Complete requests:/ { print $3 }' "$TMP/ab.out")
check_ge "scrapes answered under 50 concurrent clients in 10 s" 100 "${done_n:-0}"
check_eq "failed scrapes under load" 0 "$(awk '/^Failed requests:/ { print $3 }' "$TMP/ab.out")"
check_eq "non-2xx answers under load" 0 "$(awk '/^Non-2xx responses:/ { n = $3 } END { print n + 0 }' "$TMP/ab.out")"
check_same "collapse attempts under load: PromQL = ftrace" \
	"$("$FTCOUNT" -e scan_result:SCAN_ "$outer" mm_collapse_huge_page status)" \
	"$(prom_delta 'sum by (result) (thpscope_collapse_attempts_total{source="madvise",kind="anon"})')"

# Every counter over every scrape of the run: never a reset. One query
# per metric: resets() drops the name, and series of two metrics with the
# same labels would collide.
t1=$(date +%s)
resets=0 names=0
for m in $(curl -s "$api/label/__name__/values" | perl -MJSON::PP -0777 -ne \
		'print "$_\n" for grep { /^thpscope_.+_(total|count|bucket)$/ } @{decode_json($_)->{data}}'); do
	n=$(prom_at "$t1" "sum(resets(${m}[10m]))" | awk '{ print $2 }')
	names=$((names + 1))
	[ "${n:-0}" = 0 ] || { resets=$((resets + 1)); echo "# $m reset $n times"; }
done
check_ge "counters and histograms read back" 20 $names
check_eq "counters that went down across all scrapes" 0 $resets

# Requests serve must refuse.
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
check_eq "unknown path" 404 "$(code "http://127.0.0.1:$port/nope")"
check_eq "POST /metrics" 405 "$(code -X POST -d x "$url")"
check_eq "DELETE /" 405 "$(code -X DELETE "http://127.0.0.1:$port/")"
check_eq "landing page" 200 "$(code "http://127.0.0.1:$port/")"
check_eq "HTTP/1.1 without Host" 400 "$(code -H 'Host:' "$url")"
big=$(head -c 70000 /dev/zero | tr '\0' a)
got=$(code -H "X-Big: $big" "$url")
case "$got" in
4??) ok "an oversized header gets $got" ;;
*) not_ok "an oversized header gets $got, not 4xx" ;;
esac
# raw REQUEST: the status line serve answers a hand-made request with.
raw() {
	perl -MIO::Socket::INET -e '
		my $s = IO::Socket::INET->new(PeerAddr => "127.0.0.1:$ARGV[0]", Timeout => 5) or exit 1;
		print $s $ARGV[1];
		my $l = <$s>;
		print $l // "none\n";' "$port" "$1" | tr -d '\r'
}
check_eq "a request line without a version" 400 "$(raw "$(printf 'GET /metrics\r\n\r\n')" | cut -d' ' -f2)"
check_eq "a version that is not HTTP" 400 \
	"$(raw "$(printf 'GET /metrics FOO/1.1\r\nHost: x\r\n\r\n')" | cut -d' ' -f2)"
check_eq "a request line without a path" 400 \
	"$(raw "$(printf 'GET  HTTP/1.1\r\nHost: x\r\n\r\n')" | cut -d' ' -f2)"
check_eq "a header without a colon" 400 \
	"$(raw "$(printf 'GET /metrics HTTP/1.1\r\nHost: x\r\nnocolon\r\n\r\n')" | cut -d' ' -f2)"
# libmicrohttpd closes a connection whose first line is not a request
# line at all, without an answer.
check_eq "a request line that is not one: closed" none "$(raw "$(printf 'GARBAGE\r\n\r\n')")"
check_eq "still serving after them" 200 "$(code "$url")"

# SIGTERM: every probe detached. serve's programs, from its descriptors'
# fdinfo (programs and links name their prog_id), must all be gone.
ours=$(cat /proc/$spid/fdinfo/* 2>/dev/null | awk '$1 == "prog_id:" { print $2 }' | sort -u)
check_ge "serve holds its programs while it runs" 10 "$(echo "$ours" | wc -w)"
kill -TERM "$spid"
wait "$spid"
check_eq "serve exits 0 on SIGTERM" 0 $?
check_eq "serve says it detached" 1 "$(grep -c 'every probe detached' "$TMP/serve.err")"
check_eq "serve's programs left after SIGTERM" "" \
	"$(for id in $ours; do bpftool prog show id "$id" >/dev/null 2>&1 && echo "$id"; done)"

# A full map: what does not fit is counted, nothing counted goes down.
export THPSCOPE_MAP_ENTRIES=1
serve_start full $fport
started=$?
unset THPSCOPE_MAP_ENTRIES
if [ $started -eq 0 ]; then
	furl=http://127.0.0.1:$fport/metrics
	# Two processes: per-process counts need two entries (outcomes are
	# counted in an array, which has a slot for every one).
	{ "$THPLOAD" -n 4 -r 3 collapse-anon & "$THPLOAD" -n 4 -r 3 collapse-anon; wait; } >/dev/null &
	wl=$!
	n=0
	while [ $n -lt 8 ]; do
		curl -s "$furl" | grep -v '^#' >"$TMP/scrape.$n"
		n=$((n + 1))
		sleep 0.3
	done
	wait $wl
	curl -s "$furl" | grep -v '^#' >"$TMP/scrape.$n"
	down=0 k=1
	while [ $k -le $n ]; do
		d=$(awk '$1 ~ /_(total|bucket|count|sum)({|$)/ { if (NR == FNR) a[$1] = $2; else if ($1 in a && $2 + 0 < a[$1] + 0) print $1 }' \
			"$TMP/scrape.$((k - 1))" "$TMP/scrape.$k")
		[ -n "$d" ] && down=$((down + 1)) && echo "# went down: $d"
		k=$((k + 1))
	done
	check_eq "no counter goes down across $n scrapes with full maps" 0 $down
	full=$(awk -F' ' '/^thpscope_map_full_events_total\{family="collapse"\}/ { print $2 }' "$TMP/scrape.$n")
	check_ge "counts a full collapse map had no room for are counted" 1 "${full:-0}"
	kill -TERM "$spid"
	wait "$spid"
else
	not_ok "serve with capped maps starts: $(head -c 300 "$TMP/full.err")"
fi

# --by-cgroup: each process's counts under its cgroup cut at the depth;
# past --max-cgroups, under "other".
cgmnt=$(grep ' - cgroup2 ' /proc/self/mountinfo | awk '{ print $5; exit }')
top=thpscope-serve-$$
if [ -z "$cgmnt" ] || ! mkdir "$cgmnt/$top" 2>/dev/null; then
	skip "serve --by-cgroup: no writable cgroup v2 hierarchy"
	exit 0
fi
mkdir -p "$cgmnt/$top/a" "$cgmnt/$top/b/c" "$cgmnt/$top/d"
cg_done() { rmdir "$cgmnt/$top/b/c" "$cgmnt/$top/a" "$cgmnt/$top/b" "$cgmnt/$top/d" "$cgmnt/$top"; }
if ! serve_start cgroup $fport --by-cgroup 2 --max-cgroups 2 -e collapse --comm thpload; then
	not_ok "serve --by-cgroup starts: $(head -c 300 "$TMP/cgroup.err")"
	cg_done
	exit 0
fi
curl_metrics() { curl -s "http://127.0.0.1:$fport/metrics"; }
inst=$(ft_open by-cgroup huge_memory/mm_collapse_huge_page)
# in CGROUP N: thpload -n N collapse-anon in cgroup CGROUP; its pid in $wpid.
in_cgroup() {
	sh -c "echo \$\$ >$cgmnt/$top/$1/cgroup.procs && exec \"$THPLOAD\" -n $2 collapse-anon" >/dev/null &
	wpid=$!
	wait $wpid
	# Scraped between the runs: labels go to cgroups in the order seen.
	curl_metrics >/dev/null
}
in_cgroup a 3; pa=$wpid
in_cgroup b 5; pb=$wpid
in_cgroup b/c 2; pc=$wpid
in_cgroup d 4; pd=$wpid
ft_off "$inst"
curl_metrics >"$TMP/cg.prom"
attempts() {
	awk -v c="cgroup=\"$1\"" '/^thpscope_collapse_attempts_total\{/ && index($1, c) { s += $2 }
		END { print s + 0 }' "$TMP/cg.prom"
}
ft_attempts() { for p in "$@"; do "$FTCOUNT" -p "$p" "$inst" mm_collapse_huge_page -; done | awk '{ s += $1 } END { print s + 0 }'; }
check_eq "--by-cgroup 2: attempts in /$top/a = ftrace's for its process" \
	"$(ft_attempts $pa)" "$(attempts "/$top/a")"
check_eq "--by-cgroup 2: /$top/b holds b/c's attempts too" \
	"$(ft_attempts $pb $pc)" "$(attempts "/$top/b")"
check_eq "--max-cgroups 2: the third cgroup's attempts under other" \
	"$(ft_attempts $pd)" "$(attempts other)"
check_eq "--max-cgroups 2: one cgroup folded, and counted" 1 \
	"$(awk '/^thpscope_cgroups_folded / { print $2 }' "$TMP/cg.prom")"
check_eq "--by-cgroup: no attempt without a cgroup label" 0 \
	"$(grep '^thpscope_collapse_attempts_total' "$TMP/cg.prom" | grep -vc 'cgroup=')"
kill -TERM "$spid"
wait "$spid"
cg_done
