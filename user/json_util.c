// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "json_util.h"
#include "record_num.h"
#include "util.h"

static json_t *walk(json_t *root, const char *path, bool create)
{
	char key[256];
	const char *p = path;
	json_t *cur = root;

	while (cur && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		json_t *next;

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, p, n);
		key[n] = '\0';
		if (!json_is_object(cur))
			return NULL;
		next = json_object_get(cur, key);
		if (!next && create) {
			next = json_object();
			json_object_set_new(cur, key, next);
		}
		cur = next;
		p = dot ? dot + 1 : p + n;
	}
	return cur;
}

json_t *jpath(json_t *root, const char *path)
{
	return walk(root, path, true);
}

json_t *jget(json_t *root, const char *path)
{
	return walk(root, path, false);
}

void jadd(json_t *root, const char *path, uint64_t v)
{
	const char *dot = strrchr(path, '.');
	char parent[512];
	json_t *obj, *cur;

	if (dot) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
		obj = jpath(root, parent);
		dot++;
	} else {
		obj = root;
		dot = path;
	}
	if (!obj)
		return;
	cur = json_object_get(obj, dot);
	if (json_is_integer(cur))
		json_integer_set(cur, json_integer_value(cur) + (json_int_t)v);
	else
		json_object_set_new(obj, dot, json_integer((json_int_t)v));
}

uint64_t jget_u64(json_t *root, const char *path)
{
	json_t *v = jget(root, path);

	return json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
}

int json_write_atomic(json_t *doc, const char *path)
{
	char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	size_t len;
	int err;

	if (!text)
		return -ENOMEM;
	/* json_dumps leaves room to end the document with a newline. */
	len = strlen(text);
	err = file_write_atomic(path, text, len, true);
	free(text);
	return err;
}

/* PATH opened for reading, if it is a regular file: a directory or a
 * FIFO is refused before any read could block. NULL after one line. */
static FILE *open_regular(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		errorf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			errorf("%s: is a directory", path);
		else
			errorf("%s: not a regular file (a record is a file, or - for stdin)", path);
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		errorf("%s: %s", path, strerror(errno));
		close(fd);
	}
	return f;
}

json_t *record_load(const char *path)
{
	bool from_stdin = !strcmp(path, "-");
	const char *name = from_stdin ? "stdin" : path;
	FILE *f = from_stdin ? stdin : open_regular(path);
	json_error_t jerr;
	json_t *doc;

	if (!f)
		return NULL;
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
	if (!from_stdin)
		fclose(f);
	if (!doc) {
		if (jerr.line > 0)
			errorf("%s:%d:%d: %s", name, jerr.line, jerr.column,
			       jerr.text);
		else
			errorf("%s: %s", name, jerr.text);
		return NULL;
	}
	if (record_check(doc, name)) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

/* Entries by descending integer member KEY, then in their first order. */
struct ranked {
	json_t *v;
	size_t pos;
};

static int by_key_desc(const void *a, const void *b, void *key)
{
	const struct ranked *x = a, *y = b;
	json_int_t vx = json_integer_value(json_object_get(x->v, key));
	json_int_t vy = json_integer_value(json_object_get(y->v, key));

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

void json_array_top(json_t *arr, const char *key, size_t max)
{
	size_t n = json_array_size(arr), i;
	struct ranked *v = calloc(n ? n : 1, sizeof(*v));

	if (!v)
		return;
	for (i = 0; i < n; i++) {
		v[i].v = json_incref(json_array_get(arr, i));
		v[i].pos = i;
	}
	qsort_r(v, n, sizeof(*v), by_key_desc, (void *)key);
	json_array_clear(arr);
	for (i = 0; i < n; i++) {
		if (i < max)
			json_array_append(arr, v[i].v);
		json_decref(v[i].v);
	}
	free(v);
}
