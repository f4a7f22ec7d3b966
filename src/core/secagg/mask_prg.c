/* mask_prg.c: AES-128-CTR mask expansion fused with accumulation. */
#include "secagg/mask_prg.h"

#include <string.h>
#include <openssl/evp.h>
#include <sodium.h>


#define BLOCK_BYTES 8192        /* keystream chunk kept in L1 */

struct sa_mask_prg {
	EVP_CIPHER_CTX *ctx;
};

static const uint8_t zero_block[BLOCK_BYTES];

sa_mask_prg *
sa_mask_prg_new(void)
{
	/* Uses OpenSSL's allocator on purpose: may be created in worker threads. */
	sa_mask_prg *p = OPENSSL_zalloc(sizeof *p);
	if (p == NULL)
		return NULL;
	p->ctx = EVP_CIPHER_CTX_new();
	if (p->ctx == NULL) {
		OPENSSL_free(p);
		return NULL;
	}
	return p;
}

void
sa_mask_prg_free(sa_mask_prg *prg)
{
	if (prg == NULL)
		return;
	EVP_CIPHER_CTX_free(prg->ctx);
	OPENSSL_free(prg);
}

/*
 * Keystream words are little-endian. On little-endian hosts the words are
 * added two at a time with GCC/Clang vector types (SSE2 on x86-64: without
 * them the loop stays scalar at -O2, and the additions cost a fifth of the
 * keystream's time); elsewhere one at a time, swapped.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define WORDS_BY_VECTOR 2
typedef uint64_t words2 __attribute__((vector_size(16)));
#else
#define WORDS_BY_VECTOR 0
#endif

static inline uint64_t
le_word(uint64_t w)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return __builtin_bswap64(w);
#else
	return w;
#endif
}

#if WORDS_BY_VECTOR
#define FOLD_LOOP(op)                                                                       \
	for (; i + WORDS_BY_VECTOR <= n; i += WORDS_BY_VECTOR) {                                \
		words2 x, y;                                                                        \
		memcpy(&x, a + i, sizeof x);   /* unaligned loads and stores */                     \
		memcpy(&y, ks + i, sizeof y);                                                       \
		x = op;                                                                             \
		memcpy(a + i, &x, sizeof x);                                                        \
	}
#else
#define FOLD_LOOP(op)
#endif

/* a[i] += ks[i] (mode > 0), -= (mode < 0) or = (mode 0), for i < n. */
static void
fold_words(uint64_t *restrict a, const uint64_t *restrict ks, size_t n, int mode)
{
	size_t i = 0;
	if (mode > 0) {
		FOLD_LOOP(x + y)
		for (; i < n; i++)
			a[i] += le_word(ks[i]);
	} else if (mode < 0) {
		FOLD_LOOP(x - y)
		for (; i < n; i++)
			a[i] -= le_word(ks[i]);
	} else {
		FOLD_LOOP(y)
		for (; i < n; i++)
			a[i] = le_word(ks[i]);
	}
}

static sa_status
run(sa_mask_prg *prg, uint64_t *restrict dst, size_t m, const uint8_t key[16], int mode)
{
	static const uint8_t iv[16];
	uint64_t block[BLOCK_BYTES / 8];
	if (EVP_EncryptInit_ex(prg->ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1)
		return SA_ERR_CRYPTO;
	size_t done = 0;
	while (done < m) {
		size_t n = m - done;
		if (n > BLOCK_BYTES / 8)
			n = BLOCK_BYTES / 8;
		int outl = 0;
		if (EVP_EncryptUpdate(prg->ctx, (uint8_t *) block, &outl, zero_block, (int) (n * 8)) != 1 ||
		    (size_t) outl != n * 8)
			return SA_ERR_CRYPTO;
		fold_words(dst + done, block, n, mode);
		done += n;
	}
	sodium_memzero(block, sizeof block);
	return SA_OK;
}

sa_status
sa_mask_apply(sa_mask_prg *prg, uint64_t *acc, size_t m, const uint8_t key[16], int sign)
{
	return run(prg, acc, m, key, sign >= 0 ? 1 : -1);
}

sa_status
sa_mask_expand(sa_mask_prg *prg, uint64_t *out, size_t m, const uint8_t key[16])
{
	return run(prg, out, m, key, 0);
}
