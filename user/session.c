// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "counters.h"
#include "json_util.h"
#include "map_view.h"
#include "maps.h"
#include "privileges.h"
#include "self.h"
#include "session.h"
#include "util.h"

/* libbpf's messages: all of them with THPSCOPE_DEBUG set, else only the
 * last warning is kept, to explain a failed load. */
static char last_libbpf_msg[256];

static int libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("THPSCOPE_DEBUG"))
		return vfprintf(stderr, fmt, ap);
	if (level == LIBBPF_WARN) {
		size_t n;

		vsnprintf(last_libbpf_msg, sizeof(last_libbpf_msg), fmt, ap);
		n = strlen(last_libbpf_msg);
		if (n && last_libbpf_msg[n - 1] == '\n')
			last_libbpf_msg[n - 1] = '\0';
	}
	return 0;
}

/* With THPSCOPE_DEBUG, say how long each step of start-up took. */
static void step_done(const char *family, const char *step, uint64_t *t)
{
	uint64_t now = mono_ns();

	if (getenv("THPSCOPE_DEBUG"))
		fprintf(stderr, "thpscope: %s: %s took %.1f ms\n", family, step, (now - *t) / 1e6);
	*t = now;
}

/* Open family ID of the table and choose its probes' mechanisms; false
 * when it cannot be. */
static bool open_family(struct session *s, struct family_run *run, unsigned int id)
{
	const struct family *fam = families[id];
	struct bpf_object *obj;
	uint64_t t = mono_ns();

	run->fam = fam;
	run->id = id;
	obj = run->obj = fam->open(run, &s->env);
	step_done(fam->name, "open", &t);
	if (!obj) {
		warnf("%s probes cannot be opened: %s", fam->name, strerror(errno));
		return false;
	}
	if (probes_prepare(&s->probes, fam->name, obj, &s->env, fam->alternatives)) {
		warnf("%s probes: out of memory", fam->name);
		return false;
	}
	step_done(fam->name, "choosing mechanisms", &t);
	return true;
}

/* Set the read-only variable NAME of OBJ before load. A family that
 * does not use it has none: -ENOENT. */
static int set_rodata(struct bpf_object *obj, const char *name, const void *val, size_t size)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_var_secinfo *vs;
	const struct btf_type *sec;
	struct bpf_map *map;
	size_t map_size, i;
	int id;
	char *data;

	id = btf ? btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC) : -1;
	map = bpf_object__find_map_by_name(obj, ".rodata");
	if (id < 0 || !map)
		return -ENOENT;
	sec = btf__type_by_id(btf, id);
	vs = btf_var_secinfos(sec);
	for (i = 0; i < btf_vlen(sec); i++, vs++) {
		const struct btf_type *var = btf__type_by_id(btf, vs->type);

		if (strcmp(btf__name_by_offset(btf, var->name_off), name))
			continue;
		data = (char *)bpf_map__initial_value(map, &map_size);
		if (!data || vs->size != size || vs->offset + size > map_size)
			return -EINVAL;
		memcpy(data + vs->offset, val, size);
		return 0;
	}
	return -ENOENT;
}

/* Tell RUN's object which family it is and the kernel's page geometry.
 * False, said on its probes, when it declares one of them with another
 * size. */
static bool configure_family(struct session *s, struct family_run *run)
{
	uint8_t id = run->id;
	uint32_t page_shift = s->env.page_shift, pmd_order = s->env.pmd_order;
	const struct {
		const char *name;
		const void *val;
		size_t size;
	} vars[] = {
		{ "trace_family", &id, sizeof(id) },
		{ "thp_page_shift", &page_shift, sizeof(page_shift) },
		{ "thp_pmd_order", &pmd_order, sizeof(pmd_order) },
	};
	char why[128];
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(vars); i++) {
		err = set_rodata(run->obj, vars[i].name, vars[i].val, vars[i].size);
		if (err && err != -ENOENT) {
			snprintf(why, sizeof(why), "cannot set %s: %s", vars[i].name,
				 strerror(-err));
			probes_fail(&s->probes, run->fam->name, why);
			return false;
		}
	}
	return true;
}

