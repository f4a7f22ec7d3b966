/*
 * test_pine_params.c: PINE parameter validation and derivation, message
 * sizes (derived before test_size_table), the float encoding KATs
 * (draft-chen-cfrg-vdaf-pine-01/-02 Section 4.1.2.1; -02 rounds where -01
 * floors), and the
 * draft: Pine40HmacSha256Aes128 only under -02, the draft in the digest.
 */
#include <math.h>

#include "unit.h"

#include "pine/pine.h"

static pine_config base_cfg(pine_variant v, uint64_t l2, uint32_t nfb, uint64_t d)
{
	pine_config c;
	pine_config_defaults(&c, v);
	c.l2_norm_bound = l2;
	c.num_frac_bits = nfb;
	c.dimension = d;
	c.chunk_length = 150;
	c.chunk_length_norm_equality = 4;
	return c;
}

static pine_status init(const pine_config *c, pine_params *P)
{
	const char *why = NULL;
	pine_status st = pine_params_init(P, c, &why);
	if (st != PINE_OK && why == NULL)
		fprintf(stderr, "  missing reason\n");
	return st;
}

/* The derived parameters of the official vector Pine64_0 (draft-chen-cfrg-vdaf-pine-01, test_vec/01). */
static void test_worked_example(void)
{
	pine_config c = base_cfg(PINE_VARIANT_PINE64, 128, 7, 20);
	pine_params P;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.sq_norm_bound[0], 16384);
	UNIT_CHECK_EQ_U64(P.num_bits_for_sq_norm, 15);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[0], 2048);
	UNIT_CHECK_EQ_U64(P.num_bits_for_wr_check, 12);
	UNIT_CHECK_EQ_U64(P.bit_checked_len, 1330);
	UNIT_CHECK_EQ_U64(P.meas_len, 1350);
	UNIT_CHECK_EQ_U64(P.flp_meas_len, 1450);
	UNIT_CHECK_EQ_U64(P.calls_main, 10);
	UNIT_CHECK_EQ_U64(P.p_main, 16);
	UNIT_CHECK_EQ_U64(P.proof_len_main, 331);
	UNIT_CHECK_EQ_U64(P.verifier_len_main, 302);
	UNIT_CHECK_EQ_U64(P.calls_ne, 5);
	UNIT_CHECK_EQ_U64(P.p_ne, 8);
	UNIT_CHECK_EQ_U64(P.proof_len_ne, 19);
	UNIT_CHECK_EQ_U64(P.verifier_len_ne, 6);
	UNIT_CHECK_EQ_U64(P.proofs_len, 681);
	UNIT_CHECK_EQ_U64(P.leader_input_share_len, 16280);
	UNIT_CHECK_EQ_U64(P.helper_input_share_len, 64);
	UNIT_CHECK_EQ_U64(P.public_share_len, 64);
	UNIT_CHECK_EQ_U64(P.rand_len, (1 + 2 + 4) * 16);
	UNIT_CHECK_EQ_U64(P.prep_msg_len, 32);
	UNIT_CHECK_EQ_U64(P.out_share_len, 160);
	UNIT_CHECK_EQ_U64(P.wr_stream_len, 500);
	UNIT_CHECK_EQ_U64(P.num_proofs, 2);
	UNIT_CHECK_EQ_U64(P.num_proofs_ne, 1);
	UNIT_CHECK_EQ_U64(P.vdaf_id, 0xFFFFFFFFu);
}

