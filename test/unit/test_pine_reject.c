/*
 * test_pine_reject.c: PINE end-to-end round trips beyond the official
 * vectors (negative and fractional values, 3 Aggregators, every variant),
 * rejection of invalid reports, and rejection of malformed input.
 */
#include <math.h>

#include <sodium.h>

#include "unit.h"

#include "pine/pine.h"
#include "pine/pine_internal.h"
#include "pine/pine_testing.h"

#define MAXS 4

typedef struct {
	pine_params P;
	uint8_t vk[PINE_MAX_SEED_SIZE];
	uint8_t nonce[PINE_NONCE_SIZE];
	uint8_t *pub;
	uint8_t *in[MAXS];
	size_t in_len[MAXS];
	uint8_t *state[MAXS];
	uint8_t *pshare[MAXS];
	size_t plen[MAXS];
	uint8_t *msg;
	uint8_t *out[MAXS];
} report;

static void fill(uint8_t *b, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t) (seed * 131u + i * 7u + (i >> 8) * 13u);
}

static void rep_alloc(report *R, const pine_params *P)
{
	memset(R, 0, sizeof *R);
	R->P = *P;
	R->pub = malloc(P->public_share_len);
	R->msg = malloc(P->prep_msg_len);
	for (size_t j = 0; j < P->num_shares; j++) {
		R->in_len[j] = pine_input_share_len(P, (uint32_t) j);
		R->in[j] = malloc(R->in_len[j]);
		R->state[j] = malloc(pine_prep_state_len(P, (uint32_t) j));
		R->pshare[j] = malloc(P->prep_share_len);
		R->plen[j] = P->prep_share_len;
		R->out[j] = malloc(P->out_share_len);
	}
}

static void rep_free(report *R)
{
	free(R->pub);
	free(R->msg);
	for (size_t j = 0; j < MAXS; j++) {
		free(R->in[j]);
		free(R->state[j]);
		free(R->pshare[j]);
		free(R->out[j]);
	}
}

/* Shard with retries on PINE_RETRY (fresh deterministic rand each time). */
static pine_status rep_shard(report *R, const double *x, uint32_t seed, unsigned cheat)
{
	const pine_params *P = &R->P;
	uint8_t *rnd = malloc(P->rand_len);
	pine_status st = PINE_RETRY;
	fill(R->vk, sizeof R->vk, seed ^ 0x55);
	fill(R->nonce, sizeof R->nonce, seed ^ 0xaa);
	for (int attempt = 0; attempt < 20 && st == PINE_RETRY; attempt++) {
		fill(rnd, P->rand_len, seed * 1000u + (uint32_t) attempt);
		st = pine_shard_impl(P, x, P->dimension, R->nonce, PINE_NONCE_SIZE, rnd, P->rand_len,
		                     R->pub, R->in, cheat, NULL);
	}
	free(rnd);
	return st;
}

/* All Aggregators run prep_init (same vk / nonce). */
static pine_status rep_prep_init(report *R)
{
	const pine_params *P = &R->P;
	for (size_t j = 0; j < P->num_shares; j++) {
		pine_status st = pine_prep_init(P, R->vk, P->verify_key_len, (uint32_t) j, R->nonce,
		                                PINE_NONCE_SIZE, R->pub, P->public_share_len, R->in[j],
		                                R->in_len[j], R->state[j], R->pshare[j], NULL);
		if (st != PINE_OK)
			return st;
	}
	return PINE_OK;
}

static pine_status rep_combine(report *R)
{
	return pine_prep_shares_to_prep(&R->P, (const uint8_t *const *) R->pshare, R->plen,
	                                R->P.num_shares, R->msg, NULL);
}

/* prep_next for everyone; first non-OK status. */
static pine_status rep_finish(report *R)
{
	for (size_t j = 0; j < R->P.num_shares; j++) {
		pine_status st = pine_prep_next(&R->P, R->state[j], pine_prep_state_len(&R->P, (uint32_t) j), R->msg,
		                                R->P.prep_msg_len, R->out[j], NULL);
		if (st != PINE_OK)
			return st;
	}
	return PINE_OK;
}

/* Full preparation after sharding: the first failing status. */
static pine_status rep_prepare(report *R)
{
	pine_status st;
	if ((st = rep_prep_init(R)) != PINE_OK)
		return st;
	if ((st = rep_combine(R)) != PINE_OK)
		return st;
	return rep_finish(R);
}

static int make_params(pine_params *P, pine_variant v, uint32_t shares, uint64_t d)
{
	pine_config c;
	pine_config_defaults(&c, v);
	if (v == PINE_VARIANT_PINE40_HMAC_SHA256_AES128)
		c.draft = PINE_DRAFT_02; /* the variant exists only there */
	c.num_frac_bits = v == PINE_VARIANT_PINE32_HMAC_SHA256_AES128 ? 12 : 15;
	c.l2_norm_bound = (uint64_t) 1 << c.num_frac_bits; /* 1.0 */
	c.dimension = d;
	c.num_shares = shares;
	if (pine_optimal_chunk_lengths(&c, &c.chunk_length, &c.chunk_length_norm_equality,
	                               NULL) != PINE_OK)
		return 0;
	return pine_params_init(P, &c, NULL) == PINE_OK;
}

/* A gradient with negative and fractional entries and norm < 1. */
static void honest_gradient(double *x, size_t d, int k)
{
	for (size_t i = 0; i < d; i++)
		x[i] = 0.0;
	x[0] = -0.3;
	x[1 % d] += 0.1;
	x[(2 + (size_t) k) % d] += -0.0001;
	x[(5 + 3 * (size_t) k) % d] += 0.5;
	x[d - 1] += -0.25;
}

static void roundtrip(pine_variant v, uint32_t shares, uint64_t d, int reports)
{
	pine_params P;
	UNIT_CHECK(make_params(&P, v, shares, d));
	size_t S = P.num_shares;
	uint8_t *agg[MAXS];
	size_t alen[MAXS];
	double *x = calloc(d, sizeof *x), *res = calloc(d, sizeof *res);
	double *expect = calloc(d, sizeof *expect);
	for (size_t j = 0; j < S; j++) {
		agg[j] = malloc(P.agg_share_len);
		alen[j] = P.agg_share_len;
		pine_agg_init(&P, agg[j]);
	}
	for (int k = 0; k < reports; k++) {
		report R;
		rep_alloc(&R, &P);
		honest_gradient(x, d, k);
		for (size_t i = 0; i < d; i++) {
			int64_t e;
			UNIT_CHECK(pine_encode_entry(x[i], P.cfg.num_frac_bits, P.cfg.draft, &e) == PINE_OK);
			expect[i] += (double) e;
		}
		UNIT_CHECK(rep_shard(&R, x, (uint32_t) k + 1, 0) == PINE_OK);
		UNIT_CHECK(rep_prepare(&R) == PINE_OK);
		for (size_t j = 0; j < S; j++) {
			UNIT_CHECK(pine_agg_add(&P, agg[j], P.agg_share_len, R.out[j], P.out_share_len,
			                        NULL) == PINE_OK);
		}
		rep_free(&R);
	}
	UNIT_CHECK(pine_unshard(&P, (const uint8_t *const *) agg, alen, S, (uint64_t) reports, res,
	                        NULL) == PINE_OK);
	size_t bad = 0;
	for (size_t i = 0; i < d; i++)
		bad += res[i] != ldexp(expect[i], -(int) P.cfg.num_frac_bits);
	UNIT_CHECK_EQ_U64(bad, 0);
	/* -0.3 floors to -9831/2^15 for nfb = 15 */
	if (P.cfg.num_frac_bits == 15 && reports == 1 && d > 6)
		UNIT_CHECK(res[0] == -0.300018310546875);
	for (size_t j = 0; j < S; j++)
		free(agg[j]);
	free(x);
	free(res);
	free(expect);
}

