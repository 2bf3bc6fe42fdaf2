// SPDX-License-Identifier: GPL-2.0
/* thpscope record: trace system-wide until a duration ends, a command
 * exits, or SIGINT/SIGTERM; write the record file atomically. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "counters.h"
#include "json_util.h"
#include "kernel_info.h"
#include "record_opts.h"
#include "runner.h"
#include "session.h"
#include "thpconfig.h"
#include "timeline.h"
#include "util.h"

static json_t *command_json(char **argv, const struct runner *r)
{
	json_t *o = json_object(), *args = json_array();

	for (; *argv; argv++)
		json_array_append_new(args, json_string(*argv));
	json_object_set_new(o, "argv", args);
	json_object_set_new(o, "pid", json_integer(r->child));
	if (r->reaped && WIFEXITED(r->wstatus))
		json_object_set_new(o, "exit_status", json_integer(WEXITSTATUS(r->wstatus)));
	if (r->reaped && WIFSIGNALED(r->wstatus))
		json_object_set_new(o, "signal", json_integer(WTERMSIG(r->wstatus)));
	return o;
}

static void iso_time(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* What a recording holds from one point of the session to the next. */
struct recording {
	const struct record_opts *o;
	char started[32];
	json_t *c_start, *c_end;	/* the kernel's counters right after the window's edges */
	json_t *c_open, *c_close;	/* and right before them */
	uint64_t t0, t1;		/* when the readings after the edges ended */
	uint64_t t_open, t_close;	/* when the readings before them began */
	struct timeline tl;
	json_t *rec;			/* once finished */
	int exit_status;
};

static int record_attached(struct session *s, void *ctx)
{
	struct recording *r = ctx;

	if (!session_attached(s))
		warnf("no probe attached (see thpscope probes); recording kernel counters only");
	if (!r->o->quiet)
		fprintf(stderr, "thpscope: %zu probes attached; recording%s\n",
			session_attached(s), r->o->command ? "" : " (Ctrl-C to stop)");
	iso_time(r->started, sizeof(r->started));
	/* The first reading opens the mTHP stat files: taken here, so that
	 * the readings beside the window's edges all cost the same. */
	json_decref(session_counters(s));
	return 0;
}

/*
 * The window's edges sit right next to the /proc/vmstat readings, which
 * come first in a snapshot. A reading right before each edge as well
 * bounds what a stalled edge let through: a thpscope preempted, or a
 * guest's vCPU descheduled by its host, between the edge and the reading
 * after it while another CPU works on.
 */
static void record_window_opening(struct session *s, void *ctx)
{
	struct recording *r = ctx;

	r->t_open = mono_ns();
	r->c_open = session_counters(s);
}

static void record_window_opened(struct session *s, void *ctx)
{
	struct recording *r = ctx;

	r->c_start = session_counters(s);
	r->t0 = mono_ns();
}

static int record_started(struct session *s, void *ctx)
{
	struct recording *r = ctx;

	timeline_init(&r->tl, r->o->interval, r->t0, r->c_start);
	return 0;
}

static bool record_step(struct session *s, struct runner *run, void *ctx)
{
	struct recording *r = ctx;
	uint64_t now = mono_ns();

	if (runner_wait(run, r->tl.next > now ? r->tl.next - now : 0)) {
		timeline_tick(&r->tl, s, true);
		return true;
	}
	timeline_tick(&r->tl, s, false);
	return false;
}

static void record_window_closing(struct session *s, void *ctx)
{
	struct recording *r = ctx;

	r->t_close = mono_ns();
	r->c_close = session_counters(s);
}

static void record_window_closed(struct session *s, void *ctx)
{
	struct recording *r = ctx;

	r->c_end = session_counters(s);
	r->t1 = mono_ns();
}

static json_t *edge_json(uint64_t t_before, uint64_t t_after, json_t *before, json_t *after)
{
	return json_pack("{s:I, s:o}", "ns", (json_int_t)(t_after - t_before),
			 "counters", counters_growth(before, after));
}

/* The keys of the families whose part is in every record, empty when
 * they did not run. */
static void always_recorded(json_t *rec)
{
	const char *const *key;
	size_t i;

	for (i = 0; i < nfamilies; i++) {
		if (!families[i]->always_recorded || !families[i]->record_keys)
			continue;
		for (key = families[i]->record_keys; *key; key++)
			jpath(rec, *key);
	}
}

static void record_finish(struct session *s, const struct runner *run, void *ctx)
{
	struct recording *r = ctx;
	const struct record_opts *o = r->o;
	json_t *rec = r->rec = json_object();

	json_object_set_new(rec, "schema", json_string(RECORD_SCHEMA));
	json_object_set_new(rec, "tool", json_pack("{s:s, s:s}", "name", "thpscope",
						   "version", THPSCOPE_VERSION));
	json_object_set_new(rec, "kernel", kernel_info_json(&s->env));
	json_object_set_new(rec, "start_time", json_string(r->started));
	json_object_set_new(rec, "duration_ns", json_integer(r->t1 - r->t0));
	if (o->command)
		json_object_set_new(rec, "command", command_json(o->command, run));
	json_object_set_new(rec, "config", config_snapshot(s->env.page_size));
	json_object_set_new(rec, "filter", filter_to_json(&o->filter));
	json_object_set_new(rec, "self", filter_self_to_json(&o->filter));
	json_object_set_new(rec, "timeline", timeline_take(&r->tl));
	always_recorded(rec);
	session_harvest(s, rec, false);
	json_object_set_new(rec, "counters", counters_delta(r->c_start, r->c_end));
	json_object_set_new(rec, "window_edges",
			    json_pack("{s:o, s:o}",
				      "open", edge_json(r->t_open, r->t0, r->c_open, r->c_start),
				      "close", edge_json(r->t_close, r->t1, r->c_close, r->c_end)));
	r->exit_status = o->command ? runner_exit_status(run) : 0;
}

int cmd_record(int argc, char **argv)
{
	static const struct session_callbacks cb = {
		.attached = record_attached,
		.window_opening = record_window_opening,
		.window_opened = record_window_opened,
		.started = record_started,
		.step = record_step,
		.window_closing = record_window_closing,
		.window_closed = record_window_closed,
		.finish = record_finish,
	};
	struct record_opts o;
	struct session_opts so = { 0 };
	struct recording r = { .o = &o };
	int err, ret;

	ret = record_parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	/* Before tracing: a record that could not be written is lost. */
	if (output_check("record", o.output))
		return 1;

	so.filter = &o.filter;
	so.families = o.families;
	so.command = o.command;
	so.seconds = o.seconds;
	ret = session_run(&so, &cb, &r);
	json_decref(r.c_start);
	json_decref(r.c_end);
	json_decref(r.c_open);
	json_decref(r.c_close);
	if (ret)
		return ret;

	err = json_write_atomic(r.rec, o.output);
	if (err) {
		errorf("record: cannot write %s: %s", o.output, strerror(-err));
		json_decref(r.rec);
		return 1;
	}
	if (!o.quiet) {
		report_print(stdout, r.rec);
		/* The report whole before the note, also when stdout is a
		 * file or pipe (block-buffered) beside stderr. */
		fflush(stdout);
		fprintf(stderr, "thpscope: record written to %s\n", o.output);
	}
	json_decref(r.rec);
	return r.exit_status;
}
