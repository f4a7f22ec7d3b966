/*
 * protocol.h: constants and the key schedule of secagg's secure aggregation
 * (Bonawitz et al., CCS 2017, active variant).
 *
 * Every signature, key derivation and AEAD associated-data string starts
 * with a domain label and the 32-byte session context, which binds the
 * caller's session id, the threshold t, the vector length m and the roster
 * (ids and Ed25519 keys of every user). A message replayed from another
 * session, or from a session with other parameters, does not verify.
 */
#ifndef SECAGG_SECAGG_PROTOCOL_H
#define SECAGG_SECAGG_PROTOCOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define SA_WIRE_VERSION        1      /* complete-graph sessions (Bonawitz et al. 2017) */
#define SA_WIRE_VERSION_GRAPH  2      /* SecAgg+ sessions: a Harary graph of degree k */
#define SA_CTX_BYTES           32
#define SA_SESSION_ID_MAX      64
#define SA_SIGN_PK_BYTES       32
#define SA_SIGN_SK_BYTES       64
#define SA_SIG_BYTES           64
#define SA_KX_PK_BYTES         32
#define SA_KX_SK_BYTES         32
#define SA_SCALAR_BYTES        32
#define SA_MASK_KEY_BYTES      16     /* AES-128 key of one mask */
#define SA_AEAD_KEY_BYTES      32
#define SA_NONCE_BYTES         24
#define SA_TAG_BYTES           16
#define SA_SHARE_PLAIN_BYTES   (8 + 8 + SA_SCALAR_BYTES + SA_SCALAR_BYTES)      /* 80 */
#define SA_SHARE_CT_BYTES      (SA_SHARE_PLAIN_BYTES + SA_TAG_BYTES)            /* 96 */
#define SA_CT_ENTRY_BYTES      (8 + SA_NONCE_BYTES + SA_SHARE_CT_BYTES)         /* 128 */
#define SA_COMMIT_BYTES        32

/* Implementation limits; see README "Limits". */
#define SA_MAX_USERS           2048        /* complete graph: messages grow as n */
#define SA_MAX_USERS_GRAPH     1000000     /* SecAgg+: messages grow as k */
#define SA_MAX_VECTOR_LENGTH   (1u << 26)

/* Message types: byte 1 of every message. */
#define SA_MSG_S2C(round)      ((uint8_t) (0x00 + (round)))
#define SA_MSG_C2S(round)      ((uint8_t) (0x10 + (round)))
#define SA_S2C_HEADER_BYTES    (2 + SA_CTX_BYTES)
#define SA_C2S_HEADER_BYTES    (2 + SA_CTX_BYTES + 8)

/* Share kinds in the unmasking message. */
#define SA_SHARE_KIND_SELF     1      /* share of b_v, for v in U3 */
#define SA_SHARE_KIND_PAIR     2      /* share of the s-key seed of v, for v in U2 \ U3 */

typedef struct sa_session {
	uint8_t session_id[SA_SESSION_ID_MAX];
	uint8_t session_id_len;
	uint32_t threshold;
	uint32_t vector_length;
	uint32_t degree;             /* k of a SecAgg+ graph; 0 for the complete graph */
	uint8_t ctx[SA_CTX_BYTES];
} sa_session;

/* The wire version of a session's messages, states and images. */
static inline uint8_t
sa_session_wire_version(const sa_session *s)
{
	return s->degree ? SA_WIRE_VERSION_GRAPH : SA_WIRE_VERSION;
}

/* A roster: sorted, distinct, non-zero ids with their Ed25519 public keys. */
typedef struct sa_roster {
	uint32_t n;
	const uint64_t *ids;
	const uint8_t (*sign_pks)[SA_SIGN_PK_BYTES];
} sa_roster;

/* Checks threshold rules: 2 <= t <= n and t > n/2 (malicious server). */
sa_status sa_check_threshold(uint32_t t, uint32_t n);
/*
 * Structural rules of a SecAgg+ session: 4 <= n <= SA_MAX_USERS_GRAPH, k
 * even with 2 <= k <= n - 2, and 2 <= t <= k + 1 (t of the k + 1 members
 * of a neighbourhood, the user included). Whether (k, t) meets the
 * parameter finder's security rules is graph_params.h's business.
 */
sa_status sa_check_graph(uint32_t t, uint32_t n, uint32_t k);

sa_status sa_roster_check(const sa_roster *r);
/* SA_ERR_KEYS if two of the n signing keys (stride bytes apart) are equal. */
sa_status sa_sign_pks_distinct(const uint8_t *first, size_t stride, uint32_t n);
/* Index of id in the sorted roster, or -1. */
long sa_roster_find(const sa_roster *r, uint64_t id);
void sa_roster_digest(const sa_roster *r, uint8_t out[32]);

/* Fills s->ctx from the other fields and the roster (complete graph). */
sa_status sa_session_init(sa_session *s, const uint8_t *session_id, size_t session_id_len,
                          uint32_t threshold, uint32_t vector_length, const sa_roster *roster);