/*
 * Message sizes with 2 Aggregators, l2 bound 1.0, r = r_succ = 100, alpha
 * 8.7 and the proof-size-minimising chunk lengths, derived from the
 * measurement encoding and the circuit of draft-chen-cfrg-vdaf-pine-02
 * (Section 4.1 "Measurement Encoding", Section 4.2 "The FLP Circuit") and
 * the FLP proof layout of src/core/vdaf/flp.h:
 *   nfb 15 (Field64, Field128): sq_norm_bound = (2^15)^2, n_sq = 31 bits;
 *     B_wr = next_pow2(ceil(8.7 * 2^15) + 1) = 2^19, n_wr = bitlen(2 B_wr - 1) = 20;
 *     bit_checked_len = 2 n_sq + (n_wr + 1) r = 2162: a measurement share
 *     is d + 2162 elements (the r wraparound results are not sent).
 *   nfb 12 (Field32): n_sq = 25, B_wr = 2^16, n_wr = 17, 1850 bits.
 *   main proof, ParallelSum(Mul, c) over the bits and the wraparound checks:
 *     ceil(2162 / c) + ceil(100 / c) calls, P = next_pow2(1 + calls),
 *     PROOF_LEN = 2c + 2 (P - 1) + 1; c = 37: 62 calls, P = 64, 201.
 *   norm-equality proof, ParallelSum(x^2, c_ne) over the d entries:
 *     P = next_pow2(1 + ceil(d / c_ne)), PROOF_LEN = c_ne + 2 (P - 1) + 1;
 *     d = 100,000, c_ne = 393: 255 calls, P = 256, 904.
 *   Leader input share = E (d + bits + proofs) + 2 SEED (the two blinds);
 *     Pine64 (2 main proofs, 1 norm-equality proof), d = 100,000:
 *     8 (100,000 + 2,162 + 2 * 201 + 904) + 2 * 16 = 827,776.
 *   Helper input share = 4 SEED, public share = 2 S SEED.
 *   prep share = E VERIFIER_LEN + 2 SEED, with 2c + 2 verifier elements per
 *     main proof and c_ne + 2 per norm-equality proof: 8 (2 * 76 + 395) + 32 = 4,408.
 */
static void test_size_table(void)
{
	static const struct {
		pine_variant v;
		uint32_t nfb;
		uint64_t d, c, cne, pm, pn, leader, helper, pub, prep;
	} rows[] = {
		{ PINE_VARIANT_PINE64, 15, 1000, 37, 33, 201, 96, 29312, 64, 64, 1528 },
		{ PINE_VARIANT_PINE64, 15, 10000, 37, 159, 201, 286, 102832, 64, 64, 2536 },
		{ PINE_VARIANT_PINE64, 15, 100000, 37, 393, 201, 904, 827776, 64, 64, 4408 },
		{ PINE_VARIANT_PINE64, 15, 1000000, 37, 1957, 201, 2980, 8044384, 64, 64, 16920 },
		{ PINE_VARIANT_PINE128, 15, 1000, 37, 33, 201, 96, 55376, 64, 64, 1808 },
		{ PINE_VARIANT_PINE128, 15, 100000, 37, 393, 201, 904, 1652304, 64, 64, 7568 },
		{ PINE_VARIANT_PINE128, 15, 1000000, 37, 1957, 201, 2980, 16085520, 64, 64, 32592 },
		{ PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 12, 1000, 32, 33, 191, 96, 15668, 128, 128, 1524 },
		{ PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 12, 100000, 32, 393, 191, 904, 414900, 128, 128, 2964 },
		{ PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 12, 1000000, 32, 1957, 191, 2980, 4023204, 128, 128, 9220 },
		{ PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 15, 100000, 37, 393, 201, 904, 827808, 128, 128, 4440 },
		{ PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 15, 1000000, 37, 1957, 201, 2980, 8044416, 128, 128, 16952 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		pine_config c = base_cfg(rows[i].v, (uint64_t) 1 << rows[i].nfb, rows[i].nfb, rows[i].d);
		pine_params P;
		const char *why;
		UNIT_CHECK(pine_optimal_chunk_lengths(&c, &c.chunk_length,
		                                      &c.chunk_length_norm_equality, &why) == PINE_OK);
		UNIT_CHECK_EQ_U64(c.chunk_length, rows[i].c);
		UNIT_CHECK_EQ_U64(c.chunk_length_norm_equality, rows[i].cne);
		UNIT_CHECK(init(&c, &P) == PINE_OK);
		UNIT_CHECK_EQ_U64(P.proof_len_main, rows[i].pm);
		UNIT_CHECK_EQ_U64(P.proof_len_ne, rows[i].pn);
		UNIT_CHECK_EQ_U64(P.leader_input_share_len, rows[i].leader);
		UNIT_CHECK_EQ_U64(P.helper_input_share_len, rows[i].helper);
		UNIT_CHECK_EQ_U64(P.public_share_len, rows[i].pub);
		UNIT_CHECK_EQ_U64(P.prep_share_len, rows[i].prep);
		UNIT_CHECK_EQ_U64(P.prep_state_len, 12 + 2 * P.seed_size + rows[i].d * P.elem_size);
		UNIT_CHECK_EQ_U64(P.helper_prep_state_len, 12 + 3 * P.seed_size + 1);
	}
}

static void test_defaults_and_ids(void)
{
	pine_params P;
	pine_config c = base_cfg(PINE_VARIANT_PINE128, 128, 7, 20);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.num_proofs, 1);
	UNIT_CHECK_EQ_U64(P.elem_size, 16);
	UNIT_CHECK_EQ_U64(P.seed_size, 16);
	c = base_cfg(PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 128, 7, 20);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.vdaf_id, 0xFFFF1004u);
	UNIT_CHECK_EQ_U64(P.seed_size, 32);
	UNIT_CHECK_EQ_U64(P.num_proofs, 2);
	c.num_proofs = 7;
	c.num_proofs_norm_equality = 3;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.num_proofs, 7);
	UNIT_CHECK_EQ_U64(P.num_proofs_ne, 3);
	c = base_cfg(PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 128, 7, 20);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.vdaf_id, 0xFFFF1005u);
	UNIT_CHECK_EQ_U64(P.num_proofs, 5);
	UNIT_CHECK_EQ_U64(P.elem_size, 4);
	/* alpha 0 -> 8.7 */
	c.alpha = 0.0;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK(P.cfg.alpha == 8.7);
	/* digest differs between parameter sets */
	pine_params Q;
	c.num_wr_successes = 99;
	UNIT_CHECK(init(&c, &Q) == PINE_OK);
	UNIT_CHECK(memcmp(P.digest, Q.digest, 32) != 0);
	/* 3 aggregators */
	c.num_shares = 3;
	UNIT_CHECK(init(&c, &Q) == PINE_OK);
	UNIT_CHECK_EQ_U64(Q.rand_len, (1 + 4 + 6) * 32);
	UNIT_CHECK_EQ_U64(Q.public_share_len, 6 * 32);
}

