// SPDX-License-Identifier: GPL-2.0
/* Decoding streamed events: the head alike for all, the body by the
 * family named in the head. */
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include "../bpf/trace.h"
#include "btf_enum.h"
#include "event_decode.h"
#include "util.h"

/* The family that emitted E and the name of its kind, or NULL. */
static const struct family *event_family(const struct thp_event *e, const char **name)
{
	const struct family *fam = e->family < nfamilies ? families[e->family] : NULL;

	if (!fam || e->kind >= fam->nevents || !fam->event_names[e->kind])
		return NULL;
	*name = fam->event_names[e->kind];
	return fam;
}

void event_set_str(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v));
}

void event_set_int(json_t *o, const char *k, long long v)
{
	json_object_set_new(o, k, json_integer(v));
}

void event_set_hex(json_t *o, const char *k, unsigned long long v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	event_set_str(o, k, buf);
}

void event_set_bool(json_t *o, const char *k, bool v)
{
	json_object_set_new(o, k, json_boolean(v));
}

void event_set_enum(json_t *o, const char *k, const struct enum_names *names, long long v)
{
	char buf[32];

	event_set_str(o, k, enum_name(names, v, buf, sizeof(buf)));
}

json_t *event_to_json(const struct thp_event *e, const struct kenv *env)
{
	const struct family *fam;
	const char *name = NULL;
	json_t *o = json_object();
	char comm[sizeof(e->comm) + 1];

	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(e->comm), e->comm);
	fam = event_family(e, &name);
	event_set_int(o, "ts_ns", e->ts);
	event_set_int(o, "cpu", e->cpu);
	event_set_int(o, "pid", e->tgid);
	event_set_int(o, "tid", e->pid);
	event_set_str(o, "comm", comm);
	event_set_str(o, "family", fam ? fam->name : "?");
	event_set_str(o, "event", fam ? name : "?");
	if (fam)
		fam->decode(e, env, o);
	return o;
}

void event_tally_add(struct event_tally *t, const struct thp_event *e)
{
	const char *name;

	if (event_family(e, &name) && e->kind < FAMILY_MAX_EVENTS)
		t->n[e->family][e->kind]++;
}

json_t *event_tally_json(const struct event_tally *t)
{
	json_t *o = json_object();
	size_t f, k;

	for (f = 0; f < nfamilies; f++)
		for (k = 0; k < families[f]->nevents && k < FAMILY_MAX_EVENTS; k++)
			if (t->n[f][k])
				json_object_set_new(o, families[f]->event_names[k],
						    json_integer(t->n[f][k]));
	return o;
}
