// SPDX-License-Identifier: GPL-2.0
/*
 * thpdev under abuse (TAP output). Several threads issue random ioctls,
 * well formed and malformed, on several device contexts, while they also
 * touch device memory from the CPU, unmap, madvise and mprotect ranges
 * being migrated, fork children that touch device pages, and close
 * contexts whose pages are in use. A run is bounded in operations and in
 * time and replays from its printed seed (up to thread interleaving).
 *
 * Memory, in one PMD-aligned block:
 *   data     THPs holding a pattern: anything but a change of content
 *   journal  one page per thread, rewritten by its owner only, so that a
 *            write lost by a migration shows
 *   ro       a read-only pattern: the device must never write it
 *   chaos    unmapped, remapped, zapped and mprotected at random
 *   none     PROT_NONE
 *   hole     nothing mapped, below a PROT_NONE guard that keeps it so
 * At the end every page comes back to system memory and is checked; the
 * module's STATS must agree with the device's page-table walk, every
 * context must end with no device page in use, and once all are closed no
 * thpdev memory may remain (/proc/iomem).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../../module/thpdev_uapi.h"
#include "thp_pmd_size.h"

#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MAX_THREADS	16
#define NR_SLOTS	3	/* contexts opened and closed during the run */
#define MAX_FORKS	64
/* What one context can hold: THPDEV_MAX_CHUNKS chunks of 64 MB. */
#define MAX_DEVICE_BYTES	(16ULL << 26)
#define DATA_PMDS	6
#define CHAOS_PMDS	3
#define KERNEL_ADDRESS	0xffff888000000000ULL	/* the direct map on x86-64 */

struct region {
	const char *name;
	char *p;
	size_t len;
	uint64_t seed;	/* of its pattern, for data and ro */
};

enum check {
	CK_REFUSED,	/* malformed calls refused with the right errno */
	CK_ACCEPTED,	/* well-formed calls on mapped memory succeed */
	CK_DEVICE_SEES,	/* device READ sees the pattern */
	CK_CPU_SEES,	/* the CPU sees the pattern */
	CK_JOURNAL,	/* no write lost */
	CK_READ_ONLY,	/* read-only memory never shown writable or written */
	CK_CHILDREN,	/* children see the pattern, are refused the context */
	CK_STATS_SANE,	/* device pages in use within what a context holds */
	CK_STATS_WALK,	/* device pages in use >= mapped, by SNAPSHOT */
	CK_ALL_BACK,	/* no device pages left once everything came back */
	CK_INTACT,	/* data intact at the end, all in system memory */
	CK_RELEASED,	/* no thpdev memory once every context is closed */
	NR_CHECKS
};

static const char *const check_names[NR_CHECKS] = {
	[CK_REFUSED] = "malformed ioctls are refused with the expected errno",
	[CK_ACCEPTED] = "well-formed ioctls on mapped memory succeed, with sane counts",
	[CK_DEVICE_SEES] = "the device always reads the pattern",
	[CK_CPU_SEES] = "the CPU always reads the pattern",
	[CK_JOURNAL] = "no write lost across migrations (per-thread journal pages)",
	[CK_READ_ONLY] = "read-only memory is never shown writable nor written",
	[CK_CHILDREN] = "forked children read the pattern and are refused the context",
	[CK_STATS_SANE] = "STATS device pages stay within what a context can hold",
	[CK_STATS_WALK] = "STATS device pages cover every device page SNAPSHOT sees",
	[CK_ALL_BACK] = "no device pages in use once everything migrated back (STATS, SNAPSHOT)",
	[CK_INTACT] = "data intact at the end and all in system memory (CPU, device, pagemap)",
	[CK_RELEASED] = "no thpdev memory left within 5 s of the last close (/proc/iomem)",
};

enum counter {
	CN_IOCTLS, CN_MALFORMED, CN_CPU, CN_FORKS, CN_OPENS, CN_CLOSES, CN_UNMAPS,
	CN_MADVISE, CN_MPROTECT, CN_MEMIO, CN_BUSY, NR_COUNTERS
};

static const char *const counter_names[NR_COUNTERS] = {
	"ioctls", "malformed", "cpu_touches", "forks", "opens", "closes_busy",
	"unmaps", "madvises", "mprotects", "proc_mem_io", "busy_lookups",
};

struct worker {
	pthread_t tid;
	unsigned int id;
	uint64_t rng;
	char *buf;		/* 2 PMDs for READ, WRITE and SNAPSHOT */
	uint64_t journal;	/* the value of its journal page */
	unsigned long ops;
};

static struct {
	uint64_t seed;
	unsigned int threads;
	unsigned long ops;	/* per thread */
	unsigned int seconds;
	struct timespec start;
	size_t page_size, pmd_size, pmd_pages;
	int fd;			/* the main context, open throughout */
	int slots[NR_SLOTS];
	int mem;		/* /proc/self/mem */
	struct region data, journal, ro, chaos, none, hole;
	/* Held while a worker replaces part of chaos, so that another
	 * worker's replacement cannot land in its hole. */
	pthread_mutex_t chaos_lock;
	pid_t children[MAX_FORKS];
	unsigned int nr_children;
	unsigned long count[NR_COUNTERS];
	unsigned long failures[NR_CHECKS];
} g;

static struct worker workers[MAX_THREADS];

static void count(enum counter c)
{
	__atomic_fetch_add(&g.count[c], 1, __ATOMIC_RELAXED);
}

