// SPDX-License-Identifier: GPL-2.0
/*
 * thpload: reproducible THP workloads for thpscope's tests, demo and
 * benchmark. Each scenario drives one kernel path and says what it did.
 *
 *   collapse-anon     MADV_COLLAPSE of anonymous base-page regions: full,
 *                     half-populated and empty PMD ranges, then again over
 *                     the collapsed ones
 *   collapse-shmem    MADV_COLLAPSE of a shmem (memfd) mapping
 *   khugepaged        base pages in a MADV_HUGEPAGE region, left for
 *                     khugepaged to collapse (waits up to --timeout)
 *   compaction        fragments memory, then writes /proc/sys/vm/compact_memory
 *   partial-unmap     THPs partially unmapped inside a memory cgroup, then
 *                     memcg reclaim, so the deferred-split shrinker splits them
 *   split-debugfs     THPs split through debugfs split_huge_pages to the
 *                     orders of -o, in turn (9 -> 4 -> 0 with -o 4,0)
 *   migrate-fallback  THPs on node 0 moved to node 1 with move_pages() while
 *                     every free 2 MB block of node 1 sits in the hugetlb
 *                     pool: the kernel splits them
 *   device            THPs migrated to /dev/thpdev and back: whole, with
 *                     compound collection off, with a failed large device
 *                     allocation, through an unaligned range; back by the
 *                     driver and by CPU faults, -f of them refused (the
 *                     thpdev module must be loaded)
 *   device-mthp       the same for whatever large folios the region gets
 *   device-reuse      THPs to /dev/thpdev and faulted back by the CPU, four
 *                     times over at the same addresses
 *   device-exclusive  a range collapsed, its first page made device-exclusive
 *                     and taken back by the CPU, -n times
 *   exclusive-collapse the same with the collapse while the page is
 *                     device-exclusive
 *   device-holes      PMD ranges never written (half of them read, so
 *                     mapped by the huge zero page) to /dev/thpdev; half
 *                     back by the driver, half left for the driver to
 *                     evict when the device is closed
 *   layout            a known layout held for -t seconds (or until SIGTERM)
 *                     for thpscope maps to find: -n PMD THPs, -n THPs with
 *                     their second half unmapped, -n shmem THPs, -n 2 MB
 *                     of what sizes are enabled "always" (64 kB mTHPs in
 *                     the tests), -n 2 MB of base pages,
 *                     and with /dev/thpdev -n THPs migrated to the device
 *   layout-split      the same with the PMD THPs half-unmapped as well
 *   thps              -n PMD THPs, held like the layout
 *   mixed             all of the above except khugepaged, in turn
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/mempolicy.h>
#include "../module/thpdev_uapi.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1U
#endif

#define PMD_SIZE (2UL << 20)

struct opts {
	unsigned long regions;	/* PMD-sized regions per scenario */
	const char *orders;	/* split-debugfs: target orders, comma-separated */
	unsigned long refuse;	/* device: CPU faults thpdev refuses */
	unsigned long mb;	/* memory for compaction and memcg scenarios */
	unsigned int timeout;	/* seconds to wait for khugepaged */
	unsigned int repeat;
};

static size_t page_size;

