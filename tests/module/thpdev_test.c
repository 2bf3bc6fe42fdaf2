// SPDX-License-Identifier: GPL-2.0
/*
 * Selftests of the thpdev module (TAP output). Each test runs in its own
 * process with its own device context, and checks what it claims against
 * the kernel's own view: pagemap and kpageflags for THPs in system memory,
 * the module's SNAPSHOT walk for device memory (which smaps cannot see),
 * data integrity through the CPU and through the device, the kernel's mTHP
 * split counters and the module's STATS.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/kernel-page-flags.h>
#include "../../module/thpdev_uapi.h"
#include "thp_pmd_size.h"

static size_t page_size;
static size_t pmd_size;
static size_t pmd_pages;

#define FAIL(...) do { diag(__VA_ARGS__); return 1; } while (0)
#define CHECK(cond, ...) do { if (!(cond)) FAIL(__VA_ARGS__); } while (0)

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int dev_open(void)
{
	int fd = open("/dev/thpdev", O_RDWR);

	if (fd < 0) {
		diag("open /dev/thpdev: %s", strerror(errno));
		exit(1);
	}
	return fd;
}

/* A PMD-aligned anonymous area of N PMDs, backed by THPs when @thp. */
static char *area(size_t n, bool thp)
{
	size_t len = n * pmd_size;
	char *raw = mmap(NULL, len + pmd_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), *p;

	if (raw == MAP_FAILED)
		return NULL;
	p = (char *)(((uintptr_t)raw + pmd_size - 1) & ~(pmd_size - 1));
	if (p > raw)
		munmap(raw, p - raw);
	munmap(p + len, raw + pmd_size - p);
	madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

static void fill(char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(uint64_t))
		*(uint64_t *)(p + i) = (i + 1) * 2654435761ULL + seed;
}

/* Offset of the first byte of [base + off, base + off + len) that differs
 * from what fill(base, ..., seed) wrote there, or -1. */
static long check_fill_at(const char *base, size_t off, size_t len, unsigned int seed)
{
	size_t i;

	for (i = off; i < off + len; i += sizeof(uint64_t))
		if (*(const uint64_t *)(base + i) != (i + 1) * 2654435761ULL + seed)
			return i;
	return -1;
}

static long check_fill(const char *p, size_t len, unsigned int seed)
{
	return check_fill_at(p, 0, len, seed);
}

/* The pagemap entry of the page at @p; 0 (not present) if it cannot be read. */
static uint64_t pagemap_entry(void *p)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	uint64_t ent = 0;

	if (pm >= 0) {
		if (pread(pm, &ent, 8, (uintptr_t)p / page_size * 8) != 8)
			ent = 0;
		close(pm);
	}
	return ent;
}

/* Whether the page at @p is in system memory, by pagemap (a device page is
 * not present there). */
static bool in_ram(void *p)
{
	return pagemap_entry(p) >> 63;
}

/* Whether the page at @p is part of a THP, by the kernel's kpageflags; -1
 * when it is not in system memory or cannot be told. */
static int is_thp(void *p)
{
	uint64_t ent = pagemap_entry(p), flags;
	int kf, ret = -1;

	if (!(ent >> 63))
		return -1;
	kf = open("/proc/kpageflags", O_RDONLY);
	if (kf < 0)
		return -1;
	if (pread(kf, &flags, 8, (ent & ((1ULL << 55) - 1)) * 8) == 8)
		ret = (flags >> KPF_THP) & 1;
	close(kf);
	return ret;
}

/* The module's references: one per open context, and one per closed
 * context whose device memory is not all back yet; -1 if unknown. */
