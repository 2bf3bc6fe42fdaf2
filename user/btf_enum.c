// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include "btf_enum.h"

static void set_name(struct enum_entry *ent, const char *raw, const char *prefix)
{
	size_t plen = strlen(prefix), i;

	if (!strncmp(raw, prefix, plen))
		raw += plen;
	for (i = 0; raw[i] && i < sizeof(ent->name) - 1; i++)
		ent->name[i] = tolower((unsigned char)raw[i]);
	ent->name[i] = '\0';
}

/* Counts such as __MTHP_STAT_COUNT or MR_TYPES name no value. */
static bool is_sentinel(const char *raw)
{
	size_t n = strlen(raw);

	return raw[0] == '_' || (n > 6 && !strcmp(raw + n - 6, "_TYPES"));
}

int enum_names_load(struct enum_names *e, const struct btf *btf,
		    const char *enum_name, const char *prefix,
		    const char *fallback)
{
	const struct btf_type *t;
	const struct btf_enum *m;
	int id, i, n;

	memset(e, 0, sizeof(*e));
	snprintf(e->fallback, sizeof(e->fallback), "%s", fallback);
	id = btf ? btf__find_by_name_kind(btf, enum_name, BTF_KIND_ENUM) : -ENOENT;
	if (id < 0)
		return -ENOENT;
	t = btf__type_by_id(btf, id);
	n = btf_vlen(t);
	e->v = calloc(n ? n : 1, sizeof(*e->v));
	if (!e->v)
		return -ENOMEM;
	m = btf_enum(t);
	for (i = 0; i < n; i++) {
		const char *raw = btf__name_by_offset(btf, m[i].name_off);

		if (!raw || is_sentinel(raw))
			continue;
		e->v[e->n].val = m[i].val;
		set_name(&e->v[e->n], raw, prefix);
		e->n++;
	}
	return 0;
}

const char *enum_name(const struct enum_names *e, long long val, char *buf,
		      size_t len)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (e->v[i].val == val)
			return e->v[i].name;
	snprintf(buf, len, "%s_%lld", e->fallback, val);
	return buf;
}

long long enum_value(const struct enum_names *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->v[i].name, name))
			return e->v[i].val;
	return -1;
}

void enum_names_free(struct enum_names *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}
