/*
 * pine_u128.h: 128-bit unsigned arithmetic for the PINE core (field moduli,
 * squared norms, the DP noise bound), and the moduli as 128-bit values.
 * Internal to the core.
 */
#ifndef SECAGG_PINE_U128_H
#define SECAGG_PINE_U128_H

#include <stdint.h>

#include "pine/pine.h"

__extension__ typedef unsigned __int128 pine_u128;

/* The value of a little-endian pair of 64-bit limbs. */
static inline pine_u128
pine_u128_of(const uint64_t v[2])
{
	return ((pine_u128) v[1] << 64) | v[0];
}

/* The field's modulus p (from its vdaf_field); 0 for an unknown field id. */
pine_u128 pine_field_modulus(pine_field_id f);

#endif