static void test_roundtrip_pine64(void) { roundtrip(PINE_VARIANT_PINE64, 2, 1000, 3); }
static void test_roundtrip_pine64_3agg(void) { roundtrip(PINE_VARIANT_PINE64, 3, 301, 2); }
static void test_roundtrip_pine64_odd_d(void) { roundtrip(PINE_VARIANT_PINE64, 2, 7, 1); }
static void test_roundtrip_pine128(void) { roundtrip(PINE_VARIANT_PINE128, 2, 333, 2); }
static void test_roundtrip_pine128_3agg(void) { roundtrip(PINE_VARIANT_PINE128, 3, 33, 1); }
static void test_roundtrip_pine64hmac(void)
{
	roundtrip(PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 2, 500, 2);
}
static void test_roundtrip_pine32hmac_4agg(void)
{
	roundtrip(PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 4, 202, 2);
}
static void test_roundtrip_pine40hmac_3agg(void)
{
	roundtrip(PINE_VARIANT_PINE40_HMAC_SHA256_AES128, 3, 250, 2);
}

/* ---- client-side refusals ---------------------------------------------- */

static void test_client_refuses(void)
{
	pine_params P;
	UNIT_CHECK(make_params(&P, PINE_VARIANT_PINE64, 2, 16));
	report R;
	rep_alloc(&R, &P);
	double x[16] = { 0 };
	x[0] = 0.8;
	x[1] = 0.7; /* 0.64 + 0.49 > 1 */
	UNIT_CHECK(rep_shard(&R, x, 1, 0) == PINE_ERR_NORM);
	x[1] = 0.0;
	x[2] = -1.5; /* one entry over the bound */
	UNIT_CHECK(rep_shard(&R, x, 1, 0) == PINE_ERR_NORM);
	x[2] = NAN;
	UNIT_CHECK(rep_shard(&R, x, 1, 0) == PINE_ERR_MEASUREMENT);
	x[2] = INFINITY;
	UNIT_CHECK(rep_shard(&R, x, 1, 0) == PINE_ERR_MEASUREMENT);
	x[2] = 1e-310; /* subnormal */
	UNIT_CHECK(rep_shard(&R, x, 1, 0) == PINE_ERR_MEASUREMENT);
	x[2] = 0.0;
	x[0] = 1.0; /* exactly on the bound: fine */
	UNIT_CHECK(rep_shard(&R, x, 1, 0) == PINE_OK);
	UNIT_CHECK(rep_prepare(&R) == PINE_OK);
	rep_free(&R);
}

/* ---- malicious clients -------------------------------------------------- */

/* Norm over the bound, client lies in the norm bits: NE proof fails. */
static void test_reject_norm_over_bound(void)
{
	pine_params P;
	UNIT_CHECK(make_params(&P, PINE_VARIANT_PINE64, 2, 16));
	report R;
	rep_alloc(&R, &P);
	double x[16] = { 0 };
	x[0] = 0.9;
	x[1] = 0.9;
	UNIT_CHECK(rep_shard(&R, x, 3, PINE_CHEAT_NORM) == PINE_OK);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	UNIT_CHECK(rep_combine(&R) == PINE_REJECT);
	rep_free(&R);
}

/* Squared norm wraps around the field (entry 2^32, p = 2^64 - 2^32 + 1):
 * the norm checks pass in the field, only the wraparound checks catch it. */
static void test_reject_wraparound(void)
{
	pine_config c;
	pine_params P;
	pine_config_defaults(&c, PINE_VARIANT_PINE64);
	c.num_frac_bits = 0;
	c.l2_norm_bound = (uint64_t) 1 << 16; /* sq bound 2^32 */
	c.dimension = 8;
	c.chunk_length = 32;
	c.chunk_length_norm_equality = 3;
	UNIT_CHECK(pine_params_init(&P, &c, NULL) == PINE_OK);
	report R;
	rep_alloc(&R, &P);
	double x[8] = { 0 };
	x[0] = 4294967296.0; /* 2^32: g^2 = 2^64 = 2^32 - 1 mod p */
	/* An honest client refuses... */
	UNIT_CHECK(rep_shard(&R, x, 4, 0) == PINE_ERR_NORM);
	/* ...a cheating one cannot pass the wraparound checks: it keeps
	 * retrying with honest success bits... */
	UNIT_CHECK(rep_shard(&R, x, 4, PINE_CHEAT_NORM) == PINE_RETRY);
	/* ...or lies about them and is rejected. */
	UNIT_CHECK(rep_shard(&R, x, 4, PINE_CHEAT_NORM | PINE_CHEAT_WR) == PINE_OK);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	UNIT_CHECK(rep_combine(&R) == PINE_REJECT);
	rep_free(&R);
}

static void honest_report(report *R, const pine_params *P, uint32_t seed)
{
	double x[64];
	rep_alloc(R, P);
	honest_gradient(x, P->dimension, (int) seed);
	UNIT_CHECK(rep_shard(R, x, seed, 0) == PINE_OK);
}

static pine_params small_params(pine_variant v, uint32_t shares)
{
	pine_params P;
	UNIT_CHECK(make_params(&P, v, shares, 40));
	return P;
}

/* Flip one gradient coordinate of the leader's measurement share. */
static void test_reject_tampered_measurement(void)
{
	pine_variant vs[] = { PINE_VARIANT_PINE64, PINE_VARIANT_PINE32_HMAC_SHA256_AES128 };
	for (size_t t = 0; t < 2; t++) {
		pine_params P = small_params(vs[t], 2);
		report R;
		honest_report(&R, &P, 10);
		R.in[0][0] ^= 1; /* stays canonical: low bit of element 0 */
		pine_status st = rep_prepare(&R);
		UNIT_CHECK(st == PINE_REJECT);
		rep_free(&R);
		/* same, but in a norm bit */
		honest_report(&R, &P, 11);
		R.in[0][P.dimension * P.elem_size] ^= 1;
		UNIT_CHECK(rep_prepare(&R) == PINE_REJECT);
		rep_free(&R);
		/* tampered public share (a vf joint-rand part) */
		honest_report(&R, &P, 12);
		R.pub[P.public_share_len - 1] ^= 0x80;
		UNIT_CHECK(rep_prepare(&R) == PINE_REJECT);
		rep_free(&R);
	}
}

