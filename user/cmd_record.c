// SPDX-License-Identifier: GPL-2.0
/* thpscope record: trace system-wide until a duration ends, a command
 * exits, or SIGINT/SIGTERM; write the record file atomically. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "counters.h"
#include "json_util.h"
#include "record_opts.h"
#include "runner.h"
#include "session.h"
#include "thpconfig.h"
#include "timeline.h"
#include "util.h"

static json_t *kernel_json(const struct kenv *env)
{
	struct utsname u;
	char cmdline[4096] = "";
	long nodes = 0;

	uname(&u);
	read_text("/proc/cmdline", cmdline, sizeof(cmdline));
	for (;;) {
		char path[64];

		snprintf(path, sizeof(path), "/sys/devices/system/node/node%ld", nodes);
		if (!path_exists(path))
			break;
		nodes++;
	}
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:I, s:I}",
			 "release", u.release, "version", u.version,
			 "machine", u.machine, "cmdline", cmdline,
			 "page_size", env->page_size, "pmd_order", env->pmd_order,
			 "nr_cpus", (json_int_t)sysconf(_SC_NPROCESSORS_CONF),
			 "nr_nodes", (json_int_t)nodes);
}

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

int cmd_record(int argc, char **argv)
{
	struct record_opts o;
	struct session_config cfg = { 0 };
	struct timeline tl;
	struct runner run;
	struct session s;
	json_t *rec, *c_start, *c_end;
	uint64_t t0, t1;
	int err, ret;
	char started[32];

	ret = record_parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	/* Before tracing: a record that could not be written is lost. */
	if (output_check("record", o.output))
		return 1;

	runner_init(&run);
	cfg.filter = &o.filter;
	cfg.families = o.families;
	if (session_open(&s, &cfg)) {
		session_close(&s);
		return 1;
	}
	if (!session_attached(&s))
		warnf("no probe attached (see thpscope probes); recording kernel counters only");
	if (!o.quiet)
		fprintf(stderr, "thpscope: %zu probes attached; recording%s\n",
			session_attached(&s), o.command ? "" : " (Ctrl-C to stop)");

	iso_time(started, sizeof(started));
	if (session_window(&s, true)) {
		session_close(&s);
		return 1;
	}
	c_start = counters_snapshot(s.env.page_size);
	t0 = mono_ns();
	if (!runner_start(&run, o.command, o.seconds)) {
		json_decref(c_start);
		session_close(&s);
		return RUNNER_CANNOT_RUN;
	}
	timeline_init(&tl, o.interval, t0, c_start);
	for (;;) {
		uint64_t now = mono_ns();

		if (runner_wait(&run, tl.next > now ? tl.next - now : 0))
			break;
		timeline_tick(&tl, &s, false);
	}
	timeline_tick(&tl, &s, true);
	/* The window's edges sit right next to the /proc/vmstat readings,
	 * which come first in a snapshot. */
	session_window(&s, false);
	c_end = counters_snapshot(s.env.page_size);
	t1 = mono_ns();
	session_detach(&s);
	runner_finish(&run);

	rec = json_object();
	json_object_set_new(rec, "schema", json_string(RECORD_SCHEMA));
	json_object_set_new(rec, "tool", json_pack("{s:s, s:s}", "name", "thpscope",
						   "version", THPSCOPE_VERSION));
	json_object_set_new(rec, "kernel", kernel_json(&s.env));
	json_object_set_new(rec, "start_time", json_string(started));
	json_object_set_new(rec, "duration_ns", json_integer(t1 - t0));
	if (o.command)
		json_object_set_new(rec, "command", command_json(o.command, &run));
	json_object_set_new(rec, "config", config_snapshot(s.env.page_size));
	json_object_set_new(rec, "filter", filter_to_json(&o.filter));
	json_object_set_new(rec, "self", filter_self_to_json(&o.filter));
	json_object_set_new(rec, "timeline", timeline_take(&tl));
	jpath(rec, "collapse");
	jpath(rec, "migration");
	session_harvest(&s, rec);
	json_object_set_new(rec, "counters", counters_delta(c_start, c_end));
	json_decref(c_start);
	json_decref(c_end);
	session_close(&s);

	err = json_write_atomic(rec, o.output);
	if (err) {
		errorf("record: cannot write %s: %s", o.output, strerror(-err));
		json_decref(rec);
		return 1;
	}
	if (!o.quiet) {
		report_print(stdout, rec);
		fprintf(stderr, "thpscope: record written to %s\n", o.output);
	}
	json_decref(rec);
	return o.command ? runner_exit_status(&run) : 0;
}
