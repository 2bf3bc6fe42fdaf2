// SPDX-License-Identifier: GPL-2.0
/*
 * jget: read values out of a thpscope record for tests, or out of another
 * JSON document thpscope writes (maps --json), which has no "schema".
 *
 *   jget FILE PATH      print the value at PATH (0 when absent)
 *   jget -k FILE PATH   print the keys of the object at PATH, one a line
 *
 * PATH is dotted; a segment NAME[key=value] selects the elements of the
 * array NAME whose "key" equals value, and integers below it are summed.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json_util.h"

static json_int_t sum_path(json_t *node, const char *path, json_t **single);

static json_int_t select_sum(json_t *arr, const char *sel, const char *rest)
{
	char k[64], v[128];
	json_int_t sum = 0;
	json_t *e;
	size_t i;

	if (sscanf(sel, "%63[^=]=%127[^]]", k, v) != 2)
		return 0;
	json_array_foreach(arr, i, e) {
		json_t *m = json_object_get(e, k), *single = NULL;
		char text[128];

		if (json_is_integer(m))
			snprintf(text, sizeof(text), "%lld", json_integer_value(m));
		else
			snprintf(text, sizeof(text), "%s", json_string_value(m) ?: "");
		if (!strcmp(text, v))
			sum += rest ? sum_path(e, rest, &single) : 0;
	}
	return sum;
}

static json_int_t sum_path(json_t *node, const char *path, json_t **single)
{
	char seg[256];
	const char *dot = strchr(path, '.'), *br;
	size_t n = dot ? (size_t)(dot - path) : strlen(path);

	snprintf(seg, sizeof(seg), "%.*s", (int)n, path);
	br = strchr(seg, '[');
	if (br) {
		json_t *arr;

		seg[br - seg] = '\0';
		arr = json_object_get(node, seg);
		*single = NULL;
		return select_sum(arr, br + 1, dot ? dot + 1 : NULL);
	}
	node = json_object_get(node, seg);
	if (dot)
		return node ? sum_path(node, dot + 1, single) : 0;
	*single = node;
	return json_is_integer(node) ? json_integer_value(node) : 0;
}

int main(int argc, char **argv)
{
	bool keys = argc == 4 && !strcmp(argv[1], "-k");
	json_t *doc, *single = NULL;
	json_int_t v;

	if (argc != 3 && !keys) {
		fprintf(stderr, "usage: jget [-k] FILE PATH\n");
		return 2;
	}
	/* A record is read as report reads it, checked. */
	doc = json_load_file(argv[keys ? 2 : 1], 0, NULL);
	if (!doc || json_object_get(doc, "schema")) {
		json_decref(doc);
		doc = record_load(argv[keys ? 2 : 1]);
	}
	if (!doc)
		return 2;
	v = sum_path(doc, argv[keys ? 3 : 2], &single);
	if (keys) {
		const char *k;
		json_t *x;

		json_object_foreach(single, k, x)
			puts(k);
	} else if (single && !json_is_integer(single)) {
		char *s = json_dumps(single, JSON_ENCODE_ANY | JSON_COMPACT);

		puts(json_is_string(single) ? json_string_value(single) : s);
		free(s);
	} else {
		printf("%lld\n", v);
	}
	json_decref(doc);
	return 0;
}