static void die(const char *what)
{
	fprintf(stderr, "thpload: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* A PMD-aligned mapping of LEN bytes (of FD from offset 0, or anonymous):
 * reserve a larger range, then map over its aligned part. */
static char *map_aligned(size_t len, int flags, int fd)
{
	char *raw = mmap(NULL, len + PMD_SIZE, PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	char *start;

	if (raw == MAP_FAILED)
		die("mmap");
	start = (char *)(((uintptr_t)raw + PMD_SIZE - 1) & ~(PMD_SIZE - 1));
	if (mmap(start, len, PROT_READ | PROT_WRITE, flags | MAP_FIXED, fd, 0) == MAP_FAILED)
		die("mmap");
	if (start > raw)
		munmap(raw, start - raw);
	munmap(start + len, raw + PMD_SIZE - start);
	return start;
}

static void touch(char *p, size_t len, size_t stride)
{
	size_t off;

	for (off = 0; off < len; off += stride)
		p[off] = (char)(off >> 12);
}

/* Ask for THPs over AREA and fault them in. */
static void fault_huge(char *area, size_t len)
{
	if (madvise(area, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	touch(area, len, page_size);
}

/* Fault base pages even where THP would be used: THP is off for the
 * process while touching. */
static void touch_base_pages(char *p, size_t len, size_t stride)
{
	if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0))
		die("prctl(PR_SET_THP_DISABLE)");
	touch(p, len, stride);
	if (prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0))
		die("prctl(PR_SET_THP_DISABLE, 0)");
}

/* The number of the first line of PATH that FMT (one %lu) matches, into
 * V; false when the file cannot be read or no line matches. */
static bool file_value(const char *path, const char *fmt, unsigned long *v)
{
	FILE *f = fopen(path, "r");
	char line[256];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, fmt, v) == 1;
	fclose(f);
	return found;
}

static unsigned long anon_huge_kb(void)
{
	unsigned long kb = 0;

	file_value("/proc/self/smaps_rollup", "AnonHugePages: %lu kB", &kb);
	return kb;
}

/* MADV_COLLAPSE each PMD range of AREA; count what succeeded. */
static void collapse_each(const char *name, char *area, unsigned long n)
{
	unsigned long i, ok = 0, fail = 0;

	for (i = 0; i < n; i++) {
		if (madvise(area + i * PMD_SIZE, PMD_SIZE, MADV_COLLAPSE))
			fail++;
		else
			ok++;
	}
	printf("%s: MADV_COLLAPSE of %lu ranges: %lu ok, %lu failed\n", name, n, ok, fail);
}

static int collapse_anon(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	unsigned long i;

	/* Region i%4: 0 full, 1 half, 2 one page, 3 empty. */
	for (i = 0; i < o->regions; i++) {
		char *r = area + i * PMD_SIZE;

		switch (i % 4) {
		case 0:
			touch_base_pages(r, PMD_SIZE, page_size);
			break;
		case 1:
			touch_base_pages(r, PMD_SIZE, 2 * page_size);
			break;
		case 2:
			touch_base_pages(r, page_size, page_size);
			break;
		}
	}
	printf("collapse-anon: %lu regions, AnonHugePages %lu kB before\n",
	       o->regions, anon_huge_kb());
	collapse_each("collapse-anon", area, o->regions);
	collapse_each("collapse-anon (again)", area, o->regions);
	printf("collapse-anon: AnonHugePages %lu kB after\n", anon_huge_kb());
	munmap(area, len);
	return 0;
}

/* One range collapsed by MADV_COLLAPSE and its PMD mapping split again
 * by MADV_DONTNEED of its first page, -n times over: a thrashing range. */
static int thrash(const struct opts *o)
{
	char *area = map_aligned(PMD_SIZE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	unsigned long i, ok = 0;

	touch_base_pages(area, PMD_SIZE, page_size);
	for (i = 0; i < o->regions; i++) {
		ok += !madvise(area, PMD_SIZE, MADV_COLLAPSE);
		if (madvise(area, page_size, MADV_DONTNEED))
			die("madvise(MADV_DONTNEED)");
	}
	printf("thrash: range %p-%p collapsed %lu times of %lu, split after each\n",
	       (void *)area, (void *)(area + PMD_SIZE), ok, o->regions);
	munmap(area, PMD_SIZE);
	return 0;
}

/* A shmem (memfd) mapping of LEN bytes, every base page written; its
 * descriptor in *FD. */
static char *shmem_written(const char *name, size_t len, int *fd)
{
	char *area;

	*fd = memfd_create(name, MFD_CLOEXEC);
	if (*fd < 0)
		die("memfd_create");
	if (ftruncate(*fd, len))
		die("ftruncate");
	area = map_aligned(len, MAP_SHARED, *fd);
	touch_base_pages(area, len, page_size);
	return area;
}

/* The same with one shmem range: MADV_COLLAPSE puts a huge folio in the
 * page cache, and a hole punched in its first page splits it; the page
 * is written again so that the next collapse has every page to copy. */
static int thrash_shmem(const struct opts *o)
{
	unsigned long i, ok = 0;
	int fd;
	char *area = shmem_written("thpload-thrash", PMD_SIZE, &fd);

	for (i = 0; i < o->regions; i++) {
		ok += !madvise(area, PMD_SIZE, MADV_COLLAPSE);
		if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, page_size))
			die("fallocate(FALLOC_FL_PUNCH_HOLE)");
		touch_base_pages(area, page_size, page_size);
	}
	printf("thrash-shmem: range %p-%p collapsed %lu times of %lu, split after each\n",
	       (void *)area, (void *)(area + PMD_SIZE), ok, o->regions);
	munmap(area, PMD_SIZE);
	close(fd);
	return 0;
}

static int collapse_shmem(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	int fd;
	char *area = shmem_written("thpload-shmem", len, &fd);

	collapse_each("collapse-shmem", area, o->regions);
	munmap(area, len);
	close(fd);
	return 0;
}

static int write_knob(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, strlen(val));
	close(fd);
	return n == (ssize_t)strlen(val) ? 0 : -1;
}