/*
 * The same for a session on a SecAgg+ graph of degree k (k = 0: the
 * complete graph, as sa_session_init). The context of a SecAgg+ session
 * is computed under its own label and binds k, so no message of one kind
 * of session verifies in the other.
 */
sa_status sa_session_init_graph(sa_session *s, const uint8_t *session_id, size_t session_id_len,
                                uint32_t threshold, uint32_t vector_length, uint32_t degree,
                                const sa_roster *roster);

/* Binary search in an array of big-endian u64 ids spaced by stride bytes. */
long sa_find_id(const uint8_t *base, uint32_t count, size_t stride, uint64_t id);
/* Ids strictly increasing and, if parent is not NULL, each one in parent. */
bool sa_ids_sorted_subset(const uint8_t *ids, uint32_t count, size_t stride,
                          const uint8_t *parent, uint32_t parent_count, size_t parent_stride);

/* --- key schedule --- */

/*
 * SA_OK if pk is a usable X25519 public key: canonical (u < 2^255 - 19, top
 * bit clear) and not one of the five canonical points of small order (which
 * give every peer an all-zero shared secret). O(1): no scalar multiplication.
 */
sa_status sa_kx_pk_check(const uint8_t pk[32]);

/* X25519 followed by checks: fails on an all-zero (low-order) result. */
sa_status sa_kx_agree(uint8_t q[32], const uint8_t sk[32], const uint8_t pk[32]);

/* Key of the pairwise mask between users a and b (order-independent). */
void sa_pair_mask_key(uint8_t key[SA_MASK_KEY_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                      const uint8_t q[32], uint64_t a, const uint8_t pk_a[32],
                      uint64_t b, const uint8_t pk_b[32]);
/* AEAD key for share ciphertexts between a and b (order-independent). */
void sa_share_enc_key(uint8_t key[SA_AEAD_KEY_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                      const uint8_t q[32], uint64_t a, const uint8_t pk_a[32],
                      uint64_t b, const uint8_t pk_b[32]);
/* Associated data of the ciphertext from sender to recipient. */
void sa_share_ad(uint8_t ad[SA_CTX_BYTES + 24], const uint8_t ctx[SA_CTX_BYTES],
                 uint64_t sender, uint64_t recipient);
#define SA_SHARE_AD_BYTES (SA_CTX_BYTES + 24)
/* Key of u's self mask from its seed b_u. */
void sa_self_mask_key(uint8_t key[SA_MASK_KEY_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                      uint64_t u, const uint8_t b[SA_SCALAR_BYTES]);
/* Commitment to b_u, sent to the server in ShareKeys, checked after reconstruction. */
void sa_self_commit(uint8_t out[SA_COMMIT_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                    uint64_t u, const uint8_t b[SA_SCALAR_BYTES]);
/* Mask key pair from the shared seed r (crypto_kx_seed_keypair). */
void sa_mask_keypair(uint8_t pk[32], uint8_t sk[32], const uint8_t r[SA_SCALAR_BYTES]);

/* Signed statements. */
#define SA_ADVERTISE_SIGNED_BYTES (16 + SA_CTX_BYTES + 8 + 64)
void sa_advertise_signed(uint8_t out[SA_ADVERTISE_SIGNED_BYTES], const uint8_t ctx[SA_CTX_BYTES],
                         uint64_t u, const uint8_t c_pk[32], const uint8_t s_pk[32]);
/* The consistency statement over U3: label || ctx || count || ids (big-endian). */
sa_status sa_consistency_signed(uint8_t **out, size_t *out_len, const uint8_t ctx[SA_CTX_BYTES],
                                const uint8_t *ids_be, uint32_t count, size_t stride);

/* --- SecAgg+ --- */

/*
 * The seed of the ring permutation (graph.h):
 *   BLAKE2b-256("secagg/v2/ring" || ctx || n1 u32 || root)
 * where root is the Merkle root (merkle.h) of the n1 advertisements of U1
 * in id order. Every honest advertisement carries fresh keys, so neither
 * the server nor any client knows the seed before the last advertisement
 * it covers was made; README "Security model" says what the server can
 * still choose (which advertisements make U1).
 */
void sa_ring_seed(uint8_t seed[32], const uint8_t ctx[SA_CTX_BYTES], uint32_t n1, const uint8_t root[32]);

/* Digest of U3 as a bitmap over the roster (bit i = roster index i, LSB first). */
void sa_u3_digest(uint8_t out[32], const uint8_t ctx[SA_CTX_BYTES], uint32_t n,
                  const uint8_t *bitmap, size_t bitmap_len);

/* The consistency statement of a SecAgg+ session: label || ctx || U3 digest. */
#define SA_CONSISTENCY_GRAPH_BYTES (21 + SA_CTX_BYTES + 32)
void sa_consistency_graph_signed(uint8_t out[SA_CONSISTENCY_GRAPH_BYTES],
                                 const uint8_t ctx[SA_CTX_BYTES], const uint8_t u3_digest[32]);

/* Direction of the pairwise mask of u with v: +1 if u > v, -1 if u < v. */
static inline int
sa_mask_sign(uint64_t u, uint64_t v)
{
	return u > v ? 1 : -1;
}

#endif
