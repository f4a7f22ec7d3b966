/*
 * pine_params.c: PINE parameter validation and derivation, after
 * draft-chen-cfrg-vdaf-pine (-01 and -02): the user parameters of Section 3
 * "PINE Overview", the derived ones of Section 4 "The PINE Proof System"
 * (PineValid: bit lengths, the wraparound bound from alpha, FLP shapes)
 * and Section 5 "The PINE VDAF" (message sizes), the variants of Section 6
 * "Variants". The fields themselves are vdaf/field.h's.
 */
#include <math.h>
#include <string.h>

#include <sodium.h>

#include "pine/pine_internal.h"

/* The fields by pine_field_id (whose numbering differs from vdaf_field_id). */
static const vdaf_field *const fields[] = {
	[PINE_FIELD64] = &vdaf_field64,
	[PINE_FIELD128] = &vdaf_field128,
	[PINE_FIELD32] = &vdaf_field32,
	[PINE_FIELD40] = &vdaf_field40,
};

const vdaf_field *
pine_field_vdaf(pine_field_id f)
{
	return (unsigned) f < sizeof fields / sizeof fields[0] ? fields[f] : NULL;
}

const vdaf_field *
pine_vdaf_field(const pine_params *P)
{
	return pine_field_vdaf(P->field);
}

vdaf_xof_kind
pine_vdaf_xof(const pine_params *P)
{
	return P->xof == PINE_XOF_TURBOSHAKE128 ? VDAF_XOF_TURBOSHAKE128
	                                        : VDAF_XOF_HMACSHA256_AES128;
}

pine_u128
pine_field_modulus(pine_field_id f)
{
	const vdaf_field *vf = pine_field_vdaf(f);
	return vf == NULL ? 0 : pine_u128_of(vf->modulus);
}

/* log2 of the largest power-of-two subgroup (the NTT limit). */
static unsigned
gen_order_log2(pine_field_id f)
{
	const vdaf_field *vf = pine_field_vdaf(f);
	return vf == NULL ? 0 : vf->two_adicity;
}

size_t
pine_field_elem_size(pine_field_id f)
{
	const vdaf_field *vf = pine_field_vdaf(f);
	return vf == NULL ? 0 : vf->encoded_size;
}

const char *
pine_strerror(pine_status st)
{
	switch (st) {
	case PINE_OK: return "success";
	case PINE_ERR_PARAM: return "invalid PINE parameters";
	case PINE_ERR_MALFORMED: return "malformed input";
	case PINE_ERR_NONCANONICAL: return "non-canonical field element encoding";
	case PINE_ERR_MEASUREMENT: return "invalid measurement";
	case PINE_ERR_NORM: return "measurement exceeds the L2 norm bound";
	case PINE_RETRY: return "wraparound checks failed; retry with fresh randomness";
	case PINE_REJECT: return "report rejected";
	case PINE_ERR_NOMEM: return "out of memory";
	case PINE_ERR_INTERNAL: return "internal error";
	case PINE_ERR_INTERRUPTED: return "interrupted";
	case PINE_ERR_BATCH_SIZE: return "batch smaller than the minimum batch size";
	case PINE_ERR_STATE_MISMATCH: return "input share does not match the prep state";
	}
	return "unknown PINE status";
}

const char *
pine_reject_reason_name(pine_reject_reason r)
{
	switch (r) {
	case PINE_REASON_NONE: return NULL;
	case PINE_REASON_NORM_EQUALITY_PROOF: return "norm_equality_proof";
	case PINE_REASON_NORM_EQUALITY_CHECK: return "norm_equality_check";
	case PINE_REASON_MAIN_PROOF: return "main_proof";
	case PINE_REASON_RANGE_AND_WRAPAROUND_CHECKS: return "range_and_wraparound_checks";
	case PINE_REASON_WRAPAROUND_JOINT_RAND_SEED: return "wraparound_joint_rand_seed";
	case PINE_REASON_JOINT_RAND_SEED: return "joint_rand_seed";
	}
	return NULL;
}

