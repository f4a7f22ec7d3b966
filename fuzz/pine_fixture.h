/*
 * pine_fixture.h: fixed PINE contexts for the PINE harnesses and make_seeds.
 *
 * Ten parameter sets: four of the official draft-chen-cfrg-vdaf-pine-01
 * test vectors (one per variant, the smallest ones, d = 19) and one of the
 * -02 vectors of Pine40HmacSha256Aes128 (Field40, draft -02), and five
 * small sets that run fast (d <= 5, a handful of wraparound checks, one
 * with three Aggregators, one on Field40 under -02). For each, with the vectors' conventions (verify key
 * 00 01 02 ..., nonce 00 .. 0f, rand 00 01 02 ...), two reports are
 * sharded and prepared: report 0 measures e_0 and report 1 e_1 (both of
 * norm 1, the bound), exactly as the vectors' two reports, so for the
 * official sets every byte equals the vector's (make_seeds checks this).
 * The fixture keeps every intermediate value: public and input shares,
 * prep states, prep shares, prep messages, output shares, and the
 * aggregate shares of the two reports.
 *
 * Harnesses pick a context with the first input byte: ctx = b0 % PX_NCTX,
 * and get sel = b0 / PX_NCTX (0..25) for their own choices.
 */
#ifndef SECAGG_FUZZ_PINE_FIXTURE_H
#define SECAGG_FUZZ_PINE_FIXTURE_H

#include <math.h>

#include "fuzz_common.h"
#include "pine/pine.h"

#define PX_MAXS 3
#define PX_REPORTS 2

typedef struct pine_spec {
	const char *name;          /* official vectors: the file name's stem */
	int official;
	pine_variant variant;
	uint64_t l2;
	uint32_t nfb;
	uint64_t d, cl, cle;       /* cl = cle = 0: pine_optimal_chunk_lengths */
	uint32_t S, proofs, proofs_ne, r, rs;
	pine_draft draft;          /* official -02 vectors are in ../pine-02/ */
} pine_spec;

static const pine_spec px_specs[] = {
	{ "Pine64_2", 1, PINE_VARIANT_PINE64, 1024, 10, 19, 150, 4, 2, 2, 1, 75, 75, PINE_DRAFT_01 },
	{ "Pine128_3", 1, PINE_VARIANT_PINE128, 1024, 10, 19, 150, 4, 2, 1, 1, 75, 50, PINE_DRAFT_01 },
	{ "Pine64HmacSha256Aes128_5", 1, PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 1024, 10, 19, 150, 4, 2,
	  1, 1, 75, 75, PINE_DRAFT_01 },
	{ "Pine32HmacSha256Aes128_7", 1, PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 1024, 10, 19, 150, 4,
	  2, 4, 2, 75, 50, PINE_DRAFT_01 },
	{ "small64", 0, PINE_VARIANT_PINE64, 128, 7, 4, 0, 0, 2, 2, 1, 4, 3, PINE_DRAFT_01 },
	{ "small128", 0, PINE_VARIANT_PINE128, 128, 7, 3, 0, 0, 2, 1, 1, 3, 3, PINE_DRAFT_01 },
	{ "small64hmac_3agg", 0, PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 128, 7, 5, 0, 0, 3, 1, 2, 4,
	  2, PINE_DRAFT_01 },
	{ "small32hmac", 0, PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 64, 6, 4, 0, 0, 2, 2, 1, 5, 5, PINE_DRAFT_01 },
	{ "Pine40HmacSha256Aes128_5", 1, PINE_VARIANT_PINE40_HMAC_SHA256_AES128, 1024, 10, 19, 150, 4,
	  2, 4, 2, 75, 75, PINE_DRAFT_02 },
	{ "small40hmac", 0, PINE_VARIANT_PINE40_HMAC_SHA256_AES128, 128, 7, 4, 0, 0, 2, 1, 1, 4, 4,
	  PINE_DRAFT_02 },
};
#define PX_NCTX ((int) (sizeof px_specs / sizeof px_specs[0]))

typedef struct pine_ctx {
	const pine_spec *spec;
	pine_params P;
	uint8_t vk[PINE_MAX_SEED_SIZE];
	uint8_t nonce[PINE_NONCE_SIZE];
	uint8_t *rand[PX_REPORTS];
	double *meas[PX_REPORTS];
	uint8_t *pub[PX_REPORTS];
	uint8_t *in[PX_REPORTS][PX_MAXS];
	uint8_t *state[PX_REPORTS][PX_MAXS];
	uint8_t *pshare[PX_REPORTS][PX_MAXS];
	uint8_t *pmsg[PX_REPORTS];
	uint8_t *out[PX_REPORTS][PX_MAXS];
	uint8_t *agg[PX_MAXS];           /* sum of both reports' output shares */
} pine_ctx;