static long module_refs(void)
{
	FILE *f = fopen("/sys/module/thpdev/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Whether the module's references come down to @want within @ms. */
static bool module_refs_reach(long want, int ms)
{
	int i;

	for (i = 0; i < ms / 10 && module_refs() != want; i++)
		usleep(10000);
	return module_refs() == want;
}

/* The kernel's count of splits of PMD-order THPs. */
static uint64_t mthp_split(void)
{
	unsigned long long v = 0;
	char path[96];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/mm/transparent_hugepage/hugepages-%zukB/stats/split",
		 pmd_size / 1024);
	f = fopen(path, "r");

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static int migrate(int fd, unsigned long cmd, void *p, size_t len, uint32_t flags,
		   struct thpdev_range *out)
{
	struct thpdev_range r = {
		.size = sizeof(r), .flags = flags, .addr = (uintptr_t)p, .len = len,
	};
	int ret = ioctl(fd, cmd, &r);

	if (out)
		*out = r;
	return ret ? -errno : 0;
}

static int stats(int fd, struct thpdev_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, THPDEV_IOC_STATS, st);
}

static int faults(int fd, uint32_t large, uint32_t any, uint32_t refuse)
{
	struct thpdev_faults f = {
		.size = sizeof(f), .fail_large_alloc = large, .fail_alloc = any,
		.refuse_cpu_faults = refuse,
	};

	return ioctl(fd, THPDEV_IOC_FAULTS, &f);
}

/* The next @n system THPs for device THPs coming back cannot be had. */
static int fail_ram_thp(int fd, uint32_t n)
{
	struct thpdev_faults f = { .size = sizeof(f), .fail_ram_thp = n };

	return ioctl(fd, THPDEV_IOC_FAULTS, &f);
}

/* SNAPSHOT bits of every page of [p, p + len). */
static int snapshot(int fd, void *p, size_t len, uint8_t *bits)
{
	struct thpdev_snapshot s = {
		.size = sizeof(s), .addr = (uintptr_t)p, .len = len, .buf = (uintptr_t)bits,
	};

	return ioctl(fd, THPDEV_IOC_SNAPSHOT, &s) ? -errno : 0;
}

/* Every page of the range has exactly the SNAPSHOT bits @want. */
static int snapshot_is(int fd, void *p, size_t len, uint8_t want)
{
	size_t n = len / page_size, i;
	uint8_t *bits = calloc(n, 1);
	int ret;

	ret = snapshot(fd, p, len, bits);
	if (ret) {
		diag("SNAPSHOT: %s", strerror(-ret));
		free(bits);
		return 0;
	}
	for (i = 0; i < n; i++)
		if (bits[i] != want) {
			diag("SNAPSHOT page %zu: 0x%x, want 0x%x", i, bits[i], want);
			free(bits);
			return 0;
		}
	free(bits);
	return 1;
}

/* Read [p, p + len) through the device. */
static int dev_read(int fd, void *p, size_t len, void *buf)
{
	struct thpdev_rw rw = {
		.size = sizeof(rw), .addr = (uintptr_t)p, .len = len, .buf = (uintptr_t)buf,
	};

	return ioctl(fd, THPDEV_IOC_READ, &rw) ? -errno : 0;
}

static int dev_write(int fd, void *p, size_t len, const void *buf)
{
	struct thpdev_rw rw = {
		.size = sizeof(rw), .addr = (uintptr_t)p, .len = len, .buf = (uintptr_t)buf,
	};

	return ioctl(fd, THPDEV_IOC_WRITE, &rw) ? -errno : 0;
}

/* The device sees the pattern @seed over [p, p + len). */
static int dev_sees(int fd, void *p, size_t len, unsigned int seed)
{
	char *buf = malloc(len);
	long bad;
	int ret = dev_read(fd, p, len, buf);

	if (ret) {
		diag("READ: %s", strerror(-ret));
		free(buf);
		return 0;
	}
	bad = check_fill(buf, len, seed);
	if (bad >= 0)
		diag("device sees wrong data at offset %ld", bad);
	free(buf);
	return bad < 0;
}

#define RW (THPDEV_SNAP_PRESENT | THPDEV_SNAP_WRITE)

/* ---- tests ---------------------------------------------------------------- */

static int test_thp_round_trip(void)
{
	int fd = dev_open();
	char *p = area(2, true);
	size_t len = 2 * pmd_size;
	struct thpdev_range r;
	struct thpdev_stats st;

	fill(p, len, 1);
	CHECK(is_thp(p) == 1 && is_thp(p + pmd_size) == 1, "no THP to start with (THP disabled?)");
	CHECK(snapshot_is(fd, p, len, RW | THPDEV_SNAP_PMD), "SNAPSHOT does not show PMD-mapped THPs");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, len, 0, &r), "MIGRATE_TO_DEVICE failed");
	CHECK(r.thps == 2 && r.pages == 2 * pmd_pages && r.splits == 0,
	      "to device: %llu THPs, %llu pages, %llu splits", (unsigned long long)r.thps,
	      (unsigned long long)r.pages, (unsigned long long)r.splits);
	CHECK(snapshot_is(fd, p, len, RW | THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD),
	      "device memory is not mapped by PMDs");
	CHECK(dev_sees(fd, p, len, 1), "data lost on the way to the device");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, p, len, 0, &r), "MIGRATE_TO_RAM failed");
	CHECK(r.thps == 2 && r.pages == 2 * pmd_pages, "to RAM: %llu THPs, %llu pages",
	      (unsigned long long)r.thps, (unsigned long long)r.pages);
	CHECK(snapshot_is(fd, p, len, RW | THPDEV_SNAP_PMD), "not PMD-mapped after the round trip");
	CHECK(is_thp(p) == 1 && is_thp(p + len - page_size) == 1, "not a THP after the round trip");
	CHECK(check_fill(p, len, 1) < 0, "data lost on the round trip");
	CHECK(!stats(fd, &st), "STATS failed");
	CHECK(st.thp_to_device == 2 && st.thp_to_ram == 2 && st.pages_to_device == 2 * pmd_pages &&
	      st.split_collect == 0 && st.split_alloc == 0 && st.device_pages == 0,
	      "STATS: thp_to_device %llu thp_to_ram %llu device_pages %llu",
	      (unsigned long long)st.thp_to_device, (unsigned long long)st.thp_to_ram,
	      (unsigned long long)st.device_pages);
	return 0;
}

