// SPDX-License-Identifier: GPL-2.0
/* Every event kind of every family, written through its named body
 * (bpf/NAME.h) and decoded back into the fields trace prints. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/btf.h>
#include "unit.h"
#include "../bpf/collapse.h"
#include "../bpf/deferred.h"
#include "../bpf/device.h"
#include "../bpf/migrate.h"
#include "../bpf/pathology.h"
#include "../bpf/split.h"
#include "cause_table.h"
#include "event_decode.h"
#include "family.h"
#include "kenv.h"
#include "kernel_btf.h"

static char btf_path[] = "/tmp/thpscope-events-btf.XXXXXX";
static struct kenv env;

/* A kernel BTF holding the enums the families name their events' values
 * from, with values that differ from any kernel's. */
static int setup(void **state)
{
	struct btf *btf = btf__new_empty();
	const void *raw;
	__u32 size;
	int fd;
	FILE *f;

	if (!btf)
		return -1;
	btf__add_enum(btf, "scan_result", 4);
	btf__add_enum_value(btf, "SCAN_SUCCEED", 1);
	btf__add_enum_value(btf, "SCAN_EXCEED_NONE_PTE", 3);
	btf__add_enum(btf, "migrate_reason", 4);
	btf__add_enum_value(btf, "MR_NUMA_MISPLACED", 2);
	btf__add_enum(btf, "migrate_mode", 4);
	btf__add_enum_value(btf, "MIGRATE_SYNC_LIGHT", 1);
	raw = btf__raw_data(btf, &size);
	fd = mkstemp(btf_path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!raw || !f || fwrite(raw, 1, size, f) != size || fclose(f))
		return -1;
	btf__free(btf);
	env.btf = kernel_btf_new(btf_path);
	return env.btf ? 0 : -1;
}

static int teardown(void **state)
{
	kernel_btf_free(env.btf);
	unlink(btf_path);
	return 0;
}

/* A head of family NAME's KIND, attributed to pid 42. */
static void head(struct thp_event *e, const char *name, unsigned int kind)
{
	size_t i;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < nfamilies && strcmp(families[i]->name, name); i++)
		;
	assert_true(i < nfamilies);
	e->family = i;
	e->kind = kind;
	e->ts = 123;
	e->cpu = 1;
	e->tgid = 42;
	e->pid = 43;
	memcpy(e->comm, "thpload", 8);
}

static json_t *decode(const struct thp_event *e)
{
	return event_to_json(e, &env);
}

#define STR(o, k) json_string_value(json_object_get(o, k))
#define INT(o, k) json_integer_value(json_object_get(o, k))

static void head_is_decoded(void **state)
{
	struct thp_event e;
	json_t *o;

	head(&e, "collapse", CE_COLLAPSE);
	o = decode(&e);
	assert_int_equal(INT(o, "ts_ns"), 123);
	assert_int_equal(INT(o, "cpu"), 1);
	assert_int_equal(INT(o, "pid"), 42);
	assert_int_equal(INT(o, "tid"), 43);
	assert_string_equal(STR(o, "comm"), "thpload");
	assert_string_equal(STR(o, "family"), "collapse");
	assert_string_equal(STR(o, "event"), "collapse");
	json_decref(o);
}

static void unknown_family_or_kind(void **state)
{
	struct thp_event e;
	json_t *o;

	head(&e, "collapse", CE_NR);
	o = decode(&e);
	assert_string_equal(STR(o, "family"), "?");
	assert_string_equal(STR(o, "event"), "?");
	json_decref(o);
	e.family = 200;
	e.kind = 0;
	memset(e.comm, 'x', sizeof(e.comm));	/* no terminating NUL */
	o = decode(&e);
	assert_string_equal(STR(o, "family"), "?");
	assert_int_equal(strlen(STR(o, "comm")), sizeof(e.comm));
	json_decref(o);
}

static void collapse_events(void **state)
{
	static const char *const names[CE_NR] = {
		"scan_pmd", "collapse", "isolate", "swapin", "scan_file", "collapse_file",
	};
	struct thp_event e;
	struct collapse_event_body *b = TRACE_BODY(&e, struct collapse_event_body);
	unsigned int k;
	json_t *o;

	for (k = 0; k < CE_NR; k++) {
		head(&e, "collapse", k);
		b->result = 3;
		b->order = k == CE_SCAN_PMD || k >= CE_SCAN_FILE ? ORDER_NONE : 9;
		b->where = 0x1234;
		b->pages = 7;
		o = decode(&e);
		assert_string_equal(STR(o, "event"), names[k]);
		assert_string_equal(STR(o, "result"), "exceed_none_pte");
		assert_int_equal(json_object_get(o, "order") != NULL, b->order != ORDER_NONE);
		if (k == CE_SCAN_PMD || k == CE_ISOLATE || k == CE_SCAN_FILE)
			assert_string_equal(STR(o, "pfn"), "0x1234");
		if (k == CE_SCAN_PMD || k == CE_ISOLATE)
			assert_int_equal(INT(o, "referenced"), 7);
		if (k == CE_SWAPIN)
			assert_int_equal(INT(o, "swapped_in"), 7);
		if (k == CE_COLLAPSE_FILE)
			assert_int_equal(INT(o, "index"), 0x1234);
		json_decref(o);
	}
}

