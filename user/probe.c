// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "kenv.h"
#include "probe.h"
#include "util.h"

#ifndef ENOTSUPP
#define ENOTSUPP 524
#endif

static const char *const mech_names[MECH_NR] = {
	[MECH_FENTRY] = "fentry",
	[MECH_KPROBE] = "kprobe",
	[MECH_TP_BTF] = "tp_btf",
	[MECH_RAW_TP] = "raw_tp",
	[MECH_TRACEPOINT] = "tracepoint",
};

const char *mechanism_name(int mech)
{
	return mech >= 0 && mech < MECH_NR ? mech_names[mech] : "none";
}

/* Split a program's section into mechanism, hook and tracepoint system. */
static int parse_section(const char *sec, char *hook, size_t hlen, char *cat,
			 size_t clen)
{
	static const struct {
		const char *prefix;
		int mech;
	} kinds[] = {
		{ "tracepoint/", MECH_TRACEPOINT }, { "tp/", MECH_TRACEPOINT },
		{ "tp_btf/", MECH_TP_BTF }, { "raw_tp/", MECH_RAW_TP },
		{ "raw_tracepoint/", MECH_RAW_TP }, { "fentry/", MECH_FENTRY },
		{ "fexit/", MECH_FENTRY }, { "kprobe/", MECH_KPROBE },
		{ "kretprobe/", MECH_KPROBE },
	};
	size_t i;

	cat[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i].prefix);
		const char *rest = sec + n, *slash;

		if (strncmp(sec, kinds[i].prefix, n))
			continue;
		slash = strchr(rest, '/');
		if (kinds[i].mech == MECH_TRACEPOINT && slash) {
			snprintf(cat, clen, "%.*s", (int)(slash - rest), rest);
			rest = slash + 1;
		}
		snprintf(hook, hlen, "%s", rest);
		return kinds[i].mech;
	}
	return -1;
}

static struct probe *probe_get(struct probe_set *set, const char *name)
{
	struct probe *p;
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return &set->v[i];
	p = realloc(set->v, (set->n + 1) * sizeof(*p));
	if (!p)
		return NULL;
	set->v = p;
	p = &set->v[set->n++];
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->mech = -1;
	return p;
}

/*
 * Load an empty fentry program for FUNC: the verifier's checks of the
 * target (its prototype, the deny list) are the only reliable way to learn
 * whether fentry may attach there. Attaching it too patches kernel text
 * twice (a trampoline in, then out), so that is done once, on the first
 * function ftrace can patch; the other patchable functions share its
 * outcome. Where tracefs does not list them, every function is attached.
 * -ESRCH: ftrace cannot patch FUNC.
 */
static int fentry_try(struct probe_set *set, struct kenv *env, const char *func)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	struct btf *btf = kenv_btf(env);
	int id = btf ? btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) : -ENOENT;
	int fd, link, patchable, err = 0;
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = id);

	if (id <= 0)
		return -ENOENT;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "thpscope_probe", "GPL",
			   insns, ARRAY_SIZE(insns), &opts);
	if (fd < 0)
		return -errno;
	patchable = kenv_ftrace_patchable(env, func);
	if (!patchable) {
		err = -ESRCH;
	} else if (patchable > 0 && set->fentry_tried) {
		err = set->fentry_err;
	} else {
		link = bpf_raw_tracepoint_open(NULL, fd);
		if (link < 0)
			err = -errno;
		else
			close(link);
		if (patchable > 0) {
			set->fentry_tried = true;
			set->fentry_err = err;
		}
	}
	close(fd);
	return err;
}

/* THPSCOPE_MECHANISMS, a comma-separated list, limits the mechanisms
 * thpscope may use (to work around a broken one, or to test fallbacks). */
