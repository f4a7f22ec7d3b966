/*
 * secagg_sim.h: drives whole secure-aggregation sessions over the C core
 * (test and benchmark helper). drop_after[u] = k means user u sends its
 * messages of rounds 0..k-1 and then goes silent (k = 5: never drops).
 */
#ifndef SECAGG_SIM_H
#define SECAGG_SIM_H

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "secagg/client.h"
#include "secagg/server.h"

/* splitmix64: deterministic test data */
static inline uint64_t
sim_splitmix(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

struct sim;
typedef struct sim {
	uint32_t n, t, m;
	uint32_t degree;    /* SecAgg+ k (0: complete graph); set after sim_init */
	uint64_t blame;     /* the user a failed SecAgg+ round names */
	/* optional: called after each server round closes (may change drop_after) */
	void (*after_round)(struct sim *s, int round, int *drop_after, void *arg);
	void *hook_arg;
	int roundtrip_states;   /* serialise and restore every client before each round */
	/* optional: may change a client's message (in place, same length) before the server gets it */
	void (*tamper)(struct sim *s, int round, uint32_t user, uint8_t *msg, size_t len, void *arg);
	int keep_outputs;       /* keep a copy of every round's output in outputs[] */
	uint8_t *outputs[5];
	size_t output_len[5];
	uint64_t *ids;
	uint8_t (*pks)[32];
	uint8_t (*sks)[64];
	sa_client **clients;
	uint8_t *img;       /* server image */
	size_t img_len, img_cap;
	uint8_t **inbox;    /* per user: message from the server */
	size_t *inbox_len;
	uint8_t **sent;     /* per user: its message of this round, as the server got it */
	size_t *sent_len;
	uint8_t *unmask_out; /* keep_outputs: the UNMASK output of a SecAgg+ round 4 */
	size_t unmask_len;
	uint8_t **sent1;    /* keep_outputs: the messages of round 1 (ShareKeys) */
	size_t *sent1_len;
} sim;

static inline void
sim_init(sim *s, uint32_t n, uint32_t t, uint32_t m, uint64_t id_base)
{
	memset(s, 0, sizeof *s);
	s->n = n; s->t = t; s->m = m;
	s->ids = calloc(n, 8);
	s->pks = calloc(n, 32);
	s->sks = calloc(n, 64);
	s->clients = calloc(n, sizeof(sa_client *));
	s->inbox = calloc(n, sizeof(uint8_t *));
	s->inbox_len = calloc(n, sizeof(size_t));
	s->sent = calloc(n, sizeof(uint8_t *));
	s->sent_len = calloc(n, sizeof(size_t));
	s->sent1 = calloc(n, sizeof(uint8_t *));
	s->sent1_len = calloc(n, sizeof(size_t));
	for (uint32_t i = 0; i < n; i++) {
		s->ids[i] = id_base + 3 * (uint64_t) i;
		sa_sign_keypair(s->pks[i], s->sks[i]);
	}
}

static inline sa_roster
sim_roster(const sim *s)
{
	sa_roster r = { s->n, s->ids, (const uint8_t (*)[32]) s->pks };
	return r;
}

static inline void
sim_free(sim *s)
{
	for (uint32_t i = 0; i < s->n; i++) {
		sa_client_free(s->clients[i]);
		free(s->inbox[i]);
		free(s->sent[i]);
		free(s->sent1[i]);
	}
	free(s->sent); free(s->sent_len); free(s->sent1); free(s->sent1_len);
	free(s->ids); free(s->pks); free(s->sks); free(s->clients);
	free(s->inbox); free(s->inbox_len); free(s->img);
	for (int r = 0; r < 5; r++)
		free(s->outputs[r]);
	free(s->unmask_out);
}

/* Server receives a message, growing the image as needed. */
static inline sa_status
sim_recv(sim *s, uint64_t id, const uint8_t *msg, size_t len)
{
	for (;;) {
		size_t need = 0;
		sa_status st = sa_server_recv(s->img, &s->img_len, s->img_cap, id, msg, len, &need);
		if (st == SA_OK) {                  /* kept: a SecAgg+ round 1 is routed from these */
			sa_roster r = sim_roster(s);
			long i = sa_roster_find(&r, id);
			free(s->sent[i]);
			s->sent[i] = malloc(len);
			memcpy(s->sent[i], msg, len);
			s->sent_len[i] = len;
		}
		if (st != SA_ERR_LIMIT)
			return st;
		size_t cap = s->img_cap * 2 > need ? s->img_cap * 2 : need;
		s->img = realloc(s->img, cap);
		s->img_cap = cap;
	}
}

/* Forgets the messages of the last round (call before a round starts). */
static inline void
sim_clear_sent(sim *s)
{
	for (uint32_t i = 0; i < s->n; i++) {
		free(s->sent[i]);
		s->sent[i] = NULL;
	}
}

/* Rows (routes or shares) grouped by the user they go to, as a host's GROUP BY does. */
typedef struct sim_routes {
	uint8_t **buf;
	size_t *count, *cap;
	sa_roster r;
	size_t row;         /* bytes per row: SA_ROUTE_BYTES, or SA_UNMASK_SHARE_BYTES (0 counts as the first) */
} sim_routes;

static inline sa_status
sim_group_row(sim_routes *R, uint64_t to, const uint8_t *row)
{
	size_t size = R->row ? R->row : SA_ROUTE_BYTES;
	long i = sa_roster_find(&R->r, to);
	if (i < 0)
		return SA_ERR_UNKNOWN_USER;
	if (R->count[i] == R->cap[i]) {
		R->cap[i] = R->cap[i] ? 2 * R->cap[i] : 8;
		R->buf[i] = realloc(R->buf[i], R->cap[i] * size);
	}
	memcpy(R->buf[i] + R->count[i]++ * size, row, size);
	return SA_OK;
}

static inline sa_status
sim_route_emit(void *arg, uint64_t recipient, const uint8_t route[SA_ROUTE_BYTES])
{
	return sim_group_row(arg, recipient, route);
}

static inline sa_status
sim_share_emit(void *arg, uint64_t owner, const uint8_t share[SA_UNMASK_SHARE_BYTES])
{
	return sim_group_row(arg, owner, share);
}

static inline void
sim_groups_free(sim_routes *R, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(R->buf[i]);
	free(R->buf); free(R->count); free(R->cap);
}

/*
 * An UNMASK output (SecAgg+ round 4): every sent message split into shares,
 * each owner's secret rebuilt from its group, the sum from the secrets —
 * as a host does with rows. *out is the round's final output (the sum).
 */
static inline sa_status
sim_unmask(sim *s, const uint8_t *blob, size_t len, uint8_t **out, size_t *out_len)
{
	sa_unmask_view uv;
	sa_status st = sa_unmask_open(blob, len, &uv);
	sim_routes R = { calloc(s->n, sizeof(uint8_t *)), calloc(s->n, sizeof(size_t)),
	                 calloc(s->n, sizeof(size_t)), sim_roster(s), SA_UNMASK_SHARE_BYTES };
	for (uint32_t i = 0; i < s->n && st == SA_OK; i++) {
		if (s->sent[i] == NULL)
			continue;
		st = sa_unmask_split(&uv, s->ids[i], s->sent[i], s->sent_len[i], sim_share_emit, &R);
		if (st == SA_ERR_UNKNOWN_USER)     /* not accepted (rejected): its shares go nowhere */
			st = SA_OK;
	}
	uint8_t *secrets = calloc(s->n ? s->n : 1, SA_UNMASK_SECRET_BYTES);
	size_t ns = 0;
	for (uint32_t i = 0; i < s->n && st == SA_OK; i++) {
		if (R.count[i] == 0)
			continue;
		st = sa_unmask_rebuild(R.buf[i], R.count[i], secrets + ns++ * SA_UNMASK_SECRET_BYTES);
		if (st != SA_OK)
			s->blame = s->ids[i];
	}
	if (st == SA_OK)
		st = sa_unmask_finish(blob, len, secrets, ns, 2, out, out_len, &s->blame);
	sodium_memzero(secrets, (s->n ? s->n : 1) * SA_UNMASK_SECRET_BYTES);
	free(secrets);
	sim_groups_free(&R, s->n);
	return st;
}

/*
 * A ROUTES output (SecAgg+ round 1): splits every sent message into routes
 * and builds each recipient's message, as a host does with rows.
 */
static inline sa_status
sim_route(sim *s, const uint8_t *out, size_t out_len)
{
	sa_routes rv;
	sa_status st = sa_routes_open(out, out_len, &rv);
	sim_routes R = { calloc(s->n, sizeof(uint8_t *)), calloc(s->n, sizeof(size_t)),
	                 calloc(s->n, sizeof(size_t)), sim_roster(s), SA_ROUTE_BYTES };
	for (uint32_t i = 0; i < s->n && st == SA_OK; i++) {
		if (s->sent[i] == NULL)
			continue;
		st = sa_routes_split(&rv, s->ids[i], s->sent[i], s->sent_len[i], sim_route_emit, &R);
		if (st == SA_ERR_UNKNOWN_USER)     /* not accepted (rejected): its ciphertexts go nowhere */
			st = SA_OK;
	}
	for (uint32_t i = 0; i < s->n; i++)
		if (st == SA_OK && R.count[i] > 0)
			st = sa_share_message(R.buf[i], R.count[i], &s->inbox[i], &s->inbox_len[i]);
	sim_groups_free(&R, s->n);
	return st;
}

/* Applies a round output: new image, and messages into inboxes. */
static inline sa_status
sim_apply_output(sim *s, const uint8_t *out, size_t out_len, uint64_t *vec)
{
	sa_output_view ov;
	sa_status st = sa_output_open(out, out_len, &ov);
	if (st != SA_OK)
		return st;
	free(s->img);
	s->img = malloc(ov.state_len);
	memcpy(s->img, ov.state, ov.state_len);
	s->img_len = s->img_cap = ov.state_len;
	for (uint32_t i = 0; i < s->n; i++) {
		free(s->inbox[i]);
		s->inbox[i] = NULL;
	}
	if (ov.kind == SA_OUTPUT_VECTOR) {
		for (uint32_t i = 0; i < ov.count; i++)
			vec[i] = sa_output_vector_at(&ov, i);
		return SA_OK;
	}
	if (ov.kind == SA_OUTPUT_ROUTES)
		return sim_route(s, out, out_len);
	if (ov.kind == SA_OUTPUT_UNMASK) {     /* the shares as rows, then the sum's output */
		if (s->keep_outputs) {
			free(s->unmask_out);
			s->unmask_out = malloc(out_len);
			memcpy(s->unmask_out, out, out_len);
			s->unmask_len = out_len;
		}
		uint8_t *sum_out;
		size_t sum_len;
		if ((st = sim_unmask(s, out, out_len, &sum_out, &sum_len)) != SA_OK)
			return st;
		st = sim_apply_output(s, sum_out, sum_len, vec);
		sa_free(sum_out);
		return st;
	}
	uint64_t id;
	const uint8_t *msg;
	size_t len;
	bool end = false;
	sa_roster r = sim_roster(s);
	sa_output_cursor *c;
	if ((st = sa_output_cursor_open(&ov, &c)) != SA_OK)
		return st;
	while ((st = sa_output_cursor_next(c, &id, &msg, &len, &end)) == SA_OK && !end) {
		long i = sa_roster_find(&r, id);
		if (i >= 0) {
			s->inbox[i] = malloc(len);
			memcpy(s->inbox[i], msg, len);
			s->inbox_len[i] = len;
		}
	}
	sa_output_cursor_free(c);
	return st;
}

/*
 * Runs a whole session. x is n*m. Returns the status of the first failing
 * server round (or SA_OK), with the sum in `sum`.
 */
static inline sa_status
sim_run(sim *s, const uint64_t *x, int *drop_after, uint64_t *sum, int *failed_round)
{
	sa_roster r = sim_roster(s);
	static const uint8_t sid[] = "unit-test-session";
	sa_status st = sa_server_create_graph(sid, sizeof sid - 1, s->t, s->m, s->degree, &r, &s->img,
	                                      &s->img_len);
	if (st != SA_OK)
		return st;
	s->img_cap = s->img_len;
	uint8_t *r0;
	size_t r0_len;
	sa_server_round0_msg(s->img, s->img_len, &r0, &r0_len);
	for (uint32_t i = 0; i < s->n; i++) {
		st = sa_client_create_graph(sid, sizeof sid - 1, s->t, s->degree, &r, s->ids[i], s->sks[i],
		                            x + (size_t) i * s->m, s->m, &s->clients[i]);
		if (st != SA_OK)
			return st;
		s->inbox[i] = malloc(r0_len);
		memcpy(s->inbox[i], r0, r0_len);
		s->inbox_len[i] = r0_len;
	}
	sa_free(r0);
	for (int round = 0; round <= 4; round++) {
		if (round == 2 && s->keep_outputs) {
			for (uint32_t i = 0; i < s->n; i++) {
				s->sent1[i] = s->sent[i];
				s->sent1_len[i] = s->sent_len[i];
				s->sent[i] = NULL;
			}
		}
		sim_clear_sent(s);
		for (uint32_t i = 0; i < s->n; i++) {
			if (s->inbox[i] == NULL || drop_after[i] <= round)
				continue;
			uint8_t *out;
			size_t out_len;
			if (s->roundtrip_states) {
				uint8_t *buf;
				size_t blen;
				sa_client *c2 = NULL;
				if ((st = sa_client_serialize(s->clients[i], &buf, &blen)) != SA_OK ||
				    (st = sa_client_deserialize(buf, blen, &c2)) != SA_OK) {
					*failed_round = 300 + round;
					return st;
				}
				sa_free(buf);
				sa_client_free(s->clients[i]);
				s->clients[i] = c2;
			}
			st = sa_client_round(s->clients[i], s->inbox[i], s->inbox_len[i], &out, &out_len);
			if (st != SA_OK) {
				*failed_round = 100 + round;
				return st;
			}
			if (s->tamper != NULL)
				s->tamper(s, round, i, out, out_len, s->hook_arg);
			st = sim_recv(s, s->ids[i], out, out_len);
			sa_free(out);
			if (st != SA_OK) {
				*failed_round = 200 + round;
				return st;
			}
		}
		uint8_t *out;
		size_t out_len;
		sa_round_opts o = { 2, NULL, 0, false, 0, &s->blame };
		st = sa_server_close(s->img, s->img_len, &o, &out, &out_len);
		if (st != SA_OK) {
			*failed_round = round;
			return st;
		}
		if (s->keep_outputs) {
			s->outputs[round] = malloc(out_len);
			memcpy(s->outputs[round], out, out_len);
			s->output_len[round] = out_len;
		}
		st = sim_apply_output(s, out, out_len, sum);
		sa_free(out);
		if (st != SA_OK)
			return st;
		if (s->after_round != NULL)
			s->after_round(s, round, drop_after, s->hook_arg);
	}
	return SA_OK;
}

#endif
