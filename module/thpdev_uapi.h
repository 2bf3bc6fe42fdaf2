/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * thpdev: a simulated device with device-private memory, to exercise and
 * observe how the kernel migrates transparent huge pages to and from
 * device memory (migrate_vma with MIGRATE_VMA_SELECT_COMPOUND), and how it
 * falls back to splitting them.
 *
 * Every open of /dev/thpdev is one device context bound to the opener's
 * address space. Every ioctl argument starts with a size field holding
 * sizeof() of the structure the caller was built with, and a flags field;
 * unknown flags are rejected with -EINVAL.
 */
#ifndef _UAPI_THPDEV_H
#define _UAPI_THPDEV_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define THPDEV_IOC_MAGIC	0xB7

/**
 * struct thpdev_range - a range of the caller's address space to migrate
 * @size: sizeof(struct thpdev_range)
 * @flags: THPDEV_NO_COMPOUND: collect THPs as base pages (the kernel
 *	splits them); only for %THPDEV_IOC_MIGRATE_TO_DEVICE
 * @addr: page-aligned start
 * @len: page-aligned length, not zero
 * @pages: out: base pages migrated
 * @thps: out: THPs migrated whole
 * @splits: out: THPs split on the way
 */
struct thpdev_range {
	__u32 size;
	__u32 flags;
	__u64 addr;
	__u64 len;
	__u64 pages;
	__u64 thps;
	__u64 splits;
};

#define THPDEV_NO_COMPOUND	(1U << 0)

/**
 * struct thpdev_rw - read or write a range through the device's view
 * @size: sizeof(struct thpdev_rw)
 * @flags: none defined, must be 0
 * @addr: page-aligned start
 * @len: page-aligned length, not zero
 * @buf: user buffer of @len bytes
 * @faults: out: times the device had to fault pages in
 */
struct thpdev_rw {
	__u32 size;
	__u32 flags;
	__u64 addr;
	__u64 len;
	__u64 buf;
	__u64 faults;
};

/**
 * struct thpdev_snapshot - where each page of a range lives, as the
 *	device's page-table walk sees it, one byte per page
 * @size: sizeof(struct thpdev_snapshot)
 * @flags: none defined, must be 0
 * @addr: page-aligned start
 * @len: page-aligned length, not zero
 * @buf: user buffer of @len / page size bytes of THPDEV_SNAP_* bits
 */
struct thpdev_snapshot {
	__u32 size;
	__u32 flags;
	__u64 addr;
	__u64 len;
	__u64 buf;
};

#define THPDEV_SNAP_PRESENT	(1U << 0)	/* mapped */
#define THPDEV_SNAP_DEVICE	(1U << 1)	/* in this device's memory */
#define THPDEV_SNAP_PMD		(1U << 2)	/* mapped by a PMD */
#define THPDEV_SNAP_WRITE	(1U << 3)	/* writable */

/**
 * struct thpdev_faults - bounded fault injection; each count is consumed
 *	by the events it affects and replaces the previous setting
 * @size: sizeof(struct thpdev_faults)
 * @flags: none defined, must be 0
 * @fail_large_alloc: the next N large (PMD-order) device allocations fail,
 *	so the kernel must split the THP on its way to the device
 * @fail_alloc: the next N device allocations of any size fail
 * @refuse_cpu_faults: the next N CPU faults on device memory migrate
 *	nothing; the CPU retries the access
 * @delay_us: a delay added to every migration, in microseconds
 * @fail_ram_thp: the next N PMD-order system allocations for device THPs
 *	migrating back fail: by THPDEV_IOC_MIGRATE_TO_RAM or a CPU fault they
 *	come back as base pages; the eviction after close leaves them in
 *	device memory and tries again later
 */
struct thpdev_faults {
	__u32 size;
	__u32 flags;
	__u32 fail_large_alloc;
	__u32 fail_alloc;
	__u32 refuse_cpu_faults;
	__u32 delay_us;
	__u32 fail_ram_thp;
};

/* The mmu_notifier_event values, as indices of thpdev_stats.invalidations. */
#define THPDEV_NR_EVENTS	8

/**
 * struct thpdev_stats - the context's counters since open (or last reset)
 * @size: sizeof(struct thpdev_stats)
 * @flags: THPDEV_STATS_RESET: zero the counters after reading them
 * @pages_to_device: base pages migrated to device memory
 * @thp_to_device: THPs migrated to device memory whole
 * @pages_to_ram: base pages migrated back to system memory
 * @thp_to_ram: THPs migrated back whole
 * @split_collect: THPs the kernel split while collecting them (compound
 *	collection not requested, or a range not covering the whole THP)
 * @split_alloc: THPs split because a large device allocation failed:
 *	unmapped during the migration or, when the THP is not shown to be
 *	the caller's alone, while collecting it again
 * @split_to_ram: device THPs split on the way back because a large system
 *	allocation failed, the same two ways (a CPU fault's split, which the
 *	kernel makes at the next fault, is not counted)
 * @cpu_faults: CPU faults on device memory answered with a migration
 *	(which may have moved nothing: the access then faults again)
 * @cpu_faults_refused: CPU faults refused by fault injection
 * @alloc_failures: device allocations that failed, of any size
 * @device_folios_split: large device folios the kernel split
 * @chunks: device memory chunks added
 * @device_pages: device pages in use now
 * @exclusive_pages: pages made device-exclusive
 * @invalidations: mmu notifier invalidations, by enum mmu_notifier_event
 */
struct thpdev_stats {
	__u32 size;
	__u32 flags;
	__u64 pages_to_device;
	__u64 thp_to_device;
	__u64 pages_to_ram;
	__u64 thp_to_ram;
	__u64 split_collect;
	__u64 split_alloc;
	__u64 split_to_ram;
	__u64 cpu_faults;
	__u64 cpu_faults_refused;
	__u64 alloc_failures;
	__u64 device_folios_split;
	__u64 chunks;
	__u64 device_pages;
	__u64 exclusive_pages;
	__u64 invalidations[THPDEV_NR_EVENTS];
};

#define THPDEV_STATS_RESET	(1U << 0)

#define THPDEV_IOC_MIGRATE_TO_DEVICE	_IO(THPDEV_IOC_MAGIC, 1)
#define THPDEV_IOC_MIGRATE_TO_RAM	_IO(THPDEV_IOC_MAGIC, 2)
#define THPDEV_IOC_READ			_IO(THPDEV_IOC_MAGIC, 3)
#define THPDEV_IOC_WRITE		_IO(THPDEV_IOC_MAGIC, 4)
#define THPDEV_IOC_SNAPSHOT		_IO(THPDEV_IOC_MAGIC, 5)
#define THPDEV_IOC_EXCLUSIVE		_IO(THPDEV_IOC_MAGIC, 6)
#define THPDEV_IOC_FAULTS		_IO(THPDEV_IOC_MAGIC, 7)
#define THPDEV_IOC_STATS		_IO(THPDEV_IOC_MAGIC, 8)

#endif /* _UAPI_THPDEV_H */