static void test_bad_params(void)
{
	pine_params P;
	pine_config c;
#define BAD(mutation)                                                         \
	do {                                                                      \
		c = base_cfg(PINE_VARIANT_PINE64, 128, 7, 20);                        \
		mutation;                                                             \
		UNIT_CHECK(init(&c, &P) == PINE_ERR_PARAM);                           \
	} while (0)
	BAD(c.variant = (pine_variant) 9);
	BAD(c.l2_norm_bound = 0);
	BAD(c.num_frac_bits = 128);
	BAD(c.dimension = 0);
	BAD(c.dimension = PINE_MAX_DIMENSION + 1);
	BAD(c.chunk_length = 0);
	BAD(c.chunk_length_norm_equality = 0);
	BAD(c.chunk_length = PINE_MAX_CHUNK_LENGTH + 1);
	BAD(c.num_shares = 1);
	BAD(c.num_shares = 256);
	BAD(c.num_proofs = 3);              /* Pine64 has fixed proofs */
	BAD(c.num_proofs_norm_equality = 2);
	BAD(c.num_wr_checks = 0);
	BAD(c.num_wr_checks = 65536);
	BAD(c.num_wr_successes = 0);
	BAD(c.num_wr_successes = 101);
	BAD(c.alpha = NAN);
	BAD(c.alpha = INFINITY);
	BAD(c.alpha = -1.0);
	BAD(c.l2_norm_bound = (uint64_t) 1 << 32);  /* l2^2 >= p */
	BAD(c.l2_norm_bound = UINT64_MAX);
	BAD(c.l2_norm_bound = 2479700525ULL);        /* 3 sq >= p - 2 */
	BAD((c.l2_norm_bound = (uint64_t) 1 << 31, c.alpha = 100.0)); /* B^2/p > 4000 */
	/* Field32: tiny field; NTT limit 2^20 */
	BAD((c.variant = PINE_VARIANT_PINE32_HMAC_SHA256_AES128, c.l2_norm_bound = 37833));
	BAD((c.variant = PINE_VARIANT_PINE32_HMAC_SHA256_AES128, c.l2_norm_bound = 20000,
	     c.alpha = 100.0)); /* p / B < 2600 */
	BAD((c.variant = PINE_VARIANT_PINE32_HMAC_SHA256_AES128, c.dimension = 1 << 21,
	     c.chunk_length_norm_equality = 1));
	BAD((c.variant = PINE_VARIANT_PINE64_HMAC_SHA256_AES128, c.num_proofs = 256));
	BAD((c.variant = PINE_VARIANT_PINE128, c.l2_norm_bound = 10650232656628342999ULL));
	BAD((c.variant = PINE_VARIANT_PINE128, c.l2_norm_bound = (uint64_t) 1 << 60,
	     c.alpha = 1000.0));
#undef BAD
	UNIT_CHECK(pine_params_init(&P, NULL, NULL) == PINE_ERR_PARAM);
}

