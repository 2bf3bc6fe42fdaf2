// SPDX-License-Identifier: GPL-2.0
/* A record as metrics: every family's (its expose hook), then what is
 * not a family's: the kernel's own THP counters, the probes and what
 * they could not count, the build. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "counters.h"
#include "exposition.h"
#include "family.h"
#include "json_util.h"

/* A kernel counter's name as part of a metric name: [a-z0-9_] only, so
 * that a record's keys cannot make names collide or break the format. */
static bool counter_name_ok(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/* A kernel counter N: a count, or a level (an integer, or the record's
 * {start, end} of it, whose end is the level). */
static void kernel_counter(struct expo *x, const char *prefix, const char *stat, json_t *n,
			   const char *help, const char *label, const char *label_value)
{
	char name[128];

	if (!counter_name_ok(stat))
		return;
	snprintf(name, sizeof(name), "thpscope_%s_%s", prefix, stat);
	if (json_is_object(n))
		expo_gauge(x, name, help, jget_u64(n, "end"), label, label_value, NULL);
	else if (!json_is_integer(n))
		return;
	else if (counter_is_gauge(stat))
		expo_gauge(x, name, help, json_integer_value(n), label, label_value, NULL);
	else
		expo_counter(x, name, help, json_integer_value(n), label, label_value, NULL);
}

static void kernel_counters(struct expo *x, json_t *rec)
{
	const char *k, *order, *stat;
	json_t *v, *st;
	char help[160];

	json_object_foreach(jget(rec, "counters.vmstat"), k, v) {
		snprintf(help, sizeof(help), "The kernel's /proc/vmstat %s.", k);
		kernel_counter(x, "vmstat", k, v, help, NULL, NULL);
	}
	json_object_foreach(jget(rec, "counters.mthp"), order, st)
		json_object_foreach(st, stat, v)
			if (strcmp(stat, "size_kb")) {
				snprintf(help, sizeof(help),
					 "The kernel's per-size mTHP stat %s, by folio order.", stat);
				kernel_counter(x, "mthp", stat, v, help, "order", order);
			}
}

static void probe_metrics(struct expo *x, json_t *rec)
{
	const char *name;
	json_t *p;

	json_object_foreach(jget(rec, "probes"), name, p) {
		json_t *mech = json_object_get(p, "mechanism");

		expo_gauge(x, "thpscope_probe_attached",
			   "Whether the probe is attached (1) or not (0), and through which mechanism.",
			   json_is_true(json_object_get(p, "attached")),
			   "probe", name, "mechanism", json_string_value(mech), NULL);
		expo_counter(x, "thpscope_probe_misses",
			     "Times the kernel skipped the probe's program (recursion, kprobe misses).",
			     jget_u64(p, "misses"), "probe", name, NULL);
	}
	expo_counters_of(x, "thpscope_map_full_events",
			 "Counts a full BPF map of the family had no room for (a count or a per-process entry).",
			 jget(rec, "map_full"), NULL, "family", NULL);
}

static void families_expose(struct expo *x, json_t *rec)
{
	size_t i;

	for (i = 0; i < nfamilies; i++)
		if (families[i]->expose)
			families[i]->expose(rec, x);
}

/* serve --by-cgroup: each cgroup's part of the record (by_cgroup.h), as
 * the families' metrics with a cgroup label. */
static void cgroup_parts(struct expo *x, json_t *rec)
{
	const char *label;
	json_t *part;

	json_object_foreach(jget(rec, "cgroups"), label, part) {
		expo_set_label(x, "cgroup", label);
		families_expose(x, part);
	}
	expo_set_label(x, NULL, NULL);
	if (jget(rec, "cgroups_folded"))
		expo_gauge(x, "thpscope_cgroups_folded",
			   "Cgroups past --max-cgroups, whose counts are summed under cgroup=\"other\".",
			   jget_u64(rec, "cgroups_folded"), NULL);
}

void expo_record(struct expo *x, json_t *rec)
{
	expo_gauge(x, "thpscope_build_info", "thpscope's version and the libbpf it runs with.", 1,
		   "version", THPSCOPE_VERSION, "libbpf", libbpf_version_string(), NULL);
	expo_gauge(x, "thpscope_kernel_info", "The kernel the figures come from.", 1,
		   "release", json_string_value(jget(rec, "kernel.release")),
		   "machine", json_string_value(jget(rec, "kernel.machine")), NULL);
	families_expose(x, rec);
	cgroup_parts(x, rec);
	probe_metrics(x, rec);
	kernel_counters(x, rec);
}
