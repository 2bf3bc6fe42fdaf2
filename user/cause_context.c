// SPDX-License-Identifier: GPL-2.0
/*
 * Context probes for split causes: the loader's half of
 * bpf/cause_context.bpf.h. Where the kernel has fprobes (6.12, 7.x), one
 * kprobe.multi link enters every cause function and one kretprobe.multi
 * link leaves it, each function's frame its cookie: kernel text is
 * patched once for all. Elsewhere (6.1) each function is hooked alone:
 * an fentry program attaches to one function, so the template is loaded
 * again per function from its final instructions (no subprograms, its
 * maps already bound); a kprobe program attaches to any number of
 * functions as it is; each patch waits for the kernel's RCU, some 90 of
 * them (~20 s per record in an emulated guest). Exits attach before
 * entries and detach after them, so that no exit pops a frame its entry
 * did not push.
 *
 * Opt-in (THPSCOPE_CAUSE_CONTEXT=1): the probes run on every call of a
 * cause function, splits are rare beside them, and in the bench-guest
 * scenarios they cost more than the stack walks they spare.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "cause_context.h"
#include "cause_table.h"
#include "kenv.h"
#include "ksyms.h"
#include "util.h"

struct named {
	const char *name;
	unsigned long long addr;
};

/* The symbol itself, not its compiler-suffixed copies. */
static void find_addr(const struct ksym *sym, void *data)
{
	struct named *n = data;

	if (!strcmp(sym->name, n->name))
		n->addr = sym->addr;
}

static unsigned long long ksym_addr(struct kenv *env, const char *name)
{
	struct named n = { name, 0 };

	kenv_ksym_match(env, name, false, find_addr, &n);
	return n.addr;
}

static int range_at(const struct cause_setup *cs, unsigned long long addr)
{
	int i;

	for (i = 0; addr && i < cs->n; i++)
		if (cs->ranges[i].start == addr)
			return i;
	return -1;
}

/*
 * Functions only ever called (on the way to a split) under another cause
 * function of the same cause and rank, or under any of two: whenever one
 * is on a stack at a split, so is its caller, which gives the same answer,
 * so the context does without their calls (do_madvise once per
 * madvise(2) of any kind; the others once per device migration). Where
 * the kernel lacks a caller, or it is not hooked, they are hooked.
 */
static const struct {
	const char *name;
	const char *under[2];
} covered_by[] = {
	{ "do_madvise", { "madvise_do_behavior" } },
	{ "migrate_vma_collect_pmd", { "migrate_vma_setup" } },
	{ "__migrate_device_pages", { "migrate_vma_pages", "migrate_device_pages" } },
	{ "__migrate_device_finalize", { "migrate_vma_finalize", "migrate_device_finalize" } },
};

static int target_named(const struct cause_context *cc, const char *name)
{
	int i;

	for (i = 0; name && i < cc->n; i++)
		if (!strcmp(cc->targets[i].name, name))
			return i;
	return -1;
}

/* Fill each target's callers that cover it, when the kernel has them all
 * with its cause and rank. */
static void find_covers(struct cause_context *cc, const struct cause_setup *cs)
{
	size_t k, u;
	int i, j;

	for (k = 0; k < ARRAY_SIZE(covered_by); k++) {
		const struct cause_range *r;

		i = target_named(cc, covered_by[k].name);
		if (i < 0)
			continue;
		r = &cs->ranges[i];
		for (u = 0; u < 2; u++) {
			j = target_named(cc, covered_by[k].under[u]);
			if (covered_by[k].under[u] &&
			    (j < 0 || cs->ranges[j].cause != r->cause || cs->ranges[j].rank != r->rank ||
			     (cs->ranges[j].tiers & r->tiers) != r->tiers))
				break;
			cc->targets[i].under[u] = j;
		}
		if (u < 2)
			cc->targets[i].under[0] = cc->targets[i].under[1] = -1;
	}
}

/* Whether T's callers cover it: all of them hooked. */
static bool covered(const struct cause_context *cc, const struct cause_target *t)
{
	int u, n = 0;

	for (u = 0; u < 2; u++) {
		if (t->under[u] < 0)
			continue;
		if (!cc->targets[t->under[u]].hooked)
			return false;
		n++;
	}
	return n > 0;
}

/* Whether the context sees T run: hooked, or its callers are. */
static bool watched(const struct cause_context *cc, const struct cause_target *t)
{
	return t->hooked || covered(cc, t);
}

static bool wanted(void)
{
	const char *v = getenv("THPSCOPE_CAUSE_CONTEXT");

	return v && !strcmp(v, "1");
}

struct cause_context *cause_context_plan(struct kenv *env, const struct cause_setup *cs)
{
	struct cause_context *cc = calloc(1, sizeof(*cc));
	unsigned long long init_start, init_end;
	struct btf *btf;
	int i;

