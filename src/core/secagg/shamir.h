/*
 * shamir.h: Shamir t-of-n secret sharing over Z_L, L = 2^252 + 2774...493
 * (the order of the ed25519 group), with libsodium's constant-time scalar
 * arithmetic. Secrets, shares and coefficients are 32-byte little-endian
 * canonical scalars; evaluation points are the users' non-zero ids.
 *
 * Coefficients are drawn uniformly (crypto_core_ed25519_scalar_random), a
 * fresh polynomial per secret. Reconstruction uses Lagrange coefficients at
 * zero computed once per set of share holders (O(t^2) once, then O(t) per
 * secret), as the paper's section 7.2 recommends.
 */
#ifndef SECAGG_SECAGG_SHAMIR_H
#define SECAGG_SECAGG_SHAMIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define SA_SCALAR_LEN 32

bool sa_scalar_is_canonical(const uint8_t s[SA_SCALAR_LEN]);
void sa_scalar_from_u64(uint8_t s[SA_SCALAR_LEN], uint64_t v);
/* A uniformly random non-zero scalar. */
void sa_scalar_random(uint8_t s[SA_SCALAR_LEN]);

/*
 * Shares `count` secrets at once with the same points (t-of-n each):
 * shares[(i * count) + k] is the share of secret k for point xs[i].
 */
sa_status sa_shamir_share(const uint8_t (*secrets)[SA_SCALAR_LEN], size_t count, uint32_t t,
                          const uint64_t *xs, size_t n, uint8_t (*shares)[SA_SCALAR_LEN]);

typedef struct sa_lagrange {
	size_t t;
	uint8_t (*lambda)[SA_SCALAR_LEN];     /* lambda[j] for xs[j] */
} sa_lagrange;

/*
 * The same coefficients into caller-provided arrays (t entries each; den
 * and pre are scratch): no allocation, so it may run on the core's worker
 * threads (parallel.h).
 */
sa_status sa_lagrange_coeffs(const uint64_t *xs, size_t t, uint8_t (*lambda)[SA_SCALAR_LEN],
                             uint8_t (*den)[SA_SCALAR_LEN], uint8_t (*pre)[SA_SCALAR_LEN]);

/* Coefficients at zero for the distinct non-zero points xs[0..t). */
sa_status sa_lagrange_init(sa_lagrange *lg, const uint64_t *xs, size_t t);
void sa_lagrange_free(sa_lagrange *lg);
/* secret = sum_j lambda[j] * shares[j]; shares given in the same order as xs. */
void sa_lagrange_combine(const sa_lagrange *lg, const uint8_t *const *shares,
                         uint8_t out[SA_SCALAR_LEN]);

#endif
