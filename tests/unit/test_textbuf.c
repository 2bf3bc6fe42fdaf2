// SPDX-License-Identifier: GPL-2.0
/* The growing string that builds the report's rows and cells. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "textbuf.h"

static void empty_is_an_empty_string(void **state)
{
	struct textbuf tb = TEXTBUF_INIT;

	assert_string_equal(textbuf_str(&tb), "");
	textbuf_printf(&tb, "%s", "");
	assert_string_equal(textbuf_str(&tb), "");
	assert_int_equal(tb.len, 0);
	textbuf_free(&tb);
}

/* The rows that overran fixed buffers: a long key, then many cells. */
static void long_rows_grow_whole(void **state)
{
	struct textbuf tb = TEXTBUF_INIT;
	size_t keylen = 100000, i;
	char *key = malloc(keylen + 1);

	memset(key, '7', keylen);
	key[keylen] = '\0';
	textbuf_printf(&tb, "%s", key);
	for (i = 0; i < 9; i++)
		textbuf_printf(&tb, "\t%llu", 18446744073709551615ULL);
	assert_false(tb.failed);
	assert_int_equal(tb.len, keylen + 9 * 21);
	assert_int_equal(strlen(textbuf_str(&tb)), tb.len);
	assert_memory_equal(textbuf_str(&tb), key, keylen);
	assert_string_equal(textbuf_str(&tb) + tb.len - 21, "\t18446744073709551615");
	free(key);
	textbuf_free(&tb);
	assert_null(tb.buf);
	assert_int_equal(tb.len, 0);
}

/* Appends across every growth step keep what came before. */
static void appends_keep_the_text(void **state)
{
	struct textbuf tb = TEXTBUF_INIT;
	char want[4096] = "";
	int i;

	for (i = 0; i < 500; i++) {
		char cell[16];

		snprintf(cell, sizeof(cell), "%s%d", i ? "," : "", i);
		strcat(want, cell);
		textbuf_printf(&tb, "%s%d", i ? "," : "", i);
		assert_string_equal(textbuf_str(&tb), want);
	}
	textbuf_free(&tb);
}

static void reset_starts_over(void **state)
{
	struct textbuf tb = TEXTBUF_INIT;

	textbuf_printf(&tb, "%0300d", 1);
	textbuf_reset(&tb);
	assert_string_equal(textbuf_str(&tb), "");
	textbuf_printf(&tb, "%s-%d", "order", 9);
	assert_string_equal(textbuf_str(&tb), "order-9");
	assert_int_equal(tb.len, 7);
	textbuf_free(&tb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_is_an_empty_string),
		cmocka_unit_test(long_rows_grow_whole),
		cmocka_unit_test(appends_keep_the_text),
		cmocka_unit_test(reset_starts_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
