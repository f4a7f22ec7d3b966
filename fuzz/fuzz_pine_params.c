/*
 * fuzz_pine_params: PINE parameters. The core has no parameter decoder,
 * only the canonical 64-byte encoding pine_params_encode writes (and hashes
 * into every prep state); the harness reads that layout into a pine_config
 * (every numeric field fuzzed) and feeds it to pine_params_init and
 * pine_optimal_chunk_lengths.
 *
 * Input: 64 bytes in the layout of pine_params.c (format | variant |
 * num_shares | num_proofs | num_proofs_ne | num_frac_bits | draft | 0 | l2 |
 * dimension | chunk_length | chunk_length_ne | r | r_succ | alpha bits |
 * zeros), all big-endian. A shorter input is padded with zero bytes, bytes
 * beyond the 64th are ignored.
 * Checked, for accepted parameters:
 *  - the derived sizes are consistent (prep state, share and message sizes
 *    from the element and seed sizes);
 *  - normalisation is idempotent: the encoding, read back, is accepted and
 *    encodes to itself with the same digest; an input that is already
 *    canonical encodes to itself;
 *  - pine_optimal_chunk_lengths (for d <= 4096 and r <= 128, to stay fast)
 *    gives chunk lengths that are accepted and whose proofs are no longer
 *    than those of the input's chunk lengths;
 *  - for small parameter sets (d <= 32, r <= 32, S <= 3, MEAS_LEN <= 256,
 *    small proofs), the whole VDAF runs: an honest report of norm within
 *    the bound is sharded, prepared by every Aggregator, must be accepted,
 *    and unshards to its own fixed-point value.
 */
#define PX_OWN_INITIALIZE      /* builds its parameters from each input, not the fixture's */
#include "pine_fixture.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	return 0;
}

static uint64_t
be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
decode_params(const uint8_t *in, pine_config *cfg)
{
	uint64_t abits = be(in + 48, 8);
	memset(cfg, 0, sizeof *cfg);
	cfg->variant = (pine_variant) in[1];
	cfg->num_shares = in[2];
	cfg->num_proofs = in[3];
	cfg->num_proofs_norm_equality = in[4];
	cfg->num_frac_bits = in[5];
	cfg->draft = (pine_draft) in[6];
	cfg->l2_norm_bound = be(in + 8, 8);
	cfg->dimension = be(in + 16, 8);
	cfg->chunk_length = be(in + 24, 8);
	cfg->chunk_length_norm_equality = be(in + 32, 8);
	cfg->num_wr_checks = (uint32_t) be(in + 40, 4);
	cfg->num_wr_successes = (uint32_t) be(in + 44, 4);
	memcpy(&cfg->alpha, &abits, sizeof abits);
}