static int read_knob(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

#define SCAN_SLEEP "/sys/kernel/mm/transparent_hugepage/khugepaged/scan_sleep_millisecs"
static char saved_scan_sleep[32];

static void restore_scan_sleep(void)
{
	if (saved_scan_sleep[0])
		write_knob(SCAN_SLEEP, saved_scan_sleep);
}

/* khugepaged scans often while waiting; the setting is restored on exit. */
static void scan_often(void)
{
	if (!read_knob(SCAN_SLEEP, saved_scan_sleep, sizeof(saved_scan_sleep))) {
		atexit(restore_scan_sleep);
		write_knob(SCAN_SLEEP, "100");
	}
}

static int khugepaged(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	unsigned long want = o->regions * (PMD_SIZE >> 10), kb = 0;
	time_t end = time(NULL) + o->timeout;

	touch_base_pages(area, len, page_size);
	scan_often();
	if (madvise(area, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	while (time(NULL) < end && (kb = anon_huge_kb()) < want)
		usleep(100000);
	printf("khugepaged: %lu of %lu kB collapsed\n", kb, want);
	munmap(area, len);
	return kb >= want ? 0 : 1;
}

/* khugepaged's passes over every mm it scans, so far. */
static unsigned long full_scans(void)
{
	unsigned long n = 0;

	file_value("/sys/kernel/mm/transparent_hugepage/khugepaged/full_scans", "%lu", &n);
	return n;
}

/* A creeping range climbs one order a pass: past this many passes
 * without reaching the PMD order, it has stopped. */
#define CREEP_PASSES 20

/*
 * One PMD range with 12 pages touched at its start, left to khugepaged
 * until it is one PMD THP (or CREEP_PASSES passes, or --timeout). Where
 * khugepaged collapses to the mTHP orders enabled and max_ptes_none,
 * scaled by order, lets each collapse make the next possible, the range
 * creeps up the orders.
 */
static int creep(const struct opts *o)
{
	char *area = map_aligned(PMD_SIZE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	time_t end = time(NULL) + o->timeout;
	unsigned long kb = 0, passes;

	touch_base_pages(area, 12 * page_size, page_size);
	scan_often();
	if (madvise(area, PMD_SIZE, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	passes = full_scans() + CREEP_PASSES;
	while (time(NULL) < end && full_scans() < passes &&
	       (kb = anon_huge_kb()) < PMD_SIZE >> 10)
		usleep(100000);
	printf("creep: range %p-%p, AnonHugePages %lu kB\n", (void *)area,
	       (void *)(area + PMD_SIZE), kb);
	munmap(area, PMD_SIZE);
	return 0;
}

static int compaction(const struct opts *o)
{
	size_t len = o->mb << 20, off;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	/* Base pages with every other one freed: holes for compaction. */
	touch_base_pages(area, len, page_size);
	for (off = 0; off < len; off += 2 * page_size)
		madvise(area + off, page_size, MADV_DONTNEED);
	if (write_knob("/proc/sys/vm/compact_memory", "1"))
		die("write /proc/sys/vm/compact_memory");
	printf("compaction: compacted all zones with %zu MB half-freed\n", o->mb);
	munmap(area, len);
	return 0;
}

/* A memory cgroup holding this process: v2 when the memory controller
 * can be enabled there, else v1. */
struct memcg {
	char dir[512];
	bool v1;
};

static int enter_memcg(struct memcg *cg)
{
	static const struct {
		const char *root, *probe;
	} kinds[] = {
		{ "/sys/fs/cgroup", "cgroup.subtree_control" },
		{ "/sys/fs/cgroup/memory", "memory.limit_in_bytes" },
	};
	char path[600], buf[64];
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", kinds[i].root, kinds[i].probe);
		if (read_knob(path, buf, sizeof(buf)))
			continue;
		if (!i && !strstr(buf, "memory") && write_knob(path, "+memory"))
			continue;
		snprintf(cg->dir, sizeof(cg->dir), "%s/thpload-%d", kinds[i].root, getpid());
		if (mkdir(cg->dir, 0755) && errno != EEXIST)
			continue;
		cg->v1 = i == 1;
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg->dir);
		snprintf(buf, sizeof(buf), "%d", getpid());
		if (!write_knob(path, buf))
			return 0;
		rmdir(cg->dir);
	}
	errno = ENOTSUP;
	return -1;
}

static unsigned long long memcg_usage(const struct memcg *cg)
{
	char path[600], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg->dir,
		 cg->v1 ? "memory.usage_in_bytes" : "memory.current");
	return read_knob(path, buf, sizeof(buf)) ? 0 : strtoull(buf, NULL, 10);
}

/* Reclaim until the cgroup's charge is at most TARGET bytes: v1 lowers
 * its limit, v2 asks memory.reclaim (memory.max would OOM-kill when
 * reclaim falls short). Both run the memcg-aware shrinkers. Folios split
 * by the shrinker are uncharged a little later, hence the retries. */
static int memcg_reclaim_to(const struct memcg *cg, unsigned long long target)
{
	char path[600], buf[32];
	unsigned long long usage;
	int tries;

	for (tries = 0; tries < 50; tries++) {
		usage = memcg_usage(cg);
		if (usage && usage <= target)
			return 0;
		if (cg->v1) {
			snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", cg->dir);
			snprintf(buf, sizeof(buf), "%llu", target);
		} else {
			snprintf(path, sizeof(path), "%s/memory.reclaim", cg->dir);
			snprintf(buf, sizeof(buf), "%llu", usage - target);
		}
		write_knob(path, buf);
		usleep(10000);
	}
	return -1;
}

static void leave_memcg(const struct memcg *cg)
{
	char parent[512], path[600], buf[32];

	if (cg->v1) {
		snprintf(path, sizeof(path), "%s/memory.limit_in_bytes", cg->dir);
		write_knob(path, "-1");
	}
	snprintf(parent, sizeof(parent), "%s", cg->dir);
	*strrchr(parent, '/') = '\0';
	snprintf(path, sizeof(path), "%s/cgroup.procs", parent);
	snprintf(buf, sizeof(buf), "%d", getpid());
	write_knob(path, buf);
	rmdir(cg->dir);
}

/* Allocate only from the node this task runs on now. From 7.2 the
 * deferred-split queue is a list_lru, one list per node and memcg, and the
 * shrinker counts and scans each node's list on its own: THPs faulted on
 * both nodes (the task migrated between CPUs of different nodes) would
 * never be one queue. Without NUMA there is one node anyway. */
static void bind_to_this_node(void)
{
	unsigned int cpu, node;
	unsigned long mask;

	if (syscall(SYS_getcpu, &cpu, &node, NULL))
		die("getcpu");
	if (node >= 8 * sizeof(mask)) {
		errno = ERANGE;
		die("node of this CPU");
	}
	mask = 1UL << node;
	if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, 8 * sizeof(mask)) && errno != ENOSYS)
		die("set_mempolicy(MPOL_BIND)");
}

static int partial_unmap(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	unsigned long i, before;
	struct memcg cg;
	char *area;
	int ret = 0;

	if (enter_memcg(&cg))
		die("memory cgroup");
	bind_to_this_node();
	area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	fault_huge(area, len);
	before = anon_huge_kb();
	/* Unmap the second half of every THP: the PMD mapping splits and the
	 * folio, still charged whole, goes on the deferred-split queue. */
	for (i = 0; i < o->regions; i++)
		munmap(area + i * PMD_SIZE + PMD_SIZE / 2, PMD_SIZE / 2);
	/* Without swap, all reclaim can free is the unmapped halves, which
	 * the deferred-split shrinker frees by splitting the folios. */
	if (memcg_reclaim_to(&cg, len / 2 + (4UL << 20))) {
		fprintf(stderr, "thpload: memcg reclaim did not free the unmapped halves\n");
		ret = 1;
	}
	printf("partial-unmap: %lu THPs (AnonHugePages %lu kB) half-unmapped, "
	       "memcg reclaimed to %llu kB\n", o->regions, before, memcg_usage(&cg) >> 10);
	for (i = 0; i < o->regions; i++)
		munmap(area + i * PMD_SIZE, PMD_SIZE / 2);
	leave_memcg(&cg);
	return ret;
}

/* Split the THPs of this process in [p, p + len) to each order of
 * o->orders in turn, through debugfs. */
static int split_debugfs(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char orders[64], *tok, *save, cmd[128];
	unsigned long before;

	fault_huge(area, len);
	before = anon_huge_kb();
	snprintf(orders, sizeof(orders), "%s", o->orders);
	for (tok = strtok_r(orders, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		snprintf(cmd, sizeof(cmd), "%d,0x%lx,0x%lx,%s", getpid(), (unsigned long)area,
			 (unsigned long)area + len, tok);
		if (write_knob("/sys/kernel/debug/split_huge_pages", cmd))
			die("write /sys/kernel/debug/split_huge_pages");
	}
	printf("split-debugfs: %lu THPs (AnonHugePages %lu kB) split to orders %s\n",
	       o->regions, before, o->orders);
	munmap(area, len);
	return 0;
}

#define MPOL_BIND_ 2
#define MPOL_MF_MOVE_ 2

static void bind_to_node(void *p, size_t len, int node)
{
	unsigned long mask = 1UL << node;

	if (syscall(SYS_mbind, p, len, MPOL_BIND_, &mask, 8 * sizeof(mask), 0))
		die("mbind");
}

static unsigned long node_free_kb(int node)
{
	char path[64];
	unsigned long kb = 0;

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", node);
	file_value(path, "Node %*d MemFree: %lu kB", &kb);
	return kb;
}

#define NODE_HUGEPAGES "/sys/devices/system/node/node%d/hugepages/hugepages-2048kB/nr_hugepages"
static char saved_hugepages[32];
static int exhausted_node = -1;

static void restore_hugepages(void)
{
	char path[128];

	snprintf(path, sizeof(path), NODE_HUGEPAGES, exhausted_node);
	if (saved_hugepages[0])
		write_knob(path, saved_hugepages);
}

/* Take every 2 MB block of NODE the kernel will give into the hugetlb
 * pool, so that no THP can be allocated there, until exit (the first node
 * asked for is the one restored). Each request asks for more than is free,
 * which makes the kernel compact the node for the pool as a THP
 * migration's own allocation would; the pool grows until a request gains
 * nothing. */
static void exhaust_node(int node)
{
	char path[128], got[32];
	unsigned long pool, before;
	int round;

	snprintf(path, sizeof(path), NODE_HUGEPAGES, node);
	if (exhausted_node < 0) {
		if (read_knob(path, saved_hugepages, sizeof(saved_hugepages)))
			die("read nr_hugepages of the node");
		exhausted_node = node;
		atexit(restore_hugepages);
	}
	if (read_knob(path, got, sizeof(got)))
		die("read nr_hugepages of the node");
	pool = strtoul(got, NULL, 10);
	for (round = 0; round < 16; round++) {
		before = pool;
		snprintf(got, sizeof(got), "%lu", pool + node_free_kb(node) / 2048 + 64);
		if (write_knob(path, got) || read_knob(path, got, sizeof(got)))
			die("resize the hugetlb pool of the node");
		pool = strtoul(got, NULL, 10);
		if (pool <= before)
			break;
	}
}

/* Compact NODE so that its THP faults find 2 MB blocks whatever ran before. */
static void compact_node(int node)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/compact", node);
	write_knob(path, "1");
}

/* Counter NAME of /proc/vmstat ("thp_split_page" does not match
 * "thp_split_page_failed": the format needs a number after the name). */
static unsigned long vmstat(const char *name)
{
	char fmt[80];
	unsigned long v;

	snprintf(fmt, sizeof(fmt), "%s %%lu", name);
	if (!file_value("/proc/vmstat", fmt, &v))
		die("read /proc/vmstat");
	return v;
}

/* Fault REGIONS THPs on node 0, fill node 1's free 2 MB blocks, and move
 * the THPs there with move_pages(), one THP a call: a failure (no memory
 * left for the split pages either) ends a call, not the others' chance to
 * fall back. Returns the base pages that moved, or -1. */
static long move_thps_to_full_node(unsigned long regions)
{
	size_t len = regions * PMD_SIZE, i, j, n = len / page_size, per = PMD_SIZE / page_size;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	void **pages = calloc(n, sizeof(*pages));
	int *nodes = calloc(n, sizeof(int)), *status = calloc(n, sizeof(int));
	unsigned long huge_kb;
	long moved = 0;

	if (!pages || !nodes || !status)
		die("calloc");
	compact_node(0);
	bind_to_node(area, len, 0);
	fault_huge(area, len);
	huge_kb = anon_huge_kb();
	if (huge_kb < len / 1024) {
		fprintf(stderr, "thpload: only %lu of %zu kB faulted as THPs on node 0\n",
			huge_kb, len / 1024);
		moved = -1;
		goto out;
	}
	exhaust_node(1);
	for (i = 0; i < n; i++) {
		pages[i] = area + i * page_size;
		nodes[i] = 1;
	}
	for (i = 0; i < n; i += per) {
		if (syscall(SYS_move_pages, 0, per, pages + i, nodes + i, status + i,
			    MPOL_MF_MOVE_) < 0 && errno != ENOMEM)
			die("move_pages");
		for (j = 0; j < per; j++)
			moved += status[i + j] == 1;
	}
out:
	munmap(area, len);
	free(pages);
	free(nodes);
	free(status);
	return moved;
}

/* A block freed between filling node 1 and a move lets that THP migrate
 * whole: the scenario is tried again, at most three times, until the
 * kernel counts a fallback. */
static int migrate_fallback(const struct opts *o)
{
	unsigned long split = 0;
	int attempt;

	if (node_free_kb(1) == 0) {
		fprintf(stderr, "thpload: migrate-fallback needs a NUMA node 1\n");
		return 1;
	}
	for (attempt = 1; attempt <= 3 && !split; attempt++) {
		unsigned long before = vmstat("thp_migration_split");
		long moved = move_thps_to_full_node(o->regions);

		if (moved < 0)
			return 1;
		split = vmstat("thp_migration_split") - before;
		printf("migrate-fallback: attempt %d: %lu THPs to node 1 without free 2 MB "
		       "blocks: %ld pages moved, %lu THPs split (thp_migration_split)\n",
		       attempt, o->regions, moved, split);
	}
	return 0;
}

static int dev_migrate(int fd, unsigned long cmd, void *p, size_t len, uint32_t flags)
{
	struct thpdev_range r = {
		.size = sizeof(r), .flags = flags, .addr = (uintptr_t)p, .len = len,
	};

	if (ioctl(fd, cmd, &r))
		die("thpdev migration");
	return 0;
}

static int thpdev_open(void)
{
	int fd = open("/dev/thpdev", O_RDWR);

	if (fd < 0)
		die("open /dev/thpdev (is the thpdev module loaded?)");
	return fd;
}

static void thpdev_ioctl(int fd, unsigned long cmd, void *arg, const char *what)
{
	if (ioctl(fd, cmd, arg))
		die(what);
}

/* thpdev's invalidation counts, named after enum mmu_notifier_event
 * (the same values from 6.1 to 7.2). */
static void print_invalidations(const struct thpdev_stats *st)
{
	static const char *const events[THPDEV_NR_EVENTS] = {
		"unmap", "clear", "protection_vma", "protection_page",
		"soft_dirty", "release", "migrate", "exclusive",
	};
	int i;

	printf("device: invalidations");
	for (i = 0; i < THPDEV_NR_EVENTS; i++)
		printf(" inval_%s %llu", events[i], (unsigned long long)st->invalidations[i]);
	printf("\n");
}

/*
 * THPs to /dev/thpdev in four parts of -n/4 THPs: whole, with compound
 * collection off, with their large device allocation failing, through a
 * range that starts a page into them; then the first half back by the
 * driver and the second half by CPU faults, the first -f of them refused.
 */
static int device(const struct opts *o)
{
	size_t part = (o->regions / 4 ? o->regions / 4 : 1) * PMD_SIZE, len = 4 * part;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct thpdev_faults f = { .size = sizeof(f), .fail_large_alloc = part / PMD_SIZE };
	struct thpdev_stats st = { .size = sizeof(st) };
	int fd = thpdev_open();
	volatile char sum = 0;
	size_t off;

	fault_huge(area, len);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area, part, 0);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area + part, part, THPDEV_NO_COMPOUND);
	thpdev_ioctl(fd, THPDEV_IOC_FAULTS, &f, "thpdev faults");
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area + 2 * part, part, 0);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area + 3 * part + page_size,
		    part - page_size, 0);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, area, len / 2, 0);
	f.fail_large_alloc = 0;
	f.refuse_cpu_faults = o->refuse;
	thpdev_ioctl(fd, THPDEV_IOC_FAULTS, &f, "thpdev faults");
	for (off = len / 2; off < len; off += page_size)
		sum += area[off];
	thpdev_ioctl(fd, THPDEV_IOC_STATS, &st, "thpdev stats");
	printf("device: thp_to_device %llu split_collect %llu split_alloc %llu thp_to_ram %llu "
	       "cpu_faults %llu cpu_faults_refused %llu\n",
	       (unsigned long long)st.thp_to_device, (unsigned long long)st.split_collect,
	       (unsigned long long)st.split_alloc, (unsigned long long)st.thp_to_ram,
	       (unsigned long long)st.cpu_faults, (unsigned long long)st.cpu_faults_refused);
	print_invalidations(&st);
	close(fd);
	munmap(area, len);
	return 0;
}

