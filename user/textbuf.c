// SPDX-License-Identifier: GPL-2.0
/* A growing string (see textbuf.h). */
#include <stdio.h>
#include <stdlib.h>
#include "textbuf.h"

void textbuf_vprintf(struct textbuf *tb, const char *fmt, va_list ap)
{
	size_t room = tb->cap - tb->len, cap;
	va_list again;
	char *grown;
	int n;

	if (tb->failed)
		return;
	va_copy(again, ap);
	n = vsnprintf(tb->buf ? tb->buf + tb->len : NULL, room, fmt, ap);
	if (n >= 0 && (size_t)n >= room) {
		for (cap = tb->cap ? tb->cap : 64; cap - tb->len <= (size_t)n; cap *= 2)
			;
		grown = realloc(tb->buf, cap);
		if (grown) {
			tb->buf = grown;
			tb->cap = cap;
			room = cap - tb->len;
			n = vsnprintf(tb->buf + tb->len, room, fmt, again);
		} else {
			n = -1;
		}
	}
	va_end(again);
	if (n < 0) {
		tb->failed = true;
		if (tb->buf)
			tb->buf[tb->len] = '\0';
		return;
	}
	tb->len += n;
}

void textbuf_printf(struct textbuf *tb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	textbuf_vprintf(tb, fmt, ap);
	va_end(ap);
}

const char *textbuf_str(const struct textbuf *tb)
{
	return tb->buf ? tb->buf : "";
}

void textbuf_reset(struct textbuf *tb)
{
	tb->len = 0;
	tb->failed = false;
	if (tb->buf)
		tb->buf[0] = '\0';
}

void textbuf_free(struct textbuf *tb)
{
	free(tb->buf);
	*tb = (struct textbuf)TEXTBUF_INIT;
}
