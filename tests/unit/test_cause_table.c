// SPDX-License-Identifier: GPL-2.0
/* The split-cause rules over a made-up symbol table: which functions each
 * kind of pattern names (exact, with a compiler suffix, a '*' prefix),
 * what cause, tiers and rank their ranges carry, and the cause the BPF
 * classifier draws from those ranges for a stack of such functions. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "cause_table.h"
#include "ksyms.h"
#include "util.h"

/* The made-up kernel: function I at 0x1000 times I plus one, each
 * running to the next. */
static const char *const kernel[] = {
	"__folio_split", "__folio_put", "__split_huge_pmd", "__x64_sys_madvise",
	"deferred_split_scan", "do_shrink_slab", "do_vmi_align_munmap",
	"free_unref_folios", "madvise", "madvise_cold_or_pageout_pte_range",
	"memory_failure", "migrate_device_pfn_lock", "migrate_device_pfn_lock.cold",
	"migrate_pages", "migrate_pages_batch", "migrate_pages_sync",
	"migrate_vma_setup", "move_vma.isra.0", "shrink_folio_list.cold",
	"shrink_folio_list_tail", "split_huge_pages_write", "zap_pmd_range",
};

static char path[] = "/tmp/thpscope-causes.XXXXXX";

/* Load into K the symbols NAMES at ADDRS, written as /proc/kallsyms. */
static void load_table(struct ksyms *k, const char *const *names,
		       const unsigned long long *addrs, size_t n)
{
	FILE *f = fopen(path, "w");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%016llx T %s\n", addrs[i], names[i]);
	fclose(f);
	assert_int_equal(ksyms_load(k, path), 0);
}

static struct ksyms table;
static struct cause_range ranges[MAX_CAUSE_RANGES];
static int nranges;

static unsigned long long addr_of(const char *name)
{
	size_t k;

	for (k = 0; k < ARRAY_SIZE(kernel); k++)
		if (!strcmp(kernel[k], name))
			return 0x1000 * (k + 1);
	fail_msg("%s is not in the table", name);
	return 0;
}

static int resolve_kernel(void **state)
{
	unsigned long long addrs[ARRAY_SIZE(kernel)];
	size_t i;
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	for (i = 0; i < ARRAY_SIZE(kernel); i++)
		addrs[i] = 0x1000 * (i + 1);
	load_table(&table, kernel, addrs, ARRAY_SIZE(kernel));
	nranges = causes_match(&table, ranges, ARRAY_SIZE(ranges));
	return 0;
}

static int free_kernel(void **state)
{
	ksyms_free(&table);
	unlink(path);
	return 0;
}

static const struct cause_range *range_of(const char *name)
{
	unsigned long long addr = addr_of(name);
	int i;

	for (i = 0; i < nranges; i++)
		if (ranges[i].start <= addr && addr < ranges[i].end)
			return &ranges[i];
	return NULL;
}

static void assert_rule(const char *name, unsigned int cause, unsigned int tiers,
			unsigned int rank)
{
	const struct cause_range *r = range_of(name);

	if (!r)
		fail_msg("%s: no rule names it", name);
	assert_string_equal(cause_name(r->cause), cause_name(cause));
	assert_int_equal(r->tiers, tiers);
	assert_int_equal(r->rank, rank);
}

/* The BPF classifier's rule (bpf/causes.bpf.h): of the frames, innermost
 * first, whose range may explain TIER, the highest rank; the innermost
 * of those on a tie; "other" when none. */
static const char *classify(const char *const *frames, unsigned int tier)
{
	unsigned int cause = CAUSE_OTHER, rank = 0;

	for (; *frames; frames++) {
		const struct cause_range *r = range_of(*frames);

		if (r && (r->tiers & tier) && r->rank > rank) {
			rank = r->rank;
			cause = r->cause;
		}
	}
	return cause_name(cause);
}

static void names_complete(void **state)
{
	unsigned int c, d;

	assert_string_equal(cause_name(CAUSE_OTHER), "other");
	for (c = 1; c < CAUSE_NR; c++) {
		const char *name = cause_name(c);

		if (!strcmp(name, "other"))
			fail_msg("cause %u has no name", c);
		for (d = 0; d < c; d++)
			if (!strcmp(name, cause_name(d)))
				fail_msg("causes %u and %u are both \"%s\"", d, c, name);
	}
	assert_string_equal(cause_name(CAUSE_NR), "other");
	assert_string_equal(cause_name(~0U), "other");
}

static void exact_names(void **state)
{
	assert_rule("deferred_split_scan", CAUSE_SHRINKER, TIER_FOLIO | TIER_DEQUEUE, 6);
	assert_rule("__folio_split", CAUSE_FOLIO_SPLIT, TIER_PMD, 10);
	assert_rule("zap_pmd_range", CAUSE_MUNMAP, TIER_PMD, 2);
	assert_rule("free_unref_folios", CAUSE_FREE, TIER_DEQUEUE, 3);
	assert_rule("migrate_pages", CAUSE_MIGRATION, TIER_FOLIO | TIER_PMD | TIER_DEQUEUE, 6);
	assert_rule("migrate_pages_batch", CAUSE_MIGRATION,
		    TIER_FOLIO | TIER_PMD | TIER_DEQUEUE, 6);
	/* An exact name is not a prefix. */
	assert_null(range_of("migrate_pages_sync"));
	assert_null(range_of("shrink_folio_list_tail"));
}