/* A failed check: the first few of each kind are told. */
static void fail(enum check c, const char *fmt, ...)
{
	va_list ap;

	if (__atomic_fetch_add(&g.failures[c], 1, __ATOMIC_RELAXED) >= 3)
		return;
	flockfile(stdout);
	printf("# %s: ", check_names[c]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	funlockfile(stdout);
}

static double elapsed(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - g.start.tv_sec + (now.tv_nsec - g.start.tv_nsec) / 1e9;
}

/* splitmix64: small, and every seed gives a good sequence. */
static uint64_t rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return rnd(s) % n;
}

/* ---- patterns ------------------------------------------------------------- */

static uint64_t pattern(const struct region *r, size_t off)
{
	return (off / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ r->seed;
}

/* The pattern of [off, off + len) of @r, into @dst. */
static void pattern_fill(const struct region *r, void *dst, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		((uint64_t *)dst)[i / 8] = pattern(r, off + i);
}

/* The first offset of @src, holding [off, off + len) of @r, that is wrong, or -1. */
static long pattern_check(const struct region *r, const void *src, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 8)
		if (((const uint64_t *)src)[i / 8] != pattern(r, off + i))
			return off + i;
	return -1;
}

static uint64_t journal_value(unsigned int id, uint64_t seq)
{
	return (uint64_t)(id + 1) << 48 | seq;
}

/* ---- ioctls --------------------------------------------------------------- */

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	count(CN_IOCTLS);
	return ioctl(fd, cmd, arg) ? errno : 0;
}

static int range_ioctl(int fd, unsigned long cmd, uint64_t addr, uint64_t len,
		       uint32_t flags, struct thpdev_range *out)
{
	struct thpdev_range r = {
		.size = sizeof(r), .flags = flags, .addr = addr, .len = len,
	};
	int err = xioctl(fd, cmd, &r);

	if (out)
		*out = r;
	return err;
}

static int rw_ioctl(int fd, unsigned long cmd, uint64_t addr, uint64_t len, void *buf)
{
	struct thpdev_rw rw = {
		.size = sizeof(rw), .addr = addr, .len = len, .buf = (uintptr_t)buf,
	};

	return xioctl(fd, cmd, &rw);
}

static int snapshot(int fd, uint64_t addr, uint64_t len, void *bits)
{
	struct thpdev_snapshot s = {
		.size = sizeof(s), .addr = addr, .len = len, .buf = (uintptr_t)bits,
	};

	return xioctl(fd, THPDEV_IOC_SNAPSHOT, &s);
}

static int stats(int fd, uint32_t flags, struct thpdev_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	st->flags = flags;
	return xioctl(fd, THPDEV_IOC_STATS, st);
}

static int set_faults(int fd, uint32_t large, uint32_t any, uint32_t refuse, uint32_t delay,
		      uint32_t ram_thp)
{
	struct thpdev_faults f = {
		.size = sizeof(f), .fail_large_alloc = large, .fail_alloc = any,
		.refuse_cpu_faults = refuse, .delay_us = delay, .fail_ram_thp = ram_thp,
	};

	return xioctl(fd, THPDEV_IOC_FAULTS, &f);
}

/* ---- choices -------------------------------------------------------------- */

/* The main context mostly, else one of the slots (maybe closed: -1). */
static int pick_fd(struct worker *w, bool *main_fd)
{
	*main_fd = below(&w->rng, 3) != 0;
	return *main_fd ? g.fd : __atomic_load_n(&g.slots[below(&w->rng, NR_SLOTS)],
						  __ATOMIC_RELAXED);
}

static struct region *pick_region(struct worker *w)
{
	static struct region *const weighted[] = {
		&g.data, &g.data, &g.data, &g.data, &g.journal, &g.ro,
		&g.chaos, &g.chaos, &g.chaos, &g.none,
	};

	return weighted[below(&w->rng, ARRAY_SIZE(weighted))];
}

/* Whole PMDs half the time, else any run of up to two PMDs of pages. */
static void pick_range(struct worker *w, const struct region *r, size_t *off, size_t *len)
{
	size_t pmds = r->len / g.pmd_size, pages = r->len / g.page_size, first, n;

	if (below(&w->rng, 2)) {
		first = below(&w->rng, pmds);
		n = 1 + below(&w->rng, pmds - first < 2 ? pmds - first : 2);
		*off = first * g.pmd_size;
		*len = n * g.pmd_size;
		return;
	}
	first = below(&w->rng, pages);
	n = 1 + below(&w->rng, pages - first < 2 * g.pmd_pages ? pages - first : 2 * g.pmd_pages);
	*off = first * g.page_size;
	*len = n * g.page_size;
}

static bool has_pattern(const struct region *r)
{
	return r == &g.data || r == &g.ro;
}

/* A call on a context that another thread may have closed. */
static bool closed(bool main_fd, int err)
{
	return !main_fd && err == EBADF;
}

/* ---- operations on the device --------------------------------------------- */