static void test_boundaries(void)
{
	/* Largest accepted norm bounds per field (from the POC's checks). */
	pine_params P;
	pine_config c = base_cfg(PINE_VARIANT_PINE64, 2479700524ULL, 0, 1);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[0], 34359738368ULL);
	c = base_cfg(PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 37832, 0, 1);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[0], 524288);
	/* Field128: the POC (float division) accepts 10650232656628342998 and
	 * rejects one more; we reject within 2^-50 of the threshold. */
	c = base_cfg(PINE_VARIANT_PINE128, 10650232656628342998ULL, 0, 1);
	UNIT_CHECK(init(&c, &P) == PINE_ERR_PARAM);
	c = base_cfg(PINE_VARIANT_PINE128, 10650232656628000000ULL, 0, 1);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[0], 0);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[1], 8);  /* 2^67 */
	UNIT_CHECK_EQ_U64(P.num_bits_for_wr_check, 68);
	c = base_cfg(PINE_VARIANT_PINE128, (uint64_t) 1 << 60, 0, 1);
	c.alpha = 300.0;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[1], 32); /* 2^69 */
	c = base_cfg(PINE_VARIANT_PINE64, 2147483648ULL, 0, 1);
	c.alpha = 50.0;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[0], 137438953472ULL);
	/* float trap: 8.7 * 30854650 = 268435454.99999997 in doubles */
	c = base_cfg(PINE_VARIANT_PINE64, 30854650, 0, 1);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.wr_check_bound[0], 268435456);
	UNIT_CHECK_EQ_U64(P.num_bits_for_wr_check, 29);
	UNIT_CHECK_EQ_U64(P.num_bits_for_sq_norm, 50);
	/* max_measurements: floor(((p-1)/2) / l2) */
	c = base_cfg(PINE_VARIANT_PINE64, 128, 7, 20);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.max_measurements, (0xffffffff00000000ULL / 2) / 128);
}

