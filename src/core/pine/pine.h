/*
 * pine.h: the PINE VDAF (draft-chen-cfrg-vdaf-pine-01 and -02, POC
 * semantics), a pure C11 core without PostgreSQL headers.
 *
 * Variants: Pine64 (Field64 + XofTurboShake128, 2+1 proofs),
 * Pine128 (Field128 + XofTurboShake128, 1+1 proofs),
 * Pine64HmacSha256Aes128 (Field64, default 2+1 proofs, configurable),
 * Pine32HmacSha256Aes128 (Field32, default 5+1 proofs, configurable),
 * and under draft -02 only Pine40HmacSha256Aes128 (Field40, default 4+1
 * proofs, configurable). Any number of Aggregators from 2 to 255.
 *
 * Drafts: -01 and -02 differ only in the float encoding (-01 floors
 * x * 2^num_frac_bits, -02 rounds it to nearest, ties to even) and in the
 * variant -02 adds. Nothing on the wire tells them apart; the draft is part
 * of the parameters (and of their digest).
 *
 * Conventions
 *  - Every function returns a pine_status. PINE_OK is 0. On failure an
 *    optional `why` out-parameter (may be NULL) receives a static,
 *    secret-free English message. Nothing is printed, nothing aborts.
 *  - Output buffers are supplied by the caller. Their sizes are fixed by
 *    the parameters and are found in pine_params (the *_len fields).
 *    Every input carries its length and is checked exactly: a wrong
 *    length, trailing bytes or a non-canonical field element is an error.
 *  - Scratch memory is malloc'ed internally and freed before returning;
 *    secrets in scratch memory are wiped.
 *  - All functions are reentrant; a pine_params is read-only after init.
 */
#ifndef SECAGG_PINE_H
#define SECAGG_PINE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pine_status {
	PINE_OK = 0,
	PINE_ERR_PARAM,        /* invalid parameters (or a parameter/state mismatch) */
	PINE_ERR_MALFORMED,    /* malformed input: wrong length, trailing bytes, bad header */
	PINE_ERR_NONCANONICAL, /* a field element encoding is not < p */
	PINE_ERR_MEASUREMENT,  /* client measurement unusable: NaN, infinity, subnormal, too large */
	PINE_ERR_NORM,         /* client measurement's L2 norm exceeds the bound */
	PINE_RETRY,            /* shard only: wraparound checks failed; call again with fresh rand */
	PINE_REJECT,           /* the report is invalid (verification failed) */
	PINE_ERR_NOMEM,        /* out of memory */
	PINE_ERR_INTERNAL,     /* crypto library failure or an impossible condition */
	PINE_ERR_INTERRUPTED,  /* the host asked the call to stop (common/interrupt.h) */
	PINE_ERR_BATCH_SIZE,   /* unshard: fewer reports than the parameters' min_batch_size */
	PINE_ERR_STATE_MISMATCH /* prep_next: the input share is not the one the prep state was made from */
} pine_status;

/*
 * Why a report was rejected (pine_prep_shares_to_prep_reason and
 * pine_prep_next_reason). Each value names the check that failed first, in
 * the order the checks run. The main circuit combines its bit checks, the
 * norm range check, the wraparound checks and their success count into one
 * value with random coefficients (draft section "The FLP Circuit"), so the
 * prep shares cannot tell those apart: one reason covers them.
 */
typedef enum pine_reject_reason {
	PINE_REASON_NONE = 0,
	/* the norm-equality FLP: a gadget check failed (the proof does not
	 * match the circuit: a tampered or corrupted proof share) */
	PINE_REASON_NORM_EQUALITY_PROOF,
	/* the norm-equality circuit is non-zero: the claimed squared norm is not
	 * the gradient's (a client hiding a norm over the bound) */
	PINE_REASON_NORM_EQUALITY_CHECK,
	/* the main FLP: a gadget check failed */
	PINE_REASON_MAIN_PROOF,
	/* the main circuit is non-zero: bit checks, norm range check, wraparound
	 * checks or their success count (a client claiming checks it failed) */
	PINE_REASON_RANGE_AND_WRAPAROUND_CHECKS,
	/* prep_next: the prep message's wraparound joint-randomness seed is not
	 * this Aggregator's */
	PINE_REASON_WRAPAROUND_JOINT_RAND_SEED,
	/* prep_next: the verification joint-randomness seed differs */
	PINE_REASON_JOINT_RAND_SEED
} pine_reject_reason;

/* The reason's stable name ("norm_equality_proof", ...; NULL for NONE or an
 * unknown value). These are the values of the SQL functions' reject_reason. */
