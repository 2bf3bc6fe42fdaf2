// SPDX-License-Identifier: GPL-2.0
/* Enum names come from BTF: prefix stripped, lower-cased, sentinels left
 * out, unknown values named by a fallback. */
#include <errno.h>
#include <bpf/btf.h>
#include "unit.h"
#include "btf_enum.h"

static struct btf *make_btf(void)
{
	struct btf *btf = btf__new_empty();

	btf__add_enum(btf, "scan_result", 4);
	btf__add_enum_value(btf, "SCAN_FAIL", 0);
	btf__add_enum_value(btf, "SCAN_SUCCEED", 1);
	btf__add_enum_value(btf, "SCAN_EXCEED_NONE_PTE", 4);
	btf__add_enum(btf, "migrate_reason", 4);
	btf__add_enum_value(btf, "MR_COMPACTION", 0);
	btf__add_enum_value(btf, "MR_NUMA_MISPLACED", 5);
	btf__add_enum_value(btf, "MR_TYPES", 10);
	btf__add_enum(btf, "mthp_stat_item", 4);
	btf__add_enum_value(btf, "MTHP_STAT_SPLIT", 12);
	btf__add_enum_value(btf, "__MTHP_STAT_COUNT", 17);
	return btf;
}

static void names_are_stripped_and_lowered(void **state)
{
	struct btf *btf = make_btf();
	struct enum_names e;
	char buf[32];

	assert_int_equal(enum_names_load(&e, btf, "scan_result", "SCAN_", "result"), 0);
	assert_string_equal(enum_name(&e, 1, buf, sizeof(buf)), "succeed");
	assert_string_equal(enum_name(&e, 4, buf, sizeof(buf)), "exceed_none_pte");
	assert_int_equal(enum_value(&e, "fail"), 0);
	assert_int_equal(enum_value(&e, "nope"), -1);
	enum_names_free(&e);
	btf__free(btf);
}

static void unknown_values_get_the_fallback(void **state)
{
	struct btf *btf = make_btf();
	struct enum_names e;
	char buf[32];

	enum_names_load(&e, btf, "scan_result", "SCAN_", "result");
	assert_string_equal(enum_name(&e, 29, buf, sizeof(buf)), "result_29");
	assert_string_equal(enum_name(&e, -3, buf, sizeof(buf)), "result_-3");
	enum_names_free(&e);
	btf__free(btf);
}

static void sentinels_are_not_names(void **state)
{
	struct btf *btf = make_btf();
	struct enum_names e;
	char buf[32];

	enum_names_load(&e, btf, "migrate_reason", "MR_", "reason");
	assert_int_equal(e.n, 2);
	assert_string_equal(enum_name(&e, 5, buf, sizeof(buf)), "numa_misplaced");
	assert_string_equal(enum_name(&e, 10, buf, sizeof(buf)), "reason_10");
	enum_names_free(&e);
	enum_names_load(&e, btf, "mthp_stat_item", "MTHP_STAT_", "stat");
	assert_int_equal(e.n, 1);
	enum_names_free(&e);
	btf__free(btf);
}

static void a_missing_enum_still_decodes(void **state)
{
	struct btf *btf = make_btf();
	struct enum_names e;
	char buf[32];

	assert_int_equal(enum_names_load(&e, btf, "no_such_enum", "X_", "value"), -ENOENT);
	assert_string_equal(enum_name(&e, 3, buf, sizeof(buf)), "value_3");
	enum_names_free(&e);
	btf__free(btf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_are_stripped_and_lowered),
		cmocka_unit_test(unknown_values_get_the_fallback),
		cmocka_unit_test(sentinels_are_not_names),
		cmocka_unit_test(a_missing_enum_still_decodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
