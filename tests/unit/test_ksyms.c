// SPDX-License-Identifier: GPL-2.0
/* The kernel's text symbols, read from a file in /proc/kallsyms' format:
 * only text symbols kept, modules named, lookups by name, prefix and
 * compiler suffix, by address, and addresses hidden by kptr_restrict. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "ksyms.h"

static char path[] = "/tmp/thpscope-ksyms.XXXXXX";

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Unsorted, as modules' symbols follow the kernel's in kallsyms. */
static const char kallsyms[] =
	"ffffffff81200000 T __folio_split\n"
	"ffffffff81100000 T deferred_split_scan\n"
	"ffffffff81100400 t deferred_split_scan.cold\n"
	"ffffffff81300000 D some_data\n"
	"ffffffff81100800 t split_huge_pmd_locked.isra.0\n"
	"ffffffff81100c00 T split_huge_pmd\n"
	"ffffffff81101000 T split_huge_pmd_address\n"
	"ffffffff81000000 b some_bss\n"
	"ffffffffc0001000 t thpdev_open\t[thpdev]\n"
	"ffffffffc0001100 t thpdev_release\t[thpdev]\n"
	"not a line\n"
	"ffffffff81400000 T\n"
	"ffffffffc0002000 t bpf_prog_1234_x\t[bpf]";

static int write_kallsyms(void **state)
{
	write_file(kallsyms);
	return 0;
}

struct found {
	const char *names[8];
	int n;
};

static void collect(const struct ksym *sym, void *data)
{
	struct found *f = data;

	if (f->n < 8)
		f->names[f->n] = sym->name;
	f->n++;
}

static void only_text_symbols(void **state)
{
	struct ksyms k;

	assert_int_equal(ksyms_load(&k, path), 0);
	assert_int_equal(k.n, 9);
	assert_true(ksyms_usable(&k));
	assert_true(ksyms_has(&k, "__folio_split"));
	assert_true(ksyms_has(&k, "thpdev_open"));
	assert_false(ksyms_has(&k, "some_data"));
	assert_false(ksyms_has(&k, "some_bss"));
	assert_false(ksyms_has(&k, "split_huge"));
	assert_false(ksyms_has(&k, "zzz"));
	assert_false(ksyms_has(&k, ""));
	ksyms_free(&k);
	assert_int_equal(k.n, 0);
	assert_false(k.loaded);
}

static void by_name_suffix_and_prefix(void **state)
{
	struct found f = { 0 };
	struct ksyms k;

	assert_int_equal(ksyms_load(&k, path), 0);
	/* The name, or the name and a compiler suffix. */
	ksyms_match(&k, "split_huge_pmd", false, collect, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.names[0], "split_huge_pmd");
	memset(&f, 0, sizeof(f));
	ksyms_match(&k, "split_huge_pmd_locked", false, collect, &f);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.names[0], "split_huge_pmd_locked.isra.0");
	memset(&f, 0, sizeof(f));
	ksyms_match(&k, "deferred_split_scan", false, collect, &f);
	assert_int_equal(f.n, 2);
	assert_string_equal(f.names[0], "deferred_split_scan");
	assert_string_equal(f.names[1], "deferred_split_scan.cold");
	/* Every name that starts so, in name order. */
	memset(&f, 0, sizeof(f));
	ksyms_match(&k, "split_huge_pmd", true, collect, &f);
	assert_int_equal(f.n, 3);
	assert_string_equal(f.names[0], "split_huge_pmd");
	assert_string_equal(f.names[1], "split_huge_pmd_address");
	assert_string_equal(f.names[2], "split_huge_pmd_locked.isra.0");
	memset(&f, 0, sizeof(f));
	ksyms_match(&k, "split_huge_pmd_x", true, collect, &f);
	ksyms_match(&k, "thpdev_opens", false, collect, &f);
	assert_int_equal(f.n, 0);
	ksyms_free(&k);
}