static void migrate_event(void **state)
{
	struct thp_event e;
	struct migrate_event_body *b = TRACE_BODY(&e, struct migrate_event_body);
	json_t *o;

	head(&e, "migrate", ME_MIGRATE_PAGES);
	*b = (struct migrate_event_body){ .reason = 2, .mode = 1, .succeeded = 10, .failed = 2,
		.thp_succeeded = 3, .thp_failed = 4, .thp_split = 5, .large_folio_split = 6 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "migrate_pages");
	assert_string_equal(STR(o, "reason"), "numa_misplaced");
	assert_string_equal(STR(o, "mode"), "sync_light");
	assert_int_equal(INT(o, "succeeded"), 10);
	assert_int_equal(INT(o, "failed"), 2);
	assert_int_equal(INT(o, "thp_succeeded"), 3);
	assert_int_equal(INT(o, "thp_failed"), 4);
	assert_int_equal(INT(o, "thp_split"), 5);
	assert_int_equal(INT(o, "large_folio_split"), 6);
	assert_null(json_object_get(o, "order"));
	json_decref(o);
}

static void split_events(void **state)
{
	struct thp_event e;
	struct split_folio_event *f = TRACE_BODY(&e, struct split_folio_event);
	struct split_pmd_event *p = TRACE_BODY(&e, struct split_pmd_event);
	json_t *o;

	head(&e, "split", SE_FOLIO_SPLIT);
	*f = (struct split_folio_event){ .order = 4, .new_order = 0, .cause = CAUSE_SHRINKER,
		.kind = KIND_SHMEM, .uniform = 1, .entry = ENTRY_UNMAPPED, .ret = -16,
		.folio = 0xabc, .ns = 900 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "folio_split");
	assert_int_equal(INT(o, "order"), 4);
	assert_int_equal(INT(o, "new_order"), 0);
	assert_string_equal(STR(o, "cause"), cause_name(CAUSE_SHRINKER));
	assert_string_equal(STR(o, "kind"), "shmem");
	assert_true(json_is_true(json_object_get(o, "uniform")));
	assert_true(json_is_false(json_object_get(o, "counted")));
	assert_int_equal(INT(o, "ret"), -16);
	assert_string_equal(STR(o, "folio"), "0xabc");
	assert_int_equal(INT(o, "ns"), 900);
	json_decref(o);
	f->kind = KIND_NR;
	f->entry = ENTRY_COUNTED;
	o = decode(&e);
	assert_string_equal(STR(o, "kind"), "other");
	assert_true(json_is_true(json_object_get(o, "counted")));
	json_decref(o);

	head(&e, "split", SE_PMD_SPLIT);
	*p = (struct split_pmd_event){ .cause = CAUSE_MUNMAP, .address = 0x7f0000200000 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "pmd_split");
	assert_string_equal(STR(o, "cause"), cause_name(CAUSE_MUNMAP));
	assert_string_equal(STR(o, "address"), "0x7f0000200000");
	assert_null(json_object_get(o, "order"));
	json_decref(o);
}

static void deferred_events(void **state)
{
	struct thp_event e;
	struct deferred_member_event *m = TRACE_BODY(&e, struct deferred_member_event);
	struct deferred_scan_event *s = TRACE_BODY(&e, struct deferred_scan_event);
	json_t *o;

	head(&e, "deferred", DE_ENQUEUE);
	*m = (struct deferred_member_event){ .order = 9, .partially_mapped = 1, .folio = 0x10 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "enqueue");
	assert_int_equal(INT(o, "order"), 9);
	assert_true(json_is_true(json_object_get(o, "partially_mapped")));
	assert_string_equal(STR(o, "folio"), "0x10");
	json_decref(o);

	head(&e, "deferred", DE_DEQUEUE);
	*m = (struct deferred_member_event){ .order = 4, .fate = DEFERRED_FIELD(split_by_shrinker),
		.folio = 0x20, .queued_ns = 5000 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "dequeue");
	assert_string_equal(STR(o, "fate"), "split_by_shrinker");
	assert_int_equal(INT(o, "queued_ns"), 5000);
	json_decref(o);
	m->fate = DEFERRED_NR_FIELDS;
	o = decode(&e);
	assert_string_equal(STR(o, "fate"), "other");
	json_decref(o);

	head(&e, "deferred", DE_SHRINKER_SCAN);
	*s = (struct deferred_scan_event){ .node = 1, .ret = 12, .scanned = 128 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "shrinker_scan");
	assert_int_equal(INT(o, "node"), 1);
	assert_int_equal(INT(o, "scanned"), 128);
	assert_int_equal(INT(o, "split"), 12);
	json_decref(o);
	s->ret = -1;	/* SHRINK_STOP: nothing split */
	o = decode(&e);
	assert_int_equal(INT(o, "split"), 0);
	json_decref(o);
}

