/*
 * xof.h: the XOFs of VDAF-11 / PINE-01 with an incremental binder.
 *
 *   XofTurboShake128 (VDAF-11 flavour, SEED_SIZE 16):
 *       stream = TurboSHAKE128(byte(len(dst)) || dst || seed || binder, D = 0x01)
 *   XofHmacSha256Aes128 (PINE POC / libprio-rs, SEED_SIZE 32):
 *       t = HMAC-SHA256(key = seed, byte(len(dst)) || dst || binder)
 *       stream = AES-128-CTR keystream, key t[0:16], initial counter block t[16:32]
 *       (big-endian counter; OpenSSL increments all 128 bits while libprio's
 *       Ctr64BE increments the last 64 - they differ only after 2^64 blocks)
 *
 * The binder is fed with any number of vdaf_xof_update / vdaf_xof_update_vec
 * calls (so a huge binder such as an encoded measurement share need not be
 * built in memory); the first vdaf_xof_next / next_vec ends the binder, and
 * later calls continue the same output stream.
 *
 *   vdaf_xof x;
 *   if (vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, seed, 16, dst, 7) != VDAF_OK) ...
 *   vdaf_xof_update(&x, &agg_id, 1);
 *   vdaf_xof_update(&x, nonce, 16);
 *   vdaf_xof_update_vec(&x, f, share, n);       // binder part encvec(share)
 *   vdaf_xof_next(&x, part, 16);
 *   vdaf_xof_free(&x);                          // always; wipes key material
 *
 * Domain separation tags: VDAF-11 uses the 8-byte vdaf_dst_vdaf11 form, PINE-01
 * its own 7-byte vdaf_dst_pine form (byte(1) || be32(id) || be16(usage)).
 */
#ifndef SECAGG_VDAF_XOF_H
#define SECAGG_VDAF_XOF_H

#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "vdaf/field.h"
#include "vdaf/turboshake.h"

typedef enum {
	VDAF_XOF_TURBOSHAKE128 = 1,
	VDAF_XOF_HMACSHA256_AES128 = 2
} vdaf_xof_kind;

#define VDAF_XOF_TURBOSHAKE128_SEED_SIZE 16
#define VDAF_XOF_HMACSHA256_AES128_SEED_SIZE 32
#define VDAF_XOF_MAX_SEED_SIZE 32
#define VDAF_XOF_MAX_DST_LEN 255

typedef struct {
	vdaf_xof_kind kind;
	int squeezing;                          /* 0 while taking binder bytes */
	vdaf_turboshake128 ts;                  /* TURBOSHAKE128 */
	crypto_auth_hmacsha256_state hmac;      /* HMACSHA256_AES128, before squeezing */
	void *aes;                              /* EVP_CIPHER_CTX *, while squeezing */
} vdaf_xof;

/* SEED_SIZE of the XOF kind, 0 if unknown. */
size_t vdaf_xof_seed_size(vdaf_xof_kind kind);

/* "XofTurboShake128" / "XofHmacSha256Aes128" -> kind; 0 if unknown. */
vdaf_xof_kind vdaf_xof_kind_by_name(const char *name);

/* Start an XOF. seed_len must equal the kind's SEED_SIZE and dst_len <= 255,
 * else VDAF_ERR_INVALID. On error x is left safe to vdaf_xof_free. */
int vdaf_xof_init(vdaf_xof *x, vdaf_xof_kind kind, const uint8_t *seed, size_t seed_len,
                  const uint8_t *dst, size_t dst_len);

/* Append bytes to the binder. VDAF_ERR_INVALID once output was read. */
int vdaf_xof_update(vdaf_xof *x, const uint8_t *binder, size_t len);

/* Append encvec(v) (n elements of field f) to the binder, streaming. */
int vdaf_xof_update_vec(vdaf_xof *x, const vdaf_field *f, const vdaf_elem *v, size_t n);

/* Next n bytes of the output stream. */
int vdaf_xof_next(vdaf_xof *x, uint8_t *out, size_t n);

/* Next n field elements by rejection sampling (VDAF-11 next_vec): reads
 * ENCODED_SIZE bytes at a time, little-endian, keeps those < p. Consumes
 * exactly the bytes the specification consumes. */
int vdaf_xof_next_vec(vdaf_xof *x, const vdaf_field *f, vdaf_elem *out, size_t n);

/* Wipe and release. Safe on a zeroed struct or after a failed init; the
 * struct may be re-initialised afterwards. */
void vdaf_xof_free(vdaf_xof *x);

/* derive_seed: out (SEED_SIZE bytes) = first SEED_SIZE bytes of the stream. */
int vdaf_xof_derive_seed(vdaf_xof_kind kind, const uint8_t *seed, size_t seed_len,
                         const uint8_t *dst, size_t dst_len, const uint8_t *binder,
                         size_t binder_len, uint8_t *out);

/* expand_into_vec: out = first n elements of next_vec on a fresh XOF. */
int vdaf_xof_expand_into_vec(vdaf_xof_kind kind, const vdaf_field *f, const uint8_t *seed,
                             size_t seed_len, const uint8_t *dst, size_t dst_len,
                             const uint8_t *binder, size_t binder_len, vdaf_elem *out,
                             size_t n);

/* VDAF-11 format_dst: byte(8) || byte(algo_class) || be32(algo_id) || be16(usage). */
#define VDAF_DST11_LEN 8
#define VDAF11_VERSION 8
void vdaf_dst_vdaf11(uint8_t out[VDAF_DST11_LEN], uint8_t algo_class, uint32_t algo_id,
                     uint16_t usage);

/* PINE-01 DST: byte(version) || be32(algo_id) || be16(usage); version is 1 for -01. */
#define VDAF_DST_PINE_LEN 7
#define VDAF_PINE_VERSION 1
void vdaf_dst_pine(uint8_t out[VDAF_DST_PINE_LEN], uint8_t version, uint32_t algo_id,
                   uint16_t usage);

#endif