/* shard -> prepare -> aggregate -> unshard one honest report */
static void
pipeline(const pine_params *P)
{
	size_t S = P->num_shares, d = P->dimension;
	uint64_t l2 = P->cfg.l2_norm_bound;
	uint32_t nfb = P->cfg.num_frac_bits;
	double *x = calloc(d, sizeof(double)), *res = calloc(d, sizeof(double));
	int64_t enc[2] = { 0, 0 };
	FUZZ_CHECK(x != NULL && res != NULL);
	x[0] = ldexp((double) (l2 / 2), -(int) nfb);
	if (d > 1)
		x[1] = -x[0] / 2;
	for (size_t i = 0; i < d && i < 2; i++)
		if (pine_encode_entry(x[i], nfb, P->cfg.draft, &enc[i]) != PINE_OK)
			goto out_x;

	uint8_t vk[PINE_MAX_SEED_SIZE], nonce[PINE_NONCE_SIZE];
	for (size_t i = 0; i < sizeof vk; i++)
		vk[i] = (uint8_t) i;
	for (size_t i = 0; i < sizeof nonce; i++)
		nonce[i] = (uint8_t) (0xa0 + i);
	uint8_t *rand = px_alloc(P->rand_len), *pub = px_alloc(P->public_share_len);
	uint8_t *msg = px_alloc(P->prep_msg_len);
	uint8_t **in = calloc(S, sizeof *in), **state = calloc(S, sizeof *state);
	uint8_t **pshare = calloc(S, sizeof *pshare), **out = calloc(S, sizeof *out);
	size_t *lens = calloc(S, sizeof *lens);
	FUZZ_CHECK(in && state && pshare && out && lens);
	for (size_t j = 0; j < S; j++) {
		in[j] = px_alloc(pine_input_share_len(P, (uint32_t) j));
		state[j] = px_alloc(pine_prep_state_len(P, (uint32_t) j));
		pshare[j] = px_alloc(P->prep_share_len);
		out[j] = px_alloc(P->out_share_len);
		lens[j] = P->agg_share_len;
	}
	for (size_t i = 0; i < P->rand_len; i++)
		rand[i] = (uint8_t) i;
	pine_status st;
	for (int attempt = 0; attempt < 4; attempt++) {
		st = pine_shard(P, x, d, nonce, sizeof nonce, rand, P->rand_len, pub, in, NULL);
		if (st != PINE_RETRY)
			break;
		rand[0]++;
	}
	/* too large for the 2^62 encoding limit, or the retries ran out */
	FUZZ_CHECK(st == PINE_OK || st == PINE_RETRY || st == PINE_ERR_MEASUREMENT);
	if (st != PINE_OK)
		goto out;
	const char *why = NULL;
	for (size_t j = 0; j < S; j++) {
		st = pine_prep_init(P, vk, P->verify_key_len, (uint32_t) j, nonce, sizeof nonce, pub,
		                    P->public_share_len, in[j], pine_input_share_len(P, (uint32_t) j),
		                    state[j], pshare[j], &why);
		/* PINE_REJECT is allowed only for the negligible root-of-unity case */
		FUZZ_CHECK(st == PINE_OK ||
		           (st == PINE_REJECT && strcmp(why, "query randomness hit a root of unity") == 0));
		if (st != PINE_OK)
			goto out;
		lens[j] = P->prep_share_len;
	}
	st = pine_prep_shares_to_prep(P, (const uint8_t *const *) pshare, lens, S, msg, &why);
	if (st != PINE_OK)
		fprintf(stderr, "honest report rejected: %s\n", why);
	FUZZ_CHECK(st == PINE_OK);
	for (size_t j = 0; j < S; j++) {
		FUZZ_CHECK(pine_prep_next(P, state[j], pine_prep_state_len(P, (uint32_t) j), msg,
		                          P->prep_msg_len, out[j], NULL) == PINE_OK);
		lens[j] = P->agg_share_len;
	}
	FUZZ_CHECK(pine_unshard(P, (const uint8_t *const *) out, lens, S, 1, res, NULL) == PINE_OK);
	for (size_t i = 0; i < d; i++) {
		double want = i < 2 ? pine_decode_signed(enc[i], nfb) : 0.0;
		if (res[i] != want)
			fprintf(stderr, "result[%zu] = %.17g, want %.17g\n", i, res[i], want);
		FUZZ_CHECK(res[i] == want);
	}
out:
	for (size_t j = 0; j < S; j++) {
		free(in[j]);
		free(state[j]);
		free(pshare[j]);
		free(out[j]);
	}
	free(in);
	free(state);
	free(pshare);
	free(out);
	free(lens);
	free(rand);
	free(pub);
	free(msg);
out_x:
	free(x);
	free(res);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	uint8_t data[PINE_PARAMS_ENCODED_LEN] = { 0 };
	if (size > 0)
		memcpy(data, in, size < sizeof data ? size : sizeof data);
	fuzz_rng_reset(2);
	pine_config cfg;
	pine_params P, P2;
	uint8_t enc[PINE_PARAMS_ENCODED_LEN], enc2[PINE_PARAMS_ENCODED_LEN];
	decode_params(data, &cfg);

	pine_status st = pine_params_init(&P, &cfg, NULL);
	int small_cfg = cfg.dimension <= 4096 && cfg.num_wr_checks <= 128;
	uint64_t cl = 0, cle = 0;
	pine_status ost = PINE_ERR_PARAM;
	if (small_cfg)
		ost = pine_optimal_chunk_lengths(&cfg, &cl, &cle, NULL);
	if (st != PINE_OK)
		return 0;
	FUZZ_CHECK(!small_cfg || ost == PINE_OK);

	/* sizes */
	size_t E = P.elem_size, L = P.seed_size;
	FUZZ_CHECK(E == pine_field_elem_size(P.field) && (L == 16 || L == 32));
	FUZZ_CHECK(P.num_shares == cfg.num_shares && P.dimension == cfg.dimension);
	FUZZ_CHECK(P.out_share_len == P.dimension * E && P.agg_share_len == P.out_share_len);
	FUZZ_CHECK(P.prep_share_len == P.verifiers_len * E + 2 * L && P.prep_msg_len == 2 * L);
	FUZZ_CHECK(pine_prep_state_len(&P, 0) == 12 + 2 * L + P.out_share_len);
	FUZZ_CHECK(pine_prep_state_len(&P, 1) == 12 + 3 * L + 1);
	FUZZ_CHECK(pine_input_share_len(&P, 0) == (P.meas_len + P.proofs_len) * E + 2 * L);
	FUZZ_CHECK(pine_input_share_len(&P, 1) == 4 * L);
	FUZZ_CHECK(P.public_share_len == 2 * P.num_shares * L && P.max_measurements >= 1);

	/* normalisation is idempotent and the encoding canonical */
	pine_params_encode(&P, enc);
	decode_params(enc, &cfg);
	FUZZ_CHECK(pine_params_init(&P2, &cfg, NULL) == PINE_OK);
	pine_params_encode(&P2, enc2);
	FUZZ_CHECK(memcmp(enc, enc2, sizeof enc) == 0);
	FUZZ_CHECK(memcmp(P.digest, P2.digest, sizeof P.digest) == 0);
	FUZZ_CHECK(P2.proofs_len == P.proofs_len && P2.leader_input_share_len == P.leader_input_share_len);
	if (data[0] == 1 && data[3] != 0 && data[4] != 0 && cfg.alpha == P.cfg.alpha &&
	    memcmp(data + 48, enc + 48, 8) == 0 && be(data + 6, 2) == 0 && be(data + 56, 8) == 0)
		FUZZ_CHECK(memcmp(data, enc, sizeof enc) == 0);

	/* the optimal chunk lengths are usable and no worse */
	if (small_cfg) {
		pine_config oc = P.cfg;
		oc.chunk_length = cl;
		oc.chunk_length_norm_equality = cle;
		FUZZ_CHECK(pine_params_init(&P2, &oc, NULL) == PINE_OK);
		FUZZ_CHECK(P2.proof_len_main <= P.proof_len_main && P2.proof_len_ne <= P.proof_len_ne);
	}

	if (P.dimension <= 32 && P.num_wr_checks <= 32 && P.num_shares <= 3 && P.meas_len <= 256 &&
	    P.proofs_len <= 1024 && P.p_main <= 128 && P.p_ne <= 64 && P.num_proofs <= 8 &&
	    P.num_proofs_ne <= 8)
		pipeline(&P);
	return 0;
}
