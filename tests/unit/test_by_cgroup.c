// SPDX-License-Identifier: GPL-2.0
/* serve --by-cgroup's labels: cgroups named by path from their kernfs id
 * (a directory's inode number), the first N with a label of their own,
 * the rest summed under "other", and a label kept once given. A
 * directory tree stands in for the v2 hierarchy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit.h"
#include "by_cgroup.h"
#include "hist.h"
#include "hist_json.h"
#include "json_util.h"

struct tree {
	char root[64];
	char key[4][24];	/* the record key of cgroups a, b, c, d */
};

static const char *const names[4] = { "a", "b", "c", "d" };

static int tree_setup(void **state)
{
	struct tree *t = calloc(1, sizeof(*t));
	char dir[128];
	struct stat st;
	int i;

	if (!t)
		return -1;
	snprintf(t->root, sizeof(t->root), "/tmp/thpscope-cgroups.XXXXXX");
	if (!mkdtemp(t->root))
		return -1;
	for (i = 0; i < 4; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", t->root, names[i]);
		if (mkdir(dir, 0700) || stat(dir, &st))
			return -1;
		snprintf(t->key[i], sizeof(t->key[i]), "%llu", (unsigned long long)st.st_ino);
	}
	*state = t;
	return 0;
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	char dir[128];
	int i;

	for (i = 0; i < 4; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", t->root, names[i]);
		rmdir(dir);
	}
	rmdir(t->root);
	free(t);
	return 0;
}

/* Labels over T's tree, cut at depth 1, at most MAX of them; the ids are
 * learnt on first use, as serve learns a cgroup made after it started. */
static void labels_over(struct cgroup_labels *l, const struct tree *t, unsigned int max)
{
	memset(l, 0, sizeof(*l));
	l->depth = 1;
	l->max = max;
	snprintf(l->mount, sizeof(l->mount), "%s", t->root);
}

/* A part as a harvest files it: a count, a nested count and a histogram
 * of one value. */
static json_t *part(json_int_t n, uint64_t ns)
{
	struct hist h = { 0 };
	json_t *p = json_object();

	h.slots[63 - __builtin_clzll(ns)] = 1;
	h.count = 1;
	h.sum = ns;
	jadd(p, "collapse.attempts", n);
	jadd(p, "split.by_order.9.ok", 2 * n);
	json_object_set_new(jpath(p, "collapse"), "duration_ns", hist_to_json(&h, "ns"));
	return p;
}

static json_t *record_of(const struct tree *t, const int *which, const json_int_t *n, int count)
{
	json_t *rec = json_object(), *cg = jpath(rec, "cgroups");
	int i;

	for (i = 0; i < count; i++)
		json_object_set_new(cg, t->key[which[i]], part(n[i], 1000u << i));
	return rec;
}

static void folded_parts_are_summed(void **state)
{
	const struct tree *t = *state;
	const int which[] = { 0, 1, 2, 3 };
	const json_int_t n[] = { 1, 10, 100, 1000 };
	struct cgroup_labels l;
	json_t *rec = record_of(t, which, n, 4), *other;

	labels_over(&l, t, 2);
	cgroup_labels_apply(&l, rec);
	assert_int_equal(jget_u64(rec, "cgroups./a.collapse.attempts"), 1);
	assert_int_equal(jget_u64(rec, "cgroups./b.collapse.attempts"), 10);
	assert_null(jget(rec, "cgroups./c"));
	other = jget(rec, "cgroups.other");
	assert_non_null(other);
	assert_int_equal(jget_u64(other, "collapse.attempts"), 1100);
	assert_int_equal(jget_u64(other, "split.by_order.9.ok"), 2200);
	assert_int_equal(jget_u64(other, "collapse.duration_ns.count"), 2);
	assert_int_equal(jget_u64(other, "collapse.duration_ns.sum"), 4000 + 8000);
	assert_int_equal(json_array_size(jget(other, "collapse.duration_ns.buckets")), 2);
	assert_int_equal(jget_u64(rec, "cgroups_folded"), 2);
	json_decref(rec);
	cgroup_labels_free(&l);
}

/* A cgroup folded once stays folded, so that "other" only grows, even
 * when the labelled ones go quiet. */
static void labels_are_sticky(void **state)
{
	const struct tree *t = *state;
	const int first[] = { 0, 1, 2 }, later[] = { 2, 3 };
	const json_int_t n1[] = { 1, 10, 100 }, n2[] = { 5, 7 };
	struct cgroup_labels l;
	json_t *rec = record_of(t, first, n1, 3);

	labels_over(&l, t, 2);
	cgroup_labels_apply(&l, rec);
	json_decref(rec);
	rec = record_of(t, later, n2, 2);
	cgroup_labels_apply(&l, rec);
	assert_null(jget(rec, "cgroups./a"));
	assert_int_equal(jget_u64(rec, "cgroups.other.collapse.attempts"), 12);
	assert_int_equal(jget_u64(rec, "cgroups_folded"), 2);
	json_decref(rec);
	cgroup_labels_free(&l);
}

/* Events with no task, and ids no directory has (a cgroup removed before
 * it could be named), get labels of their own kind, never a path. */
static void unnamed_parts(void **state)
{
	const struct tree *t = *state;
	struct cgroup_labels l;
	json_t *rec = json_object(), *cg = jpath(rec, "cgroups");

	json_object_set_new(cg, "none", part(3, 1024));
	json_object_set_new(cg, "18446744073709551614", part(4, 1024));
	json_object_set_new(cg, "not-a-number", part(5, 1024));
	labels_over(&l, t, 8);
	cgroup_labels_apply(&l, rec);
	assert_int_equal(jget_u64(rec, "cgroups.(none).collapse.attempts"), 3);
	assert_int_equal(jget_u64(rec, "cgroups.(gone).collapse.attempts"), 9);
	assert_int_equal(jget_u64(rec, "cgroups_folded"), 0);
	json_decref(rec);
	cgroup_labels_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(folded_parts_are_summed, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(labels_are_sticky, tree_setup, tree_teardown),
		cmocka_unit_test_setup_teardown(unnamed_parts, tree_setup, tree_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
