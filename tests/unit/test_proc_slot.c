// SPDX-License-Identifier: GPL-2.0
/* The per-process slots of the collapse and migration families: where a
 * key's tag goes, how a slot is claimed, and the tags of their keys. */
#include <linux/types.h>
#include <stdbool.h>
#include <string.h>
#include "unit.h"
#include "collapse.h"
#include "migrate.h"

/* The slots, as proc_slot_lookup() in thpscope.bpf.h walks the map. */
static __u64 slots[PROC_SLOTS];

static int lookup(__u64 tag, bool *new)
{
	enum proc_slot_claim claim;
	__u32 i, idx;

	for (i = 0; i < PROC_SLOT_TRIES; i++) {
		idx = proc_slot_index(tag, i);
		claim = proc_slot_claim(&slots[idx], tag);
		if (claim != PROC_SLOT_TAKEN) {
			*new = claim == PROC_SLOT_NEW;
			return idx;
		}
	}
	return -1;
}

static int clear_slots(void **state)
{
	memset(slots, 0, sizeof(slots));
	return 0;
}

static void tries_are_consecutive_slots(void **state)
{
	__u64 tag = proc_slot_tgid_tag(4321);
	__u32 first = proc_slot_index(tag, 0), i;

	for (i = 0; i < PROC_SLOT_TRIES; i++) {
		assert_true(proc_slot_index(tag, i) < PROC_SLOTS);
		assert_int_equal(proc_slot_index(tag, i), (first + i) % PROC_SLOTS);
	}
}

static void a_slot_is_claimed_once_and_found_again(void **state)
{
	__u64 word = 0;

	assert_int_equal(proc_slot_claim(&word, 7), PROC_SLOT_NEW);
	assert_int_equal(word, 7);
	assert_int_equal(proc_slot_claim(&word, 7), PROC_SLOT_FOUND);
	assert_int_equal(proc_slot_claim(&word, 8), PROC_SLOT_TAKEN);
	assert_int_equal(word, 7);
}

/* Half the array of consecutive tgids, as a busy machine has them: every
 * one gets a slot of its own, claimed once and found again. */
static void consecutive_tgids_all_fit_at_half_load(void **state)
{
	__u32 n = PROC_SLOTS / 2, tgid, claimed = 0;
	static int where[PROC_SLOTS / 2];
	bool new;
	int idx;

	for (tgid = 1000; tgid < 1000 + n; tgid++) {
		idx = lookup(proc_slot_tgid_tag(tgid), &new);
		assert_true(idx >= 0);
		assert_true(new);
		where[tgid - 1000] = idx;
		claimed++;
	}
	assert_int_equal(claimed, n);
	for (tgid = 1000; tgid < 1000 + n; tgid++) {
		idx = lookup(proc_slot_tgid_tag(tgid), &new);
		assert_int_equal(idx, where[tgid - 1000]);
		assert_false(new);
		assert_int_equal(proc_slot_tag_tgid(slots[idx]), tgid);
	}
}

/* A key whose every try holds another is dropped, and takes nothing. */
static void a_key_whose_tries_are_taken_is_dropped(void **state)
{
	__u64 tag = proc_slot_tgid_tag(77);
	__u32 i;
	bool new;

	for (i = 0; i < PROC_SLOT_TRIES; i++)
		slots[proc_slot_index(tag, i)] = proc_slot_tgid_tag(100000 + i);
	assert_int_equal(lookup(tag, &new), -1);
	for (i = 0; i < PROC_SLOT_TRIES; i++)
		assert_int_equal(slots[proc_slot_index(tag, i)], proc_slot_tgid_tag(100000 + i));
	/* One freed try (a fresh array) and it fits there. */
	slots[proc_slot_index(tag, 2)] = 0;
	assert_int_equal(lookup(tag, &new), proc_slot_index(tag, 2));
	assert_true(new);
}

static void migrate_tags_round_trip(void **state)
{
	struct migrate_key k;
	__u64 tag;

	/* The lowest key is still a claimed tag, never a free slot's 0. */
	assert_int_equal(migrate_proc_tag(0, 0, 0), PROC_SLOT_CLAIMED);
	tag = migrate_proc_tag(4194304, 255, 3);
	assert_true(tag & PROC_SLOT_CLAIMED);
	k = migrate_proc_key(tag);
	assert_int_equal(k.tgid, 4194304);
	assert_int_equal(k.reason, 255);
	assert_int_equal(k.mode, 3);
	assert_int_equal(k.cgroup, 0);
	assert_int_not_equal(migrate_proc_tag(5, 1, 2), migrate_proc_tag(5, 2, 1));
	/* What does not fit a byte is left to the hash. */
	assert_int_equal(migrate_proc_tag(5, 256, 0), 0);
	assert_int_equal(migrate_proc_tag(5, -1, 0), 0);
	assert_int_equal(migrate_proc_tag(5, 0, 256), 0);
	assert_int_equal(migrate_proc_tag(5, 0, -1), 0);
}

/* A slot is a cache line or two; the counts a hot event adds to share
 * the tag's. */
static void counts_share_the_tags_cache_line(void **state)
{
	assert_int_equal(sizeof(struct collapse_proc) % 64, 0);
	assert_int_equal(sizeof(struct migrate_proc) % 64, 0);
	/* Both sources': MADV_COLLAPSE's too. */
	assert_true(offsetof(struct collapse_proc, by_source[SRC_NR]) <= 64);
	assert_true(offsetof(struct migrate_proc, val.large_folio_split) + sizeof(__u64) <= 64);
	assert_int_equal(proc_slot_tag_tgid(proc_slot_tgid_tag(0xfffffffe)), 0xfffffffe);
}