/* Change one element of the leader's proofs share: the decision fails. */
static void test_reject_tampered_proof(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	size_t E = P.elem_size;
	size_t offs[] = { P.meas_len, P.meas_len + 3, P.meas_len + P.proof_len_ne,
	                  P.meas_len + P.proofs_len - 1 };
	for (size_t k = 0; k < sizeof offs / sizeof offs[0]; k++) {
		report R;
		honest_report(&R, &P, 20 + (uint32_t) k);
		R.in[0][offs[k] * E] ^= 1;
		UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
		UNIT_CHECK(rep_combine(&R) == PINE_REJECT);
		rep_free(&R);
	}
	/* helper's proof seed changed */
	report R;
	honest_report(&R, &P, 30);
	R.in[1][P.seed_size] ^= 1;
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	UNIT_CHECK(rep_combine(&R) == PINE_REJECT);
	rep_free(&R);
}

/* ---- inconsistent Aggregators ------------------------------------------- */

static void test_reject_wrong_nonce(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	report R;
	honest_report(&R, &P, 40);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	uint8_t bad[PINE_NONCE_SIZE];
	memcpy(bad, R.nonce, sizeof bad);
	bad[5] ^= 1;
	UNIT_CHECK(pine_prep_init(&P, R.vk, P.verify_key_len, 1, bad, sizeof bad, R.pub,
	                          P.public_share_len, R.in[1], R.in_len[1], R.state[1],
	                          R.pshare[1], NULL) == PINE_OK);
	pine_status st = rep_combine(&R);
	if (st == PINE_OK)
		st = rep_finish(&R);
	UNIT_CHECK(st == PINE_REJECT);
	rep_free(&R);
}

static void test_reject_wrong_verify_key(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 2);
	report R;
	honest_report(&R, &P, 41);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	uint8_t bad[PINE_MAX_SEED_SIZE];
	memcpy(bad, R.vk, sizeof bad);
	bad[0] ^= 1;
	UNIT_CHECK(pine_prep_init(&P, bad, P.verify_key_len, 0, R.nonce, PINE_NONCE_SIZE, R.pub,
	                          P.public_share_len, R.in[0], R.in_len[0], R.state[0],
	                          R.pshare[0], NULL) == PINE_OK);
	UNIT_CHECK(rep_combine(&R) == PINE_REJECT);
	rep_free(&R);
}

static void test_reject_mismatched_prep_msg(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	report A, B;
	honest_report(&A, &P, 50);
	honest_report(&B, &P, 51);
	UNIT_CHECK(rep_prep_init(&A) == PINE_OK && rep_combine(&A) == PINE_OK);
	UNIT_CHECK(rep_prep_init(&B) == PINE_OK && rep_combine(&B) == PINE_OK);
	/* A's state with B's message */
	UNIT_CHECK(pine_prep_next(&P, A.state[0], P.prep_state_len, B.msg, P.prep_msg_len,
	                          A.out[0], NULL) == PINE_REJECT);
	/* one flipped bit in the wr seed, then in the vf seed */
	A.msg[0] ^= 1;
	UNIT_CHECK(pine_prep_next(&P, A.state[1], P.helper_prep_state_len, A.msg, P.prep_msg_len,
	                          A.out[1], NULL) == PINE_REJECT);
	A.msg[0] ^= 1;
	A.msg[P.seed_size] ^= 1;
	UNIT_CHECK(pine_prep_next(&P, A.state[1], P.helper_prep_state_len, A.msg, P.prep_msg_len,
	                          A.out[1], NULL) == PINE_REJECT);
	A.msg[P.seed_size] ^= 1;
	UNIT_CHECK(rep_finish(&A) == PINE_OK);
	rep_free(&A);
	rep_free(&B);
}

/* Leader share of report A with the helper share of report B. */
static void test_reject_swapped_helper_share(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	report A, B;
	honest_report(&A, &P, 60);
	honest_report(&B, &P, 61);
	memcpy(A.in[1], B.in[1], A.in_len[1]);
	UNIT_CHECK(rep_prepare(&A) == PINE_REJECT);
	rep_free(&A);
	rep_free(&B);
	/* 3 Aggregators: one helper swapped; same nonce and public share */
	P = small_params(PINE_VARIANT_PINE64, 3);
	honest_report(&A, &P, 62);
	honest_report(&B, &P, 63);
	memcpy(B.nonce, A.nonce, sizeof A.nonce);
	memcpy(A.in[2], B.in[2], A.in_len[2]);
	UNIT_CHECK(rep_prepare(&A) == PINE_REJECT);
	rep_free(&A);
	rep_free(&B);
}

/* ---- malformed input ------------------------------------------------------ */

static void set_noncanonical(uint8_t *elem, size_t E)
{
	memset(elem, 0xff, E); /* 2^(8E) - 1 >= p for every field */
}

/*
 * A Helper's prep state holds its measurement-share seed, not its output
 * share: check the form, that it is refused when damaged, and that the
 * output-share form a Helper wrote before 0.2.1 still finishes to the same
 * output share.
 */
static void test_helper_seed_state(void)
{
	pine_variant vs[] = { PINE_VARIANT_PINE64, PINE_VARIANT_PINE128,
	                      PINE_VARIANT_PINE32_HMAC_SHA256_AES128 };
	for (size_t t = 0; t < 3; t++) {
		pine_params P = small_params(vs[t], 3);
		size_t L = P.seed_size, hl = P.helper_prep_state_len;
		report R;
		honest_report(&R, &P, 70 + (uint32_t) t);
		UNIT_CHECK(rep_prep_init(&R) == PINE_OK && rep_combine(&R) == PINE_OK);
		UNIT_CHECK_EQ_U64(hl, 12 + 3 * L + 1);
		UNIT_CHECK_EQ_U64(pine_prep_state_len(&P, 0), P.prep_state_len);
		UNIT_CHECK_EQ_U64(pine_prep_state_len(&P, 2), hl);
		UNIT_CHECK(memcmp(R.state[2], "PNh1", 4) == 0 && memcmp(R.state[0], "PNs1", 4) == 0);
		UNIT_CHECK(R.state[2][12 + 2 * L] == 2);
		UNIT_CHECK(memcmp(R.state[2] + 12 + 2 * L + 1, R.in[2], L) == 0);
		UNIT_CHECK(rep_finish(&R) == PINE_OK);

		uint8_t *st = malloc(P.prep_state_len > hl ? P.prep_state_len : hl);
		uint8_t *out = malloc(P.out_share_len);
		/* damaged seed-form states */
		memcpy(st, R.state[2], hl);
		UNIT_CHECK(pine_prep_next(&P, st, hl - 1, R.msg, P.prep_msg_len, out, NULL) ==
		           PINE_ERR_MALFORMED);
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len, R.msg, P.prep_msg_len, out, NULL) ==
		           PINE_ERR_MALFORMED);
		st[12 + 2 * L] = 0; /* names the Leader */
		UNIT_CHECK(pine_prep_state_check(&P, st, hl, NULL) == PINE_ERR_MALFORMED);
		st[12 + 2 * L] = 3; /* no such Helper */
		UNIT_CHECK(pine_prep_state_check(&P, st, hl, NULL) == PINE_ERR_MALFORMED);
		st[12 + 2 * L] = 1; /* another Helper's id: a different (wrong) share, not an error */
		UNIT_CHECK(pine_prep_next(&P, st, hl, R.msg, P.prep_msg_len, out, NULL) == PINE_OK);
		UNIT_CHECK(memcmp(out, R.out[2], P.out_share_len) != 0);
		st[12 + 2 * L] = 2;
		st[5] ^= 1; /* parameter digest */
		UNIT_CHECK(pine_prep_state_check(&P, st, hl, NULL) == PINE_ERR_PARAM);
		st[5] ^= 1;
		st[12] ^= 1; /* wr seed */
		UNIT_CHECK(pine_prep_next(&P, st, hl, R.msg, P.prep_msg_len, out, NULL) == PINE_REJECT);
		st[12] ^= 1;
		UNIT_CHECK(pine_prep_next(&P, st, hl, R.msg, P.prep_msg_len, out, NULL) == PINE_OK);
		UNIT_CHECK(memcmp(out, R.out[2], P.out_share_len) == 0);

		/* the output-share form of the same Helper (as written by 0.2.0) */
		memcpy(st, "PNs1", 4);
		memcpy(st + 4, R.state[2] + 4, 8 + 2 * L);
		memcpy(st + 12 + 2 * L, R.out[2], P.out_share_len);
		memset(out, 0, P.out_share_len);
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len, R.msg, P.prep_msg_len, out, NULL) ==
		           PINE_OK);
		UNIT_CHECK(memcmp(out, R.out[2], P.out_share_len) == 0);
		UNIT_CHECK(pine_prep_next(&P, st, hl, R.msg, P.prep_msg_len, out, NULL) ==
		           PINE_ERR_MALFORMED);
		free(st);
		free(out);
		rep_free(&R);
	}
}

