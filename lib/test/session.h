/*
 * session.h: whole sessions of library clients (secagg_client, through the
 * public API) against the core's server (core_server.h), for the tests.
 * drop_before[u] = r: user u answers rounds 0..r-1, then goes silent
 * (SECAGG_ROUND_DONE: never drops). With `roundtrip`, every client is
 * serialised and restored before each round and the rollback guard is
 * checked between its states before and after the round.
 */
#ifndef SECAGG_LIB_TEST_SESSION_H
#define SECAGG_LIB_TEST_SESSION_H

#include "core_server.h"
#include "secagg.h"
#include "unit.h"

typedef struct lib_session {
	uint32_t n, t, m, degree;
	uint64_t *ids;
	uint8_t (*pks)[SECAGG_SIGN_PK_BYTES];
	uint8_t (*sks)[SECAGG_SIGN_SK_BYTES];
	uint8_t *roster;
	size_t roster_len;
	secagg_client **clients;
	core_server server;
	int roundtrip;
	/* optional: sees every client message (round, user index) before the server */
	void (*on_message)(struct lib_session *s, int round, uint32_t user, const uint8_t *msg, size_t len);
} lib_session;

static const uint8_t lib_session_id[] = "libsecagg-test-session";

static inline void
lib_session_init(lib_session *s, uint32_t n, uint32_t t, uint32_t m, uint32_t degree)
{
	memset(s, 0, sizeof *s);
	s->n = n; s->t = t; s->m = m; s->degree = degree;
	s->ids = calloc(n, sizeof *s->ids);
	s->pks = calloc(n, sizeof *s->pks);
	s->sks = calloc(n, sizeof *s->sks);
	s->clients = calloc(n, sizeof *s->clients);
	for (uint32_t i = 0; i < n; i++) {
		s->ids[i] = 1000 + 7 * (uint64_t) i;
		UNIT_CHECK(secagg_sign_keypair(s->pks[i], s->sks[i]) == SECAGG_OK);
	}
	UNIT_CHECK(secagg_roster_encode(s->ids, &s->pks[0][0], n, &s->roster, &s->roster_len) == SECAGG_OK);
}

static inline void
lib_session_free(lib_session *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		secagg_client_free(s->clients[i]);
	secagg_free(s->roster, s->roster_len);
	core_server_free(&s->server);
	free(s->ids); free(s->pks); free(s->sks); free(s->clients);
}

/* Serialises client i, restores it, and returns its state before the round in *before. */
static inline int
lib_session_roundtrip(lib_session *s, uint32_t i, uint8_t **before, size_t *before_len)
{
	int rc = secagg_client_serialize(s->clients[i], before, before_len);
	if (rc != SECAGG_OK)
		return rc;
	secagg_client_free(s->clients[i]);
	s->clients[i] = NULL;
	return secagg_client_deserialize(*before, *before_len, &s->clients[i]);
}

/* The rollback guard between a client's states before and after a round. */
static inline void
lib_session_check_guard(lib_session *s, uint32_t i, const uint8_t *before, size_t before_len)
{
	uint8_t *after;
	size_t after_len;
	UNIT_CHECK(secagg_client_serialize(s->clients[i], &after, &after_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_check_recover(before, before_len, after, after_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_check_recover(after, after_len, after, after_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_check_recover(after, after_len, before, before_len) == SECAGG_ERR_ROLLBACK);
	secagg_client *back = NULL;
	UNIT_CHECK(secagg_client_recover(after, after_len, before, before_len, &back) == SECAGG_ERR_ROLLBACK);
	UNIT_CHECK(back == NULL);
	secagg_free(after, after_len);
}

/* One client's answer to its message of `round`; SECAGG_OK when it had none. */
static inline int
lib_session_answer(lib_session *s, uint32_t i, int round)
{
	core_server *srv = &s->server;
	if (srv->out_msg[i] == NULL)
		return SECAGG_OK;
	uint8_t *before = NULL, *reply;
	size_t before_len = 0, reply_len;
	int rc = s->roundtrip ? lib_session_roundtrip(s, i, &before, &before_len) : SECAGG_OK;
	if (rc == SECAGG_OK)
		rc = secagg_client_round(s->clients[i], srv->out_msg[i], srv->out_len[i], &reply, &reply_len);
	if (rc == SECAGG_OK) {
		if (before != NULL)
			lib_session_check_guard(s, i, before, before_len);
		if (s->on_message != NULL)
			s->on_message(s, round, i, reply, reply_len);
		if (core_server_recv(srv, s->ids[i], reply, reply_len) != SA_OK)
			rc = SECAGG_ERR_INTERNAL;
		secagg_free(reply, reply_len);
	}
	secagg_free(before, before_len);
	return rc;
}

/*
 * Runs the session with x (n * m words); the server's sum in s->server.sum.
 * SECAGG_OK, or the first client's refusal (SECAGG_ERR_INTERNAL for the server's).
 */
static inline int
lib_session_run(lib_session *s, const uint64_t *x, const int *drop_before)
{
	if (core_server_start(&s->server, lib_session_id, sizeof lib_session_id - 1, s->t, s->m, s->degree, s->roster,
	                      s->roster_len) != SA_OK)
		return SECAGG_ERR_INTERNAL;
	for (uint32_t i = 0; i < s->n; i++) {
		int rc = secagg_client_new(lib_session_id, sizeof lib_session_id - 1, s->ids[i], s->t, s->degree, s->sks[i],
		                           SECAGG_SIGN_SK_BYTES, x + (size_t) i * s->m, s->m, s->roster, s->roster_len,
		                           &s->clients[i]);
		if (rc != SECAGG_OK)
			return rc;
	}
	for (int round = 0; round <= 4; round++) {
		for (uint32_t i = 0; i < s->n; i++) {
			if (drop_before[i] <= round)
				continue;
			int rc = lib_session_answer(s, i, round);
			if (rc != SECAGG_OK)
				return rc;
		}
		if (core_server_close(&s->server) != SA_OK)
			return SECAGG_ERR_INTERNAL;
	}
	return core_server_finished(&s->server) ? SECAGG_OK : SECAGG_ERR_INTERNAL;
}

#endif
