/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growing string for table rows and cells: every append is bounded by
 * the allocation it grows, so no caller keeps an offset into a fixed
 * buffer. An allocation failure is sticky and leaves the text as it was.
 */
#ifndef THPSCOPE_TEXTBUF_H
#define THPSCOPE_TEXTBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct textbuf {
	char *buf;
	size_t len, cap;
	bool failed;	/* an append could not grow the buffer */
};

#define TEXTBUF_INIT { 0 }

void textbuf_printf(struct textbuf *tb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void textbuf_vprintf(struct textbuf *tb, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* The text so far, "" when empty; valid until the next append. */
const char *textbuf_str(const struct textbuf *tb);
/* Forget the text, keep the allocation. */
void textbuf_reset(struct textbuf *tb);
void textbuf_free(struct textbuf *tb);

#endif
