/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The HTTP side of thpscope serve, over libmicrohttpd: GET (or HEAD)
 * /metrics answers with what the render callback writes, GET / with a
 * landing page; any other path is 404, any other method 405. Malformed
 * requests, oversized headers and idle connections are libmicrohttpd's
 * to refuse (4xx) or drop.
 */
#ifndef THPSCOPE_SERVE_HTTP_H
#define THPSCOPE_SERVE_HTTP_H

#include <stdbool.h>
#include "exposition.h"
#include "textbuf.h"

/* Where serve listens unless --listen says otherwise. */
#define SERVE_DEFAULT_LISTEN "127.0.0.1:9477"

/* Write the metrics in format F to OUT; false when they cannot be. Runs
 * on the server's thread, one call at a time. */
typedef bool (*serve_render_fn)(void *ctx, enum expo_format f, struct textbuf *out);

struct serve_http;

/* A socket listening on SA (SALEN bytes; LISTEN as the user wrote it),
 * or -1 after one line of error: taken before the probes load, so that a
 * busy port is said at once. */
int serve_http_listen(const void *sa, unsigned int salen, const char *listen);
/* Serve on the socket FD (which it takes, also on failure). NULL after
 * one line of error. */
struct serve_http *serve_http_start(int fd, serve_render_fn render, void *ctx,
				    const char *landing_html);
/* Stop serving: no render runs once this returns. */
void serve_http_stop(struct serve_http *h);

/* Parse LISTEN ("ADDR:PORT", "[ADDR6]:PORT" or ":PORT" for every
 * address; numeric) into SA (a struct sockaddr_storage) and its length.
 * False after one line of error naming CMD. */
bool serve_listen_parse(const char *cmd, const char *listen, void *sa, unsigned int *salen);

#endif