/*
 * The Leader's digest-form state (pine_prep_init_digest): seeds and
 * SHA-256(input share); prep_next_input takes the output share from the
 * input share passed again, and refuses any other input share.
 */
static void test_leader_digest_state(void)
{
	pine_variant vs[] = { PINE_VARIANT_PINE64, PINE_VARIANT_PINE128,
	                      PINE_VARIANT_PINE32_HMAC_SHA256_AES128 };
	for (size_t t = 0; t < 3; t++) {
		pine_params P = small_params(vs[t], 2);
		size_t L = P.seed_size, dl = P.leader_digest_state_len;
		report R;
		honest_report(&R, &P, 90 + (uint32_t) t);
		UNIT_CHECK(rep_prepare(&R) == PINE_OK);
		UNIT_CHECK_EQ_U64(dl, 12 + 2 * L + 32);
		UNIT_CHECK_EQ_U64(pine_prep_state_len_digest(&P, 0), dl);
		UNIT_CHECK_EQ_U64(pine_prep_state_len_digest(&P, 1), P.helper_prep_state_len);

		uint8_t *st = malloc(dl), *share = malloc(P.prep_share_len), *out = malloc(P.out_share_len);
		uint8_t *in = malloc(R.in_len[0]);
		const char *why = NULL;
		UNIT_CHECK(pine_prep_init_digest(&P, R.vk, P.verify_key_len, 0, R.nonce, PINE_NONCE_SIZE, R.pub,
		                                 P.public_share_len, R.in[0], R.in_len[0], st, share,
		                                 NULL) == PINE_OK);
		UNIT_CHECK(memcmp(share, R.pshare[0], P.prep_share_len) == 0);
		UNIT_CHECK(memcmp(st, "PNl1", 4) == 0 && memcmp(st + 4, R.state[0] + 4, 8 + 2 * L) == 0);
		UNIT_CHECK(pine_prep_state_check(&P, st, dl, NULL) == PINE_OK);
		UNIT_CHECK(pine_prep_state_check(&P, st, dl - 1, NULL) == PINE_ERR_MALFORMED);
		UNIT_CHECK(pine_prep_next_input(&P, st, dl, R.in[0], R.in_len[0], R.msg, P.prep_msg_len, out,
		                                NULL, NULL) == PINE_OK);
		UNIT_CHECK(memcmp(out, R.out[0], P.out_share_len) == 0);
		/* the same call accepts the other forms, ignoring the input share */
		UNIT_CHECK(pine_prep_next_input(&P, R.state[0], P.prep_state_len, NULL, 0, R.msg,
		                                P.prep_msg_len, out, NULL, NULL) == PINE_OK);
		UNIT_CHECK(memcmp(out, R.out[0], P.out_share_len) == 0);
		UNIT_CHECK(pine_prep_next_input(&P, R.state[1], P.helper_prep_state_len, NULL, 0, R.msg,
		                                P.prep_msg_len, out, NULL, NULL) == PINE_OK);
		UNIT_CHECK(memcmp(out, R.out[1], P.out_share_len) == 0);

		/* without, or with another, input share */
		UNIT_CHECK(pine_prep_next(&P, st, dl, R.msg, P.prep_msg_len, out, &why) == PINE_ERR_PARAM);
		UNIT_CHECK(pine_prep_next_input(&P, st, dl, R.in[0], R.in_len[0] - 1, R.msg, P.prep_msg_len,
		                                out, NULL, NULL) == PINE_ERR_MALFORMED);
		UNIT_CHECK(pine_prep_next_input(&P, st, dl, R.in[1], R.in_len[1], R.msg, P.prep_msg_len, out,
		                                NULL, NULL) == PINE_ERR_MALFORMED);
		const size_t at[] = { 0, P.out_share_len - 1, R.in_len[0] - 1 };  /* output part, blinds */
		for (size_t k = 0; k < 3; k++) {
			memcpy(in, R.in[0], R.in_len[0]);
			in[at[k]] ^= 0x01;
			why = NULL;
			UNIT_CHECK(pine_prep_next_input(&P, st, dl, in, R.in_len[0], R.msg, P.prep_msg_len, out,
			                                NULL, &why) == PINE_ERR_STATE_MISMATCH);
			UNIT_CHECK(why != NULL && strstr(why, "not the one") != NULL);
		}
		/* checked before the prep message: a mismatch is an error, not a rejection */
		R.msg[0] ^= 1;
		UNIT_CHECK(pine_prep_next_input(&P, st, dl, in, R.in_len[0], R.msg, P.prep_msg_len, out, NULL,
		                                NULL) == PINE_ERR_STATE_MISMATCH);
		pine_reject_reason reason = PINE_REASON_NONE;
		UNIT_CHECK(pine_prep_next_input(&P, st, dl, R.in[0], R.in_len[0], R.msg, P.prep_msg_len, out,
		                                &reason, NULL) == PINE_REJECT);
		UNIT_CHECK(reason == PINE_REASON_WRAPAROUND_JOINT_RAND_SEED);
		R.msg[0] ^= 1;
		/* the digest itself altered */
		st[12 + 2 * L + 31] ^= 0x80;
		UNIT_CHECK(pine_prep_next_input(&P, st, dl, R.in[0], R.in_len[0], R.msg, P.prep_msg_len, out,
		                                NULL, NULL) == PINE_ERR_STATE_MISMATCH);
		UNIT_CHECK(strcmp(pine_strerror(PINE_ERR_STATE_MISMATCH),
		                  "input share does not match the prep state") == 0);
		free(st);
		free(share);
		free(out);
		free(in);
		rep_free(&R);
	}
}

