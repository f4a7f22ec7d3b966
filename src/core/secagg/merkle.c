/* merkle.c: the advertisement tree of SecAgg+ sessions (see merkle.h). */
#include "secagg/merkle.h"

#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"

static const char LABEL_LEAF[] = "secagg/v2/leaf";

void
sa_merkle_leaf(uint8_t out[SA_MERKLE_HASH_BYTES], uint64_t id, const uint8_t c_pk[32],
               const uint8_t s_pk[32])
{
	crypto_generichash_state h;
	uint8_t prefix = 0x00, ib[8];
	crypto_generichash_init(&h, NULL, 0, SA_MERKLE_HASH_BYTES);
	crypto_generichash_update(&h, &prefix, 1);
	crypto_generichash_update(&h, (const uint8_t *) LABEL_LEAF, sizeof LABEL_LEAF - 1);
	sa_store_u64_be(ib, id);
	crypto_generichash_update(&h, ib, 8);
	crypto_generichash_update(&h, c_pk, 32);
	crypto_generichash_update(&h, s_pk, 32);
	crypto_generichash_final(&h, out, SA_MERKLE_HASH_BYTES);
}

static void
node_hash(uint8_t out[SA_MERKLE_HASH_BYTES], const uint8_t *left, const uint8_t *right)
{
	crypto_generichash_state h;
	uint8_t prefix = 0x01;
	crypto_generichash_init(&h, NULL, 0, SA_MERKLE_HASH_BYTES);
	crypto_generichash_update(&h, &prefix, 1);
	crypto_generichash_update(&h, left, SA_MERKLE_HASH_BYTES);
	crypto_generichash_update(&h, right, SA_MERKLE_HASH_BYTES);
	crypto_generichash_final(&h, out, SA_MERKLE_HASH_BYTES);
}

uint32_t
sa_merkle_path_length(uint32_t index, uint32_t n)
{
	uint32_t len = 0, fn = index, sn = n - 1;
	while (sn > 0) {
		if ((fn & 1) == 0 && fn == sn)
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		len++;
		fn >>= 1;
		sn >>= 1;
	}
	return len;
}

/*
 * Built bottom up: at every level an unpaired last node moves up unchanged,
 * which gives RFC 9162's tree (the split at the largest power of two).
 */
sa_status
sa_merkle_build(sa_merkle_tree *t, const uint8_t (*leaves)[SA_MERKLE_HASH_BYTES], uint32_t n)
{
	memset(t, 0, sizeof *t);
	if (n == 0)
		return SA_ERR_PARAM;
	t->n = n;
	t->width[0] = n;
	if ((t->level[0] = sa_alloc_array(n, SA_MERKLE_HASH_BYTES)) == NULL)
		return SA_ERR_NOMEM;
	memcpy(t->level[0], leaves, (size_t) n * SA_MERKLE_HASH_BYTES);
	uint32_t d = 0;
	while (t->width[d] > 1) {
		uint32_t w = t->width[d], up = w / 2 + w % 2;
		if ((t->level[d + 1] = sa_alloc_array(up, SA_MERKLE_HASH_BYTES)) == NULL) {
			sa_merkle_free(t);
			return SA_ERR_NOMEM;
		}
		for (uint32_t i = 0; i + 1 < w; i += 2)
			node_hash(t->level[d + 1][i / 2], t->level[d][i], t->level[d][i + 1]);
		if (w % 2)
			memcpy(t->level[d + 1][up - 1], t->level[d][w - 1], SA_MERKLE_HASH_BYTES);
		t->width[++d] = up;
	}
	t->depth = d;
	return SA_OK;
}

void
sa_merkle_free(sa_merkle_tree *t)
{
	for (uint32_t d = 0; d <= SA_MERKLE_MAX_DEPTH; d++)
		sa_free(t->level[d]);
	memset(t, 0, sizeof *t);
}

const uint8_t *
sa_merkle_root(const sa_merkle_tree *t)
{
	return t->level[t->depth][0];
}

uint32_t
sa_merkle_path(const sa_merkle_tree *t, uint32_t index, uint8_t (*path)[SA_MERKLE_HASH_BYTES])
{
	uint32_t len = 0, i = index;
	for (uint32_t d = 0; d < t->depth; d++, i /= 2) {
		uint32_t sib = i ^ 1;
		if (sib < t->width[d])
			memcpy(path[len++], t->level[d][sib], SA_MERKLE_HASH_BYTES);
	}
	return len;
}

bool
sa_merkle_verify(const uint8_t root[SA_MERKLE_HASH_BYTES], uint32_t index, uint32_t n,
                 const uint8_t leaf[SA_MERKLE_HASH_BYTES],
                 const uint8_t (*path)[SA_MERKLE_HASH_BYTES], uint32_t len)
{
	if (n == 0 || index >= n || len != sa_merkle_path_length(index, n))
		return false;
	uint8_t r[SA_MERKLE_HASH_BYTES];
	uint32_t fn = index, sn = n - 1;
	memcpy(r, leaf, sizeof r);
	for (uint32_t i = 0; i < len; i++) {
		if ((fn & 1) || fn == sn) {
			node_hash(r, path[i], r);
			while ((fn & 1) == 0 && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			node_hash(r, r, path[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && sodium_memcmp(r, root, SA_MERKLE_HASH_BYTES) == 0;
}
