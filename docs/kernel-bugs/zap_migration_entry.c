// SPDX-License-Identifier: GPL-2.0
/*
 * Bug 2 of docs/kernel-bugs.md with the kernel's own lib/test_hmm.c: a
 * device THP shared with a forked child is migrated back to system memory
 * while the child exits, so that the child's zap may meet the PMD
 * migration entry the migration put there (zap_huge_pmd() then drops a
 * reference and an rmap the entry never held). A race: it loops.
 *   zap_migration_entry [ROUNDS [race|late|nofork]]
 * "late" lets the child exit only once the migration is over, "nofork"
 * has no child: the controls, which must run clean.
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

static int migrate(int fd, unsigned long req, char *p, char *mirror)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)p, .ptr = (uintptr_t)mirror, .npages = PMD / 4096,
	};

	return ioctl(fd, req, &cmd);
}

int main(int argc, char **argv)
{
	int fd = open("/dev/hmm_dmirror0", O_RDWR), rounds = argc > 1 ? atoi(argv[1]) : 2000;
	const char *mode = argc > 2 ? argv[2] : "race";
	int go[2];
	char *mirror = malloc(PMD);
	int r;

	if (fd < 0 || !mirror) {
		perror("setup");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		char *raw = mmap(NULL, 2 * PMD, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *p = (char *)(((uintptr_t)raw + PMD - 1) & ~(PMD - 1));
		pid_t pid;

		madvise(p, PMD, MADV_HUGEPAGE);
		memset(p, r, PMD);
		if (migrate(fd, HMM_DMIRROR_MIGRATE_TO_DEV, p, mirror))
			perror("to device");
		pid = -1;
		if (strcmp(mode, "nofork") && pipe(go) == 0) {
			pid = fork();
			if (pid == 0) {
				char c;

				if (!strcmp(mode, "late") && read(go[0], &c, 1) != 1)
					_exit(2);
				usleep(r % 200);
				_exit(0);
			}
		}
		usleep(r % 150);
		if (migrate(fd, HMM_DMIRROR_MIGRATE_TO_SYS, p, mirror))
			perror("to system");
		if (pid > 0) {
			if (write(go[1], "x", 1) != 1)
				perror("write");
			waitpid(pid, NULL, 0);
			close(go[0]);
			close(go[1]);
		}
		munmap(raw, 2 * PMD);
	}
	printf("%d rounds\n", rounds);
	return 0;
}
