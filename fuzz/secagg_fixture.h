/*
 * secagg_fixture.h: one small, deterministic secure-aggregation session,
 * recorded at every step, for the secagg harnesses and for make_seeds.
 *
 * n = 5 users (ids 1000, 1003, ... as in test/unit/secagg_sim.h), vectors
 * of m = 4, in one of two sessions:
 *   fx_build(F, 0): the complete graph, t = 3. User 4 drops after ShareKeys
 *     (it is in U2 but not U3, so Unmasking rebuilds its pairwise masks) and
 *     user 3 after ConsistencyCheck (in U4, but it sends no Unmasking
 *     message).
 *   fx_build(F, 2): SecAgg+ on a ring of degree k = 2, t = 2 of each
 *     neighbourhood of 3. User 4 drops after ShareKeys (its two neighbours
 *     rebuild its mask seed), whatever the ring.
 * A harness tells the two apart by the version byte of a message (1 or 2)
 * or the magic of an image (SAS1 or SAS2).
 *
 * For each stage k = 0..4 the fixture keeps:
 *   img_empty[k]    the server image when round k opens (nothing received)
 *   img_partial[k]  the image after the messages of users 0 and 1 (t - 1:
 *                   one more accepted message lets the round close)
 *   img_full[k]     the image with every message of round k, before closing
 *   out[k]          the round output blob of closing img_full[k]
 *   cstate[k][u]    client u serialised when the server message of round k
 *                   reaches it (NULL if u is out of the protocol by then)
 *   s2c[k][u]       that server message
 *   c2s[k][u]       client u's answer (computed even for a user that then
 *                   drops, so every user has a message to seed with)
 * and cstate[5][u] for the users that finished.
 *
 * Everything is a function of the deterministic RNG stream of
 * fuzz_common.h: build it after fuzz_sodium_init(), before any execution.
 */
#ifndef SECAGG_FUZZ_SECAGG_FIXTURE_H
#define SECAGG_FUZZ_SECAGG_FIXTURE_H

#include "fuzz_common.h"
#include "secagg_sim.h"

#include "common/codec.h"
#include "secagg/roster.h"

#define FX_N 5
#define FX_T 3
#define FX_M 4
#define FX_STAGES 5
#define FX_PARTIAL 2

typedef struct fx_buf {
	uint8_t *p;
	size_t len;
} fx_buf;

typedef struct secagg_fixture {
	uint32_t k, t;                   /* degree (0: complete graph) and threshold */
	int drop[FX_N];                  /* drop_after[u] = k: u answers rounds 0..k-1 only (5: never) */
	uint64_t ids[FX_N];
	uint8_t sign_pks[FX_N][32];
	uint8_t sign_sks[FX_N][64];
	uint8_t ctx[SA_CTX_BYTES];       /* the session context */
	fx_buf roster;                   /* "SAR1" encoding */
	fx_buf img_empty[FX_STAGES], img_partial[FX_STAGES], img_full[FX_STAGES];
	fx_buf out[FX_STAGES];
	fx_buf cstate[FX_STAGES + 1][FX_N];
	fx_buf s2c[FX_STAGES][FX_N];
	fx_buf c2s[FX_STAGES][FX_N];
	uint64_t sum[FX_M];
} secagg_fixture;

static const int fx_drop_complete[FX_N] = { 5, 5, 5, 4, 2 };
static const int fx_drop_graph[FX_N] = { 5, 5, 5, 5, 2 };
static const uint8_t fx_session_id[] = "fuzz-session";

static inline fx_buf
fx_copy(const uint8_t *p, size_t len)
{
	fx_buf b = { fuzz_dup(p, len), len };
	return b;
}

static inline fx_buf
fx_client_image(const sa_client *c)
{
	uint8_t *p;
	size_t len;
	FUZZ_CHECK(sa_client_serialize(c, &p, &len) == SA_OK);
	fx_buf b = fx_copy(p, len);
	sa_free(p);
	return b;
}

/* Index of a roster id in the fixture, or -1. */
static inline int
fx_user_index(const secagg_fixture *F, uint64_t id)
{
	for (int u = 0; u < FX_N; u++)
		if (F->ids[u] == id)
			return u;
	return -1;
}

