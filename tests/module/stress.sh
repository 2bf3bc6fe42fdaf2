#!/bin/sh
# thpdev under abuse, in a kernel with DEVICE_PRIVATE: load the module,
# run the random-ioctl stress (threads, forks, closes, unmaps; bounded in
# operations and time; its seed printed, THPDEV_STRESS_SEED replays it,
# THPDEV_STRESS_EXCLUDE=op,... chooses the operations left out),
# unload, and require a kernel log free of warnings, bugs and lockdep
# reports.
. "$(dirname "$0")/../lib.sh"
require_root

thpdev_ko "thpdev stress" || exit 0
# Under TCG the whole script stays within 3 minutes: the stress stops
# issuing calls after $limit s, then checks, with a hard bound above.
limit=${THPDEV_STRESS_SECONDS:-60}
seed=${THPDEV_STRESS_SEED:-$(date +%s)}
# Unmapping, zapping, mprotecting and collapsing ranges while they are
# migrated still bring the 7.2 guest down, in one boot of two: a device
# THP that the eviction at close holds locked is found freed (refcount
# 0, its backing a free-list link). 7.2's zap_huge_pmd() treats a PMD
# migration entry of a device-private folio as a device-private mapping
# and drops a reference and an rmap it never held, so a zap racing with
# a migration frees the folio under it; thpdev cannot keep user zaps off
# its migrations. Left out until the kernel mends it. Forks are in: the
# Oops they caused (a THP mapped by a child split unmapped in the parent
# alone) is what thpdev now avoids. THPDEV_STRESS_EXCLUDE= runs
# everything.
exclude=${THPDEV_STRESS_EXCLUDE-chaos,collapse}
dmesg -c >/dev/null
if ! insmod "$THPDEV_KO"; then
	not_ok "thpdev stress: the module does not load"
	exit 0
fi
t0=$(date +%s)
timeout $((limit + 60)) "$BUILD/tests/thpdev_stress" -s "$seed" -t 4 -n 5000 -d "$limit" \
	${exclude:+-x "$exclude"} >"$TMP/tap" 2>&1
status=$?
took=$(($(date +%s) - t0))
sed -n -e 's/^ok [0-9]* - \(.*\) # SKIP \(.*\)$/skip - thpdev stress: \1: \2/p' -e t \
	-e 's/^\(not \)\{0,1\}ok [0-9]* - \(.*\)$/\1ok - thpdev stress: \2/p' "$TMP/tap"
grep '^#' "$TMP/tap"
if [ "$status" -ge 124 ]; then
	not_ok "thpdev stress (seed $seed) did not finish: status $status after $took s"
	tail -n 20 "$TMP/tap"
fi
check_le "thpdev stress (seed $seed) time in seconds" $((limit + 60)) "$took"

if rmmod thpdev; then ok "thpdev unloads after the stress"; else not_ok "thpdev does not unload"; fi
kernel_log_clean "the stress (seed $seed) and unload"
