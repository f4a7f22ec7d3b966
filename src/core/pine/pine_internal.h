/*
 * pine_internal.h: what the files of the PINE core share (not a public
 * API): domain separation, the prep state layout, and each file's
 * functions for the others. 128-bit helpers: pine_u128.h; checked size
 * arithmetic: pine_checked.h; entry points for tests: pine_testing.h.
 */
#ifndef SECAGG_PINE_INTERNAL_H
#define SECAGG_PINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "pine/pine.h"
#include "pine/pine_checked.h"
#include "pine/pine_u128.h"
#include "vdaf/field.h"
#include "vdaf/xof.h"

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

/* The 7-byte DST of a usage: vdaf_dst_pine (vdaf/xof.h) with version 1. */
#define PINE_DST_LEN VDAF_DST_PINE_LEN

/* Prep state header: a magic followed by the first 8 bytes of the parameter
 * digest. "PNs1": the body after the two joint-randomness seeds is the
 * encoded output share (the Leader's form of pine_prep_init; earlier
 * versions also wrote it for Helpers). "PNh1": the body is byte(agg_id) ||
 * the Helper's measurement-share seed, re-expanded by prep_next. "PNl1":
 * the body is SHA-256(the Leader's input share), whose first d elements
 * prep_next takes as the output share (pine_prep_init_digest). */
#define PINE_STATE_MAGIC "PNs1"
#define PINE_STATE_MAGIC_SEED "PNh1"
#define PINE_STATE_MAGIC_DIGEST "PNl1"
#define PINE_STATE_INPUT_DIGEST_LEN 32
#define PINE_STATE_HDR_LEN 12

/* *why = msg, unless why is NULL. */
static inline void
pine_set_why(const char **why, const char *msg)
{
	if (why != NULL)
		*why = msg;
}

/* Elements per chunk when streaming a share through the joint-rand XOFs. */
#define STREAM_CHUNK 2048

/* ---- pine_xof.c ---- */

/* n zeroed elements (at least one); NULL on overflow or out of memory. */
vdaf_elem *pine_elems_alloc(size_t n);
/* Wipes and frees n elements (v may be NULL). */
void pine_elems_free(vdaf_elem *v, size_t n);
/* A VDAF_* code as a pine_status, with *why. */
pine_status pine_map_vdaf(int rc, const char **why);
/* A fresh XOF with seed and dst(usage). */
int pine_xof_start(const pine_params *P, vdaf_xof *x, const uint8_t *seed, uint16_t usage);
/* expand_into_vec(seed, dst(usage), binder, n) */
int pine_expand(const pine_params *P, const uint8_t *seed, uint16_t usage,
                const uint8_t *binder, size_t binder_len, vdaf_elem *out, size_t n);
/* joint_rand_seed(parts, usage) = derive_seed(zeros, dst(usage), concat(parts)) */
int pine_joint_rand_seed(const pine_params *P, const uint8_t *parts, uint16_t usage, uint8_t *out);
/* The wraparound and verification joint-randomness parts of one share (see pine_xof.c). */
int pine_share_parts(const pine_params *P, uint8_t agg_id, const uint8_t *nonce,
                     const uint8_t *expand_seed, vdaf_elem *share,
                     const uint8_t *wr_blind, uint8_t *wr_part,
                     const uint8_t *vf_blind, uint8_t *vf_part);
/* The wraparound results for a (share of the) gradient under wr_seed. */
pine_status pine_wr_results(const pine_params *P, const uint8_t *wr_seed,
                            const vdaf_elem *grad, vdaf_elem *res, const char **why);
/* The verification joint randomness from its seed. */
int pine_vf_joint_rands(const pine_params *P, const uint8_t *vf_seed, vdaf_elem *jr);
/* A Helper's proofs share, expanded from its seed. */
int pine_helper_proofs_share(const pine_params *P, uint8_t agg_id, const uint8_t *seed,
                             vdaf_elem *out);

/* ---- pine_prep_state.c ---- */

/* The three forms of a prep state (the layout above). */
typedef enum pine_state_form {
	PINE_FORM_OUTPUT, /* "PNs1": the Leader's output share (0.3.0, plain pine_prep_init) */
	PINE_FORM_SEED,   /* "PNh1": a Helper's measurement-share seed */
	PINE_FORM_DIGEST  /* "PNl1": SHA-256 of the Leader's input share */
} pine_state_form;

/* Writes Aggregator agg_id's state after prep_init (the Leader's in the
 * digest form if digest_form) from the two seeds and its measurement share
 * meas (output form) or input share (digest and seed forms). */
pine_status pine_prep_state_write(const pine_params *P, uint32_t agg_id, int digest_form,
                                  const uint8_t *wr_seed, const uint8_t *vf_seed,
                                  const vdaf_elem *meas, const uint8_t *input_share,
                                  size_t input_share_len, uint8_t *prep_state, const char **why);
/* The form of a state; PINE_OK only if its length, parameters and body are valid. */
pine_status pine_prep_state_form(const pine_params *P, const uint8_t *state, size_t len,
                                 pine_state_form *form, const char **why);
/* A digest-form state's input share: the Leader's length and, in constant
 * time, the digest the state holds (PINE_ERR_STATE_MISMATCH otherwise). */
pine_status pine_prep_state_input_match(const pine_params *P, const uint8_t *state,
                                        const uint8_t *input_share, size_t input_share_len,
                                        const char **why);

/* ---- pine_params.c ---- */

/* The vdaf field of a PINE field id; NULL for an unknown id. */
const vdaf_field *pine_field_vdaf(pine_field_id f);
/* The vdaf field / XOF kind of a parameter set. */
const vdaf_field *pine_vdaf_field(const pine_params *P);
vdaf_xof_kind pine_vdaf_xof(const pine_params *P);

/* ---- pine_encode.c ---- */

/* out[0 .. grad_norm_len) = g || bits(sq) || bits(sq_bound - sq).
 * PINE_ERR_MEASUREMENT / PINE_ERR_NORM on bad input. */
pine_status pine_encode_gradient_and_norm(const pine_params *P, const double *x,
                                          vdaf_elem *out, unsigned cheat, const char **why);

/* res[k] = sum_j s_kj g_j for the r checks, reading r * ceil(d/4) bytes of
 * the (already started) XOF stream x. */
pine_status pine_run_wr_checks(const pine_params *P, const vdaf_elem *grad,
                               vdaf_xof *x, vdaf_elem *res, const char **why);

/* Client: out[0 .. (n_wr + 1) r) = the wraparound bits and success bits for
 * the results res. PINE_RETRY if any check is out of range. */
pine_status pine_encode_wr_checks(const pine_params *P, const vdaf_elem *res,
                                  vdaf_elem *out, unsigned cheat, const char **why);

/* ---- pine_dp.c ---- */

/* Signed decode of a canonical field value (128-bit lo, hi) to a double. */
double pine_decode_value(const pine_params *P, const uint64_t v[2]);

#endif
