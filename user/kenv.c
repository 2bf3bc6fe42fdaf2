// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kenv.h"
#include "tracefs.h"
#include "util.h"

struct btf *kenv_btf(struct kenv *env)
{
	if (!env->btf) {
		env->btf = btf__load_vmlinux_btf();
		if (libbpf_get_error(env->btf))
			env->btf = NULL;
	}
	return env->btf;
}

/* Each enum of enum kenv_enum: its BTF name, the prefix its value names
 * lose, and the fallback spelling of values it lacks. */
static const struct {
	const char *name, *prefix, *fallback;
} kernel_enums[KENV_NR_ENUMS] = {
	[KENV_SCAN_RESULT] = { "scan_result", "SCAN_", "result" },
	[KENV_MIGRATE_REASON] = { "migrate_reason", "MR_", "reason" },
	[KENV_MIGRATE_MODE] = { "migrate_mode", "MIGRATE_", "mode" },
	[KENV_MMU_NOTIFY] = { "mmu_notifier_event", "MMU_NOTIFY_", "event" },
};

const struct enum_names *kenv_enum(const struct kenv *env, enum kenv_enum which)
{
	return &env->enums[which];
}

int kenv_open(struct kenv *env)
{
	char buf[64];
	uint64_t pmd_size = 0;
	int i;

	memset(env, 0, sizeof(*env));
	if (!kenv_btf(env)) {
		errorf("kernel BTF is unavailable (/sys/kernel/btf/vmlinux): %s; "
		       "thpscope needs CONFIG_DEBUG_INFO_BTF", strerror(errno));
		return -1;
	}
	if (tracefs_find(env->tracefs, sizeof(env->tracefs)))
		return -1;
	env->kprobe_pmu = path_exists("/sys/bus/event_source/devices/kprobe/type");
	env->page_size = sysconf(_SC_PAGESIZE);
	if (read_text("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", buf, sizeof(buf)))
		parse_u64(buf, &pmd_size);
	env->pmd_order = pmd_size ? ilog2_u64(pmd_size / env->page_size) : 9;
	for (i = 0; i < KENV_NR_ENUMS; i++)
		enum_names_load(&env->enums[i], env->btf, kernel_enums[i].name,
				kernel_enums[i].prefix, kernel_enums[i].fallback);
	return 0;
}

void kenv_release(struct kenv *env)
{
	btf__free(env->btf);
	env->btf = NULL;
	ksyms_free(&env->ksyms);
	ftrace_funcs_free(&env->ftrace);
}

int kenv_ftrace_patchable(struct kenv *env, const char *func)
{
	return ftrace_funcs_has(&env->ftrace, env->tracefs, func);
}

void kenv_close(struct kenv *env)
{
	int i;

	kenv_release(env);
	free(env->causes);
	for (i = 0; i < KENV_NR_ENUMS; i++)
		enum_names_free(&env->enums[i]);
	memset(env, 0, sizeof(*env));
}

static bool struct_has_member(const struct btf *btf, const struct btf_type *t,
			      const char *mname, int depth)
{
	const struct btf_member *m = btf_members(t);
	int i;

	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *n = btf__name_by_offset(btf, m->name_off);
		const struct btf_type *mt;

		if (n && *n) {
			if (!strcmp(n, mname))
				return true;
			continue;
		}
		mt = btf__type_by_id(btf, m->type);
		while (mt && btf_is_mod(mt))
			mt = btf__type_by_id(btf, mt->type);
		if (mt && btf_is_composite(mt) && depth < 8 &&
		    struct_has_member(btf, mt, mname, depth + 1))
			return true;
	}
	return false;
}

bool kenv_has_member(struct kenv *env, const char *sname,
		     const char *mname)
{
	struct btf *btf = kenv_btf(env);
	int id = btf ? btf__find_by_name_kind(btf, sname, BTF_KIND_STRUCT) : -1;

	if (id <= 0)
		return false;
	return struct_has_member(btf, btf__type_by_id(btf, id), mname, 0);
}

static const struct ksyms *kallsyms(struct kenv *env)
{
	if (!env->ksyms.loaded)
		ksyms_load(&env->ksyms, "/proc/kallsyms");
	return &env->ksyms;
}

bool kenv_has_ksym(struct kenv *env, const char *name)
{
	return ksyms_has(kallsyms(env), name);
}

void kenv_ksym_match(struct kenv *env, const char *name, bool prefix,
		     void (*fn)(const struct ksym *sym, void *data), void *data)
{
	ksyms_match(kallsyms(env), name, prefix, fn, data);
}

const struct ksym *kenv_ksym_at(struct kenv *env, unsigned long long addr)
{
	return ksyms_at(kallsyms(env), addr);
}

bool kenv_ksyms_usable(struct kenv *env)
{
	return ksyms_usable(kallsyms(env));
}
