// SPDX-License-Identifier: GPL-2.0
/* The running kernel's BTF and what is read from it (see kernel_btf.h). */
#include <stdlib.h>
#include <string.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kernel_btf.h"

struct cached_enum {
	struct cached_enum *next;
	const struct enum_spec *spec;
	struct enum_names names;
};

struct kernel_btf {
	char *path;		/* NULL: the running kernel's */
	struct btf *btf;
	struct cached_enum *enums;
};

struct kernel_btf *kernel_btf_new(const char *path)
{
	struct kernel_btf *kb = calloc(1, sizeof(*kb));

	if (!kb || !path)
		return kb;
	kb->path = strdup(path);
	if (!kb->path) {
		free(kb);
		return NULL;
	}
	return kb;
}

void kernel_btf_free(struct kernel_btf *kb)
{
	if (!kb)
		return;
	while (kb->enums) {
		struct cached_enum *next = kb->enums->next;

		enum_names_free(&kb->enums->names);
		free(kb->enums);
		kb->enums = next;
	}
	btf__free(kb->btf);
	free(kb->path);
	free(kb);
}

static struct btf *load(const struct kernel_btf *kb)
{
	struct btf *btf = kb->path ? btf__parse(kb->path, NULL) : btf__load_vmlinux_btf();

	/* libbpf before 1.0 returns an error pointer, not NULL. */
	return libbpf_get_error(btf) ? NULL : btf;
}

struct btf *kernel_btf_get(struct kernel_btf *kb)
{
	if (kb && !kb->btf)
		kb->btf = load(kb);
	return kb ? kb->btf : NULL;
}

void kernel_btf_release(struct kernel_btf *kb)
{
	if (!kb)
		return;
	btf__free(kb->btf);
	kb->btf = NULL;
}

const struct enum_names *kernel_btf_enum(struct kernel_btf *kb, const struct enum_spec *spec)
{
	/* What an enum decodes to when it could not even be looked for. */
	static const struct enum_names unread = { .fallback = "value" };
	struct cached_enum *c;
	struct btf *btf;

	for (c = kb ? kb->enums : NULL; c; c = c->next)
		if (c->spec == spec)
			return &c->names;
	c = kb ? calloc(1, sizeof(*c)) : NULL;
	if (!c)
		return &unread;
	btf = kb->btf ? kb->btf : load(kb);
	/* An enum the kernel lacks is kept too, with fallback names only. */
	enum_names_load(&c->names, btf, spec->btf_name, spec->prefix, spec->what);
	if (btf != kb->btf)
		btf__free(btf);
	c->spec = spec;
	c->next = kb->enums;
	kb->enums = c;
	return &c->names;
}

static bool struct_has_member(const struct btf *btf, const struct btf_type *t,
			      const char *mname, int depth)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt;

		if (n && *n) {
			if (!strcmp(n, mname))
				return true;
			continue;
		}
		mt = btf__type_by_id(btf, m->type);
		while (mt && btf_is_mod(mt))
			mt = btf__type_by_id(btf, mt->type);
		if (mt && btf_is_composite(mt) && depth < 8 &&
		    struct_has_member(btf, mt, mname, depth + 1))
			return true;
	}
	return false;
}

bool btf_has_member(const struct btf *btf, const char *sname, const char *mname)
{
	int id = btf ? btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT) : -1;

	if (id <= 0)
		return false;
	return struct_has_member(btf, btf__type_by_id(btf, id), mname, 0);
}
