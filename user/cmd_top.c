// SPDX-License-Identifier: GPL-2.0
/* thpscope top: a refreshing one-screen view of THP activity per
 * interval, for a plain terminal (ANSI only), or one screen with --once. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include "commands.h"
#include "filter.h"
#include "record_opts.h"
#include "runner.h"
#include "session.h"
#include "term.h"
#include "textbuf.h"
#include "timeline.h"
#include "top_screen.h"
#include "util.h"

static const char usage[] =
"usage: thpscope top [-i SECONDS] [--once] [--no-color] [-d SECONDS] [FILTERS]\n"
"                    [-- COMMAND [ARGS...]]\n"
"\n"
"Show THP activity per interval: collapses per order and why they failed,\n"
"splits per order and cause, migrations and their fallbacks, the\n"
"deferred-split queue, device migrations, the busiest processes. q quits.\n"
"\n"
"  -i SECONDS   refresh interval (default 1)\n"
"  --once       print one screen after one interval and exit\n"
"  --no-color   no bold headings (also when stdout is not a terminal or\n"
"               TERM is dumb, where screens follow each other)\n"
"  -d SECONDS   exit after SECONDS\n"
"  -h, --help   this text\n"
FILTER_USAGE
PATHOLOGY_USAGE;

struct top_opts {
	double interval, seconds;
	bool once, no_color;
	struct filter filter;
	char **command;
};

enum { OPT_ONCE = 0x200, OPT_NO_COLOR };

static int parse_args(int argc, char **argv, struct top_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "interval", required_argument, NULL, 'i' },
		{ "duration", required_argument, NULL, 'd' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		FILTER_LONGOPTS,
		PATHOLOGY_LONGOPTS,
		{ 0 }
	};
	int c, err;

	memset(o, 0, sizeof(*o));
	o->interval = 1;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+hi:d:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage, stdout);
			return 1;
		case 'i':
			if (parse_seconds("top", "-i", optarg, INTERVAL_MIN_S, INTERVAL_MAX_S,
					  &o->interval))
				return -1;
			break;
		case 'd':
			if (parse_seconds("top", "-d", optarg, DURATION_MIN_S, DURATION_MAX_S,
					  &o->seconds))
				return -1;
			break;
		case OPT_ONCE:
			o->once = true;
			break;
		case OPT_NO_COLOR:
			o->no_color = true;
			break;
		default:
			err = pathology_option(c, optarg, "top");
			if (err == 1)
				err = filter_option(&o->filter, c, optarg, "top");
			if (err < 0)
				return -1;
			if (err == 0)
				break;
			errorf("top: unknown option '%s' (see thpscope top --help)", argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc)
		o->command = &argv[optind];
	return 0;
}

static bool window_resized(void)
{
	struct timespec zero = { 0 };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	return sigtimedwait(&set, NULL, &zero) == SIGWINCH;
}

static void make_title(char *buf, size_t len, const struct session *s, const struct top_opts *o)
{
	struct textbuf filt = TEXTBUF_INIT;
	struct utsname u;
	time_t t = time(NULL);
	char clock[16];
	struct tm tm;

	uname(&u);
	localtime_r(&t, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	if (o->filter.ntgids)
		textbuf_printf(&filt, "  pid %u%s", o->filter.tgids[0],
			       o->filter.ntgids > 1 ? ",..." : "");
	if (o->filter.by_comm)
		textbuf_printf(&filt, "  comm %s", o->filter.comm);
	if (o->filter.cgroup_id)
		textbuf_printf(&filt, "  cgroup %s", o->filter.cgroup_path);
	snprintf(buf, len, "thpscope top  %s  %zu probes%s  %s", u.release,
		 session_attached(s), textbuf_str(&filt), clock);
	textbuf_free(&filt);
}

static void draw(const struct top_view *v, const struct term *t, bool color)
{
	unsigned int w, h;
	struct screen scr;

	term_size(&w, &h);
	screen_build(&scr, v, t->active ? w : 80, color);
	if (t->ansi) {
		fputs("\033[H", stdout);
		screen_print(&scr, stdout, h, true);
		fputs("\033[J", stdout);
	} else {
		screen_print(&scr, stdout, 0, false);
		putchar('\n');
	}
	fflush(stdout);
	screen_free(&scr);
}

/* What top holds from one point of the session to the next. */
struct top_state {
	const struct top_opts *o;
	struct term term;
	struct top_view v;
	json_t *c_start;
	uint64_t last, next;	/* the interval shown, and the next one's end */
	char title[512];
	bool color, ended;
};

static void top_window_opened(struct session *s, void *ctx)
{
	struct top_state *t = ctx;

	t->color = !t->o->no_color && ansi_terminal();
	t->c_start = session_counters(s);
	t->v.prev = session_sample(s, t->c_start);
	t->last = mono_ns();
	t->next = t->last + (uint64_t)(t->o->interval * 1e9);
}

/* window_resized takes SIGWINCH synchronously. It is blocked only now,
 * once the command started: the command must not find it blocked. */
static int top_started(struct session *s, void *ctx)
{
	struct top_state *t = ctx;
	sigset_t winch;

	sigemptyset(&winch);
	sigaddset(&winch, SIGWINCH);
	sigprocmask(SIG_BLOCK, &winch, NULL);
	if (!t->o->once)
		term_enter(&t->term);
	return 0;
}

static bool top_step(struct session *s, struct runner *run, void *ctx)
{
	struct top_state *t = ctx;
	uint64_t now = mono_ns();
	bool redraw = window_resized() && t->v.cur;

	/* The run's end closes a last, shorter interval. */
	if (now >= t->next || t->ended) {
		if (t->v.cur) {
			json_decref(t->v.prev);
			t->v.prev = t->v.cur;
		}
		t->v.cur = session_sample(s, t->c_start);
		t->v.interval_s = (now - t->last) / 1e9;
		t->last = now;
		t->next = now + (uint64_t)(t->o->interval * 1e9);
		redraw = true;
	}
	if (redraw) {
		make_title(t->title, sizeof(t->title), s, t->o);
		t->v.title = t->title;
		draw(&t->v, &t->term, t->color);
	}
	if ((redraw && (t->o->once || t->ended)) || quit_key(&t->term, 100)) {
		term_leave(&t->term);
		return true;
	}
	t->ended = runner_wait(run, 0);
	return false;
}

int cmd_top(int argc, char **argv)
{
	static const struct session_callbacks cb = {
		.window_opened = top_window_opened,
		.started = top_started,
		.step = top_step,
	};
	struct session_opts so = { 0 };
	struct top_opts o;
	struct top_state t = { .o = &o };
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	so.filter = &o.filter;
	so.command = o.command;
	so.seconds = o.seconds;
	ret = session_run(&so, &cb, &t);
	json_decref(t.v.prev);
	json_decref(t.v.cur);
	json_decref(t.c_start);
	return ret;
}