static void test_malformed_inputs(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	pine_params Q = small_params(PINE_VARIANT_PINE128, 2);
	size_t E = P.elem_size;
	report R;
	honest_report(&R, &P, 70);
	const char *why = NULL;
	double x[40] = { 0 };
	uint8_t rnd[1024];
	fill(rnd, sizeof rnd, 1);

	/* shard */
	UNIT_CHECK(pine_shard(&P, x, 39, R.nonce, 16, rnd, P.rand_len, R.pub, R.in, &why) ==
	           PINE_ERR_MALFORMED);
	UNIT_CHECK(why != NULL);
	UNIT_CHECK(pine_shard(&P, x, 40, R.nonce, 15, rnd, P.rand_len, R.pub, R.in, NULL) ==
	           PINE_ERR_MALFORMED);
	UNIT_CHECK(pine_shard(&P, x, 40, R.nonce, 16, rnd, P.rand_len + 1, R.pub, R.in, NULL) ==
	           PINE_ERR_MALFORMED);
	UNIT_CHECK(pine_shard(&P, x, 40, R.nonce, 16, rnd, P.rand_len - 1, R.pub, R.in, NULL) ==
	           PINE_ERR_MALFORMED);
	UNIT_CHECK(pine_shard(&P, NULL, 40, R.nonce, 16, rnd, P.rand_len, R.pub, R.in, NULL) ==
	           PINE_ERR_PARAM);
	/* re-shard honestly (the calls above must not have clobbered anything
	 * that matters, but be safe) */
	rep_free(&R);
	honest_report(&R, &P, 70);

	/* prep_init: lengths */
#define PI(vk, vkl, id, n, nl, pub, publ, in, inl)                              \
	pine_prep_init(&P, vk, vkl, id, n, nl, pub, publ, in, inl, R.state[0], R.pshare[0], NULL)
	UNIT_CHECK(PI(R.vk, 15, 0, R.nonce, 16, R.pub, P.public_share_len, R.in[0], R.in_len[0]) ==
	           PINE_ERR_MALFORMED);
	UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 17, R.pub, P.public_share_len, R.in[0], R.in_len[0]) ==
	           PINE_ERR_MALFORMED);
	UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 16, R.pub, P.public_share_len + 1, R.in[0],
	              R.in_len[0]) == PINE_ERR_MALFORMED);
	UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 16, R.pub, P.public_share_len, R.in[0],
	              R.in_len[0] - 1) == PINE_ERR_MALFORMED);
	UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 16, R.pub, P.public_share_len, R.in[0],
	              R.in_len[0] + 1) == PINE_ERR_MALFORMED); /* trailing byte */
	UNIT_CHECK(PI(R.vk, 16, 1, R.nonce, 16, R.pub, P.public_share_len, R.in[0],
	              R.in_len[0]) == PINE_ERR_MALFORMED);     /* leader share to a helper */
	UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 16, R.pub, P.public_share_len, R.in[1],
	              R.in_len[1]) == PINE_ERR_MALFORMED);     /* helper share to the leader */
	UNIT_CHECK(PI(R.vk, 16, 2, R.nonce, 16, R.pub, P.public_share_len, R.in[1],
	              R.in_len[1]) == PINE_ERR_PARAM);         /* agg id out of range */
	/* prep_init: non-canonical leader elements (measurement, then proof) */
	{
		uint8_t *bad = malloc(R.in_len[0]);
		memcpy(bad, R.in[0], R.in_len[0]);
		set_noncanonical(bad + 3 * E, E);
		UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 16, R.pub, P.public_share_len, bad,
		              R.in_len[0]) == PINE_ERR_NONCANONICAL);
		memcpy(bad, R.in[0], R.in_len[0]);
		/* exactly p = 0xffffffff00000001 */
		uint8_t pbytes[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
		memcpy(bad + (P.meas_len + 2) * E, pbytes, 8);
		UNIT_CHECK(PI(R.vk, 16, 0, R.nonce, 16, R.pub, P.public_share_len, bad,
		              R.in_len[0]) == PINE_ERR_NONCANONICAL);
		free(bad);
	}
