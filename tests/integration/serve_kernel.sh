#!/bin/sh
# thpscope serve against the kernel's own counters, both read from the
# same two scrapes: across two scenarios, the split and deferred-split
# counters grow as much as the kernel's count of the same thing (folio
# splits = the mTHP split stat or thp_split_page, PMD-mapping splits =
# thp_split_pmd, folios queued partially mapped = split_deferred or
# thp_deferred_split_page). These families need fentry or kprobes: the
# sid guest has them; elsewhere the checks are skipped with the reason.
. "$(dirname "$0")/../lib.sh"
require_root

# The guests' thpscope is static, without HTTP; their dynamically linked
# one, with its libraries, is thpscope-http.
serve_bin=$THPSCOPE
[ -x "$BUILD/thpscope-http" ] && serve_bin=$BUILD/thpscope-http
if command -v curl >/dev/null; then
	fetch() { curl -s "$1"; }
elif busybox wget --help >/dev/null 2>&1; then
	fetch() { busybox wget -q -O - "$1"; }
else
	skip "serve: no curl or wget"
	exit 0
fi

port=$((20000 + $$ % 20000))
"$serve_bin" serve --listen "127.0.0.1:$port" -d 900 -e split -e deferred 2>"$TMP/serve.err" &
spid=$!
i=0
until grep -q serving "$TMP/serve.err"; do
	if ! kill -0 $spid 2>/dev/null || [ $i -gt 1200 ]; then
		if grep -q 'no HTTP server' "$TMP/serve.err"; then
			skip "serve: this build has no HTTP server"
		else
			not_ok "serve starts: $(head -c 300 "$TMP/serve.err")"
		fi
		kill $spid 2>/dev/null
		exit 0
	fi
	sleep 0.1
	i=$((i + 1))
done
url=http://127.0.0.1:$port/metrics
scrape() { fetch "$url" | grep -v '^#' >"$TMP/$1"; }

# grew NAME SELECTOR: how much the samples of NAME whose labels hold
# SELECTOR grew from scrape "before" to scrape "after".
grew() {
	for s in before after; do
		awk -v n="$1" -v sel="$2" '
			{ name = $1; sub(/\{.*/, "", name) }
			name == n && (sel == "" || index($1, sel)) { s += $NF }
			END { printf "%d\n", s }' "$TMP/$s"
	done | awk 'NR == 1 { b = $1 } NR == 2 { print $1 - b }'
}
attached() { grep -q "^thpscope_probe_attached{probe=\"$1\".* 1\$" "$TMP/before"; }

order=$(awk -v p="$(page_size)" '{ o = 0; for (n = $1 / p; n > 1; n /= 2) o++; print o }' \
	/sys/kernel/mm/transparent_hugepage/hpage_pmd_size)
scrape before
if ! attached 'split:__folio_split' && ! attached 'split:split_huge_page_to_list_to_order'; then
	skip "serve: folio splits cannot be traced here ($(grep -c 'attached.* 1$' "$TMP/before") probes)"
	kill -TERM $spid
	wait $spid
	exit 0
fi
# The kernel's count of order-ORDER splits: per size where it has it.
orders=0
if grep -q "^thpscope_mthp_split_total{order=\"$order\"}" "$TMP/before"; then
	orders=4,0	# a split to order 4 first, then to base pages (6.10+)
	kernel_splits() { grew thpscope_mthp_split_total "order=\"$order\""; }
	kernel_deferred() { grew thpscope_mthp_split_deferred_total "order=\"$order\""; }
else
	kernel_splits() { grew thpscope_vmstat_thp_split_page_total ""; }
	kernel_deferred() { grew thpscope_vmstat_thp_deferred_split_page_total ""; }
fi

# Half-unmapped THPs, split by the deferred-split shrinker; THPs split
# through debugfs, with their PMD mappings, where debugfs is writable.
"$THPLOAD" -n 8 partial-unmap >/dev/null
debugfs=0
if [ -w /sys/kernel/debug/split_huge_pages ]; then
	"$THPLOAD" -n 4 -o $orders split-debugfs >/dev/null
	debugfs=4
fi
scrape after
check_eq "order-$order splits: serve = the kernel's split count" \
	"$(kernel_splits)" "$(grew thpscope_split_folios_total "order=\"$order\",result=\"ok\"")"
check_eq "PMD-mapping splits: serve = thp_split_pmd" \
	"$(grew thpscope_vmstat_thp_split_pmd_total "")" "$(grew thpscope_split_pmd_total "")"
check_eq "queued partially mapped: serve = the kernel's deferred count" \
	"$(kernel_deferred)" \
	"$(grew thpscope_deferred_split_reasons_total "order=\"$order\",reason=\"partially_mapped\"")"
check_ge "the scenario's splits are the shrinker's" 8 \
	"$(grew thpscope_split_causes_total "order=\"$order\",cause=\"shrinker\"")"
check_ge "debugfs splits split PMD mappings" $debugfs "$(grew thpscope_split_pmd_total "")"

kill -TERM $spid
wait $spid
check_eq "serve exits 0 on SIGTERM" 0 $?
