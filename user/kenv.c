// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kenv.h"
#include "util.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static bool cap_effective(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

int kenv_check_privileges(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (syscall(SYS_capget, &h, d)) {
		errorf("cannot read capabilities: %s", strerror(errno));
		return -1;
	}
	if (cap_effective(d, CAP_SYS_ADMIN))
		return 0;
	if (cap_effective(d, CAP_BPF) && cap_effective(d, CAP_PERFMON))
		return 0;
	errorf("needs root, or CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH "
	       "(CAP_SYSLOG for kernel symbols)");
	return -1;
}

/* 0 when DIR holds tracefs's events, or -errno. stat(), not access():
 * CAP_DAC_READ_SEARCH must count. */
static int tracefs_at(const char *dir)
{
	char path[128];
	struct stat st;

	snprintf(path, sizeof(path), "%s/events", dir);
	return stat(path, &st) ? -errno : 0;
}

static void find_tracefs(struct kenv *env)
{
	static const char *const dirs[] = { "/sys/kernel/tracing",
					    "/sys/kernel/debug/tracing" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		int err = tracefs_at(dirs[i]);

		if (!err) {
			snprintf(env->tracefs, sizeof(env->tracefs), "%s", dirs[i]);
			return;
		}
		/* Mounted, but root's only (mode 0700 by default). */
		if (err == -EACCES) {
			snprintf(env->tracefs_why, sizeof(env->tracefs_why),
				 "tracefs at %s: %s (without root: CAP_DAC_READ_SEARCH with "
				 "CAP_BPF, CAP_PERFMON)",
				 dirs[i], strerror(EACCES));
			return;
		}
	}
	if (mount("nodev", dirs[0], "tracefs", 0, NULL) == 0 && !tracefs_at(dirs[0])) {
		snprintf(env->tracefs, sizeof(env->tracefs), "%s", dirs[0]);
		return;
	}
	snprintf(env->tracefs_why, sizeof(env->tracefs_why),
		 "tracefs is not mounted and cannot be mounted at %s: %s%s",
		 dirs[0], strerror(errno), errno == EPERM ? " (mounting takes CAP_SYS_ADMIN)" : "");
}

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
	find_tracefs(env);
	if (!env->tracefs[0]) {
		errorf("%s", env->tracefs_why);
		return -1;
	}
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

/* Names of symbols, kept in large blocks rather than one allocation each. */
struct ksym_arena {
	struct ksym_arena *next;
	size_t used, size;
	char data[];
};

static const char *arena_strdup(struct ksym_arena **head, const char *s)
{
	size_t n = strlen(s) + 1;
	struct ksym_arena *a = *head;
	char *p;

	if (!a || a->used + n > a->size) {
		size_t size = n > 1 << 20 ? n : 1 << 20;

		a = malloc(sizeof(*a) + size);
		if (!a)
			return NULL;
		a->next = *head;
		a->used = 0;
		a->size = size;
		*head = a;
	}
	p = a->data + a->used;
	memcpy(p, s, n);
	a->used += n;
	return p;
}

static void drop_ksyms(struct kenv *env)
{
	while (env->names) {
		struct ksym_arena *next = env->names->next;

		free(env->names);
		env->names = next;
	}
	free(env->ksyms);
	free(env->ksyms_by_name);
	env->ksyms = NULL;
	env->ksyms_by_name = NULL;
	env->nksyms = 0;
	env->ksyms_loaded = false;
}