static bool mech_allowed(int mech)
{
	const char *allow = getenv("THPSCOPE_MECHANISMS");
	const char *name = mechanism_name(mech), *p;
	size_t n = strlen(name);

	if (!allow || !*allow)
		return true;
	for (p = allow; (p = strstr(p, name)); p += n)
		if ((p == allow || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

/* Whether MECH can serve HOOK here; if not, why, appended to WHY. */
static bool mech_available(struct probe_set *set, struct kenv *env, struct probe *p, int mech)
{
	char path[256], reason[128] = "";
	size_t len = strlen(p->why);
	int err;

	if (!mech_allowed(mech)) {
		snprintf(p->why + len, sizeof(p->why) - len, "%s%s: excluded by THPSCOPE_MECHANISMS",
			 len ? "; " : "", mechanism_name(mech));
		return false;
	}
	switch (mech) {
	case MECH_TRACEPOINT:
		snprintf(path, sizeof(path), "%s/events/%s/%s/id", env->tracefs,
			 p->category, p->hook);
		if (!path_exists(path))
			snprintf(reason, sizeof(reason), "no such tracepoint in this kernel");
		break;
	case MECH_TP_BTF:
	case MECH_RAW_TP:
		snprintf(path, sizeof(path), "btf_trace_%s", p->hook);
		if (btf__find_by_name_kind(kenv_btf(env), path, BTF_KIND_TYPEDEF) <= 0)
			snprintf(reason, sizeof(reason), "no such tracepoint in this kernel");
		break;
	case MECH_FENTRY:
		err = fentry_try(set, env, p->hook);
		if (err == -ENOENT)
			snprintf(reason, sizeof(reason), "function not in BTF (inlined or absent)");
		else if (err == -ESRCH)
			snprintf(reason, sizeof(reason), "ftrace cannot patch it (notrace)");
		else if (err == -ENOTSUPP || err == -EOPNOTSUPP)
			snprintf(reason, sizeof(reason), "not supported by this kernel");
		else if (err == -EPERM || err == -EACCES)
			snprintf(reason, sizeof(reason), "not permitted on this kernel (%s)",
				 err == -EPERM ? "EPERM" : "EACCES");
		else if (err)
			snprintf(reason, sizeof(reason), "%s", strerror(-err));
		break;
	case MECH_KPROBE:
		if (!env->kprobe_pmu)
			snprintf(reason, sizeof(reason), "kernel built without kprobes");
		else if (!kenv_has_ksym(env, p->hook))
			snprintf(reason, sizeof(reason), "no symbol (inlined or absent, or kallsyms hidden)");
		break;
	}
	if (!reason[0])
		return true;
	snprintf(p->why + len, sizeof(p->why) - len, "%s%s: %s", len ? "; " : "",
		 mechanism_name(mech), reason);
	return false;
}

static struct probe *find_hook(struct probe_set *set, size_t first,
			       const char *hook)
{
	size_t i;

	for (i = first; i < set->n; i++)
		if (!strcmp(set->v[i].hook, hook))
			return &set->v[i];
	return NULL;
}

/* Of each group, keep the first hook that has a mechanism here. */
static void pick_alternatives(struct probe_set *set, size_t first,
			      const char *const *const *groups)
{
	for (; groups && *groups; groups++) {
		const char *const *h;
		struct probe *winner = NULL;

		for (h = *groups; *h; h++) {
			struct probe *p = find_hook(set, first, *h);

			if (!p || p->mech < 0)
				continue;
			if (!winner) {
				winner = p;
				continue;
			}
			snprintf(p->why, sizeof(p->why), "not used: %s serves this kernel",
				 winner->hook);
			p->mech = -1;
		}
	}
}

int probes_prepare(struct probe_set *set, const char *family,
		   struct bpf_object *obj, struct kenv *env,
		   const char *const *const *alternatives)
{
	struct bpf_program *prog;
	size_t first = set->n, i;
	int k;

	bpf_object__for_each_program(prog, obj) {
		char hook[64], cat[32], name[96];
		int mech = parse_section(bpf_program__section_name(prog), hook,
					 sizeof(hook), cat, sizeof(cat));
		struct probe *p;

		if (mech < 0)
			continue;
		snprintf(name, sizeof(name), "%s:%s", family, hook);
		p = probe_get(set, name);
		if (!p || p->nprogs == PROBE_MAX_PROGS)
			return -ENOMEM;
		snprintf(p->hook, sizeof(p->hook), "%s", hook);
		if (cat[0])
			snprintf(p->category, sizeof(p->category), "%s", cat);
		p->offered |= 1U << mech;
		p->progs[p->nprogs] = prog;
		p->prog_mech[p->nprogs++] = mech;
	}
	for (i = first; i < set->n; i++) {
		struct probe *p = &set->v[i];

		for (k = 0; k < MECH_NR && p->mech < 0; k++)
			if ((p->offered & (1U << k)) && mech_available(set, env, p, k))
				p->mech = k;
	}
	pick_alternatives(set, first, alternatives);
	for (i = first; i < set->n; i++) {
		struct probe *p = &set->v[i];

		for (k = 0; k < p->nprogs; k++)
			bpf_program__set_autoload(p->progs[k], p->prog_mech[k] == p->mech);
	}
	return 0;
}

static bool in_family(const struct probe *p, const char *family)
{
	size_t n = strlen(family);

	return !strncmp(p->name, family, n) && p->name[n] == ':';
}

void probes_fail(struct probe_set *set, const char *family, const char *why)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		struct probe *p = &set->v[i];

		if (!in_family(p, family) || p->mech < 0)
			continue;
		snprintf(p->why, sizeof(p->why), "%s: %s", mechanism_name(p->mech), why);
		p->mech = -1;
	}
}

void probes_attach(struct probe_set *set, const char *family)
{
	size_t i;
	int k;

	for (i = 0; i < set->n; i++) {
		struct probe *p = &set->v[i];

		if (!in_family(p, family) || p->mech < 0)
			continue;
		p->attached = true;
		for (k = 0; k < p->nprogs; k++) {
			long err;

			if (p->prog_mech[k] != p->mech)
				continue;
			p->links[k] = bpf_program__attach(p->progs[k]);
			err = libbpf_get_error(p->links[k]);
			if (!err)
				continue;
			p->links[k] = NULL;
			p->attached = false;
			snprintf(p->why, sizeof(p->why), "%s: attach failed: %s",
				 mechanism_name(p->mech), strerror(-err));
		}
	}
}

struct probe_runtime {
	uint64_t misses;	/* recursion misses */
	uint64_t runs;		/* with kernel.bpf_stats_enabled */
	uint64_t run_ns;
};

static struct probe_runtime probe_runtime(const struct probe *p)
{
	struct probe_runtime rt = { 0 };
	int k;

	for (k = 0; k < p->nprogs; k++) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd;

		if (p->prog_mech[k] != p->mech)
			continue;
		fd = bpf_program__fd(p->progs[k]);
		memset(&info, 0, sizeof(info));
		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue;
		rt.misses += info.recursion_misses;
		rt.runs += info.run_cnt;
		rt.run_ns += info.run_time_ns;
	}
	return rt;
}

