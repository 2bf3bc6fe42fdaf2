// SPDX-License-Identifier: GPL-2.0
/* The kernel's BTF from a file: enum names read once per spec and kept
 * when the BTF is released, read from a reloaded BTF when first asked
 * after, fallback names without BTF; members found through anonymous
 * unions and structs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "unit.h"
#include "kernel_btf.h"

static char path[] = "/tmp/thpscope-btf.XXXXXX";

static const struct enum_spec scan_result = { "scan_result", "SCAN_", "result" };
static const struct enum_spec migrate_mode = { "migrate_mode", "MIGRATE_", "mode" };
static const struct enum_spec absent = { "no_such_enum", "X_", "value" };

/* struct folio { int flags; const union { struct { long lru; long mapping; };
 * int order; }; }; struct page; and two enums. */
static int write_btf(void **state)
{
	struct btf *btf = btf__new_empty();
	int i32, i64, inner, uni, const_uni;
	const void *raw;
	__u32 size;
	FILE *f;

	if (!btf)
		return -1;
	i32 = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
	i64 = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);
	inner = btf__add_struct(btf, NULL, 16);
	btf__add_field(btf, "lru", i64, 0, 0);
	btf__add_field(btf, "mapping", i64, 64, 0);
	uni = btf__add_union(btf, NULL, 16);
	btf__add_field(btf, NULL, inner, 0, 0);
	btf__add_field(btf, "order", i32, 0, 0);
	const_uni = btf__add_const(btf, uni);
	btf__add_struct(btf, "folio", 24);
	btf__add_field(btf, "flags", i32, 0, 0);
	btf__add_field(btf, NULL, const_uni, 64, 0);
	btf__add_fwd(btf, "page", BTF_FWD_STRUCT);
	btf__add_enum(btf, "scan_result", 4);
	btf__add_enum_value(btf, "SCAN_FAIL", 0);
	btf__add_enum_value(btf, "SCAN_SUCCEED", 1);
	btf__add_enum(btf, "migrate_mode", 4);
	btf__add_enum_value(btf, "MIGRATE_ASYNC", 0);
	btf__add_enum_value(btf, "MIGRATE_SYNC", 2);
	raw = btf__raw_data(btf, &size);
	f = fopen(path, "w");
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f))
		return -1;
	btf__free(btf);
	return 0;
}

static void enums_are_read_once_and_kept(void **state)
{
	struct kernel_btf *kb = kernel_btf_new(path);
	const struct enum_names *scan, *mode;
	char buf[32];

	assert_non_null(kernel_btf_get(kb));
	scan = kernel_btf_enum(kb, &scan_result);
	assert_string_equal(enum_name(scan, 1, buf, sizeof(buf)), "succeed");
	assert_ptr_equal(kernel_btf_enum(kb, &scan_result), scan);
	kernel_btf_release(kb);
	/* Kept, and still the same. */
	assert_ptr_equal(kernel_btf_enum(kb, &scan_result), scan);
	assert_string_equal(enum_name(scan, 0, buf, sizeof(buf)), "fail");
	/* First asked with the BTF released: read from a BTF loaded for it,
	 * which is not kept (the file is gone, so a BTF kept would show). */
	mode = kernel_btf_enum(kb, &migrate_mode);
	assert_int_equal(unlink(path), 0);
	assert_null(kernel_btf_get(kb));
	assert_string_equal(enum_name(mode, 2, buf, sizeof(buf)), "sync");
	assert_string_equal(enum_name(mode, 7, buf, sizeof(buf)), "mode_7");
	assert_string_equal(enum_name(scan, 1, buf, sizeof(buf)), "succeed");
	kernel_btf_free(kb);
	assert_int_equal(write_btf(state), 0);
}

static void without_the_enum_or_the_btf(void **state)
{
	struct kernel_btf *kb = kernel_btf_new(path);
	struct kernel_btf *none = kernel_btf_new("/nonexistent/vmlinux");
	const struct enum_names *e;
	char buf[32];

	e = kernel_btf_enum(kb, &absent);
	assert_int_equal(e->n, 0);
	assert_string_equal(enum_name(e, 3, buf, sizeof(buf)), "value_3");
	assert_null(kernel_btf_get(none));
	e = kernel_btf_enum(none, &scan_result);
	assert_int_equal(e->n, 0);
	assert_string_equal(enum_name(e, 1, buf, sizeof(buf)), "result_1");
	assert_ptr_equal(kernel_btf_enum(none, &scan_result), e);
	e = kernel_btf_enum(NULL, &scan_result);
	assert_string_equal(enum_name(e, 1, buf, sizeof(buf)), "value_1");
	kernel_btf_free(none);
	kernel_btf_free(kb);
	kernel_btf_free(NULL);
}

static void members_at_any_depth(void **state)
{
	struct kernel_btf *kb = kernel_btf_new(path);
	struct btf *btf = kernel_btf_get(kb);

	assert_non_null(btf);
	assert_true(btf_has_member(btf, "folio", "flags"));
	assert_true(btf_has_member(btf, "folio", "order"));
	assert_true(btf_has_member(btf, "folio", "mapping"));
	assert_false(btf_has_member(btf, "folio", "index"));
	assert_false(btf_has_member(btf, "page", "flags"));
	assert_false(btf_has_member(btf, "scan_result", "SCAN_FAIL"));
	assert_false(btf_has_member(NULL, "folio", "flags"));
	kernel_btf_free(kb);
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return write_btf(state);
}

static int teardown(void **state)
{
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enums_are_read_once_and_kept),
		cmocka_unit_test(without_the_enum_or_the_btf),
		cmocka_unit_test(members_at_any_depth),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