void kenv_release(struct kenv *env)
{
	btf__free(env->btf);
	env->btf = NULL;
	drop_ksyms(env);
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

static int by_addr(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static const struct kenv *sort_env;

static int by_name(const void *a, const void *b)
{
	return strcmp(sort_env->ksyms[*(const unsigned int *)a].name,
		      sort_env->ksyms[*(const unsigned int *)b].name);
}

/* Split a kallsyms LINE in place; false when it is not one. */
static bool parse_ksym_line(char *line, unsigned long long *addr, char *type, char **name,
			    char **module)
{
	char *p, *end;

	*addr = strtoull(line, &p, 16);
	if (p == line || p[0] != ' ' || !p[1] || p[2] != ' ')
		return false;
	*type = p[1];
	*name = p + 3;
	end = *name + strcspn(*name, " \t\n");
	if (end == *name)
		return false;
	*module = end;		/* "" once the name is cut, unless a module follows */
	if (end[0] == '\t' && end[1] == '[') {
		*module = end + 2;
		(*module)[strcspn(*module, "]\n")] = '\0';
	}
	*end = '\0';
	return true;
}

static void load_ksyms(struct kenv *env)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], *name, *module, type;
	const char *last_module = NULL;
	unsigned long long addr, nonzero = 0;
	size_t cap = 0, i;

	env->ksyms_loaded = true;
	env->ksyms_hidden = true;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		struct ksym *k;

		/* "addr type name[\t[module]]", 160k lines or more: parsed by
		 * hand, as sscanf costs most of the start-up in a slow guest. */
		if (!parse_ksym_line(line, &addr, &type, &name, &module))
			continue;
		if (type != 't' && type != 'T')
			continue;
		if (env->nksyms == cap) {
			struct ksym *v;

			cap = cap ? cap * 2 : 131072;
			v = realloc(env->ksyms, cap * sizeof(*v));
			if (!v)
				break;
			env->ksyms = v;
		}
		k = &env->ksyms[env->nksyms++];
		k->addr = addr;
		k->name = arena_strdup(&env->names, name);
		/* Module names repeat line after line: keep one copy each. */
		if (module[0] && (!last_module || strcmp(last_module, module)))
			last_module = arena_strdup(&env->names, module);
		k->module = module[0] ? last_module : NULL;
		nonzero += addr != 0;
	}
	fclose(f);
	env->ksyms_hidden = !nonzero;
	qsort(env->ksyms, env->nksyms, sizeof(*env->ksyms), by_addr);
	for (i = 0; i < env->nksyms; i++)
		env->ksyms[i].end = i + 1 < env->nksyms ? env->ksyms[i + 1].addr :
			env->ksyms[i].addr + 1;
	env->ksyms_by_name = calloc(env->nksyms ? env->nksyms : 1, sizeof(*env->ksyms_by_name));
	if (!env->ksyms_by_name)
		return;
	for (i = 0; i < env->nksyms; i++)
		env->ksyms_by_name[i] = i;
	sort_env = env;
	qsort(env->ksyms_by_name, env->nksyms, sizeof(*env->ksyms_by_name), by_name);
}

bool kenv_ksyms_usable(struct kenv *env)
{
	if (!env->ksyms_loaded)
		load_ksyms(env);
	return env->nksyms && !env->ksyms_hidden && env->ksyms_by_name;
}

/* Index of the first symbol whose name is >= NAME. */
static size_t lower_bound(const struct kenv *env, const char *name)
{
	size_t lo = 0, hi = env->nksyms;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (strcmp(env->ksyms[env->ksyms_by_name[mid]].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void kenv_ksym_match(struct kenv *env, const char *name, bool prefix,
		     void (*fn)(const struct ksym *sym, void *data), void *data)
{
	size_t n = strlen(name), i;

	if (!env->ksyms_loaded)
		load_ksyms(env);
	if (!env->ksyms_by_name)
		return;
	for (i = lower_bound(env, name); i < env->nksyms; i++) {
		const struct ksym *sym = &env->ksyms[env->ksyms_by_name[i]];

		if (strncmp(sym->name, name, n))
			break;
		if (prefix || !sym->name[n] || sym->name[n] == '.')
			fn(sym, data);
	}
}

bool kenv_has_ksym(struct kenv *env, const char *name)
{
	size_t i;

	if (!env->ksyms_loaded)
		load_ksyms(env);
	if (!env->ksyms_by_name)
		return false;
	i = lower_bound(env, name);
	return i < env->nksyms && !strcmp(env->ksyms[env->ksyms_by_name[i]].name, name);
}

const struct ksym *kenv_ksym_at(struct kenv *env, unsigned long long addr)
{
	size_t lo = 0, hi;

	if (!kenv_ksyms_usable(env))
		return NULL;
	hi = env->nksyms;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (addr < env->ksyms[mid].addr)
			hi = mid;
		else if (addr >= env->ksyms[mid].end)
			lo = mid + 1;
		else
			return &env->ksyms[mid];
	}
	return NULL;
}
