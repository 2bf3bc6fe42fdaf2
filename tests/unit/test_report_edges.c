// SPDX-License-Identifier: GPL-2.0
/* The report's word on a window edge that was held up: said when an edge
 * took 10 ms or more, not otherwise (a record's edges take ~1 ms). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "unit.h"
#include "commands.h"

/* The report of a record whose edges took OPEN_NS and CLOSE_NS. */
static char *report_of(long long open_ns, long long close_ns)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	json_t *rec = json_pack("{s:{s:{s:I}, s:{s:I}}}", "window_edges",
				"open", "ns", open_ns, "close", "ns", close_ns);

	assert_non_null(f);
	assert_non_null(rec);
	report_print(f, rec);
	fclose(f);
	json_decref(rec);
	return text;
}

static void quick_edges_said_nothing(void **state)
{
	char *text = report_of(800000, 450000);

	assert_null(strstr(text, "window: its edges"));
	free(text);
}

static void a_held_up_edge_is_said(void **state)
{
	char *text = report_of(812000000, 400000);

	assert_non_null(strstr(text, "window: its edges took 812.0 ms opening and 0.4 ms closing"));
	free(text);
	text = report_of(300000, 10000000);
	assert_non_null(strstr(text, "and 10.0 ms closing"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(quick_edges_said_nothing),
		cmocka_unit_test(a_held_up_edge_is_said),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