	if (!cc)
		return NULL;
	memset(cc->floor, 0xff, sizeof(cc->floor));
	if (cs->n <= 0 || !wanted())
		return cc;
	cc->targets = calloc(cs->n, sizeof(*cc->targets));
	if (!cc->targets) {
		free(cc);
		return NULL;
	}
	cc->n = cs->n;
	cc->kprobes = env->kprobe_pmu;
	cc->fprobes = kenv_has_ksym(env, "register_fprobe_ips");
	btf = kenv_btf(env);
	init_start = ksym_addr(env, "_sinittext");
	init_end = ksym_addr(env, "_einittext");
	for (i = 0; i < cs->n; i++) {
		const struct cause_range *r = &cs->ranges[i];
		const struct ksym *sym = kenv_ksym_at(env, r->start);
		struct cause_target *t = &cc->targets[i];
		char *cold;

		t->part_of = -1;
		t->under[0] = t->under[1] = -1;
		t->prog[0] = t->prog[1] = t->link[0] = t->link[1] = -1;
		if (!sym)
			continue;
		snprintf(t->name, sizeof(t->name), "%s", sym->name);
		t->dead = r->start >= init_start && r->start < init_end;
		cold = strstr(t->name, ".cold");
		if (cold) {
			/* Code of its function moved out of line: on a stack
			 * only while that function runs. */
			*cold = '\0';
			t->part_of = range_at(cs, ksym_addr(env, t->name));
			*cold = '.';
		} else if (btf && r->watched && (r->tiers & (TIER_FOLIO | TIER_PMD))) {
			t->btf_id = btf__find_by_name_kind(btf, t->name, BTF_KIND_FUNC);
		}
		t->patchable = kenv_ftrace_patchable(env, t->name) != 0;
		/* Neither in BTF nor patchable by ftrace: not a function
		 * (kallsyms names some objects as text). */
		if (t->btf_id <= 0 && !cold && !t->patchable)
			t->dead = true;
	}
	find_covers(cc, cs);
	return cc;
}

/* Of OBJ's programs, other than the templates, whether one that loads
 * has a section starting with PREFIX. */
static bool loads_any(struct bpf_object *obj, const char *prefix,
		      struct bpf_program *const *templates, size_t ntemplates)
{
	struct bpf_program *p;
	size_t k;

	bpf_object__for_each_program(p, obj) {
		for (k = 0; k < ntemplates && templates[k] != p; k++)
			;
		if (k == ntemplates && bpf_program__autoload(p) &&
		    !strncmp(bpf_program__section_name(p), prefix, strlen(prefix)))
			return true;
	}
	return false;
}

void cause_context_choose(struct cause_context *cc, struct bpf_object *obj,
			  const struct cause_templates *t)
{
	struct bpf_program *const templates[] = { t->menter, t->mexit, t->enter, t->exit,
						  t->kenter, t->kexit };
	const size_t nt = ARRAY_SIZE(templates);
	bool fentry = false, kprobe = false, multi = false;
	const char *target = NULL;
	int i;

	for (i = 0; i < cc->n && !target; i++)
		if (cc->targets[i].btf_id > 0)
			target = cc->targets[i].name;
	if (cc->n && (loads_any(obj, "fentry/", templates, nt) ||
		      loads_any(obj, "kprobe/", templates, nt))) {
		multi = cc->fprobes;
		fentry = !multi && target && loads_any(obj, "fentry/", templates, nt);
		/* kprobes also serve the functions fentry cannot (no BTF,
		 * arguments a trampoline cannot take). */
		kprobe = !multi && (fentry ? cc->kprobes : loads_any(obj, "kprobe/", templates, nt));
	}
	/* A template loads against some function; it is never attached there. */
	if (fentry && (bpf_program__set_attach_target(t->enter, 0, target) ||
		       bpf_program__set_attach_target(t->exit, 0, target)))
		fentry = false;
	bpf_program__set_autoload(t->menter, multi);
	bpf_program__set_autoload(t->mexit, multi);
	bpf_program__set_autoload(t->enter, fentry);
	bpf_program__set_autoload(t->exit, fentry);
	bpf_program__set_autoload(t->kenter, kprobe);
	bpf_program__set_autoload(t->kexit, kprobe);
	cc->mech = multi ? "kprobe.multi" : fentry ? "fentry" : kprobe ? "kprobe" : NULL;
	cc->menter = multi ? t->menter : NULL;
	cc->mexit = multi ? t->mexit : NULL;
	cc->enter = fentry ? t->enter : NULL;
	cc->exit = fentry ? t->exit : NULL;
	cc->kenter = kprobe ? t->kenter : NULL;
	cc->kexit = kprobe ? t->kexit : NULL;
}

