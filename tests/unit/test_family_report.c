// SPDX-License-Identifier: GPL-2.0
/*
 * Each family's report section of a fixed record, against its golden
 * text (tests/unit/golden/FAMILY.txt). The records are fuzz seeds from
 * real kernels; with THPSCOPE_GOLDEN_UPDATE=1 the texts are rewritten.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "family.h"
#include "json_util.h"

static const struct {
	const char *family;
	const char *record;	/* under tests/fuzz/seeds */
} cases[] = {
	{ "collapse", "sid-mixed.json" },
	{ "split", "sid-split-debugfs.json" },
	{ "deferred", "sid-mixed.json" },
	{ "device", "synthetic-device.json" },
	{ "migrate", "sid-migrate-fallback.json" },
	{ "pathology", "synthetic-pathology.json" },
	{ "coverage", "6.18-coverage.json" },
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int c;

	if (!f)
		return NULL;
	mem = open_memstream(&buf, &len);
	while ((c = fgetc(f)) != EOF)
		fputc(c, mem);
	fclose(mem);
	fclose(f);
	return buf;
}

static void section_matches_golden(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct family *fam = family_by_name(cases[i].family);
		char path[512], *text = NULL, *golden;
		size_t len = 0;
		json_t *rec;
		FILE *out;

		assert_non_null(fam);
		assert_non_null(fam->report);
		snprintf(path, sizeof(path), "%s/tests/fuzz/seeds/%s", THPSCOPE_SRCDIR,
			 cases[i].record);
		rec = record_load(path);
		assert_non_null(rec);
		out = open_memstream(&text, &len);
		fam->report(out, rec);
		fclose(out);
		json_decref(rec);
		snprintf(path, sizeof(path), "%s/tests/unit/golden/%s.txt", THPSCOPE_SRCDIR,
			 fam->name);
		if (getenv("THPSCOPE_GOLDEN_UPDATE")) {
			out = fopen(path, "w");
			assert_non_null(out);
			fputs(text, out);
			fclose(out);
		}
		golden = slurp(path);
		if (!golden || strcmp(text, golden))
			fail_msg("%s's section of %s differs from %s", fam->name,
				 cases[i].record, path);
		/* A section that says nothing would match an empty golden. */
		assert_true(len > 200);
		free(golden);
		free(text);
	}
}

/* Every family that shows a section is in the cases above. */
static void every_section_has_a_golden(void **state)
{
	size_t i, j;

	for (i = 0; i < nfamilies; i++) {
		if (!families[i]->report)
			continue;
		for (j = 0; j < sizeof(cases) / sizeof(cases[0]); j++)
			if (!strcmp(cases[j].family, families[i]->name))
				break;
		assert_true(j < sizeof(cases) / sizeof(cases[0]));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(section_matches_golden),
		cmocka_unit_test(every_section_has_a_golden),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