static void test_encode_entry(void)
{
	static const struct {
		double x;
		int64_t v;
		double back;
	} kat[] = {
		{ -100.0, -3276800, -100.0 },
		{ -0.0001, -4, -0.0001220703125 },
		{ -0.0, 0, 0.0 },
		{ 0.0001, 3, 9.1552734375e-05 },
		{ 0.1, 3276, 0.0999755859375 },
		{ 0.5, 16384, 0.5 },
		{ 10000.0, 327680000, 10000.0 },
		{ -0.3, -9831, -0.300018310546875 },
	};
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		int64_t v = 12345;
		UNIT_CHECK(pine_encode_entry(kat[i].x, 15, PINE_DRAFT_01, &v) == PINE_OK);
		UNIT_CHECK(v == kat[i].v);
		UNIT_CHECK(pine_decode_signed(v, 15) == kat[i].back);
	}
	int64_t v;
	UNIT_CHECK(pine_encode_entry(NAN, 15, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(INFINITY, 15, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(-INFINITY, 15, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(0x1p-1030, 15, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(-0x1p-1074, 0, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(0x1p-1022, 0, PINE_DRAFT_01, &v) == PINE_OK && v == 0);
	UNIT_CHECK(pine_encode_entry(-0x1p-1022, 0, PINE_DRAFT_01, &v) == PINE_OK && v == -1);
	UNIT_CHECK(pine_encode_entry(0x1p62, 0, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(1.0, 62, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(1e300, 127, PINE_DRAFT_01, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(0x1p61, 0, PINE_DRAFT_01, &v) == PINE_OK && v == ((int64_t) 1 << 61));
	UNIT_CHECK(pine_encode_entry(-2.5, 0, PINE_DRAFT_01, &v) == PINE_OK && v == -3);
	UNIT_CHECK(pine_encode_entry(2.5, 0, PINE_DRAFT_01, &v) == PINE_OK && v == 2);
}

/* -02: round(x * 2^nfb), ties to even, where -01 floors. */
static void test_encode_entry_draft02(void)
{
	static const struct {
		double x;
		uint32_t nfb;
		int64_t floor01, round02;
	} kat[] = {
		{ 0.1, 15, 3276, 3277 },         /* 3276.8: floor and round differ */
		{ -0.1, 15, -3277, -3277 },      /* -3276.8 */
		{ -0.0001, 15, -4, -3 },         /* -3.2768 */
		{ 0.0001, 15, 3, 3 },            /* 3.2768 */
		{ -0.3, 15, -9831, -9830 },      /* -9830.4 */
		{ 2.5, 0, 2, 2 },                /* tie: to even, down */
		{ 3.5, 0, 3, 4 },                /* tie: to even, up */
		{ -2.5, 0, -3, -2 },             /* tie: to even, toward zero */
		{ -3.5, 0, -4, -4 },             /* tie: to even, away from zero */
		{ 0.5, 0, 0, 0 },
		{ -0.5, 0, -1, 0 },
		{ 0x1.8p-16, 15, 0, 1 },         /* 0.75 */
		{ 0x1.4p-15, 15, 1, 1 },         /* 1.25 */
		{ 0x1.cp-15, 15, 1, 2 },         /* 1.75 */
		{ 0x1.8p-15, 15, 1, 2 },         /* 1.5: tie, to even 2 */
		{ 0x1.4p-14, 15, 2, 2 },         /* 2.5: tie, to even 2 */
		{ 0x1p61 + 0x1p9, 0, (int64_t) 1 << 61 | 512, (int64_t) 1 << 61 | 512 },
	};
	for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
		int64_t v1 = 12345, v2 = 12345;
		UNIT_CHECK(pine_encode_entry(kat[i].x, kat[i].nfb, PINE_DRAFT_01, &v1) == PINE_OK);
		UNIT_CHECK(pine_encode_entry(kat[i].x, kat[i].nfb, PINE_DRAFT_02, &v2) == PINE_OK);
		if (v1 != kat[i].floor01 || v2 != kat[i].round02)
			fprintf(stderr, "  kat %zu: -01 %lld -02 %lld\n", i, (long long) v1, (long long) v2);
		UNIT_CHECK(v1 == kat[i].floor01);
		UNIT_CHECK(v2 == kat[i].round02);
	}
	int64_t v;
	UNIT_CHECK(pine_encode_entry(NAN, 15, PINE_DRAFT_02, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(0x1p-1030, 15, PINE_DRAFT_02, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(1.0, 62, PINE_DRAFT_02, &v) == PINE_ERR_MEASUREMENT);
	UNIT_CHECK(pine_encode_entry(1.0, 15, (pine_draft) 2, &v) == PINE_ERR_PARAM);
}

/* The draft: validated, Pine40HmacSha256Aes128 only under -02, and in the
 * canonical encoding (byte 6) and hence the digest; -01 digests are those
 * from before -02 existed (byte 6 was always zero). Expected digests:
 * SHA-256 of the 64-byte layout, computed independently. */
static void test_draft(void)
{
	pine_params P, Q;
	uint8_t e[PINE_PARAMS_ENCODED_LEN], want[32];
	pine_config c = base_cfg(PINE_VARIANT_PINE64, 128, 7, 20);
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	unit_hex_decode("ef1e936939b87bc41a54c12a898ed70ba5afd1fa37f2e4f3e4f457d69d188cae", want, 32);
	UNIT_CHECK_MEM(P.digest, want, 32);
	c.draft = PINE_DRAFT_02;
	UNIT_CHECK(init(&c, &Q) == PINE_OK);
	pine_params_encode(&Q, e);
	UNIT_CHECK(e[6] == 1 && e[7] == 0);
	unit_hex_decode("068619bb9f1e438cba37c5aa9edfdb219325e9d81826964dfabc81644b755e84", want, 32);
	UNIT_CHECK_MEM(Q.digest, want, 32);
	UNIT_CHECK(memcmp(P.digest, Q.digest, 32) != 0);
	UNIT_CHECK(Q.cfg.draft == PINE_DRAFT_02);
	c.draft = (pine_draft) 2;
	UNIT_CHECK(init(&c, &P) == PINE_ERR_PARAM);
	c.draft = (pine_draft) 255;
	UNIT_CHECK(init(&c, &P) == PINE_ERR_PARAM);

	c = base_cfg(PINE_VARIANT_PINE40_HMAC_SHA256_AES128, 128, 7, 20);
	const char *why = NULL;
	UNIT_CHECK(pine_params_init(&P, &c, &why) == PINE_ERR_PARAM);
	UNIT_CHECK(why != NULL && strcmp(why, "Pine40HmacSha256Aes128 exists only in draft -02") == 0);
	uint64_t cl, cne;
	UNIT_CHECK(pine_optimal_chunk_lengths(&c, &cl, &cne, NULL) == PINE_ERR_PARAM);
	c.draft = PINE_DRAFT_02;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.field, PINE_FIELD40);
	UNIT_CHECK_EQ_U64(P.xof, PINE_XOF_HMAC_SHA256_AES128);
	UNIT_CHECK_EQ_U64(P.vdaf_id, 0xFFFF1006u);
	UNIT_CHECK_EQ_U64(P.num_proofs, 4);
	UNIT_CHECK_EQ_U64(P.num_proofs_ne, 1);
	UNIT_CHECK_EQ_U64(P.elem_size, 5);
	UNIT_CHECK_EQ_U64(P.seed_size, 32);
	UNIT_CHECK_EQ_U64(P.out_share_len, 100);
	UNIT_CHECK_EQ_U64(P.max_measurements, (1099489607680ULL / 2) / 128);
	unit_hex_decode("1d7b9c11abdf22ebe6dfe3ae45d3dd55a0f12885e15808e969e9ce71341c4786", want, 32);
	UNIT_CHECK_MEM(P.digest, want, 32);
	c.num_proofs = 2;
	c.num_proofs_norm_equality = 3;
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	UNIT_CHECK(P.num_proofs == 2 && P.num_proofs_ne == 3);
	UNIT_CHECK(pine_optimal_chunk_lengths(&c, &cl, &cne, NULL) == PINE_OK);
	/* Field40's NTT holds 2^20 points, as Field32's */
	c.dimension = (uint64_t) 1 << 21;
	c.chunk_length_norm_equality = 1;
	UNIT_CHECK(init(&c, &P) == PINE_ERR_PARAM);
}

static void test_params_encode(void)
{
	pine_params P;
	pine_config c = base_cfg(PINE_VARIANT_PINE64, 128, 7, 20);
	uint8_t e[PINE_PARAMS_ENCODED_LEN];
	UNIT_CHECK(init(&c, &P) == PINE_OK);
	pine_params_encode(&P, e);
	UNIT_CHECK(e[0] == 1 && e[1] == 0 && e[2] == 2 && e[3] == 2 && e[4] == 1 && e[5] == 7);
	UNIT_CHECK(e[15] == 128 && e[23] == 20 && e[31] == 150 && e[39] == 4);
	UNIT_CHECK(e[43] == 100 && e[47] == 100);
}

int main(void)
{
	UNIT_RUN(test_worked_example);
	UNIT_RUN(test_size_table);
	UNIT_RUN(test_defaults_and_ids);
	UNIT_RUN(test_bad_params);
	UNIT_RUN(test_boundaries);
	UNIT_RUN(test_encode_entry);
	UNIT_RUN(test_encode_entry_draft02);
	UNIT_RUN(test_draft);
	UNIT_RUN(test_params_encode);
	return UNIT_DONE();
}