static int test_cpu_fault_brings_thp_back(void)
{
	int fd = dev_open();
	char *p = area(1, true);
	struct thpdev_stats st;

	fill(p, pmd_size, 2);
	CHECK(is_thp(p) == 1, "no THP to start with");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	CHECK(check_fill(p, pmd_size, 2) < 0, "CPU reads wrong data");
	CHECK(!stats(fd, &st), "STATS failed");
	CHECK(st.cpu_faults == 1 && st.thp_to_ram == 1, "%llu CPU faults, %llu THPs back",
	      (unsigned long long)st.cpu_faults, (unsigned long long)st.thp_to_ram);
	CHECK(is_thp(p) == 1, "the fault brought back base pages, not the THP");
	return 0;
}

/* With compound collection off, or a range that does not cover the whole
 * THP, the kernel splits it while collecting (a split it counts). */
static int split_on_collect(void *p, size_t len, uint32_t flags, char *thp)
{
	int fd = dev_open();
	uint64_t before = mthp_split();
	struct thpdev_range r;
	struct thpdev_stats st;

	fill(thp, pmd_size, 3);
	CHECK(is_thp(thp) == 1, "no THP to start with");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, len, flags, &r), "to device failed");
	CHECK(r.thps == 0 && r.splits == 1 && r.pages == len / page_size,
	      "%llu THPs, %llu splits, %llu pages", (unsigned long long)r.thps,
	      (unsigned long long)r.splits, (unsigned long long)r.pages);
	CHECK(mthp_split() == before + 1, "the kernel's split stat moved by %llu",
	      (unsigned long long)(mthp_split() - before));
	CHECK(!stats(fd, &st) && st.split_collect == 1 && st.thp_to_device == 0,
	      "STATS split_collect %llu", (unsigned long long)st.split_collect);
	CHECK(snapshot_is(fd, p, len, RW | THPDEV_SNAP_DEVICE), "not in device memory by PTEs");
	CHECK(dev_sees(fd, thp, pmd_size, 3), "device data lost");
	CHECK(check_fill(thp, pmd_size, 3) < 0, "data lost");
	return 0;
}

static int test_compound_off_splits(void)
{
	char *p = area(1, true);

	return split_on_collect(p, pmd_size, THPDEV_NO_COMPOUND, p);
}

static int test_unaligned_range_splits(void)
{
	char *p = area(1, true);

	return split_on_collect(p + page_size, pmd_size - page_size, 0, p);
}

/* Whether @r moved one THP as base pages, split once; what it moved if not. */
static bool moved_split(const struct thpdev_range *r)
{
	if (r->thps == 0 && r->splits == 1 && r->pages == pmd_pages)
		return true;
	diag("%llu THPs, %llu splits, %llu pages", (unsigned long long)r->thps,
	     (unsigned long long)r->splits, (unsigned long long)r->pages);
	return false;
}

/* A THP of pattern @seed migrated to the device whole; NULL if it was not. */
static char *device_thp(int fd, int seed)
{
	char *p = area(1, true);
	struct thpdev_range r;

	fill(p, pmd_size, seed);
	if (migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, &r) || r.thps != 1)
		return NULL;
	return p;
}

/* A failed large device allocation: the driver offers base pages and the
 * kernel splits the unmapped THP on the way, which no kernel counter sees. */
static int test_failed_large_alloc_splits(void)
{
	int fd = dev_open();
	char *p = area(1, true);
	uint64_t before = mthp_split();
	struct thpdev_range r;
	struct thpdev_stats st;

	fill(p, pmd_size, 4);
	CHECK(is_thp(p) == 1, "no THP to start with");
	CHECK(!faults(fd, 1, 0, 0), "FAULTS failed");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, &r), "to device failed");
	CHECK(moved_split(&r), "not moved as base pages, split once");
	CHECK(!stats(fd, &st) && st.split_alloc == 1 && st.alloc_failures == 1,
	      "STATS split_alloc %llu alloc_failures %llu", (unsigned long long)st.split_alloc,
	      (unsigned long long)st.alloc_failures);
	CHECK(mthp_split() == before, "the kernel counted this split (%llu)",
	      (unsigned long long)(mthp_split() - before));
	CHECK(snapshot_is(fd, p, pmd_size, RW | THPDEV_SNAP_DEVICE), "not in device memory by PTEs");
	CHECK(dev_sees(fd, p, pmd_size, 4), "data lost on the device");
	CHECK(check_fill(p, pmd_size, 4) < 0, "data lost on the way back");
	return 0;
}

static int test_partial_munmap_after_migration(void)
{
	int fd = dev_open();
	char *p = area(1, true);
	struct thpdev_stats st;

	fill(p, pmd_size, 5);
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	CHECK(!munmap(p + pmd_size / 2, pmd_size / 2), "munmap failed");
	CHECK(snapshot_is(fd, p, pmd_size / 2, RW | THPDEV_SNAP_DEVICE),
	      "the remaining half is not device memory mapped by PTEs");
	CHECK(dev_sees(fd, p, pmd_size / 2, 5), "device data lost");
	CHECK(check_fill(p, pmd_size / 2, 5) < 0, "data lost");
	munmap(p, pmd_size / 2);
	CHECK(!stats(fd, &st) && st.device_pages == 0, "%llu device pages still in use",
	      (unsigned long long)st.device_pages);
	return 0;
}