static unsigned
bitlen128(pine_u128 v)
{
	unsigned n = 0;
	while (v != 0) {
		n++;
		v >>= 1;
	}
	return n;
}

static size_t
ceil_div(size_t a, size_t c)
{
	return a / c + (a % c != 0);
}

static size_t
next_pow2(size_t n)
{
	size_t p = 1;
	while (p < n)
		p <<= 1;
	return p;
}

/* 2c + 2 (P - 1) + 1 for the main circuit; P = 0 if over the field's NTT limit. */
static size_t
main_proof_len(size_t bcl, size_t r, size_t c, unsigned gen_log2,
               size_t *p_out)
{
	size_t calls = ceil_div(bcl, c) + ceil_div(r, c);
	size_t p = next_pow2(1 + calls);
	*p_out = p;
	if (gen_log2 < 63 && 2 * p > ((size_t) 1 << gen_log2))
		return SIZE_MAX;
	return 2 * c + 2 * (p - 1) + 1;
}

static size_t
ne_proof_len(size_t d, size_t c, unsigned gen_log2, size_t *p_out)
{
	size_t calls = ceil_div(d, c);
	size_t p = next_pow2(1 + calls);
	*p_out = p;
	if (gen_log2 < 63 && 2 * p > ((size_t) 1 << gen_log2))
		return SIZE_MAX;
	return c + 2 * (p - 1) + 1;
}

void
pine_config_defaults(pine_config *cfg, pine_variant variant)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->variant = variant;
	cfg->num_shares = 2;
	cfg->alpha = PINE_DEFAULT_ALPHA;
	cfg->num_wr_checks = PINE_DEFAULT_NUM_WR_CHECKS;
	cfg->num_wr_successes = PINE_DEFAULT_NUM_WR_SUCCESSES;
}

#define FAIL(msg)                                                             \
	do {                                                                      \
		pine_set_why(why, msg);                                               \
		return PINE_ERR_PARAM;                                                \
	} while (0)

/*
 * Everything except the chunk lengths. Fills the encoding-related fields of
 * *P from cfg (already normalised).
 */