static inline void
px_config(const pine_spec *sp, pine_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->draft = sp->draft;
	cfg->variant = sp->variant;
	cfg->l2_norm_bound = sp->l2;
	cfg->num_frac_bits = sp->nfb;
	cfg->dimension = sp->d;
	cfg->chunk_length = sp->cl;
	cfg->chunk_length_norm_equality = sp->cle;
	cfg->num_shares = sp->S;
	cfg->num_proofs = sp->proofs;
	cfg->num_proofs_norm_equality = sp->proofs_ne;
	cfg->alpha = 8.7;
	cfg->num_wr_checks = sp->r;
	cfg->num_wr_successes = sp->rs;
	if (sp->cl == 0)
		FUZZ_CHECK(pine_optimal_chunk_lengths(cfg, &cfg->chunk_length,
		                                      &cfg->chunk_length_norm_equality, NULL) == PINE_OK);
}

static inline uint8_t *
px_alloc(size_t n)
{
	uint8_t *p = calloc(n ? n : 1, 1);
	FUZZ_CHECK(p != NULL);
	return p;
}

/*
 * Prepares one report from its shares (all Aggregators), writing the prep
 * states and shares, the prep message and the output shares. Returns the
 * first failing status.
 */
static inline pine_status
px_prepare(const pine_params *P, const uint8_t *vk, const uint8_t *nonce, const uint8_t *pub,
           uint8_t *const *in, uint8_t **state, uint8_t **pshare, uint8_t *pmsg, uint8_t **out)
{
	size_t S = P->num_shares, lens[256];
	pine_status st;
	for (size_t j = 0; j < S; j++) {
		st = pine_prep_init(P, vk, P->verify_key_len, (uint32_t) j, nonce, PINE_NONCE_SIZE, pub,
		                    P->public_share_len, in[j], pine_input_share_len(P, (uint32_t) j),
		                    state[j], pshare[j], NULL);
		if (st != PINE_OK)
			return st;
		lens[j] = P->prep_share_len;
	}
	if ((st = pine_prep_shares_to_prep(P, (const uint8_t *const *) pshare, lens, S, pmsg, NULL)) !=
	    PINE_OK)
		return st;
	for (size_t j = 0; j < S; j++)
		if ((st = pine_prep_next(P, state[j], pine_prep_state_len(P, (uint32_t) j), pmsg,
		                         P->prep_msg_len, out[j], NULL)) != PINE_OK)
			return st;
	return PINE_OK;
}

