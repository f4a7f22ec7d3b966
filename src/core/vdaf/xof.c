/*
 * xof.c: XofTurboShake128 (VDAF-11 framing) and XofHmacSha256Aes128, plus
 * the derived helpers next_vec / derive_seed / expand_into_vec and DSTs.
 */
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "vdaf/xof.h"

#define TS_DOMAIN 0x01

size_t
vdaf_xof_seed_size(vdaf_xof_kind kind)
{
	switch (kind) {
	case VDAF_XOF_TURBOSHAKE128: return VDAF_XOF_TURBOSHAKE128_SEED_SIZE;
	case VDAF_XOF_HMACSHA256_AES128: return VDAF_XOF_HMACSHA256_AES128_SEED_SIZE;
	}
	return 0;
}

vdaf_xof_kind
vdaf_xof_kind_by_name(const char *name)
{
	if (name == NULL)
		return (vdaf_xof_kind) 0;
	if (strcmp(name, "XofTurboShake128") == 0)
		return VDAF_XOF_TURBOSHAKE128;
	if (strcmp(name, "XofHmacSha256Aes128") == 0)
		return VDAF_XOF_HMACSHA256_AES128;
	return (vdaf_xof_kind) 0;
}

int
vdaf_xof_init(vdaf_xof *x, vdaf_xof_kind kind, const uint8_t *seed, size_t seed_len,
              const uint8_t *dst, size_t dst_len)
{
	if (x == NULL)
		return VDAF_ERR_INVALID;
	memset(x, 0, sizeof *x);
	size_t want = vdaf_xof_seed_size(kind);
	if (want == 0 || seed == NULL || seed_len != want || dst_len > VDAF_XOF_MAX_DST_LEN ||
	    (dst_len > 0 && dst == NULL))
		return VDAF_ERR_INVALID;
	uint8_t dlen = (uint8_t) dst_len;
	x->kind = kind;
	if (kind == VDAF_XOF_TURBOSHAKE128) {
		vdaf_turboshake128_init(&x->ts);
		vdaf_turboshake128_absorb(&x->ts, &dlen, 1);
		vdaf_turboshake128_absorb(&x->ts, dst, dst_len);
		vdaf_turboshake128_absorb(&x->ts, seed, seed_len);
	} else {
		if (crypto_auth_hmacsha256_init(&x->hmac, seed, seed_len) != 0 ||
		    crypto_auth_hmacsha256_update(&x->hmac, &dlen, 1) != 0 ||
		    crypto_auth_hmacsha256_update(&x->hmac, dst, dst_len) != 0) {
			vdaf_xof_free(x);
			return VDAF_ERR_CRYPTO;
		}
	}
	return VDAF_OK;
}

int
vdaf_xof_update(vdaf_xof *x, const uint8_t *binder, size_t len)
{
	if (x == NULL || x->kind == 0 || x->squeezing || (len > 0 && binder == NULL))
		return VDAF_ERR_INVALID;
	if (len == 0)
		return VDAF_OK;
	if (x->kind == VDAF_XOF_TURBOSHAKE128) {
		vdaf_turboshake128_absorb(&x->ts, binder, len);
		return VDAF_OK;
	}
	return crypto_auth_hmacsha256_update(&x->hmac, binder, len) == 0 ? VDAF_OK
	                                                                : VDAF_ERR_CRYPTO;
}

int
vdaf_xof_update_vec(vdaf_xof *x, const vdaf_field *f, const vdaf_elem *v, size_t n)
{
	enum { CHUNK = 256 };
	uint8_t buf[CHUNK * VDAF_FIELD_MAX_ENCODED];
	if (f == NULL || (n > 0 && v == NULL))
		return VDAF_ERR_INVALID;
	while (n > 0) {
		size_t k = n < CHUNK ? n : CHUNK;
		f->encode_vec(buf, v, k);
		int rc = vdaf_xof_update(x, buf, k * f->encoded_size);
		if (rc != VDAF_OK) {
			sodium_memzero(buf, sizeof buf);
			return rc;
		}
		v += k;
		n -= k;
	}
	sodium_memzero(buf, sizeof buf);
	return VDAF_OK;
}

/* End of binder: switch to output. */
static int
xof_start_output(vdaf_xof *x)
{
	if (x->kind == VDAF_XOF_TURBOSHAKE128) {
		vdaf_turboshake128_finalize(&x->ts, TS_DOMAIN);
		x->squeezing = 1;
		return VDAF_OK;
	}
	uint8_t t[crypto_auth_hmacsha256_BYTES];
	int rc = VDAF_ERR_CRYPTO;
	EVP_CIPHER_CTX *ctx = NULL;
	if (crypto_auth_hmacsha256_final(&x->hmac, t) != 0)
		goto out;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL) {
		rc = VDAF_ERR_NOMEM;
		goto out;
	}
	/* key t[0:16], initial counter block t[16:32] (big-endian counter) */
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, t, t + 16) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		goto out;
	}
	x->aes = ctx;
	x->squeezing = 1;
	rc = VDAF_OK;