const char *pine_reject_reason_name(pine_reject_reason r);

/* Static description of a status code (never NULL). */
const char *pine_strerror(pine_status st);

typedef enum pine_variant {
	PINE_VARIANT_PINE64 = 0,
	PINE_VARIANT_PINE128 = 1,
	PINE_VARIANT_PINE64_HMAC_SHA256_AES128 = 2,
	PINE_VARIANT_PINE32_HMAC_SHA256_AES128 = 3,
	PINE_VARIANT_PINE40_HMAC_SHA256_AES128 = 4  /* draft -02 only */
} pine_variant;

typedef enum pine_field_id {
	PINE_FIELD64 = 0,
	PINE_FIELD128 = 1,
	PINE_FIELD32 = 2,
	PINE_FIELD40 = 3
} pine_field_id;

/* The draft whose semantics apply. Zero is -01, so a zeroed config is -01. */
typedef enum pine_draft {
	PINE_DRAFT_01 = 0, /* float encoding floor(x * 2^num_frac_bits) */
	PINE_DRAFT_02 = 1  /* float encoding round(x * 2^num_frac_bits), ties to even */
} pine_draft;

typedef enum pine_xof_id {
	PINE_XOF_TURBOSHAKE128 = 0,
	PINE_XOF_HMAC_SHA256_AES128 = 1
} pine_xof_id;

#define PINE_NONCE_SIZE 16
#define PINE_MAX_SEED_SIZE 32
#define PINE_DEFAULT_ALPHA 8.7
#define PINE_DEFAULT_NUM_WR_CHECKS 100
#define PINE_DEFAULT_NUM_WR_SUCCESSES 100
/* Hard caps (parameter validation). */
#define PINE_MAX_DIMENSION ((uint64_t) 1 << 27)
#define PINE_MAX_CHUNK_LENGTH ((uint64_t) 1 << 20)
#define PINE_MAX_WR_CHECKS 65535u

/* User parameters. Zero in num_proofs / num_proofs_norm_equality means
 * "the variant's default"; alpha 0.0 means 8.7. num_wr_checks and
 * num_wr_successes have no implicit default: pass 100/100 for the draft's
 * defaults. */
typedef struct pine_config {
	pine_draft draft;       /* PINE_DRAFT_01 or PINE_DRAFT_02 */
	pine_variant variant;
	uint64_t l2_norm_bound; /* already in fixed point (an integer, as in the draft's code) */
	uint32_t num_frac_bits; /* 0..127 */
	uint64_t dimension;     /* d >= 1 */
	uint64_t chunk_length;  /* main circuit ParallelSum(Mul) chunk, >= 1 */
	uint64_t chunk_length_norm_equality; /* NE circuit ParallelSum(x^2) chunk, >= 1 */
	uint32_t num_shares;    /* 2..255 */
	uint32_t num_proofs;    /* main FLP proofs, 1..255 (0 = default) */
	uint32_t num_proofs_norm_equality; /* NE FLP proofs, 1..255 (0 = default) */
	double alpha;           /* > 0, finite (0.0 = 8.7) */
	uint32_t num_wr_checks;     /* r, 1..65535 */
	uint32_t num_wr_successes;  /* r_succ, 1..r */
	uint64_t min_batch_size;    /* 0: none; else pine_unshard refuses smaller batches
	                             * (at most max_measurements; in the digest) */
} pine_config;