static void device_events(void **state)
{
	struct thp_event e;
	struct device_vma_event *v = TRACE_BODY(&e, struct device_vma_event);
	struct device_fault_event *f = TRACE_BODY(&e, struct device_fault_event);
	json_t *o;

	head(&e, "device", DEV_MIGRATE_VMA);
	*v = (struct device_vma_event){ .direction = DIR_TO_RAM, .start = 0x400000, .pages = 512,
		.collected = 500, .migrated = 480, .thp_whole = 0, .thp_split = 1, .ns = 77 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "migrate_vma");
	assert_string_equal(STR(o, "direction"), "to_ram");
	assert_string_equal(STR(o, "start"), "0x400000");
	assert_int_equal(INT(o, "pages"), 512);
	assert_int_equal(INT(o, "collected"), 500);
	assert_int_equal(INT(o, "migrated"), 480);
	assert_int_equal(INT(o, "thp_whole"), 0);
	assert_int_equal(INT(o, "thp_split"), 1);
	assert_int_equal(INT(o, "ns"), 77);
	json_decref(o);

	head(&e, "device", DEV_FAULT);
	*f = (struct device_fault_event){ .order = 9, .address = 0x600000, .faults_here = 5,
		.migrated = 0, .stalled = 4 };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "device_fault");
	assert_int_equal(INT(o, "order"), 9);
	assert_string_equal(STR(o, "address"), "0x600000");
	assert_int_equal(INT(o, "faults_here"), 5);
	assert_int_equal(INT(o, "migrated"), 0);
	assert_int_equal(INT(o, "stalled"), 4);
	json_decref(o);
}

static void pathology_event(void **state)
{
	struct thp_event e;
	struct pathology_event_body *b = TRACE_BODY(&e, struct pathology_event_body);
	json_t *o;

	head(&e, "pathology", PE_DETECTED);
	*b = (struct pathology_event_body){ .kind = PK_THRASH, .start = 0x200000,
		.end = 0x400000, .count = 3, .first_ns = 1000,
		.causes = 1U << CAUSE_MADVISE | 1U << CAUSE_MUNMAP, .sources = 1U << SRC_MADVISE };
	o = decode(&e);
	assert_string_equal(STR(o, "event"), "pathology");
	assert_string_equal(STR(o, "kind"), "thrash");
	assert_string_equal(STR(o, "start"), "0x200000");
	assert_string_equal(STR(o, "end"), "0x400000");
	assert_int_equal(INT(o, "count"), 3);
	assert_int_equal(INT(o, "first_ns"), 1000);
	assert_int_equal(json_array_size(json_object_get(o, "split_causes")), 2);
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "split_causes"), 0)),
			    "madvise");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "split_causes"), 1)),
			    "munmap");
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "collapse_sources"),
								0)), "madvise");
	assert_null(json_object_get(o, "order"));
	json_decref(o);
	*b = (struct pathology_event_body){ .kind = PK_CREEP, .start = 0x200000, .end = 0x400000,
		.count = 3, .order = 9 };
	o = decode(&e);
	assert_string_equal(STR(o, "kind"), "creep");
	assert_int_equal(INT(o, "count"), 3);
	assert_int_equal(INT(o, "order"), 9);
	json_decref(o);
	b->kind = PK_NR;
	o = decode(&e);
	assert_string_equal(STR(o, "kind"), "other");
	json_decref(o);
}

/* Every kind of every family has a name, and the tally names them. */
static void every_kind_named_and_tallied(void **state)
{
	struct event_tally t = { 0 };
	struct thp_event e;
	size_t f, k, n = 0;
	json_t *o;

	for (f = 0; f < nfamilies; f++) {
		assert_true(families[f]->nevents <= FAMILY_MAX_EVENTS);
		for (k = 0; k < families[f]->nevents; k++) {
			assert_non_null(families[f]->event_names[k]);
			head(&e, families[f]->name, k);
			event_tally_add(&t, &e);
			event_tally_add(&t, &e);
			n++;
		}
	}
	o = event_tally_json(&t);
	assert_int_equal(json_object_size(o), n);
	assert_int_equal(INT(o, "folio_split"), 2);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(head_is_decoded),
		cmocka_unit_test(unknown_family_or_kind),
		cmocka_unit_test(collapse_events),
		cmocka_unit_test(migrate_event),
		cmocka_unit_test(split_events),
		cmocka_unit_test(deferred_events),
		cmocka_unit_test(device_events),
		cmocka_unit_test(pathology_event),
		cmocka_unit_test(every_kind_named_and_tallied),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