static pine_status
derive_encoding(pine_params *P, const pine_config *cfg,
                const char **why)
{
	pine_u128 p = pine_field_modulus(P->field);

	/* 1. 0 < l2 <= p/2 */
	if (cfg->l2_norm_bound == 0)
		FAIL("l2_norm_bound must be positive");
	if (2 * (pine_u128) cfg->l2_norm_bound > p)
		FAIL("l2_norm_bound too large for the field");
	/* 2. */
	if (cfg->num_frac_bits >= 128)
		FAIL("num_frac_bits must be below 128");
	if (cfg->dimension == 0)
		FAIL("dimension must be positive");
	if (cfg->dimension > PINE_MAX_DIMENSION)
		FAIL("dimension too large");
	/* 3. l2^2 < p (exact form of the POC's p / l2 <= l2 test) */
	/* The POC evaluates checks 3-5 with float division; near a threshold
	 * its rounding can go either way. We use the exact integer form and
	 * additionally reject anything within a relative 2^-50 of a threshold,
	 * so we never accept a parameter set the POC rejects. */
	pine_u128 sq = (pine_u128) cfg->l2_norm_bound * cfg->l2_norm_bound;
	if (sq >= p || p - sq <= (sq >> 50) + 1)
		FAIL("squared l2_norm_bound does not fit in the field");
	/* 4. reject if (p - 2) / sq <= 3, i.e. 3 sq >= p - 2 */
	pine_u128 lim = (p - 2) / 3 + ((p - 2) % 3 != 0);
	if (sq >= lim || (p - 2) - 3 * sq <= (sq >> 48) + 1)
		FAIL("field too small for the squared-norm range check");

	/* alpha, r, r_succ */
	if (!isfinite(cfg->alpha) || !(cfg->alpha > 0.0))
		FAIL("alpha must be a positive finite number");
	if (cfg->num_wr_checks == 0 || cfg->num_wr_checks > PINE_MAX_WR_CHECKS)
		FAIL("num_wr_checks must be in 1..65535");
	if (cfg->num_wr_successes == 0 || cfg->num_wr_successes > cfg->num_wr_checks)
		FAIL("num_wr_successes must be in 1..num_wr_checks");

	/* B_wr = next_pow2(ceil(alpha * l2) + 1), float64 product as in the POC.
	 * volatile keeps the multiply a plain double operation. */
	volatile double prod = (double) cfg->l2_norm_bound * cfg->alpha;
	double pr = prod;
	if (!(pr < 0x1p100))
		FAIL("alpha * l2_norm_bound too large");
	/* ceil without libm: truncate (pr > 0), step up for a fraction */
	pine_u128 ce = (pine_u128) pr;
	if ((double) ce < pr)
		ce += 1;
	pine_u128 B = 1;
	while (B < ce + 1)
		B <<= 1;
	/* 5. wraparound feasibility: p / r < 2, p / B < 2600, B^2 / p > 4000 */
	if (p < 2 * (pine_u128) cfg->num_wr_checks)
		FAIL("num_wr_checks too large for the field");
	if (B > p / 2600 || p - 2600 * B <= ((2600 * B) >> 50) + 1)
		FAIL("wraparound check bound too large for the field");
	{
		/* B = 2^k. B^2 > 4000 p  <=>  2^(2k) > 4000 p. */
		unsigned k = bitlen128(B) - 1;
		int too_big;
		if (2 * k >= 140) {
			too_big = 1; /* 4000 p < 2^140 for every field here */
		} else if (2 * k < 128) {
			pine_u128 b2 = (pine_u128) 1 << (2 * k);
			/* b2 > 4000 p  <=>  (b2 - 1) / 4000 >= p */
			too_big = (b2 - 1) / 4000 >= p;
		} else {
			/* 2^(2k) > 4000 p  <=>  2^e > 125 p with e = 2k - 5 in [123, 135).
			 * With q = floor(125 p / 256) this is 2^(e-8) > q. */
			unsigned e = 2 * k - 5;
			pine_u128 q = (p / 256) * 125 + ((p % 256) * 125) / 256;
			too_big = ((pine_u128) 1 << (e - 8)) > q;
		}
		if (too_big)
			FAIL("wraparound check bound too large for the field (B^2/p > 4000)");
	}

	P->sq_norm_bound[0] = (uint64_t) sq;
	P->sq_norm_bound[1] = (uint64_t) (sq >> 64);
	P->wr_check_bound[0] = (uint64_t) B;
	P->wr_check_bound[1] = (uint64_t) (B >> 64);
	P->num_bits_for_sq_norm = bitlen128(sq);
	P->num_bits_for_wr_check = bitlen128(2 * B - 1);

	/* batch cap: num * l2 <= (p - 1) / 2 */
	pine_u128 mm = ((p - 1) / 2) / cfg->l2_norm_bound;
	P->max_measurements = mm > UINT64_MAX ? UINT64_MAX : (uint64_t) mm;
	if (cfg->min_batch_size > P->max_measurements)
		FAIL("min_batch_size exceeds max_measurements (no batch could be released)");

	P->dimension = (size_t) cfg->dimension;
	P->num_wr_checks = cfg->num_wr_checks;
	P->num_wr_successes = cfg->num_wr_successes;
	P->grad_norm_len = P->dimension + 2 * (size_t) P->num_bits_for_sq_norm;
	P->bit_checked_len = 2 * (size_t) P->num_bits_for_sq_norm +
	                     ((size_t) P->num_bits_for_wr_check + 1) * P->num_wr_checks;
	P->meas_len = P->dimension + P->bit_checked_len;
	P->flp_meas_len = P->meas_len + P->num_wr_checks;
	P->wr_stream_len = P->num_wr_checks * ceil_div(P->dimension, 4);
	return PINE_OK;
}

