/*
 * flp.h: the fully linear proof of BBCGGI19 as in draft-irtf-cfrg-vdaf-11 §7.3
 * (prove / query / decide), for any validity circuit built from the gadgets
 * Mul, Range2 and PolyEval, each optionally wrapped as ParallelSum(G, n).
 *
 * A validity circuit is a vdaf_valid: sizes, a gadget list and an eval
 * callback. The callback computes the circuit on a measurement (or a share
 * of one) and must route EVERY non-affine operation through
 * vdaf_flp_gadget_call(), exactly gadgets[i].calls times for gadget i, in a
 * deterministic order. Constant terms must be multiplied by 1/num_shares.
 *
 *   static int my_eval(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *meas,
 *                      const vdaf_elem *jr, size_t num_shares, vdaf_elem *out)
 *   {
 *       vdaf_elem in[2] = { meas[0], meas[0] }, sq;
 *       int rc = vdaf_flp_gadget_call(g, 0, in, &sq);       // Mul(x, x)
 *       if (rc != VDAF_OK) return rc;
 *       out[0] = v->field->sub(sq, meas[0]);
 *       return VDAF_OK;
 *   }
 *   vdaf_valid count = { .field = &vdaf_field64, .meas_len = 1, .eval_output_len = 1,
 *       .num_gadgets = 1, .gadgets = { { .kind = VDAF_GADGET_MUL, .parallel = 1, .calls = 1 } },
 *       .eval = my_eval };
 *
 * Layouts (all in field elements):
 *   prove_rand  : PROVE_RAND_LEN = sum_i arity_i, gadget order (wire seeds)
 *   query_rand  : QUERY_RAND_LEN = [r_out if eval_output_len > 1] then one t per gadget
 *   proof       : PROOF_LEN = for each gadget: seeds (arity_i) || gadget poly
 *                 coefficients (degree_i * (P_i - 1) + 1, lowest first, always
 *                 full length), P_i = next_pow2(1 + calls_i)
 *   verifier    : VERIFIER_LEN = [v] || for each gadget: x_0..x_{arity-1} || y
 * Multiple proofs (VDAF-11 PROOFS, PINE PROOFS/PROOFS_NE): the *_multi
 * functions take num_proofs consecutive slices of every randomness input
 * (prove_rand, joint_rand, query_rand) and concatenate proofs / verifiers.
 *
 * Memory: prove needs O(sum_i arity_i * P_i) scratch, query similar; both
 * allocate and free internally (VDAF_ERR_NOMEM on failure).
 */
#ifndef SECAGG_VDAF_FLP_H
#define SECAGG_VDAF_FLP_H

#include <stddef.h>
#include <stdint.h>

#include "vdaf/field.h"

typedef enum {
	VDAF_GADGET_MUL = 1,       /* arity 2, degree 2: x0 * x1 */
	VDAF_GADGET_RANGE2 = 2,    /* arity 1, degree 2: x0^2 - x0 */
	VDAF_GADGET_POLY_EVAL = 3  /* arity 1, degree = highest non-zero coeff: sum c_j x0^j */
} vdaf_gadget_kind;

#define VDAF_POLY_EVAL_MAX_COEFFS 8
#define VDAF_FLP_MAX_GADGETS 4

/* A gadget G, used as ParallelSum(G, parallel): arity = parallel * arity(G),
 * output = sum over the parallel slots of G on consecutive input slices.
 * parallel = 1 is G itself. PINE: { MUL, parallel = c } and
 * { POLY_EVAL, parallel = c_ne, coeffs = {0, 0, 1} }. */
typedef struct {
	vdaf_gadget_kind kind;
	size_t parallel;                          /* >= 1 */
	size_t calls;                             /* GADGET_CALLS (M_i), >= 1 */
	size_t num_coeffs;                        /* POLY_EVAL only */
	int64_t coeffs[VDAF_POLY_EVAL_MAX_COEFFS]; /* POLY_EVAL only, c_0 first */
} vdaf_gadget;

/* Opaque per-evaluation state handed to the circuit's eval callback. */
typedef struct vdaf_flp_ctx vdaf_flp_ctx;

typedef struct vdaf_valid vdaf_valid;

/* Evaluate the circuit on meas (meas_len elements) with joint randomness jr
 * (joint_rand_len elements) for num_shares shares; write eval_output_len
 * outputs to out. Return VDAF_OK or an error (propagate the return code of
 * vdaf_flp_gadget_call). */