/*
 * One PMD range of base pages, -n rounds of: MADV_COLLAPSE, then its first
 * page made device-exclusive through /dev/thpdev and written by the CPU
 * (which takes it back); with COLLAPSE_LAST the collapse comes between
 * the two, on a range holding a device-exclusive entry. The first is a
 * THP bouncing between collapse and a device's atomics (each exclusive
 * access splits the PMD mapping); the second, khugepaged's work refused
 * or undone by them.
 */
static int exclusive_rounds(const struct opts *o, const char *name, bool collapse_last)
{
	char *area = map_aligned(PMD_SIZE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct thpdev_range r = { .size = sizeof(r), .addr = (uintptr_t)area, .len = page_size };
	struct thpdev_stats st = { .size = sizeof(st) };
	int fd = thpdev_open();
	unsigned long i, ok = 0;

	touch_base_pages(area, PMD_SIZE, page_size);
	for (i = 0; i < o->regions; i++) {
		if (!collapse_last)
			ok += !madvise(area, PMD_SIZE, MADV_COLLAPSE);
		thpdev_ioctl(fd, THPDEV_IOC_EXCLUSIVE, &r, "thpdev exclusive");
		if (collapse_last)
			ok += !madvise(area, PMD_SIZE, MADV_COLLAPSE);
		area[0]++;
	}
	thpdev_ioctl(fd, THPDEV_IOC_STATS, &st, "thpdev stats");
	printf("%s: range %p-%p collapsed %lu times of %lu, exclusive_pages %llu\n", name,
	       (void *)area, (void *)(area + PMD_SIZE), ok, o->regions,
	       (unsigned long long)st.exclusive_pages);
	print_invalidations(&st);
	close(fd);
	munmap(area, PMD_SIZE);
	return 0;
}

static int device_exclusive(const struct opts *o)
{
	return exclusive_rounds(o, "device-exclusive", false);
}

static int exclusive_collapse(const struct opts *o)
{
	return exclusive_rounds(o, "exclusive-collapse", true);
}

/* Whatever large folios the THP settings give a MADV_HUGEPAGE region
 * (mTHPs when only small sizes are enabled), to the device and back. */
static int device_mthp(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	int fd = thpdev_open();

	fault_huge(area, len);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area, len, 0);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, area, len, 0);
	printf("device-mthp: %lu PMD ranges to the device and back\n", o->regions);
	close(fd);
	munmap(area, len);
	return 0;
}