#undef PI
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);

	/* prep_shares_to_prep */
	{
		const uint8_t *ps[2] = { R.pshare[0], R.pshare[1] };
		size_t lens[2] = { P.prep_share_len, P.prep_share_len };
		UNIT_CHECK(pine_prep_shares_to_prep(&P, ps, lens, 1, R.msg, NULL) == PINE_ERR_MALFORMED);
		lens[1]++;
		UNIT_CHECK(pine_prep_shares_to_prep(&P, ps, lens, 2, R.msg, NULL) == PINE_ERR_MALFORMED);
		lens[1] -= 2;
		UNIT_CHECK(pine_prep_shares_to_prep(&P, ps, lens, 2, R.msg, NULL) == PINE_ERR_MALFORMED);
		lens[1]++;
		uint8_t *bad = malloc(P.prep_share_len);
		memcpy(bad, R.pshare[1], P.prep_share_len);
		set_noncanonical(bad + E, E);
		ps[1] = bad;
		UNIT_CHECK(pine_prep_shares_to_prep(&P, ps, lens, 2, R.msg, NULL) ==
		           PINE_ERR_NONCANONICAL);
		free(bad);
	}
	UNIT_CHECK(rep_combine(&R) == PINE_OK);

	/* prep_next: state and message checks */
	{
		uint8_t *st = malloc(P.prep_state_len);
		memcpy(st, R.state[0], P.prep_state_len);
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len - 1, R.msg, P.prep_msg_len,
		                          R.out[0], NULL) == PINE_ERR_MALFORMED);
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len, R.msg, P.prep_msg_len + 1,
		                          R.out[0], NULL) == PINE_ERR_MALFORMED);
		st[0] ^= 1; /* magic */
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len, R.msg, P.prep_msg_len, R.out[0],
		                          NULL) == PINE_ERR_MALFORMED);
		st[0] ^= 1;
		st[6] ^= 1; /* parameter digest */
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len, R.msg, P.prep_msg_len, R.out[0],
		                          NULL) == PINE_ERR_PARAM);
		st[6] ^= 1;
		set_noncanonical(st + 12 + 2 * P.seed_size + 5 * E, E);
		UNIT_CHECK(pine_prep_next(&P, st, P.prep_state_len, R.msg, P.prep_msg_len, R.out[0],
		                          NULL) == PINE_ERR_NONCANONICAL);
		UNIT_CHECK(pine_prep_state_check(&P, R.state[0], P.prep_state_len, NULL) == PINE_OK);
		/* a state of other parameters */
		UNIT_CHECK(pine_prep_state_check(&Q, R.state[0], P.prep_state_len, NULL) ==
		           PINE_ERR_MALFORMED);
		free(st);
	}
	UNIT_CHECK(rep_finish(&R) == PINE_OK);

	/* aggregation */
	{
		uint8_t *acc = malloc(P.agg_share_len), *copy = malloc(P.agg_share_len);
		uint8_t *bad = malloc(P.out_share_len);
		pine_agg_init(&P, acc);
		UNIT_CHECK(pine_agg_add(&P, acc, P.agg_share_len, R.out[0], P.out_share_len, NULL) ==
		           PINE_OK);
		memcpy(copy, acc, P.agg_share_len);
		memcpy(bad, R.out[1], P.out_share_len);
		set_noncanonical(bad + (P.dimension - 1) * E, E);
		UNIT_CHECK(pine_agg_add(&P, acc, P.agg_share_len, bad, P.out_share_len, NULL) ==
		           PINE_ERR_NONCANONICAL);
		UNIT_CHECK(memcmp(acc, copy, P.agg_share_len) == 0); /* untouched */
		UNIT_CHECK(pine_agg_add(&P, acc, P.agg_share_len, R.out[1], P.out_share_len - 1,
		                        NULL) == PINE_ERR_MALFORMED);
		UNIT_CHECK(pine_agg_add(&P, acc, P.agg_share_len + 1, R.out[1], P.out_share_len,
		                        NULL) == PINE_ERR_MALFORMED);
		/* unshard */
		const uint8_t *as[2] = { acc, bad };
		size_t al[2] = { P.agg_share_len, P.agg_share_len };
		double res[40];
		UNIT_CHECK(pine_unshard(&P, as, al, 2, 1, res, NULL) == PINE_ERR_NONCANONICAL);
		as[1] = R.out[1];
		UNIT_CHECK(pine_unshard(&P, as, al, 1, 1, res, NULL) == PINE_ERR_MALFORMED);
		al[0]--;
		UNIT_CHECK(pine_unshard(&P, as, al, 2, 1, res, NULL) == PINE_ERR_MALFORMED);
		al[0]++;
		UNIT_CHECK(pine_unshard(&P, as, al, 2, P.max_measurements + 1, res, NULL) ==
		           PINE_ERR_PARAM);
		UNIT_CHECK(pine_unshard(&P, as, al, 2, 1, res, NULL) == PINE_OK);
		UNIT_CHECK(res[0] == -0.300018310546875 + 0.0); /* honest_gradient(.., 70) */
		free(acc);
		free(copy);
		free(bad);
	}
	rep_free(&R);
}

/* Encoded-vector fold on all three fields, including the wrap at p. */
static void test_vec_add_encoded(void)
{
	/* Field64: (p-1) + 2 = 1 ; 5 + 7 = 12 */
	uint8_t a64[16] = { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 5 };
	uint8_t b64[16] = { 2, 0, 0, 0, 0, 0, 0, 0, 7 };
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD64, a64, b64, 2) == PINE_OK);
	UNIT_CHECK(a64[0] == 1 && a64[4] == 0 && a64[7] == 0 && a64[8] == 12);
	/* (p-1) + (p-1) = p - 2 */
	uint8_t c64[8] = { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	uint8_t d64[8] = { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD64, c64, d64, 1) == PINE_OK);
	UNIT_CHECK(c64[0] == 0xff && c64[1] == 0xff && c64[3] == 0xff && c64[4] == 0xfe &&
	           c64[7] == 0xff);
	/* Field32: p - 1 = 0xfff00000; + 1 = 0; + 0x100001 = 0x100000 */
	uint8_t a32[8] = { 0x00, 0x00, 0xf0, 0xff, 0x00, 0x00, 0xf0, 0xff };
	uint8_t b32[8] = { 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x10, 0x00 };
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD32, a32, b32, 2) == PINE_OK);
	UNIT_CHECK(a32[0] == 0 && a32[1] == 0 && a32[2] == 0 && a32[3] == 0);
	UNIT_CHECK(a32[4] == 0 && a32[5] == 0 && a32[6] == 0x10 && a32[7] == 0);
	uint8_t n32[4] = { 0x01, 0x00, 0xf0, 0xff }; /* = p */
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD32, a32, n32, 1) == PINE_ERR_NONCANONICAL);
	/* Field40 (5 bytes): p - 1 = 0xfffeb00000; + 1 = 0; (p-1) + (p-1) = p - 2 */
	uint8_t a40[10] = { 0x00, 0x00, 0xb0, 0xfe, 0xff, 0x00, 0x00, 0xb0, 0xfe, 0xff };
	uint8_t b40[10] = { 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xb0, 0xfe, 0xff };
	const uint8_t s40[10] = { 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xaf, 0xfe, 0xff };
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD40, a40, b40, 2) == PINE_OK);
	UNIT_CHECK(memcmp(a40, s40, sizeof s40) == 0);
	uint8_t p40[5] = { 0x01, 0x00, 0xb0, 0xfe, 0xff };   /* = p */
	uint8_t top40[5] = { 0x00, 0x00, 0x00, 0x00, 0xff }; /* = 0xff00000000 < p */
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD40, p40, 1) == PINE_ERR_NONCANONICAL);
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD40, b40 + 5, 1) == PINE_OK);
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD40, top40, 1) == PINE_OK);
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD40, a40, p40, 1) == PINE_ERR_NONCANONICAL);
	UNIT_CHECK(memcmp(a40, s40, sizeof s40) == 0); /* untouched on error */
	UNIT_CHECK(pine_field_elem_size(PINE_FIELD40) == 5);
	/* Field128: (p-1) + (p-1) = p - 2 (carry out of 128 bits) */
	uint8_t a128[16] = { 0 }, b128[16] = { 0 };
	for (int i = 8; i < 16; i++)
		a128[i] = b128[i] = 0xff;
	a128[8] = b128[8] = 0xe4; /* p - 1 = 0xffffffffffffffe4 << 64 */
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD128, a128, b128, 1) == PINE_OK);
	/* p - 2 = 0xffffffffffffffe3ffffffffffffffff */
	UNIT_CHECK(a128[0] == 0xff && a128[7] == 0xff && a128[8] == 0xe3 && a128[15] == 0xff);
	uint8_t n128[16] = { 1, 0, 0, 0, 0, 0, 0, 0, 0xe4, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD128, a128, n128, 1) == PINE_ERR_NONCANONICAL);
	n128[0] = 0; /* p - 1 is fine */
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD128, n128, 1) == PINE_OK);
}

/* Field64 boundary: p - 1 is canonical; p and 2^64 - 1 are not, and a refused
 * fold leaves the accumulator untouched. */
