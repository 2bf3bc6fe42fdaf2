// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdio.h>
#include <sys/stat.h>
#include "sysfs.h"
#include "util.h"

json_t *sysfs_number(const char *text)
{
	uint64_t v;

	return parse_u64(text, &v) ? json_integer((json_int_t)v) : NULL;
}

json_t *sysfs_dir(const char *dir, sysfs_value_fn value)
{
	json_t *o = json_object();
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return o;
	while ((de = readdir(d))) {
		char path[512], buf[256];
		struct stat st;
		json_t *v;

		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (de->d_name[0] == '.' || stat(path, &st) || !S_ISREG(st.st_mode))
			continue;
		if (read_text(path, buf, sizeof(buf)) && (v = value(buf)))
			json_object_set_new(o, de->d_name, v);
	}
	closedir(d);
	return o;
}

void thp_foreach_size(unsigned int page_size, thp_size_fn fn, void *ctx)
{
	struct dirent *de;
	DIR *d = opendir(THP_SYSFS);

	if (!d)
		return;
	while ((de = readdir(d))) {
		char path[512], order[16];
		unsigned long kb;

		if (sscanf(de->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		snprintf(path, sizeof(path), THP_SYSFS "/%s", de->d_name);
		snprintf(order, sizeof(order), "%u", ilog2_u64(kb * 1024 / page_size));
		fn(path, order, kb, ctx);
	}
	closedir(d);
}