/* A hot tier is the value of a one-entry map the kernel allocates with
 * kmalloc: 32 KB at most with the array's header. */
static void hot_tiers_fit_a_kmalloc(void **state)
{
	assert_true(PROC_HOT_BYTES + 1024 <= 32 * 1024);
	assert_true(sizeof(struct collapse_procs_hot) <= PROC_HOT_BYTES);
	assert_true(sizeof(struct migrate_procs_hot) <= PROC_HOT_BYTES);
	/* As many slots as fit, not fewer. */
	assert_true(PROC_HOT_BYTES - sizeof(struct collapse_procs_hot) <
		    sizeof(struct collapse_proc));
	assert_true(PROC_HOT_BYTES - sizeof(struct migrate_procs_hot) <
		    sizeof(struct migrate_proc));
}

/* Every tag's hot slots are among the N, and half a tier of consecutive
 * tgids, from each of five starts, each have a first slot of their own. */
static void hot_slots_in_range_and_spread(void **state)
{
	static const __u32 starts[] = { 1, 1000, 30000, 4000000, 0xfffffff0 - 128 };
	static const __u32 sizes[] = { 1, 7, COLLAPSE_HOT_SLOTS, MIGRATE_HOT_SLOTS };
	bool seen[COLLAPSE_HOT_SLOTS];
	__u32 i, k, idx, try;
	__u64 tag;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (tag = 1; tag < 100000; tag += 7) {
			for (try = 0; try < PROC_HOT_TRIES && try < sizes[i]; try++) {
				assert_true(proc_slot_hot_index(proc_slot_tgid_tag(tag), sizes[i],
								try) < sizes[i]);
				assert_true(proc_slot_hot_index(tag * 0x9e3779b97f4a7c15ULL,
								sizes[i], try) < sizes[i]);
			}
		}
	for (i = 0; i < sizeof(starts) / sizeof(starts[0]); i++) {
		memset(seen, 0, sizeof(seen));
		for (k = 0; k < COLLAPSE_HOT_SLOTS / 2; k++) {
			idx = proc_slot_hot_index(proc_slot_tgid_tag(starts[i] + k),
						  COLLAPSE_HOT_SLOTS, 0);
			assert_false(seen[idx]);
			seen[idx] = true;
		}
	}
}

/*
 * Tgids scattered as a host's are, 100 of them in a tier of
 * COLLAPSE_HOT_SLOTS, placed as proc_slot_lookup_tiered() places them
 * with TRIES tries: the fewest of 20 draws that found a hot slot. Each
 * draw also checks that a slot went to one tgid and a tgid to one slot.
 */
static __u32 fewest_hot(__u32 tries)
{
	__u64 tags[COLLAPSE_HOT_SLOTS], tag, rng;
	__u32 seed, k, i, j, try, hot, held, worst = 100;
	enum proc_slot_claim claim;

	for (seed = 1; seed <= 20; seed++) {
		memset(tags, 0, sizeof(tags));
		rng = seed * 0x2545f4914f6cdd1dULL;
		for (k = 0, hot = 0; k < 100; k++) {
			rng ^= rng << 13;
			rng ^= rng >> 7;
			rng ^= rng << 17;
			tag = proc_slot_tgid_tag(1 + rng % 4194304);
			for (try = 0; try < tries; try++) {
				claim = proc_slot_claim(&tags[proc_slot_hot_index(tag,
						COLLAPSE_HOT_SLOTS, try)], tag);
				if (claim != PROC_SLOT_TAKEN) {
					hot += claim == PROC_SLOT_NEW;
					break;
				}
			}
		}
		for (i = 0, held = 0; i < COLLAPSE_HOT_SLOTS; i++) {
			if (!tags[i])
				continue;
			held++;
			for (j = i + 1; j < COLLAPSE_HOT_SLOTS; j++)
				assert_false(tags[j] == tags[i]);
		}
		assert_int_equal(held, hot);
		if (hot < worst)
			worst = hot;
	}
	return worst;
}

/* Nearly all find a hot slot with PROC_HOT_TRIES tries; with one, about a
 * fifth would not. */
static void scattered_tgids_mostly_hot(void **state)
{
	__u32 one = fewest_hot(1), all = fewest_hot(PROC_HOT_TRIES);

	print_message("# fewest of 100 scattered tgids with a hot slot, 20 draws: %u, with one try %u\n",
		      all, one);
	assert_true(all >= 95);
	assert_true(one <= 85);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tries_are_consecutive_slots),
		cmocka_unit_test(a_slot_is_claimed_once_and_found_again),
		cmocka_unit_test_setup(consecutive_tgids_all_fit_at_half_load, clear_slots),
		cmocka_unit_test_setup(a_key_whose_tries_are_taken_is_dropped, clear_slots),
		cmocka_unit_test(migrate_tags_round_trip),
		cmocka_unit_test(counts_share_the_tags_cache_line),
		cmocka_unit_test(hot_tiers_fit_a_kmalloc),
		cmocka_unit_test(hot_slots_in_range_and_spread),
		cmocka_unit_test(scattered_tgids_mostly_hot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