static int test_mremap_after_migration(void)
{
	int fd = dev_open();
	char *p = area(1, true), *q = area(1, false), *moved;

	fill(p, pmd_size, 6);
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	moved = mremap(p, pmd_size, pmd_size, MREMAP_MAYMOVE | MREMAP_FIXED, q);
	CHECK(moved == q, "mremap failed: %s", strerror(errno));
	CHECK(snapshot_is(fd, q, pmd_size, RW | THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD),
	      "the moved THP is not device memory mapped by a PMD");
	CHECK(dev_sees(fd, q, pmd_size, 6), "device data lost");
	CHECK(check_fill(q, pmd_size, 6) < 0, "data lost");
	return 0;
}

static int test_fork_with_device_pages(void)
{
	int fd = dev_open(), status;
	char *p = area(1, true);
	pid_t pid;

	fill(p, pmd_size, 7);
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	pid = fork();
	if (pid == 0)
		_exit(check_fill(p, pmd_size, 7) < 0 ? 0 : 1);
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork failed");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child read wrong data");
	fill(p, page_size, 8);	/* the parent's copy diverges */
	CHECK(check_fill(p, page_size, 8) < 0 && check_fill_at(p, page_size, pmd_size - page_size, 7) < 0,
	      "parent data after fork is wrong");
	return 0;
}

/*
 * A child that exits without touching the device THP it inherited drops
 * only its own reference: the parent's folio stays in use on the device,
 * mapped by its PMD, with its data.
 */
static int test_fork_child_exits_untouched(void)
{
	int fd = dev_open(), status, i;
	char *p = area(1, true);
	struct thpdev_stats st;
	pid_t pid;

	fill(p, pmd_size, 23);
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	for (i = 0; i < 3; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		CHECK(pid > 0 && waitpid(pid, &status, 0) == pid, "fork failed");
	}
	CHECK(!stats(fd, &st) && st.device_pages == pmd_pages,
	      "%llu device pages in use after the children exited, not %zu",
	      (unsigned long long)st.device_pages, pmd_pages);
	CHECK(snapshot_is(fd, p, pmd_size, THPDEV_SNAP_PRESENT | THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD),
	      "the parent's THP is no longer a device PMD");
	CHECK(check_fill(p, pmd_size, 23) < 0, "the parent's data is lost");
	CHECK(!stats(fd, &st) && st.device_pages == 0, "%llu device pages still in use",
	      (unsigned long long)st.device_pages);
	return 0;
}

/*
 * Start a child that keeps the parent's memory, and the THP at @p, mapped
 * until go[1] is written to, then checks @len bytes of pattern @seed.
 */
static pid_t child_keeping(char *p, size_t len, int seed, int go[2])
{
	pid_t pid;
	char c;

	if (pipe(go))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(go[1]);
		_exit(read(go[0], &c, 1) == 1 && check_fill(p, len, seed) < 0 ? 0 : 1);
	}
	close(go[0]);
	return pid;
}

/* Let the child of child_keeping() check its data; whether it was intact. */
static bool child_kept(pid_t pid, int go[2])
{
	bool told = write(go[1], "", 1) == 1;
	int status;

	close(go[1]);
	return told && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	       WEXITSTATUS(status) == 0;
}

/*
 * A THP shared with a child since a fork, migrated whole where the device
 * has only base pages: the kernel would split it unmapped in the parent's
 * page table alone and map a base page where the child's PMD was, so
 * thpdev collects it again, split mapped in both (which the kernel's
 * split stat counts, as it does not an unmapped split).
 */
static int test_split_of_thp_shared_with_child(void)
{
	int fd = dev_open(), go[2];
	char *p = area(1, true);
	struct thpdev_range r;
	struct thpdev_stats st;
	uint64_t before;
	pid_t pid;

	fill(p, pmd_size, 24);
	CHECK(is_thp(p) == 1, "no THP to start with");
	pid = child_keeping(p, pmd_size, 24, go);
	CHECK(pid > 0, "fork failed");
	CHECK(!faults(fd, 1, 0, 0), "FAULTS failed");
	before = mthp_split();
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, &r), "to device failed");
	CHECK(moved_split(&r), "not moved as base pages, split once");
	CHECK(mthp_split() == before + 1, "not split mapped (the kernel's split stat moved by %llu)",
	      (unsigned long long)(mthp_split() - before));
	CHECK(!stats(fd, &st) && st.split_alloc == 1 && st.split_collect == 0,
	      "STATS split_alloc %llu split_collect %llu", (unsigned long long)st.split_alloc,
	      (unsigned long long)st.split_collect);
	CHECK(child_kept(pid, go), "the child lost its data");
	CHECK(check_fill(p, pmd_size, 24) < 0, "the parent lost its data");
	return 0;
}

/* A device THP that finds no system THP on its way back is split,
 * unmapped. */
static int test_split_on_the_way_back(void)
{
	int fd = dev_open();
	char *p = device_thp(fd, 25);
	uint64_t before = mthp_split();
	struct thpdev_range r;
	struct thpdev_stats st;

	CHECK(p, "not to the device whole");
	CHECK(!fail_ram_thp(fd, 1), "FAULTS failed");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, p, pmd_size, 0, &r), "to RAM failed");
	CHECK(moved_split(&r), "not moved as base pages, split once");
	CHECK(mthp_split() == before, "the kernel counted this split (%llu)",
	      (unsigned long long)(mthp_split() - before));
	CHECK(!stats(fd, &st) && st.split_to_ram == 1 && st.device_pages == 0,
	      "STATS split_to_ram %llu device_pages %llu", (unsigned long long)st.split_to_ram,
	      (unsigned long long)st.device_pages);
	CHECK(is_thp(p) == 0, "still a THP");
	CHECK(check_fill(p, pmd_size, 25) < 0, "data lost");
	return 0;
}

