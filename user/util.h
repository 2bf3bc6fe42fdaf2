/* SPDX-License-Identifier: GPL-2.0 */
#ifndef THPSCOPE_UTIL_H
#define THPSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One line on stderr, prefixed with the program name. */
void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Read a small text file into BUF, trailing newline stripped. Returns
 * BUF, or NULL when the file cannot be read. */
char *read_text(const char *path, char *buf, size_t len);
bool path_exists(const char *path);
uint64_t mono_ns(void);

/* Parse a whole decimal unsigned number; false on any junk. */
bool parse_u64(const char *s, uint64_t *out);

/* Parse option OPT's ARG of command CMD as a positive, finite number of
 * seconds; -1 after one line of error. */
int parse_seconds(const char *cmd, const char *opt, const char *arg, double *out);

/* log2 of a power of two. */
unsigned int ilog2_u64(uint64_t v);

/* Write BUF (and a newline with NEWLINE) to PATH through a temporary
 * file in the same directory and a rename, so PATH is never half-written.
 * Returns 0 or -errno. */
int file_write_atomic(const char *path, const void *buf, size_t len, bool newline);

/* ARG asks for help: -h, --help or help. */
bool is_help(const char *arg);

#endif
