// SPDX-License-Identifier: GPL-2.0
/* A tracing command's session from start to end (see session.h). */
#include "runner.h"
#include "session.h"

int session_run(const struct session_opts *opts, const struct session_callbacks *cb, void *ctx)
{
	struct runner run;
	struct session s;
	int ret = 1;

	/* Signals first: a SIGINT during start-up (seconds in a slow guest)
	 * ends the run at its first step instead of killing thpscope
	 * half-way through loading. */
	runner_init(&run);
	if (session_open(&s, opts))
		goto out;
	ret = cb->attached ? cb->attached(&s, ctx) : 0;
	if (ret)
		goto out;
	if (cb->window_opening)
		cb->window_opening(&s, ctx);
	if (session_window(&s, true)) {
		ret = 1;
		goto out;
	}
	if (cb->window_opened)
		cb->window_opened(&s, ctx);
	session_window_opened(&s);
	if (!runner_start(&run, opts->command, opts->seconds)) {
		ret = RUNNER_CANNOT_RUN;
		goto out;
	}
	if (cb->started)
		ret = cb->started(&s, ctx);
	while (!ret && !cb->step(&s, &run, ctx))
		;
	if (cb->window_closing)
		cb->window_closing(&s, ctx);
	session_window(&s, false);
	if (cb->window_closed)
		cb->window_closed(&s, ctx);
	session_detach(&s);
	runner_finish(&run);
	if (!ret && cb->finish)
		cb->finish(&s, &run, ctx);
out:
	session_close(&s);
	return ret;
}