/* Load TEMPLATE again for BTF_ID and attach it: 0, or -errno. */
static int clone_attach(struct bpf_program *template, enum bpf_attach_type type,
			int btf_id, int *prog, int *link)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = type,
		    .attach_btf_id = btf_id);
	int err;

	*prog = bpf_prog_load(BPF_PROG_TYPE_TRACING, bpf_program__name(template), "GPL",
			      bpf_program__insns(template), bpf_program__insn_cnt(template),
			      &opts);
	if (*prog < 0) {
		err = -errno;
		*prog = -1;
		return err;
	}
	*link = bpf_raw_tracepoint_open(NULL, *prog);
	if (*link >= 0)
		return 0;
	err = -errno;
	close(*prog);
	*prog = *link = -1;
	return err;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* A range whose function gets context probes: one that can explain a
 * folio or PMD split, run per operation, named, its own function. */
static bool hookable(const struct cause_range *r, const struct cause_target *t)
{
	return r->watched && (r->tiers & (TIER_FOLIO | TIER_PMD)) && !t->dead &&
	       t->part_of < 0 && t->name[0];
}

static bool hook_fentry(struct cause_context *cc, struct cause_target *t)
{
	if (!cc->enter || t->btf_id <= 0 ||
	    clone_attach(cc->exit, BPF_TRACE_FEXIT, t->btf_id, &t->prog[0], &t->link[0]))
		return false;
	if (!clone_attach(cc->enter, BPF_TRACE_FENTRY, t->btf_id, &t->prog[1], &t->link[1]))
		return true;
	close_fd(&t->link[0]);
	close_fd(&t->prog[0]);
	return false;
}

static struct bpf_link *attach_kprobe(struct bpf_program *p, bool ret, const char *name)
{
	struct bpf_link *l = bpf_program__attach_kprobe(p, ret, name);

	return libbpf_get_error(l) ? NULL : l;
}

static bool hook_kprobe(struct cause_context *cc, struct cause_target *t)
{
	if (!cc->kenter)
		return false;
	t->klink[0] = attach_kprobe(cc->kexit, true, t->name);
	if (!t->klink[0])
		return false;
	t->klink[1] = attach_kprobe(cc->kenter, false, t->name);
	if (t->klink[1])
		return true;
	bpf_link__destroy(t->klink[0]);
	t->klink[0] = NULL;
	return false;
}

/* Attach the multi-kprobe templates to every hookable function its
 * callers do not cover: 0, or -errno with none attached. */
static int hook_multi(struct cause_context *cc, const struct cause_setup *cs)
{
	unsigned long *addrs = calloc(cc->n, sizeof(*addrs));
	__u64 *cookies = calloc(cc->n, sizeof(*cookies));
	int i, k, n = 0, err = 0;

	if (!addrs || !cookies) {
		err = -ENOMEM;
		goto out;
	}
	/* hooked, for now: what the links will hook */
	for (i = 0; i < cc->n; i++)
		cc->targets[i].hooked = hookable(&cs->ranges[i], &cc->targets[i]) &&
					cc->targets[i].patchable;
	for (i = 0; i < cc->n; i++) {
		const struct cause_range *r = &cs->ranges[i];

		if (!cc->targets[i].hooked || covered(cc, &cc->targets[i]))
			continue;
		addrs[n] = r->start;
		cookies[n++] = CAUSE_FRAME(r->cause, r->tiers, r->rank);
	}
	for (i = 0; i < cc->n; i++)	/* the covered ones are not */
		cc->targets[i].hooked = cc->targets[i].hooked && !covered(cc, &cc->targets[i]);
	for (k = 0; k < 2 && n; k++) {	/* the exit, then the entry */
		LIBBPF_OPTS(bpf_kprobe_multi_opts, opts, .addrs = addrs, .cookies = cookies,
			    .cnt = n, .retprobe = !k);

		cc->mlink[k] = bpf_program__attach_kprobe_multi_opts(k ? cc->menter : cc->mexit,
								     NULL, &opts);
		err = libbpf_get_error(cc->mlink[k]);
		if (err) {
			cc->mlink[k] = NULL;
			bpf_link__destroy(cc->mlink[0]);
			cc->mlink[0] = NULL;
			for (i = 0; i < cc->n; i++)
				cc->targets[i].hooked = false;
			goto out;
		}
	}
out:
	free(addrs);
	free(cookies);
	return err;
}

