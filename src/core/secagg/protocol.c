/* protocol.c: session context, roster checks and the key schedule. */
#include "secagg/protocol.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"

static const char LABEL_ROSTER[] = "secagg/v1/roster";
static const char LABEL_SESSION[] = "secagg/v1/session";
static const char LABEL_PAIR[] = "secagg/v1/pair-mask";
static const char LABEL_ENC[] = "secagg/v1/share-enc";
static const char LABEL_AD[] = "secagg/v1/share-ad";
static const char LABEL_SELF[] = "secagg/v1/self-mask";
static const char LABEL_COMMIT[] = "secagg/v1/self-commit";
static const char LABEL_ADVERTISE[] = "secagg/v1/advert";   /* 16 bytes exactly */
static const char LABEL_CONSISTENCY[] = "secagg/v1/consistency";
static const char LABEL_SESSION_GRAPH[] = "secagg/v2/session";
static const char LABEL_RING[] = "secagg/v2/ring";
static const char LABEL_U3[] = "secagg/v2/u3";
static const char LABEL_CONSISTENCY_GRAPH[] = "secagg/v2/consistency";    /* 21 bytes */

sa_status
sa_check_threshold(uint32_t t, uint32_t n)
{
	if (n < 2 || n > SA_MAX_USERS)
		return SA_ERR_PARAM;
	if (t < 2 || t > n)
		return SA_ERR_PARAM;
	if (t <= n / 2)             /* need t >= floor(n/2) + 1 */
		return SA_ERR_PARAM;
	return SA_OK;
}

sa_status
sa_check_graph(uint32_t t, uint32_t n, uint32_t k)
{
	if (n < 4 || n > SA_MAX_USERS_GRAPH)
		return SA_ERR_PARAM;
	if (k < 2 || k % 2 != 0 || k > n - 2)
		return SA_ERR_PARAM;
	if (t < 2 || t > k + 1)
		return SA_ERR_PARAM;
	return SA_OK;
}

static int
cmp_pk(const void *a, const void *b)
{
	return memcmp(a, b, SA_SIGN_PK_BYTES);
}

sa_status
sa_sign_pks_distinct(const uint8_t *first, size_t stride, uint32_t n)
{
	uint8_t (*pks)[SA_SIGN_PK_BYTES] = sa_alloc_array(n, SA_SIGN_PK_BYTES);
	if (pks == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t i = 0; i < n; i++)
		memcpy(pks[i], first + (size_t) i * stride, SA_SIGN_PK_BYTES);
	qsort(pks, n, SA_SIGN_PK_BYTES, cmp_pk);
	sa_status st = SA_OK;
	for (uint32_t i = 1; i < n && st == SA_OK; i++)
		if (memcmp(pks[i], pks[i - 1], SA_SIGN_PK_BYTES) == 0)
			st = SA_ERR_KEYS;
	sa_free(pks);
	return st;
}

sa_status
sa_roster_check(const sa_roster *r)
{
	if (r->n < 2 || r->n > SA_MAX_USERS_GRAPH)
		return SA_ERR_PARAM;
	for (uint32_t i = 0; i < r->n; i++) {
		if (r->ids[i] == 0)
			return SA_ERR_PARAM;
		if (i > 0 && r->ids[i] <= r->ids[i - 1])
			return r->ids[i] == r->ids[i - 1] ? SA_ERR_DUPLICATE : SA_ERR_PARAM;
	}
	return sa_sign_pks_distinct(r->sign_pks[0], SA_SIGN_PK_BYTES, r->n);
}

