/*
 * ntt.h: number-theoretic transforms over the FLP evaluation points.
 *
 * For a power of two n = 2^k and w = w_n (field->root_of_unity(k)):
 *   forward:  y[j] = sum_i a[i] * w^(i*j)          (evaluate coefficients a at w^0..w^(n-1))
 *   inverse:  a[i] = (1/n) * sum_j y[j] * w^(-i*j) (interpolate values y at the powers of w)
 * Both work in place; coefficient vectors are lowest degree first, value
 * vectors are in natural order (index j is the point w^j).
 *
 * Internally: bit-reversal permutation, then log2(n) radix-2 passes through
 * the field's ntt_pass vector operation (loops stay inside the field file).
 */
#ifndef SECAGG_VDAF_NTT_H
#define SECAGG_VDAF_NTT_H

#include <stddef.h>

#include "vdaf/field.h"

/* In-place forward NTT of size n. VDAF_ERR_INVALID if n is not a power of
 * two or exceeds 2^two_adicity; VDAF_ERR_NOMEM if twiddles cannot be allocated.
 * n = 1 is the identity. */
int vdaf_ntt_forward(const vdaf_field *f, vdaf_elem *a, size_t n);

/* In-place inverse NTT of size n (includes the 1/n scaling). */
int vdaf_ntt_inverse(const vdaf_field *f, vdaf_elem *a, size_t n);

/*
 * Reusable plan for many transforms of one size (the FLP prover runs two per
 * wire): per-pass twiddles for both directions, 1/n and the bit-reversal
 * permutation are computed once. Zero the struct before init; free is safe
 * on a zeroed or failed plan. A plan is read-only while transforming, so
 * one plan may be shared by threads.
 */
typedef struct {
	const vdaf_field *f;
	size_t n;
	vdaf_elem *tw_fwd;   /* n - 1 twiddles: pass with half h uses [h - 1, 2h - 1) */
	vdaf_elem *tw_inv;
	vdaf_elem n_inv;
	size_t *rev;         /* bit-reversal permutation of 0..n-1 */
} vdaf_ntt_plan;

int vdaf_ntt_plan_init(vdaf_ntt_plan *p, const vdaf_field *f, size_t n);
void vdaf_ntt_plan_free(vdaf_ntt_plan *p);
/* In-place transforms of p->n elements (same results as the functions above). */
void vdaf_ntt_plan_forward(const vdaf_ntt_plan *p, vdaf_elem *a);
void vdaf_ntt_plan_inverse(const vdaf_ntt_plan *p, vdaf_elem *a);

/* Smallest power of two >= n (n >= 1); 0 if it would overflow size_t. */
size_t vdaf_next_pow2(size_t n);

/* log2 of a power of two n (n >= 1). */
unsigned vdaf_log2_pow2(size_t n);

#endif
