// SPDX-License-Identifier: GPL-2.0
/*
 * scrape: time scrapes of thpscope serve, as a Prometheus server would
 * make them, for scripts/bench.
 *
 *   scrape [-n COUNT] [-i MS] [-a ACCEPT] [-w PID [-s STEP]] ADDR:PORT [PATH]
 *
 * Makes COUNT (default 1000) requests GET PATH (default /metrics), each
 * on a new connection: connect, send the request, read the answer until
 * the server closes. A scrape is timed from before the connect to the
 * close (CLOCK_MONOTONIC). With -i a scrape starts every MS milliseconds
 * (as a scrape interval) and the run lasts COUNT intervals, else each
 * starts right after the one before. Prints
 *
 *   latency COUNT P50_NS P99_NS MAX_NS BYTES
 *
 * (BYTES: the last answer's body) and with -w, before the first scrape,
 * after every STEP (default 1000) scrapes and after the last, the memory
 * of process PID:
 *
 *   rss SCRAPES VMRSS_KB VMHWM_KB
 *
 * Any answer but a whole 200 with a body, or one slower than 10 s, is an
 * error: every scrape must be answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "stats.h"
#include "util.h"

#define USAGE "usage: scrape [-n COUNT] [-i MS] [-a ACCEPT] [-w PID [-s STEP]] ADDR:PORT [PATH]"
#define MAX_COUNT	10000000
/* Far beyond any exposition; a server sending more is broken. */
#define MAX_ANSWER	(64 << 20)
#define TIMEOUT_S	10

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "scrape: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t number(const char *s, const char *opt, uint64_t lo, uint64_t hi)
{
	uint64_t v;

	if (!parse_u64(s, &v) || v < lo || v > hi) {
		fprintf(stderr, "scrape: %s wants a whole number from %lu to %lu, not '%s'\n",
			opt, (unsigned long)lo, (unsigned long)hi, s);
		exit(1);
	}
	return v;
}

struct target {
	struct sockaddr_storage sa;
	socklen_t len;
};

/* ADDR:PORT or [ADDR6]:PORT, numeric (no resolver: the tool is also
 * linked statically). */
static void parse_target(const char *arg, struct target *t)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)&t->sa;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&t->sa;
	const char *colon = strrchr(arg, ':');
	uint64_t port;
	char host[64];
	size_t len;

	if (!colon || !parse_u64(colon + 1, &port) || !port || port > 65535)
		die("'%s' is not ADDR:PORT", arg);
	len = colon - arg;
	if (!len || len >= sizeof(host))
		die("'%s' is not ADDR:PORT", arg);
	memcpy(host, arg, len);
	host[len] = 0;
	memset(t, 0, sizeof(*t));
	if (len > 2 && host[0] == '[' && host[len - 1] == ']') {
		host[len - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			die("'%s' is not a numeric address and port", arg);
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		t->len = sizeof(*in6);
	} else {
		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			die("'%s' is not a numeric address and port", arg);
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		t->len = sizeof(*in4);
	}
}

/* Process PID's VmRSS and VmHWM in kB. */
static void memory_of(unsigned long pid, unsigned long *rss, unsigned long *hwm)
{
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%lu/status", pid);
	f = fopen(path, "r");
	if (!f)
		die("%s: the server is gone", path);
	*rss = *hwm = 0;
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %lu kB", rss);
		sscanf(line, "VmHWM: %lu kB", hwm);
	}
	fclose(f);
	if (!*rss || !*hwm)
		die("%s: no VmRSS or VmHWM", path);
}

struct answer {
	char *buf;
	size_t len, cap;
};

