/*
 * bench_prg.h: the benchmarks' own implementation of the documented mask
 * PRG (AES-128-CTR, zero IV, element i = keystream bytes [8i, 8i+8)
 * little-endian; secagg/mask_prg.h), used only to build simulated users'
 * masked inputs, which keeps the harness cheap next to the server.
 * hprg_selftest() checks it against sa_mask_expand at start-up, and each
 * benchmark's exact-sum check checks it again end to end. Shared by
 * bench_secagg.c and bench_secagg_plus.c.
 */
#ifndef SECAGG_BENCH_PRG_H
#define SECAGG_BENCH_PRG_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "secagg/mask_prg.h"

static inline void
hprg_die(const char *what)
{
	fprintf(stderr, "bench: %s\n", what);
	exit(2);
}

/* acc += sign * PRG(key), m elements. */
static inline void
hprg_apply(EVP_CIPHER_CTX *ctx, uint64_t *acc, size_t m, const uint8_t key[16], int sign)
{
	static const uint8_t zero[4096], iv[16];
	uint64_t blk[512];
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1)
		hprg_die("EVP init failed");
	for (size_t done = 0; done < m;) {
		size_t c = m - done < 512 ? m - done : 512;
		int outl;
		if (EVP_EncryptUpdate(ctx, (uint8_t *) blk, &outl, zero, (int) (c * 8)) != 1)
			hprg_die("EVP update failed");
		uint64_t *a = acc + done;
		for (size_t e = 0; e < c; e++) {
			uint64_t k = blk[e];
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
			k = __builtin_bswap64(k);
#endif
			a[e] = sign > 0 ? a[e] + k : a[e] - k;
		}
		done += c;
	}
}

/* Exits unless hprg_apply gives sa_mask_expand's keystream. */
static inline void
hprg_selftest(void)
{
	size_t m = 5003;
	uint8_t key[16];
	uint64_t *a = calloc(m, 8), *b = malloc(m * 8);
	randombytes_buf(key, sizeof key);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	sa_mask_prg *prg = sa_mask_prg_new();
	if (a == NULL || b == NULL || ctx == NULL || prg == NULL)
		hprg_die("self-test allocation failed");
	hprg_apply(ctx, a, m, key, 1);
	if (sa_mask_expand(prg, b, m, key) != SA_OK || memcmp(a, b, m * 8) != 0)
		hprg_die("the harness PRG differs from sa_mask_expand: update bench_prg.h to the library's PRG");
	sa_mask_prg_free(prg);
	EVP_CIPHER_CTX_free(ctx);
	free(a);
	free(b);
}

#endif