static void op_migrate(struct worker *w, unsigned long cmd)
{
	struct region *r = pick_region(w);
	uint32_t flags = cmd == THPDEV_IOC_MIGRATE_TO_DEVICE && !below(&w->rng, 4) ?
		THPDEV_NO_COMPOUND : 0;
	struct thpdev_range out;
	size_t off, len;
	bool main_fd;
	int fd = pick_fd(w, &main_fd), err;

	pick_range(w, r, &off, &len);
	err = range_ioctl(fd, cmd, (uintptr_t)r->p + off, len, flags, &out);
	if (r == &g.chaos || r == &g.none || closed(main_fd, err))
		return;
	if (err)
		fail(CK_ACCEPTED, "%s of %s+%#zx len %#zx: %s",
		     cmd == THPDEV_IOC_MIGRATE_TO_RAM ? "MIGRATE_TO_RAM" : "MIGRATE_TO_DEVICE",
		     r->name, off, len, strerror(err));
	else if (out.pages > len / g.page_size || out.thps * g.pmd_pages > out.pages ||
		 out.splits > len / g.pmd_size + 2)
		fail(CK_ACCEPTED, "%llu pages, %llu THPs, %llu splits for %zu pages",
		     (unsigned long long)out.pages, (unsigned long long)out.thps,
		     (unsigned long long)out.splits, len / g.page_size);
}

static void op_read(struct worker *w)
{
	struct region *r = pick_region(w);
	size_t off, len;
	bool main_fd;
	int fd = pick_fd(w, &main_fd), err;
	long bad;

	pick_range(w, r, &off, &len);
	err = rw_ioctl(fd, THPDEV_IOC_READ, (uintptr_t)r->p + off, len, w->buf);
	if (err == EBUSY)	/* invalidated all along: the walk gave up */
		count(CN_BUSY);
	if (r == &g.none && !err)
		fail(CK_REFUSED, "READ of PROT_NONE memory succeeded");
	if (!has_pattern(r) || closed(main_fd, err) || err == EBUSY)
		return;
	if (err) {
		fail(CK_ACCEPTED, "READ of %s+%#zx len %#zx: %s", r->name, off, len, strerror(err));
		return;
	}
	bad = pattern_check(r, w->buf, off, len);
	if (bad >= 0)
		fail(CK_DEVICE_SEES, "device READ of %s: wrong data at %#lx", r->name, bad);
}

static void op_write(struct worker *w)
{
	struct region *r = pick_region(w);
	size_t off, len;
	bool main_fd;
	int fd = pick_fd(w, &main_fd), err;

	if (r == &g.journal)	/* its pages belong to their threads */
		r = &g.data;
	pick_range(w, r, &off, &len);
	pattern_fill(r == &g.ro ? &g.data : r, w->buf, off, len);
	err = rw_ioctl(fd, THPDEV_IOC_WRITE, (uintptr_t)r->p + off, len, w->buf);
	if (r == &g.ro && !err)
		fail(CK_READ_ONLY, "device WRITE to read-only memory succeeded");
	if (r == &g.none && !err)
		fail(CK_REFUSED, "device WRITE to PROT_NONE memory succeeded");
	if (r == &g.data && err && !closed(main_fd, err) && err != EBUSY)
		fail(CK_ACCEPTED, "WRITE of data+%#zx len %#zx: %s", off, len, strerror(err));
}

static void op_snapshot(struct worker *w)
{
	struct region *r = below(&w->rng, 8) ? pick_region(w) : &g.hole;
	uint8_t *bits = (uint8_t *)w->buf;
	size_t off, len, i;
	bool main_fd;
	int fd = pick_fd(w, &main_fd), err;

	pick_range(w, r, &off, &len);
	err = snapshot(fd, (uintptr_t)r->p + off, len, bits);
	/* A VMA of chaos can go between SNAPSHOT's look-up and its walk. */
	if (closed(main_fd, err) || err == EBUSY || (r == &g.chaos && err == EFAULT))
		return;
	if (err) {
		fail(CK_ACCEPTED, "SNAPSHOT of %s: %s", r->name, strerror(err));
		return;
	}
	for (i = 0; i < len / g.page_size; i++) {
		if (r == &g.hole && bits[i])
			fail(CK_ACCEPTED, "SNAPSHOT of a hole: page %zu is %#x", i, bits[i]);
		if (r == &g.ro && (bits[i] & THPDEV_SNAP_WRITE))
			fail(CK_READ_ONLY, "SNAPSHOT shows read-only page %zu writable", i);
	}
}

static void op_exclusive(struct worker *w)
{
	struct region *r = below(&w->rng, 4) ? &g.data : pick_region(w);
	size_t off = below(&w->rng, r->len / g.page_size) * g.page_size;
	size_t len = (1 + below(&w->rng, 4)) * g.page_size;
	bool main_fd;
	int fd = pick_fd(w, &main_fd);

	if (off + len > r->len)
		len = r->len - off;
	/* It may fail on pages that are device memory, or being migrated. */
	range_ioctl(fd, THPDEV_IOC_EXCLUSIVE, (uintptr_t)r->p + off, len, 0, NULL);
}

static void op_faults(struct worker *w)
{
	bool main_fd;
	int fd = pick_fd(w, &main_fd), err;

	err = set_faults(fd, below(&w->rng, 3), below(&w->rng, 8) ? 0 : below(&w->rng, 16),
			 below(&w->rng, 4) ? 0 : below(&w->rng, 4),
			 below(&w->rng, 4) ? 0 : below(&w->rng, 300), below(&w->rng, 3));
	if (err && !closed(main_fd, err))
		fail(CK_ACCEPTED, "FAULTS: %s", strerror(err));
}

