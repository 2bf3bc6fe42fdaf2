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
if rmmod thpdev; then ok "thpdev unloads"; else not_ok "thpdev does not unload"; fi
if dmesg | grep -E 'WARNING|BUG|Oops|leak|Bad page|general protection' >"$TMP/bad"; then
	not_ok "kernel log has warnings: $(head -c 300 "$TMP/bad")"
	dmesg | tail -n 60
else
	ok "kernel log clean after the selftests and unload"
fi
