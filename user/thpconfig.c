// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "sysfs.h"
#include "thpconfig.h"
#include "util.h"

json_t *config_value(const char *text)
{
	const char *open = strchr(text, '['), *close;
	json_t *num;

	if (open && (close = strchr(open, ']')))
		return json_stringn(open + 1, close - open - 1);
	num = sysfs_number(text);
	return num ? num : json_string(text);
}

static void size_knobs(const char *dir, const char *order, unsigned long kb, void *ctx)
{
	json_t *out = ctx;
	json_t *size = sysfs_dir(dir, config_value);

	json_object_set_new(size, "size_kb", json_integer(kb));
	json_object_set_new(out, order, size);
}

json_t *config_snapshot(unsigned int page_size)
{
	json_t *o = sysfs_dir(THP_SYSFS, config_value), *sizes = json_object();

	json_object_set_new(o, "khugepaged", sysfs_dir(THP_SYSFS "/khugepaged", config_value));
	thp_foreach_size(page_size, size_knobs, sizes);
	json_object_set_new(o, "sizes", sizes);
	return o;
}
