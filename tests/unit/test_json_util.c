// SPDX-License-Identifier: GPL-2.0
/* Dotted paths, atomic writes, and reading records back with errors that
 * name line and column. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "json_util.h"

static void paths_create_and_add(void **state)
{
	json_t *root = json_object();

	jadd(root, "collapse.by_order.9.succeed", 2);
	jadd(root, "collapse.by_order.9.succeed", 3);
	jadd(root, "top", 1);
	assert_int_equal(jget_u64(root, "collapse.by_order.9.succeed"), 5);
	assert_int_equal(jget_u64(root, "top"), 1);
	assert_int_equal(jget_u64(root, "collapse.by_order.4.succeed"), 0);
	assert_null(jget(root, "collapse.nothing"));
	assert_true(json_is_object(jpath(root, "a.b")));
	assert_non_null(jget(root, "a.b"));
	json_decref(root);
}

static void top_keeps_the_largest(void **state)
{
	json_t *arr = json_array();
	int i;

	for (i = 0; i < 5; i++)
		json_array_append_new(arr, json_pack("{s:i}", "n", i * 7 % 5));
	json_array_top(arr, "n", 3);
	assert_int_equal(json_array_size(arr), 3);
	assert_int_equal(jget_u64(json_array_get(arr, 0), "n"), 4);
	assert_int_equal(jget_u64(json_array_get(arr, 2), "n"), 2);
	json_decref(arr);
}

static char dir[64];

static int make_dir(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/thpscope-unit.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void records_round_trip(void **state)
{
	char path[128];
	json_t *rec = json_object(), *back;

	snprintf(path, sizeof(path), "%s/rec.json", dir);
	json_object_set_new(rec, "schema", json_string(RECORD_SCHEMA));
	jadd(rec, "migration.by_reason.compaction.succeeded", 1034);
	assert_int_equal(json_write_atomic(rec, path), 0);
	back = record_load(path);
	assert_non_null(back);
	assert_true(json_equal(rec, back));
	json_decref(rec);
	json_decref(back);
}

static void failed_writes_leave_nothing(void **state)
{
	char path[128];
	json_t *rec = json_object();

	snprintf(path, sizeof(path), "%s/missing/rec.json", dir);
	assert_int_not_equal(json_write_atomic(rec, path), 0);
	assert_int_not_equal(access(path, F_OK), 0);
	json_decref(rec);
}

/* record_load's one line of error, captured from stderr. */
static void load_error(const char *text, char *err, size_t len)
{
	char path[128], errpath[128];
	FILE *f;
	int saved = dup(2);

	snprintf(path, sizeof(path), "%s/in.json", dir);
	snprintf(errpath, sizeof(errpath), "%s/err", dir);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	assert_non_null(freopen(errpath, "w", stderr));
	assert_null(record_load(path));
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fopen(errpath, "r");
	assert_non_null(fgets(err, len, f));
	fclose(f);
}

static void bad_records_are_refused_with_a_reason(void **state)
{
	char err[256];

	load_error("{\"schema\": \"thpscope-record/1\",\n  \"x\": }\n", err, sizeof(err));
	assert_non_null(strstr(err, "in.json:2:"));
	load_error("{\"schema\": \"thpscope-record/2\"}", err, sizeof(err));
	assert_non_null(strstr(err, "not supported"));
	load_error("{\"other\": 1}", err, sizeof(err));
	assert_non_null(strstr(err, "not a thpscope record"));
	load_error("{\"schema\": \"thpscope-record/1\", \"schema\": \"x\"}", err, sizeof(err));
	assert_non_null(strstr(err, "duplicate"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paths_create_and_add),
		cmocka_unit_test(top_keeps_the_largest),
		cmocka_unit_test_setup_teardown(records_round_trip, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(failed_writes_leave_nothing, make_dir, remove_dir),
		cmocka_unit_test_setup_teardown(bad_records_are_refused_with_a_reason, make_dir, remove_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
