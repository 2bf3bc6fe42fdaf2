#!/bin/sh
# The thpdev module's selftests, in a kernel with DEVICE_PRIVATE: load it,
# run them, check thpscope's device-migration figures against the
# module's own counters, unload it, and require a kernel log free of
# warnings.
. "$(dirname "$0")/../lib.sh"
require_root

thpdev_ko thpdev || exit 0
dmesg -c >/dev/null
if insmod "$THPDEV_KO"; then ok "thpdev loads"; else not_ok "thpdev does not load"; exit 0; fi
"$BUILD/tests/thpdev_test" >"$TMP/tap" 2>&1
cat "$TMP/tap" | sed -n 's/^\(not \)\{0,1\}ok [0-9]* - \([^#]*\)$/\1ok - thpdev: \2/p'
grep '^#' "$TMP/tap"

# Device migration as thpscope sees it, against thpdev's own STATS: THPs
# whole, split on collection (compound off, unaligned range), split
# unmapped after a failed large device allocation; back by the driver and
# by CPU faults, five of them refused (the spinning fault).
rec=$TMP/device.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 8 -f 5 device >"$TMP/device.out"
stat() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$TMP/device.out"; }
J() { "$JGET" "$@"; }
order=$(J "$rec" kernel.pmd_order)
d=migrate_vma.by_driver.thpdev
if [ "$(J "$rec" 'probes.device:migrate_vma_setup.attached')" = true ]; then
	check_eq "the driver is named thpdev" thpdev "$(J -k "$rec" migrate_vma.by_driver)"
	check_eq "THPs to the device whole = thpdev's thp_to_device" \
		"$(stat thp_to_device)" "$(J "$rec" $d.to_device.thp_whole)"
	check_eq "THPs split on the way to the device = thpdev's collection and allocation splits" \
		$(($(stat split_collect) + $(stat split_alloc))) "$(J "$rec" $d.to_device.thp_split)"
	check_eq "THPs back whole (driver and faults) = thpdev's thp_to_ram" "$(stat thp_to_ram)" \
		$(($(J "$rec" $d.to_ram.thp_whole) + $(J "$rec" $d.fault.thp_whole)))
	check_eq "fault-driven migrations = thpdev's CPU faults served" \
		"$(stat cpu_faults)" "$(J "$rec" $d.fault.calls)"
	check_eq "fallback: compound not requested" 2 \
		"$(J "$rec" migrate_vma.fallback_reasons.compound_not_requested)"
	check_eq "fallback: range not aligned (the first THP of the unaligned part)" 1 \
		"$(J "$rec" migrate_vma.fallback_reasons.range_not_aligned)"
	check_eq "fallback: base pages given = thpdev's failed large allocations" \
		"$(stat split_alloc)" "$(J "$rec" migrate_vma.fallback_reasons.base_pages_given)"
	spins() { J "$1" pathologies | grep -c '"spinning_device_fault"'; }
	check_eq "one spinning fault detected" 1 "$(spins "$rec")"
	check_eq "it faulted once per refusal and once more" $(($(stat cpu_faults_refused) + 1)) \
		"$(J "$rec" 'pathologies[kind=spinning_device_fault].evidence.faults')"
	check_eq "it faulted once per refusal in a row with nothing migrated" \
		"$(stat cpu_faults_refused)" "$(J "$rec" 'pathologies[kind=spinning_device_fault].count')"
	check_eq "the spinning fault is the workload's" "$(J "$rec" command.pid)" \
		"$(J "$rec" 'pathologies[kind=spinning_device_fault].pid')"
	addr=$(J "$rec" pathologies | tr -d ' \n' | sed -n 's/.*"spinning_device_fault".*"start":"\(0x[0-9a-f]*\)".*/\1/p')
	check_eq "the spinning address is a THP's (2 MB aligned)" 0 $((addr % 2097152))
	"$THPSCOPE" record -q -o "$TMP/calm.json" -- "$THPLOAD" -n 4 device >/dev/null
	check_eq "no spinning fault reported in a normal run" 0 "$(spins "$TMP/calm.json")"
	# The same THPs faulted back at the same addresses round after round,
	# each fault migrating them: no livelock.
	"$THPSCOPE" record -q -o "$TMP/reuse.json" -- "$THPLOAD" -n 2 device-reuse >"$TMP/reuse.out"
	reuse() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$TMP/reuse.out"; }
	check_eq "reused addresses: fault-driven migrations = thpdev's CPU faults" \
		"$(reuse cpu_faults)" "$(J "$TMP/reuse.json" $d.fault.calls)"
	check_eq "reused addresses: THPs faulted back whole = thpdev's thp_to_ram" \
		"$(reuse thp_to_ram)" "$(J "$TMP/reuse.json" $d.fault.thp_whole)"
	check_eq "no spinning fault when every fault at a reused address migrates" 0 \
		"$(spins "$TMP/reuse.json")"
else
	skip "device migration: $(J "$rec" 'probes.device:migrate_vma_setup.why')"
fi

# Invalidations: thpdev's interval notifier spans the whole address space,
# so it sees every one in the workload's mm until it reads its counters;
# thpscope also sees the unmaps after that. Only device migration
# invalidates with MMU_NOTIFY_MIGRATE, all of it before the read.
if [ "$(J "$rec" 'probes.device:__mmu_notifier_invalidate_range_start.attached')" = true ]; then
	check_eq "device-migration invalidations = thpdev's" \
		"$(stat inval_migrate)" "$(J "$rec" hmm.invalidations.migrate)"
	check_ge "device-migration invalidations seen" 1 "$(J "$rec" hmm.invalidations.migrate)"
	for e in unmap clear; do
		check_ge "$e invalidations cover thpdev's" "$(stat inval_$e)" \
			"$(J "$rec" hmm.invalidations.$e)"
	done
