// SPDX-License-Identifier: GPL-2.0
/* Decoding streamed events: one table of kinds, one decoder per shape. */
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "../bpf/trace.h"
#include "cause_table.h"
#include "event_decode.h"
#include "family.h"
#include "kenv.h"
#include "util.h"

static const struct {
	const char *family;
	const char *name;
} kinds[TK_NR] = {
	[TK_SCAN_PMD] = { "collapse", "scan_pmd" },
	[TK_COLLAPSE] = { "collapse", "collapse" },
	[TK_ISOLATE] = { "collapse", "isolate" },
	[TK_SWAPIN] = { "collapse", "swapin" },
	[TK_SCAN_FILE] = { "collapse", "scan_file" },
	[TK_COLLAPSE_FILE] = { "collapse", "collapse_file" },
	[TK_MIGRATE_PAGES] = { "migrate", "migrate_pages" },
	[TK_FOLIO_SPLIT] = { "split", "folio_split" },
	[TK_PMD_SPLIT] = { "split", "pmd_split" },
	[TK_DEFERRED_QUEUE] = { "deferred", "enqueue" },
	[TK_DEFERRED_FATE] = { "deferred", "dequeue" },
	[TK_SHRINKER_SCAN] = { "deferred", "shrinker_scan" },
	[TK_MIGRATE_VMA] = { "device", "migrate_vma" },
	[TK_DEVICE_FAULT] = { "device", "device_fault" },
};

const char *event_family(unsigned int kind)
{
	return kind < TK_NR ? kinds[kind].family : "?";
}

const char *event_name(unsigned int kind)
{
	return kind < TK_NR ? kinds[kind].name : "?";
}

static void set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v));
}

static void set_int(json_t *o, const char *k, long long v)
{
	json_object_set_new(o, k, json_integer(v));
}

static void set_hex(json_t *o, const char *k, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	set_str(o, k, buf);
}

static void set_enum(json_t *o, const char *k, const struct enum_names *names, long long v)
{
	char buf[32];

	set_str(o, k, enum_name(names, v, buf, sizeof(buf)));
}

static void decode_fields(json_t *o, const struct thp_event *e, const struct kenv *env)
{
	static const char *const migrate_fields[] = {
		"succeeded", "failed", "thp_succeeded", "thp_failed", "thp_split",
		"large_folio_split",
	};
	static const char *const vma_fields[] = {
		"pages", "collected", "migrated", "thp_whole", "thp_split", "ns",
	};
	const struct enum_names *results = kenv_enum(env, KENV_SCAN_RESULT);
	size_t i;

	if (e->order != TRACE_NO_ORDER && e->kind != TK_MIGRATE_PAGES)
		set_int(o, "order", e->order);
	switch (e->kind) {
	case TK_SCAN_PMD:
	case TK_ISOLATE:
		set_enum(o, "result", results, e->result);
		set_hex(o, "pfn", e->addr);
		set_int(o, "referenced", e->val[0]);
		break;
	case TK_SWAPIN:
		set_enum(o, "result", results, e->result);
		set_int(o, "swapped_in", e->val[0]);
		break;
	case TK_COLLAPSE:
		set_enum(o, "result", results, e->result);
		break;
	case TK_SCAN_FILE:
		set_enum(o, "result", results, e->result);
		set_hex(o, "pfn", e->addr);
		break;
	case TK_COLLAPSE_FILE:
		set_enum(o, "result", results, e->result);
		set_int(o, "index", e->addr);
		break;
	case TK_MIGRATE_PAGES:
		set_enum(o, "reason", kenv_enum(env, KENV_MIGRATE_REASON), e->arg);
		set_enum(o, "mode", kenv_enum(env, KENV_MIGRATE_MODE), e->arg2);
		for (i = 0; i < ARRAY_SIZE(migrate_fields); i++)
			set_int(o, migrate_fields[i], e->val[i]);
		break;
	case TK_FOLIO_SPLIT:
		set_int(o, "new_order", e->new_order);
		set_str(o, "cause", cause_name(e->arg));
		set_str(o, "kind", split_kind_name(e->arg2 & 0xf));
		json_object_set_new(o, "uniform", json_boolean(e->arg2 >> 4 & 1));
		json_object_set_new(o, "counted", json_boolean(!(e->arg2 >> 8)));
		set_int(o, "ret", e->result);
		set_hex(o, "folio", e->addr);
		set_int(o, "ns", e->val[0]);
		break;
	case TK_PMD_SPLIT:
		set_str(o, "cause", cause_name(e->arg));
		set_hex(o, "address", e->addr);
		break;
	case TK_DEFERRED_QUEUE:
		json_object_set_new(o, "partially_mapped", json_boolean(e->arg));
		set_hex(o, "folio", e->addr);
		break;
	case TK_DEFERRED_FATE:
		set_str(o, "fate", deferred_field_name(e->arg));
		set_hex(o, "folio", e->addr);
		set_int(o, "queued_ns", e->val[0]);
		break;
	case TK_SHRINKER_SCAN:
		set_int(o, "node", e->arg);
		set_int(o, "scanned", e->val[0]);
		set_int(o, "split", e->result > 0 ? e->result : 0);
		break;
	case TK_MIGRATE_VMA:
		set_str(o, "direction", device_direction_name(e->arg));
		set_hex(o, "start", e->addr);
		for (i = 0; i < ARRAY_SIZE(vma_fields); i++)
			set_int(o, vma_fields[i], e->val[i]);
		break;
	case TK_DEVICE_FAULT:
		set_hex(o, "address", e->addr);
		set_int(o, "faults_here", e->val[0]);
		set_int(o, "migrated", e->val[1]);
		set_int(o, "stalled", e->val[2]);
		break;
	}
}

json_t *event_to_json(const struct thp_event *e, const struct kenv *env)
{
	json_t *o = json_object();

	set_int(o, "ts_ns", e->ts);
	set_int(o, "cpu", e->cpu);
	set_int(o, "pid", e->tgid);
	set_int(o, "tid", e->pid);
	set_str(o, "comm", e->comm);
	set_str(o, "family", event_family(e->kind));
	set_str(o, "event", event_name(e->kind));
	decode_fields(o, e, env);
	return o;
}
