/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A probe family: one BPF object (bpf/NAME.bpf.c) with its kernel<->user
 * ABI (bpf/NAME.h), and everything thpscope knows about it, in
 * user/NAME.c (loading and harvesting) and user/NAME_view.c (what it shows
 * of a record). Generic code loops over families (families.c) and never
 * names one; every hook below but the kernel side's may be NULL.
 */
#ifndef THPSCOPE_FAMILY_H
#define THPSCOPE_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include "maps.h"

struct bpf_map;
struct bpf_object;
struct kenv;
struct probe_set;
struct family_run;
struct metrics;
struct fallbacks;
struct top_pane;
struct thp_event;
struct expo;
struct session_opts;

/* A metric is measured when PROBE attached: metrics.c reads an absent
 * counter whose name starts with PREFIX as zero, not as unknown. */
struct family_measure {
	const char *prefix;
	const char *probe;
};

/* A column of top's process table: FIELD of each entry of the record's
 * array at PATH (whose entries carry "pid" and "comm"). */
struct family_process_column {
	const char *path;
	const char *field;
	const char *heading;
};

struct family {
	const char *name;	/* -e NAME; its probes are "NAME:hook" */
	const char *summary;	/* what it measures, for -e's help */

	/* Kernel side; a family without open has no BPF object, and its
	 * harvest reads what it measures from elsewhere. */
	/* Hooks of which only the first the kernel offers is used. */
	const char *const *const *alternatives;
	/* Open the skeleton, set its read-only data, return its object. */
	struct bpf_object *(*open)(struct family_run *run, struct kenv *env);
	/* Load the object; then fill maps the kernel needs before events. */
	int (*load)(struct family_run *run);
	/* Add what the maps hold to RECORD. */
	void (*harvest)(struct family_run *run, struct kenv *env,
			const struct probe_set *probes, json_t *record);
	/* The window just opened (and the kernel's counters were read at its
	 * edge): a first reading that belongs to the start rather than to
	 * the first harvest. */
	void (*window_opened)(struct family_run *run);
	void (*destroy)(struct family_run *run);

	/* Streamed events: the names of the family's event kinds (its
	 * bpf/NAME.h enum) and their bodies decoded into OUT. */
	const char *const *event_names;
	unsigned int nevents;
	void (*decode)(const struct thp_event *e, const struct kenv *env, json_t *out);

	/* The record. */
	/* Top-level keys it writes; with ALWAYS_RECORDED they are in every
	 * record, empty when the family did not run. */
	const char *const *record_keys;
	bool always_recorded;
	/* Paths (record_num.h syntax) whose keys are folio orders. */
	const char *const *order_paths;

	/* What it shows of a record. */
	void (*report)(FILE *out, json_t *rec);
	/* Its section comes before every other: what to look at first. */
	bool report_first;
	/* Its rows of the report's table of fallbacks to small pages. */
	void (*fallbacks)(json_t *rec, struct fallbacks *rows);
	/* Its flat metrics (metrics.h), for top, the timeline and diff. */
	void (*metrics)(json_t *rec, struct metrics *m);
	const struct family_measure *measures;	/* ends with a NULL prefix */
	/* Its timeline series that hold levels, not counts (NULL-ended). */
	const char *const *timeline_gauges;
	/* Its section of top's screen. */
	void (*top)(struct top_pane *p);
	const struct family_process_column *process_column;
	/* Its charts in the HTML page. */
	void (*html)(FILE *out, json_t *rec);
	/* Its Prometheus metrics (exposition.h), for serve and report
	 * --openmetrics. */
	void (*expose)(json_t *rec, struct expo *x);
};

struct family_run {
	const struct family *fam;
	unsigned int id;	/* its index in the family table */
	void *skel;
	struct bpf_object *obj;	/* the skeleton's object */
	void *data;		/* the family's own state */
	bool loaded;
	const struct session_opts *opts;	/* what the session was asked for */
	/* This harvest is one of many (a timeline tick, a scrape, a screen
	 * of top), not the record's last: what is costly to read may be
	 * reused for a while. */
	bool periodic;
	/* Its programs' inserts into hash maps (thpscope.bpf.h's
	 * map_inserts), mapped; NULL when it has none. */
	const uint64_t *inserts;
	/* None yet when this harvest began: run_map_foreach skips its hash
	 * maps. */
	bool hashes_empty;
};

/* map_foreach over MAP, one of RUN's maps; nothing to do for a hash map
 * while RUN's hash maps are empty. */
int run_map_foreach(const struct family_run *run, const struct bpf_map *map,
		    size_t key_size, size_t val_size, map_entry_fn fn, void *ctx);

/* Room for every family in a session (families.c checks it). */
#define MAX_FAMILIES 8

/* Every family, in the order reports show them. */
extern const struct family *const families[];
extern const size_t nfamilies;

/* The family named NAME, or NULL. */
const struct family *family_by_name(const char *name);

#endif