else
	skip "invalidations: $(J "$rec" 'probes.device:__mmu_notifier_invalidate_range_start.why')"
fi
if [ "$(J "$rec" 'probes.split:__folio_split.attached')" = true ]; then
	check_eq "device-migration splits seen by the split probes" \
		$(($(stat split_collect) + $(stat split_alloc))) \
		"$(J "$rec" "split.by_order.$order.cause.device_migration")"
	check_eq "splits the kernel cannot count = thpdev's failed large allocations" \
		"$(stat split_alloc)" "$(J "$rec" "split.by_order.$order.uncounted")"
	check_eq "counted device-migration splits = the mTHP split stat" \
		"$(J "$rec" "counters.mthp.$order.split")" "$(J "$rec" "split.by_order.$order.ok")"
fi

# mTHPs mapped by PTEs are split while collected, even with COMPOUND.
knobs=/sys/kernel/mm/transparent_hugepage
if [ -w $knobs/hugepages-64kB/enabled ]; then
	pmd_setting=$(sed 's/.*\[\(.*\)\].*/\1/' $knobs/hugepages-2048kB/enabled)
	small_setting=$(sed 's/.*\[\(.*\)\].*/\1/' $knobs/hugepages-64kB/enabled)
	echo never >$knobs/hugepages-2048kB/enabled
	echo always >$knobs/hugepages-64kB/enabled
	"$THPSCOPE" record -q -o "$TMP/mthp.json" -- "$THPLOAD" -n 2 device-mthp >/dev/null
	echo "$pmd_setting" >$knobs/hugepages-2048kB/enabled
	echo "$small_setting" >$knobs/hugepages-64kB/enabled
	check_eq "64 kB mTHPs split on collection as PTE-mapped" 64 \
		"$(J "$TMP/mthp.json" migrate_vma.fallback_reasons.pte_mapped_mthp)"
	check_eq "no THP went whole" 0 "$(J "$TMP/mthp.json" $d.to_device.thp_whole)"
else
	skip "PTE-mapped mTHPs: no 64 kB mTHP setting"
fi

# A THP bouncing between collapse and device-exclusive access: each
# time, MADV_COLLAPSE, then make_device_exclusive() on its first page,
# which splits the PMD mapping. The thrash detector must name the range,
# split by device_exclusive, with a cycle per page thpdev made exclusive.
rec=$TMP/exclusive.json
"$THPSCOPE" record -q -o "$rec" -- "$THPLOAD" -n 4 device-exclusive >"$TMP/excl.out"
if [ "$(J "$rec" pathology_detectors.thrash.available)" = true ]; then
	start=$(sed -n 's/^device-exclusive: range \(0x[0-9a-f]*\)-.*/\1/p' "$TMP/excl.out")
	excl=$(sed -n 's/.* exclusive_pages \([0-9]*\).*/\1/p' "$TMP/excl.out")
	check_eq "device-exclusive bounce: a cycle per page made exclusive (thpdev)" "$excl" \
		"$(J "$rec" "pathologies[start=$start].count")"
	check_eq "device-exclusive bounce: the range's exclusive invalidations = thpdev's" \
		"$(sed -n 's/.* inval_exclusive \([0-9]*\).*/\1/p' "$TMP/excl.out")" \
		"$(J "$rec" "pathologies[start=$start].evidence.invalidations.exclusive")"
	check_eq "device-exclusive bounce: split by device_exclusive" '"device_exclusive"' \
		"$(J "$rec" pathologies | tr -d ' \n' | sed -n 's/.*"split_causes":\[\([^]]*\)\].*/\1/p')"
else
	skip "device-exclusive bounce: $(J "$rec" pathology_detectors.thrash.why)"
fi

# Holes (never written, or mapped by the huge zero page) to the device:
# no THP existed, so none moved whole. Half come back by the driver, the
# rest are evicted when the device is closed; then the module is unloaded
# inside the recording, so its calls are named after it has gone.
rec=$TMP/holes.json
if "$THPSCOPE" record -q -o "$rec" -- sh -c "\"$THPLOAD\" -n 4 device-holes && rmmod thpdev" \
	>"$TMP/holes.out"; then
	ok "thpdev unloads"
else
	not_ok "thpdev does not unload"
fi
holes() { sed -n "s/.* $1 \([0-9]*\).*/\1/p" "$TMP/holes.out"; }
if [ "$(J "$rec" 'probes.device:migrate_vma_setup.attached')" = true ]; then
	check_ge "the huge zero page maps some of the holes" 1 "$(holes zero_pmds)"
	check_eq "the driver unloaded in the recording is named thpdev" thpdev \
		"$(J -k "$rec" migrate_vma.by_driver)"
	check_eq "holes collected whole = the holes thpload made" "$(holes holes)" \
		"$(J "$rec" $d.to_device.holes_collected)"
	check_eq "holes filled whole = thpdev's large device folios" "$(holes thp_to_device)" \
		"$(J "$rec" $d.to_device.holes_filled)"
	check_eq "no THP collected or moved whole to the device: none existed" "0 0" \
		"$(J "$rec" $d.to_device.compound_collected) $(J "$rec" $d.to_device.thp_whole)"
	check_eq "device THPs back whole = thpdev's thp_to_ram" "$(holes thp_to_ram)" \
		"$(J "$rec" $d.to_ram.thp_whole)"
	check_eq "pages evicted at close = thpdev's device pages left" "$(holes device_pages)" \
		"$(J "$rec" $d.evict.migrated)"
fi
kernel_log_clean "the selftests and unload"