/* Point OBJ at the kernel-side filter of F, thpscope's own process left
 * out unless F includes it. */
static void configure_filter(struct bpf_object *obj, const struct filter *f)
{
	bool selective = filter_active(f), by_comm = f->by_comm, v1 = f->cgroup_v1;
	uint32_t n = f->ntgids, self = f->include_self ? 0 : getpid();
	bool active = selective || self;
	uint64_t cg = f->cgroup_id;

	set_rodata(obj, "filter_active", &active, sizeof(active));
	set_rodata(obj, "filter_selective", &selective, sizeof(selective));
	set_rodata(obj, "filter_self_tgid", &self, sizeof(self));
	set_rodata(obj, "filter_ntgids", &n, sizeof(n));
	set_rodata(obj, "filter_tgids", f->tgids, sizeof(f->tgids));
	set_rodata(obj, "filter_by_comm", &by_comm, sizeof(by_comm));
	set_rodata(obj, "filter_comm", f->comm, sizeof(f->comm));
	set_rodata(obj, "filter_cgroup", &cg, sizeof(cg));
	set_rodata(obj, "filter_cgroup_v1", &v1, sizeof(v1));
}

/* Make OBJ stream into the session's ring. */
static int configure_trace(struct session *s, struct bpf_object *obj)
{
	struct bpf_map *ring = bpf_object__find_map_by_name(obj, "trace_ring");
	struct bpf_map *lost = bpf_object__find_map_by_name(obj, "trace_lost");
	bool on = true;

	if (!ring || !lost)
		return 0;
	if (set_rodata(obj, "trace_enabled", &on, sizeof(on)))
		return 0;
	if (bpf_map__reuse_fd(ring, s->ring_fd) || bpf_map__reuse_fd(lost, s->lost_fd))
		return -1;
	return 0;
}

/* Make OBJ count only inside the session's window (see session_window). */
static int share_window(struct session *s, struct bpf_object *obj)
{
	struct bpf_map *window = bpf_object__find_map_by_name(obj, "event_window");

	if (!window) {
		errno = ENOENT;
		return -1;
	}
	return bpf_map__reuse_fd(window, s->window_fd);
}

int session_window(struct session *s, bool open)
{
	uint32_t zero = 0, val = open;

	if (bpf_map_update_elem(s->window_fd, &zero, &val, BPF_ANY)) {
		errorf("cannot %s the event window: %s", open ? "open" : "close",
		       strerror(errno));
		return -1;
	}
	return 0;
}

void session_window_opened(struct session *s)
{
	size_t i;

	for (i = 0; i < s->nruns; i++)
		if (s->runs[i].loaded && s->runs[i].fam->window_opened)
			s->runs[i].fam->window_opened(&s->runs[i]);
}

