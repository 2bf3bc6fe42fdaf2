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

#define PMD (2UL << 20)

int main(void)
{
	int fd = open("/dev/hmm_dmirror0", O_RDWR), go[2], status;
	char *raw = mmap(NULL, 2 * PMD, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p = (char *)(((uintptr_t)raw + PMD - 1) & ~(PMD - 1));
	char *mirror = malloc(PMD);
	struct hmm_dmirror_cmd cmd = { 0 };
	size_t i;
	pid_t pid;

	if (fd < 0 || raw == MAP_FAILED || !mirror || pipe(go)) {
		perror("setup");
		return 2;
	}
	madvise(p, PMD, MADV_HUGEPAGE);
	memset(p, 0x5a, PMD);
	pid = fork();
	if (pid == 0) {
		char c;

		if (read(go[0], &c, 1) != 1)
			_exit(2);
		for (i = 0; i < PMD; i++)
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
	cmd.npages = PMD / 4096;
	printf("parent: migrate to device: %d, %llu pages\n",
	       ioctl(fd, HMM_DMIRROR_MIGRATE_TO_DEV, &cmd), (unsigned long long)cmd.cpages);
	if (write(go[1], "x", 1) != 1)
		return 2;
	waitpid(pid, &status, 0);
	printf("parent: child exited %d\n", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	for (i = 0; i < PMD; i++)
		if (p[i] != 0x5a) {
			printf("parent: byte %zu is 0x%x\n", i, p[i] & 0xff);
			return 1;
		}
	printf("parent: intact\n");
	return 0;
}