static pine_status
normalise(pine_params *P, pine_config *cfg, const char **why)
{
	uint32_t def_proofs, def_ne;
	int fixed;

	if (cfg->draft != PINE_DRAFT_01 && cfg->draft != PINE_DRAFT_02)
		FAIL("unknown PINE draft (use -01 or -02)");
	switch (cfg->variant) {
	case PINE_VARIANT_PINE64:
		P->field = PINE_FIELD64;
		P->xof = PINE_XOF_TURBOSHAKE128;
		P->vdaf_id = 0xFFFFFFFFu;
		def_proofs = 2, def_ne = 1, fixed = 1;
		break;
	case PINE_VARIANT_PINE128:
		P->field = PINE_FIELD128;
		P->xof = PINE_XOF_TURBOSHAKE128;
		P->vdaf_id = 0xFFFFFFFFu;
		def_proofs = 1, def_ne = 1, fixed = 1;
		break;
	case PINE_VARIANT_PINE64_HMAC_SHA256_AES128:
		P->field = PINE_FIELD64;
		P->xof = PINE_XOF_HMAC_SHA256_AES128;
		P->vdaf_id = 0xFFFF1004u;
		def_proofs = 2, def_ne = 1, fixed = 0;
		break;
	case PINE_VARIANT_PINE32_HMAC_SHA256_AES128:
		P->field = PINE_FIELD32;
		P->xof = PINE_XOF_HMAC_SHA256_AES128;
		P->vdaf_id = 0xFFFF1005u;
		def_proofs = 5, def_ne = 1, fixed = 0;
		break;
	case PINE_VARIANT_PINE40_HMAC_SHA256_AES128:
		if (cfg->draft != PINE_DRAFT_02)
			FAIL("Pine40HmacSha256Aes128 exists only in draft -02");
		P->field = PINE_FIELD40;
		P->xof = PINE_XOF_HMAC_SHA256_AES128;
		P->vdaf_id = 0xFFFF1006u;
		def_proofs = 4, def_ne = 1, fixed = 0;
		break;
	default:
		FAIL("unknown PINE variant");
	}
	if (cfg->num_proofs == 0)
		cfg->num_proofs = def_proofs;
	if (cfg->num_proofs_norm_equality == 0)
		cfg->num_proofs_norm_equality = def_ne;
	if (cfg->num_proofs > 255 || cfg->num_proofs_norm_equality > 255)
		FAIL("number of proofs must be in 1..255");
	if (fixed && (cfg->num_proofs != def_proofs || cfg->num_proofs_norm_equality != def_ne))
		FAIL("Pine64 and Pine128 have fixed numbers of proofs");
	if (cfg->alpha == 0.0)
		cfg->alpha = PINE_DEFAULT_ALPHA;
	if (cfg->num_shares < 2 || cfg->num_shares > 255)
		FAIL("num_shares must be in 2..255");
	P->elem_size = pine_field_elem_size(P->field);
	P->seed_size = P->xof == PINE_XOF_TURBOSHAKE128 ? 16 : 32;
	P->num_shares = cfg->num_shares;
	P->num_proofs = cfg->num_proofs;
	P->num_proofs_ne = cfg->num_proofs_norm_equality;
	return PINE_OK;
}

pine_status
pine_optimal_chunk_lengths(const pine_config *in, uint64_t *chunk_length,
                           uint64_t *chunk_length_ne, const char **why)
{
	pine_params P;
	pine_config cfg = *in;
	pine_status st;

	memset(&P, 0, sizeof P);
	if ((st = normalise(&P, &cfg, why)) != PINE_OK)
		return st;
	if ((st = derive_encoding(&P, &cfg, why)) != PINE_OK)
		return st;
	unsigned g = gen_order_log2(P.field);
	size_t best = SIZE_MAX, best_c = 0, pp;
	size_t max_c = P.bit_checked_len + P.num_wr_checks;
	if (max_c > PINE_MAX_CHUNK_LENGTH)
		max_c = PINE_MAX_CHUNK_LENGTH;
	for (size_t c = 1; c <= max_c; c++) {
		size_t len = main_proof_len(P.bit_checked_len, P.num_wr_checks, c, g, &pp);
		if (len < best)
			best = len, best_c = c;
	}
	if (best_c == 0)
		FAIL("no usable chunk_length for this field");
	*chunk_length = best_c;
	best = SIZE_MAX, best_c = 0;
	max_c = P.dimension;
	if (max_c > PINE_MAX_CHUNK_LENGTH)
		max_c = PINE_MAX_CHUNK_LENGTH;
	for (size_t c = 1; c <= max_c; c++) {
		size_t len = ne_proof_len(P.dimension, c, g, &pp);
		if (len < best)
			best = len, best_c = c;
	}
	if (best_c == 0)
		FAIL("no usable chunk_length_norm_equality for this field");
	*chunk_length_ne = best_c;
	return PINE_OK;
}

