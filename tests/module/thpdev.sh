#!/bin/sh
# The thpdev module's selftests, in a kernel with DEVICE_PRIVATE: load it,
# run them, unload it, and require a kernel log free of warnings.
. "$(dirname "$0")/../lib.sh"
require_root

ko=${THPDEV_KO:-/mnt/module/thpdev-$(uname -r).ko}
if [ ! -f "$ko" ]; then
	skip "thpdev: no module built for $(uname -r)"
	exit 0
fi
dmesg -c >/dev/null
if insmod "$ko"; then ok "thpdev loads"; else not_ok "thpdev does not load"; exit 0; fi
"$BUILD/tests/thpdev_test" >"$TMP/tap" 2>&1
cat "$TMP/tap" | sed -n 's/^\(not \)\{0,1\}ok [0-9]* - \([^#]*\)$/\1ok - thpdev: \2/p'
grep '^#' "$TMP/tap"

# Device migration as thpscope sees it: a third of the THPs whole, a third
# split on collection (the kernel counts it), a third split unmapped after
# a failed large device allocation (no kernel counter sees it).
rec=$TMP/device.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 6 device >"$TMP/device.out"
stat() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$TMP/device.out"; }
order=$("$JGET" "$rec" kernel.pmd_order)
if [ "$("$JGET" "$rec" 'probes.split:__folio_split.attached')" = true ]; then
	check_eq "device-migration splits: thpdev's collection and allocation splits" \
		$(($(stat split_collect) + $(stat split_alloc))) \
		"$("$JGET" "$rec" "split.by_order.$order.cause.device_migration")"
	check_eq "splits the kernel cannot count = thpdev's failed large allocations" \
		"$(stat split_alloc)" "$("$JGET" "$rec" "split.by_order.$order.uncounted")"
	check_eq "counted device-migration splits = the mTHP split stat" \
		"$("$JGET" "$rec" "counters.mthp.$order.split")" "$("$JGET" "$rec" "split.by_order.$order.ok")"
else
	skip "device-migration splits: split probes not attached"
fi
if rmmod thpdev; then ok "thpdev unloads"; else not_ok "thpdev does not unload"; fi
if dmesg | grep -E 'WARNING|BUG|Oops|leak|Bad page|general protection' >"$TMP/bad"; then
	not_ok "kernel log has warnings: $(head -c 300 "$TMP/bad")"
	dmesg | tail -n 60
else
	ok "kernel log clean after the selftests and unload"
fi