/* Validated parameters and every derived quantity. Treat as read-only. */
typedef struct pine_params {
	pine_config cfg;        /* normalised copy (defaults filled in) */
	pine_field_id field;
	pine_xof_id xof;
	uint32_t vdaf_id;
	uint32_t num_shares, num_proofs, num_proofs_ne;
	size_t elem_size;       /* ENCODED_SIZE: 4, 5, 8 or 16 */
	size_t seed_size;       /* 16 (TurboSHAKE) or 32 (HMAC-SHA256/AES) */

	/* Encoding */
	uint64_t sq_norm_bound[2];  /* l2^2 as 128-bit little-endian (lo, hi) */
	uint64_t wr_check_bound[2]; /* B_wr as 128-bit (lo, hi), a power of two */
	uint32_t num_bits_for_sq_norm;  /* n_sq */
	uint32_t num_bits_for_wr_check; /* n_wr */
	uint64_t max_measurements; /* largest batch whose sum decodes exactly */

	/* Lengths in field elements */
	size_t dimension;        /* d (= OUTPUT_LEN) */
	size_t grad_norm_len;    /* d + 2 n_sq (wraparound joint-rand scope) */
	size_t bit_checked_len;  /* 2 n_sq + (n_wr + 1) r */
	size_t meas_len;         /* MEAS_LEN = d + bit_checked_len */
	size_t flp_meas_len;     /* MEAS_LEN + r */
	size_t num_wr_checks, num_wr_successes;
	size_t chunk_length, chunk_length_ne;
	size_t calls_main, calls_ne;    /* gadget calls */
	size_t p_main, p_ne;            /* NTT sizes */
	size_t proof_len_main, proof_len_ne;
	size_t verifier_len_main, verifier_len_ne;
	size_t proofs_len;       /* all proofs, NE first */
	size_t verifiers_len;    /* all verifiers, NE first */
	size_t prove_rands_len, query_rands_len, joint_rands_len;
	size_t wr_stream_len;    /* r * ceil(d / 4) bytes */

	/* Message sizes in bytes */
	size_t verify_key_len;
	size_t nonce_len;
	size_t rand_len;
	size_t public_share_len;
	size_t leader_input_share_len;
	size_t helper_input_share_len;
	size_t prep_share_len;
	size_t prep_msg_len;
	size_t prep_state_len;   /* the Leader's: header, two seeds, output share */
	size_t helper_prep_state_len; /* a Helper's: header, two seeds, id, seed */
	size_t leader_digest_state_len; /* the Leader's digest form: header, two seeds, SHA-256 of its input share */
	size_t out_share_len;    /* d * elem_size */
	size_t agg_share_len;    /* d * elem_size */

	uint8_t digest[32];      /* SHA-256 of the canonical parameter encoding */
} pine_params;

/* Validate a configuration and derive everything. */
pine_status pine_params_init(pine_params *params, const pine_config *cfg,
                             const char **why);

/* Fill a config with the draft's defaults for a variant (r = r_succ = 100,
 * alpha = 8.7, default proof counts, 2 shares); the caller sets
 * l2_norm_bound, num_frac_bits, dimension and the chunk lengths. */
void pine_config_defaults(pine_config *cfg, pine_variant variant);

/* Chunk lengths that minimise the proof size for a configuration (the
 * config's own chunk lengths are ignored). Returns PINE_ERR_PARAM if the
 * rest of the configuration is invalid. */
pine_status pine_optimal_chunk_lengths(const pine_config *cfg,
                                       uint64_t *chunk_length,
                                       uint64_t *chunk_length_norm_equality,
                                       const char **why);

/* Canonical encoding of the parameters (fixed 64 bytes; see pine_params.c). */
#define PINE_PARAMS_ENCODED_LEN 64
void pine_params_encode(const pine_params *params,
                        uint8_t out[PINE_PARAMS_ENCODED_LEN]);

/* Input share size for an Aggregator (leader = 0). */
size_t pine_input_share_len(const pine_params *params, uint32_t agg_id);

/* Prep state size written by pine_prep_init for an Aggregator (leader = 0):
 * prep_state_len for the Leader, helper_prep_state_len for a Helper. */
size_t pine_prep_state_len(const pine_params *params, uint32_t agg_id);

/*
 * Client. measurement: `meas_len` doubles (must equal d). nonce: 16 bytes.
 * rand: params->rand_len fresh random bytes. public_share:
 * params->public_share_len bytes. input_shares[j]: pine_input_share_len(j)
 * bytes, for j = 0 .. num_shares-1.
 * Returns PINE_RETRY when the wraparound checks did not succeed (the draft's
 * "retry"): call again with fresh rand (a few attempts are plenty; an
 * honest client fails with probability about 2^-100). PINE_ERR_NORM and
 * PINE_ERR_MEASUREMENT are final.
 */
pine_status pine_shard(const pine_params *params, const double *measurement,
                       size_t meas_len, const uint8_t *nonce, size_t nonce_len,
                       const uint8_t *rand, size_t rand_len,
                       uint8_t *public_share, uint8_t *const *input_shares,
                       const char **why);

/*
 * Aggregator, round 1. Writes pine_prep_state_len(params, agg_id) bytes of
 * state and params->prep_share_len bytes of prep share. The Leader's state
 * holds its output share; a Helper's holds only its measurement-share seed
 * (prep_next expands it again: one XOF pass instead of carrying d elements). PINE_REJECT here only for the
 * negligible "query randomness hit a root of unity" case.
 */
pine_status pine_prep_init(const pine_params *params, const uint8_t *verify_key,
                           size_t verify_key_len, uint32_t agg_id,
                           const uint8_t *nonce, size_t nonce_len,
                           const uint8_t *public_share, size_t public_share_len,
                           const uint8_t *input_share, size_t input_share_len,
                           uint8_t *prep_state, uint8_t *prep_share,
                           const char **why);

