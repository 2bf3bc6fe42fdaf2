// SPDX-License-Identifier: GPL-2.0
/* The collapse outcome array: every key it indexes comes back whole from
 * its slot, and what it cannot index is left to the hash. */
#include <linux/types.h>
#include "unit.h"
#include "collapse.h"

static struct collapse_key key_of(__u8 event, __u8 source, __u8 order, __s32 result)
{
	struct collapse_key k = {
		.event = event, .source = source, .order = order, .result = result,
	};

	return k;
}

/* Whether EVENT's records carry an order (the attempts do). */
static int has_order(unsigned int event)
{
	return event == CE_COLLAPSE || event == CE_ISOLATE || event == CE_SWAPIN;
}

static void every_indexed_key_round_trips(void **state)
{
	static unsigned char seen[COLLAPSE_SLOTS];
	struct collapse_key k, back;
	unsigned int e, s, o, r, slot, n = 0;

	for (e = 0; e < CE_NR; e++)
		for (s = 0; s < SRC_NR; s++)
			for (o = 0; o < (has_order(e) ? COLLAPSE_ORDER_SLOTS : 1); o++)
				for (r = 0; r < COLLAPSE_RESULT_SLOTS; r++) {
					k = key_of(e, s, has_order(e) ? o : ORDER_NONE, r);
					slot = collapse_slot(&k);
					assert_true(slot < COLLAPSE_SLOTS);
					/* assert_true() does not return when it fails,
					 * which the compiler cannot see: without this,
					 * it warns of seen[] written past its end. */
					if (slot >= COLLAPSE_SLOTS)
						return;
					assert_int_equal(seen[slot], 0);
					seen[slot] = 1;
					n++;
					back = collapse_slot_key(slot);
					assert_int_equal(back.event, k.event);
					assert_int_equal(back.source, k.source);
					assert_int_equal(back.order, k.order);
					assert_int_equal(back.result, k.result);
					assert_int_equal(back.cgroup, 0);
				}
	assert_int_equal(n, COLLAPSE_SLOTS);
}

/* The array, with the map's own header (struct bpf_array, under 1 KB),
 * stays within what the kernel allocates with kmalloc. */
static void the_array_fits_a_kmalloc(void **state)
{
	assert_true(sizeof(struct collapse_outcomes) <= 32768 - 1024);
}

static void keys_beyond_the_array_have_no_slot(void **state)
{
	struct collapse_key k;

	k = key_of(CE_COLLAPSE, SRC_MADVISE, 9, COLLAPSE_RESULT_SLOTS);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
	k = key_of(CE_COLLAPSE, SRC_MADVISE, 9, -1);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
	k = key_of(CE_COLLAPSE, SRC_MADVISE, COLLAPSE_ORDER_SLOTS, 1);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
	/* An attempt without an order, a scan with one. */
	k = key_of(CE_ISOLATE, SRC_KHUGEPAGED, ORDER_NONE, 1);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
	k = key_of(CE_SCAN_PMD, SRC_KHUGEPAGED, 9, 1);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
	k = key_of(CE_NR, SRC_MADVISE, ORDER_NONE, 1);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
	k = key_of(CE_SCAN_PMD, SRC_NR, ORDER_NONE, 1);
	assert_int_equal(collapse_slot(&k), COLLAPSE_SLOTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_indexed_key_round_trips),
		cmocka_unit_test(keys_beyond_the_array_have_no_slot),
		cmocka_unit_test(the_array_fits_a_kmalloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
