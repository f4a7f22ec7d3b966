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

typedef struct sim {
	uint32_t n, t, m;
	uint64_t *ids;
	uint8_t (*pks)[32];
	uint8_t (*sks)[64];
	sa_client **clients;
	uint8_t *img;       /* server image */
	size_t img_len, img_cap;
	uint8_t **inbox;    /* per user: message from the server */
	size_t *inbox_len;
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
	}
	free(s->ids); free(s->pks); free(s->sks); free(s->clients);
	free(s->inbox); free(s->inbox_len); free(s->img);
}

/* Server receives a message, growing the image as needed. */
static inline sa_status
sim_recv(sim *s, uint64_t id, const uint8_t *msg, size_t len)
{
	for (;;) {
		size_t need = 0;
		sa_status st = sa_server_recv(s->img, &s->img_len, s->img_cap, id, msg, len, &need);
		if (st != SA_ERR_LIMIT)
			return st;
		size_t cap = s->img_cap * 2 > need ? s->img_cap * 2 : need;
		s->img = realloc(s->img, cap);
		s->img_cap = cap;
	}
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
	size_t pos = 0;
	uint64_t id;
	const uint8_t *msg;
	size_t len;
	while (sa_output_next_message(&ov, &pos, &id, &msg, &len)) {
		for (uint32_t i = 0; i < s->n; i++)
			if (s->ids[i] == id) {
				s->inbox[i] = malloc(len);
				memcpy(s->inbox[i], msg, len);
				s->inbox_len[i] = len;
			}
	}
	return SA_OK;
}

/*
 * Runs a whole session. x is n*m. Returns the status of the first failing
 * server round (or SA_OK), with the sum in `sum`.
 */
static inline sa_status
sim_run(sim *s, const uint64_t *x, const int *drop_after, uint64_t *sum, int *failed_round)
{
	sa_roster r = sim_roster(s);
	static const uint8_t sid[] = "unit-test-session";
	sa_status st = sa_server_create(sid, sizeof sid - 1, s->t, s->m, &r, &s->img, &s->img_len);
	if (st != SA_OK)
		return st;
	s->img_cap = s->img_len;
	uint8_t *r0;
	size_t r0_len;
	sa_server_round0_msg(s->img, s->img_len, &r0, &r0_len);
	for (uint32_t i = 0; i < s->n; i++) {
		st = sa_client_create(sid, sizeof sid - 1, s->t, &r, s->ids[i], s->sks[i], x + (size_t) i * s->m,
		                      s->m, &s->clients[i]);
		if (st != SA_OK)
			return st;
		s->inbox[i] = malloc(r0_len);
		memcpy(s->inbox[i], r0, r0_len);
		s->inbox_len[i] = r0_len;
	}
	sa_free(r0);
	for (int round = 0; round <= 4; round++) {
		for (uint32_t i = 0; i < s->n; i++) {
			if (s->inbox[i] == NULL || drop_after[i] <= round)
				continue;
			uint8_t *out;
			size_t out_len;
			st = sa_client_round(s->clients[i], s->inbox[i], s->inbox_len[i], &out, &out_len);
			if (st != SA_OK) {
				*failed_round = 100 + round;
				return st;
			}
			st = sim_recv(s, s->ids[i], out, out_len);
			sa_free(out);
			if (st != SA_OK) {
				*failed_round = 200 + round;
				return st;
			}
		}
		uint8_t *out;
		size_t out_len;
		st = sa_server_round(s->img, s->img_len, 2, &out, &out_len);
		if (st != SA_OK) {
			*failed_round = round;
			return st;
		}
		st = sim_apply_output(s, out, out_len, sum);
		sa_free(out);
		if (st != SA_OK)
			return st;
	}
	return SA_OK;
}

#endif
