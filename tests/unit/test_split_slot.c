// SPDX-License-Identifier: GPL-2.0
/* The split counts' slot tags: every key that packs comes back whole from
 * its tag, and what does not pack is left to the hash. */
#include <errno.h>
#include <linux/types.h>
#include "unit.h"
#include "split.h"
#include "util.h"

static struct split_key key_of(__u8 old_order, __u8 new_order, __u8 cause, __u8 kind,
			       __u8 uniform, __u8 entry, __s32 result)
{
	struct split_key k = {
		.old_order = old_order, .new_order = new_order, .cause = cause, .kind = kind,
		.uniform = uniform, .entry = entry, .result = result,
	};

	return k;
}

static void assert_round_trip(const struct split_key *k)
{
	__u64 tag = split_key_tag(k);
	struct split_key back;

	assert_true(tag & PROC_SLOT_CLAIMED);
	back = split_tag_key(tag);
	assert_int_equal(back.old_order, k->old_order);
	assert_int_equal(back.new_order, k->new_order);
	assert_int_equal(back.cause, k->cause);
	assert_int_equal(back.kind, k->kind);
	assert_int_equal(back.uniform, k->uniform);
	assert_int_equal(back.entry, k->entry);
	assert_int_equal(back.result, k->result);
	assert_int_equal(back.cgroup, 0);
}

static void every_field_round_trips(void **state)
{
	static const __s32 results[] = { 0, -EAGAIN, -EBUSY, -EINVAL, -ENOMEM, -4095, -65535 };
	unsigned int o, c, kind, u, e, r;
	struct split_key k;

	for (o = 0; o < SPLIT_MAX_ORDER; o++)
		for (c = 0; c < CAUSE_NR; c++)
			for (kind = 0; kind < KIND_NR; kind++)
				for (u = 0; u < 2; u++)
					for (e = 0; e < 2; e++)
						for (r = 0; r < ARRAY_SIZE(results); r++) {
							k = key_of(o, SPLIT_MAX_ORDER - 1 - o, c, kind,
								   u, e, results[r]);
							assert_round_trip(&k);
						}
	k = key_of(255, 255, 255, 15, 1, 1, -65535);
	assert_round_trip(&k);
}

static void distinct_keys_have_distinct_tags(void **state)
{
	struct split_key a = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 1, 0, 0), b;

	b = a; b.old_order = 4;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
	b = a; b.new_order = 1;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
	b = a; b.cause = CAUSE_MADVISE;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
	b = a; b.kind = KIND_FILE;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
	b = a; b.uniform = 0;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
	b = a; b.entry = ENTRY_UNMAPPED;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
	b = a; b.result = -EBUSY;
	assert_true(split_key_tag(&a) != split_key_tag(&b));
}

static void keys_that_do_not_pack_have_no_tag(void **state)
{
	struct split_key k = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 1, 0, 0);

	k.cgroup = 42;
	assert_int_equal(split_key_tag(&k), 0);
	k = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 1, 0, 1);
	assert_int_equal(split_key_tag(&k), 0);
	k = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 1, 0, -65536);
	assert_int_equal(split_key_tag(&k), 0);
	k = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 1, 0, -2147483647 - 1);
	assert_int_equal(split_key_tag(&k), 0);
	k = key_of(9, 0, CAUSE_SHRINKER, 16, 1, 0, 0);
	assert_int_equal(split_key_tag(&k), 0);
	k = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 2, 0, 0);
	assert_int_equal(split_key_tag(&k), 0);
	k = key_of(9, 0, CAUSE_SHRINKER, KIND_ANON, 1, 2, 0);
	assert_int_equal(split_key_tag(&k), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_field_round_trips),
		cmocka_unit_test(distinct_keys_have_distinct_tags),
		cmocka_unit_test(keys_that_do_not_pack_have_no_tag),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
