/*
 * pine_internal.h: shared internals of the PINE core (not a public API).
 */
#ifndef SECAGG_PINE_INTERNAL_H
#define SECAGG_PINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pine/dp_sampler.h"
#include "pine/pine.h"
#include "vdaf/field.h"
#include "vdaf/xof.h"

typedef unsigned __int128 pine_u128;

/* Usage numbers of the 7-byte PINE domain separation tag. */
enum {
	PINE_USAGE_MEAS_SHARE = 1,
	PINE_USAGE_PROOF_SHARE = 2,
	PINE_USAGE_JOINT_RANDOMNESS = 3,
	PINE_USAGE_PROVE_RANDOMNESS = 4,
	PINE_USAGE_QUERY_RANDOMNESS = 5,
	PINE_USAGE_JOINT_RAND_SEED = 6,
	PINE_USAGE_JOINT_RAND_PART = 7,
	PINE_USAGE_WR_JOINT_RANDOMNESS = 8,
	PINE_USAGE_WR_JOINT_RAND_SEED = 9,
	PINE_USAGE_WR_JOINT_RAND_PART = 10
};

#define PINE_VERSION 1
#define PINE_DST_LEN 7

/* Prep state header: a magic followed by the first 8 bytes of the parameter
 * digest. "PNs1": the body after the two joint-randomness seeds is the
 * encoded output share (the Leader's form; earlier versions also wrote it
 * for Helpers). "PNh1": the body is byte(agg_id) || the Helper's
 * measurement-share seed, re-expanded by prep_next. */
#define PINE_STATE_MAGIC "PNs1"
#define PINE_STATE_MAGIC_SEED "PNh1"
#define PINE_STATE_HDR_LEN 12

/* Field facts needed by parameter validation (modulus as 128-bit). */
pine_u128 pine_field_modulus(pine_field_id f);
unsigned pine_field_gen_order_log2(pine_field_id f);

static inline pine_u128 pine_u128_of(const uint64_t v[2])
{
	return ((pine_u128) v[1] << 64) | v[0];
}

/* 7-byte DST: byte(PINE_VERSION) || be32(id) || be16(usage). */
static inline void pine_dst(uint8_t out[PINE_DST_LEN], uint32_t id, uint16_t usage)
{
	out[0] = PINE_VERSION;
	out[1] = (uint8_t) (id >> 24);
	out[2] = (uint8_t) (id >> 16);
	out[3] = (uint8_t) (id >> 8);
	out[4] = (uint8_t) id;
	out[5] = (uint8_t) (usage >> 8);
	out[6] = (uint8_t) usage;
}

/* Checked size arithmetic: return 0 on overflow. */
static inline int pine_add_sz(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return 0;
	*out = a + b;
	return 1;
}

static inline int pine_mul_sz(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > SIZE_MAX / a)
		return 0;
	*out = a * b;
	return 1;
}

static inline void pine_set_why(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
}

/* ---- pine_encode.c ---- */

/* The vdaf field / XOF kind of a parameter set. */
const vdaf_field *pine_vdaf_field(const pine_params *P);
vdaf_xof_kind pine_vdaf_xof(const pine_params *P);

/* out[0 .. grad_norm_len) = g || bits(sq) || bits(sq_bound - sq).
 * PINE_ERR_MEASUREMENT / PINE_ERR_NORM on bad input. */
pine_status pine_encode_gradient_and_norm(const pine_params *P, const double *x,
                                          vdaf_elem *out, unsigned cheat, const char **why);

/* Test-only "malicious client" switches for pine_shard_impl (0 in
 * production): */
#define PINE_CHEAT_NORM 1u /* skip the client's norm checks; claim sq = bound if it does not fit */
#define PINE_CHEAT_WR 2u   /* claim success for every wraparound check */

pine_status pine_shard_impl(const pine_params *P, const double *measurement,
                            size_t meas_len, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *rand, size_t rand_len, uint8_t *public_share,
                            uint8_t *const *input_shares, unsigned cheat, const char **why);

/* res[k] = sum_j s_kj g_j for the r checks, reading r * ceil(d/4) bytes of
 * the (already started) XOF stream x. */
pine_status pine_run_wr_checks(const pine_params *P, const vdaf_elem *grad,
                               vdaf_xof *x, vdaf_elem *res, const char **why);

/* The same with an explicit kernel (tests): */
#define PINE_WR_KERNEL_AUTO 0
#define PINE_WR_KERNEL_SCALAR 1
#define PINE_WR_KERNEL_SSE2 2   /* falls back to AUTO where unavailable */
pine_status pine_run_wr_checks_with(const pine_params *P, const vdaf_elem *grad,
                                    vdaf_xof *x, vdaf_elem *res, int which,
                                    const char **why);

/* Client: out[0 .. (n_wr + 1) r) = the wraparound bits and success bits for
 * the results res. PINE_RETRY if any check is out of range. */
pine_status pine_encode_wr_checks(const pine_params *P, const vdaf_elem *res,
                                  vdaf_elem *out, unsigned cheat, const char **why);

/* ---- pine_dp.c ---- */

/* pine_dp_add_noise with a given randomness source (tests: dp_test_rng). */
pine_status pine_dp_add_noise_rng(const pine_params *P, pine_dp_mechanism mech, double scale,
                                  uint8_t *agg_share, size_t len, const dp_rng *rng,
                                  const char **why);

/* Signed decode of a canonical field value (128-bit lo, hi) to a double. */
double pine_decode_value(const pine_params *P, const uint64_t v[2]);

#endif