static void op_stats(struct worker *w)
{
	struct thpdev_stats st;
	bool main_fd;
	int fd = pick_fd(w, &main_fd), err;

	err = stats(fd, below(&w->rng, 4) ? 0 : THPDEV_STATS_RESET, &st);
	if (closed(main_fd, err))
		return;
	if (err)
		fail(CK_ACCEPTED, "STATS: %s", strerror(err));
	else if (st.device_pages > MAX_DEVICE_BYTES / g.page_size)
		fail(CK_STATS_SANE, "%llu device pages in use",
		     (unsigned long long)st.device_pages);
}

/* ---- malformed calls ------------------------------------------------------ */

/* One malformed call at random, on the main context; the errno it must get. */
static void op_malformed(struct worker *w)
{
	static const struct {
		unsigned long cmd;
		uint32_t size;
		bool ranged, buffer;
	} cmds[] = {
		{ THPDEV_IOC_MIGRATE_TO_DEVICE, sizeof(struct thpdev_range), true, false },
		{ THPDEV_IOC_MIGRATE_TO_RAM, sizeof(struct thpdev_range), true, false },
		{ THPDEV_IOC_READ, sizeof(struct thpdev_rw), true, true },
		{ THPDEV_IOC_WRITE, sizeof(struct thpdev_rw), true, true },
		{ THPDEV_IOC_SNAPSHOT, sizeof(struct thpdev_snapshot), true, true },
		{ THPDEV_IOC_EXCLUSIVE, sizeof(struct thpdev_range), true, false },
		{ THPDEV_IOC_FAULTS, sizeof(struct thpdev_faults), false, false },
		{ THPDEV_IOC_STATS, sizeof(struct thpdev_stats), false, false },
	};
	unsigned int k = below(&w->rng, 8), what = below(&w->rng, 12);
	unsigned long cmd = cmds[k].cmd;
	union {	/* any argument, with room past its end */
		struct thpdev_range range;
		struct thpdev_rw rw;	/* READ, WRITE and SNAPSHOT alike */
		struct thpdev_faults faults;
		uint64_t word[32];
	} a = { 0 };
	struct thpdev_range *r = &a.range;
	void *arg = &a;
	int want = EINVAL, err;

	count(CN_MALFORMED);
	/* Valid but for what is spoiled below: one data page, the worker's buffer. */
	r->size = cmds[k].size;
	if (cmds[k].ranged) {
		r->addr = (uintptr_t)g.data.p;
		r->len = g.page_size;
	}
	if (cmds[k].buffer)
		a.rw.buf = (uintptr_t)w->buf;
	switch (what) {
	case 0:
		r->size = below(&w->rng, 8);
		break;
	case 1:
		r->size = g.page_size + 1 + below(&w->rng, 1 << 20);
		break;
	case 2:	/* a newer caller's field this module does not know */
		((unsigned char *)&a)[r->size] = 1 + below(&w->rng, 255);
		r->size += 8;
		break;
	case 3:
		r->flags = 2u << below(&w->rng, 31);
		break;
	case 4:
		if (!cmds[k].ranged)
			goto pointer;
		r->addr += 1 + below(&w->rng, g.page_size - 1);
		break;
	case 5:
		if (cmd == THPDEV_IOC_FAULTS) {
			a.faults.delay_us = 1000001 + below(&w->rng, 1 << 30);
			break;
		}
		if (!cmds[k].ranged)
			goto pointer;
		r->len = below(&w->rng, 2) ? 0 : g.page_size + 1 + below(&w->rng, g.page_size - 1);
		break;
	case 6:
		if (!cmds[k].ranged)
			goto pointer;
		r->len = -(uint64_t)g.page_size * (1 + below(&w->rng, 4));
		break;
	case 7:
		if (!cmds[k].ranged)
			goto pointer;
		r->addr = KERNEL_ADDRESS;
		break;
	case 8:	/* a range that is, or runs into, the hole (SNAPSHOT reports holes) */
		if (!cmds[k].ranged || cmd == THPDEV_IOC_SNAPSHOT)
			goto pointer;
		r->addr = (uintptr_t)g.hole.p - (below(&w->rng, 2) ? g.page_size : 0);
		r->len = 2 * g.page_size;
		/* The page before the hole is PROT_NONE: the CPU's view faults. */
		if (cmds[k].buffer || cmd == THPDEV_IOC_EXCLUSIVE)
			want = EFAULT;
		break;
	case 9:	/* a buffer the kernel cannot write, or read */
		if (!cmds[k].buffer)
			goto pointer;
		a.rw.buf = below(&w->rng, 2) ? (uintptr_t)g.hole.p :
			cmd == THPDEV_IOC_WRITE ? (uintptr_t)g.none.p : (uintptr_t)g.ro.p;
		want = EFAULT;
		break;
	case 10:
		cmd = below(&w->rng, 2) ? _IO(THPDEV_IOC_MAGIC, 9 + below(&w->rng, 200)) :
			_IOWR(THPDEV_IOC_MAGIC, k + 1, struct thpdev_range);
		want = ENOTTY;
		break;
	default:
pointer:	/* the argument itself out of reach */
		arg = below(&w->rng, 2) ? (void *)g.hole.p :
			below(&w->rng, 2) ? (void *)(uintptr_t)KERNEL_ADDRESS : g.none.p;
		want = EFAULT;
		break;
	}
	err = xioctl(g.fd, cmd, arg);
	/*
	 * Cases 8 and 9 pass a valid range: the module walks it before it
	 * meets the bad part, and a walk that other workers' migrations keep
	 * invalidating for HMM's whole timeout ends in EBUSY first.
	 */
	if (err == EBUSY && (what == 8 || what == 9) && cmds[k].ranged)
		return;
	if (err != want)
		fail(CK_REFUSED, "cmd %#lx case %u: %s, want %s", cmd, what,
		     err ? strerror(err) : "success", strerror(want));
}

