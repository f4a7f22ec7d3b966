/*
 * merkle.h: a Merkle tree over the round-0 advertisements of a SecAgg+
 * session, so that a client can check that its own advertisement is among
 * those the ring permutation was drawn from (graph.h, protocol.h
 * sa_ring_seed) with O(log n) hashes instead of the whole list.
 *
 * The tree is RFC 9162's (Certificate Transparency v2, section 2.1) with
 * BLAKE2b-256 in place of SHA-256 and secagg's own domain labels:
 *   leaf  = BLAKE2b-256(0x00 || "secagg/v2/leaf" || id u64 || c_pk || s_pk)
 *   node  = BLAKE2b-256(0x01 || left || right)
 * For n leaves the root splits at the largest power of two below n; an
 * inclusion path lists the sibling hashes from the leaf up, and its length
 * is fixed by (index, n), so a path of any other length is refused.
 */
#ifndef SECAGG_SECAGG_MERKLE_H
#define SECAGG_SECAGG_MERKLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define SA_MERKLE_HASH_BYTES 32
#define SA_MERKLE_MAX_DEPTH  32      /* paths of trees up to 2^32 leaves */

/* The leaf hash of one advertisement. */
void sa_merkle_leaf(uint8_t out[SA_MERKLE_HASH_BYTES], uint64_t id, const uint8_t c_pk[32],
                    const uint8_t s_pk[32]);

/* Length of the inclusion path of leaf `index` in a tree of n leaves (index < n). */
uint32_t sa_merkle_path_length(uint32_t index, uint32_t n);

/*
 * A tree held in memory: all levels, so that every leaf's path is read in
 * O(log n). leaves are copied; n >= 1.
 */
typedef struct sa_merkle_tree {
	uint32_t n;
	uint32_t depth;                               /* levels above the leaves */
	uint8_t (*level[SA_MERKLE_MAX_DEPTH + 1])[SA_MERKLE_HASH_BYTES];
	uint32_t width[SA_MERKLE_MAX_DEPTH + 1];
} sa_merkle_tree;

sa_status sa_merkle_build(sa_merkle_tree *t, const uint8_t (*leaves)[SA_MERKLE_HASH_BYTES], uint32_t n);
void sa_merkle_free(sa_merkle_tree *t);
const uint8_t *sa_merkle_root(const sa_merkle_tree *t);
/* Writes the path of leaf index (sa_merkle_path_length(index, n) hashes); returns its length. */
uint32_t sa_merkle_path(const sa_merkle_tree *t, uint32_t index, uint8_t (*path)[SA_MERKLE_HASH_BYTES]);

/* Does `path` (len hashes) prove `leaf` at `index` of n leaves under `root`? */
bool sa_merkle_verify(const uint8_t root[SA_MERKLE_HASH_BYTES], uint32_t index, uint32_t n,
                      const uint8_t leaf[SA_MERKLE_HASH_BYTES],
                      const uint8_t (*path)[SA_MERKLE_HASH_BYTES], uint32_t len);

#endif