typedef int (*vdaf_valid_eval_fn)(const vdaf_valid *v, vdaf_flp_ctx *g,
                                  const vdaf_elem *meas, const vdaf_elem *jr,
                                  size_t num_shares, vdaf_elem *out);

struct vdaf_valid {
	const vdaf_field *field;
	size_t meas_len;          /* MEAS_LEN: length of the FLP input */
	size_t output_len;        /* OUTPUT_LEN (informational; truncation is the VDAF's) */
	size_t joint_rand_len;    /* JOINT_RAND_LEN */
	size_t eval_output_len;   /* EVAL_OUTPUT_LEN, >= 1 */
	size_t num_gadgets;       /* 1 .. VDAF_FLP_MAX_GADGETS */
	vdaf_gadget gadgets[VDAF_FLP_MAX_GADGETS];
	vdaf_valid_eval_fn eval;
	const void *params;       /* circuit-specific parameters for eval */
};

/* Inside eval: call gadget number `gadget` on its arity inputs, result in
 * *out. During prove the true gadget value is returned; during query the
 * value of the proof's gadget polynomial at the call's point; during plain
 * evaluation the true value. Returns VDAF_ERR_CIRCUIT if the gadget index
 * is out of range or the gadget is called more than `calls` times. The
 * inputs are copied; the pointer need only be valid during the call. */
int vdaf_flp_gadget_call(vdaf_flp_ctx *g, size_t gadget, const vdaf_elem *inputs,
                         vdaf_elem *out);

/* Field of the circuit being evaluated (convenience for callbacks). */
const vdaf_field *vdaf_flp_ctx_field(const vdaf_flp_ctx *g);

/* ---- shapes ---------------------------------------------------------- */
size_t vdaf_gadget_arity(const vdaf_gadget *g);
size_t vdaf_gadget_degree(const vdaf_gadget *g);
/* Checks the descriptor (field set, 1 <= num_gadgets <= max, parallel >= 1,
 * calls >= 1, eval_output_len >= 1, PolyEval coefficients sane, sizes do
 * not overflow). VDAF_OK or VDAF_ERR_INVALID. All functions below call it. */
int vdaf_valid_check(const vdaf_valid *v);
size_t vdaf_flp_prove_rand_len(const vdaf_valid *v);
size_t vdaf_flp_query_rand_len(const vdaf_valid *v);
size_t vdaf_flp_proof_len(const vdaf_valid *v);
size_t vdaf_flp_verifier_len(const vdaf_valid *v);

/* ---- one proof --------------------------------------------------------- */
/* Plain circuit evaluation (checks the call counts too). out: eval_output_len. */
int vdaf_flp_eval(const vdaf_valid *v, const vdaf_elem *meas, const vdaf_elem *joint_rand,
                  size_t num_shares, vdaf_elem *out);

/* proof (PROOF_LEN) from the full measurement, num_shares = 1. */
int vdaf_flp_prove(const vdaf_valid *v, const vdaf_elem *meas, const vdaf_elem *prove_rand,
                   const vdaf_elem *joint_rand, vdaf_elem *proof);

/* verifier share (VERIFIER_LEN) from a measurement share and proof share.
 * VDAF_ERR_ROOT if some query point t has t^P = 1 (reject the report). */
int vdaf_flp_query(const vdaf_valid *v, const vdaf_elem *meas, const vdaf_elem *proof,
                   const vdaf_elem *query_rand, const vdaf_elem *joint_rand,
                   size_t num_shares, vdaf_elem *verifier);

/* On the SUM of all verifier shares: 1 accept, 0 reject, < 0 error. */
int vdaf_flp_decide(const vdaf_valid *v, const vdaf_elem *verifier);

/* ---- several proofs (consecutive slices, concatenated outputs) --------- */
int vdaf_flp_prove_multi(const vdaf_valid *v, size_t num_proofs, const vdaf_elem *meas,
                         const vdaf_elem *prove_rands, const vdaf_elem *joint_rands,
                         vdaf_elem *proofs);
int vdaf_flp_query_multi(const vdaf_valid *v, size_t num_proofs, const vdaf_elem *meas,
                         const vdaf_elem *proofs, const vdaf_elem *query_rands,
                         const vdaf_elem *joint_rands, size_t num_shares,
                         vdaf_elem *verifiers);
/* 1 only if every proof's verifier decides true. */
int vdaf_flp_decide_multi(const vdaf_valid *v, size_t num_proofs, const vdaf_elem *verifiers);

#endif
