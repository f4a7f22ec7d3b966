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

/* Smallest power of two >= n (n >= 1); 0 if it would overflow size_t. */
size_t vdaf_next_pow2(size_t n);

/* log2 of a power of two n (n >= 1). */
unsigned vdaf_log2_pow2(size_t n);

#endif
