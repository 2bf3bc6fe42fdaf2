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

static int migrate(int fd, unsigned long req, char *p, char *mirror)
{
	struct hmm_dmirror_cmd cmd = {
		.addr = (uintptr_t)p, .ptr = (uintptr_t)mirror, .npages = pmd_bytes / page_size,
	};

	return ioctl(fd, req, &cmd);
}

int main(int argc, char **argv)
{
	int fd = open("/dev/hmm_dmirror0", O_RDWR), rounds = argc > 1 ? atoi(argv[1]) : 2000;
	const char *mode = argc > 2 ? argv[2] : "race";
	int go[2];
	char *mirror;
	int r;

	pmd_bytes = pmd_size();
	page_size = sysconf(_SC_PAGESIZE);
	if (!pmd_bytes) {
		fprintf(stderr, "no THP: no hpage_pmd_size\n");
		return 2;
	}
	mirror = malloc(pmd_bytes);
	if (fd < 0 || !mirror) {
		perror("setup");
		return 2;
	}
	for (r = 0; r < rounds; r++) {
		char *raw = mmap(NULL, 2 * pmd_bytes, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		char *p = (char *)(((uintptr_t)raw + pmd_bytes - 1) & ~(pmd_bytes - 1));
		pid_t pid;

		madvise(p, pmd_bytes, MADV_HUGEPAGE);
		memset(p, r, pmd_bytes);
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
		munmap(raw, 2 * pmd_bytes);
	}
	printf("%d rounds\n", rounds);
	return 0;
}