/* ---- the CPU's side ------------------------------------------------------- */

static void op_cpu(struct worker *w)
{
	struct region *r = below(&w->rng, 5) ? &g.data : &g.ro;
	size_t off, len;
	long bad;

	count(CN_CPU);
	pick_range(w, r, &off, &len);
	if (len > 16 * g.page_size)
		len = 16 * g.page_size;
	if (r == &g.data && below(&w->rng, 2))
		pattern_fill(r, r->p + off, off, len);	/* the same values, as a write */
	bad = pattern_check(r, r->p + off, off, len);
	if (bad >= 0)
		fail(CK_CPU_SEES, "CPU reads wrong data in %s at %#lx", r->name, bad);
}

/* The thread's journal page: a new value by the CPU or the device, read back both ways. */
static void op_journal(struct worker *w)
{
	uint64_t *page = (uint64_t *)(g.journal.p + w->id * g.page_size), v;
	size_t i, n = g.page_size / 8;
	int err;

	v = journal_value(w->id, ++w->journal);
	if (below(&w->rng, 2)) {
		for (i = 0; i < n; i++)
			page[i] = v;
	} else {
		for (i = 0; i < n; i++)
			((uint64_t *)w->buf)[i] = v;
		err = rw_ioctl(g.fd, THPDEV_IOC_WRITE, (uintptr_t)page, g.page_size, w->buf);
		if (err == EBUSY) {
			count(CN_BUSY);
			--w->journal;	/* nothing was written: the old value stays */
			return;
		}
		if (err) {
			fail(CK_ACCEPTED, "journal WRITE: %s", strerror(err));
			return;
		}
	}
	err = rw_ioctl(g.fd, THPDEV_IOC_READ, (uintptr_t)page, g.page_size, w->buf);
	if (!err && ((uint64_t *)w->buf)[n - 1] != v)
		fail(CK_JOURNAL, "thread %u: device reads %#llx, last written %#llx", w->id,
		     (unsigned long long)((uint64_t *)w->buf)[n - 1], (unsigned long long)v);
	if (page[0] != v || page[n - 1] != v)
		fail(CK_JOURNAL, "thread %u: CPU reads %#llx, last written %#llx", w->id,
		     (unsigned long long)page[0], (unsigned long long)v);
}

/* Unmap, remap, zap and mprotect chaos at random; its content does not matter. */
static void op_chaos(struct worker *w)
{
	static const int prots[] = { PROT_READ | PROT_WRITE, PROT_READ, PROT_NONE };
	size_t off, len;
	char *p;

	pick_range(w, &g.chaos, &off, &len);
	p = g.chaos.p + off;
	switch (below(&w->rng, 7)) {
	case 0:	/* replace: an munmap and an mmap in one */
		count(CN_UNMAPS);
		pthread_mutex_lock(&g.chaos_lock);
		if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
			 -1, 0) == MAP_FAILED)
			fail(CK_ACCEPTED, "mmap over chaos: %s", strerror(errno));
		pthread_mutex_unlock(&g.chaos_lock);
		madvise(p, len, MADV_HUGEPAGE);
		break;
	case 1:	/* a hole for a moment; nothing else in this process maps */
		count(CN_UNMAPS);
		pthread_mutex_lock(&g.chaos_lock);
		munmap(p, len);
		if (mmap(p, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
			 MAP_FIXED_NOREPLACE, -1, 0) != p)
			fail(CK_ACCEPTED, "chaos could not be mapped again: %s", strerror(errno));
		pthread_mutex_unlock(&g.chaos_lock);
		break;
	case 2:
		count(CN_MADVISE);
		madvise(p, len, MADV_DONTNEED);
		break;
	case 3:
		count(CN_MPROTECT);
		mprotect(p, len, prots[below(&w->rng, 3)]);
		break;
	case 4:
		count(CN_MADVISE);
		madvise(p, len, below(&w->rng, 2) ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
		break;
	case 5:	/* the CPU's write, whatever the protection (FOLL_FORCE) */
		count(CN_MEMIO);
		memset(w->buf, (int)below(&w->rng, 256), len);
		if (pwrite(g.mem, w->buf, len, (uintptr_t)p) < 0 && errno != EIO)
			fail(CK_ACCEPTED, "write of /proc/self/mem: %s", strerror(errno));
		break;
	default:
		count(CN_MADVISE);
		madvise(p, len, MADV_COLLAPSE);
		break;
	}
}

/* Collapse data pages into THPs: the content must not change. */
static void op_collapse(struct worker *w)
{
	size_t pmd = below(&w->rng, g.data.len / g.pmd_size) * g.pmd_size;

	count(CN_MADVISE);
	madvise(g.data.p + pmd, g.pmd_size, MADV_COLLAPSE);
}

/* Open a context in an empty slot, or close a slot's, busy or not. */
static void op_slot(struct worker *w)
{
	int *slot = &g.slots[below(&w->rng, NR_SLOTS)], fd, empty = -1;

	fd = __atomic_exchange_n(slot, -1, __ATOMIC_ACQ_REL);
	if (fd >= 0) {
		count(CN_CLOSES);
		close(fd);
		return;
	}
	fd = open("/dev/thpdev", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fail(CK_ACCEPTED, "open /dev/thpdev: %s", strerror(errno));
		return;
	}
	count(CN_OPENS);
	if (!__atomic_compare_exchange_n(slot, &empty, fd, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_RELAXED))
		close(fd);
}

