// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps.h"

/* One entry at a time: two system calls an entry. */
static int foreach_by_key(int fd, size_t key_size, size_t val_size,
			  map_entry_fn fn, void *ctx)
{
	void *key = calloc(2, key_size), *next = (char *)key + key_size;
	void *val = calloc(1, val_size);
	void *prev = NULL;
	int err = 0;

	if (!key || !val) {
		err = -ENOMEM;
		goto out;
	}
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(fd, key, val))
			continue;	/* deleted meanwhile */
		fn(key, val, ctx);
	}
out:
	free(key);
	free(val);
	return err;
}

/*
 * A chunk of entries per BPF_MAP_LOOKUP_BATCH: an array of N entries
 * costs N / chunk system calls instead of 2N, which is most of what a
 * harvest at every tick of a timeline costs. The chunk's values fit in
 * MAP_CHUNK_BYTES, below malloc's threshold for a mapping of its own. A
 * hash bucket holding more entries than the chunk (ENOSPC) grows the
 * chunk and is read again from the same place. -EOPNOTSUPP when the
 * kernel or the map type has no batch before anything was read; the
 * caller then walks key by key.
 */
#define MAP_CHUNK_BYTES 16384

static int foreach_batch(int fd, size_t key_size, size_t val_size,
			 map_entry_fn fn, void *ctx)
{
	/* The position is a key for arrays and a bucket index for hashes. */
	size_t pos_size = key_size > sizeof(uint64_t) ? key_size : sizeof(uint64_t);
	char *in = calloc(2, pos_size), *out = in ? in + pos_size : NULL;
	size_t cap = val_size < MAP_CHUNK_BYTES ? MAP_CHUNK_BYTES / val_size : 1, i;
	char *keys = malloc(cap * key_size), *vals = malloc(cap * val_size);
	bool first = true, done = false;
	int err = 0;

	while (!err && !done && in && keys && vals) {
		__u32 count = cap;

		if (bpf_map_lookup_batch(fd, first ? NULL : in, out, keys, vals,
					 &count, NULL)) {
			err = -errno;
			if (err == -ENOSPC && count == 0 && cap < (1u << 20)) {
				char *k = realloc(keys, 2 * cap * key_size);
				char *v = k ? realloc(vals, 2 * cap * val_size) : NULL;

				keys = k ? k : keys;
				vals = v ? v : vals;
				if (!v)
					break;
				cap *= 2;
				err = 0;
				continue;
			}
			if (err == -ENOENT)
				err = 0, done = true;
			else if (first)
				err = -EOPNOTSUPP;
		}
		for (i = 0; i < count; i++)
			fn(keys + i * key_size, vals + i * val_size, ctx);
		memcpy(in, out, pos_size);
		first = false;
	}
	if (!err && !done)
		err = -ENOMEM;
	free(keys);
	free(vals);
	free(in);
	return err;
}

int map_foreach(int fd, size_t key_size, size_t val_size, map_entry_fn fn,
		void *ctx)
{
	int err = foreach_batch(fd, key_size, val_size, fn, ctx);

	if (err == -EOPNOTSUPP)
		err = foreach_by_key(fd, key_size, val_size, fn, ctx);
	return err;
}

int map_sum_percpu(int fd, uint32_t key, size_t nwords, uint64_t *out)
{
	int ncpus = libbpf_num_possible_cpus(), c;
	uint64_t *vals;
	size_t w;

	if (ncpus <= 0)
		return -EINVAL;
	vals = calloc((size_t)ncpus * nwords, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(out, 0, nwords * sizeof(*out));
	if (bpf_map_lookup_elem(fd, &key, vals)) {
		free(vals);
		return -errno;
	}
	for (c = 0; c < ncpus; c++)
		for (w = 0; w < nwords; w++)
			out[w] += vals[c * nwords + w];
	free(vals);
	return 0;
}

struct percpu_sums {
	int ncpus;
	uint32_t n;
	size_t nwords;
	uint64_t *out;
};

static void add_percpu(const void *key, const void *val, void *data)
{
	const struct percpu_sums *ps = data;
	const uint64_t *v = val;
	uint32_t k;
	size_t w;
	int c;

	memcpy(&k, key, sizeof(k));
	if (k >= ps->n)
		return;
	for (c = 0; c < ps->ncpus; c++)
		for (w = 0; w < ps->nwords; w++)
			ps->out[k * ps->nwords + w] += v[c * ps->nwords + w];
}

int map_sum_percpu_each(int fd, uint32_t n, size_t nwords, uint64_t *out)
{
	struct percpu_sums ps = { libbpf_num_possible_cpus(), n, nwords, out };

	if (ps.ncpus <= 0)
		return -EINVAL;
	memset(out, 0, n * nwords * sizeof(*out));
	return map_foreach(fd, sizeof(uint32_t), ps.ncpus * nwords * sizeof(*out), add_percpu, &ps);
}
