/*
 * loopnode.h: a loopback HTTP server for unit tests that need a node to misbehave on demand
 * (range refusals, bad answers, exact timing). Serves many kept-alive connections at once from
 * one thread (poll). Either scripted — raw HTTP responses served in order, one per request —
 * or driven by a handler that builds each response from the request.
 */
#ifndef LENDEX_TEST_LOOPNODE_H
#define LENDEX_TEST_LOOPNODE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

struct loopnode {
	int fd, port;
	const char *answers[32];  /* scripted mode: raw responses, in order */
	size_t lens[32];          /* their lengths when binary (0: NUL-terminated) */
	int n;                    /* scripted answers; the server ends after the last one */
	/* handler mode (when set): returns a malloc'd raw HTTP response for one request body,
	 * or NULL to drop the connection; called on the server thread */
	char *(*handler)(struct loopnode *ln, const char *body, size_t len);
	void *ctx;                /* the handler's */
	size_t resp_len;          /* the handler may set the length of a binary response */
	int served, accepted;     /* requests answered, connections accepted */
	int wake[2];              /* pipe: loopnode_stop wakes the poll */
	pthread_t th;
};

/* Listens on a free loopback port (ln->port) and starts serving. */
void loopnode_start(struct loopnode *ln);
/* Stops serving and joins the thread. */
void loopnode_stop(struct loopnode *ln);
/* "HTTP/1.1 200 OK" with a JSON body: a new malloc'd string. */
char *loopnode_ok(const char *json);
/* The URL of the node into buf. */
void loopnode_url(const struct loopnode *ln, char *buf, size_t cap);

#endif
