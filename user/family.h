/* SPDX-License-Identifier: GPL-2.0 */
/* A probe family: one BPF object (collapse.bpf.c, migrate.bpf.c, ...)
 * and the code that turns its maps into the record. */
#ifndef THPSCOPE_FAMILY_H
#define THPSCOPE_FAMILY_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct bpf_object;
struct kenv;
struct probe_set;
struct family_run;

struct family {
	const char *name;
	/* Hooks of which only the first the kernel offers is used. */
	const char *const *const *alternatives;
	/* Open the skeleton, set its read-only data, return its object. */
	struct bpf_object *(*open)(struct family_run *run, struct kenv *env);
	/* Load the object; then fill maps the kernel needs before events. */
	int (*load)(struct family_run *run);
	/* Add what the maps hold to RECORD. */
	void (*harvest)(struct family_run *run, struct kenv *env,
			const struct probe_set *probes, json_t *record);
	void (*destroy)(struct family_run *run);
};

struct family_run {
	const struct family *fam;
	void *skel;
	struct bpf_object *obj;	/* the skeleton's object */
	void *data;		/* the family's own state */
	bool loaded;
};

/* Names of the families' raw values, for streamed events. */
const char *deferred_field_name(unsigned int field);
const char *device_direction_name(unsigned int dir);
const char *split_kind_name(unsigned int kind);

extern const struct family collapse_family;
extern const struct family migrate_family;
extern const struct family split_family;
extern const struct family deferred_family;
extern const struct family device_family;

#endif
