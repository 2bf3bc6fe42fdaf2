// SPDX-License-Identifier: GPL-2.0
/* map_foreach reads every entry of a hash or array map exactly once, with
 * its value, a chunk at a time: values small and large (a chunk of one
 * entry, grown whenever a hash bucket holds more), maps empty and full.
 * Needs BPF maps: skipped where this process may not create them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "unit.h"
#include "maps.h"

#define ENTRIES 3000

struct seen {
	size_t val_size;
	unsigned int count[ENTRIES];
	unsigned int wrong;
};

/* Entry K holds K + 1 in its first word and K in its last byte. */
static void fill(void *val, size_t val_size, uint32_t k)
{
	uint64_t first = k + 1;

	memset(val, 0, val_size);
	memcpy(val, &first, sizeof(first));
	((unsigned char *)val)[val_size - 1] = (unsigned char)k;
}

static void count(const void *key, const void *val, void *data)
{
	struct seen *s = data;
	uint32_t k;
	uint64_t first;

	memcpy(&k, key, sizeof(k));
	memcpy(&first, val, sizeof(first));
	if (k >= ENTRIES || first != k + 1ULL ||
	    ((const unsigned char *)val)[s->val_size - 1] != (unsigned char)k) {
		s->wrong++;
		return;
	}
	s->count[k]++;
}

/* A map of TYPE with N of ENTRIES slots filled, read back whole. */
static void read_back(enum bpf_map_type type, size_t val_size, uint32_t n)
{
	struct seen *s = calloc(1, sizeof(*s));
	void *val = malloc(val_size);
	int fd = bpf_map_create(type, NULL, sizeof(uint32_t), val_size, ENTRIES, NULL);
	uint32_t k;

	if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		free(s);
		free(val);
		skip();
	}
	assert_true(fd >= 0);
	assert_non_null(s);
	assert_non_null(val);
	s->val_size = val_size;
	for (k = 0; k < n; k++) {
		fill(val, val_size, k);
		assert_int_equal(bpf_map_update_elem(fd, &k, val, BPF_ANY), 0);
	}
	assert_int_equal(map_foreach(fd, sizeof(k), val_size, count, s), 0);
	assert_int_equal(s->wrong, 0);
	/* An array has all its entries; the unfilled ones hold zeros. */
	for (k = 0; k < n; k++)
		assert_int_equal(s->count[k], 1);
	for (; k < ENTRIES; k++)
		assert_int_equal(s->count[k], 0);
	close(fd);
	free(s);
	free(val);
}

static void hash_small_values(void **state)
{
	(void)state;
	read_back(BPF_MAP_TYPE_HASH, 16, ENTRIES);
}

static void hash_values_larger_than_a_chunk(void **state)
{
	(void)state;
	read_back(BPF_MAP_TYPE_HASH, 20000, 700);
}

static void hash_empty(void **state)
{
	(void)state;
	read_back(BPF_MAP_TYPE_HASH, 64, 0);
}

static void array_whole(void **state)
{
	(void)state;
	read_back(BPF_MAP_TYPE_ARRAY, 24, ENTRIES);
}

/* Key K holds, on CPU C, words (K * 10 + C, 1): the sums are every CPU's. */
static void percpu_sums_per_key(void **state)
{
	int ncpus = libbpf_num_possible_cpus(), c;
	uint32_t n = 40, k;
	uint64_t *v = calloc((size_t)ncpus * 2, sizeof(*v)), (*out)[2] = calloc(n, sizeof(*out));
	int fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, NULL, sizeof(k), 2 * sizeof(*v), n, NULL);

	(void)state;
	if (fd < 0 && (errno == EPERM || errno == EACCES)) {
		free(v);
		free(out);
		skip();
	}
	assert_true(fd >= 0 && ncpus > 0 && v && out);
	for (k = 0; k < n; k++) {
		for (c = 0; c < ncpus; c++) {
			v[2 * c] = k * 10 + c;
			v[2 * c + 1] = 1;
		}
		assert_int_equal(bpf_map_update_elem(fd, &k, v, BPF_ANY), 0);
	}
	/* Keys beyond N are left out. */
	assert_int_equal(map_sum_percpu_each(fd, n - 1, 2, out[0]), 0);
	for (k = 0; k < n - 1; k++) {
		assert_int_equal(out[k][0], (uint64_t)k * 10 * ncpus + (uint64_t)ncpus * (ncpus - 1) / 2);
		assert_int_equal(out[k][1], ncpus);
	}
	assert_int_equal(out[n - 1][0], 0);
	close(fd);
	free(v);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hash_small_values),
		cmocka_unit_test(hash_values_larger_than_a_chunk),
		cmocka_unit_test(hash_empty),
		cmocka_unit_test(array_whole),
		cmocka_unit_test(percpu_sums_per_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
