#!/bin/sh
# ftcount, the tests' ground truth from ftrace, on a buffer whose records
# are known: counts by task, by value and by the mm a task's records
# name, only within that task's life (an mm freed before or after it is
# another process's at the same address), and a buffer that lost events
# refused.
. "$(dirname "$0")/../lib.sh"
F=$BUILD/tests/ftcount
[ -x "$F" ] || { not_ok "ftcount: $F is not built (make tests)"; exit 0; }

inst=$TMP/instance
mkdir -p "$inst/events/huge_memory/mm_khugepaged_scan_pmd" "$inst/events/mmap_lock/mmap_lock_start_locking"
cat >"$inst/events/huge_memory/mm_khugepaged_scan_pmd/format" <<'FMT'
name: mm_khugepaged_scan_pmd
format:
	field:int referenced;	offset:24;	size:4;	signed:1;

print fmt: "mm=%p, referenced=%d", REC->mm, REC->referenced
FMT
cp "$inst/events/huge_memory/mm_khugepaged_scan_pmd/format" \
	"$inst/events/mmap_lock/mmap_lock_start_locking/format"
buffer() {
	cat >"$inst/trace" <<TRACE
# tracer: nop
#
# entries-in-buffer/entries-written: 6/$1   #P:2
      khugepaged-50      [000] .....    99.000001: mm_khugepaged_scan_pmd: mm=00000000aa, referenced=1
        thpscope-100     [001] .....   100.000000: mmap_lock_start_locking: mm=00000000aa, referenced=0
      khugepaged-50      [000] .....   100.500000: mm_khugepaged_scan_pmd: mm=00000000aa, referenced=2
      khugepaged-50      [000] .....   100.600000: mm_khugepaged_scan_pmd: mm=00000000bb, referenced=2
        thpscope-100     [001] .....   101.000000: mmap_lock_start_locking: mm=00000000aa, referenced=0
      khugepaged-50      [000] .....   102.000000: mm_khugepaged_scan_pmd: mm=00000000aa, referenced=3
TRACE
}
buffer 6
check_eq "ftcount: every scan" 4 "$("$F" "$inst" mm_khugepaged_scan_pmd -)"
check_eq "ftcount: scans by khugepaged, by value" "1 1,2 2,3 1" \
	"$("$F" -c khugepaged "$inst" mm_khugepaged_scan_pmd referenced | paste -s -d , -)"
check_eq "ftcount -m: scans of the task's mm while it lived, not the same address's before or after" 1 \
	"$("$F" -c khugepaged -m 100 "$inst" mm_khugepaged_scan_pmd -)"
check_eq "ftcount -p: the task's own records" 2 "$("$F" -p 100 "$inst" mmap_lock_start_locking -)"
buffer 9
if "$F" "$inst" mm_khugepaged_scan_pmd - >/dev/null 2>"$TMP/err"; then
	not_ok "ftcount: a buffer that lost events is refused"
else
	ok "ftcount: a buffer that lost events is refused: $(cat "$TMP/err")"
fi