void cause_context_hook(struct cause_context *cc, const struct cause_setup *cs, __u8 *floor)
{
	bool *hooked;
	int i, k;

	if (!cc->mech)
		return;
	if (cc->menter && (cc->error = hook_multi(cc, cs)))
		cc->mech = NULL;
	/* The callers first, then what they do not cover. */
	for (k = 0; k < 2 && (cc->enter || cc->kenter); k++) {
		for (i = 0; i < cc->n; i++) {
			struct cause_target *t = &cc->targets[i];
			bool callee = t->under[0] >= 0 || t->under[1] >= 0;

			if (callee == k && hookable(&cs->ranges[i], t) && !covered(cc, t))
				t->hooked = hook_fentry(cc, t) || hook_kprobe(cc, t);
		}
	}
	if (!cc->mech || cc->n <= 0)
		return;
	hooked = calloc(cc->n, sizeof(*hooked));
	if (!hooked)
		return;
	for (i = 0; i < cc->n; i++) {
		const struct cause_target *t = &cc->targets[i];

		hooked[i] = watched(cc, t) || t->dead ||
			    (t->part_of >= 0 && watched(cc, &cc->targets[t->part_of]));
	}
	causes_floors(cs->ranges, hooked, cc->n, cc->floor);
	memcpy(floor, cc->floor, sizeof(cc->floor));
	free(hooked);
}

void cause_context_free(struct cause_context *cc)
{
	int i, k;

	if (!cc)
		return;
	for (k = 1; k >= 0; k--) {	/* entries, then exits */
		bpf_link__destroy(cc->mlink[k]);
		for (i = 0; i < cc->n; i++) {
			close_fd(&cc->targets[i].link[k]);
			bpf_link__destroy(cc->targets[i].klink[k]);
		}
	}
	for (i = 0; i < cc->n; i++)
		for (k = 0; k < 2; k++)
			close_fd(&cc->targets[i].prog[k]);
	free(cc->targets);
	free(cc);
}

/* Adds FD's runs and run time to RUNS and NS; returns its runs. */
static json_int_t add_runtime(int fd, json_int_t *runs, json_int_t *ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	*runs += info.run_cnt;
	*ns += info.run_time_ns;
	return info.run_cnt;
}

/* The sum over CPUs of per-CPU counter KEY of FD. */
static json_int_t percpu_sum(int fd, __u32 key)
{
	int i, ncpus = libbpf_num_possible_cpus();
	json_int_t sum = 0;
	__u64 *v;

	if (ncpus <= 0 || !(v = calloc(ncpus, sizeof(*v))))
		return 0;
	if (!bpf_map_lookup_elem(fd, &key, v))
		for (i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

json_t *cause_context_json(const struct cause_context *cc, const struct cause_setup *cs,
			   int decided_fd)
{
	json_t *o = json_object(), *unhooked = json_array(), *entries = json_object();
	json_t *under = json_array();
	json_int_t runs = 0, ns = 0, functions = 0, by_kprobe = 0;
	int i;

	for (i = 0; i < cc->n; i++) {
		const struct cause_target *t = &cc->targets[i];
		json_int_t entered;

		functions += t->hooked;
		by_kprobe += t->klink[1] != NULL;
		add_runtime(t->prog[0], &runs, &ns);
		entered = add_runtime(t->prog[1], &runs, &ns);
		if (entered)
			json_object_set_new(entries, t->name, json_integer(entered));
		if (covered(cc, t))
			json_array_append_new(under, json_string(t->name));
		else if (cc->mech && !t->hooked && hookable(&cs->ranges[i], t))
			json_array_append_new(unhooked, json_string(t->name));
	}
	if (by_kprobe) {
		add_runtime(bpf_program__fd(cc->kenter), &runs, &ns);
		add_runtime(bpf_program__fd(cc->kexit), &runs, &ns);
	}
	if (cc->mlink[1]) {
		add_runtime(bpf_program__fd(cc->menter), &runs, &ns);
		add_runtime(bpf_program__fd(cc->mexit), &runs, &ns);
	}
	json_object_set_new(o, "mechanism", cc->mech ? json_string(cc->mech) : json_null());
	json_object_set_new(o, "functions", json_integer(functions));
	json_object_set_new(o, "by_kprobe", json_integer(by_kprobe));
	json_object_set_new(o, "unhooked", unhooked);
	/* Not hooked, as their callers of the same rank are. */
	json_object_set_new(o, "covered", under);
	if (cc->error)
		json_object_set_new(o, "error", json_string(strerror(-cc->error)));
	/* Where the probes' cost goes: calls per fentry-hooked function. */
	json_object_set_new(o, "entries", entries);
	json_object_set_new(o, "floor", json_pack("{s:i, s:i}", "folio", cc->floor[TIER_FOLIO],
						  "pmd", cc->floor[TIER_PMD]));
	json_object_set_new(o, "decided", json_pack("{s:I, s:I}",
		"context", percpu_sum(decided_fd, 0), "stack", percpu_sum(decided_fd, 1)));
	if (runs) {
		json_object_set_new(o, "runs", json_integer(runs));
		json_object_set_new(o, "run_ns", json_integer(ns));
	}
	return o;
}
