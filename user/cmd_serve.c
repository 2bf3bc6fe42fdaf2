// SPDX-License-Identifier: GPL-2.0
/* thpscope serve: attach once, then answer every scrape with what the
 * families' maps and the kernel's counters hold at that moment, as
 * Prometheus or OpenMetrics metrics. */
#include <getopt.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include "by_cgroup.h"
#include "commands.h"
#include "exposition.h"
#include "filter.h"
#include "record_opts.h"
#include "kernel_info.h"
#include "serve_http.h"
#include "session.h"
#include "session_family.h"
#include "util.h"

static const char usage[] =
"usage: thpscope serve [--listen ADDR:PORT] [-e FAMILY]... [-d SECONDS]\n"
"                      [--by-cgroup DEPTH [--max-cgroups N]] [FILTERS]\n"
"\n"
"Attach the probes once and serve their figures, with the kernel's own THP\n"
"counters (/proc/vmstat and every per-size mTHP stat), as Prometheus\n"
"metrics: GET /metrics in the text format 0.0.4, or OpenMetrics 1.0 when\n"
"the scraper's Accept header prefers it; GET / a page that says so. Every\n"
"counter counts from the start of serve. Runs until SIGINT, SIGTERM or\n"
"SIGHUP (or -d), then detaches every probe. The metrics are listed in\n"
"docs/metrics.md.\n"
"\n"
"  --listen ADDR:PORT\n"
"               where to listen (default " SERVE_DEFAULT_LISTEN ", this host\n"
"               only); [ADDR6]:PORT for IPv6, :PORT for every address\n"
"  -e FAMILY    only this probe family (repeatable), one of:\n"
"%s"
"  -d SECONDS   stop after SECONDS\n"
"  --by-cgroup DEPTH\n"
"               a cgroup label on the collapse, split, migration and\n"
"               device-migration counters: the v2 cgroup of the process\n"
"               each event is attributed to, cut at DEPTH (0 is the root,\n"
"               1 its children: system.slice, ...)\n"
"  --max-cgroups N\n"
"               at most N cgroup labels (default %u), in the order they\n"
"               are first seen; the counts of the others are summed under\n"
"               cgroup=\"other\" and the cgroups counted\n"
"  -h, --help   this text\n"
FILTER_USAGE
PATHOLOGY_USAGE;

/* Enough for the containers of a host, few enough for a fleet's TSDB. */
#define SERVE_DEFAULT_MAX_CGROUPS 64

struct serve_opts {
	const char *listen;
	struct sockaddr_storage addr;	/* LISTEN's */
	unsigned int addrlen;
	double seconds;
	unsigned int families;
	bool by_cgroup;
	unsigned int cgroup_depth, max_cgroups;
	struct filter filter;
};

enum { OPT_LISTEN = 0x300, OPT_BY_CGROUP, OPT_MAX_CGROUPS };

static int parse_args(int argc, char **argv, struct serve_opts *o)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "family", required_argument, NULL, 'e' },
		{ "duration", required_argument, NULL, 'd' },
		{ "by-cgroup", required_argument, NULL, OPT_BY_CGROUP },
		{ "max-cgroups", required_argument, NULL, OPT_MAX_CGROUPS },
		FILTER_LONGOPTS,
		PATHOLOGY_LONGOPTS,
		{ 0 }
	};
	int c, err;

	memset(o, 0, sizeof(*o));
	o->listen = SERVE_DEFAULT_LISTEN;
	serve_listen_parse("serve", o->listen, &o->addr, &o->addrlen);
	o->max_cgroups = SERVE_DEFAULT_MAX_CGROUPS;
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+he:d:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf(usage, session_family_help(15), SERVE_DEFAULT_MAX_CGROUPS);
			return 1;
		case OPT_LISTEN:
			if (!serve_listen_parse("serve", optarg, &o->addr, &o->addrlen))
				return -1;
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
		case OPT_BY_CGROUP:
			if (parse_uint("serve", "--by-cgroup", optarg, 0, FILTER_CGROUP_DEPTH,
				       &o->cgroup_depth))
				return -1;
			o->by_cgroup = true;
			break;
		case OPT_MAX_CGROUPS:
			if (parse_uint("serve", "--max-cgroups", optarg, 1, 10000,
				       &o->max_cgroups))
				return -1;
			break;
		default:
			err = pathology_option(c, optarg, "serve");
			if (err == 1)
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
	struct cgroup_labels cgroups;
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
		session_harvest(sv->s, rec, true);
		if (sv->o->by_cgroup)
			cgroup_labels_apply(&sv->cgroups, rec);
		json_object_set_new(rec, "counters", session_counters(sv->s));
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
	/* Loading freed most of what it allocated (BTF, ELF): give it back
	 * before a long life of small scrapes. */
	malloc_trim(0);
	return 0;
}

/* Scrapes are rendered on the server's thread: it starts only once the
 * families took their first readings (coverage's first scan), which a
 * render would otherwise race. */
static int serve_started(struct session *s, void *ctx)
{
	struct serving *sv = ctx;

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
		.started = serve_started,
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
	if (o.by_cgroup && cgroup_labels_init(&sv.cgroups, o.cgroup_depth, o.max_cgroups))
		return 1;
	/* A client that hangs up must not end the server. */
	signal(SIGPIPE, SIG_IGN);
	sv.listen_fd = serve_http_listen(&o.addr, o.addrlen, o.listen);
	if (sv.listen_fd < 0)
		return 1;
	so.filter = &o.filter;
	so.families = o.families;
	so.seconds = o.seconds;
	so.by_cgroup = o.by_cgroup;
	so.cgroup_depth = o.cgroup_depth;
	ret = session_run(&so, &cb, &sv);
	serve_http_stop(sv.http);
	if (sv.listen_fd >= 0)
		close(sv.listen_fd);
	json_decref(sv.kernel);
	if (o.by_cgroup)
		cgroup_labels_free(&sv.cgroups);
	if (!ret)
		fprintf(stderr, "thpscope: serve stopped; every probe detached\n");
	return ret;
}