/*
 * The same with the device THP shared with a child. The driver collects
 * it again, split mapped in both. The child's CPU fault cannot split the
 * folio it holds unmapped: the kernel leaves it mapped by PTEs in the
 * child, whose next fault splits it mapped and brings it back as base
 * pages (a split thpdev does not count: it does not see a THP there).
 */
static int test_split_on_the_way_back_shared(void)
{
	int fd = dev_open(), go[2], i;
	struct thpdev_range r;
	struct thpdev_stats st;
	uint64_t before;
	char *p;
	pid_t pid;

	for (i = 0; i < 2; i++) {
		p = device_thp(fd, 26 + i);
		CHECK(p, "not to the device whole");
		pid = child_keeping(p, pmd_size, 26 + i, go);
		CHECK(pid > 0, "fork failed");
		CHECK(!fail_ram_thp(fd, 1), "FAULTS failed");
		before = mthp_split();
		if (i == 0) {
			CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, p, pmd_size, 0, &r), "to RAM failed");
			CHECK(moved_split(&r), "not moved as base pages, split once");
		}
		CHECK(child_kept(pid, go), "the child lost its data (%s)", i ? "its fault" : "driver");
		CHECK(mthp_split() == before + 1, "not split mapped (the kernel's split stat moved by %llu)",
		      (unsigned long long)(mthp_split() - before));
		CHECK(check_fill(p, pmd_size, 26 + i) < 0, "the parent lost its data");
		CHECK(!stats(fd, &st) && st.split_to_ram == 1 && st.thp_to_ram == 0 &&
		      st.device_pages == 0, "STATS split_to_ram %llu thp_to_ram %llu device_pages %llu",
		      (unsigned long long)st.split_to_ram, (unsigned long long)st.thp_to_ram,
		      (unsigned long long)st.device_pages);
	}
	return 0;
}

static int test_exclusive_then_cpu_access(void)
{
	int fd = dev_open();
	char *p = area(1, true);
	struct thpdev_range r;
	struct thpdev_stats st;

	fill(p, pmd_size, 9);
	CHECK(is_thp(p) == 1, "no THP to start with");
	CHECK(!migrate(fd, THPDEV_IOC_EXCLUSIVE, p, 4 * page_size, 0, &r) && r.pages == 4,
	      "EXCLUSIVE failed (%llu pages)", (unsigned long long)r.pages);
	CHECK(!stats(fd, &st) && st.exclusive_pages == 4, "exclusive_pages %llu",
	      (unsigned long long)st.exclusive_pages);
	fill(p, page_size, 10);	/* the CPU takes the page back */
	CHECK(check_fill(p, page_size, 10) < 0 && check_fill_at(p, page_size, pmd_size - page_size, 9) < 0,
	      "data wrong after exclusive access");
	CHECK(!stats(fd, &st) && st.invalidations[7] >= 4,
	      "%llu exclusive invalidations", (unsigned long long)st.invalidations[7]);
	CHECK(snapshot_is(fd, p + 4 * page_size, page_size, RW), "the THP was not PTE-mapped");
	return 0;
}

static int test_refused_faults_then_recovery(void)
{
	int fd = dev_open();
	char *p = area(1, true);
	struct thpdev_stats st;

	fill(p, pmd_size, 11);
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	CHECK(!faults(fd, 0, 0, 5), "FAULTS failed");
	CHECK(check_fill(p, pmd_size, 11) < 0, "data wrong after refused faults");
	CHECK(!stats(fd, &st), "STATS failed");
	CHECK(st.cpu_faults_refused == 5 && st.cpu_faults == 1,
	      "%llu refused, %llu served", (unsigned long long)st.cpu_faults_refused,
	      (unsigned long long)st.cpu_faults);
	return 0;
}

struct thread_arg {
	int fd;
	char *p;
	size_t len;
	int errors;
};

static void *bounce(void *data)
{
	struct thread_arg *a = data;
	int i;

	for (i = 0; i < 20; i++) {
		a->errors += migrate(a->fd, THPDEV_IOC_MIGRATE_TO_DEVICE, a->p, a->len, 0, NULL) != 0;
		a->errors += migrate(a->fd, THPDEV_IOC_MIGRATE_TO_RAM, a->p, a->len, 0, NULL) != 0;
	}
	return NULL;
}

static int test_two_threads_overlapping(void)
{
	int fd = dev_open();
	char *p = area(4, true);
	struct thread_arg a = { fd, p, 3 * pmd_size, 0 }, b = { fd, p + pmd_size, 3 * pmd_size, 0 };
	pthread_t ta, tb;

	fill(p, 4 * pmd_size, 12);
	pthread_create(&ta, NULL, bounce, &a);
	pthread_create(&tb, NULL, bounce, &b);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK(a.errors == 0 && b.errors == 0, "%d and %d failed migrations", a.errors, b.errors);
	CHECK(dev_sees(fd, p, 4 * pmd_size, 12), "device data lost");
	CHECK(check_fill(p, 4 * pmd_size, 12) < 0, "data lost");
	return 0;
}