out:
	sodium_memzero(t, sizeof t);
	sodium_memzero(&x->hmac, sizeof x->hmac);
	return rc;
}

int
vdaf_xof_next(vdaf_xof *x, uint8_t *out, size_t n)
{
	if (x == NULL || x->kind == 0 || (n > 0 && out == NULL))
		return VDAF_ERR_INVALID;
	if (!x->squeezing) {
		int rc = xof_start_output(x);
		if (rc != VDAF_OK)
			return rc;
	}
	if (n == 0)
		return VDAF_OK;
	if (x->kind == VDAF_XOF_TURBOSHAKE128) {
		vdaf_turboshake128_squeeze(&x->ts, out, n);
		return VDAF_OK;
	}
	if (x->aes == NULL)
		return VDAF_ERR_INVALID;
	/* keystream = CTR encryption of zeros, in place, in int-sized pieces */
	memset(out, 0, n);
	while (n > 0) {
		int piece = n > (1u << 30) ? (1 << 30) : (int) n;
		int outl = 0;
		if (EVP_EncryptUpdate((EVP_CIPHER_CTX *) x->aes, out, &outl, out, piece) != 1 ||
		    outl != piece)
			return VDAF_ERR_CRYPTO;
		out += piece;
		n -= (size_t) piece;
	}
	return VDAF_OK;
}

int
vdaf_xof_next_vec(vdaf_xof *x, const vdaf_field *f, vdaf_elem *out, size_t n)
{
	enum { CHUNK = 512 };
	uint8_t buf[CHUNK * VDAF_FIELD_MAX_ENCODED];
	if (f == NULL || (n > 0 && out == NULL))
		return VDAF_ERR_INVALID;
	size_t e = f->encoded_size, got = 0;
	while (got < n) {
		/* Ask for exactly as many candidates as are still missing, so the
		 * stream position matches the one-at-a-time definition. */
		size_t want = n - got < CHUNK ? n - got : CHUNK;
		int rc = vdaf_xof_next(x, buf, want * e);
		if (rc != VDAF_OK) {
			sodium_memzero(buf, sizeof buf);
			return rc;
		}
		got += f->sample_vec(out + got, n - got, buf, want * e);
	}
	sodium_memzero(buf, sizeof buf);
	return VDAF_OK;
}

void
vdaf_xof_free(vdaf_xof *x)
{
	if (x == NULL)
		return;
	if (x->aes != NULL)
		EVP_CIPHER_CTX_free((EVP_CIPHER_CTX *) x->aes);
	sodium_memzero(x, sizeof *x);
}

int
vdaf_xof_derive_seed(vdaf_xof_kind kind, const uint8_t *seed, size_t seed_len,
                     const uint8_t *dst, size_t dst_len, const uint8_t *binder,
                     size_t binder_len, uint8_t *out)
{
	vdaf_xof x;
	int rc = vdaf_xof_init(&x, kind, seed, seed_len, dst, dst_len);
	if (rc == VDAF_OK)
		rc = vdaf_xof_update(&x, binder, binder_len);
	if (rc == VDAF_OK)
		rc = vdaf_xof_next(&x, out, vdaf_xof_seed_size(kind));
	vdaf_xof_free(&x);
	return rc;
}

int
vdaf_xof_expand_into_vec(vdaf_xof_kind kind, const vdaf_field *f, const uint8_t *seed,
                         size_t seed_len, const uint8_t *dst, size_t dst_len,
                         const uint8_t *binder, size_t binder_len, vdaf_elem *out, size_t n)
{
	vdaf_xof x;
	int rc = vdaf_xof_init(&x, kind, seed, seed_len, dst, dst_len);
	if (rc == VDAF_OK)
		rc = vdaf_xof_update(&x, binder, binder_len);
	if (rc == VDAF_OK)
		rc = vdaf_xof_next_vec(&x, f, out, n);
	vdaf_xof_free(&x);
	return rc;
}

void
vdaf_dst_vdaf11(uint8_t out[VDAF_DST11_LEN], uint8_t algo_class, uint32_t algo_id,
                uint16_t usage)
{
	out[0] = VDAF11_VERSION;
	out[1] = algo_class;
	out[2] = (uint8_t) (algo_id >> 24);
	out[3] = (uint8_t) (algo_id >> 16);
	out[4] = (uint8_t) (algo_id >> 8);
	out[5] = (uint8_t) algo_id;
	out[6] = (uint8_t) (usage >> 8);
	out[7] = (uint8_t) usage;
}

void
vdaf_dst_pine(uint8_t out[VDAF_DST_PINE_LEN], uint8_t version, uint32_t algo_id,
              uint16_t usage)
{
	out[0] = version;
	out[1] = (uint8_t) (algo_id >> 24);
	out[2] = (uint8_t) (algo_id >> 16);
	out[3] = (uint8_t) (algo_id >> 8);
	out[4] = (uint8_t) algo_id;
	out[5] = (uint8_t) (usage >> 8);
	out[6] = (uint8_t) usage;
}
