/* SPDX-License-Identifier: GPL-2.0 */
/* A tracing session: the kernel environment, every family's BPF object,
 * and the probes attached from them. */
#ifndef THPSCOPE_SESSION_H
#define THPSCOPE_SESSION_H

#include <jansson.h>
#include "family.h"
#include "kenv.h"
#include "probe.h"

#define MAX_FAMILIES 8

struct session {
	struct kenv env;
	struct probe_set probes;
	struct family_run runs[MAX_FAMILIES];
	size_t nruns;
};

/* Check privileges, open the kernel environment, load and attach every
 * family. Hooks the kernel lacks are recorded per probe. Returns 0, or
 * -1 after printing why nothing can be traced. */
int session_open(struct session *s);
/* Detach every probe; the maps stay readable. */
void session_detach(struct session *s);
/* Add every family's findings and the probes' state to RECORD. */
void session_harvest(struct session *s, json_t *record);
void session_close(struct session *s);
size_t session_attached(const struct session *s);

#endif
