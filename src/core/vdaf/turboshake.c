/*
 * turboshake.c: TurboSHAKE128 (RFC 9861 §2.2) as a byte-oriented sponge
 * over Keccak-p[1600,12] with a 168-byte rate.
 *
 * Bytes are XORed into / read from the lanes little-endian, byte i of the
 * rate being byte i%8 of lane i/8. Whole blocks are absorbed lane by lane;
 * partial blocks byte by byte.
 */
#include <string.h>

#include <sodium.h>

#include "vdaf/keccak.h"
#include "vdaf/turboshake.h"

#define RATE VDAF_TURBOSHAKE128_RATE
#define RATE_LANES (RATE / 8)

static inline uint64_t
load64_le(const uint8_t *p)
{
	return (uint64_t) p[0] | (uint64_t) p[1] << 8 | (uint64_t) p[2] << 16 |
	       (uint64_t) p[3] << 24 | (uint64_t) p[4] << 32 | (uint64_t) p[5] << 40 |
	       (uint64_t) p[6] << 48 | (uint64_t) p[7] << 56;
}

static inline void
store64_le(uint8_t *p, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(p, &v, 8);
#else
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (8 * i));
#endif
}

static inline void
xor_byte(uint64_t *st, size_t i, uint8_t b)
{
	st[i / 8] ^= (uint64_t) b << (8 * (i % 8));
}

static inline uint8_t
get_byte(const uint64_t *st, size_t i)
{
	return (uint8_t) (st[i / 8] >> (8 * (i % 8)));
}

void
vdaf_turboshake128_init(vdaf_turboshake128 *ts)
{
	memset(ts, 0, sizeof *ts);
}

void
vdaf_turboshake128_absorb(vdaf_turboshake128 *ts, const uint8_t *in, size_t len)
{
	if (ts->squeezing || len == 0)
		return;
	/* finish a partial block */
	while (len > 0 && ts->pos != 0) {
		xor_byte(ts->state, ts->pos++, *in++);
		len--;
		if (ts->pos == RATE) {
			vdaf_keccak_p1600_12(ts->state);
			ts->pos = 0;
		}
	}
	/* whole blocks */
	while (len >= RATE) {
		for (size_t i = 0; i < RATE_LANES; i++)
			ts->state[i] ^= load64_le(in + 8 * i);
		vdaf_keccak_p1600_12(ts->state);
		in += RATE;
		len -= RATE;
	}
	/* tail */
	while (len > 0) {
		xor_byte(ts->state, ts->pos++, *in++);
		len--;
	}
}

void
vdaf_turboshake128_finalize(vdaf_turboshake128 *ts, uint8_t d)
{
	if (ts->squeezing)
		return;
	xor_byte(ts->state, ts->pos, d);
	xor_byte(ts->state, RATE - 1, 0x80);
	vdaf_keccak_p1600_12(ts->state);
	ts->pos = 0;
	ts->squeezing = 1;
}

void
vdaf_turboshake128_squeeze(vdaf_turboshake128 *ts, uint8_t *out, size_t len)
{
	if (!ts->squeezing)
		vdaf_turboshake128_finalize(ts, 0x1F);
	while (len > 0) {
		if (ts->pos == RATE) {
			vdaf_keccak_p1600_12(ts->state);
			ts->pos = 0;
		}
		if (ts->pos == 0 && len >= RATE) {
			for (size_t i = 0; i < RATE_LANES; i++)
				store64_le(out + 8 * i, ts->state[i]);
			ts->pos = RATE;
			out += RATE;
			len -= RATE;
			continue;
		}
		size_t take = RATE - ts->pos;
		if (take > len)
			take = len;
		for (size_t i = 0; i < take; i++)
			out[i] = get_byte(ts->state, ts->pos + i);
		ts->pos += take;
		out += take;
		len -= take;
	}
}

void
vdaf_turboshake128_wipe(vdaf_turboshake128 *ts)
{
	sodium_memzero(ts, sizeof *ts);
}

void
vdaf_turboshake128_hash(uint8_t *out, size_t outlen, const uint8_t *in, size_t inlen, uint8_t d)
{
	vdaf_turboshake128 ts;
	vdaf_turboshake128_init(&ts);
	vdaf_turboshake128_absorb(&ts, in, inlen);
	vdaf_turboshake128_finalize(&ts, d);
	vdaf_turboshake128_squeeze(&ts, out, outlen);
	vdaf_turboshake128_wipe(&ts);
}
