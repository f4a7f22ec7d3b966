/*
 * core_server.h: the secure-aggregation server of the C core, driven for
 * the library's tests (the library is the client; the server is the same
 * code the extension runs). One session at a time: an image, the messages
 * of the last round per roster user, and the sum once finished.
 */
#ifndef SECAGG_LIB_TEST_CORE_SERVER_H
#define SECAGG_LIB_TEST_CORE_SERVER_H

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "secagg/roster.h"
#include "secagg/server.h"

typedef struct core_server {
	sa_roster roster;
	uint8_t *img;
	size_t img_len, img_cap;
	uint8_t **out_msg;          /* per roster index: the message of the last round (or NULL) */
	size_t *out_len;
	uint8_t **in_msg;           /* per roster index: its accepted message of this round (or NULL) */
	size_t *in_len;
	uint64_t *sum;              /* the sum, once the session finished */
	uint32_t m;
} core_server;

static inline void
core_server_clear_outbox(core_server *s)
{
	for (uint32_t i = 0; i < s->roster.n; i++) {
		free(s->out_msg[i]);
		s->out_msg[i] = NULL;
		s->out_len[i] = 0;
	}
}

static inline void
core_server_clear_inbox(core_server *s)
{
	for (uint32_t i = 0; i < s->roster.n; i++) {
		free(s->in_msg[i]);
		s->in_msg[i] = NULL;
	}
}

/* A route of a SecAgg+ ShareKeys message, appended to its recipient's pending routes. */
static inline sa_status
core_server_take_route(void *arg, uint64_t to, const uint8_t route[SA_ROUTE_BYTES])
{
	core_server *s = arg;
	long i = sa_roster_find(&s->roster, to);
	if (i < 0)
		return SA_ERR_UNKNOWN_USER;
	uint8_t *grown = realloc(s->out_msg[i], s->out_len[i] + SA_ROUTE_BYTES);
	if (grown == NULL)
		return SA_ERR_NOMEM;
	memcpy(grown + s->out_len[i], route, SA_ROUTE_BYTES);
	s->out_msg[i] = grown;
	s->out_len[i] += SA_ROUTE_BYTES;
	return SA_OK;
}

/* Shares grouped by owner (roster index), for core_server_unmask. */
typedef struct core_share_groups {
	const sa_roster *roster;
	uint8_t **buf;
	size_t *count;
} core_share_groups;

static inline sa_status
core_server_take_share(void *arg, uint64_t owner, const uint8_t share[SA_UNMASK_SHARE_BYTES])
{
	core_share_groups *g = arg;
	long i = sa_roster_find(g->roster, owner);
	if (i < 0)
		return SA_ERR_UNKNOWN_USER;
	uint8_t *grown = realloc(g->buf[i], (g->count[i] + 1) * SA_UNMASK_SHARE_BYTES);
	if (grown == NULL)
		return SA_ERR_NOMEM;
	memcpy(grown + g->count[i]++ * SA_UNMASK_SHARE_BYTES, share, SA_UNMASK_SHARE_BYTES);
	g->buf[i] = grown;
	return SA_OK;
}

/* An UNMASK output: the accepted messages split into shares, each owner's secret rebuilt, the sum. */
static inline sa_status
core_server_unmask(core_server *s, const uint8_t *out, size_t out_len, uint8_t **sum_out, size_t *sum_len)
{
	sa_unmask_view uv;
	uint32_t n = s->roster.n;
	core_share_groups g = { &s->roster, calloc(n, sizeof(uint8_t *)), calloc(n, sizeof(size_t)) };
	uint8_t *secrets = calloc(n, SA_UNMASK_SECRET_BYTES);
	size_t ns = 0;
	sa_status st = sa_unmask_open(out, out_len, &uv);
	for (uint32_t i = 0; i < n && st == SA_OK; i++)
		if (s->in_msg[i] != NULL)
			st = sa_unmask_split(&uv, s->roster.ids[i], s->in_msg[i], s->in_len[i], core_server_take_share, &g);
	for (uint32_t i = 0; i < n && st == SA_OK; i++)
		if (g.count[i] > 0)
			st = sa_unmask_rebuild(g.buf[i], g.count[i], secrets + ns++ * SA_UNMASK_SECRET_BYTES);
	if (st == SA_OK)
		st = sa_unmask_finish(out, out_len, secrets, ns, 1, sum_out, sum_len, NULL);
	for (uint32_t i = 0; i < n; i++)
		free(g.buf[i]);
	free(g.buf);
	free(g.count);
	free(secrets);
	return st;
}

/* A ROUTES output: every accepted message split into routes, each recipient's routes into its message. */
static inline sa_status
core_server_route(core_server *s, const uint8_t *out, size_t out_len)
{
	sa_routes rv;
	sa_status st = sa_routes_open(out, out_len, &rv);
	for (uint32_t i = 0; i < s->roster.n && st == SA_OK; i++)
		if (s->in_msg[i] != NULL)
			st = sa_routes_split(&rv, s->roster.ids[i], s->in_msg[i], s->in_len[i], core_server_take_route, s);
	for (uint32_t i = 0; i < s->roster.n && st == SA_OK; i++) {
		if (s->out_msg[i] == NULL)
			continue;
		uint8_t *msg;
		size_t len;
		st = sa_share_message(s->out_msg[i], s->out_len[i] / SA_ROUTE_BYTES, &msg, &len);
		if (st == SA_OK) {
			free(s->out_msg[i]);
			s->out_msg[i] = malloc(len);
			memcpy(s->out_msg[i], msg, len);
			s->out_len[i] = len;
			sa_free(msg);
		}
	}
	return st;
}