static void test_vec_field64_at_p(void)
{
	const uint8_t pm1[8] = { 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff }; /* p - 1 */
	const uint8_t p[8] = { 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff };   /* p = 2^64 - 2^32 + 1 */
	const uint8_t max[8] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD64, pm1, 1) == PINE_OK);
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD64, p, 1) == PINE_ERR_NONCANONICAL);
	UNIT_CHECK(pine_vec_check_encoded(PINE_FIELD64, max, 1) == PINE_ERR_NONCANONICAL);
	uint8_t acc[8] = { 7 }, want[8] = { 6, 0, 0, 0, 0, 0, 0, 0 }; /* 7 + (p - 1) = 6 */
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD64, acc, p, 1) == PINE_ERR_NONCANONICAL);
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD64, acc, max, 1) == PINE_ERR_NONCANONICAL);
	UNIT_CHECK(acc[0] == 7 && acc[4] == 0);
	UNIT_CHECK(pine_vec_add_encoded(PINE_FIELD64, acc, pm1, 1) == PINE_OK);
	UNIT_CHECK_MEM(acc, want, 8);
}

/* The batch cap is inclusive: max_measurements decodes, one more is refused. */
static void test_unshard_batch_limit(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	uint8_t *a = calloc(1, P.agg_share_len), *b = calloc(1, P.agg_share_len);
	const uint8_t *as[2] = { a, b };
	size_t al[2] = { P.agg_share_len, P.agg_share_len };
	double res[40];
	UNIT_CHECK(P.max_measurements > 1 && P.max_measurements < UINT64_MAX);
	UNIT_CHECK(pine_unshard(&P, as, al, 2, P.max_measurements, res, NULL) == PINE_OK);
	UNIT_CHECK(res[0] == 0.0 && res[39] == 0.0);
	UNIT_CHECK(pine_unshard(&P, as, al, 2, P.max_measurements + 1, res, NULL) == PINE_ERR_PARAM);
	free(a);
	free(b);
}

/* ---- rejection reasons ---------------------------------------------------- */

/* prep_shares_to_prep with a reason; PINE_OK gives NONE. */
static pine_reject_reason rep_combine_reason(report *R)
{
	pine_reject_reason r = (pine_reject_reason) 99;
	pine_status st = pine_prep_shares_to_prep_reason(&R->P, (const uint8_t *const *) R->pshare,
	                                                 R->plen, R->P.num_shares, R->msg, &r, NULL);
	UNIT_CHECK(st == (r == PINE_REASON_NONE ? PINE_OK : PINE_REJECT));
	return r;
}

/* prep_next of Aggregator j with a reason. */
static pine_reject_reason rep_next_reason(report *R, uint32_t j)
{
	pine_reject_reason r = (pine_reject_reason) 99;
	pine_status st = pine_prep_next_reason(&R->P, R->state[j], pine_prep_state_len(&R->P, j),
	                                       R->msg, R->P.prep_msg_len, R->out[j], &r, NULL);
	UNIT_CHECK(st == (r == PINE_REASON_NONE ? PINE_OK : PINE_REJECT));
	return r;
}

static void test_reason_names(void)
{
	UNIT_CHECK(pine_reject_reason_name(PINE_REASON_NONE) == NULL);
	UNIT_CHECK(strcmp(pine_reject_reason_name(PINE_REASON_NORM_EQUALITY_PROOF), "norm_equality_proof") == 0);
	UNIT_CHECK(strcmp(pine_reject_reason_name(PINE_REASON_NORM_EQUALITY_CHECK), "norm_equality_check") == 0);
	UNIT_CHECK(strcmp(pine_reject_reason_name(PINE_REASON_MAIN_PROOF), "main_proof") == 0);
	UNIT_CHECK(strcmp(pine_reject_reason_name(PINE_REASON_RANGE_AND_WRAPAROUND_CHECKS),
	                  "range_and_wraparound_checks") == 0);
	UNIT_CHECK(strcmp(pine_reject_reason_name(PINE_REASON_WRAPAROUND_JOINT_RAND_SEED),
	                  "wraparound_joint_rand_seed") == 0);
	UNIT_CHECK(strcmp(pine_reject_reason_name(PINE_REASON_JOINT_RAND_SEED), "joint_rand_seed") == 0);
	UNIT_CHECK(pine_reject_reason_name((pine_reject_reason) 99) == NULL);
}

/* An honest report: NONE at both steps, for every Aggregator. */
static void test_reason_honest(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 3);
	report R;
	honest_report(&R, &P, 80);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	UNIT_CHECK(rep_combine_reason(&R) == PINE_REASON_NONE);
	for (uint32_t j = 0; j < 3; j++)
		UNIT_CHECK(rep_next_reason(&R, j) == PINE_REASON_NONE);
	rep_free(&R);
}

/* One element of the Leader's proofs share changed, in the norm-equality
 * proofs and then in the main proofs: the gadget checks fail. */
static void test_reason_tampered_proofs(void)
{
	pine_variant vs[] = { PINE_VARIANT_PINE64, PINE_VARIANT_PINE32_HMAC_SHA256_AES128 };
	for (size_t t = 0; t < 2; t++) {
		pine_params P = small_params(vs[t], 2);
		size_t E = P.elem_size, ne = P.proof_len_ne * P.num_proofs_ne;
		size_t offs[] = { P.meas_len, P.meas_len + ne - 1, P.meas_len + ne, P.meas_len + P.proofs_len - 1 };
		pine_reject_reason want[] = { PINE_REASON_NORM_EQUALITY_PROOF, PINE_REASON_NORM_EQUALITY_PROOF,
		                              PINE_REASON_MAIN_PROOF, PINE_REASON_MAIN_PROOF };
		for (size_t k = 0; k < 4; k++) {
			report R;
			honest_report(&R, &P, 81 + (uint32_t) k);
			R.in[0][offs[k] * E] ^= 1;
			UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
			UNIT_CHECK_EQ_U64(rep_combine_reason(&R), want[k]);
			rep_free(&R);
		}
	}
}

/* A client over the bound that claims a squared norm within it (an honest
 * proof of a false claim): the norm-equality circuit is non-zero. */
static void test_reason_norm_over_bound(void)
{
	pine_params P;
	UNIT_CHECK(make_params(&P, PINE_VARIANT_PINE64, 2, 16));
	report R;
	rep_alloc(&R, &P);
	double x[16] = { 0 };
	x[0] = 0.9;
	x[1] = 0.9;
	UNIT_CHECK(rep_shard(&R, x, 3, PINE_CHEAT_NORM) == PINE_OK);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	UNIT_CHECK_EQ_U64(rep_combine_reason(&R), PINE_REASON_NORM_EQUALITY_CHECK);
	rep_free(&R);
}

/* A squared norm that wraps around the field passes the norm checks in the
 * field; the client lies about its wraparound checks: the main circuit is
 * non-zero (an honest proof of a false claim). */
static void test_reason_wraparound(void)
{
	pine_config c;
	pine_params P;
	pine_config_defaults(&c, PINE_VARIANT_PINE64);
	c.num_frac_bits = 0;
	c.l2_norm_bound = (uint64_t) 1 << 16;
	c.dimension = 8;
	c.chunk_length = 32;
	c.chunk_length_norm_equality = 3;
	UNIT_CHECK(pine_params_init(&P, &c, NULL) == PINE_OK);
	report R;
	rep_alloc(&R, &P);
	double x[8] = { 0 };
	x[0] = 4294967296.0;
	UNIT_CHECK(rep_shard(&R, x, 4, PINE_CHEAT_NORM | PINE_CHEAT_WR) == PINE_OK);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	UNIT_CHECK_EQ_U64(rep_combine_reason(&R), PINE_REASON_RANGE_AND_WRAPAROUND_CHECKS);
	rep_free(&R);
}