/*
 * pine_prep_init with the Leader's state in the digest form
 * (pine_prep_state_len_digest(params, 0) = params->leader_digest_state_len
 * bytes): the two joint-randomness seeds and the SHA-256 digest of its input
 * share, in place of its output share (d encoded elements). Finish it with
 * pine_prep_next_input, passing the same input share again: the output
 * share is its first d elements. A Helper's state is the seed form either
 * way. Prep shares are those of pine_prep_init.
 */
pine_status pine_prep_init_digest(const pine_params *params, const uint8_t *verify_key,
                                  size_t verify_key_len, uint32_t agg_id,
                                  const uint8_t *nonce, size_t nonce_len,
                                  const uint8_t *public_share, size_t public_share_len,
                                  const uint8_t *input_share, size_t input_share_len,
                                  uint8_t *prep_state, uint8_t *prep_share,
                                  const char **why);
/* The state size pine_prep_init_digest writes for an Aggregator. */
size_t pine_prep_state_len_digest(const pine_params *params, uint32_t agg_id);

/*
 * Combine the prep shares of all num_shares Aggregators (in Aggregator
 * order) into the prep message (params->prep_msg_len bytes).
 * PINE_REJECT: the report is invalid (a proof failed to verify).
 */
pine_status pine_prep_shares_to_prep(const pine_params *params,
                                     const uint8_t *const *prep_shares,
                                     const size_t *prep_share_lens,
                                     size_t num_prep_shares, uint8_t *prep_msg,
                                     const char **why);

/* The same, saying why a report is rejected: *reason (may be NULL) is
 * PINE_REASON_NONE unless PINE_REJECT is returned for a failed proof. */
pine_status pine_prep_shares_to_prep_reason(const pine_params *params,
                                            const uint8_t *const *prep_shares,
                                            const size_t *prep_share_lens,
                                            size_t num_prep_shares, uint8_t *prep_msg,
                                            pine_reject_reason *reason, const char **why);

/*
 * Finish preparation: checks that the prep message's joint-randomness seeds
 * match the state's (constant time). Writes the output share
 * (params->out_share_len bytes, encoded field elements).
 * PINE_REJECT: seeds differ (inconsistent joint randomness).
 */
pine_status pine_prep_next(const pine_params *params, const uint8_t *prep_state,
                           size_t prep_state_len, const uint8_t *prep_msg,
                           size_t prep_msg_len, uint8_t *out_share,
                           const char **why);
/* The same, saying which seed differs on PINE_REJECT (*reason may be NULL). */
pine_status pine_prep_next_reason(const pine_params *params, const uint8_t *prep_state,
                                  size_t prep_state_len, const uint8_t *prep_msg,
                                  size_t prep_msg_len, uint8_t *out_share,
                                  pine_reject_reason *reason, const char **why);

/*
 * pine_prep_next_reason for a state of any form, given the Aggregator's
 * input share (input_share may be NULL, and is not read, for a state not in
 * the digest form). For the Leader's digest form the input share must have
 * the Leader's length (PINE_ERR_MALFORMED) and the digest the state holds
 * (compared in constant time, before the prep message:
 * PINE_ERR_STATE_MISMATCH); the output share is its first d elements.
 * Without an input share a digest-form state is PINE_ERR_PARAM.
 */
pine_status pine_prep_next_input(const pine_params *params, const uint8_t *prep_state,
                                 size_t prep_state_len, const uint8_t *input_share,
                                 size_t input_share_len, const uint8_t *prep_msg,
                                 size_t prep_msg_len, uint8_t *out_share,
                                 pine_reject_reason *reason, const char **why);

/* Whether a prep state (checked by pine_prep_state_check) is the Leader's
 * digest form, which needs the input share to finish. */
int pine_prep_state_is_digest(const uint8_t *prep_state, size_t prep_state_len);

/* The input-share checks of pine_prep_next_input alone (the same status
 * codes); PINE_OK for a state not in the digest form. */
pine_status pine_prep_state_check_input(const pine_params *params, const uint8_t *prep_state,
                                        size_t prep_state_len, const uint8_t *input_share,
                                        size_t input_share_len, const char **why);

/* Validate a prep state's encoding (header, digest, length, elements or
 * Helper id). Three forms exist, told apart by the magic: the output-share
 * form (params->prep_state_len bytes; the Leader's of pine_prep_init, and a
 * Helper's from secagg 0.2.0), the seed form (params->helper_prep_state_len
 * bytes; a Helper's since 0.2.1) and the Leader's digest form
 * (params->leader_digest_state_len bytes; pine_prep_init_digest).
 * pine_prep_next accepts the first two, pine_prep_next_input all three. */
