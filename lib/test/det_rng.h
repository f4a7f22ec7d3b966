/*
 * det_rng.h: a deterministic randombytes implementation for libsodium,
 * for tests only. Call det_rng_install() before anything initialises
 * libsodium (secagg_init included): every random byte the library draws
 * (key pairs, nonces, Shamir coefficients, stochastic rounding) then comes
 * from this stream, so a run is a function of the seed alone.
 *
 * The stream: call i (i = 0, 1, ... since the last det_rng_reset) of
 * randombytes_buf(buf, n) fills buf with the first n bytes of
 * ChaCha20-IETF(key = "secagg-test-rng" zero-padded to 32 bytes with the
 * last byte = seed, nonce = i as 12 little-endian bytes).
 * randombytes_random() is a 4-byte call of the same stream, little-endian.
 * (libsodium's randombytes_uniform() draws through randombytes_random().)
 */
#ifndef SECAGG_LIB_TEST_DET_RNG_H
#define SECAGG_LIB_TEST_DET_RNG_H

#include <sodium.h>
#include <stdint.h>
#include <string.h>

static uint8_t det_rng_key[crypto_stream_chacha20_ietf_KEYBYTES];
static uint64_t det_rng_calls;

static inline void
det_rng_reset(uint8_t seed)
{
	memset(det_rng_key, 0, sizeof det_rng_key);
	memcpy(det_rng_key, "secagg-test-rng", 15);
	det_rng_key[31] = seed;
	det_rng_calls = 0;
}

static void
det_rng_buf(void *buf, size_t n)
{
	uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = { 0 };
	for (int i = 0; i < 8; i++)
		nonce[i] = (uint8_t) (det_rng_calls >> (8 * i));
	det_rng_calls++;
	if (n > 0)
		crypto_stream_chacha20_ietf((unsigned char *) buf, n, nonce, det_rng_key);
}

static uint32_t
det_rng_random(void)
{
	uint8_t b[4];
	det_rng_buf(b, sizeof b);
	return (uint32_t) b[0] | ((uint32_t) b[1] << 8) | ((uint32_t) b[2] << 16) | ((uint32_t) b[3] << 24);
}

static const char *det_rng_name(void) { return "secagg-test-deterministic"; }
static void det_rng_stir(void) {}
static int det_rng_close(void) { return 0; }

static randombytes_implementation det_rng_impl = {
	det_rng_name, det_rng_random, det_rng_stir, NULL, det_rng_buf, det_rng_close
};

/* Installs the stream (seed 0) as libsodium's randomness; 0 on success. */
static inline int
det_rng_install(void)
{
	det_rng_reset(0);
	if (randombytes_set_implementation(&det_rng_impl) != 0)
		return -1;
	return sodium_init() < 0 ? -1 : 0;
}

#endif
