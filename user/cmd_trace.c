// SPDX-License-Identifier: GPL-2.0
/* thpscope trace: one line per event, streamed through the shared ring
 * buffer, as text or JSON Lines; events the ring had no room for are
 * counted and reported at the end. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "../bpf/trace.h"
#include "commands.h"
#include "event_decode.h"
#include "filter.h"
#include "record_opts.h"
#include "runner.h"
#include "session.h"
#include "session_family.h"
#include "util.h"

#define DEFAULT_RING_KB 8192

static const char usage[] =
"usage: thpscope trace [--json] [-e FAMILY]... [-d SECONDS] [--ring-kb N]\n"
"                      [FILTERS] [-- COMMAND [ARGS...]]\n"
"\n"
"Print one line per THP event as it happens: timestamp, CPU, process,\n"
"event and its decoded fields. Stops like record: after SECONDS, when\n"
"COMMAND exits, or on SIGINT, SIGTERM or SIGHUP (COMMAND is stopped as\n"
"record stops it); then says how many events the ring buffer had no\n"
"room for.\n"
"\n"
"  --json         JSON Lines; the last line is {\"event\": \"summary\", ...}\n"
"  -e FAMILY      only this family's events (repeatable), one of:\n"
"%s"
"  -d SECONDS     stop after SECONDS\n"
"  --ring-kb N    ring buffer size, kB, rounded up to a power of two\n"
"                 (default %d)\n"
"  -h, --help     this text\n"
FILTER_USAGE
PATHOLOGY_USAGE;

struct trace_opts {
	bool json;
	unsigned int families;
	double seconds;
	unsigned int ring_kb;
	struct filter filter;
	char **command;
};

struct trace_state {
	const struct trace_opts *o;
	const struct kenv *env;
	struct ring_buffer *rb;
	uint64_t t0;
	uint64_t printed;
	struct event_tally tally;
	int exit_status;
};

enum { OPT_JSON = 0x200, OPT_RING };

static int parse_args(int argc, char **argv, struct trace_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "family", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ring-kb", required_argument, NULL, OPT_RING },
		FILTER_LONGOPTS,
		PATHOLOGY_LONGOPTS,
		{ 0 }
	};
	int c, err;

	memset(o, 0, sizeof(*o));
	o->ring_kb = DEFAULT_RING_KB;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+he:d:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf(usage, session_family_help(17), DEFAULT_RING_KB);
			return 1;
		case OPT_JSON:
			o->json = true;
			break;
		case 'e':
			if (session_family_option("trace", optarg, &o->families))
				return -1;
			break;
		case 'd':
			if (parse_seconds("trace", "-d", optarg, DURATION_MIN_S, DURATION_MAX_S,
					  &o->seconds))
				return -1;
			break;
		case OPT_RING:
			if (parse_uint("trace", "--ring-kb", optarg, 4, 1048576, &o->ring_kb))
				return -1;
			break;
		default:
			err = pathology_option(c, optarg, "trace");
			if (err == 1)
				err = filter_option(&o->filter, c, optarg, "trace");
			if (err < 0)
				return -1;
			if (err == 0)
				break;
			errorf("trace: unknown option '%s' (see thpscope trace --help)",
			       argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		o->command = &argv[optind];
	return 0;
}

/* "key=value" for every decoded field after the common ones. */
static void print_text(struct trace_state *st, json_t *ev)
{
	static const char *const common[] = {
		"ts_ns", "cpu", "pid", "tid", "comm", "family", "event",
	};
	const char *k;
	json_t *v;
	size_t i;

	printf("%12.6f %3lld %7lld %-15s %-14s",
	       (json_integer_value(json_object_get(ev, "ts_ns")) - st->t0) / 1e9,
	       json_integer_value(json_object_get(ev, "cpu")),
	       json_integer_value(json_object_get(ev, "pid")),
	       json_string_value(json_object_get(ev, "comm")),
	       json_string_value(json_object_get(ev, "event")));
	json_object_foreach(ev, k, v) {
		for (i = 0; i < ARRAY_SIZE(common); i++)
			if (!strcmp(k, common[i]))
				break;
		if (i < ARRAY_SIZE(common))
			continue;
		if (json_is_string(v))
			printf(" %s=%s", k, json_string_value(v));
		else if (json_is_boolean(v))
			printf(" %s=%s", k, json_is_true(v) ? "yes" : "no");
		else
			printf(" %s=%lld", k, json_integer_value(v));
	}
	putchar('\n');
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct trace_state *st = ctx;
	const struct thp_event *e = data;
	json_t *ev;

	if (size < sizeof(*e))
		return 0;
	ev = event_to_json(e, st->env);
	if (st->o->json) {
		json_dumpf(ev, stdout, JSON_COMPACT);
		putchar('\n');
	} else {
		print_text(st, ev);
	}
	json_decref(ev);
	st->printed++;
	event_tally_add(&st->tally, e);
	return 0;
}

static void print_summary(const struct trace_state *st, uint64_t lost)
{
	json_t *kinds = event_tally_json(&st->tally);
	if (st->o->json) {
		json_t *sum = json_pack("{s:s, s:I, s:I, s:o}", "event", "summary",
					"emitted", (json_int_t)st->printed, "lost",
					(json_int_t)lost, "by_event", kinds);

		json_dumpf(sum, stdout, JSON_COMPACT);
		putchar('\n');
		json_decref(sum);
	} else {
		json_decref(kinds);
	}
	fflush(stdout);
	fprintf(stderr, "thpscope: %llu events, %llu lost (ring buffer full)\n",
		(unsigned long long)st->printed, (unsigned long long)lost);
}

static int trace_attached(struct session *s, void *ctx)
{
	struct trace_state *st = ctx;

	st->env = &s->env;
	st->rb = ring_buffer__new(s->ring_fd, on_event, st, NULL);
	if (!st->rb) {
		errorf("trace: cannot read the event ring buffer: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static void trace_window_opened(struct session *s, void *ctx)
{
	struct trace_state *st = ctx;

	st->t0 = mono_ns();
}

static int trace_started(struct session *s, void *ctx)
{
	struct trace_state *st = ctx;

	if (!session_attached(s))
		warnf("no probe attached (see thpscope probes); nothing to trace");
	fprintf(stderr, "thpscope: %zu probes attached; tracing%s\n", session_attached(s),
		st->o->command ? "" : " (Ctrl-C to stop)");
	return 0;
}

static bool trace_step(struct session *s, struct runner *run, void *ctx)
{
	struct trace_state *st = ctx;

	if (runner_wait(run, 0))
		return true;
	return ring_buffer__poll(st->rb, 100) < 0 && errno != EINTR;
}

static void trace_finish(struct session *s, const struct runner *run, void *ctx)
{
	struct trace_state *st = ctx;

	ring_buffer__consume(st->rb);
	print_summary(st, session_lost(s));
	st->exit_status = st->o->command ? runner_exit_status(run) : 0;
}

int cmd_trace(int argc, char **argv)
{
	static const struct session_callbacks cb = {
		.attached = trace_attached,
		.window_opened = trace_window_opened,
		.started = trace_started,
		.step = trace_step,
		.finish = trace_finish,
	};
	struct session_opts so = { 0 };
	struct trace_opts o;
	struct trace_state st = { .o = &o };
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	so.filter = &o.filter;
	so.families = o.families;
	so.ring_bytes = (size_t)o.ring_kb << 10;
	so.command = o.command;
	so.seconds = o.seconds;
	ret = session_run(&so, &cb, &st);
	ring_buffer__free(st.rb);
	return ret ? ret : st.exit_status;
}
