/* SPDX-License-Identifier: GPL-2.0 */
/* A tracing session: the kernel environment, every family's BPF object,
 * and the probes attached from them. */
#ifndef THPSCOPE_SESSION_H
#define THPSCOPE_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
#include "family.h"
#include "filter.h"
#include "kenv.h"
#include "probe.h"


/* What a session is asked for beyond the default counting. */
struct session_config {
	const struct filter *filter;	/* NULL: every event but thpscope's own */
	size_t ring_bytes;		/* > 0: stream events (thpscope trace) */
	unsigned int families;		/* bit per family to load, 0: all */
};

struct session {
	struct kenv env;
	int window_fd;			/* whether events count (session_window) */
	int ring_fd;			/* the shared event ring, or -1 */
	int lost_fd;			/* its per-CPU lost-event counter */
	struct probe_set probes;
	struct family_run runs[MAX_FAMILIES];
	size_t nruns;
};

/* Check privileges, open the kernel environment, load and attach every
 * family with CFG's filter and streaming (CFG may be NULL); with
 * --include-self in the filter, give THP back to thpscope's memory.
 * Hooks the kernel lacks are recorded per probe. Returns 0, or -1 after printing
 * why nothing can be traced. */
int session_open(struct session *s, const struct session_config *cfg);
/* Open or close the window events count in: closed after session_open,
 * so that a caller reading the kernel's own counters can open it beside
 * its first reading and close it beside its last, and both cover the
 * same stretch of time. Returns 0, or -1 after printing why. */
int session_window(struct session *s, bool open);
/* Events the ring had no room for so far. */
uint64_t session_lost(const struct session *s);
/* Detach every probe; the maps stay readable. */
void session_detach(struct session *s);
/* Add every family's findings and the probes' state to RECORD. */
void session_harvest(struct session *s, json_t *record);
void session_close(struct session *s);
size_t session_attached(const struct session *s);

#endif