/*
 * The child of a fork: refused the parent's context, it reads the
 * pattern, touching device pages (its copies are the parent's device
 * pages until written), writes some, zaps some chaos, and exits. When the
 * parent gave it a context of its own pages, it closes its copy of the
 * descriptor first, so that the parent's close releases the context
 * while the child touches its pages. Only system calls and memory here.
 */
static void child(struct worker *w, int ctx_fd)
{
	struct thpdev_range r = {
		.size = sizeof(r), .addr = (uintptr_t)g.data.p, .len = g.page_size,
	};
	int i, status = 0;

	if (ctx_fd >= 0)
		close(ctx_fd);
	if (ioctl(g.fd, THPDEV_IOC_MIGRATE_TO_DEVICE, &r) == 0 || errno != EINVAL)
		status |= 2;
	for (i = 0; i < 8; i++) {
		size_t off = below(&w->rng, g.data.len / g.page_size) * g.page_size;

		if (below(&w->rng, 4) == 0)
			pattern_fill(&g.data, g.data.p + off, off, g.page_size);
		if (pattern_check(&g.data, g.data.p + off, off, g.page_size) >= 0)
			status |= 1;
	}
	if (below(&w->rng, 2))
		madvise(g.chaos.p, g.chaos.len, MADV_DONTNEED);
	_exit(status);
}

static void op_fork(struct worker *w)
{
	unsigned int n = __atomic_fetch_add(&g.nr_children, 1, __ATOMIC_RELAXED);
	int ctx_fd = -1;
	size_t off, len;
	pid_t pid;

	if (n >= MAX_FORKS)
		return;
	if (below(&w->rng, 2)) {
		ctx_fd = open("/dev/thpdev", O_RDWR | O_CLOEXEC);
		pick_range(w, &g.data, &off, &len);
		if (ctx_fd >= 0)
			range_ioctl(ctx_fd, THPDEV_IOC_MIGRATE_TO_DEVICE,
				    (uintptr_t)g.data.p + off, len, 0, NULL);
	}
	count(CN_FORKS);
	pid = fork();
	if (pid == 0)
		child(w, ctx_fd);
	g.children[n] = pid;
	if (pid < 0)
		fail(CK_CHILDREN, "fork: %s", strerror(errno));
	if (ctx_fd >= 0) {
		count(CN_CLOSES);
		close(ctx_fd);
	}
}

/* ---- the run -------------------------------------------------------------- */

static void op_to_device(struct worker *w)
{
	op_migrate(w, THPDEV_IOC_MIGRATE_TO_DEVICE);
}

static void op_to_ram(struct worker *w)
{
	op_migrate(w, THPDEV_IOC_MIGRATE_TO_RAM);
}

/* The operations, with their odds; -x takes some out. */
static struct op {
	const char *name;
	unsigned int weight;
	void (*fn)(struct worker *w);
} ops[] = {
	{ "to_device", 15, op_to_device },
	{ "to_ram", 12, op_to_ram },
	{ "read", 7, op_read },
	{ "write", 5, op_write },
	{ "snapshot", 5, op_snapshot },
	{ "exclusive", 3, op_exclusive },
	{ "faults", 3, op_faults },
	{ "stats", 3, op_stats },
	{ "malformed", 10, op_malformed },
	{ "cpu", 9, op_cpu },
	{ "journal", 7, op_journal },
	{ "chaos", 9, op_chaos },
	{ "collapse", 2, op_collapse },
	{ "slot", 6, op_slot },
	{ "fork", 4, op_fork },
};

static void *work(void *arg)
{
	struct worker *w = arg;
	unsigned int total = 0, i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		total += ops[i].weight;
	for (w->ops = 0; total && w->ops < g.ops && elapsed() < g.seconds; w->ops++) {
		unsigned int pick = below(&w->rng, total);

		for (i = 0; pick >= ops[i].weight; i++)
			pick -= ops[i].weight;
		ops[i].fn(w);
	}
	return NULL;
}

static unsigned int op_weight(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (!strcmp(ops[i].name, name))
			return ops[i].weight;
	return 0;
}

/* Take the operations named in @list (comma-separated) out of the run. */
static bool exclude(char *list)
{
	char *name;
	size_t i;

	for (name = strtok(list, ","); name; name = strtok(NULL, ",")) {
		for (i = 0; i < ARRAY_SIZE(ops) && strcmp(ops[i].name, name); i++)
			;
		if (i == ARRAY_SIZE(ops))
			return false;
		ops[i].weight = 0;
	}
	return true;
}

