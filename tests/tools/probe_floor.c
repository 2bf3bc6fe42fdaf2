// SPDX-License-Identifier: GPL-2.0
/*
 * probe_floor: attach probe_floor.bpf.c's empty and counting programs to
 * every one of their tracepoints this kernel has, say how many on stdout,
 * and hold them until SIGINT or SIGTERM. A tracepoint the kernel lacks is
 * named on stderr and skipped. Needs root.
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "probe_floor.skel.h"

#define MAX_LINKS 64

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = sig;
}

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct probe_floor_bpf *skel;
	struct bpf_link *links[MAX_LINKS];
	struct bpf_program *prog;
	unsigned int attached = 0, total = 0, i;
	sigset_t block, old;

	if (argc != 1) {
		fprintf(stderr, "usage: probe_floor (holds its programs until SIGINT or SIGTERM)\n");
		return 2;
	}
	libbpf_set_print(quiet);
	skel = probe_floor_bpf__open_and_load();
	if (!skel) {
		perror("probe_floor: cannot load its programs");
		return 1;
	}
	/* Signals only while waiting for them, so none is lost in between. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *link = total++ < MAX_LINKS ? bpf_program__attach(prog) : NULL;

		if (libbpf_get_error(link) || !link)
			fprintf(stderr, "probe_floor: %s: not attached (no such tracepoint?)\n",
				bpf_program__section_name(prog));
		else
			links[attached++] = link;
	}
	printf("attached %u of %u\n", attached, total);
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	for (i = 0; i < attached; i++)
		bpf_link__destroy(links[i]);
	probe_floor_bpf__destroy(skel);
	return attached ? 0 : 1;
}
