// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

static void vreport(const char *kind, const char *fmt, va_list ap)
{
	fprintf(stderr, "thpscope: %s", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void errorf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

char *read_text(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return buf;
}

/* stat(), not access(): access() checks with the real uid and without
 * capabilities, so CAP_DAC_READ_SEARCH would not count. */
bool path_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

uint64_t mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

uint64_t thread_cpu_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

bool parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	if (!s || !*s)
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

bool parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

unsigned int ilog2_u64(uint64_t v)
{
	unsigned int r = 0;

	while (v >>= 1)
		r++;
	return r;
}

bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") || !strcmp(arg, "help");
}

/* Output paths: util.h says the rule. */
enum output_kind { OUTPUT_NEW, OUTPUT_REPLACE, OUTPUT_THROUGH };

/* The kind of PATH, or -errno; ST is what stat() or lstat() saw. */
static int output_kind(const char *path, struct stat *st)
{
	size_t len = strlen(path);

	if (!len)
		return -ENOENT;
	if (len >= PATH_MAX)
		return -ENAMETOOLONG;
	if (!stat(path, st)) {
		if (S_ISREG(st->st_mode))
			return OUTPUT_REPLACE;
		if (S_ISCHR(st->st_mode) || S_ISFIFO(st->st_mode))
			return OUTPUT_THROUGH;
		return S_ISDIR(st->st_mode) ? -EISDIR : -EOPNOTSUPP;
	}
	if (errno != ENOENT)
		return -errno;
	if (!lstat(path, st))
		return -ENOENT;		/* a dangling symlink */
	return path[len - 1] == '/' ? -EISDIR : OUTPUT_NEW;
}

/* The directory of PATH into DIR (PATH_MAX bytes). */
static void dir_of(const char *path, char *dir)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, PATH_MAX, ".");
	else if (slash == path)
		snprintf(dir, PATH_MAX, "/");
	else
		snprintf(dir, PATH_MAX, "%.*s", (int)(slash - path), path);
}

/* The file a REPLACE or NEW output really is (the target of a symlink),
 * into REAL (PATH_MAX bytes). */
static int output_target(const char *path, int kind, char *real)
{
	if (kind == OUTPUT_NEW) {
		snprintf(real, PATH_MAX, "%s", path);
		return 0;
	}
	return realpath(path, real) ? 0 : -errno;
}

static int writable(const char *path)
{
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) ? -errno : 0;
}

int output_check(const char *cmd, const char *path)
{
	char real[PATH_MAX], dir[PATH_MAX];
	struct stat st;
	int kind = output_kind(path, &st), err;

	if (kind == -EOPNOTSUPP) {
		errorf("%s: cannot write %s: it is a %s, not a file, character device or FIFO",
		       cmd, path, S_ISBLK(st.st_mode) ? "block device" :
		       S_ISSOCK(st.st_mode) ? "socket" : "special file");
		return -1;
	}
	if (kind == -ENOENT && *path && S_ISLNK(st.st_mode)) {
		errorf("%s: cannot write %s: a symbolic link to nothing is not followed",
		       cmd, path);
		return -1;
	}
	err = kind < 0 ? kind : output_target(path, kind, real);
	if (!err && kind == OUTPUT_THROUGH)
		err = writable(path);
	if (!err && kind != OUTPUT_THROUGH) {
		dir_of(real, dir);
		err = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS) ? -errno : 0;
		/* A file this process may not write is not replaced either. */
		if (!err && kind == OUTPUT_REPLACE)
			err = writable(real);
	}
	if (err) {
		errorf("%s: cannot write %s: %s", cmd, path, strerror(-err));
		return -1;
	}
	return 0;
}

/* Write all of BUF to FD; a short write is retried, so that a full disk
 * says ENOSPC rather than nothing. */
static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		p += n;
		len -= n;
	}
	return 0;
}

static int write_doc(int fd, const void *buf, size_t len, bool newline)
{
	int err = write_all(fd, buf, len);

	return err ? err : newline ? write_all(fd, "\n", 1) : 0;
}

static int write_through(const char *path, const void *buf, size_t len, bool newline)
{
	struct stat st;
	int fd, err;

	/* No O_CREAT: this is for what exists and is not a file. Not
	 * blocking in open: a FIFO nobody reads would hold record, whose
	 * SIGINT is blocked, for ever; it is a broken pipe instead. */
	fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENXIO ? -EPIPE : -errno;
	if (fstat(fd, &st) || fcntl(fd, F_SETFL, 0))
		err = -errno;
	else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode))
		err = write_doc(fd, buf, len, newline);
	else
		err = -EOPNOTSUPP;	/* changed under us */
	if (close(fd) && !err)
		err = -errno;
	return err;
}

static int write_replace(const char *path, const void *buf, size_t len, bool newline)
{
	const char *slash = strrchr(path, '/');
	char tmp[PATH_MAX], dir[PATH_MAX];
	mode_t mask = umask(0);
	int fd, err;

	umask(mask);
	dir_of(path, dir);
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, slash ? slash + 1 : path) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = write_doc(fd, buf, len, newline);
	if (!err && fchmod(fd, 0666 & ~mask))
		err = -errno;
	if (!err && fsync(fd))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int file_write_atomic(const char *path, const void *buf, size_t len, bool newline)
{
	char real[PATH_MAX];
	struct stat st;
	int kind = output_kind(path, &st), err;

	if (kind < 0)
		return kind;
	if (kind == OUTPUT_THROUGH)
		return write_through(path, buf, len, newline);
	err = output_target(path, kind, real);
	return err ? err : write_replace(real, buf, len, newline);
}

int parse_seconds(const char *cmd, const char *opt, const char *arg, double lo, double hi,
		  double *out)
{
	if (!parse_double(arg, lo, hi, out)) {
		errorf("%s: %s wants seconds from %.15g to %.15g, not '%s'", cmd, opt, lo, hi, arg);
		return -1;
	}
	return 0;
}

int parse_uint(const char *cmd, const char *opt, const char *arg, unsigned int lo,
	       unsigned int hi, unsigned int *out)
{
	uint64_t v;

	if (!parse_u64(arg, &v) || v < lo || v > hi) {
		errorf("%s: %s wants a whole number from %u to %u, not '%s'", cmd, opt, lo, hi,
		       arg);
		return -1;
	}
	*out = v;
	return 0;
}