static void
put_be64(uint8_t *o, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		o[i] = (uint8_t) v;
}

static void
put_be32(uint8_t *o, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		o[i] = (uint8_t) v;
}

/*
 * Canonical parameter encoding (64 bytes):
 *   0 format (1) | 1 variant | 2 num_shares | 3 num_proofs | 4 num_proofs_ne
 *   5 num_frac_bits | 6 draft (0 = -01, 1 = -02) | 7 zero | 8 be64 l2_norm_bound
 *   16 be64 dimension
 *   24 be64 chunk_length | 32 be64 chunk_length_ne | 40 be32 r
 *   44 be32 r_succ | 48 be64 IEEE-754 bits of alpha
 *   56 be64 min_batch_size (0 = none: digests from before it stay valid)
 */
void
pine_params_encode(const pine_params *P, uint8_t out[PINE_PARAMS_ENCODED_LEN])
{
	uint64_t abits;
	memset(out, 0, PINE_PARAMS_ENCODED_LEN);
	out[0] = 1;
	out[1] = (uint8_t) P->cfg.variant;
	out[2] = (uint8_t) P->num_shares;
	out[3] = (uint8_t) P->num_proofs;
	out[4] = (uint8_t) P->num_proofs_ne;
	out[5] = (uint8_t) P->cfg.num_frac_bits;
	out[6] = (uint8_t) P->cfg.draft; /* zero for -01: digests from before -02 stay valid */
	put_be64(out + 8, P->cfg.l2_norm_bound);
	put_be64(out + 16, P->cfg.dimension);
	put_be64(out + 24, P->cfg.chunk_length);
	put_be64(out + 32, P->cfg.chunk_length_norm_equality);
	put_be32(out + 40, P->cfg.num_wr_checks);
	put_be32(out + 44, P->cfg.num_wr_successes);
	memcpy(&abits, &P->cfg.alpha, sizeof abits);
	put_be64(out + 48, abits);
	put_be64(out + 56, P->cfg.min_batch_size);
}

