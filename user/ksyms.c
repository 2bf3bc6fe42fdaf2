// SPDX-License-Identifier: GPL-2.0
/* The kernel's text symbols (see ksyms.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ksyms.h"

/* Names of symbols, kept in large blocks rather than one allocation each:
 * a kernel has 160k text symbols or more. */
struct ksym_arena {
	struct ksym_arena *next;
	size_t used, size;
	char data[];
};

static const char *arena_strdup(struct ksym_arena **head, const char *s)
{
	size_t n = strlen(s) + 1;
	struct ksym_arena *a = *head;
	char *p;

	if (!a || a->used + n > a->size) {
		size_t size = n > 1 << 20 ? n : 1 << 20;

		a = malloc(sizeof(*a) + size);
		if (!a)
			return NULL;
		a->next = *head;
		a->used = 0;
		a->size = size;
		*head = a;
	}
	p = a->data + a->used;
	memcpy(p, s, n);
	a->used += n;
	return p;
}

void ksyms_free(struct ksyms *k)
{
	while (k->names) {
		struct ksym_arena *next = k->names->next;

		free(k->names);
		k->names = next;
	}
	free(k->by_addr);
	free(k->by_name);
	memset(k, 0, sizeof(*k));
}

/* Split a kallsyms LINE in place; false when it is not one. */
static bool parse_line(char *line, unsigned long long *addr, char *type, char **name,
		       char **module)
{
	char *p, *end;

	*addr = strtoull(line, &p, 16);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return false;
	*type = p[1];
	*name = p + 3;
	end = *name + strcspn(*name, " \t\n");
	if (end == *name)
		return false;
	*module = end;		/* "" once the name is cut, unless a module follows */
	if (end[0] == '\t' && end[1] == '[') {
		*module = end + 2;
		(*module)[strcspn(*module, "]\n")] = '\0';
	}
	*end = '\0';
	return true;
}

/* Append the symbol of LINE when it is a text symbol; -ENOMEM or 0. */
static int add_line(struct ksyms *k, char *line, size_t *cap, const char **last_module)
{
	char *name, *module, type;
	unsigned long long addr;
	struct ksym *sym;

	if (!parse_line(line, &addr, &type, &name, &module) || (type != 't' && type != 'T'))
		return 0;
	if (k->n == *cap) {
		size_t grown_cap = *cap ? *cap * 2 : 131072;
		struct ksym *grown = realloc(k->by_addr, grown_cap * sizeof(*grown));

		if (!grown)
			return -ENOMEM;
		k->by_addr = grown;
		*cap = grown_cap;
	}
	sym = &k->by_addr[k->n];
	sym->addr = addr;
	sym->name = arena_strdup(&k->names, name);
	/* Module names repeat line after line: keep one copy each. */
	if (module[0] && (!*last_module || strcmp(*last_module, module)))
		*last_module = arena_strdup(&k->names, module);
	sym->module = module[0] ? *last_module : NULL;
	if (!sym->name || (module[0] && !*last_module))
		return -ENOMEM;
	k->n++;
	k->hidden = k->hidden && !addr;
	return 0;
}

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_name(const void *a, const void *b)
{
	const struct ksym *const *x = a, *const *y = b;

	return strcmp((*x)->name, (*y)->name);
}

/* Each symbol ends where the next at a higher address begins (aliases,
 * two names of one address, share their extent); both orders are built. */
static int index_ksyms(struct ksyms *k)
{
	size_t i;

	/* An empty table has no arrays, and qsort takes none. */
	if (!k->n)
		return 0;
	qsort(k->by_addr, k->n, sizeof(*k->by_addr), by_addr);
	for (i = k->n; i-- > 0;) {
		struct ksym *s = &k->by_addr[i], *next = i + 1 < k->n ? s + 1 : NULL;

		if (!next)
			s->end = s->addr + 1;
		else
			s->end = next->addr > s->addr ? next->addr : next->end;
	}
	k->by_name = calloc(k->n, sizeof(*k->by_name));
	if (!k->by_name)
		return -ENOMEM;
	for (i = 0; i < k->n; i++)
		k->by_name[i] = &k->by_addr[i];
	qsort(k->by_name, k->n, sizeof(*k->by_name), by_name);
	return 0;
}

int ksyms_load(struct ksyms *k, const char *path)
{
	const char *last_module = NULL;
	FILE *f = fopen(path, "r");
	/* A name takes up to KSYM_NAME_LEN (512) bytes. */
	char line[1024];
	size_t cap = 0;
	int err = 0;

	memset(k, 0, sizeof(*k));
	k->loaded = true;
	k->hidden = true;
	if (!f)
		return -errno;
	/* 160k lines or more: parsed by hand, as sscanf costs most of the
	 * start-up in a slow guest. */
	while (!err && fgets(line, sizeof(line), f)) {
		if (!strchr(line, '\n') && !feof(f)) {
			int c;

			/* Longer than any kallsyms line: not one. */
			while ((c = getc(f)) != EOF && c != '\n')
				;
			continue;
		}
		err = add_line(k, line, &cap, &last_module);
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	if (!err)
		err = index_ksyms(k);
	if (err) {
		ksyms_free(k);
		k->loaded = true;
		k->hidden = true;
	}
	return err;
}

bool ksyms_usable(const struct ksyms *k)
{
	return k->n && !k->hidden;
}

/* Index in BY_NAME of the first symbol whose name is >= NAME. */
static size_t lower_bound(const struct ksyms *k, const char *name)
{
	size_t lo = 0, hi = k->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(k->by_name[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void ksyms_match(const struct ksyms *k, const char *name, bool prefix,
		 void (*fn)(const struct ksym *sym, void *data), void *data)
{
	size_t n = strlen(name), i;

	for (i = lower_bound(k, name); i < k->n; i++) {
		const struct ksym *sym = k->by_name[i];

		if (strncmp(sym->name, name, n))
			break;
		if (prefix || !sym->name[n] || sym->name[n] == '.')
			fn(sym, data);
	}
}

bool ksyms_has(const struct ksyms *k, const char *name)
{
	size_t i = lower_bound(k, name);

	return i < k->n && !strcmp(k->by_name[i]->name, name);
}

const struct ksym *ksyms_at(const struct ksyms *k, unsigned long long addr)
{
	size_t lo = 0, hi = k->n;

	if (!ksyms_usable(k))
		return NULL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr < k->by_addr[mid].addr)
			hi = mid;
		else if (addr >= k->by_addr[mid].end)
			lo = mid + 1;
		else
			return &k->by_addr[mid];
	}
	return NULL;
}