#define REUSE_ROUNDS 4

/* Programs reuse buffers: the same THPs go to the device and come back
 * through CPU faults, round after round, every fault migrating them. */
static int device_reuse(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE, off;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct thpdev_stats st = { .size = sizeof(st) };
	int fd = thpdev_open(), round;
	volatile char sum = 0;

	fault_huge(area, len);
	for (round = 0; round < REUSE_ROUNDS; round++) {
		dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area, len, 0);
		for (off = 0; off < len; off += page_size)
			sum += area[off];
	}
	thpdev_ioctl(fd, THPDEV_IOC_STATS, &st, "thpdev stats");
	printf("device-reuse: rounds %d thp_to_device %llu thp_to_ram %llu cpu_faults %llu\n",
	       REUSE_ROUNDS, (unsigned long long)st.thp_to_device,
	       (unsigned long long)st.thp_to_ram, (unsigned long long)st.cpu_faults);
	close(fd);
	munmap(area, len);
	return 0;
}

/* PMD ranges of AREA the device sees mapped by the huge zero page. */
static unsigned long zero_pmds(int fd, char *area, size_t len)
{
	size_t n = len / page_size, i;
	unsigned char *snap = calloc(n, 1);
	struct thpdev_snapshot s = {
		.size = sizeof(s), .addr = (uintptr_t)area, .len = len, .buf = (uintptr_t)snap,
	};
	unsigned long zero = 0;
	const unsigned char want = THPDEV_SNAP_PRESENT | THPDEV_SNAP_PMD;

	if (!snap)
		die("calloc");
	thpdev_ioctl(fd, THPDEV_IOC_SNAPSHOT, &s, "thpdev snapshot");
	for (i = 0; i < n; i += PMD_SIZE / page_size)
		zero += (snap[i] & (want | THPDEV_SNAP_WRITE)) == want;
	free(snap);
	return zero;
}