/* The compiler's clones (".isra.0", ".cold") are the function's own. */
static void compiler_suffixes(void **state)
{
	assert_rule("move_vma.isra.0", CAUSE_MREMAP, TIER_PMD, 5);
	assert_rule("shrink_folio_list.cold", CAUSE_RECLAIM,
		    TIER_FOLIO | TIER_PMD | TIER_DEQUEUE, 5);
}

static void prefixes(void **state)
{
	assert_rule("split_huge_pages_write", CAUSE_DEBUGFS, TIER_FOLIO, 9);
	assert_rule("madvise_cold_or_pageout_pte_range", CAUSE_MADVISE, TIER_FOLIO | TIER_PMD, 8);
	assert_rule("migrate_vma_setup", CAUSE_DEVICE_MIGRATION, TIER_FOLIO | TIER_PMD, 7);
	/* "memory_failure*" has no '_' before its '*': the name itself too. */
	assert_rule("memory_failure", CAUSE_MEMORY_FAILURE, TIER_FOLIO | TIER_PMD, 9);
	/* "madvise_*" needs its '_'. */
	assert_null(range_of("madvise"));
	/* A per-page helper the prefix names that never reaches a split. */
	assert_null(range_of("migrate_device_pfn_lock"));
	assert_null(range_of("migrate_device_pfn_lock.cold"));
}

static void sorted_and_bounded(void **state)
{
	const struct cause_range *r = range_of("__folio_split");
	int i;

	assert_in_range(nranges, 1, ARRAY_SIZE(kernel));
	for (i = 1; i < nranges; i++)
		assert_true(ranges[i - 1].end <= ranges[i].start);
	/* A range is its function's extent: up to the next symbol. */
	assert_non_null(r);
	assert_int_equal(r->start, addr_of("__folio_split"));
	assert_int_equal(r->end, addr_of("__folio_put"));
	/* A full OUT keeps what fits. */
	assert_int_equal(causes_match(&table, ranges, 2), 2);
	nranges = causes_match(&table, ranges, ARRAY_SIZE(ranges));
}

static void unknown_stack_is_other(void **state)
{
	const char *const stack[] = { "do_shrink_slab", "__x64_sys_madvise", "madvise", NULL };
	const char *const pmd_only[] = { "zap_pmd_range", "__folio_split", NULL };

	assert_null(range_of("do_shrink_slab"));
	assert_string_equal(classify(stack, TIER_FOLIO), "other");
	/* Known functions that cannot explain this tier explain nothing. */
	assert_string_equal(classify(pmd_only, TIER_FOLIO), "other");
	assert_string_equal(classify(pmd_only, TIER_DEQUEUE), "other");
}

static void highest_rank_explains(void **state)
{
	const char *const shrinker[] = { "__folio_split", "deferred_split_scan",
		"do_shrink_slab", "shrink_folio_list.cold", NULL };
	const char *const debugfs[] = { "__split_huge_pmd", "__folio_split",
		"split_huge_pages_write", NULL };
	const char *const madvise[] = { "shrink_folio_list.cold",
		"madvise_cold_or_pageout_pte_range", NULL };
	const char *const munmap[] = { "__split_huge_pmd", "zap_pmd_range",
		"do_vmi_align_munmap", NULL };
	const char *const migrated[] = { "__folio_put", "migrate_pages_batch", NULL };

	/* The shrinker (6) over the reclaim that ran it (5). */
	assert_string_equal(classify(shrinker, TIER_FOLIO), "shrinker");
	/* A PMD split inside a folio split belongs to it (10 over 9); the
	 * folio split's own reason is debugfs. */
	assert_string_equal(classify(debugfs, TIER_PMD), "folio_split");
	assert_string_equal(classify(debugfs, TIER_FOLIO), "debugfs");
	/* The syscall-level reason over the mechanism. */
	assert_string_equal(classify(madvise, TIER_FOLIO), "madvise");
	assert_string_equal(classify(munmap, TIER_PMD), "munmap");
	/* A folio freed by migration left the queue migrated. */
	assert_string_equal(classify(migrated, TIER_DEQUEUE), "migration_fallback");
}

/* Equal ranks: the innermost frame explains. */
static void rank_ties(void **state)
{
	const char *const migration_first[] = { "migrate_pages_batch", "deferred_split_scan",
		NULL };
	const char *const shrinker_first[] = { "deferred_split_scan", "migrate_pages_batch",
		NULL };

	assert_string_equal(classify(migration_first, TIER_FOLIO), "migration_fallback");
	assert_string_equal(classify(shrinker_first, TIER_FOLIO), "shrinker");
}

/* One function under two names that two rules give: the higher rank
 * keeps its range, whichever rule comes first in the table. */