static int test_two_processes_overlapping(void)
{
	char *p = area(2, true);
	pid_t pid;
	int status, fd, i, ok = 1;

	fill(p, 2 * pmd_size, 13);
	pid = fork();
	CHECK(pid >= 0, "fork failed");
	/* Each process writes its own copy, then both bounce it at once. */
	fd = dev_open();
	fill(p, 2 * pmd_size, pid ? 14 : 15);
	for (i = 0; i < 10; i++) {
		ok &= !migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, 2 * pmd_size, 0, NULL);
		ok &= dev_sees(fd, p, 2 * pmd_size, pid ? 14 : 15);
		ok &= !migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, p, 2 * pmd_size, 0, NULL);
	}
	ok &= check_fill(p, 2 * pmd_size, pid ? 14 : 15) < 0;
	if (pid == 0)
		_exit(ok ? 0 : 1);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the child's migrations failed");
	CHECK(ok, "the parent's migrations failed");
	return 0;
}

static int test_close_evicts(void)
{
	int fd = dev_open(), fd2;
	char *p = area(2, true);
	uint8_t *bits = calloc(2 * pmd_pages, 1);
	long refs;
	size_t i;

	fill(p, 2 * pmd_size, 16);
	CHECK(!faults(fd, 1, 0, 0), "FAULTS failed");	/* one THP goes as base pages */
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, 2 * pmd_size, 0, NULL), "to device failed");
	refs = module_refs();
	close(fd);
	/* A THP that found no system THP at close comes back at a later try. */
	CHECK(module_refs_reach(refs - 1, 15000), "the context stayed (%ld references)",
	      module_refs());
	fd2 = dev_open();
	CHECK(bits && !snapshot(fd2, p, 2 * pmd_size, bits), "SNAPSHOT failed");
	for (i = 0; i < 2 * pmd_pages; i++)
		CHECK(!(bits[i] & THPDEV_SNAP_DEVICE) && (bits[i] & THPDEV_SNAP_PRESENT),
		      "page %zu still in device memory after close (0x%x)", i, bits[i]);
	CHECK(check_fill(p, 2 * pmd_size, 16) < 0, "data lost on eviction");
	return 0;
}

/*
 * A device THP of pattern @seed in a context closed while the next @fails
 * system THPs for it cannot be had, the module's references before the
 * close in *@refs; NULL, said, unless the context outlived the close.
 */
static char *closed_with_device_thp(int seed, uint32_t fails, long *refs)
{
	int fd = dev_open();
	char *p = device_thp(fd, seed);

	*refs = module_refs();
	if (!p || *refs <= 0 || fail_ram_thp(fd, fails)) {
		diag("no THP in device memory, or no reference count in /sys/module/thpdev");
		return NULL;
	}
	close(fd);
	if (module_refs() != *refs) {
		diag("the context went at close (%ld references, %ld before)", module_refs(), *refs);
		return NULL;
	}
	return p;
}

/*
 * A device THP no system THP can be had for stays in device memory at
 * close: it is still the process's, which may be the one closing, and
 * close does not wait for it. The CPU still reaches it, and the context
 * goes as soon as the last of its memory is back: the module's tries
 * double their distance from 10 ms (rounded up to jiffies), so that none
 * comes between 3.1 and 5.1 s after close; the context must go within
 * 1 s of an access 4 s after.
 */
static int test_close_leaves_what_cannot_come_back(void)
{
	long refs;
	char *p = closed_with_device_thp(23, UINT32_MAX, &refs);

	CHECK(p, "no context left in use at close");
	CHECK(!in_ram(p), "the THP came back to system memory without one");
	sleep(4);
	CHECK(module_refs() == refs, "the context went with its memory in use");
	CHECK(check_fill(p, pmd_size, 23) < 0, "data lost in device memory after close");
	CHECK(in_ram(p), "the CPU's access did not bring the page back");
	CHECK(module_refs_reach(refs - 1, 1000),
	      "the context stayed once its memory was back (%ld references)", module_refs());
	return 0;
}

/* The teardown after close tries again: the THP comes back whole once a
 * system THP can be had (the tries of the first 0.6 s fail), untouched. */
static int test_close_evicts_later(void)
{
	long refs;
	char *p = closed_with_device_thp(24, 6, &refs);

	CHECK(p, "no context left in use at close");
	CHECK(module_refs_reach(refs - 1, 15000), "the context stayed (%ld references)",
	      module_refs());
	CHECK(is_thp(p) == 1, "the THP came back split or not at all (%d)", is_thp(p));
	CHECK(check_fill(p, pmd_size, 24) < 0, "data lost on the eviction");
	return 0;
}

static int expect_errno(int fd, unsigned long cmd, void *arg, int want, const char *what)
{
	int ret = ioctl(fd, cmd, arg);

	if (ret == 0 || errno != want) {
		diag("%s: %s, want %s", what, ret ? strerror(errno) : "success", strerror(want));
		return 1;
	}
	return 0;
}