/*
 * Nothing to move: PMD ranges never written, the first half not touched
 * at all, the second read (the huge zero page maps it), migrated to the
 * device with compound collection; the device fills each with a large
 * folio. Half of them come back by the driver; the rest are left on the
 * device, which evicts them when it is closed.
 */
static int device_holes(const struct opts *o)
{
	size_t half = (o->regions / 2 ? o->regions / 2 : 1) * PMD_SIZE, len = 2 * half, off;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	struct thpdev_stats st = { .size = sizeof(st) };
	int fd = thpdev_open();
	volatile char sum = 0;
	unsigned long zero;

	if (madvise(area, len, MADV_HUGEPAGE))
		die("madvise(MADV_HUGEPAGE)");
	for (off = half; off < len; off += page_size)
		sum += area[off];
	zero = zero_pmds(fd, area, len);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_DEVICE, area, len, 0);
	dev_migrate(fd, THPDEV_IOC_MIGRATE_TO_RAM, area, half, 0);
	thpdev_ioctl(fd, THPDEV_IOC_STATS, &st, "thpdev stats");
	printf("device-holes: holes %zu zero_pmds %lu thp_to_device %llu thp_to_ram %llu "
	       "device_pages %llu\n", len / PMD_SIZE, zero,
	       (unsigned long long)st.thp_to_device, (unsigned long long)st.thp_to_ram,
	       (unsigned long long)st.device_pages);
	close(fd);
	munmap(area, len);
	return 0;
}