/* The ring every family streams into, and its lost-event counter. */
static int create_ring(struct session *s, size_t bytes)
{
	size_t size = sysconf(_SC_PAGESIZE);

	while (size < bytes)
		size <<= 1;
	s->ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "trace_ring", 0, 0, size, NULL);
	s->lost_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "trace_lost",
				    sizeof(uint32_t), sizeof(uint64_t), 1, NULL);
	if (s->ring_fd < 0 || s->lost_fd < 0) {
		errorf("cannot create the event ring buffer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

uint64_t session_lost(const struct session *s)
{
	uint64_t n = 0;

	if (s->lost_fd >= 0)
		map_sum_percpu(s->lost_fd, 0, 1, &n);
	return n;
}

/*
 * THPSCOPE_MAP_ENTRIES=N caps every counting (hash) map at N entries, so
 * that the tests can fill one and check that what did not fit is counted
 * (map_full) and that no count goes down. LRU maps are caches, left alone.
 * The per-process tables follow their hashes (proc_slots_size()), without
 * their hot tiers, which would hold more. THPSCOPE_HOT_SLOTS=N gives the
 * hot tiers N slots at most, so that the tests can put processes in both
 * tiers of a table.
 */
static void cap_map_entries(struct bpf_object *obj)
{
	const char *cap = getenv("THPSCOPE_MAP_ENTRIES");
	const char *hot = getenv("THPSCOPE_HOT_SLOTS");
	struct bpf_map *m;
	uint32_t nhot;
	uint64_t n;

	if (hot && parse_u64(hot, &n) && n <= UINT32_MAX) {
		nhot = n;
		set_rodata(obj, "proc_hot_slots", &nhot, sizeof(nhot));
	}
	if (!cap || !parse_u64(cap, &n) || !n || n > UINT32_MAX)
		return;
	nhot = 0;
	set_rodata(obj, "proc_hot_slots", &nhot, sizeof(nhot));
	bpf_object__for_each_map(m, obj)
		if ((bpf_map__type(m) == BPF_MAP_TYPE_HASH ||
		     bpf_map__type(m) == BPF_MAP_TYPE_PERCPU_HASH) && bpf_map__max_entries(m) > n)
			bpf_map__set_max_entries(m, n);
}

/* RUN's count of inserts (thpscope.bpf.h's map_inserts), mapped once: a
 * tick reads it without a system call. NULL when the object has none. */
static void map_inserts_view(struct family_run *run)
{
	struct bpf_map *m = bpf_object__find_map_by_name(run->obj, "map_inserts");

	run->inserts = m ? map_view(bpf_map__fd(m), sizeof(*run->inserts)) : NULL;
}

static void load_family(struct session *s, struct family_run *run)
{
	const struct family *fam = run->fam;
	uint64_t t = mono_ns();
	char why[320];
	int err;

	cap_map_entries(run->obj);
	err = fam->load(run);
	step_done(fam->name, "load", &t);
	if (err) {
		snprintf(why, sizeof(why), "load failed: %s%s%s", strerror(-err),
			 last_libbpf_msg[0] ? ": " : "", last_libbpf_msg);
		probes_fail(&s->probes, fam->name, why);
		return;
	}
	run->loaded = true;
	map_inserts_view(run);
	probes_attach(&s->probes, fam->name);
	step_done(fam->name, "attach", &t);
}

int session_open(struct session *s, const struct session_opts *opts)
{
	static const struct session_opts none;
	static const struct filter no_filter;
	const struct filter *filter;
	bool opened[MAX_FAMILIES];
	size_t i;

	memset(s, 0, sizeof(*s));
	s->window_fd = s->ring_fd = s->lost_fd = -1;
	if (!opts)
		opts = &none;
	filter = opts->filter ?: &no_filter;
	/* Measuring thpscope itself: its memory as it would be. */
	if (filter->include_self)
		self_thp_disable(false);
	if (privileges_check() || kenv_open(&s->env))
		return -1;
	s->counters = counter_files_open(s->env.page_size);
	if (!s->counters) {
		errorf("out of memory");
		return -1;
	}
	s->window_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "event_window", sizeof(uint32_t),
				      sizeof(uint32_t), 1, NULL);
	if (s->window_fd < 0) {
		errorf("cannot create the event window: %s", strerror(errno));
		return -1;
	}
	if (opts->ring_bytes && create_ring(s, opts->ring_bytes))
		return -1;
	libbpf_set_print(libbpf_log);
	for (i = 0; i < nfamilies; i++) {
		struct family_run *run = &s->runs[s->nruns++];

		opened[i] = false;
		run->opts = opts;
		if (opts->families && !(opts->families & (1U << i)))
			continue;
		if (!families[i]->open) {
			run->fam = families[i];
			run->id = i;
			run->loaded = true;
			continue;
		}
		opened[i] = open_family(s, run, i) && configure_family(s, run);
		if (!opened[i])
			continue;
		configure_filter(run->obj, filter);
		set_rodata(run->obj, "by_cgroup", &opts->by_cgroup, sizeof(opts->by_cgroup));
		set_rodata(run->obj, "cgroup_depth", &opts->cgroup_depth,
			   sizeof(opts->cgroup_depth));
		if (share_window(s, run->obj)) {
			errorf("%s probes cannot share the event window: %s", run->fam->name,
			       strerror(errno));
			return -1;
		}
		if (opts->ring_bytes && configure_trace(s, run->obj)) {
			errorf("%s probes cannot share the event ring: %s", run->fam->name,
			       strerror(errno));
			return -1;
		}
	}
	/* libbpf parses its own copy of the BTF for each load: not both. */
	kenv_release(&s->env);
	for (i = 0; i < s->nruns; i++)
		if (opened[i])
			load_family(s, &s->runs[i]);
	return 0;
}

void session_detach(struct session *s)
{
	uint64_t t = mono_ns();

	probes_detach(&s->probes);
	step_done("all", "detach", &t);
}

/* What RUN's maps had no room for (thpscope.bpf.h's map_full). */
static void harvest_map_full(const struct family_run *run, json_t *record)
{
	struct bpf_map *m = run->obj ? bpf_object__find_map_by_name(run->obj, "map_full") : NULL;
	uint64_t n;

	if (m && !map_sum_percpu(bpf_map__fd(m), 0, 1, &n))
		json_object_set_new(jpath(record, "map_full"), run->fam->name, json_integer(n));
}

int run_map_foreach(const struct family_run *run, const struct bpf_map *map,
		    size_t key_size, size_t val_size, map_entry_fn fn, void *ctx)
{
	enum bpf_map_type type = bpf_map__type(map);

	if (run->hashes_empty && (type == BPF_MAP_TYPE_HASH || type == BPF_MAP_TYPE_LRU_HASH))
		return 0;
	return map_foreach(bpf_map__fd(map), key_size, val_size, fn, ctx);
}

static void harvest_families(struct session *s, json_t *record, bool periodic, bool map_full)
{
	size_t i;

	for (i = 0; i < s->nruns; i++) {
		struct family_run *run = &s->runs[i];

		if (!run->loaded)
			continue;
		run->periodic = periodic;
		/* Read before the maps: what a harvest skips was not there
		 * when it looked. */
		run->hashes_empty = run->inserts && !__atomic_load_n(run->inserts, __ATOMIC_ACQUIRE);
		run->fam->harvest(run, &s->env, &s->probes, record);
		if (map_full)
			harvest_map_full(run, record);
	}
}

void session_harvest(struct session *s, json_t *record, bool periodic)
{
	harvest_families(s, record, periodic, true);
	json_object_set_new(record, "probes", probes_to_json(&s->probes));
}

void session_harvest_families(struct session *s, json_t *record)
{
	harvest_families(s, record, true, false);
}

size_t session_attached(const struct session *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->probes.n; i++)
		n += s->probes.v[i].attached;
	return n;
}

json_t *session_counters(struct session *s)
{
	return counter_files_read(s->counters);
}

void session_close(struct session *s)
{
	size_t i;

	counter_files_close(s->counters);
	probes_free(&s->probes);
	for (i = 0; i < s->nruns; i++) {
		map_unview(s->runs[i].inserts, sizeof(*s->runs[i].inserts));
		if (s->runs[i].skel || s->runs[i].data)
			s->runs[i].fam->destroy(&s->runs[i]);
	}
	kenv_close(&s->env);
	if (s->window_fd >= 0)
		close(s->window_fd);
	if (s->ring_fd >= 0)
		close(s->ring_fd);
	if (s->lost_fd >= 0)
		close(s->lost_fd);
}
