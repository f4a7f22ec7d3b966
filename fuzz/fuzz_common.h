/*
 * fuzz_common.h: what every libFuzzer harness of the C core shares.
 *
 *  - FUZZ_CHECK(cond): an invariant of the code under test; a violation
 *    aborts, so libFuzzer reports it as a crash with the input that caused
 *    it (a plain failed status is never a finding, only a broken promise).
 *  - A deterministic randombytes implementation for libsodium. The core
 *    draws its randomness (key pairs, nonces, Shamir coefficients) through
 *    libsodium; installing this before sodium_init() makes the start-up
 *    fixtures identical in every run (so the committed seeds match them),
 *    and fuzz_rng_reset() at the start of every execution makes each
 *    execution a function of its input alone (so crashes reproduce).
 *  - fuzz_dup(): a heap copy of exactly n bytes, so that ASan catches a
 *    read past the end of each separately passed buffer.
 */
#ifndef SECAGG_FUZZ_COMMON_H
#define SECAGG_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define FUZZ_CHECK(cond)                                                      \
	do {                                                                      \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: invariant violated: %s\n", __FILE__,       \
			        __LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                     \
	} while (0)

/* Stream cipher keyed by (domain, counter): ChaCha20 with a zero nonce
 * except for the call counter. */
static uint8_t fuzz_rng_key[crypto_stream_chacha20_ietf_KEYBYTES];
static uint64_t fuzz_rng_ctr;

static void
fuzz_rng_buf(void *buf, size_t n)
{
	uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = { 0 };
	for (int i = 0; i < 8; i++)
		nonce[i] = (uint8_t) (fuzz_rng_ctr >> (8 * i));
	fuzz_rng_ctr++;
	if (n > 0)
		crypto_stream_chacha20_ietf((unsigned char *) buf, n, nonce, fuzz_rng_key);
}

static uint32_t
fuzz_rng_random(void)
{
	uint32_t v;
	fuzz_rng_buf(&v, sizeof v);
	return v;
}

static const char *
fuzz_rng_name(void)
{
	return "secagg-fuzz-deterministic";
}

static void
fuzz_rng_stir(void)
{
}

static int
fuzz_rng_close(void)
{
	return 0;
}

static randombytes_implementation fuzz_rng_impl = {
	fuzz_rng_name, fuzz_rng_random, fuzz_rng_stir, NULL, fuzz_rng_buf, fuzz_rng_close
};

/* Restart the stream for `domain` (1: fixtures, 2: executions). */
static inline void
fuzz_rng_reset(uint8_t domain)
{
	memset(fuzz_rng_key, 0, sizeof fuzz_rng_key);
	memcpy(fuzz_rng_key, "secagg-fuzz", 11);
	fuzz_rng_key[31] = domain;
	fuzz_rng_ctr = 0;
}

/* Deterministic libsodium; call once, before anything else uses libsodium. */
static inline void
fuzz_sodium_init(void)
{
	static int done;
	if (done)
		return;
	done = 1;
	fuzz_rng_reset(1);
	FUZZ_CHECK(randombytes_set_implementation(&fuzz_rng_impl) == 0);
	FUZZ_CHECK(sodium_init() >= 0);
}

static inline uint8_t *
fuzz_dup(const uint8_t *p, size_t n)
{
	uint8_t *q = malloc(n ? n : 1);
	FUZZ_CHECK(q != NULL);
	if (n > 0)
		memcpy(q, p, n);
	return q;
}

static inline int
fuzz_eq(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len)
{
	return a_len == b_len && (a_len == 0 || memcmp(a, b, a_len) == 0);
}

static inline uint64_t
fuzz_be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

#endif