static void by_address(void **state)
{
	const struct ksym *sym;
	struct ksyms k;

	assert_int_equal(ksyms_load(&k, path), 0);
	sym = ksyms_at(&k, 0xffffffff81100000ULL);
	assert_non_null(sym);
	assert_string_equal(sym->name, "deferred_split_scan");
	assert_null(sym->module);
	/* A symbol runs to the next one. */
	sym = ksyms_at(&k, 0xffffffff811003ffULL);
	assert_string_equal(sym->name, "deferred_split_scan");
	sym = ksyms_at(&k, 0xffffffff81100400ULL);
	assert_string_equal(sym->name, "deferred_split_scan.cold");
	sym = ksyms_at(&k, 0xffffffff81280000ULL);
	assert_string_equal(sym->name, "__folio_split");
	sym = ksyms_at(&k, 0xffffffffc0001004ULL);
	assert_string_equal(sym->name, "thpdev_open");
	assert_string_equal(sym->module, "thpdev");
	sym = ksyms_at(&k, 0xffffffffc0001100ULL);
	assert_string_equal(sym->module, "thpdev");
	/* The last one has a single byte: its size is not known. */
	sym = ksyms_at(&k, 0xffffffffc0002000ULL);
	assert_string_equal(sym->name, "bpf_prog_1234_x");
	assert_string_equal(sym->module, "bpf");
	assert_null(ksyms_at(&k, 0xffffffffc0002001ULL));
	assert_null(ksyms_at(&k, 0xffffffff810fffffULL));
	assert_null(ksyms_at(&k, 0));
	ksyms_free(&k);
}

/* kptr_restrict: names without addresses serve to choose hooks, not to
 * name frames. */
/* Two names of one address both run to the next address. */
static void aliases_share_their_extent(void **state)
{
	const struct ksym *sym;
	struct ksyms k;

	write_file("ffffffff81100000 T __x64_sys_madvise\n"
		   "ffffffff81100000 T __se_sys_madvise\n"
		   "ffffffff81100800 T madvise_collapse\n");
	assert_int_equal(ksyms_load(&k, path), 0);
	sym = ksyms_at(&k, 0xffffffff811007ffULL);
	assert_non_null(sym);
	assert_int_equal(sym->end, 0xffffffff81100800ULL);
	assert_int_equal(k.by_addr[0].end, 0xffffffff81100800ULL);
	assert_int_equal(k.by_addr[1].end, 0xffffffff81100800ULL);
	ksyms_free(&k);
	write_kallsyms(state);
}

static void hidden_addresses(void **state)
{
	struct ksyms k;

	write_file("0000000000000000 T __folio_split\n"
		   "0000000000000000 t thpdev_open\t[thpdev]\n");
	assert_int_equal(ksyms_load(&k, path), 0);
	assert_true(k.hidden);
	assert_false(ksyms_usable(&k));
	assert_true(ksyms_has(&k, "__folio_split"));
	assert_null(ksyms_at(&k, 0));
	ksyms_free(&k);
	write_kallsyms(state);
}

/* Names run to KSYM_NAME_LEN (512) bytes, longer with Rust's mangling
 * before 6.1: a long name is kept whole, a line longer than any kallsyms
 * line is passed over, never cut into symbols. */
static void long_lines(void **state)
{
	char text[8192], name[601];
	struct ksyms k;

	memset(name, 'n', 600);
	name[600] = '\0';
	snprintf(text, sizeof(text), "ffffffff81000000 T %s\n"
		 "ffffffff81001000 T %s%s%s%s%s%s\n"
		 "ffffffff81002000 T c\n", name, name, name, name, name, name, name);
	write_file(text);
	assert_int_equal(ksyms_load(&k, path), 0);
	assert_int_equal(k.n, 2);
	assert_true(ksyms_has(&k, name));
	assert_true(ksyms_has(&k, "c"));
	name[511] = '\0';
	assert_false(ksyms_has(&k, name));
	ksyms_free(&k);
	write_kallsyms(state);
}

static void unreadable_or_empty(void **state)
{
	struct ksyms k;

	assert_int_equal(ksyms_load(&k, "/nonexistent/kallsyms"), -ENOENT);
	assert_true(k.loaded);
	assert_false(ksyms_usable(&k));
	assert_false(ksyms_has(&k, "__folio_split"));
	assert_null(ksyms_at(&k, 0xffffffff81200000ULL));
	ksyms_free(&k);
	write_file("");
	assert_int_equal(ksyms_load(&k, path), 0);
	assert_false(ksyms_usable(&k));
	assert_false(ksyms_has(&k, "x"));
	ksyms_free(&k);
	write_kallsyms(state);
}

static int setup(void **state)
{
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	close(fd);
	return write_kallsyms(state);
}

static int teardown(void **state)
{
	return unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(only_text_symbols),
		cmocka_unit_test(by_name_suffix_and_prefix),
		cmocka_unit_test(by_address),
		cmocka_unit_test(aliases_share_their_extent),
		cmocka_unit_test(hidden_addresses),
		cmocka_unit_test(long_lines),
		cmocka_unit_test(unreadable_or_empty),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