static int test_bad_input(void)
{
	int fd = dev_open(), bad = 0, status;
	char *p = area(1, true), *hole = area(1, false);
	struct thpdev_range r = { .size = sizeof(r), .addr = (uintptr_t)p, .len = pmd_size };
	struct thpdev_rw rw = { .size = sizeof(rw), .addr = (uintptr_t)p, .len = page_size,
				.buf = 16 };
	char big[sizeof(r) + 16] = { 0 };
	pid_t pid;

	fill(p, pmd_size, 17);
	munmap(hole, pmd_size);
#define TRY(field, value, want, what) do { struct thpdev_range t = r; t.field = value; \
	bad += expect_errno(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, &t, want, what); } while (0)
	TRY(addr, (uintptr_t)p + 1, EINVAL, "unaligned address");
	TRY(len, 0, EINVAL, "zero length");
	TRY(len, 100, EINVAL, "unaligned length");
	TRY(len, -(uint64_t)page_size, EINVAL, "length that overflows");
	TRY(addr, (uintptr_t)hole, EINVAL, "unmapped range");
	TRY(flags, 0x80, EINVAL, "unknown flag");
	TRY(size, 4, EINVAL, "struct size too small");
	TRY(size, 1 << 20, EINVAL, "struct size too large");
#undef TRY
	memcpy(big, &r, sizeof(r));
	((struct thpdev_range *)big)->size = sizeof(big);
	big[sizeof(r) + 3] = 1;
	bad += expect_errno(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, big, EINVAL, "unknown trailing fields");
	bad += expect_errno(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, (void *)16, EFAULT, "bad argument pointer");
	bad += expect_errno(fd, _IO(THPDEV_IOC_MAGIC, 99), &r, ENOTTY, "unknown ioctl");
	bad += expect_errno(fd, THPDEV_IOC_READ, &rw, EFAULT, "READ into a bad buffer");
	bad += expect_errno(fd, THPDEV_IOC_STATS, &(struct thpdev_stats){ .size = sizeof(struct thpdev_stats), .flags = 2 },
			    EINVAL, "unknown STATS flag");
	bad += expect_errno(fd, THPDEV_IOC_FAULTS, &(struct thpdev_faults){ .size = sizeof(struct thpdev_faults), .delay_us = 5000000 },
			    EINVAL, "FAULTS delay too long");
	pid = fork();
	if (pid == 0)	/* the context belongs to the parent's address space */
		_exit(expect_errno(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, &r, EINVAL, "foreign mm"));
	waitpid(pid, &status, 0);
	bad += !WIFEXITED(status) || WEXITSTATUS(status);
	CHECK(!bad, "%d bad-input cases misbehaved", bad);
	CHECK(check_fill(p, pmd_size, 17) < 0, "data changed by refused calls");
	return 0;
}

/*
 * The device's view of a range with a hole in it: SNAPSHOT shows what is
 * on either side and nothing in the hole; READ and WRITE, which fault
 * pages in as the CPU would, are refused there.
 */
static int test_device_view_across_hole(void)
{
	int fd = dev_open();
	char *p = area(3, true), *buf = malloc(3 * pmd_size);
	size_t n = 3 * pmd_pages, i;
	uint8_t *bits = calloc(n, 1);

	fill(p, 3 * pmd_size, 23);
	CHECK(is_thp(p + 2 * pmd_size) == 1, "no THP to start with (THP disabled?)");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	CHECK(!munmap(p + pmd_size, pmd_size), "munmap failed");
	CHECK(!snapshot(fd, p, 3 * pmd_size, bits), "SNAPSHOT across the hole failed");
	for (i = 0; i < n; i++) {
		uint8_t want = i < pmd_pages ? RW | THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD :
			       i < 2 * pmd_pages ? 0 : RW | THPDEV_SNAP_PMD;

		CHECK(bits[i] == want, "SNAPSHOT page %zu: 0x%x, want 0x%x", i, bits[i], want);
	}
	CHECK(dev_read(fd, p, 3 * pmd_size, buf) == -EFAULT, "READ across the hole was not refused");
	CHECK(dev_write(fd, p + pmd_size, page_size, buf) == -EFAULT,
	      "WRITE into the hole was not refused");
	CHECK(dev_sees(fd, p, pmd_size, 23), "device data lost before the hole");
	CHECK(check_fill_at(p, 2 * pmd_size, pmd_size, 23) < 0, "data lost after the hole");
	free(bits);
	free(buf);
	return 0;
}

static int test_device_write_then_cpu_read(void)
{
	int fd = dev_open();
	char *p = area(1, true), *buf = malloc(pmd_size);

	fill(p, pmd_size, 18);
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, p, pmd_size, 0, NULL), "to device failed");
	fill(buf, pmd_size, 19);
	CHECK(!dev_write(fd, p, pmd_size, buf), "WRITE failed");
	CHECK(check_fill(p, pmd_size, 19) < 0, "the CPU does not see what the device wrote");
	free(buf);
	return 0;
}

/*
 * The device writes only where the CPU could: not into a read-only THP in
 * device memory, not into one shared copy on write with a child (the
 * walk hands back device-private PMDs read-only even for a write).
 */