pine_status
pine_params_init(pine_params *P, const pine_config *in, const char **why)
{
	pine_config cfg;
	pine_status st;
	unsigned g;
	size_t E, L, S, t1, t2;

	if (P == NULL || in == NULL)
		FAIL("NULL argument");
	memset(P, 0, sizeof *P);
	cfg = *in;
	if ((st = normalise(P, &cfg, why)) != PINE_OK)
		return st;
	if ((st = derive_encoding(P, &cfg, why)) != PINE_OK)
		return st;
	if (cfg.chunk_length == 0 || cfg.chunk_length > PINE_MAX_CHUNK_LENGTH)
		FAIL("chunk_length must be in 1..2^20");
	if (cfg.chunk_length_norm_equality == 0 ||
	    cfg.chunk_length_norm_equality > PINE_MAX_CHUNK_LENGTH)
		FAIL("chunk_length_norm_equality must be in 1..2^20");
	P->cfg = cfg;
	P->chunk_length = (size_t) cfg.chunk_length;
	P->chunk_length_ne = (size_t) cfg.chunk_length_norm_equality;
	g = gen_order_log2(P->field);

	P->proof_len_main = main_proof_len(P->bit_checked_len, P->num_wr_checks,
	                                   P->chunk_length, g, &P->p_main);
	if (P->proof_len_main == SIZE_MAX)
		FAIL("main circuit too large for the field's NTT (raise chunk_length)");
	P->calls_main = ceil_div(P->bit_checked_len, P->chunk_length) +
	                ceil_div(P->num_wr_checks, P->chunk_length);
	P->proof_len_ne = ne_proof_len(P->dimension, P->chunk_length_ne, g, &P->p_ne);
	if (P->proof_len_ne == SIZE_MAX)
		FAIL("norm-equality circuit too large for the field's NTT "
		     "(raise chunk_length_norm_equality)");
	P->calls_ne = ceil_div(P->dimension, P->chunk_length_ne);
	P->verifier_len_main = 2 * P->chunk_length + 2;
	P->verifier_len_ne = P->chunk_length_ne + 2;

	/* All of the following are bounded far below SIZE_MAX by the caps
	 * above (d <= 2^27, c <= 2^20, r <= 65535, proofs <= 255), but stay
	 * checked. */
	E = P->elem_size;
	L = P->seed_size;
	S = P->num_shares;
	if (!pine_mul_sz(P->proof_len_ne, P->num_proofs_ne, &t1) ||
	    !pine_mul_sz(P->proof_len_main, P->num_proofs, &t2) ||
	    !pine_add_sz(t1, t2, &P->proofs_len))
		FAIL("size overflow");
	if (!pine_mul_sz(P->verifier_len_ne, P->num_proofs_ne, &t1) ||
	    !pine_mul_sz(P->verifier_len_main, P->num_proofs, &t2) ||
	    !pine_add_sz(t1, t2, &P->verifiers_len))
		FAIL("size overflow");
	if (!pine_mul_sz(P->chunk_length_ne, P->num_proofs_ne, &t1) ||
	    !pine_mul_sz(2 * P->chunk_length, P->num_proofs, &t2) ||
	    !pine_add_sz(t1, t2, &P->prove_rands_len))
		FAIL("size overflow");
	P->query_rands_len = P->num_proofs_ne + P->num_proofs;
	P->joint_rands_len = 3 * (size_t) P->num_proofs;

	P->verify_key_len = L;
	P->nonce_len = PINE_NONCE_SIZE;
	P->rand_len = (1 + 2 * (S - 1) + 2 * S) * L;
	P->public_share_len = 2 * S * L;
	if (!pine_add_sz(P->meas_len, P->proofs_len, &t1) || !pine_mul_sz(t1, E, &t2) ||
	    !pine_add_sz(t2, 2 * L, &P->leader_input_share_len))
		FAIL("size overflow");
	P->helper_input_share_len = 4 * L;
	if (!pine_mul_sz(P->verifiers_len, E, &t1) ||
	    !pine_add_sz(t1, 2 * L, &P->prep_share_len))
		FAIL("size overflow");
	P->prep_msg_len = 2 * L;
	if (!pine_mul_sz(P->dimension, E, &P->out_share_len))
		FAIL("size overflow");
	P->agg_share_len = P->out_share_len;
	if (!pine_add_sz(P->out_share_len, PINE_STATE_HDR_LEN + 2 * L, &P->prep_state_len))
		FAIL("size overflow");
	P->helper_prep_state_len = PINE_STATE_HDR_LEN + 2 * L + 1 + L;
	P->leader_digest_state_len = PINE_STATE_HDR_LEN + 2 * L + PINE_STATE_INPUT_DIGEST_LEN;

	{
		uint8_t enc[PINE_PARAMS_ENCODED_LEN];
		pine_params_encode(P, enc);
		crypto_hash_sha256(P->digest, enc, sizeof enc);
	}
	return PINE_OK;
}

size_t
pine_input_share_len(const pine_params *P, uint32_t agg_id)
{
	return agg_id == 0 ? P->leader_input_share_len : P->helper_input_share_len;
}

size_t
pine_prep_state_len(const pine_params *P, uint32_t agg_id)
{
	return agg_id == 0 ? P->prep_state_len : P->helper_prep_state_len;
}

size_t
pine_prep_state_len_digest(const pine_params *P, uint32_t agg_id)
{
	return agg_id == 0 ? P->leader_digest_state_len : P->helper_prep_state_len;
}
