// SPDX-License-Identifier: GPL-2.0
/* Counts by cgroup for serve --by-cgroup (see by_cgroup.h). A cgroup's
 * kernfs id is its directory's inode number: the v2 hierarchy is walked
 * down to the depth asked for to name them, again when an id is new. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "by_cgroup.h"
#include "filter.h"
#include "hist_json.h"
#include "json_util.h"
#include "util.h"

struct cgroup_path {
	uint64_t id;
	char *path;
};

#define LABEL_NONE "(none)"	/* events attributed to no task */
#define LABEL_GONE "(gone)"	/* a cgroup removed before it could be named */
#define LABEL_OTHER "other"

json_t *record_part(json_t *record, uint64_t cgroup)
{
	char path[40];

	if (!cgroup)
		return record;
	if (cgroup == CGROUP_KEY_NONE)
		snprintf(path, sizeof(path), "cgroups.none");
	else
		snprintf(path, sizeof(path), "cgroups.%llu", (unsigned long long)cgroup);
	return jpath(record, path);
}

/* The mount point of the v2 hierarchy, from /proc/self/mountinfo. */
static int v2_mount(char *out, size_t len)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[1024], mnt[512], type[64];
	int found = -1;

	if (!f)
		return -1;
	while (found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (sep && sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1 &&
		    sscanf(sep + 3, "%63s", type) == 1 && !strcmp(type, "cgroup2") &&
		    strlen(mnt) < len) {
			snprintf(out, len, "%s", mnt);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

static void add_path(struct cgroup_labels *l, uint64_t id, const char *rel)
{
	struct cgroup_path *v = realloc(l->paths, (l->npaths + 1) * sizeof(*v));

	if (!v)
		return;
	l->paths = v;
	v[l->npaths].id = id;
	v[l->npaths].path = strdup(*rel ? rel : "/");
	if (v[l->npaths].path)
		l->npaths++;
}

/* DIR (REL below the mount) and its subdirectories down to the depth. */
static void walk(struct cgroup_labels *l, const char *dir, const char *rel, unsigned int level)
{
	struct dirent *e;
	struct stat st;
	DIR *d;

	if (stat(dir, &st))
		return;
	add_path(l, st.st_ino, rel);
	if (level >= l->depth || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char sub[4096], subrel[4096];

		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= (int)sizeof(sub) ||
		    snprintf(subrel, sizeof(subrel), "%s/%s", rel, e->d_name) >= (int)sizeof(subrel))
			continue;
		walk(l, sub, subrel, level + 1);
	}
	closedir(d);
}

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const struct cgroup_path *)a)->id, y = ((const struct cgroup_path *)b)->id;

	return x < y ? -1 : x > y;
}

static void free_paths(struct cgroup_labels *l)
{
	size_t i;

	for (i = 0; i < l->npaths; i++)
		free(l->paths[i].path);
	free(l->paths);
	l->paths = NULL;
	l->npaths = 0;
}

static void rewalk(struct cgroup_labels *l)
{
	free_paths(l);
	walk(l, l->mount, "", 0);
	if (l->npaths)
		qsort(l->paths, l->npaths, sizeof(*l->paths), by_id);
}

int cgroup_labels_init(struct cgroup_labels *l, unsigned int depth, unsigned int max)
{
	memset(l, 0, sizeof(*l));
	l->depth = depth;
	l->max = max;
	if (v2_mount(l->mount, sizeof(l->mount))) {
		errorf("serve: --by-cgroup: no cgroup v2 hierarchy is mounted");
		return -1;
	}
	rewalk(l);
	return 0;
}

static const char *find_path(const struct cgroup_labels *l, uint64_t id)
{
	struct cgroup_path key = { .id = id }, *p;

	p = l->npaths ? bsearch(&key, l->paths, l->npaths, sizeof(key), by_id) : NULL;
	return p ? p->path : NULL;
}

/* The path of the part keyed KEY; the hierarchy walked again, once per
 * scrape (*REWALKED), for an id not seen yet. */
static const char *part_path(struct cgroup_labels *l, const char *key, bool *rewalked)
{
	uint64_t id;
	const char *path;

	if (!strcmp(key, "none"))
		return LABEL_NONE;
	if (!parse_u64(key, &id))
		return LABEL_GONE;
	path = find_path(l, id);
	if (!path && !*rewalked) {
		rewalk(l);
		*rewalked = true;
		path = find_path(l, id);
	}
	return path ?: LABEL_GONE;
}

static bool listed(char **v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i], s))
			return true;
	return false;
}

static bool list_add(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return false;
	*v = nv;
	nv[*n] = strdup(s);
	if (!nv[*n])
		return false;
	(*n)++;
	return true;
}

/* PATH's label: its own while there is room, "other" after. */
static const char *label_for(struct cgroup_labels *l, const char *path)
{
	if (listed(l->labeled, l->nlabeled, path))
		return path;
	if (l->nlabeled < l->max && list_add(&l->labeled, &l->nlabeled, path))
		return path;
	if (!listed(l->folded, l->nfolded, path))
		list_add(&l->folded, &l->nfolded, path);
	return LABEL_OTHER;
}

/* Add the counts of SRC into DST, both shaped like a record. */
static void sum_into(json_t *dst, json_t *src)
{
	const char *k;
	json_t *s, *d;

	json_object_foreach(src, k, s) {
		d = json_object_get(dst, k);
		if (!d)
			json_object_set_new(dst, k, json_deep_copy(s));
		else if (json_is_integer(s) && json_is_integer(d))
			jadd(dst, k, json_integer_value(s));
		else if (json_is_object(s) && json_is_object(d) && json_object_get(s, "buckets"))
			hist_json_merge(d, s);
		else if (json_is_object(s) && json_is_object(d))
			sum_into(d, s);
	}
}

void cgroup_labels_apply(struct cgroup_labels *l, json_t *record)
{
	json_t *out = json_object(), *part, *dst;
	bool rewalked = false;
	const char *key;

	json_object_foreach(json_object_get(record, "cgroups"), key, part) {
		const char *label = label_for(l, part_path(l, key, &rewalked));

		dst = json_object_get(out, label);
		if (dst)
			sum_into(dst, part);
		else
			json_object_set_new(out, label, json_deep_copy(part));
	}
	json_object_set_new(record, "cgroups", out);
	json_object_set_new(record, "cgroups_folded", json_integer(l->nfolded));
}

void cgroup_labels_free(struct cgroup_labels *l)
{
	size_t i;

	free_paths(l);
	for (i = 0; i < l->nlabeled; i++)
		free(l->labeled[i]);
	for (i = 0; i < l->nfolded; i++)
		free(l->folded[i]);
	free(l->labeled);
	free(l->folded);
}