static char *map(size_t len, int prot, char *at)
{
	char *p = mmap(at, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	madvise(p, len, MADV_HUGEPAGE);
	return p;
}

/* The regions, PMD-aligned, one after the other, then their patterns. */
static void setup_memory(void)
{
	struct region *all[] = { &g.data, &g.journal, &g.ro, &g.chaos, &g.none, &g.hole };
	static const char *const names[] = { "data", "journal", "ro", "chaos", "none", "hole" };
	size_t pmds[] = { DATA_PMDS, 1, 1, CHAOS_PMDS, 1, 1 }, total = 0, i;
	char *raw, *p;

	for (i = 0; i < 6; i++)
		total += pmds[i] * g.pmd_size;
	/* One PMD more for the alignment; what stays above the hole is its guard. */
	raw = mmap(NULL, total + 2 * g.pmd_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	p = (char *)(((uintptr_t)raw + g.pmd_size - 1) & ~(g.pmd_size - 1));
	for (i = 0; i < 6; i++) {
		all[i]->name = names[i];
		all[i]->len = pmds[i] * g.pmd_size;
		all[i]->p = p;
		all[i]->seed = g.seed + i;
		p += all[i]->len;
	}
	map(g.data.len, PROT_READ | PROT_WRITE, g.data.p);
	pattern_fill(&g.data, g.data.p, 0, g.data.len);
	map(g.journal.len, PROT_READ | PROT_WRITE, g.journal.p);
	memset(g.journal.p, 0, g.journal.len);
	map(g.ro.len, PROT_READ | PROT_WRITE, g.ro.p);
	pattern_fill(&g.ro, g.ro.p, 0, g.ro.len);
	mprotect(g.ro.p, g.ro.len, PROT_READ);
	pthread_mutex_init(&g.chaos_lock, NULL);
	map(g.chaos.len, PROT_READ | PROT_WRITE, g.chaos.p);
	memset(g.chaos.p, 1, g.chaos.len);
	map(g.none.len, PROT_NONE, g.none.p);
	munmap(g.hole.p, g.hole.len);
	if (g.data.p > raw)
		munmap(raw, g.data.p - raw);
}

/* Device pages SNAPSHOT shows in @r, for the context @fd. */
static long device_pages_mapped(int fd, const struct region *r, uint8_t *bits)
{
	size_t i;
	long n = 0;

	if (snapshot(fd, (uintptr_t)r->p, r->len, bits))
		return -1;
	for (i = 0; i < r->len / g.page_size; i++)
		n += !!(bits[i] & THPDEV_SNAP_DEVICE);
	return n;
}

/*
 * Each open context: the device pages it has in use cover those mapped,
 * and after everything came back there are none.
 */
static void check_contexts(void)
{
	const struct region *regions[] = { &g.data, &g.journal, &g.ro, &g.chaos };
	int fds[NR_SLOTS + 1] = { g.fd }, i, j, n = 1;
	uint8_t *bits = (uint8_t *)workers[0].buf;
	struct thpdev_stats st;

	for (i = 0; i < NR_SLOTS; i++)
		if (g.slots[i] >= 0)
			fds[n++] = g.slots[i];
	for (i = 0; i < n; i++) {
		long mapped = 0, m;

		set_faults(fds[i], 0, 0, 0, 0, 0);
		for (j = 0; j < 4; j++) {
			m = device_pages_mapped(fds[i], regions[j], bits);
			if (m < 0)
				fail(CK_STATS_WALK, "SNAPSHOT of %s failed", regions[j]->name);
			mapped += m > 0 ? m : 0;
		}
		if (stats(fds[i], 0, &st) || (long long)st.device_pages < mapped)
			fail(CK_STATS_WALK, "context %d: %llu device pages in use, %ld mapped", i,
			     (unsigned long long)st.device_pages, mapped);
	}
	/* Unmapped device pages are freed; the rest come back. */
	munmap(g.chaos.p, g.chaos.len);
	munmap(g.none.p, g.none.len);
	for (i = 0; i < n; i++) {
		long mapped = 0, m;

		for (j = 0; j < 3; j++) {
			int err = range_ioctl(fds[i], THPDEV_IOC_MIGRATE_TO_RAM,
					      (uintptr_t)regions[j]->p, regions[j]->len, 0, NULL);

			if (err)
				fail(CK_ALL_BACK, "MIGRATE_TO_RAM of %s: %s", regions[j]->name,
				     strerror(err));
			m = device_pages_mapped(fds[i], regions[j], bits);
			mapped += m > 0 ? m : 0;
		}
		if (stats(fds[i], 0, &st) || st.device_pages || mapped)
			fail(CK_ALL_BACK, "context %d: %llu device pages in use, %ld mapped", i,
			     (unsigned long long)st.device_pages, mapped);
	}
}

/* Every page of @r present in system memory, by /proc/self/pagemap. */
static bool all_in_ram(const struct region *r)
{
	int pm = open("/proc/self/pagemap", O_RDONLY);
	size_t i, n = r->len / g.page_size;
	uint64_t *ent = calloc(n, sizeof(*ent));
	bool ok = pm >= 0 && ent &&
		pread(pm, ent, n * 8, (uintptr_t)r->p / g.page_size * 8) == (ssize_t)(n * 8);

	for (i = 0; ok && i < n; i++)
		ok = ent[i] >> 63;
	if (pm >= 0)
		close(pm);
	free(ent);
	return ok;
}

static void check_data(void)
{
	const struct region *r[] = { &g.data, &g.ro };
	char *buf = workers[0].buf;
	unsigned int i;
	size_t off, j;
	long bad;

	for (i = 0; i < 2; i++) {
		bad = pattern_check(r[i], r[i]->p, 0, r[i]->len);
		if (bad >= 0)
			fail(CK_INTACT, "%s: wrong data at %#lx", r[i]->name, bad);
		for (off = 0; off < r[i]->len; off += g.pmd_size) {
			char *p = r[i]->p + off;

			if (rw_ioctl(g.fd, THPDEV_IOC_READ, (uintptr_t)p, g.pmd_size, buf))
				fail(CK_INTACT, "device READ of %s failed", r[i]->name);
			else if (pattern_check(r[i], buf, off, g.pmd_size) >= 0)
				fail(CK_INTACT, "%s: the device reads wrong data", r[i]->name);
		}
		if (!all_in_ram(r[i]))
			fail(CK_INTACT, "%s: pages not in system memory (pagemap)", r[i]->name);
	}
	for (i = 0; i < g.threads; i++) {
		const uint64_t *page = (uint64_t *)(g.journal.p + i * g.page_size);
		uint64_t want = workers[i].journal ? journal_value(i, workers[i].journal) : 0;

		for (j = 0; j < g.page_size / 8; j++)
			if (page[j] != want) {
				fail(CK_JOURNAL, "thread %u: %#llx at %zu, last written %#llx", i,
				     (unsigned long long)page[j], j * 8, (unsigned long long)want);
				break;
			}
	}
}

/* Whether /proc/iomem still lists device memory of thpdev. */
static bool thpdev_memory_left(void)
{
	FILE *f = fopen("/proc/iomem", "r");
	char line[256];
	bool left = false;

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f))
		left |= !!strstr(line, "thpdev");
	fclose(f);
	return left;
}