/* Pages of AREA the device holds, and those it maps by a PMD (its
 * snapshot: the driver's own view). */
static void device_pages(int fd, char *area, size_t len, unsigned long *dev,
			 unsigned long *dev_pmd)
{
	size_t n = len / page_size, i;
	unsigned char *snap = calloc(n, 1);
	struct thpdev_snapshot s = {
		.size = sizeof(s), .addr = (uintptr_t)area, .len = len, .buf = (uintptr_t)snap,
	};

	if (!snap)
		die("calloc");
	thpdev_ioctl(fd, THPDEV_IOC_SNAPSHOT, &s, "thpdev snapshot");
	*dev = *dev_pmd = 0;
	for (i = 0; i < n; i++) {
		*dev += !!(snap[i] & THPDEV_SNAP_DEVICE);
		*dev_pmd += (snap[i] & (THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD)) ==
			    (THPDEV_SNAP_DEVICE | THPDEV_SNAP_PMD);
	}
	free(snap);
}

static void stop_holding(int sig)
{
}

/*
 * What thpscope maps must find, each part in a mapping of its own, said
 * in bytes on one line once in place; then held until -t runs out or a
 * signal. The kernel decides what it gives (the test compares with
 * smaps and the mTHP counters), thpload says what it asked for.
 */
static int hold_layout(const struct opts *o, bool split)
{
	size_t len = o->regions * PMD_SIZE, i;
	char *pmd = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char *half = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char *small = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	char *base = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
	int memfd = memfd_create("thpload-layout", MFD_CLOEXEC), dev = -1;
	unsigned long device = 0, device_pmd = 0;
	char *shmem, *moved = NULL;

	if (memfd < 0 || ftruncate(memfd, len))
		die("memfd");
	shmem = map_aligned(len, MAP_SHARED, memfd);
	fault_huge(pmd, len);
	fault_huge(half, len);
	for (i = 0; i < o->regions; i++)
		if (munmap(half + i * PMD_SIZE + PMD_SIZE / 2, PMD_SIZE / 2) ||
		    (split && munmap(pmd + i * PMD_SIZE + PMD_SIZE / 2, PMD_SIZE / 2)))
			die("munmap");
	fault_huge(shmem, len);
	/* No MADV_HUGEPAGE: only the sizes enabled "always" back it. */
	touch(small, len, page_size);
	touch_base_pages(base, len, page_size);
	if (!access("/dev/thpdev", F_OK)) {
		dev = thpdev_open();
		moved = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);
		fault_huge(moved, len);
		dev_migrate(dev, THPDEV_IOC_MIGRATE_TO_DEVICE, moved, len, 0);
		device_pages(dev, moved, len, &device, &device_pmd);
	}
	printf("layout: pid %d pmd %zu half %zu shmem %zu mthp %zu base %zu device %lu "
	       "device_pmd %lu pmd_at %p shmem_at %p mthp_at %p base_at %p\n", (int)getpid(),
	       split ? 0 : len, split ? len : len / 2, len, len, len, device * page_size,
	       device_pmd * page_size, (void *)pmd, (void *)shmem, (void *)small, (void *)base);
	signal(SIGTERM, stop_holding);
	signal(SIGINT, stop_holding);
	sleep(o->timeout);
	if (dev >= 0)
		close(dev);
	return 0;
}

static int layout(const struct opts *o)
{
	return hold_layout(o, false);
}

