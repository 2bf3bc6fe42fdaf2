// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "session.h"
#include "util.h"

static const struct family *const families[] = {
	&collapse_family,
	&migrate_family,
	&split_family,
	&deferred_family,
	&device_family,
};

/* libbpf's messages: all of them with THPSCOPE_DEBUG set, else only the
 * last warning is kept, to explain a failed load. */
static char last_libbpf_msg[256];

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("THPSCOPE_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_WARN) {
		size_t n;

		vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, ap);
		n = strlen(last_libbpf_msg);
		if (n && last_libbpf_msg[n - 1] == '\n')
			last_libbpf_msg[n - 1] = '\0';
	}
	return 0;
}

/* With THPSCOPE_DEBUG, say how long each step of start-up took. */
static void step_done(const char *family, const char *step, uint64_t *t)
{
	uint64_t now = mono_ns();

	if (getenv("THPSCOPE_DEBUG"))
		fprintf(stderr, "thpscope: %s: %s took %.1f ms\n", family, step, (now - *t) / 1e6);
	*t = now;
}

/* Open FAM and choose its probes' mechanisms; false when it cannot be. */
static bool open_family(struct session *s, struct family_run *run, const struct family *fam)
{
	struct bpf_object *obj;
	uint64_t t = mono_ns();

	run->fam = fam;
	obj = fam->open(run, &s->env);
	step_done(fam->name, "open", &t);
	if (!obj) {
		warnf("%s probes cannot be opened: %s", fam->name, strerror(errno));
		return false;
	}
	if (probes_prepare(&s->probes, fam->name, obj, &s->env, fam->alternatives)) {
		warnf("%s probes: out of memory", fam->name);
		return false;
	}
	step_done(fam->name, "choosing mechanisms", &t);
	return true;
}

static void load_family(struct session *s, struct family_run *run)
{
	const struct family *fam = run->fam;
	uint64_t t = mono_ns();
	char why[320];
	int err;

	err = fam->load(run);
	step_done(fam->name, "load", &t);
	if (err) {
		snprintf(why, sizeof(why), "load failed: %s%s%s", strerror(-err),
			 last_libbpf_msg[0] ? ": " : "", last_libbpf_msg);
		probes_fail(&s->probes, fam->name, why);
		return;
	}
	run->loaded = true;
	probes_attach(&s->probes, fam->name);
	step_done(fam->name, "attach", &t);
}

int session_open(struct session *s)
{
	bool opened[ARRAY_SIZE(families)];
	size_t i;

	memset(s, 0, sizeof(*s));
	if (kenv_check_privileges() || kenv_open(&s->env))
		return -1;
	libbpf_set_print(libbpf_log);
	for (i = 0; i < ARRAY_SIZE(families); i++)
		opened[i] = open_family(s, &s->runs[s->nruns++], families[i]);
	/* libbpf parses its own copy of the BTF for each load: not both. */
	kenv_release(&s->env);
	for (i = 0; i < s->nruns; i++)
		if (opened[i])
			load_family(s, &s->runs[i]);
	return 0;
}

void session_detach(struct session *s)
{
	probes_detach(&s->probes);
}

void session_harvest(struct session *s, json_t *record)
{
	size_t i;

	for (i = 0; i < s->nruns; i++)
		if (s->runs[i].loaded)
			s->runs[i].fam->harvest(&s->runs[i], &s->env, &s->probes, record);
	json_object_set_new(record, "probes", probes_to_json(&s->probes));
}

size_t session_attached(const struct session *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->probes.n; i++)
		n += s->probes.v[i].attached;
	return n;
}

void session_close(struct session *s)
{
	size_t i;

	probes_free(&s->probes);
	for (i = 0; i < s->nruns; i++)
		if (s->runs[i].skel)
			s->runs[i].fam->destroy(&s->runs[i]);
	kenv_close(&s->env);
}
