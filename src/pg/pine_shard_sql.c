/*
 * pine_shard_sql.c: the PINE client from SQL: pine_shard() splits a
 * measurement into a public share and one input share per Aggregator.
 */
#include "pine_pg.h"

#include <sodium.h>

#include "catalog/pg_type.h"
#include "utils/array.h"

PG_FUNCTION_INFO_V1(secagg_pine_shard);

/* Client attempts on PINE_RETRY (an honest client fails each with
 * probability about 2^-100). */
#define PINE_SHARD_ATTEMPTS 16

/*
 * pine_shard(params, measurement float8[], nonce bytea [, rand bytea])
 *   -> (public_share bytea, input_shares bytea[])
 * Without rand: fresh randomness, retried on PINE_RETRY (VOLATILE).
 */
Datum
secagg_pine_shard(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "measurement", "nonce", "rand" };
	bool explicit_rand = PG_NARGS() > 3;
	sa_pg_require_args(fcinfo, 0, explicit_rand ? 3 : 2, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	ArrayType *ma = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_ELEMTYPE(ma) != FLOAT8OID)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH), errmsg("measurement must be a float8[]")));
	if (ARR_NDIM(ma) > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("measurement must be one-dimensional")));
	if (ARR_HASNULL(ma) && array_contains_nulls(ma))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		                errmsg("measurement must not contain NULL elements")));
	size_t n = ARR_NDIM(ma) == 0 ? 0 : (size_t) ARR_DIMS(ma)[0];
	if (n != P->dimension)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("measurement has %zu entries, the parameters' dimension is %zu", n, P->dimension)));
	const double *meas = (const double *) ARR_DATA_PTR(ma);
	size_t nonce_len;
	const uint8_t *nonce = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &nonce_len);
	sa_pg_check_len("nonce", nonce_len, P->nonce_len);

	size_t S = P->num_shares;
	uint8_t *pub = palloc(P->public_share_len);
	uint8_t **in = palloc(S * sizeof *in);
	for (size_t j = 0; j < S; j++)
		in[j] = palloc_extended(pine_input_share_len(P, (uint32_t) j), MCXT_ALLOC_HUGE);
	const char *why = NULL;
	pine_status st;
	if (explicit_rand) {
		size_t rand_len;
		const uint8_t *rand = sa_pg_bytes(PG_GETARG_BYTEA_PP(3), &rand_len);
		sa_pg_check_len("rand", rand_len, P->rand_len);
		st = pine_shard(P, meas, n, nonce, nonce_len, rand, rand_len, pub, in, &why);
		if (st == PINE_RETRY)
			ereport(ERROR, (errcode(sa_pg_pine_sqlstate(st)),
			                errmsg("pine_shard: the wraparound checks failed with this rand"),
			                errhint("Draw fresh randomness and call again (the 3-argument form does this).")));
	} else {
		uint8_t *rand = palloc(P->rand_len);
		int attempt = 0;
		do {
			randombytes_buf(rand, P->rand_len);
			st = pine_shard(P, meas, n, nonce, nonce_len, rand, P->rand_len, pub, in, &why);
		} while (st == PINE_RETRY && ++attempt < PINE_SHARD_ATTEMPTS);
		sodium_memzero(rand, P->rand_len);
		pfree(rand);
	}
	if (st != PINE_OK) {
		for (size_t j = 0; j < S; j++)
			sodium_memzero(in[j], pine_input_share_len(P, (uint32_t) j));
		sa_pg_pine_fail(st, "pine_shard", why);
	}
	Datum *shares = palloc(S * sizeof(Datum));
	for (size_t j = 0; j < S; j++) {
		size_t l = pine_input_share_len(P, (uint32_t) j);
		shares[j] = PointerGetDatum(sa_pg_bytea(in[j], l));
		sodium_memzero(in[j], l);
		pfree(in[j]);
	}
	Datum values[2];
	bool nulls[2] = { false, false };
	values[0] = PointerGetDatum(sa_pg_bytea(pub, P->public_share_len));
	values[1] = PointerGetDatum(construct_array(shares, (int) S, BYTEAOID, -1, false, TYPALIGN_INT));
	PG_RETURN_DATUM(sa_pg_make_record(fcinfo, values, nulls));
}
