// SPDX-License-Identifier: GPL-2.0
/* The coverage of a live process (see coverage_scan.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "coverage_scan.h"
#include "util.h"

/* pagemap words per read: 256 KiB, 1 GiB of address space with 4K pages.
 * Chunks start at multiples of their size in virtual pages, so that a
 * folio mapped whole never straddles two (folios are far smaller). */
#define CHUNK_PAGES	(1U << 18)
/* kpageflags is read in lines of 16 words: the kernel's cost is per word
 * read, and base pages fill a line in part (128-byte lines scan base pages
 * about twice as fast as 512-byte ones, measured); a THP needs three. */
#define LINE_SHIFT	4
#define LINE_WORDS	(1U << LINE_SHIFT)
#define CACHE_LINES	4096

struct kpf_line {
	uint64_t tag;		/* PFN >> LINE_SHIFT, + 1; 0: empty */
	unsigned int n;		/* words read (fewer at the end of memory) */
	uint64_t w[LINE_WORDS];
};

struct kpf_cache {
	int fd;
	struct kpf_line lines[CACHE_LINES];
};

static int cache_read(void *ctx, uint64_t pfn, uint64_t *flags)
{
	struct kpf_cache *kc = ctx;
	uint64_t tag = (pfn >> LINE_SHIFT) + 1;
	struct kpf_line *l = &kc->lines[tag % CACHE_LINES];
	unsigned int off = pfn & (LINE_WORDS - 1);

	if (l->tag != tag) {
		ssize_t got = pread(kc->fd, l->w, sizeof(l->w),
				    (off_t)((pfn >> LINE_SHIFT) << LINE_SHIFT) * sizeof(uint64_t));

		l->tag = tag;
		l->n = got > 0 ? got / sizeof(uint64_t) : 0;
	}
	if (off >= l->n)
		return -1;
	*flags = l->w[off];
	return 0;
}

int coverage_scanner_open(struct coverage_scanner *s)
{
	memset(s, 0, sizeof(*s));
	s->kpageflags = -1;
	if (page_geometry_read(&s->g))
		return -1;
	s->kpageflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
	if (s->kpageflags < 0) {
		if (errno == EACCES || errno == EPERM)
			errorf("maps: needs root (to read /proc/kpageflags and the PFNs of "
			       "/proc/PID/pagemap)");
		else
			errorf("maps: cannot open /proc/kpageflags: %s", strerror(errno));
		return -1;
	}
	s->pm = malloc(CHUNK_PAGES * sizeof(*s->pm));
	s->cache = calloc(1, sizeof(*s->cache));
	if (!s->pm || !s->cache) {
		errorf("maps: out of memory");
		return -1;
	}
	s->cache->fd = s->kpageflags;
	return 0;
}

void coverage_scanner_close(struct coverage_scanner *s)
{
	if (s->kpageflags >= 0)
		close(s->kpageflags);
	free(s->pm);
	free(s->cache);
	memset(s, 0, sizeof(*s));
	s->kpageflags = -1;
}

/* Classify [V->start, V->end) into C, a chunk of pagemap at a time. A
 * short read (the mapping went away under the scan) ends it. */
static void scan_vma(struct coverage_scanner *s, int pagemap, const struct vma_info *v,
		     struct coverage *c)
{
	const struct kpf_source src = { cache_read, s->cache };
	uint64_t vpn = v->start >> s->g.page_shift, end = v->end >> s->g.page_shift;

	c->vmas++;
	c->mapped += v->end - v->start;
	while (vpn < end) {
		uint64_t stop = (vpn / CHUNK_PAGES + 1) * CHUNK_PAGES;
		size_t n = (stop < end ? stop : end) - vpn;
		ssize_t got = pread(pagemap, s->pm, n * sizeof(*s->pm),
				    (off_t)(vpn * sizeof(*s->pm)));

		if (got <= 0)
			return;
		n = got / sizeof(*s->pm);
		coverage_add_range(c, &s->g, vpn, s->pm, n, &src);
		vpn += n;
	}
}

/* One line of /proc/PID/maps into V (PATH points into LINE); false for
 * what does not parse, and for mappings pagemap cannot describe (the
 * vsyscall page lies above the address space it covers). */
static bool parse_maps_line(char *line, struct vma_info *v)
{
	int path = 0;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %*s %*s %*s %n", &v->start, &v->end,
		   v->perms, &path) < 3 || v->end <= v->start || !path)
		return false;
	v->path = line + path;
	v->path += strspn(v->path, " ");
	line[strcspn(line, "\n")] = '\0';
	return strcmp(v->path, "[vsyscall]") != 0;
}

static int open_proc(pid_t pid, const char *name, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, flags | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		errno = ESRCH;
	return fd < 0 ? -errno : fd;
}

int coverage_scan_pid(struct coverage_scanner *s, pid_t pid, struct coverage *c,
		      void (*vma)(void *ctx, const struct vma_info *v, const struct coverage *c),
		      void *ctx)
{
	int maps_fd, pagemap;
	char *line = NULL;
	size_t cap = 0;
	FILE *maps;
	int err = 0;

	maps_fd = open_proc(pid, "maps", O_RDONLY);
	if (maps_fd < 0)
		return maps_fd;
	pagemap = open_proc(pid, "pagemap", O_RDONLY);
	if (pagemap < 0) {
		close(maps_fd);
		return pagemap;
	}
	maps = fdopen(maps_fd, "r");
	if (!maps) {
		err = -errno;
		close(maps_fd);
		close(pagemap);
		return err;
	}
	errno = 0;
	while (getline(&line, &cap, maps) > 0) {
		struct coverage one = { 0 };
		struct vma_info v;

		if (!parse_maps_line(line, &v))
			continue;
		scan_vma(s, pagemap, &v, vma ? &one : c);
		if (vma) {
			vma(ctx, &v, &one);
			coverage_merge(c, &one);
		}
	}
	/* A process that exits under the scan ends its maps with ESRCH. */
	if (errno == ESRCH || errno == EACCES || errno == EPERM)
		err = -errno;
	free(line);
	fclose(maps);
	close(pagemap);
	return err;
}
