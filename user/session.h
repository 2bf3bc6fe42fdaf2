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
#include "runner.h"

/* What a session is asked for beyond the default counting. */
struct session_opts {
	const struct filter *filter;	/* NULL: every event but thpscope's own */
	size_t ring_bytes;		/* > 0: stream events (thpscope trace) */
	unsigned int families;		/* bit per family to load, 0: all */
	/* serve --by-cgroup: key counts by cgroup cut at CGROUP_DEPTH. */
	bool by_cgroup;
	unsigned int cgroup_depth;
	/* For session_run: the command to run (NULL-terminated, or NULL)
	 * and the run's length in seconds (0: until the command exits or a
	 * signal, see runner.h). */
	char **command;
	double seconds;
};

struct session {
	struct kenv env;
	int window_fd;			/* whether events count (session_window) */
	int ring_fd;			/* the shared event ring, or -1 */
	int lost_fd;			/* its per-CPU lost-event counter */
	struct probe_set probes;
	struct family_run runs[MAX_FAMILIES];
	size_t nruns;
	struct counter_files *counters;	/* the kernel's own counters */
};

/* Check privileges, open the kernel environment, load and attach every
 * family with OPTS's filter and streaming (OPTS may be NULL); with
 * --include-self in the filter, give THP back to thpscope's memory.
 * Hooks the kernel lacks are recorded per probe. Returns 0, or -1 after
 * printing why nothing can be traced; session_close follows either way. */
int session_open(struct session *s, const struct session_opts *opts);
/* Open or close the window events count in: closed after session_open,
 * so that a caller reading the kernel's own counters can open it beside
 * its first reading and close it beside its last, and both cover the
 * same stretch of time. Returns 0, or -1 after printing why. */
int session_window(struct session *s, bool open);
/* The families' first readings (family.h's window_opened), once the
 * command's own, which sit right at the window's edge, are taken. */
void session_window_opened(struct session *s);
/* Events the ring had no room for so far. */
uint64_t session_lost(const struct session *s);
/* The kernel's own counters now (counters.h's shape). */
json_t *session_counters(struct session *s);
/* Detach every probe; the maps stay readable. */
void session_detach(struct session *s);
/* Add every family's findings and the probes' state to RECORD; PERIODIC
 * as family_run.periodic. */
void session_harvest(struct session *s, json_t *record, bool periodic);
/* Only the families' findings, for the timeline's ticks. */
void session_harvest_families(struct session *s, json_t *record);
void session_close(struct session *s);
size_t session_attached(const struct session *s);

/*
 * What a tracing command does at each point of session_run; every hook
 * but step may be NULL. The hooks keep what they acquire in CTX, and the
 * command releases it after session_run, however far the run got.
 */
struct session_callbacks {
	/* Probes attached, the window still closed. Returns 0, or the exit
	 * status after printing why the run cannot go on. */
	int (*attached)(struct session *s, void *ctx);
	/* Right before the window opens, and right after: the readings
	 * that bracket its first edge. */
	void (*window_opening)(struct session *s, void *ctx);
	void (*window_opened)(struct session *s, void *ctx);
	/* The command, if any, runs, and the families took their first
	 * readings. Returns 0, or the exit status after printing why the run
	 * cannot go on (the command is then stopped, finish not called). */
	int (*started)(struct session *s, void *ctx);
	/* Wait on R and do the command's periodic work; true once the run
	 * is over. */
	bool (*step)(struct session *s, struct runner *r, void *ctx);
	/* Right before the window closes, and right after: the readings
	 * that bracket its last edge. */
	void (*window_closing)(struct session *s, void *ctx);
	void (*window_closed)(struct session *s, void *ctx);
	/* Probes detached and the command reaped: what the maps hold. */
	void (*finish)(struct session *s, const struct runner *r, void *ctx);
};

/*
 * A tracing command's whole session: check privileges, open, load and
 * attach; open the window; start OPTS's command and deadline; step until
 * the run is over; close the window, detach, stop and reap the command;
 * finish; close. Returns 0 once finish ran, 1 when the session cannot be
 * opened, RUNNER_CANNOT_RUN when the command cannot be started, or what
 * attached returned; every failure is printed where it happens.
 */
int session_run(const struct session_opts *opts, const struct session_callbacks *cb, void *ctx);

#endif
