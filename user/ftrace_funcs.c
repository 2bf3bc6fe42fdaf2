// SPDX-License-Identifier: GPL-2.0
/* The functions ftrace can patch (see ftrace_funcs.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ftrace_funcs.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The whole file; a seq_file reports no size, so it is read in growing
 * chunks. */
static char *slurp(FILE *fp)
{
	size_t len = 0, size = 1 << 20, got;
	char *buf = malloc(size), *grown;

	while (buf && (got = fread(buf + len, 1, size - len - 1, fp)) > 0) {
		len += got;
		if (len + 1 < size)
			continue;
		grown = realloc(buf, size *= 2);
		if (!grown)
			free(buf);
		buf = grown;
	}
	if (buf)
		buf[len] = '\0';
	return buf;
}

/* Lines are "name" or "name [module]": keep the name of each. */
static int load(struct ftrace_funcs *f, const char *tracefs)
{
	char path[256], *line, *next;
	size_t cap = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/available_filter_functions", tracefs);
	fp = fopen(path, "r");
	if (!fp)
		return -1;
	f->text = slurp(fp);
	fclose(fp);
	if (!f->text)
		return -1;
	for (line = f->text; *line; line = next) {
		char *nl = strchr(line, '\n');

		next = nl ? nl + 1 : line + strlen(line);
		line[strcspn(line, " \t\n")] = '\0';
		if (!*line)
			continue;
		if (f->n == cap) {
			const char **grown = realloc(f->names, (cap = cap ? cap * 2 : 65536) *
						     sizeof(*grown));

			if (!grown)
				return -1;
			f->names = grown;
		}
		f->names[f->n++] = line;
	}
	qsort(f->names, f->n, sizeof(*f->names), by_name);
	return 1;
}

int ftrace_funcs_has(struct ftrace_funcs *f, const char *tracefs, const char *name)
{
	if (!f->state) {
		f->state = load(f, tracefs);
		if (f->state < 0) {
			ftrace_funcs_free(f);
			f->state = -1;
		}
	}
	if (f->state < 0)
		return -1;
	return bsearch(&name, f->names, f->n, sizeof(*f->names), by_name) != NULL;
}

void ftrace_funcs_free(struct ftrace_funcs *f)
{
	free(f->text);
	free(f->names);
	memset(f, 0, sizeof(*f));
}
