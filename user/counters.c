// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "counters.h"
#include "json_util.h"
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

/* Read at every tick of a timeline: the name is matched in place, and
 * only a kept one is converted. */
json_t *vmstat_parse(const char *text)
{
	json_t *o = json_object();
	const char *line = text;

	while (line && *line) {
		size_t len = strcspn(line, " \n");
		char name[128], *end;
		unsigned long long v;

		if (line[len] == ' ' && len < sizeof(name)) {
			memcpy(name, line, len);
			name[len] = '\0';
			if (vmstat_wanted(name)) {
				errno = 0;
				v = strtoull(line + len + 1, &end, 10);
				if (!errno && end > line + len + 1 && (*end == '\n' || !*end))
					json_object_set_new(o, name, json_integer((json_int_t)v));
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return o;
}

/* An mTHP stat file, open. */
struct mthp_file {
	char order[8];
	char name[48];
	int fd;
};

struct counter_files {
	int vmstat_fd;
	unsigned int page_size;
	bool mthp_opened;	/* on the first reading that wants them */
	struct mthp_file *mthp;
	size_t nmthp;
	json_t *sizes;		/* {"<order>": size_kb} */
	char *buf;		/* /proc/vmstat's text */
	size_t cap;
};

static void open_stats(const char *dir, const char *order, unsigned long kb, void *ctx)
{
	struct counter_files *cf = ctx;
	char path[512];
	struct dirent *de;
	DIR *d;

	snprintf(path, sizeof(path), "%s/stats", dir);
	d = opendir(path);
	json_object_set_new(cf->sizes, order, json_integer(kb));
	while (d && (de = readdir(d))) {
		struct mthp_file *v;
		char file[600];
		int fd;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= sizeof(v->name))
			continue;
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		fd = open(file, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		v = realloc(cf->mthp, (cf->nmthp + 1) * sizeof(*v));
		if (!v) {
			close(fd);
			break;
		}
		cf->mthp = v;
		v += cf->nmthp++;
		snprintf(v->order, sizeof(v->order), "%s", order);
		snprintf(v->name, sizeof(v->name), "%s", de->d_name);
		v->fd = fd;
	}
	if (d)
		closedir(d);
}

struct counter_files *counter_files_open(unsigned int page_size)
{
	struct counter_files *cf = calloc(1, sizeof(*cf));

	if (!cf)
		return NULL;
	cf->vmstat_fd = open("/proc/vmstat", O_RDONLY | O_CLOEXEC);
	cf->page_size = page_size;
	cf->sizes = json_object();
	return cf;
}

/* The whole of FD from offset 0 into CF's buffer, NUL-terminated. */
static const char *read_all(struct counter_files *cf, int fd)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (cf->cap - len < 4096) {
			char *b = realloc(cf->buf, cf->cap + 16384);

			if (!b)
				return "";
			cf->buf = b;
			cf->cap += 16384;
		}
		n = pread(fd, cf->buf + len, cf->cap - len - 1, len);
		if (n <= 0)
			break;
		len += n;
	}
	cf->buf[len] = 0;
	return cf->buf;
}

json_t *counter_files_vmstat(struct counter_files *cf)
{
	json_t *o = json_object();

	json_object_set_new(o, "vmstat", cf->vmstat_fd >= 0 ?
			    vmstat_parse(read_all(cf, cf->vmstat_fd)) : json_object());
	return o;
}

json_t *counter_files_read(struct counter_files *cf)
{
	json_t *o = counter_files_vmstat(cf), *mthp = json_object(), *kb;
	const char *order;
	size_t i;

	if (!cf->mthp_opened) {
		thp_foreach_size(cf->page_size, open_stats, cf);
		cf->mthp_opened = true;
	}
	json_object_foreach(cf->sizes, order, kb)
		json_object_set_new(jpath(mthp, order), "size_kb", json_integer(json_integer_value(kb)));
	for (i = 0; i < cf->nmthp; i++) {
		char buf[64];
		ssize_t n = pread(cf->mthp[i].fd, buf, sizeof(buf) - 1, 0);
		json_t *v;

		if (n <= 0)
			continue;
		buf[n] = 0;
		buf[strcspn(buf, "\n")] = 0;
		v = sysfs_number(buf);
		if (v)
			json_object_set_new(json_object_get(mthp, cf->mthp[i].order),
					    cf->mthp[i].name, v);
	}
	json_object_set_new(o, "mthp", mthp);
	return o;
}

void counter_files_close(struct counter_files *cf)
{
	size_t i;

	if (!cf)
		return;
	if (cf->vmstat_fd >= 0)
		close(cf->vmstat_fd);
	for (i = 0; i < cf->nmthp; i++)
		close(cf->mthp[i].fd);
	free(cf->mthp);
	free(cf->buf);
	json_decref(cf->sizes);
	free(cf);
}

json_t *counters_snapshot(unsigned int page_size)
{
	struct counter_files *cf = counter_files_open(page_size);
	json_t *o = cf ? counter_files_read(cf) : json_object();

	counter_files_close(cf);
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

/* Keep the members of DELTA (delta_flat's) that are counts above 0. */
static json_t *grown(json_t *delta)
{
	json_t *o = json_object(), *v;
	const char *name;

	json_object_foreach(delta, name, v)
		if (strcmp(name, "size_kb") && json_is_integer(v) && json_integer_value(v) > 0)
			json_object_set(o, name, v);
	json_decref(delta);
	return o;
}

json_t *counters_growth(json_t *start, json_t *end)
{
	json_t *o = json_object(), *mthp = json_object(), *ev, *g;
	const char *order;

	json_object_set_new(o, "vmstat", grown(delta_flat(json_object_get(start, "vmstat"),
							  json_object_get(end, "vmstat"))));
	json_object_foreach(json_object_get(end, "mthp"), order, ev) {
		g = grown(delta_flat(json_object_get(json_object_get(start, "mthp"), order), ev));
		if (json_object_size(g))
			json_object_set_new(mthp, order, g);
		else
			json_decref(g);
	}
	json_object_set_new(o, "mthp", mthp);
	return o;
}