static void reap_children(void)
{
	unsigned int i, n = g.nr_children < MAX_FORKS ? g.nr_children : MAX_FORKS;
	int status;

	for (i = 0; i < n; i++) {
		if (g.children[i] <= 0)
			continue;
		if (waitpid(g.children[i], &status, 0) != g.children[i])
			fail(CK_CHILDREN, "waitpid: %s", strerror(errno));
		else if (!WIFEXITED(status) || WEXITSTATUS(status))
			fail(CK_CHILDREN, "child %u: %s %d", i,
			     WIFEXITED(status) ? "exit status" : "killed by signal",
			     WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	}
}

static void bad_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-s SEED] [-t THREADS] [-n OPS_PER_THREAD] [-d SECONDS] [-x OP,...]\n",
		prog);
	exit(2);
}

static unsigned long long number(const char *s, unsigned long long max, const char *prog)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max)
		bad_usage(prog);
	return v;
}

int main(int argc, char **argv)
{
	unsigned int i;
	double seconds;
	int c;

	g.seed = time(NULL);
	g.threads = 4;
	g.ops = 2000;
	g.seconds = 60;
	while ((c = getopt(argc, argv, "s:t:n:d:x:")) != -1) {
		switch (c) {
		case 's':
			g.seed = number(optarg, UINT64_MAX, argv[0]);
			break;
		case 't':
			g.threads = number(optarg, MAX_THREADS, argv[0]);
			break;
		case 'n':
			g.ops = number(optarg, 1UL << 30, argv[0]);
			break;
		case 'd':
			g.seconds = number(optarg, 3600, argv[0]);
			break;
		case 'x':
			if (!exclude(optarg))
				bad_usage(argv[0]);
			break;
		default:
			bad_usage(argv[0]);
		}
	}
	if (optind != argc || !g.threads)
		bad_usage(argv[0]);
	g.page_size = sysconf(_SC_PAGESIZE);
	g.pmd_size = thp_pmd_size();
	g.pmd_pages = g.pmd_size / g.page_size;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%d\n", NR_CHECKS);
	printf("# seed %llu threads %u ops per thread %lu limit %u s; operations:",
	       (unsigned long long)g.seed, g.threads, g.ops, g.seconds);
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		if (ops[i].weight)
			printf(" %s", ops[i].name);
	printf("\n");

	g.fd = open("/dev/thpdev", O_RDWR | O_CLOEXEC);
	g.mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (g.fd < 0 || g.mem < 0) {
		printf("Bail out! open /dev/thpdev or /proc/self/mem: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < NR_SLOTS; i++)
		g.slots[i] = -1;
	/* What the threads need is allocated first: the hole must stay one. */
	for (i = 0; i < g.threads; i++) {
		workers[i].id = i;
		workers[i].rng = g.seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
		workers[i].buf = malloc(2 * g.pmd_size);
		if (!workers[i].buf) {
			printf("Bail out! out of memory\n");
			return 1;
		}
	}
	setup_memory();
	clock_gettime(CLOCK_MONOTONIC, &g.start);
	for (i = 0; i < g.threads; i++)
		pthread_create(&workers[i].tid, NULL, work, &workers[i]);
	for (i = 0; i < g.threads; i++)
		pthread_join(workers[i].tid, NULL);
	seconds = elapsed();
	reap_children();

	check_contexts();
	check_data();
	for (i = 0; i < NR_SLOTS; i++)
		if (g.slots[i] >= 0)
			close(g.slots[i]);
	close(g.fd);
	/* A context closed while its memory could not all come back is torn
	 * down by the module after the last page is free: not at once. */
	for (i = 0; i < 500 && thpdev_memory_left(); i++)
		usleep(10000);
	if (thpdev_memory_left())
		fail(CK_RELEASED, "/proc/iomem still lists thpdev memory 5 s after the last close");

	printf("# ran %.1f s:", seconds);
	for (i = 0; i < NR_COUNTERS; i++)
		printf(" %s %lu", counter_names[i], g.count[i]);
	printf("\n");
	for (i = 0; i < NR_CHECKS; i++)
		printf("%sok %u - %s%s\n", g.failures[i] ? "not " : "", i + 1, check_names[i],
		       i == CK_CHILDREN && !op_weight("fork") ? " # SKIP no forks" : "");
	for (i = 0; i < NR_CHECKS; i++)
		if (g.failures[i])
			return 1;
	return 0;
}
