// SPDX-License-Identifier: GPL-2.0
/* thpscope serve: attach once, then answer every scrape with what the
 * families' maps and the kernel's counters hold at that moment, as
 * Prometheus or OpenMetrics metrics. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "commands.h"
#include "counters.h"
#include "exposition.h"
#include "filter.h"
#include "kernel_info.h"
#include "serve_http.h"
#include "session.h"
#include "session_family.h"
#include "util.h"

static const char usage[] =
"usage: thpscope serve [--listen ADDR:PORT] [-e FAMILY]... [-d SECONDS] [FILTERS]\n"
"\n"
"Attach the probes once and serve their figures, with the kernel's own THP\n"
"counters (/proc/vmstat and every per-size mTHP stat), as Prometheus\n"
"metrics: GET /metrics in the text format 0.0.4, or OpenMetrics 1.0 when\n"
"the scraper's Accept header prefers it; GET / a page that says so. Every\n"
"counter counts from the start of serve. Runs until SIGINT, SIGTERM or\n"
"SIGHUP (or -d), then detaches every probe. The metrics are listed in\n"
"docs/metrics.md.\n"
"\n"
"  --listen ADDR:PORT  where to listen (default " SERVE_DEFAULT_LISTEN ", this\n"
"                      host only); [ADDR6]:PORT for IPv6, :PORT for every\n"
"                      address\n"
"  -e FAMILY           only this probe family (repeatable), one of:\n"
"%s"
"  -d SECONDS          stop after SECONDS\n"
"  -h, --help          this text\n"
FILTER_USAGE;

struct serve_opts {
	const char *listen;
	double seconds;
	unsigned int families;
	struct filter filter;
};

enum { OPT_LISTEN = 0x300 };

static int parse_args(int argc, char **argv, struct serve_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "family", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		FILTER_LONGOPTS,
		{ 0 }
	};
	int c, err;

	memset(o, 0, sizeof(*o));
	o->listen = SERVE_DEFAULT_LISTEN;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+he:d:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf(usage, session_family_help(22));
			return 1;
		case OPT_LISTEN:
			o->listen = optarg;
			break;
		case 'e':
			if (session_family_option("serve", optarg, &o->families))
				return -1;
			break;
		case 'd':
			if (parse_seconds("serve", "-d", optarg, DURATION_MIN_S, DURATION_MAX_S,
					  &o->seconds))
				return -1;
			break;
		default:
			err = filter_option(&o->filter, c, optarg, "serve");
			if (err < 0)
				return -1;
			if (err == 0)
				break;
			errorf("serve: unknown option '%s' (see thpscope serve --help)",
			       argv[optind - 1]);
			return -1;
		}
	}
	if (optind < argc) {
		errorf("serve: unexpected argument '%s' (serve runs no command)", argv[optind]);
		return -1;
	}
	return 0;
}

struct serving {
	const struct serve_opts *o;
	struct session *s;
	int listen_fd;
	struct serve_http *http;
	json_t *kernel;
	char landing[1024];
};

/* One scrape: the maps as they are now, the kernel's counters beside. */
static bool render(void *ctx, enum expo_format f, struct textbuf *out)
{
	struct serving *sv = ctx;
	json_t *rec = json_object();
	struct expo *x = expo_new();
	bool ok = rec && x;

	if (ok) {
		json_object_set(rec, "kernel", sv->kernel);
		session_harvest(sv->s, rec);
		json_object_set_new(rec, "counters", counters_snapshot(sv->s->env.page_size));
		expo_record(x, rec);
		ok = expo_write(x, f, out);
	}
	expo_free(x);
	json_decref(rec);
	return ok;
}

static int serve_attached(struct session *s, void *ctx)
{
	struct serving *sv = ctx;

	sv->s = s;
	sv->kernel = kernel_info_json(&s->env);
	snprintf(sv->landing, sizeof(sv->landing),
		 "<!DOCTYPE html>\n<html><head><title>thpscope</title></head><body>\n"
		 "<h1>thpscope %s</h1>\n<p>Transparent huge pages on this host, as Prometheus "
		 "metrics: <a href=\"/metrics\">/metrics</a>.</p>\n<p>%zu probes attached.</p>\n"
		 "</body></html>\n", THPSCOPE_VERSION, session_attached(s));
	if (!session_attached(s))
		warnf("no probe attached (see thpscope probes); serving kernel counters only");
	sv->http = serve_http_start(sv->listen_fd, render, sv, sv->landing);
	sv->listen_fd = -1;
	if (!sv->http)
		return 1;
	fprintf(stderr, "thpscope: %zu probes attached; serving http://%s/metrics\n",
		session_attached(s), sv->o->listen);
	return 0;
}

static bool serve_step(struct session *s, struct runner *run, void *ctx)
{
	return runner_wait(run, 1000000000ULL);
}

/* No scrape once the window closes: the probes are about to go. */
static void serve_window_closed(struct session *s, void *ctx)
{
	struct serving *sv = ctx;

	serve_http_stop(sv->http);
	sv->http = NULL;
}

int cmd_serve(int argc, char **argv)
{
	static const struct session_callbacks cb = {
		.attached = serve_attached,
		.step = serve_step,
		.window_closed = serve_window_closed,
	};
	struct session_opts so = { 0 };
	struct serve_opts o;
	struct serving sv = { .o = &o, .listen_fd = -1 };
	int ret;

	ret = parse_args(argc, argv, &o);
	if (ret)
		return ret > 0 ? 0 : 2;
	/* A client that hangs up must not end the server. */
	signal(SIGPIPE, SIG_IGN);
	sv.listen_fd = serve_http_listen(o.listen);
	if (sv.listen_fd < 0)
		return 1;
	so.filter = &o.filter;
	so.families = o.families;
	so.seconds = o.seconds;
	ret = session_run(&so, &cb, &sv);
	serve_http_stop(sv.http);
	if (sv.listen_fd >= 0)
		close(sv.listen_fd);
	json_decref(sv.kernel);
	if (!ret)
		fprintf(stderr, "thpscope: serve stopped; every probe detached\n");
	return ret;
}
