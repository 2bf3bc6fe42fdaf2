// SPDX-License-Identifier: GPL-2.0
/* thpscope serve's HTTP server (see serve_http.h). The listening socket
 * is bound here, so that a busy port or a bad address is said in one
 * line; libmicrohttpd serves it from one internal thread, so renders
 * never overlap. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "serve_http.h"
#include "util.h"

/* Enough for every scraper of a host at once; more wait in the backlog. */
#define SERVE_MAX_CONNECTIONS 256
/* Seconds an idle connection is kept. */
#define SERVE_IDLE_TIMEOUT_S 30

struct serve_http {
	struct MHD_Daemon *daemon;
	serve_render_fn render;
	void *ctx;
	const char *landing;
};

bool serve_listen_parse(const char *cmd, const char *listen, void *sa, unsigned int *salen)
{
	struct sockaddr_in *in4 = sa;
	struct sockaddr_in6 *in6 = sa;
	char host[64];
	const char *colon = strrchr(listen, ':');
	uint64_t port;
	size_t hlen;

	memset(sa, 0, sizeof(struct sockaddr_storage));
	if (!colon || !parse_u64(colon + 1, &port) || port == 0 || port > 65535) {
		errorf("%s: --listen wants ADDR:PORT, [ADDR6]:PORT or :PORT with a port from 1 to 65535, not '%s'",
		       cmd, listen);
		return false;
	}
	hlen = colon - listen;
	if (hlen >= sizeof(host)) {
		errorf("%s: --listen: address too long in '%s'", cmd, listen);
		return false;
	}
	memcpy(host, listen, hlen);
	host[hlen] = 0;
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host[hlen - 1] = 0;
		if (inet_pton(AF_INET6, host + 1, &in6->sin6_addr) != 1)
			goto bad;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		*salen = sizeof(*in6);
		return true;
	}
	in4->sin_family = AF_INET;
	in4->sin_port = htons(port);
	*salen = sizeof(*in4);
	if (!hlen) {
		in4->sin_addr.s_addr = htonl(INADDR_ANY);
		return true;
	}
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1)
		return true;
bad:
	errorf("%s: --listen: '%s' is not a numeric IPv4 address or [IPv6] one", cmd, listen);
	return false;
}

int serve_http_listen(const void *sa, unsigned int salen, const char *listen_at)
{
	int family = ((const struct sockaddr *)sa)->sa_family, fd, one = 1;

	fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		errorf("serve: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, sa, salen) || listen(fd, SOMAXCONN)) {
		errorf("serve: cannot listen on %s: %s", listen_at, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

#ifndef THPSCOPE_NO_HTTP
#include <microhttpd.h>

static enum MHD_Result respond(struct MHD_Connection *c, unsigned int status, char *body,
			       size_t len, enum MHD_ResponseMemoryMode mode, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
	enum MHD_Result ret;

	if (!r) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text_response(struct MHD_Connection *c, unsigned int status,
				     const char *text)
{
	return respond(c, status, (char *)text, strlen(text), MHD_RESPMEM_PERSISTENT,
		       "text/plain; charset=utf-8");
}

static enum MHD_Result metrics(struct serve_http *h, struct MHD_Connection *c)
{
	const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							  MHD_HTTP_HEADER_ACCEPT);
	enum expo_format f = expo_negotiate(accept);
	struct textbuf tb = TEXTBUF_INIT;

	if (!h->render(h->ctx, f, &tb)) {
		textbuf_free(&tb);
		return text_response(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
				     "thpscope: the metrics could not be gathered\n");
	}
	/* The response takes the text and frees it once sent. */
	return respond(c, MHD_HTTP_OK, tb.buf, tb.len, MHD_RESPMEM_MUST_FREE,
		       expo_content_type(f));
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **con_cls)
{
	struct serve_http *h = cls;

	/* A body, if any, is not read: the answer goes out at once. */
	(void)upload;
	(void)upload_size;
	(void)con_cls;
	/* RFC 9112 3.2: an HTTP/1.1 request without Host is answered 400. */
	if (!strcmp(version, MHD_HTTP_VERSION_1_1) &&
	    !MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST))
		return text_response(c, MHD_HTTP_BAD_REQUEST,
				     "thpscope: an HTTP/1.1 request needs a Host header\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text_response(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "thpscope: only GET and HEAD are served\n");
	if (!strcmp(url, "/metrics"))
		return metrics(h, c);
	if (!strcmp(url, "/"))
		return respond(c, MHD_HTTP_OK, (char *)h->landing, strlen(h->landing),
			       MHD_RESPMEM_PERSISTENT, "text/html; charset=utf-8");
	return text_response(c, MHD_HTTP_NOT_FOUND,
			     "thpscope: not found; the metrics are at /metrics\n");
}

struct serve_http *serve_http_start(int fd, serve_render_fn render, void *ctx,
				    const char *landing_html)
{
	struct serve_http *h = calloc(1, sizeof(*h));

	if (!h) {
		errorf("serve: out of memory");
		close(fd);
		return NULL;
	}
	h->render = render;
	h->ctx = ctx;
	h->landing = landing_html;
	/* Without MHD_USE_ERROR_LOG: a client's bad request or hang-up is
	 * answered or dropped, not printed for the operator. */
	h->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL,
				     0, NULL, NULL, answer, h,
				     MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned int)SERVE_MAX_CONNECTIONS,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)SERVE_IDLE_TIMEOUT_S,
				     MHD_OPTION_END);
	if (!h->daemon) {
		errorf("serve: the HTTP server cannot start");
		close(fd);
		free(h);
		return NULL;
	}
	return h;
}

void serve_http_stop(struct serve_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon);
	free(h);
}
#else

struct serve_http *serve_http_start(int fd, serve_render_fn render, void *ctx,
				    const char *landing_html)
{
	errorf("serve: this build has no HTTP server (a static build, for the lab); "
	       "'thpscope report --openmetrics' writes the same metrics from a record");
	close(fd);
	return NULL;
}

void serve_http_stop(struct serve_http *h)
{
}

#endif