static inline void
fx_build(secagg_fixture *F, uint32_t degree)
{
	sim s;
	uint64_t x[FX_N * FX_M];

	fuzz_rng_reset(1);
	memset(F, 0, sizeof *F);
	F->k = degree;
	F->t = degree ? 2 : FX_T;
	memcpy(F->drop, degree ? fx_drop_graph : fx_drop_complete, sizeof F->drop);
	sim_init(&s, FX_N, F->t, FX_M, 1000);
	for (uint32_t u = 0; u < FX_N; u++) {
		F->ids[u] = s.ids[u];
		memcpy(F->sign_pks[u], s.pks[u], 32);
		memcpy(F->sign_sks[u], s.sks[u], 64);
		for (uint32_t i = 0; i < FX_M; i++)
			x[u * FX_M + i] = 100 * (uint64_t) u + i + ((uint64_t) 1 << 63) * (i == 3);
	}
	{
		uint8_t entries[FX_N * SA_ROSTER_ENTRY_BYTES];
		uint8_t *enc;
		size_t enc_len;
		for (uint32_t u = 0; u < FX_N; u++) {
			sa_store_u64_be(entries + u * SA_ROSTER_ENTRY_BYTES, s.ids[FX_N - 1 - u]);
			memcpy(entries + u * SA_ROSTER_ENTRY_BYTES + 8, s.pks[FX_N - 1 - u], 32);
		}
		FUZZ_CHECK(sa_roster_build(entries, FX_N, &enc, &enc_len) == SA_OK);
		F->roster = fx_copy(enc, enc_len);
		sa_free(enc);
	}

	sa_roster r = sim_roster(&s);
	FUZZ_CHECK(sa_server_create_graph(fx_session_id, sizeof fx_session_id - 1, F->t, FX_M, degree, &r,
	                                  &s.img, &s.img_len) == SA_OK);
	s.img_cap = s.img_len;
	memcpy(F->ctx, s.img + 8, SA_CTX_BYTES);
	uint8_t *r0;
	size_t r0_len;
	FUZZ_CHECK(sa_server_round0_msg(s.img, s.img_len, &r0, &r0_len) == SA_OK);
	for (uint32_t u = 0; u < FX_N; u++) {
		FUZZ_CHECK(sa_client_create_graph(fx_session_id, sizeof fx_session_id - 1, F->t, degree, &r,
		                                  s.ids[u], s.sks[u], x + u * FX_M, FX_M, &s.clients[u]) == SA_OK);
		s.inbox[u] = fuzz_dup(r0, r0_len);
		s.inbox_len[u] = r0_len;
	}
	sa_free(r0);

	for (int k = 0; k < FX_STAGES; k++) {
		sim_clear_sent(&s);
		F->img_empty[k] = fx_copy(s.img, s.img_len);
		int received = 0;
		for (uint32_t u = 0; u < FX_N; u++) {
			if (s.inbox[u] == NULL)
				continue;
			F->cstate[k][u] = fx_client_image(s.clients[u]);
			F->s2c[k][u] = fx_copy(s.inbox[u], s.inbox_len[u]);
			uint8_t *msg;
			size_t msg_len;
			if (F->drop[u] > k) {
				FUZZ_CHECK(sa_client_round(s.clients[u], s.inbox[u], s.inbox_len[u], &msg, &msg_len) ==
				           SA_OK);
				F->c2s[k][u] = fx_copy(msg, msg_len);
				FUZZ_CHECK(sim_recv(&s, s.ids[u], msg, msg_len) == SA_OK);
				sa_free(msg);
				if (++received == FX_PARTIAL)
					F->img_partial[k] = fx_copy(s.img, s.img_len);
			} else {
				/* the user drops: answer on a copy, send nothing */
				sa_client *c;
				FUZZ_CHECK(sa_client_deserialize(F->cstate[k][u].p, F->cstate[k][u].len, &c) == SA_OK);
				FUZZ_CHECK(sa_client_round(c, s.inbox[u], s.inbox_len[u], &msg, &msg_len) == SA_OK);
				F->c2s[k][u] = fx_copy(msg, msg_len);
				sa_free(msg);
				sa_client_free(c);
			}
		}
		F->img_full[k] = fx_copy(s.img, s.img_len);
		uint8_t *out;
		size_t out_len;
		FUZZ_CHECK(sa_server_round(s.img, s.img_len, 1, &out, &out_len) == SA_OK);
		F->out[k] = fx_copy(out, out_len);
		FUZZ_CHECK(sim_apply_output(&s, out, out_len, F->sum) == SA_OK);
		sa_free(out);
		/* a user that dropped gets nothing more */
		for (uint32_t u = 0; u < FX_N; u++)
			if (F->drop[u] <= k && s.inbox[u] != NULL) {
				free(s.inbox[u]);
				s.inbox[u] = NULL;
			}
	}
	for (uint32_t u = 0; u < FX_N; u++)
		if (sa_client_stage(s.clients[u]) == SA_CLIENT_STAGE_DONE)
			F->cstate[FX_STAGES][u] = fx_client_image(s.clients[u]);
	/* the sum is the survivors' (users 0..3 sent masked inputs) */
	for (uint32_t i = 0; i < FX_M; i++) {
		uint64_t want = 0;
		for (uint32_t u = 0; u < FX_N; u++)
			if (F->drop[u] > 2)
				want += x[u * FX_M + i];
		FUZZ_CHECK(F->sum[i] == want);
	}
	sim_free(&s);
}

/* The server image in a buffer of its own, with room for `extra` bytes. */
static inline uint8_t *
fx_image_copy(const fx_buf *b, size_t extra, size_t *cap)
{
	*cap = b->len + extra;
	uint8_t *p = malloc(*cap ? *cap : 1);
	FUZZ_CHECK(p != NULL);
	memcpy(p, b->p, b->len);
	return p;
}

