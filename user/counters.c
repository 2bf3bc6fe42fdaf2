// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "counters.h"
#include "sysfs.h"
#include "util.h"

static bool vmstat_wanted(const char *name)
{
	static const char *const prefixes[] = { "thp_", "compact_", "pgmigrate_" };
	static const char *const names[] = {
		"numa_pages_migrated", "nr_anon_transparent_hugepages",
		"nr_shmem_hugepages", "nr_file_hugepages", "nr_shmem_pmdmapped",
		"nr_file_pmdmapped",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (!strncmp(name, prefixes[i], strlen(prefixes[i])))
			return true;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

bool counter_is_gauge(const char *name)
{
	return !strncmp(name, "nr_", 3);
}

json_t *vmstat_parse(const char *text)
{
	json_t *o = json_object();
	const char *line = text;

	while (line && *line) {
		char name[128];
		unsigned long long v;

		if (sscanf(line, "%127s %llu", name, &v) == 2 && vmstat_wanted(name))
			json_object_set_new(o, name, json_integer((json_int_t)v));
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return o;
}

static json_t *vmstat_snapshot(void)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *o;

	if (!f)
		return json_object();
	n = getdelim(&text, &cap, '\0', f);
	fclose(f);
	o = vmstat_parse(n > 0 ? text : "");
	free(text);
	return o;
}

static void mthp_size(const char *dir, const char *order, unsigned long kb,
		      json_t *out)
{
	char path[512];
	json_t *stats;

	snprintf(path, sizeof(path), "%s/stats", dir);
	stats = sysfs_dir(path, sysfs_number);
	json_object_set_new(stats, "size_kb", json_integer(kb));
	json_object_set_new(out, order, stats);
}

json_t *counters_snapshot(unsigned int page_size)
{
	json_t *o = json_object(), *mthp = json_object();

	json_object_set_new(o, "vmstat", vmstat_snapshot());
	thp_foreach_size(page_size, mthp_size, mthp);
	json_object_set_new(o, "mthp", mthp);
	return o;
}

static json_t *delta_flat(json_t *start, json_t *end)
{
	json_t *o = json_object(), *ev;
	const char *name;

	json_object_foreach(end, name, ev) {
		json_t *sv = json_object_get(start, name);
		json_int_t e = json_integer_value(ev), s = json_integer_value(sv);

		if (!json_is_integer(ev) || !json_is_integer(sv))
			continue;
		if (!strcmp(name, "size_kb"))
			json_object_set(o, name, ev);
		else if (counter_is_gauge(name))
			json_object_set_new(o, name, json_pack("{s:I, s:I}", "start", s, "end", e));
		else
			json_object_set_new(o, name, json_integer(e - s));
	}
	return o;
}

json_t *counters_delta(json_t *start, json_t *end)
{
	json_t *o = json_object(), *mthp = json_object(), *ev;
	const char *order;

	json_object_set_new(o, "vmstat", delta_flat(json_object_get(start, "vmstat"),
						    json_object_get(end, "vmstat")));
	json_object_foreach(json_object_get(end, "mthp"), order, ev)
		json_object_set_new(mthp, order,
				    delta_flat(json_object_get(json_object_get(start, "mthp"), order), ev));
	json_object_set_new(o, "mthp", mthp);
	return o;
}
