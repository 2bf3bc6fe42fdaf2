/* SPDX-License-Identifier: GPL-2.0 */
/* The terminal of the commands that refresh a screen (top, maps -i): raw
 * keys for q, and the alternate screen redrawn in place when the terminal
 * takes ANSI escapes. */
#ifndef THPSCOPE_TERM_H
#define THPSCOPE_TERM_H

#include <stdbool.h>
#include <termios.h>

/* The terminal, when stdout and stdin are one: raw keys and, when it
 * takes ANSI escapes, a hidden cursor and the alternate screen; restored
 * on exit. */
struct term {
	bool active;
	bool ansi;	/* screens redrawn in place */
	struct termios saved;
};

/* Whether stdout is a terminal that takes ANSI escapes: not one whose
 * TERM is unset or "dumb" (an editor's shell buffer, a CI log). */
bool ansi_terminal(void);
void term_enter(struct term *t);
void term_leave(struct term *t);
/* The terminal's columns and rows (80x24 when it does not say). */
void term_size(unsigned int *w, unsigned int *h);
/* A q (or Q) typed within WAIT_MS; without a terminal, just the wait. */
bool quit_key(const struct term *t, int wait_ms);

#endif