json_t *probes_to_json(const struct probe_set *set)
{
	json_t *all = json_object();
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct probe *p = &set->v[i];
		json_t *o = json_object();

		json_object_set_new(o, "attached", json_boolean(p->attached));
		json_object_set_new(o, "mechanism", p->mech >= 0 ?
				    json_string(mechanism_name(p->mech)) : json_null());
		json_object_set_new(o, "why", p->attached ? json_null() : json_string(p->why));
		struct probe_runtime rt = probe_runtime(p);

		json_object_set_new(o, "misses", json_integer(rt.misses));
		if (rt.runs) {
			json_object_set_new(o, "runs", json_integer(rt.runs));
			json_object_set_new(o, "run_ns", json_integer(rt.run_ns));
		}
		json_object_set_new(all, p->name, o);
	}
	return all;
}

bool probe_attached(const struct probe_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return set->v[i].attached;
	return false;
}

/*
 * Releasing a link waits in the kernel: for an RCU grace period when a
 * tracepoint loses its last perf user, for the trampoline's update with
 * fentry; tens to hundreds of milliseconds each in an emulated guest. The
 * links are released from several threads at once, so the waits overlap.
 */
#define DETACH_THREADS 8

struct detach_work {
	struct bpf_link **links;
	size_t n;
	size_t next;	/* the next link to release, taken atomically */
};

static void *detach_worker(void *arg)
{
	struct detach_work *w = arg;
	size_t i;

	while ((i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED)) < w->n)
		bpf_link__destroy(w->links[i]);
	return NULL;
}

void probes_detach(struct probe_set *set)
{
	struct bpf_link *links[256];
	struct detach_work w = { .links = links };
	pthread_t tids[DETACH_THREADS];
	size_t i, started = 0;
	int k;

	for (i = 0; i < set->n; i++)
		for (k = 0; k < set->v[i].nprogs; k++) {
			struct bpf_link *l = set->v[i].links[k];

			set->v[i].links[k] = NULL;
			if (!l)
				continue;
			if (w.n == ARRAY_SIZE(links))
				bpf_link__destroy(l);
			else
				links[w.n++] = l;
		}
	while (started < DETACH_THREADS && started + 1 < w.n &&
	       !pthread_create(&tids[started], NULL, detach_worker, &w))
		started++;
	detach_worker(&w);
	for (i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
}

void probes_free(struct probe_set *set)
{
	probes_detach(set);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}
