// SPDX-License-Identifier: GPL-2.0
/*
 * Bug 1 of docs/kernel-bugs.md with the kernel's own lib/test_hmm.c: a THP
 * shared with a forked child is migrated to device memory while the
 * device's large allocation fails, so that test_hmm offers base pages and
 * the kernel splits the THP unmapped, splitting the parent's PMD alone;
 * the child's PMD migration entry then maps an order-0 page by PMD (7.2.13:
 * an Oops in folio_add_anon_rmap_pmd() from remove_migration_pmd()). On a
 * kernel without the bug both processes report their copy intact.
 * Build with -I for test_hmm_uapi.h (lib/ of the kernel's source).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "test_hmm_uapi.h"

static unsigned long pmd_bytes, page_size;

/* The running kernel's PMD size, which a THP of PMD order spans; 0 if
 * it has no THP. */
static unsigned long pmd_size(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", "r");
	unsigned long n = 0;

	if (f) {
		if (fscanf(f, "%lu", &n) != 1)
			n = 0;
		fclose(f);
	}
	return n;
}

int main(void)
{
	int fd = open("/dev/hmm_dmirror0", O_RDWR), go[2], status;
	struct hmm_dmirror_cmd cmd = { 0 };
	char *raw, *p, *mirror;
	size_t i;
	pid_t pid;

	pmd_bytes = pmd_size();
	page_size = sysconf(_SC_PAGESIZE);
	if (!pmd_bytes) {
		fprintf(stderr, "no THP: no hpage_pmd_size\n");
		return 2;
	}
	raw = mmap(NULL, 2 * pmd_bytes, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p = (char *)(((uintptr_t)raw + pmd_bytes - 1) & ~(pmd_bytes - 1));
	mirror = malloc(pmd_bytes);
	if (fd < 0 || raw == MAP_FAILED || !mirror || pipe(go)) {
		perror("setup");
		return 2;
	}
	madvise(p, pmd_bytes, MADV_HUGEPAGE);
	memset(p, 0x5a, pmd_bytes);
	pid = fork();
	if (pid == 0) {
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < pmd_bytes; i++)
			if (p[i] != 0x5a) {
				printf("child: byte %zu is 0x%x\n", i, p[i] & 0xff);
				_exit(1);
			}
		printf("child: its copy is intact\n");
		_exit(0);
	}
	cmd.npages = HMM_DMIRROR_FLAG_FAIL_ALLOC;
	if (ioctl(fd, HMM_DMIRROR_FLAGS, &cmd))
		perror("HMM_DMIRROR_FLAGS");
	memset(&cmd, 0, sizeof(cmd));
	cmd.addr = (uintptr_t)p;
	cmd.ptr = (uintptr_t)mirror;
	cmd.npages = pmd_bytes / page_size;
	printf("parent: migrate to device: %d, %llu pages\n",
	       ioctl(fd, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd), (unsigned long long)cmd.cpages);
	if (write(go[1], "x", 1) != 1)
		return 2;
	waitpid(pid, &status, 0);
	printf("parent: child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	for (i = 0; i < pmd_bytes; i++)
		if (p[i] != 0x5a) {
			printf("parent: byte %zu is 0x%x\n", i, p[i] & 0xff);
			return 1;
		}
	printf("parent: intact\n");
	return 0;
}