/* A new session; the round-0 message goes to every roster user. */
static inline sa_status
core_server_start(core_server *s, const uint8_t *sid, size_t sid_len, uint32_t t, uint32_t m, uint32_t degree,
                  const uint8_t *roster, size_t roster_len)
{
	memset(s, 0, sizeof *s);
	sa_status st = sa_roster_decode(roster, roster_len, &s->roster);
	if (st != SA_OK)
		return st;
	s->m = m;
	s->out_msg = calloc(s->roster.n, sizeof *s->out_msg);
	s->out_len = calloc(s->roster.n, sizeof *s->out_len);
	s->in_msg = calloc(s->roster.n, sizeof *s->in_msg);
	s->in_len = calloc(s->roster.n, sizeof *s->in_len);
	s->sum = calloc(m, sizeof *s->sum);
	if ((st = sa_server_create_graph(sid, sid_len, t, m, degree, &s->roster, &s->img, &s->img_len)) != SA_OK)
		return st;
	s->img_cap = s->img_len;
	uint8_t *msg;
	size_t len;
	if ((st = sa_server_round0_msg(s->img, s->img_len, &msg, &len)) != SA_OK)
		return st;
	for (uint32_t i = 0; i < s->roster.n; i++) {
		s->out_msg[i] = malloc(len);
		memcpy(s->out_msg[i], msg, len);
		s->out_len[i] = len;
	}
	sa_free(msg);
	return SA_OK;
}

/* A user's message of the current round, into the image (grown as needed). */
static inline sa_status
core_server_recv(core_server *s, uint64_t id, const uint8_t *msg, size_t len)
{
	for (;;) {
		size_t need = 0;
		sa_status st = sa_server_recv(s->img, &s->img_len, s->img_cap, id, msg, len, &need);
		if (st == SA_OK) {
			long i = sa_roster_find(&s->roster, id);
			s->in_msg[i] = malloc(len);
			memcpy(s->in_msg[i], msg, len);
			s->in_len[i] = len;
		}
		if (st != SA_ERR_LIMIT)
			return st;
		uint8_t *grown = realloc(s->img, need);
		if (grown == NULL)
			return SA_ERR_NOMEM;
		s->img = grown;
		s->img_cap = need;
	}
}

/* Closes the round: new image, then messages per user or the sum. */
static inline sa_status
core_server_close(core_server *s)
{
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_server_round(s->img, s->img_len, 1, &out, &out_len);
	if (st != SA_OK)
		return st;
	if (out_len > 4 && out[4] == SA_OUTPUT_UNMASK) {     /* SecAgg+ round 4: shares as rows, then the sum */
		uint8_t *sum_out;
		size_t sum_len;
		st = core_server_unmask(s, out, out_len, &sum_out, &sum_len);
		sa_free(out);
		if (st != SA_OK)
			return st;
		out = sum_out;
		out_len = sum_len;
	}
	sa_output_view v;
	if ((st = sa_output_open(out, out_len, &v)) != SA_OK) {
		sa_free(out);
		return st;
	}
	free(s->img);
	s->img = malloc(v.state_len);
	memcpy(s->img, v.state, v.state_len);
	s->img_len = s->img_cap = v.state_len;
	core_server_clear_outbox(s);
	if (v.kind == SA_OUTPUT_VECTOR) {
		for (uint32_t i = 0; i < v.count && i < s->m; i++)
			s->sum[i] = sa_output_vector_at(&v, i);
	} else if (v.kind == SA_OUTPUT_ROUTES) {
		st = core_server_route(s, out, out_len);
	} else {
		size_t len;
		uint64_t id;
		const uint8_t *msg;
		bool end = false;
		sa_output_cursor *c;
		if ((st = sa_output_cursor_open(&v, &c)) != SA_OK) {
			sa_free(out);
			return st;
		}
		while ((st = sa_output_cursor_next(c, &id, &msg, &len, &end)) == SA_OK && !end) {
			long i = sa_roster_find(&s->roster, id);
			if (i < 0)
				continue;
			s->out_msg[i] = malloc(len);
			memcpy(s->out_msg[i], msg, len);
			s->out_len[i] = len;
		}
		sa_output_cursor_free(c);
	}
	core_server_clear_inbox(s);
	sa_free(out);
	return st;
}

static inline bool
core_server_finished(const core_server *s)
{
	sa_server_info info;
	return sa_server_info_get(s->img, s->img_len, &info) == SA_OK && info.stage == SA_SERVER_STAGE_DONE;
}

static inline void
core_server_free(core_server *s)
{
	if (s->out_msg != NULL)
		core_server_clear_outbox(s);
	if (s->in_msg != NULL)
		core_server_clear_inbox(s);
	free(s->in_msg);
	free(s->in_len);
	free(s->out_msg);
	free(s->out_len);
	free(s->sum);
	free(s->img);
	sa_roster_release(&s->roster);
}

#endif