static int test_device_write_respects_protection(void)
{
	int fd = dev_open(), go[2];
	char *ro = area(1, true), *cow = area(1, true), *buf = malloc(pmd_size);
	pid_t pid;

	fill(ro, pmd_size, 20);
	fill(cow, pmd_size, 21);
	fill(buf, pmd_size, 22);
	CHECK(!mprotect(ro, pmd_size, PROT_READ), "mprotect failed");
	CHECK(!migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, ro, pmd_size, 0, NULL) &&
	      !migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, cow, pmd_size, 0, NULL), "to device failed");
	CHECK(snapshot_is(fd, ro, pmd_size, THPDEV_SNAP_PRESENT | THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD),
	      "the read-only THP is not a read-only device PMD");
	CHECK(dev_write(fd, ro, pmd_size, buf) == -EPERM, "WRITE to read-only memory was not refused");
	CHECK(dev_sees(fd, ro, pmd_size, 20) && check_fill(ro, pmd_size, 20) < 0,
	      "the device wrote read-only memory");
	pid = child_keeping(cow, pmd_size, 21, go);	/* its copy keeps what it had */
	CHECK(pid > 0, "fork failed");
	CHECK(!dev_write(fd, cow, pmd_size, buf), "WRITE after fork failed");
	CHECK(child_kept(pid, go), "the device's write went into the child's copy");
	CHECK(check_fill(cow, pmd_size, 22) < 0, "the parent does not see the device's write");
	free(buf);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
} tests[] = {
	{ "thp_round_trip_whole", test_thp_round_trip },
	{ "cpu_fault_brings_thp_back", test_cpu_fault_brings_thp_back },
	{ "compound_off_splits_on_collection", test_compound_off_splits },
	{ "unaligned_range_splits_on_collection", test_unaligned_range_splits },
	{ "failed_large_alloc_splits_unmapped", test_failed_large_alloc_splits },
	{ "partial_munmap_after_migration", test_partial_munmap_after_migration },
	{ "mremap_after_migration", test_mremap_after_migration },
	{ "fork_with_device_pages", test_fork_with_device_pages },
	{ "fork_child_exits_untouched", test_fork_child_exits_untouched },
	{ "split_of_thp_shared_with_child", test_split_of_thp_shared_with_child },
	{ "split_on_the_way_back", test_split_on_the_way_back },
	{ "split_on_the_way_back_shared", test_split_on_the_way_back_shared },
	{ "exclusive_then_cpu_access", test_exclusive_then_cpu_access },
	{ "refused_cpu_faults_then_recovery", test_refused_faults_then_recovery },
	{ "two_threads_overlapping_ranges", test_two_threads_overlapping },
	{ "two_processes_overlapping_ranges", test_two_processes_overlapping },
	{ "device_view_across_a_hole", test_device_view_across_hole },
	{ "device_write_then_cpu_read", test_device_write_then_cpu_read },
	{ "device_write_respects_protection", test_device_write_respects_protection },
	{ "close_evicts_device_memory", test_close_evicts },
	{ "close_leaves_what_cannot_come_back", test_close_leaves_what_cannot_come_back },
	{ "close_evicts_later", test_close_evicts_later },
	{ "bad_input_is_refused", test_bad_input },
};

/* A test's time limit: one stuck in the kernel is reported, not waited on. */
#define TEST_SECONDS 120

static void on_alarm(int sig)
{
	(void)sig;	/* only interrupts the runner's wait */
}

int main(int argc, char **argv)
{
	struct sigaction alarm_action = { .sa_handler = on_alarm };
	size_t i, n = sizeof(tests) / sizeof(tests[0]);
	int failed = 0;

	page_size = sysconf(_SC_PAGESIZE);
	pmd_size = thp_pmd_size();
	pmd_pages = pmd_size / page_size;
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigaction(SIGALRM, &alarm_action, NULL);	/* no SA_RESTART */
	printf("TAP version 13\n1..%zu\n", n);
	for (i = 0; i < n; i++) {
		int status;
		pid_t pid;

		if (argc > 1 && !strstr(tests[i].name, argv[1])) {
			printf("ok %zu - %s # SKIP not selected\n", i + 1, tests[i].name);
			continue;
		}
		pid = fork();
		if (pid == 0)
			_exit(tests[i].fn());
		alarm(TEST_SECONDS);
		if (waitpid(pid, &status, 0) != pid) {
			/* Killed, it may still be closing what the next test
			 * counts; stuck in the kernel, it never ends. */
			kill(pid, SIGKILL);
			alarm(5);
			printf("not ok %zu - %s (no end after %d s%s)\n", i + 1, tests[i].name,
			       TEST_SECONDS,
			       waitpid(pid, &status, 0) == pid ? "" : ", nor when killed");
			alarm(0);
			failed++;
			continue;
		}
		alarm(0);
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("ok %zu - %s\n", i + 1, tests[i].name);
		} else {
			printf("not ok %zu - %s%s\n", i + 1, tests[i].name,
			       WIFSIGNALED(status) ? " (killed by a signal)" : "");
			failed++;
		}
	}
	return failed ? 1 : 0;
}