static void aliases_keep_the_higher_rank(void **state)
{
	static const char *const names[] = {
		"split_huge_pages_write", "__folio_split", "zap_pmd_range", "do_vmi_align_munmap",
	};
	static const unsigned long long addrs[] = { 0x1000, 0x1000, 0x2000, 0x2000 };
	struct cause_range r[4];
	struct ksyms t;

	load_table(&t, names, addrs, ARRAY_SIZE(names));
	assert_int_equal(causes_match(&t, r, ARRAY_SIZE(r)), 2);
	ksyms_free(&t);
	assert_string_equal(cause_name(r[0].cause), "folio_split");
	assert_int_equal(r[0].rank, 10);
	assert_string_equal(cause_name(r[1].cause), "munmap");
	assert_int_equal(r[1].rank, 4);
}

/* The context rule (bpf/cause_context.bpf.h) over the same stacks: of
 * the frames whose functions are HOOKED, the highest rank for TIER, the
 * innermost on a tie; an answer only above the floor, else NULL (the
 * stack is walked). */
static const char *from_context(const char *const *frames, unsigned int tier,
				const bool *hooked, const __u8 *floor)
{
	unsigned int cause = CAUSE_OTHER, rank = 0;

	for (; *frames; frames++) {
		const struct cause_range *r = range_of(*frames);

		if (r && hooked[r - ranges] && (r->tiers & tier) && r->rank > rank) {
			rank = r->rank;
			cause = r->cause;
		}
	}
	return rank && rank > floor[tier] ? cause_name(cause) : NULL;
}

/* Per-page functions carry no context probe; the floors are what the
 * unhooked ranges could still outrank, and wherever a context answers,
 * it answers as the stack walk does. */
static void context_floors(void **state)
{
	const char *const *const stacks[] = {
		(const char *const[]){ "__folio_split", "deferred_split_scan", "do_shrink_slab",
				       "shrink_folio_list.cold", NULL },
		(const char *const[]){ "__split_huge_pmd", "__folio_split", "split_huge_pages_write",
				       NULL },
		(const char *const[]){ "shrink_folio_list.cold", "madvise_cold_or_pageout_pte_range",
				       NULL },
		(const char *const[]){ "__split_huge_pmd", "zap_pmd_range", "do_vmi_align_munmap",
				       NULL },
		(const char *const[]){ "__split_huge_pmd", "zap_pmd_range", NULL },
		(const char *const[]){ "migrate_pages_batch", "deferred_split_scan", NULL },
	};
	static const unsigned int tiers[] = { TIER_FOLIO, TIER_PMD };
	bool hooked[MAX_CAUSE_RANGES];
	__u8 floor[TIER_DEQUEUE + 1];
	size_t i, k;
	int j;

	assert_false(range_of("zap_pmd_range")->watched);
	assert_false(range_of("__folio_put")->watched);
	assert_true(range_of("deferred_split_scan")->watched);
	assert_true(range_of("madvise_cold_or_pageout_pte_range")->watched);

	for (j = 0; j < nranges; j++)
		hooked[j] = ranges[j].watched;
	causes_floors(ranges, hooked, nranges, floor);
	assert_int_equal(floor[TIER_FOLIO], 0);
	assert_int_equal(floor[TIER_PMD], 2);		/* zap_pmd_range */
	assert_int_equal(floor[TIER_DEQUEUE], 3);	/* __folio_put, free_unref_folios */
	assert_string_equal(from_context(stacks[0], TIER_FOLIO, hooked, floor), "shrinker");
	assert_string_equal(from_context(stacks[3], TIER_PMD, hooked, floor), "munmap");
	/* Only the per-page frame: the stack decides. */
	assert_null(from_context(stacks[4], TIER_PMD, hooked, floor));
	for (i = 0; i < ARRAY_SIZE(stacks); i++)
		for (k = 0; k < ARRAY_SIZE(tiers); k++) {
			const char *c = from_context(stacks[i], tiers[k], hooked, floor);

			if (c)
				assert_string_equal(c, classify(stacks[i], tiers[k]));
		}

	/* A madvise function that could not be hooked: below its rank (8)
	 * no context decides. */
	hooked[range_of("madvise_cold_or_pageout_pte_range") - ranges] = false;
	causes_floors(ranges, hooked, nranges, floor);
	assert_int_equal(floor[TIER_FOLIO], 8);
	assert_int_equal(floor[TIER_PMD], 8);
	assert_null(from_context(stacks[0], TIER_FOLIO, hooked, floor));
	assert_string_equal(from_context(stacks[1], TIER_FOLIO, hooked, floor), "debugfs");
	assert_string_equal(from_context(stacks[1], TIER_PMD, hooked, floor), "folio_split");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_complete),
		cmocka_unit_test(exact_names),
		cmocka_unit_test(compiler_suffixes),
		cmocka_unit_test(prefixes),
		cmocka_unit_test(sorted_and_bounded),
		cmocka_unit_test(unknown_stack_is_other),
		cmocka_unit_test(highest_rank_explains),
		cmocka_unit_test(rank_ties),
		cmocka_unit_test(aliases_keep_the_higher_rank),
		cmocka_unit_test(context_floors),
	};

	return cmocka_run_group_tests(tests, resolve_kernel, free_kernel);
}
