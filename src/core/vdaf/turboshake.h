/*
 * turboshake.h: TurboSHAKE128 (RFC 9861), incremental.
 *
 * Sponge over Keccak-p[1600,12] with rate 168 bytes (capacity 256 bits).
 * Usage:
 *   vdaf_turboshake128 ts;
 *   vdaf_turboshake128_init(&ts);
 *   vdaf_turboshake128_absorb(&ts, part1, n1);    ... any number of times
 *   vdaf_turboshake128_finalize(&ts, 0x01);        domain byte D in 0x01..0x7F
 *   vdaf_turboshake128_squeeze(&ts, out, n);       ... any number of times, continues the stream
 *   vdaf_turboshake128_wipe(&ts);                  (if the input was secret)
 * Padding: D is appended to the message, the block is zero-filled and 0x80
 * is XORed into its last byte. Absorbing after finalize and squeezing before
 * finalize are caller errors; they are ignored (absorb) or finalize with
 * D = 0x1F first (squeeze) rather than aborting.
 */
#ifndef SECAGG_VDAF_TURBOSHAKE_H
#define SECAGG_VDAF_TURBOSHAKE_H

#include <stddef.h>
#include <stdint.h>

#define VDAF_TURBOSHAKE128_RATE 168

typedef struct {
	uint64_t state[25];
	size_t pos;        /* bytes absorbed into / squeezed from the current block */
	int squeezing;     /* 0 while absorbing, 1 after finalize */
} vdaf_turboshake128;

void vdaf_turboshake128_init(vdaf_turboshake128 *ts);
void vdaf_turboshake128_absorb(vdaf_turboshake128 *ts, const uint8_t *in, size_t len);
/* Pad with domain byte d (0x01..0x7F) and switch to squeezing. */
void vdaf_turboshake128_finalize(vdaf_turboshake128 *ts, uint8_t d);
void vdaf_turboshake128_squeeze(vdaf_turboshake128 *ts, uint8_t *out, size_t len);
/* Zero the whole context (sodium_memzero). */
void vdaf_turboshake128_wipe(vdaf_turboshake128 *ts);

/* One-shot: out = TurboSHAKE128(M = in, D = d, outlen bytes). */
void vdaf_turboshake128_hash(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen,
                             uint8_t d);

#endif
