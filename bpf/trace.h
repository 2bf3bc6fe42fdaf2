/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per-event records streamed by `thpscope trace` through one ring buffer
 * that every family shares: a head thpscope fills alike, and a body whose
 * layout the family's own header (bpf/NAME.h) names per event kind.
 */
#ifndef THPSCOPE_TRACE_H
#define THPSCOPE_TRACE_H

/* Room for the largest body of any family's event. */
#define TRACE_BODY_SIZE 64

struct thp_event {
	__u64 ts;		/* CLOCK_MONOTONIC, ns */
	__u32 pid;		/* the attributed task, 0 when none */
	__u32 tgid;
	__u32 cpu;
	__u8 family;		/* the family's index in the family table */
	__u8 kind;		/* the family's event kind (its bpf/NAME.h enum) */
	__u8 pad[2];
	char comm[16];		/* the attributed process's name */
	__u64 body[TRACE_BODY_SIZE / 8];
};

/* A family's event body TYPE fits in an event. */
#define TRACE_BODY_FITS(type) \
	_Static_assert(sizeof(type) <= TRACE_BODY_SIZE, #type " does not fit an event")

/* The body of event E as the family's TYPE. */
#define TRACE_BODY(e, type) ((type *)(void *)(e)->body)

#endif
