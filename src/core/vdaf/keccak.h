/*
 * keccak.h: the Keccak-p[1600, n_r] permutation (FIPS 202 section 3.3).
 *
 * The state is 25 little-endian 64-bit lanes, lane (x, y) at index x + 5*y.
 * Keccak-p[1600, n_r] applies the LAST n_r rounds of Keccak-f[1600], i.e.
 * round indices 24-n_r .. 23 (round constants RC[24-n_r..23]).
 * TurboSHAKE uses n_r = 12; n_r = 24 is Keccak-f[1600] (SHA-3/SHAKE).
 */
#ifndef SECAGG_VDAF_KECCAK_H
#define SECAGG_VDAF_KECCAK_H

#include <stdint.h>

/* Apply the last nrounds (1..24) rounds of Keccak-f[1600] in place. */
void vdaf_keccak_p1600(uint64_t state[25], unsigned nrounds);

/* Keccak-p[1600, 12], the TurboSHAKE permutation. */
void vdaf_keccak_p1600_12(uint64_t state[25]);

#endif