/* sa_server_recv, growing *img as the caller of the API must. */
static inline sa_status
fx_recv(uint8_t **img, size_t *img_len, size_t *cap, uint64_t id, const uint8_t *msg, size_t msg_len)
{
	for (;;) {
		size_t need = 0;
		sa_status st = sa_server_recv(*img, img_len, *cap, id, msg, msg_len, &need);
		if (st != SA_ERR_LIMIT)
			return st;
		FUZZ_CHECK(need > *cap);
		uint8_t *p = realloc(*img, need);
		FUZZ_CHECK(p != NULL);
		*img = p;
		*cap = need;
	}
}

/*
 * Rewrites the session context of a server image (bytes 8..39) to the one
 * its own session id, t, m and roster give, so that a mutated image can
 * get past the context check of sa_server_validate (the fuzzer cannot
 * invert BLAKE2b). Does nothing if those fields do not parse.
 */
static inline void
fx_fix_server_ctx(uint8_t *img, size_t len)
{
	/* SAS2 (SecAgg+): a 104-byte graph block (degree first) before the roster */
	size_t at = len >= 4 && memcmp(img, "SAS2", 4) == 0 ? 136 + 104 : 136;
	if (len < at)
		return;
	uint32_t degree = at > 136 ? sa_load_u32_be(img + 136) : 0;
	uint32_t n = sa_load_u32_be(img + 112);
	uint8_t sid_len = img[6];
	if (n < 2 || n > (degree ? SA_MAX_USERS_GRAPH : SA_MAX_USERS) || sid_len < 1 || sid_len > SA_SESSION_ID_MAX || len - at < (size_t) n * 40)
		return;
	uint64_t *ids = malloc((size_t) n * 8);
	uint8_t (*pks)[32] = malloc((size_t) n * 32);
	FUZZ_CHECK(ids != NULL && pks != NULL);
	for (uint32_t i = 0; i < n; i++) {
		ids[i] = sa_load_u64_be(img + at + (size_t) i * 40);
		memcpy(pks[i], img + at + (size_t) i * 40 + 8, 32);
	}
	sa_roster r = { n, ids, (const uint8_t (*)[32]) pks };
	sa_session s;
	if (sa_session_init_graph(&s, img + 40, sid_len, sa_load_u32_be(img + 104), sa_load_u32_be(img + 108),
	                          degree, &r) == SA_OK)
		memcpy(img + 8, s.ctx, SA_CTX_BYTES);
	free(ids);
	free(pks);
}

/*
 * Re-signing: the fixture knows every user's signing key, so a harness can
 * put valid signatures back on a mutated message and reach the checks that
 * come after the signature (key validity, repeated keys, ordering).
 */

/* AdvertiseKeys entry: id, c_pk, s_pk, sig (the signature over the rest). */
static inline void
fx_sign_advert(const secagg_fixture *F, uint64_t id, const uint8_t *c_pk, const uint8_t *s_pk,
               uint8_t *sig)
{
	int u = fx_user_index(F, id);
	if (u < 0)
		return;
	uint8_t m[SA_ADVERTISE_SIGNED_BYTES];
	sa_advertise_signed(m, F->ctx, id, c_pk, s_pk);
	crypto_sign_detached(sig, NULL, m, sizeof m, F->sign_sks[u]);
}

/* SecAgg+: a user's signature over the digest of the U3 bitmap (n = FX_N bits). */
static inline void
fx_sign_consistency_graph(const secagg_fixture *F, uint64_t id, const uint8_t *bitmap, uint8_t *sig)
{
	int u = fx_user_index(F, id);
	if (u < 0)
		return;
	uint8_t digest[32], stmt[SA_CONSISTENCY_GRAPH_BYTES];
	sa_u3_digest(digest, F->ctx, FX_N, bitmap, (FX_N + 7) / 8);
	sa_consistency_graph_signed(stmt, F->ctx, digest);
	crypto_sign_detached(sig, NULL, stmt, sizeof stmt, F->sign_sks[u]);
}

/* The fixture a message belongs to, by its version byte. */
static inline const secagg_fixture *
fx_pick(const secagg_fixture *complete, const secagg_fixture *graph, const uint8_t *msg, size_t len)
{
	return len >= 1 && msg[0] == SA_WIRE_VERSION_GRAPH ? graph : complete;
}

/* A user's signature over the consistency statement of the ids (count x u64). */
static inline void
fx_sign_consistency(const secagg_fixture *F, uint64_t id, const uint8_t *ids, uint32_t count,
                    uint8_t *sig)
{
	int u = fx_user_index(F, id);
	uint8_t *stmt;
	size_t stmt_len;
	if (u < 0 || sa_consistency_signed(&stmt, &stmt_len, F->ctx, ids, count, 8) != SA_OK)
		return;
	crypto_sign_detached(sig, NULL, stmt, stmt_len, F->sign_sks[u]);
	sa_free(stmt);
}

#endif
