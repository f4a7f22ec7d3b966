/*
 * pine_shard.c: a PINE client's report: the public share and one input
 * share per Aggregator (the core's pine_shard), into buffers the caller
 * frees with secagg_free.
 */
#include "internal.h"

#include <sodium.h>

#include "common/alloc.h"

/* Attempts on the draft's "retry" (an honest client fails each with
 * probability about 2^-100), as secagg.pine_shard does. */
#define PINE_SHARD_ATTEMPTS 16

/* Room for the outputs: one public share, the input shares end to end. */
typedef struct shard_out {
	uint8_t *pub;
	size_t pub_len;
	uint8_t *shares;
	size_t shares_len;
	uint8_t **share_ptrs;           /* num_shares pointers into shares */
} shard_out;

static void
shard_out_free(shard_out *o)
{
	secagg_free(o->pub, o->pub_len);
	secagg_free(o->shares, o->shares_len);
	sa_free(o->share_ptrs);
}

static int
shard_out_alloc(const pine_params *P, shard_out *o)
{
	o->pub_len = P->public_share_len;
	o->shares_len = 0;
	for (uint32_t j = 0; j < P->num_shares; j++)
		o->shares_len += pine_input_share_len(P, j);
	o->pub = sa_alloc(o->pub_len ? o->pub_len : 1);
	o->shares = sa_alloc(o->shares_len);
	o->share_ptrs = sa_alloc_array(P->num_shares, sizeof(uint8_t *));
	if (o->pub == NULL || o->shares == NULL || o->share_ptrs == NULL)
		return SECAGG_ERR_NOMEM;
	size_t off = 0;
	for (uint32_t j = 0; j < P->num_shares; j++) {
		o->share_ptrs[j] = o->shares + off;
		off += pine_input_share_len(P, j);
	}
	return SECAGG_OK;
}

static int
check_shard_args(const secagg_pine_params *p, const double *measurement, size_t dimension, const uint8_t *nonce,
                 size_t nonce_len, uint8_t **public_share, size_t *public_share_len, uint8_t **input_shares,
                 size_t *input_shares_len)
{
	if (p == NULL || measurement == NULL || nonce == NULL || public_share == NULL || public_share_len == NULL ||
	    input_shares == NULL || input_shares_len == NULL)
		return SECAGG_ERR_NULL;
	const pine_params *P = secagg_pine_core_params(p);
	if (dimension != P->dimension || nonce_len != P->nonce_len)
		return SECAGG_ERR_PARAM;
	return secagg_init();
}

/* Shards with `rand` (rand_len bytes), or with fresh randomness when rand is NULL. */
static int
shard(const secagg_pine_params *p, const double *measurement, size_t dimension, const uint8_t *nonce,
      size_t nonce_len, const uint8_t *rand, uint8_t **public_share, size_t *public_share_len,
      uint8_t **input_shares, size_t *input_shares_len)
{
	const pine_params *P = secagg_pine_core_params(p);
	shard_out o = { 0 };
	uint8_t *fresh = rand == NULL ? sa_alloc(P->rand_len) : NULL;
	int rc = shard_out_alloc(P, &o);
	if (rc == SECAGG_OK && rand == NULL && fresh == NULL)
		rc = SECAGG_ERR_NOMEM;
	pine_status st = PINE_RETRY;
	for (int attempt = 0; rc == SECAGG_OK && st == PINE_RETRY && attempt < PINE_SHARD_ATTEMPTS; attempt++) {
		if (fresh != NULL)
			randombytes_buf(fresh, P->rand_len);
		st = pine_shard(P, measurement, dimension, nonce, nonce_len, rand ? rand : fresh, P->rand_len, o.pub,
		                o.share_ptrs, NULL);
		if (rand != NULL)
			break;
	}
	if (fresh != NULL)
		sa_free_secret(fresh, P->rand_len);
	if (rc == SECAGG_OK)
		rc = secagg_code_from_pine(st);
	if (rc != SECAGG_OK) {
		shard_out_free(&o);
		return rc;
	}
	*public_share = o.pub;
	*public_share_len = o.pub_len;
	*input_shares = o.shares;
	*input_shares_len = o.shares_len;
	sa_free(o.share_ptrs);
	return SECAGG_OK;
}

int
secagg_pine_shard(const secagg_pine_params *p, const double *measurement, size_t dimension, const uint8_t *nonce,
                  size_t nonce_len, uint8_t **public_share, size_t *public_share_len, uint8_t **input_shares,
                  size_t *input_shares_len)
{
	int rc = check_shard_args(p, measurement, dimension, nonce, nonce_len, public_share, public_share_len,
	                          input_shares, input_shares_len);
	if (rc != SECAGG_OK)
		return rc;
	return shard(p, measurement, dimension, nonce, nonce_len, NULL, public_share, public_share_len, input_shares,
	             input_shares_len);
}

int
secagg_pine_shard_with_rand(const secagg_pine_params *p, const double *measurement, size_t dimension,
                            const uint8_t *nonce, size_t nonce_len, const uint8_t *rand, size_t rand_len,
                            uint8_t **public_share, size_t *public_share_len, uint8_t **input_shares,
                            size_t *input_shares_len)
{
	int rc = check_shard_args(p, measurement, dimension, nonce, nonce_len, public_share, public_share_len,
	                          input_shares, input_shares_len);
	if (rc != SECAGG_OK)
		return rc;
	if (rand == NULL)
		return SECAGG_ERR_NULL;
	if (rand_len != secagg_pine_core_params(p)->rand_len)
		return SECAGG_ERR_PARAM;
	return shard(p, measurement, dimension, nonce, nonce_len, rand, public_share, public_share_len, input_shares,
	             input_shares_len);
}