long
sa_roster_find(const sa_roster *r, uint64_t id)
{
	size_t lo = 0, hi = r->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (r->ids[mid] == id)
			return (long) mid;
		if (r->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

long
sa_find_id(const uint8_t *base, uint32_t count, size_t stride, uint64_t id)
{
	size_t lo = 0, hi = count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint64_t v = sa_load_u64_be(base + mid * stride);
		if (v == id)
			return (long) mid;
		if (v < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

bool
sa_ids_sorted_subset(const uint8_t *ids, uint32_t count, size_t stride,
                     const uint8_t *parent, uint32_t parent_count, size_t parent_stride)
{
	for (uint32_t i = 0; i < count; i++) {
		uint64_t v = sa_load_u64_be(ids + (size_t) i * stride);
		if (i > 0 && v <= sa_load_u64_be(ids + (size_t) (i - 1) * stride))
			return false;
		if (parent != NULL && sa_find_id(parent, parent_count, parent_stride, v) < 0)
			return false;
	}
	return true;
}

void
sa_roster_digest(const sa_roster *r, uint8_t out[32])
{
	crypto_generichash_state st;
	uint8_t b[8];
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *) LABEL_ROSTER, sizeof LABEL_ROSTER - 1);
	sa_store_u32_be(b, r->n);
	crypto_generichash_update(&st, b, 4);
	for (uint32_t i = 0; i < r->n; i++) {
		sa_store_u64_be(b, r->ids[i]);
		crypto_generichash_update(&st, b, 8);
		crypto_generichash_update(&st, r->sign_pks[i], SA_SIGN_PK_BYTES);
	}
	crypto_generichash_final(&st, out, 32);
}

sa_status
sa_session_init(sa_session *s, const uint8_t *session_id, size_t session_id_len,
                uint32_t threshold, uint32_t vector_length, const sa_roster *roster)
{
	return sa_session_init_graph(s, session_id, session_id_len, threshold, vector_length, 0, roster);
}

sa_status
sa_session_init_graph(sa_session *s, const uint8_t *session_id, size_t session_id_len,
                      uint32_t threshold, uint32_t vector_length, uint32_t degree,
                      const sa_roster *roster)
{
	sa_status st;
	if (session_id_len < 1 || session_id_len > SA_SESSION_ID_MAX)
		return SA_ERR_PARAM;
	if (vector_length < 1 || vector_length > SA_MAX_VECTOR_LENGTH)
		return SA_ERR_PARAM;
	if ((st = sa_roster_check(roster)) != SA_OK)
		return st;
	st = degree ? sa_check_graph(threshold, roster->n, degree) : sa_check_threshold(threshold, roster->n);
	if (st != SA_OK)
		return st;
	memset(s, 0, sizeof *s);
	memcpy(s->session_id, session_id, session_id_len);
	s->session_id_len = (uint8_t) session_id_len;
	s->threshold = threshold;
	s->vector_length = vector_length;
	s->degree = degree;

	/* complete graph: label || sid_len || sid || t || m || roster digest (unchanged since 0.1) */
	uint8_t digest[32], b[4];
	sa_roster_digest(roster, digest);
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, SA_CTX_BYTES);
	if (degree)
		crypto_generichash_update(&h, (const uint8_t *) LABEL_SESSION_GRAPH, sizeof LABEL_SESSION_GRAPH - 1);
	else
		crypto_generichash_update(&h, (const uint8_t *) LABEL_SESSION, sizeof LABEL_SESSION - 1);
	uint8_t l = s->session_id_len;
	crypto_generichash_update(&h, &l, 1);
	crypto_generichash_update(&h, s->session_id, l);
	sa_store_u32_be(b, threshold);
	crypto_generichash_update(&h, b, 4);
	sa_store_u32_be(b, vector_length);
	crypto_generichash_update(&h, b, 4);
	if (degree) {               /* SecAgg+: the degree too */
		sa_store_u32_be(b, degree);
		crypto_generichash_update(&h, b, 4);
	}
	crypto_generichash_update(&h, digest, 32);
	crypto_generichash_final(&h, s->ctx, SA_CTX_BYTES);
	return SA_OK;
}

sa_status
sa_kx_pk_check(const uint8_t pk[32])
{
	/* canonical: top bit clear and u < p = 2^255 - 19 (little-endian) */
	static const uint8_t p_le[32] = {
		0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f
	};
	/*
	 * The canonical u-coordinates of the points of order 1, 2, 4 and 8 on
	 * Curve25519 and its twist (the list libsodium's X25519 refuses):
	 * 0, 1, two points of order 8, and p - 1. Any other canonical u gives
	 * a shared secret that depends on the peer's secret key.
	 */
	static const uint8_t small_order[][32] = {
		{ 0 },
		{ 1 },
		{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
		  0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
		{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef, 0x5b,
		  0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f, 0x11, 0x57 },
		{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
	};
	if (pk[31] & 0x80)
		return SA_ERR_KEYS;
	if (sodium_compare(pk, p_le, 32) >= 0)
		return SA_ERR_KEYS;
	for (size_t i = 0; i < sizeof small_order / sizeof small_order[0]; i++)
		if (sodium_memcmp(pk, small_order[i], 32) == 0)
			return SA_ERR_KEYS;
	return SA_OK;
}

sa_status
sa_kx_agree(uint8_t q[32], const uint8_t sk[32], const uint8_t pk[32])
{
	if (crypto_scalarmult(q, sk, pk) != 0) {
		sodium_memzero(q, 32);
		return SA_ERR_KEYS;
	}
	return SA_OK;
}

/* BLAKE2b keyed with q over label || ctx || lo id || lo pk || hi id || hi pk. */
static void
pair_kdf(uint8_t *out, size_t out_len, const char *label, size_t label_len,
         const uint8_t ctx[SA_CTX_BYTES], const uint8_t q[32],
         uint64_t a, const uint8_t pk_a[32], uint64_t b, const uint8_t pk_b[32])
{
	crypto_generichash_state h;
	uint8_t ib[8];
	if (a > b) {
		uint64_t t = a; a = b; b = t;
		const uint8_t *tp = pk_a; pk_a = pk_b; pk_b = tp;
	}
	crypto_generichash_init(&h, q, 32, out_len);
	crypto_generichash_update(&h, (const uint8_t *) label, label_len);
	crypto_generichash_update(&h, ctx, SA_CTX_BYTES);
	sa_store_u64_be(ib, a);
	crypto_generichash_update(&h, ib, 8);
	crypto_generichash_update(&h, pk_a, 32);
	sa_store_u64_be(ib, b);
	crypto_generichash_update(&h, ib, 8);
	crypto_generichash_update(&h, pk_b, 32);
	crypto_generichash_final(&h, out, out_len);
	sodium_memzero(&h, sizeof h);
}

void
sa_pair_mask_key(uint8_t key[SA_MASK_KEY_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                 const uint8_t q[32], uint64_t a, const uint8_t pk_a[32],
                 uint64_t b, const uint8_t pk_b[32])
{
	pair_kdf(key, SA_MASK_KEY_BYTES, LABEL_PAIR, sizeof LABEL_PAIR - 1, ctx, q, a, pk_a, b, pk_b);
}

void
sa_share_enc_key(uint8_t key[SA_AEAD_KEY_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                 const uint8_t q[32], uint64_t a, const uint8_t pk_a[32],
                 uint64_t b, const uint8_t pk_b[32])
{
	pair_kdf(key, SA_AEAD_KEY_BYTES, LABEL_ENC, sizeof LABEL_ENC - 1, ctx, q, a, pk_a, b, pk_b);
}

void
sa_share_ad(uint8_t ad[SA_SHARE_AD_BYTES], const uint8_t ctx[SA_CTX_BYTES],
            uint64_t sender, uint64_t recipient)
{
	/* 8-byte label prefix keeps the AD a fixed size. */
	memcpy(ad, LABEL_AD + 10, 8);          /* "share-ad" */
	memcpy(ad + 8, ctx, SA_CTX_BYTES);
	sa_store_u64_be(ad + 8 + SA_CTX_BYTES, sender);
	sa_store_u64_be(ad + 16 + SA_CTX_BYTES, recipient);
}

static void
keyed_with_b(uint8_t *out, size_t out_len, const char *label, size_t label_len,
             const uint8_t ctx[SA_CTX_BYTES], uint64_t u, const uint8_t b[SA_SCALAR_BYTES])
{
	crypto_generichash_state h;
	uint8_t ib[8];
	crypto_generichash_init(&h, b, SA_SCALAR_BYTES, out_len);
	crypto_generichash_update(&h, (const uint8_t *) label, label_len);
	crypto_generichash_update(&h, ctx, SA_CTX_BYTES);
	sa_store_u64_be(ib, u);
	crypto_generichash_update(&h, ib, 8);
	crypto_generichash_final(&h, out, out_len);
	sodium_memzero(&h, sizeof h);
}

void
sa_self_mask_key(uint8_t key[SA_MASK_KEY_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                 uint64_t u, const uint8_t b[SA_SCALAR_BYTES])
{
	keyed_with_b(key, SA_MASK_KEY_BYTES, LABEL_SELF, sizeof LABEL_SELF - 1, ctx, u, b);
}

void
sa_self_commit(uint8_t out[SA_COMMIT_BYTES], const uint8_t ctx[SA_CTX_BYTES],
               uint64_t u, const uint8_t b[SA_SCALAR_BYTES])
{
	keyed_with_b(out, SA_COMMIT_BYTES, LABEL_COMMIT, sizeof LABEL_COMMIT - 1, ctx, u, b);
}

void
sa_mask_keypair(uint8_t pk[32], uint8_t sk[32], const uint8_t r[SA_SCALAR_BYTES])
{
	crypto_kx_seed_keypair(pk, sk, r);
}

void
sa_advertise_signed(uint8_t out[SA_ADVERTISE_SIGNED_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                    uint64_t u, const uint8_t c_pk[32], const uint8_t s_pk[32])
{
	memcpy(out, LABEL_ADVERTISE, 16);
	memcpy(out + 16, ctx, SA_CTX_BYTES);
	sa_store_u64_be(out + 16 + SA_CTX_BYTES, u);
	memcpy(out + 24 + SA_CTX_BYTES, c_pk, 32);
	memcpy(out + 56 + SA_CTX_BYTES, s_pk, 32);
}

sa_status
sa_consistency_signed(uint8_t **out, size_t *out_len, const uint8_t ctx[SA_CTX_BYTES],
                      const uint8_t *ids_be, uint32_t count, size_t stride)
{
	sa_writer w;
	sa_writer_init(&w);
	sa_put_bytes(&w, LABEL_CONSISTENCY, sizeof LABEL_CONSISTENCY - 1);
	sa_put_bytes(&w, ctx, SA_CTX_BYTES);
	sa_put_u32(&w, count);
	for (uint32_t i = 0; i < count; i++)
		sa_put_bytes(&w, ids_be + (size_t) i * stride, 8);
	*out = sa_writer_finish(&w, out_len);
	return *out ? SA_OK : SA_ERR_NOMEM;
}

void
sa_ring_seed(uint8_t seed[32], const uint8_t ctx[SA_CTX_BYTES], uint32_t n1, const uint8_t root[32])
{
	crypto_generichash_state h;
	uint8_t b[4];
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *) LABEL_RING, sizeof LABEL_RING - 1);
	crypto_generichash_update(&h, ctx, SA_CTX_BYTES);
	sa_store_u32_be(b, n1);
	crypto_generichash_update(&h, b, 4);
	crypto_generichash_update(&h, root, 32);
	crypto_generichash_final(&h, seed, 32);
}

void
sa_u3_digest(uint8_t out[32], const uint8_t ctx[SA_CTX_BYTES], uint32_t n,
             const uint8_t *bitmap, size_t bitmap_len)
{
	crypto_generichash_state h;
	uint8_t b[4];
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *) LABEL_U3, sizeof LABEL_U3 - 1);
	crypto_generichash_update(&h, ctx, SA_CTX_BYTES);
	sa_store_u32_be(b, n);
	crypto_generichash_update(&h, b, 4);
	crypto_generichash_update(&h, bitmap, bitmap_len);
	crypto_generichash_final(&h, out, 32);
}

void
sa_consistency_graph_signed(uint8_t out[SA_CONSISTENCY_GRAPH_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                            const uint8_t u3_digest[32])
{
	memcpy(out, LABEL_CONSISTENCY_GRAPH, 21);
	memcpy(out + 21, ctx, SA_CTX_BYTES);
	memcpy(out + 21 + SA_CTX_BYTES, u3_digest, 32);
}
