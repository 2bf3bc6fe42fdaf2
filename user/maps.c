// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps.h"

int map_foreach(int fd, size_t key_size, size_t val_size, map_entry_fn fn,
		void *ctx)
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
