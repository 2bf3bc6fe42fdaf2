// SPDX-License-Identifier: GPL-2.0
/* The report's timeline table: a row is labelled with the end of its last
 * sample in tenths of a second, and the record's last sample, cut short
 * by the end, gets hundredths when its tenth is its predecessor's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "unit.h"
#include "commands.h"

/* The labels of the table's rows, one line each, in order. */
static void labels(const char *text, char *out, size_t size)
{
	const char *line = strstr(text, "T (s)");
	char label[32];

	out[0] = '\0';
	assert_non_null(line);
	while ((line = strchr(line, '\n')) && *++line)
		if (sscanf(line, " %31s", label) == 1 && strlen(out) + strlen(label) + 2 < size) {
			strcat(out, label);
			strcat(out, " ");
		}
}

/* The row labels of a timeline whose samples end at T_NS (a JSON array). */
static void check_labels(const char *t_ns, const char *expected)
{
	char record[256], got[128], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *rec;

	snprintf(record, sizeof(record), "{\"timeline\": {\"interval_ns\": 100000000,"
		 "\"t_ns\": %s, \"series\": {\"collapse.attempts\": [1, 2, 3]}}}", t_ns);
	rec = json_loads(record, 0, NULL);
	assert_non_null(rec);
	assert_non_null(f);
	report_timeline(f, rec);
	fclose(f);
	json_decref(rec);
	labels(text, got, sizeof(got));
	assert_string_equal(got, expected);
	free(text);
}

static void last_row_cut_short_gets_hundredths(void **state)
{
	(void)state;
	check_labels("[100000000, 200000000, 230000000]", "0.1 0.2 0.23 ");
}

static void distinct_tenths_stay_tenths(void **state)
{
	(void)state;
	check_labels("[100000000, 200000000, 270000000]", "0.1 0.2 0.3 ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(last_row_cut_short_gets_hundredths),
		cmocka_unit_test(distinct_tenths_stay_tenths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
