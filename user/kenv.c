// SPDX-License-Identifier: GPL-2.0
/* The running kernel's environment: its parts opened, handed out on
 * demand and released (see kenv.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "kenv.h"
#include "kernel_btf.h"
#include "page_geometry.h"
#include "tracefs.h"
#include "util.h"

int kenv_open(struct kenv *env)
{
	struct page_geometry geometry;

	memset(env, 0, sizeof(*env));
	env->btf = kernel_btf_new(NULL);
	if (!kenv_btf(env)) {
		errorf("kernel BTF is unavailable (/sys/kernel/btf/vmlinux): %s; "
		       "thpscope needs CONFIG_DEBUG_INFO_BTF",
		       strerror(env->btf ? errno : ENOMEM));
		return -1;
	}
	if (tracefs_find(env->tracefs, sizeof(env->tracefs)) ||
	    page_geometry_read(&geometry))
		return -1;
	env->page_size = geometry.page_size;
	env->page_shift = geometry.page_shift;
	env->pmd_order = geometry.pmd_order;
	env->kprobe_pmu = path_exists("/sys/bus/event_source/devices/kprobe/type");
	return 0;
}

void kenv_release(struct kenv *env)
{
	kernel_btf_release(env->btf);
	ksyms_free(&env->ksyms);
	ftrace_funcs_free(&env->ftrace);
}

void kenv_close(struct kenv *env)
{
	kenv_release(env);
	kernel_btf_free(env->btf);
	memset(env, 0, sizeof(*env));
}

struct btf *kenv_btf(struct kenv *env)
{
	return kernel_btf_get(env->btf);
}

bool kenv_has_member(struct kenv *env, const char *sname, const char *mname)
{
	return btf_has_member(kenv_btf(env), sname, mname);
}

const struct enum_names *kenv_enum_of(const struct kenv *env, const struct enum_spec *spec)
{
	return kernel_btf_enum(env->btf, spec);
}

int kenv_ftrace_patchable(struct kenv *env, const char *func)
{
	return ftrace_funcs_has(&env->ftrace, env->tracefs, func);
}

const struct ksyms *kenv_ksyms(struct kenv *env)
{
	if (!env->ksyms.loaded)
		ksyms_load(&env->ksyms, "/proc/kallsyms");
	return &env->ksyms;
}

bool kenv_has_ksym(struct kenv *env, const char *name)
{
	return ksyms_has(kenv_ksyms(env), name);
}

void kenv_ksym_match(struct kenv *env, const char *name, bool prefix,
		     void (*fn)(const struct ksym *sym, void *data), void *data)
{
	ksyms_match(kenv_ksyms(env), name, prefix, fn, data);
}

const struct ksym *kenv_ksym_at(struct kenv *env, unsigned long long addr)
{
	return ksyms_at(kenv_ksyms(env), addr);
}

bool kenv_ksyms_usable(struct kenv *env)
{
	return ksyms_usable(kenv_ksyms(env));
}
