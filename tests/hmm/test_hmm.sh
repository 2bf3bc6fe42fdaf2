#!/bin/sh
# A driver thpscope was not written against: the kernel's own HMM test
# driver, lib/test_hmm.c, and its selftest hmm-tests, both built from
# Debian's source of this very kernel (scripts/vm/hmm). A selection of
# hmm-tests' device-migration cases runs under thpscope, then the module
# is unloaded inside the recording (its exit evicts its device memory).
# thpscope's calls, pages and THPs moved whole per driver and direction
# must equal an ftrace account of the same calls: kprobe events in a
# private instance on migrate_vma_setup/finalize and
# migrate_device_range/pfns/finalize, the folios folio_migrate_mapping
# moves between them, and the calling module from each call's stack
# (ftrace names a frame when the trace is read: the trace is read before
# rmmod, and what rmmod's own task evicts after is test_hmm's).
. "$(dirname "$0")/../lib.sh"
require_root

ko=${TEST_HMM_KO:-/mnt/module/test_hmm-$(uname -r).ko}
hmm_tests=${HMM_TESTS:-/mnt/module/hmm-tests}
if [ ! -f "$ko" ] || [ ! -x "$hmm_tests" ]; then
	skip "test_hmm: not built for $(uname -r)"
	exit 0
fi
t=$(tracefs)
if [ ! -w "$t/kprobe_events" ]; then
	skip "test_hmm: no kprobe events in this kernel"
	exit 0
fi

# The cases that migrate: THPs whole, split, holes and the huge zero page,
# CPU faults at addresses reused in loops (remap, partial unmap), errors.
cases="migrate migrate_fault migrate_multiple migrate_anon_huge_empty migrate_anon_huge_zero
	migrate_anon_huge_free migrate_anon_huge_fault migrate_partial_unmap_fault
	migrate_remap_fault migrate_anon_huge_err migrate_anon_huge_zero_err"
sel=
for c in $cases; do sel="$sel -r hmm.hmm_device_private.$c"; done

# struct migrate_vma: start@40, end@48, flags@64, fault_page@72 (the same
# from 6.1 to 7.2). A folio's order is in _flags_1 (@64) when PG_head (6
# from 6.12) is set.
g=thpscope_hmm
probes="p:$g/vma_begin migrate_vma_setup
p:$g/range_begin migrate_device_range
p:$g/pfns_begin migrate_device_pfns
p:$g/moved folio_migrate_mapping dhead=+0(%si):b1@6/64 shead=+0(%dx):b1@6/64
p:$g/vma_end migrate_vma_finalize start=+40(%di):u64 end=+48(%di):u64 flags=+64(%di):u64 fault=+72(%di):u64
p:$g/evict_end migrate_device_finalize npages=%dx:u64"
echo "$probes" | while read -r p; do
	[ -e "$t/events/$g/$(echo "$p" | sed 's|^p:[^/]*/\([^ ]*\).*|\1|')" ] || echo "$p" >>"$t/kprobe_events"
done
inst=$(ft_open hmm $g/vma_begin $g/range_begin $g/pfns_begin $g/moved $g/vma_end $g/evict_end)
echo 1 >"$inst/options/sym-offset"	# module names in stack frames
for e in vma_end evict_end; do echo stacktrace >"$inst/events/$g/$e/trigger"; done

dmesg -c >/dev/null
if insmod "$ko"; then ok "test_hmm loads"; else not_ok "test_hmm does not load"; exit 0; fi
rec=$TMP/hmm.json
t0=$(date +%s)
# shellcheck disable=SC2086
"$THPSCOPE" record -q -o "$rec" -- sh -c "\"$hmm_tests\" $sel >$TMP/hmm.out 2>&1; s=\$?; \
	cat $inst/trace >$TMP/trace.loaded; echo >$inst/trace; \
	rmmod test_hmm || exit 99; exit \$s"
status=$?
ft_off "$inst"
cat "$inst/trace" >"$TMP/trace.unload"
echo "# recorded in $(($(date +%s) - t0)) s"
for e in vma_end evict_end; do echo '!stacktrace' >"$inst/events/$g/$e/trigger"; done
case $status in
0) ok "hmm-tests pass under thpscope ($(grep -c '^ok ' "$TMP/hmm.out") cases)" ;;
99) not_ok "test_hmm does not unload" ;;
*) not_ok "hmm-tests fail under thpscope (exit $status): $(grep '^not ok' "$TMP/hmm.out" | head -n 3)" ;;
esac

