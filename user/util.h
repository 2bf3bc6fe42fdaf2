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
/* CPU time of the calling thread, user and system. */
uint64_t thread_cpu_ns(void);

/* Parse a whole decimal unsigned number; false on any junk. */
bool parse_u64(const char *s, uint64_t *out);
/* Parse a whole finite number within [LO, HI]; false otherwise. */
bool parse_double(const char *s, double lo, double hi, double *out);

/* The bounds of time options: a duration (-d) up to a year, an interval
 * (-i) from 10 ms to a day; in nanoseconds they stay far from 2^64. */
#define DURATION_MIN_S 0.001
#define DURATION_MAX_S 31536000.0
#define INTERVAL_MIN_S 0.01
#define INTERVAL_MAX_S 86400.0

/* Parse option OPT's ARG of command CMD as a number of seconds from LO
 * to HI; -1 after one line of error. */
int parse_seconds(const char *cmd, const char *opt, const char *arg, double lo, double hi,
		  double *out);
/* The same for a whole number from LO to HI. */
int parse_uint(const char *cmd, const char *opt, const char *arg, unsigned int lo,
	       unsigned int hi, unsigned int *out);

/* log2 of a power of two. */
unsigned int ilog2_u64(uint64_t v);

/*
 * Output files, written by what is at the path: nothing, a new file with
 * mode 0666 less the umask; a regular file, replaced whole (the new one is
 * written beside it, then renamed over it, so the old one stays until the
 * new one is complete); a character device or FIFO, written through, never
 * replaced; anything else is refused. A symbolic link is followed as
 * open(2) follows it and stays a link; one that points to nothing is
 * refused. See OUTPUT_RULE for --help.
 *
 * output_check: whether PATH could be written now, before any work; -1
 * after one line of error naming command CMD.
 * file_write_atomic: write BUF (and a newline with NEWLINE) to PATH; no
 * partial file is left on error. Returns 0 or -errno.
 */
int output_check(const char *cmd, const char *path);
int file_write_atomic(const char *path, const void *buf, size_t len, bool newline);

/* The rule above for the commands' --help. */
#define OUTPUT_RULE \
"The output path is checked before any work starts. An existing file is\n" \
"replaced whole (written beside it, then renamed over it); a character\n" \
"device or FIFO is written through; a symbolic link is followed;\n" \
"directories, links to nothing and other special files are refused. A new\n" \
"file gets mode 0666 less the umask.\n"

/* ARG asks for help: -h, --help or help. */
bool is_help(const char *arg);

#endif