/* One scrape: REQUEST to T, the whole answer into A; its body's length. */
static size_t scrape_once(const struct target *t, const char *request, struct answer *a)
{
	const struct timeval timeout = { .tv_sec = TIMEOUT_S };
	size_t sent = 0, want = strlen(request);
	const char *body;
	ssize_t n;
	int fd;

	fd = socket(t->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	/* SO_SNDTIMEO bounds the connect too. */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	if (connect(fd, (const struct sockaddr *)&t->sa, t->len))
		die("connect: %s", strerror(errno));
	while (sent < want) {
		n = send(fd, request + sent, want - sent, MSG_NOSIGNAL);
		if (n <= 0)
			die("send: %s", n ? strerror(errno) : "nothing sent");
		sent += n;
	}
	a->len = 0;
	for (;;) {
		if (a->cap - a->len < 65536) {
			if (a->cap >= MAX_ANSWER)
				die("the answer is larger than %s", "64 MiB");
			a->cap = a->cap ? 2 * a->cap : 1 << 20;
			a->buf = realloc(a->buf, a->cap + 1);
			if (!a->buf)
				die("%s", "out of memory");
		}
		n = recv(fd, a->buf + a->len, a->cap - a->len, 0);
		if (n < 0)
			die("recv: %s", errno == EAGAIN ? "no answer within 10 s" : strerror(errno));
		if (!n)
			break;
		a->len += n;
	}
	close(fd);
	a->buf[a->len] = 0;
	if (!a->len)
		die("%s", "no answer: the server closed the connection");
	if (strncmp(a->buf, "HTTP/1.", 7) || strncmp(a->buf + 8, " 200 ", 5)) {
		a->buf[strcspn(a->buf, "\r\n")] = 0;
		die("the answer is not 200 OK: '%s'", a->buf);
	}
	body = strstr(a->buf, "\r\n\r\n");
	if (!body || !body[4])
		die("%s", "the answer has no body");
	return a->len - (body + 4 - a->buf);
}

int main(int argc, char **argv)
{
	uint64_t count = 1000, interval_ms = 0, step = 1000, i, start;
	const char *accept = "text/plain", *path = "/metrics";
	unsigned long pid = 0, rss, hwm;
	struct answer a = { 0 };
	char request[512];
	struct target target;
	struct timespec next;
	size_t bytes = 0;
	double *ns, p50;
	int o;

	while ((o = getopt(argc, argv, "n:i:a:w:s:")) != -1) {
		switch (o) {
		case 'n': count = number(optarg, "-n", 1, MAX_COUNT); break;
		case 'i': interval_ms = number(optarg, "-i", 1, 3600000); break;
		case 'a': accept = optarg; break;
		case 'w': pid = number(optarg, "-w", 1, 1 << 30); break;
		case 's': step = number(optarg, "-s", 1, MAX_COUNT); break;
		default: die("%s", USAGE);
		}
	}
	if (argc - optind < 1 || argc - optind > 2)
		die("%s", USAGE);
	if (argc - optind == 2)
		path = argv[optind + 1];
	if (path[0] != '/' || strpbrk(path, " \r\n") || strpbrk(accept, "\r\n"))
		die("%s", "PATH must start with / and hold no blank; ACCEPT no line break");
	parse_target(argv[optind], &target);
	if (snprintf(request, sizeof(request),
		     "GET %s HTTP/1.1\r\nHost: %s\r\nAccept: %s\r\nConnection: close\r\n\r\n",
		     path, argv[optind], accept) >= (int)sizeof(request))
		die("%s", "PATH, ADDR:PORT and ACCEPT are too long");
	ns = malloc(count * sizeof(*ns));
	if (!ns)
		die("%s", "out of memory");

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (i = 0; i < count; i++) {
		if (pid && i % step == 0) {
			memory_of(pid, &rss, &hwm);
			printf("rss %lu %lu %lu\n", (unsigned long)i, rss, hwm);
		}
		if (interval_ms) {
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
			next.tv_nsec += interval_ms % 1000 * 1000000;
			next.tv_sec += interval_ms / 1000 + next.tv_nsec / 1000000000;
			next.tv_nsec %= 1000000000;
		}
		start = mono_ns();
		bytes = scrape_once(&target, request, &a);
		ns[i] = mono_ns() - start;
	}
	if (interval_ms)
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
	if (pid) {
		memory_of(pid, &rss, &hwm);
		printf("rss %lu %lu %lu\n", (unsigned long)count, rss, hwm);
	}
	/* median_of sorts: the other quantiles are read off in place. */
	p50 = median_of(ns, count);
	printf("latency %lu %.0f %.0f %.0f %zu\n", (unsigned long)count, p50,
	       ns[(count * 99 + 99) / 100 - 1], ns[count - 1], bytes);
	free(a.buf);
	free(ns);
	return 0;
}