/* -n PMD THPs and nothing else, held like the layout (the bench's
 * THP-backed process). */
static int thps(const struct opts *o)
{
	size_t len = o->regions * PMD_SIZE;
	char *area = map_aligned(len, MAP_PRIVATE | MAP_ANONYMOUS, -1);

	fault_huge(area, len);
	printf("layout: pid %d pmd %zu pmd_at %p\n", (int)getpid(), len, (void *)area);
	signal(SIGTERM, stop_holding);
	signal(SIGINT, stop_holding);
	sleep(o->timeout);
	return 0;
}

/* The same with the PMD THPs half-unmapped too: less coverage. */
static int layout_split(const struct opts *o)
{
	return hold_layout(o, true);
}

static int mixed(const struct opts *o);

static const struct scenario {
	const char *name;
	int (*run)(const struct opts *o);
	bool in_mixed;
	const char *help;
} scenarios[] = {
	{ "collapse-anon", collapse_anon, true, "MADV_COLLAPSE of anonymous base pages" },
	{ "collapse-shmem", collapse_shmem, true, "MADV_COLLAPSE of shmem pages" },
	{ "thrash", thrash, false, "one range collapsed and split again, -n times" },
	{ "thrash-shmem", thrash_shmem, false, "one shmem range collapsed and split again, -n times" },
	{ "creep", creep, false, "one range left to khugepaged to collapse, order after order" },
	{ "khugepaged", khugepaged, false, "base pages left for khugepaged to collapse" },
	{ "compaction", compaction, true, "fragment memory and compact it" },
	{ "partial-unmap", partial_unmap, true, "partially unmapped THPs split by memcg reclaim" },
	{ "split-debugfs", split_debugfs, false, "THPs split through debugfs to the orders of -o" },
	{ "migrate-fallback", migrate_fallback, false, "THPs moved to a node with no free 2 MB block" },
	{ "device", device, false, "THPs to /dev/thpdev and back, whole and split (-f: refused faults)" },
	{ "device-mthp", device_mthp, false, "whatever large folios a region gets, to /dev/thpdev and back" },
	{ "device-reuse", device_reuse, false, "THPs to /dev/thpdev and faulted back, 4 times at one address" },
	{ "device-exclusive", device_exclusive, false, "a THP collapsed, made device-exclusive, taken back, -n times" },
	{ "exclusive-collapse", exclusive_collapse, false, "a range made device-exclusive, collapsed, taken back, -n times" },
	{ "device-holes", device_holes, false, "empty and huge-zero PMD ranges to /dev/thpdev, some left to evict" },
	{ "layout", layout, false, "a known layout of THPs, mTHPs and base pages, held for -t s" },
	{ "layout-split", layout_split, false, "the same with every PMD THP half-unmapped" },
	{ "thps", thps, false, "-n PMD THPs held for -t s" },
	{ "mixed", mixed, false, "collapse-anon, collapse-shmem, compaction, partial-unmap" },
};

static int mixed(const struct opts *o)
{
	int ret = 0;
	size_t i;

	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		if (scenarios[i].in_mixed)
			ret |= scenarios[i].run(o);
	return ret;
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: thpload [-n REGIONS] [-m MB] [-t SECONDS] [-r REPEAT] [-o ORDERS] [-f FAULTS]\n"
		"               SCENARIO\n\n"
		"  -n REGIONS  2 MB regions per scenario (default 8)\n"
		"  -m MB       memory fragmented for compaction (default 256)\n"
		"  -t SECONDS  how long to wait for khugepaged, or to hold the layout (default 30)\n"
		"  -r REPEAT   run the scenario REPEAT times (default 1)\n"
		"  -o ORDERS   split-debugfs: orders to split to, in turn (default 0)\n"
		"  -f FAULTS   device: CPU faults the device refuses (default 0)\n"
		"  -h          this text\n\nscenarios:\n");
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++)
		fprintf(out, "  %-18s %s\n", scenarios[i].name, scenarios[i].help);
}

static unsigned long number(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || !v || *s == '-') {
		fprintf(stderr, "thpload: %s wants a positive number, not '%s'\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct opts o = { .regions = 8, .mb = 256, .timeout = 30, .repeat = 1, .orders = "0" };
	unsigned int r;
	size_t i;
	int c, ret = 0;

	page_size = sysconf(_SC_PAGESIZE);
	while ((c = getopt(argc, argv, "hn:m:t:r:o:f:")) != -1) {
		switch (c) {
		case 'n': o.regions = number(optarg, "-n"); break;
		case 'm': o.mb = number(optarg, "-m"); break;
		case 't': o.timeout = number(optarg, "-t"); break;
		case 'r': o.repeat = number(optarg, "-r"); break;
		case 'o': o.orders = optarg; break;
		case 'f': o.refuse = number(optarg, "-f"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc - 1) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		if (strcmp(argv[optind], scenarios[i].name))
			continue;
		for (r = 0; r < o.repeat; r++)
			ret |= scenarios[i].run(&o);
		return ret;
	}
	fprintf(stderr, "thpload: unknown scenario '%s' (thpload -h lists them)\n", argv[optind]);
	return 2;
}