pine_status pine_prep_state_check(const pine_params *params,
                                  const uint8_t *prep_state,
                                  size_t prep_state_len, const char **why);

/* Aggregate share accumulation over encoded bytes. */
/* Zero an accumulator of params->agg_share_len bytes. */
void pine_agg_init(const pine_params *params, uint8_t *agg);
/* agg += share (element-wise mod p). Both must be agg_share_len /
 * out_share_len bytes; every element of `share` must be canonical. On error
 * the accumulator is left unchanged. */
pine_status pine_agg_add(const pine_params *params, uint8_t *agg, size_t agg_len,
                         const uint8_t *share, size_t share_len, const char **why);
/* Low-level fold on encoded vectors of n elements: acc += src (mod p).
 * `src` is validated (canonical) before anything is written; `acc` is assumed
 * canonical (the caller's own state). */
pine_status pine_vec_add_encoded(pine_field_id field, uint8_t *acc,
                                 const uint8_t *src, size_t n);
/* PINE_OK if all n encoded elements are < p, else PINE_ERR_NONCANONICAL
 * (PINE_ERR_PARAM for an unknown field). */
pine_status pine_vec_check_encoded(pine_field_id field, const uint8_t *v, size_t n);
/* Bytes of one encoded element of the field (0 for an unknown field). */
size_t pine_field_elem_size(pine_field_id f);

/*
 * Collector. agg_shares: num_agg_shares (== num_shares) encoded aggregate
 * shares. num_measurements: the batch size; it must not exceed
 * params->max_measurements (otherwise the sum may not decode exactly), and
 * must be at least cfg.min_batch_size if that is set (PINE_ERR_BATCH_SIZE).
 * Writes d doubles.
 */
pine_status pine_unshard(const pine_params *params,
                         const uint8_t *const *agg_shares,
                         const size_t *agg_share_lens, size_t num_agg_shares,
                         uint64_t num_measurements, double *result,
                         const char **why);

/* ---- Differential privacy on aggregate shares (pine_dp.c) ---- */

typedef enum pine_dp_mechanism {
	PINE_DP_DISCRETE_GAUSSIAN = 1, /* scale = sigma */
	PINE_DP_DISCRETE_LAPLACE = 2   /* scale = t: P[y] proportional to exp(-|y| / t) */
} pine_dp_mechanism;

/* The noise scale, in the encoded (fixed-point integer) domain, for one
 * release of one batch under the parameters' L2 bound B (the sensitivity):
 *  - Gaussian, delta > 0: (epsilon, delta)-DP through rho-zCDP,
 *    sigma = B / sqrt(2 rho), rho = (sqrt(epsilon + ln(1/delta)) - sqrt(ln(1/delta)))^2;
 *  - Gaussian, delta = 0: rho-zCDP with rho = epsilon^2 / 2, sigma = B / epsilon;
 *  - Laplace (delta must be 0): epsilon-DP, t = min(sqrt(d) B, B^2) / epsilon.
 * Each is raised by a factor 1 + 2^-40 against rounding. PINE_ERR_PARAM for
 * epsilon <= 0, delta outside [0, 1), or a scale too large for the field. */
pine_status pine_dp_scale(const pine_params *params, pine_dp_mechanism mech,
                          double epsilon, double delta, double *scale,
                          const char **why);

/* Adds independent noise of the mechanism and scale to each of the d
 * coordinates of an encoded aggregate share (agg_share_len bytes), mod p,
 * with randomness from libsodium. The share is checked first (canonical);
 * on error it is unchanged. 128 * scale must stay below p / 2. */
pine_status pine_dp_add_noise(const pine_params *params, pine_dp_mechanism mech,
                              double scale, uint8_t *agg_share, size_t len,
                              const char **why);

/* ---- Lower-level helpers (exposed for tests and tooling) ---- */

/* Encode one float entry as a signed integer: floor(x * 2^nfb) under
 * draft -01, round(x * 2^nfb) with ties to even under -02. Rejects NaN,
 * infinities, subnormals and |x * 2^nfb| >= 2^62 (PINE_ERR_MEASUREMENT),
 * and an unknown draft or nfb >= 128 (PINE_ERR_PARAM). */
pine_status pine_encode_entry(double x, uint32_t num_frac_bits, pine_draft draft,
                              int64_t *out);
/* Decode a signed fixed-point integer to a double (exact up to one rounding). */
double pine_decode_signed(int64_t v, uint32_t num_frac_bits);

#ifdef __cplusplus
}
#endif

#endif