# The ftrace account: per task, a call runs from its begin event to its
# end event; its direction is the kernel's (fault_page set: a CPU fault;
# MIGRATE_VMA_SELECT_SYSTEM: to the device; else to RAM; migrate_device_*:
# an eviction); its THPs moved whole are the folios moved large to large;
# its driver is the first module in the end event's stack ("kernel" when
# none), the stack coming just before or after the event; in the trace
# read after the unload, rmmod's calls are the unloaded module's.
awk -v unloaded=test_hmm -v after="$TMP/trace.unload" '
function task(line) {
	if (!match(line, /-[0-9]+ +\[[0-9]+\]/))
		return ""
	return substr(line, RSTART + 1, index(substr(line, RSTART), " ") - 2)
}
function field(name,   i) {
	for (i = 1; i <= NF; i++)
		if (index($i, name "=") == 1)
			return substr($i, length(name) + 2)
	return ""
}
function account(p, drv,   k) {
	if (FILENAME == after && comm[p] == "rmmod" && drv == "kernel") {
		drv = unloaded
		unload += dir[p] == "evict"
	}
	k = drv "." dir[p]
	calls[k]++
	pages[k] += npages[p]
	whole[k] += moved[p]
}
/^ *=> / {
	if (stk != "" && drv_of[stk] == "" && match($0, /\[[^]]*\]$/))
		drv_of[stk] = substr($0, RSTART + 1, RLENGTH - 2)
	next
}
{
	if (stk != "") {
		stack_done(stk)
		stk = ""
	}
}
/<stack trace>/ { stk = task($0); drv_of[stk] = ""; next }
/ (vma|range|pfns)_begin:/ { p = task($0); moved[p] = 0; next }
/ moved:/ { p = task($0); if (field("shead") == 1 && field("dhead") == 1) moved[p]++; next }
/ vma_end:/ {
	p = task($0)
	npages[p] = (field("end") - field("start")) / 4096
	dir[p] = field("fault") != 0 ? "fault" : field("flags") % 2 ? "to_device" : "to_ram"
	ended(p)
	next
}
/ evict_end:/ { p = task($0); npages[p] = field("npages"); dir[p] = "evict"; ended(p); next }
function ended(p) {
	comm[p] = $1
	sub(/-[0-9]+$/, "", comm[p])
	if (p in early) {
		account(p, early[p])
		delete early[p]
	} else {
		waiting[p] = 1
	}
}
function stack_done(p,   d) {
	d = drv_of[p] == "" ? "kernel" : drv_of[p]
	if (p in waiting) {
		account(p, d)
		delete waiting[p]
	} else {
		early[p] = d
	}
}
END {
	if (stk != "")
		stack_done(stk)
	for (k in calls)
		printf "%s.calls %d\n%s.pages %.0f\n%s.thp_whole %d\n", k, calls[k], k, pages[k], k, whole[k]
	printf "unload_evictions %d\n", unload
}' "$TMP/trace.loaded" "$TMP/trace.unload" >"$TMP/ft"

echo "# ftrace account in $(($(date +%s) - t0)) s: $(wc -l <"$TMP/trace.loaded") lines"
# thpscope's figures, in the same "driver.direction.key value" form.
J() { "$JGET" "$@"; }
for drv in $(J -k "$rec" migrate_vma.by_driver); do
	for dir in $(J -k "$rec" "migrate_vma.by_driver.$drv"); do
		for k in calls pages thp_whole; do
			echo "$drv.$dir.$k $(J "$rec" "migrate_vma.by_driver.$drv.$dir.$k")"
		done
	done
done >"$TMP/ts"

if [ "$(J "$rec" 'probes.device:migrate_vma_setup.attached')" = true ]; then
	check_same "calls, pages and THPs moved whole per driver and direction = ftrace's" \
		"$(grep -v '^unload' "$TMP/ft")" "$(cat "$TMP/ts")"
	check_eq "every call is named test_hmm" test_hmm "$(J -k "$rec" migrate_vma.by_driver)"
	check_ge "rmmod evicted device memory (ftrace)" 1 \
		"$(sed -n 's/^unload_evictions //p' "$TMP/ft")"
	check_ge "THPs moved whole were seen (ftrace)" 1 \
		"$(grep '\.thp_whole ' "$TMP/ft" | sum2)"
	check_eq "no spinning fault reported: every fault migrated" 0 \
		"$(J "$rec" pathologies | grep -c '"spinning_device_fault"')"
else
	skip "test_hmm: $(J "$rec" 'probes.device:migrate_vma_setup.why')"
fi
kernel_log_clean "hmm-tests and the unload"
