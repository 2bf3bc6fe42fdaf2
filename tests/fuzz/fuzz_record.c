// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness of the record reader and everything that consumes a
 * record: the input, as a record file, through report, report --json,
 * report --openmetrics, the report page, diff both ways against a fixed record (text and --json,
 * which flatten both into metrics) and the diff page. What the reader
 * refuses must stop at the reader, with one line, as in the CLI.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "commands.h"
#include "diff.h"
#include "html.h"
#include "json_util.h"

/* The other side of every diff: a little of each family. */
static const char other_record[] =
	"{\"schema\": \"thpscope-record/1\", \"duration_ns\": 2000000000,"
	" \"kernel\": {\"release\": \"6.12.0\", \"pmd_order\": 9},"
	" \"command\": {\"argv\": [\"thpload\", \"mixed\"], \"exit_status\": 0},"
	" \"config\": {\"enabled\": \"always\", \"khugepaged\": {\"max_ptes_none\": 511}},"
	" \"probes\": {\"collapse:mm_collapse_huge_page\": {\"attached\": true,"
	"  \"mechanism\": \"tracepoint\", \"why\": null, \"misses\": 0},"
	"  \"migrate:mm_migrate_pages\": {\"attached\": true, \"mechanism\": \"tracepoint\"}},"
	" \"collapse\": {\"by_order\": {\"9\": {\"succeed\": 4, \"alloc_huge_page_fail\": 1}},"
	"  \"latency\": {\"9\": {\"unit\": \"ns\", \"count\": 2, \"sum\": 30000, \"buckets\":"
	"   [{\"lo\": 8192, \"hi\": 16384, \"count\": 2}]}}},"
	" \"split\": {\"by_order\": {\"9\": {\"ok\": 2, \"failed\": 1, \"cause\": {\"shrinker\": 3}}}},"
	" \"migration\": {\"by_reason\": {\"compaction\": {\"calls\": 3, \"thp_split\": 1}}},"
	" \"deferred\": {\"by_order\": {\"9\": {\"enqueued\": 5}}},"
	" \"counters\": {\"vmstat\": {\"thp_fault_alloc\": 7,"
	"  \"nr_anon_transparent_hugepages\": {\"start\": 1, \"end\": 3}},"
	"  \"mthp\": {\"4\": {\"size_kb\": 64, \"anon_fault_alloc\": 2}}},"
	" \"timeline\": {\"interval_ns\": 1000000000, \"t_ns\": [1000000000, 2000000000],"
	"  \"series\": {\"collapse.attempts\": [2, 3], \"deferred.depth\": [1, 0]}}}";

static char input_path[64], other_path[64];

/* A file only this process sees, named by a path the CLI can open. */
static int memfile(const char *name, char *path, size_t len)
{
	int fd = memfd_create(name, MFD_CLOEXEC);

	if (fd < 0)
		abort();
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

static int input_fd;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = memfile("other", other_path, sizeof(other_path));

	if (write(fd, other_record, strlen(other_record)) != (ssize_t)strlen(other_record))
		abort();
	input_fd = memfile("input", input_path, sizeof(input_path));
	/* The reports themselves are not looked at, only how they are made. */
	if (!freopen("/dev/null", "w", stdout))
		abort();
	return 0;
}

/* CMD with ARGV (NULL-terminated), as main calls it. */
static void run(int (*cmd)(int, char **), char **argv)
{
	int argc = 0;

	while (argv[argc])
		argc++;
	cmd(argc, argv);
	fflush(stdout);
}

/* The pages, which the CLI writes to files, written to memory. */
static void pages(void)
{
	struct run_set in = { 0 }, other = { 0 };
	struct diff_opts o = { .threshold = 0.10, .alpha = 0.05, .min_change = 2 };
	struct diff d;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	if (runs_load(input_path, &in))
		return;
	if (runs_load(other_path, &other) || !(f = open_memstream(&buf, &len)))
		abort();
	html_print_report(f, in.recs[0]);
	if (!diff_compute(&in, &other, &o, &d))
		html_print_diff(f, &d, &in, &other);
	diff_free(&d);
	if (!diff_compute(&other, &in, &o, &d))
		html_print_diff(f, &d, &other, &in);
	diff_free(&d);
	fclose(f);
	free(buf);
	runs_free(&in);
	runs_free(&other);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (ftruncate(input_fd, 0) || pwrite(input_fd, data, size, 0) != (ssize_t)size)
		abort();
	run(cmd_report, (char *[]){ "report", input_path, NULL });
	run(cmd_report, (char *[]){ "report", "--json", input_path, NULL });
	run(cmd_report, (char *[]){ "report", "--openmetrics", input_path, NULL });
	run(cmd_diff, (char *[]){ "diff", input_path, other_path, NULL });
	run(cmd_diff, (char *[]){ "diff", other_path, input_path, NULL });
	run(cmd_diff, (char *[]){ "diff", "--json", input_path, other_path, NULL });
	pages();
	return 0;
}
