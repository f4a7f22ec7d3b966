/* keys.c: Ed25519 signing key pairs and roster bytes. */
#include "internal.h"

#include <string.h>

#include "common/alloc.h"
#include "common/codec.h"
#include "secagg/client.h"
#include "secagg/roster.h"

int
secagg_sign_keypair(uint8_t pk[SECAGG_SIGN_PK_BYTES], uint8_t sk[SECAGG_SIGN_SK_BYTES])
{
	if (pk == NULL || sk == NULL)
		return SECAGG_ERR_NULL;
	int rc = secagg_init();
	if (rc == SECAGG_OK)
		sa_sign_keypair(pk, sk);
	return rc;
}

int
secagg_roster_encode(const uint64_t *ids, const uint8_t *sign_pks, size_t n, uint8_t **out, size_t *out_len)
{
	if (ids == NULL || sign_pks == NULL || out == NULL || out_len == NULL)
		return SECAGG_ERR_NULL;
	if (n < 2 || n > SA_MAX_USERS_GRAPH)
		return SECAGG_ERR_PARAM;
	uint8_t *entries = sa_alloc_array(n, SA_ROSTER_ENTRY_BYTES);
	if (entries == NULL)
		return SECAGG_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		sa_store_u64_be(entries + i * SA_ROSTER_ENTRY_BYTES, ids[i]);
		memcpy(entries + i * SA_ROSTER_ENTRY_BYTES + 8, sign_pks + i * SECAGG_SIGN_PK_BYTES, SECAGG_SIGN_PK_BYTES);
	}
	uint8_t *buf;
	size_t len;
	sa_status st = sa_roster_build(entries, n, &buf, &len);
	sa_free(entries);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	*out = buf;
	*out_len = len;
	return SECAGG_OK;
}