static inline void
px_build_one(pine_ctx *C, const pine_spec *sp)
{
	pine_config cfg;
	memset(C, 0, sizeof *C);
	C->spec = sp;
	px_config(sp, &cfg);
	FUZZ_CHECK(pine_params_init(&C->P, &cfg, NULL) == PINE_OK);
	const pine_params *P = &C->P;
	size_t S = P->num_shares, d = P->dimension;
	FUZZ_CHECK(S <= PX_MAXS && d >= 2);
	for (size_t i = 0; i < P->verify_key_len; i++)
		C->vk[i] = (uint8_t) i;
	for (size_t i = 0; i < PINE_NONCE_SIZE; i++)
		C->nonce[i] = (uint8_t) i;
	for (size_t j = 0; j < S; j++) {
		C->agg[j] = px_alloc(P->agg_share_len);
		pine_agg_init(P, C->agg[j]);
	}
	for (int rep = 0; rep < PX_REPORTS; rep++) {
		C->rand[rep] = px_alloc(P->rand_len);
		for (size_t i = 0; i < P->rand_len; i++)
			C->rand[rep][i] = (uint8_t) i;
		C->meas[rep] = calloc(d, sizeof(double));
		FUZZ_CHECK(C->meas[rep] != NULL);
		C->meas[rep][rep] = 1.0;
		C->pub[rep] = px_alloc(P->public_share_len);
		C->pmsg[rep] = px_alloc(P->prep_msg_len);
		for (size_t j = 0; j < S; j++) {
			C->in[rep][j] = px_alloc(pine_input_share_len(P, (uint32_t) j));
			C->state[rep][j] = px_alloc(pine_prep_state_len(P, (uint32_t) j));
			C->pshare[rep][j] = px_alloc(P->prep_share_len);
			C->out[rep][j] = px_alloc(P->out_share_len);
		}
		pine_status st;
		/* the draft's retry: a different rand until the wraparound checks pass */
		for (int attempt = 0;; attempt++) {
			st = pine_shard(P, C->meas[rep], d, C->nonce, PINE_NONCE_SIZE, C->rand[rep], P->rand_len,
			                C->pub[rep], C->in[rep], NULL);
			if (st != PINE_RETRY)
				break;
			FUZZ_CHECK(!sp->official && attempt < 64);
			C->rand[rep][0]++;
		}
		FUZZ_CHECK(st == PINE_OK);
		FUZZ_CHECK(px_prepare(P, C->vk, C->nonce, C->pub[rep], C->in[rep], C->state[rep],
		                      C->pshare[rep], C->pmsg[rep], C->out[rep]) == PINE_OK);
		for (size_t j = 0; j < S; j++)
			FUZZ_CHECK(pine_agg_add(P, C->agg[j], P->agg_share_len, C->out[rep][j], P->out_share_len,
			                        NULL) == PINE_OK);
	}
	double *res = calloc(d, sizeof(double));
	size_t lens[PX_MAXS];
	for (size_t j = 0; j < S; j++)
		lens[j] = P->agg_share_len;
	FUZZ_CHECK(pine_unshard(P, (const uint8_t *const *) C->agg, lens, S, PX_REPORTS, res, NULL) ==
	           PINE_OK);
	for (size_t i = 0; i < d; i++)
		FUZZ_CHECK(res[i] == (i < PX_REPORTS ? 1.0 : 0.0));
	free(res);
}

static pine_ctx px_ctx[PX_NCTX];

static inline void
px_build(void)
{
	fuzz_rng_reset(1);
	for (int i = 0; i < PX_NCTX; i++)
		px_build_one(&px_ctx[i], &px_specs[i]);
}

/*
 * What an Aggregator set does after the prep message: prep_next with each
 * state (states[j] of state_lens[j] bytes), then each output share is added
 * to the other report's, and the collector unshards. Output shares that
 * prep_next produced are canonical, so aggregation and unsharding must
 * accept them. Returns the first prep_next status.
 */
static inline pine_status
px_finish(const pine_ctx *C, int rep, const uint8_t *msg, size_t msg_len, uint8_t *const *states,
          const size_t *state_lens)
{
	const pine_params *P = &C->P;
	size_t S = P->num_shares, d = P->dimension;
	uint8_t *agg[PX_MAXS] = { NULL };
	size_t lens[PX_MAXS];
	pine_status st = PINE_OK;
	uint8_t *out = px_alloc(P->out_share_len);
	for (size_t j = 0; j < S; j++) {
		if ((st = pine_prep_next(P, states[j], state_lens[j], msg, msg_len, out, NULL)) != PINE_OK)
			goto done;
		FUZZ_CHECK(pine_vec_check_encoded(P->field, out, d) == PINE_OK);
		agg[j] = px_alloc(P->agg_share_len);
		memcpy(agg[j], C->out[1 - rep][j], P->agg_share_len);
		FUZZ_CHECK(pine_agg_add(P, agg[j], P->agg_share_len, out, P->out_share_len, NULL) == PINE_OK);
		lens[j] = P->agg_share_len;
	}
	{
		double *res = calloc(d, sizeof(double));
		FUZZ_CHECK(res != NULL);
		FUZZ_CHECK(pine_unshard(P, (const uint8_t *const *) agg, lens, S, PX_REPORTS, res, NULL) ==
		           PINE_OK);
		for (size_t i = 0; i < d; i++)
			FUZZ_CHECK(isfinite(res[i]));
		free(res);
	}
done:
	for (size_t j = 0; j < S; j++)
		free(agg[j]);
	free(out);
	return st;
}

/* The genuine prep states of a report, with their lengths. */
static inline void
px_states(const pine_ctx *C, int rep, uint8_t **states, size_t *lens)
{
	for (size_t j = 0; j < C->P.num_shares; j++) {
		states[j] = C->state[rep][j];
		lens[j] = pine_prep_state_len(&C->P, (uint32_t) j);
	}
}

/* Every PINE harness builds the same contexts once, before the first input. */
#ifndef PX_OWN_INITIALIZE
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void) argc;
	(void) argv;
	fuzz_sodium_init();
	px_build();
	return 0;
}
#endif

#endif