/* A mismatching joint-randomness part in a Helper's prep share (the proofs
 * still verify): the prep message's seed differs from the Leader's. */
static void test_reason_joint_rand_parts(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 2);
	size_t L = P.seed_size, vo = P.verifiers_len * P.elem_size;
	for (int which = 0; which < 2; which++) {
		report R;
		honest_report(&R, &P, 90 + (uint32_t) which);
		UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
		R.pshare[1][vo + (size_t) which * L] ^= 0x10; /* wr part, then vf part */
		UNIT_CHECK(rep_combine_reason(&R) == PINE_REASON_NONE);
		UNIT_CHECK_EQ_U64(rep_next_reason(&R, 0), which == 0 ? PINE_REASON_WRAPAROUND_JOINT_RAND_SEED
		                                                      : PINE_REASON_JOINT_RAND_SEED);
		UNIT_CHECK_EQ_U64(rep_next_reason(&R, 1), which == 0 ? PINE_REASON_WRAPAROUND_JOINT_RAND_SEED
		                                                      : PINE_REASON_JOINT_RAND_SEED);
		rep_free(&R);
	}
	/* both parts wrong: the wraparound seed is compared first */
	report R;
	honest_report(&R, &P, 92);
	UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
	R.pshare[1][vo] ^= 1;
	R.pshare[1][vo + L] ^= 1;
	UNIT_CHECK(rep_combine_reason(&R) == PINE_REASON_NONE);
	UNIT_CHECK_EQ_U64(rep_next_reason(&R, 0), PINE_REASON_WRAPAROUND_JOINT_RAND_SEED);
	rep_free(&R);
}

/* A client that lies about one Aggregator's joint-randomness part in the
 * public share: the Aggregators' verifications disagree. */
static void test_reason_public_share_part(void)
{
	pine_params P = small_params(PINE_VARIANT_PINE64, 2);
	size_t L = P.seed_size;
	/* Leader's vf part, then Leader's wr part (read by the Helper) */
	size_t offs[] = { 2 * L, 0 };
	for (size_t k = 0; k < 2; k++) {
		report R;
		honest_report(&R, &P, 95 + (uint32_t) k);
		R.pub[offs[k]] ^= 1;
		UNIT_CHECK(rep_prep_init(&R) == PINE_OK);
		UNIT_CHECK_EQ_U64(rep_combine_reason(&R), PINE_REASON_MAIN_PROOF);
		rep_free(&R);
	}
}

/* min_batch_size: in the digest, capped by max_measurements, enforced by
 * pine_unshard (inclusive). */
static void test_min_batch_size(void)
{
	pine_config c;
	pine_params P, Q;
	pine_config_defaults(&c, PINE_VARIANT_PINE64);
	c.num_frac_bits = 15;
	c.l2_norm_bound = 1 << 15;
	c.dimension = 4;
	c.chunk_length = 10;
	c.chunk_length_norm_equality = 2;
	UNIT_CHECK(pine_params_init(&P, &c, NULL) == PINE_OK);
	c.min_batch_size = 3;
	UNIT_CHECK(pine_params_init(&Q, &c, NULL) == PINE_OK);
	UNIT_CHECK(memcmp(P.digest, Q.digest, 32) != 0);
	uint8_t enc[PINE_PARAMS_ENCODED_LEN];
	pine_params_encode(&Q, enc);
	UNIT_CHECK(enc[63] == 3 && enc[56] == 0);
	pine_params_encode(&P, enc);
	UNIT_CHECK(enc[63] == 0);
	uint8_t *a = calloc(1, Q.agg_share_len), *b = calloc(1, Q.agg_share_len);
	const uint8_t *as[2] = { a, b };
	size_t al[2] = { Q.agg_share_len, Q.agg_share_len };
	double res[4];
	const char *why = NULL;
	UNIT_CHECK(pine_unshard(&Q, as, al, 2, 2, res, &why) == PINE_ERR_BATCH_SIZE);
	UNIT_CHECK(why != NULL);
	UNIT_CHECK(pine_unshard(&Q, as, al, 2, 0, res, NULL) == PINE_ERR_BATCH_SIZE);
	UNIT_CHECK(pine_unshard(&Q, as, al, 2, 3, res, NULL) == PINE_OK);
	UNIT_CHECK(pine_unshard(&P, as, al, 2, 0, res, NULL) == PINE_OK);
	UNIT_CHECK(strcmp(pine_strerror(PINE_ERR_BATCH_SIZE), "batch smaller than the minimum batch size") == 0);
	c.min_batch_size = Q.max_measurements;
	UNIT_CHECK(pine_params_init(&Q, &c, NULL) == PINE_OK);
	c.min_batch_size = Q.max_measurements + 1;
	UNIT_CHECK(pine_params_init(&Q, &c, &why) == PINE_ERR_PARAM);
	free(a);
	free(b);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_roundtrip_pine64);
	UNIT_RUN(test_roundtrip_pine64_3agg);
	UNIT_RUN(test_roundtrip_pine64_odd_d);
	UNIT_RUN(test_roundtrip_pine128);
	UNIT_RUN(test_roundtrip_pine128_3agg);
	UNIT_RUN(test_roundtrip_pine64hmac);
	UNIT_RUN(test_roundtrip_pine32hmac_4agg);
	UNIT_RUN(test_roundtrip_pine40hmac_3agg);
	UNIT_RUN(test_client_refuses);
	UNIT_RUN(test_reject_norm_over_bound);
	UNIT_RUN(test_reject_wraparound);
	UNIT_RUN(test_reject_tampered_measurement);
	UNIT_RUN(test_reject_tampered_proof);
	UNIT_RUN(test_reject_wrong_nonce);
	UNIT_RUN(test_leader_digest_state);
	UNIT_RUN(test_reject_wrong_verify_key);
	UNIT_RUN(test_reject_mismatched_prep_msg);
	UNIT_RUN(test_reject_swapped_helper_share);
	UNIT_RUN(test_helper_seed_state);
	UNIT_RUN(test_malformed_inputs);
	UNIT_RUN(test_vec_add_encoded);
	UNIT_RUN(test_vec_field64_at_p);
	UNIT_RUN(test_unshard_batch_limit);
	UNIT_RUN(test_reason_names);
	UNIT_RUN(test_reason_honest);
	UNIT_RUN(test_reason_tampered_proofs);
	UNIT_RUN(test_reason_norm_over_bound);
	UNIT_RUN(test_reason_wraparound);
	UNIT_RUN(test_reason_joint_rand_parts);
	UNIT_RUN(test_reason_public_share_part);
	UNIT_RUN(test_min_batch_size);
	return UNIT_DONE();
}
