/*
 * loopnode.c: the loopback test server (see loopnode.h). One thread polls the listening socket
 * and every open connection; a request is answered when its headers and Content-Length body
 * have arrived.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* strcasestr, memmem */
#endif
#include "loopnode.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONN 64

struct conn {
	int fd;
	char *buf;
	size_t len, cap;
};

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

/* Answers every complete request in c's buffer; false when the connection is to close. */
static bool answer(struct loopnode *ln, struct conn *c)
{
	for (;;) {
		if (c->len == 0)
			return true;
		c->buf[c->len] = 0;
		char *hdr_end = strstr(c->buf, "\r\n\r\n");
		if (!hdr_end)
			return true;
		size_t hl = (size_t)(hdr_end + 4 - c->buf), want = 0;
		char *cl = strcasestr(c->buf, "content-length:");
		if (cl && cl < hdr_end)
			want = (size_t)strtoul(cl + 15, NULL, 10);
		if (c->len < hl + want)
			return true;
		char *resp = NULL;
		const char *a = NULL;
		size_t alen = 0;
		if (ln->handler) {
			ln->resp_len = 0;
			resp = ln->handler(ln, c->buf + hl, want);
			a = resp;
			alen = ln->resp_len;
		} else if (ln->served < ln->n) {
			a = ln->answers[ln->served];
			alen = ln->lens[ln->served];
		}
		ln->served++;
		if (!a)
			return false;
		send_all(c->fd, a, alen ? alen : strlen(a));
		bool close_it = memmem(a, alen ? alen : strlen(a), "Connection: close", 17) != NULL;
		free(resp);
		memmove(c->buf, c->buf + hl + want, c->len - hl - want);
		c->len -= hl + want;
		if (close_it)
			return false;
	}
}

static void *serve(void *arg)
{
	struct loopnode *ln = arg;
	struct conn cs[MAX_CONN];
	size_t nc = 0;
	for (;;) {
		if (!ln->handler && ln->served >= ln->n && ln->n > 0)
			break;
		struct pollfd pf[MAX_CONN + 2];
		pf[0].fd = ln->fd;
		pf[0].events = POLLIN;
		pf[1].fd = ln->wake[0];
		pf[1].events = POLLIN;
		for (size_t i = 0; i < nc; i++) {
			pf[i + 2].fd = cs[i].fd;
			pf[i + 2].events = POLLIN;
		}
		if (poll(pf, nc + 2, 1000) < 0)
			break;
		if (pf[1].revents)
			break;
		if ((pf[0].revents & POLLIN) && nc < MAX_CONN) {
			int fd = accept(ln->fd, NULL, NULL);
			if (fd >= 0) {
				ln->accepted++;
				cs[nc].fd = fd;
				cs[nc].cap = 1 << 16;
				cs[nc].buf = malloc(cs[nc].cap + 1);
				cs[nc].len = 0;
				nc++;
			}
		}
		for (size_t i = 0; i < nc; i++) {
			if (!(pf[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) || pf[i + 2].fd != cs[i].fd)
				continue;
			struct conn *c = &cs[i];
			if (c->len == c->cap) {
				c->cap *= 2;
				c->buf = realloc(c->buf, c->cap + 1);
			}
			ssize_t got = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
			bool keep = got > 0;
			if (keep) {
				c->len += (size_t)got;
				keep = answer(ln, c);
			}
			if (!keep) {
				close(c->fd);
				free(c->buf);
				cs[i] = cs[--nc];
				/* pf no longer matches cs from here: the fd check above skips */
			}
		}
	}
	for (size_t i = 0; i < nc; i++) {
		close(cs[i].fd);
		free(cs[i].buf);
	}
	return NULL;
}

void loopnode_start(struct loopnode *ln)
{
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof(sa));
	socklen_t sl = sizeof(sa);
	ln->fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ln->fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(ln->fd, 64)) {
		perror("loopnode");
		abort();
	}
	getsockname(ln->fd, (struct sockaddr *)&sa, &sl);
	ln->port = ntohs(sa.sin_port);
	if (pipe(ln->wake)) {
		perror("loopnode");
		abort();
	}
	pthread_create(&ln->th, NULL, serve, ln);
}

void loopnode_stop(struct loopnode *ln)
{
	if (write(ln->wake[1], "x", 1) != 1)
		perror("loopnode");
	pthread_join(ln->th, NULL);
	close(ln->fd);
	close(ln->wake[0]);
	close(ln->wake[1]);
}

char *loopnode_ok(const char *json)
{
	size_t n = strlen(json), cap = n + 128;
	char *b = malloc(cap);
	snprintf(b, cap,
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		 n, json);
	return b;
}

void loopnode_url(const struct loopnode *ln, char *buf, size_t cap)
{
	snprintf(buf, cap, "http://127.0.0.1:%d", ln->port);
}
