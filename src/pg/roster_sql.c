/* roster_sql.c: key pairs, session ids and the roster (the PKI) from SQL. */
#include "pg_util.h"

#include <sodium.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "catalog/pg_type.h"

#include "common/alloc.h"
#include "common/codec.h"
#include "secagg/client.h"
#include "secagg/roster.h"

PG_FUNCTION_INFO_V1(secagg_gen_keypair);
PG_FUNCTION_INFO_V1(secagg_new_session_id);
PG_FUNCTION_INFO_V1(secagg_roster_from_arrays);
PG_FUNCTION_INFO_V1(secagg_roster_agg_trans);
PG_FUNCTION_INFO_V1(secagg_roster_agg_combine);
PG_FUNCTION_INFO_V1(secagg_roster_agg_final);
PG_FUNCTION_INFO_V1(secagg_roster_size);

/* gen_keypair() -> (public_key bytea, secret_key bytea) */
Datum
secagg_gen_keypair(PG_FUNCTION_ARGS)
{
	TupleDesc td;
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "gen_keypair must return a composite type");
	td = BlessTupleDesc(td);
	uint8_t pk[SA_SIGN_PK_BYTES], sk[SA_SIGN_SK_BYTES];
	sa_sign_keypair(pk, sk);
	Datum values[2] = { PointerGetDatum(sa_pg_bytea(pk, sizeof pk)),
	                    PointerGetDatum(sa_pg_bytea(sk, sizeof sk)) };
	bool nulls[2] = { false, false };
	sodium_memzero(sk, sizeof sk);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(td, values, nulls)));
}

Datum
secagg_new_session_id(PG_FUNCTION_ARGS)
{
	uint8_t id[32];
	randombytes_buf(id, sizeof id);
	PG_RETURN_BYTEA_P(sa_pg_bytea(id, sizeof id));
}

static void
check_pk(bytea *pk, const char *what)
{
	if (VARSIZE_ANY_EXHDR(pk) != SA_SIGN_PK_BYTES)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s must be %d bytes, got %zu", what, SA_SIGN_PK_BYTES,
		                       (size_t) VARSIZE_ANY_EXHDR(pk))));
}

static bytea *
finish_roster(uint8_t *entries, size_t count)
{
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_roster_build(entries, count, &out, &out_len);
	if (st == SA_ERR_PARAM)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("a roster needs between 2 and %d users with non-zero ids, got %zu", SA_MAX_USERS_GRAPH, count)));
	if (st == SA_ERR_KEYS)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_KEYS),
		                errmsg("two users of the roster have the same public key"),
		                errhint("Every user needs a signing key pair of its own (gen_keypair).")));
	if (st != SA_OK)
		sa_pg_fail(st, "roster");
	return sa_pg_bytea(out, out_len);
}

/* roster(user_ids bigint[], public_keys bytea[]) */
Datum
secagg_roster_from_arrays(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "user_ids", "public_keys" };
	sa_pg_require_args(fcinfo, 0, 1, names);
	ArrayType *ida = PG_GETARG_ARRAYTYPE_P(0), *pka = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(ida) > 1 || ARR_NDIM(pka) > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
		                errmsg("user_ids and public_keys must be one-dimensional arrays")));
	Datum *idd, *pkd;
	bool *idn, *pkn;
	int ni, np;
	deconstruct_array(ida, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE, &idd, &idn, &ni);
	deconstruct_array(pka, BYTEAOID, -1, false, TYPALIGN_INT, &pkd, &pkn, &np);
	if (ni != np)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
		                errmsg("user_ids has %d elements but public_keys has %d", ni, np)));
	if (ni < 2 || ni > SA_MAX_USERS_GRAPH)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("a roster needs between 2 and %d users, got %d", SA_MAX_USERS_GRAPH, ni)));
	uint8_t *entries = palloc((size_t) ni * SA_ROSTER_ENTRY_BYTES);
	for (int i = 0; i < ni; i++) {
		if (idn[i] || pkn[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("roster arrays must not contain NULL elements")));
		int64 id = DatumGetInt64(idd[i]);
		if (id <= 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("user id %lld is not positive", (long long) id)));
		bytea *pk = DatumGetByteaPP(pkd[i]);
		check_pk(pk, "public key");
		sa_store_u64_be(entries + (size_t) i * SA_ROSTER_ENTRY_BYTES, (uint64) id);
		memcpy(entries + (size_t) i * SA_ROSTER_ENTRY_BYTES + 8, VARDATA_ANY(pk), SA_SIGN_PK_BYTES);
	}
	PG_RETURN_BYTEA_P(finish_roster(entries, (size_t) ni));
}

/*
 * roster_agg(user_id, public_key): flat bytea state = concatenated entries
 * (unsorted); the final function sorts and validates.
 */
Datum
secagg_roster_agg_trans(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "roster_agg_trans called in non-aggregate context");
	static const char *const names[] = { "user_id", "public_key" };
	sa_pg_require_args(fcinfo, 1, 2, names);
	int64 id = PG_GETARG_INT64(1);
	bytea *pk = PG_GETARG_BYTEA_PP(2);
	if (id <= 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("user id %lld is not positive", (long long) id)));
	check_pk(pk, "public key");
	size_t old = PG_ARGISNULL(0) ? 0 : VARSIZE_ANY_EXHDR(PG_GETARG_BYTEA_PP(0));
	if (old / SA_ROSTER_ENTRY_BYTES >= SA_MAX_USERS_GRAPH)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("a roster holds at most %d users", SA_MAX_USERS_GRAPH)));
	bytea *st = palloc(VARHDRSZ + old + SA_ROSTER_ENTRY_BYTES);
	SET_VARSIZE(st, VARHDRSZ + old + SA_ROSTER_ENTRY_BYTES);
	if (old)
		memcpy(VARDATA(st), VARDATA_ANY(PG_GETARG_BYTEA_PP(0)), old);
	sa_store_u64_be((uint8_t *) VARDATA(st) + old, (uint64) id);
	memcpy((uint8_t *) VARDATA(st) + old + 8, VARDATA_ANY(pk), SA_SIGN_PK_BYTES);
	PG_RETURN_BYTEA_P(st);
}

Datum
secagg_roster_agg_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggctx;
	if (!AggCheckCallContext(fcinfo, &aggctx))
		elog(ERROR, "roster_agg_combine called in non-aggregate context");
	/* declared STRICT: both inputs are present */
	bytea *a = PG_GETARG_BYTEA_PP(0), *b = PG_GETARG_BYTEA_PP(1);
	size_t la = VARSIZE_ANY_EXHDR(a), lb = VARSIZE_ANY_EXHDR(b);
	if (la % SA_ROSTER_ENTRY_BYTES || lb % SA_ROSTER_ENTRY_BYTES ||
	    (la + lb) / SA_ROSTER_ENTRY_BYTES > SA_MAX_USERS_GRAPH)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("a roster holds at most %d users", SA_MAX_USERS_GRAPH)));
	bytea *r = palloc(VARHDRSZ + la + lb);
	SET_VARSIZE(r, VARHDRSZ + la + lb);
	memcpy(VARDATA(r), VARDATA_ANY(a), la);
	memcpy((uint8_t *) VARDATA(r) + la, VARDATA_ANY(b), lb);
	PG_RETURN_BYTEA_P(r);
}

Datum
secagg_roster_agg_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	bytea *s = PG_GETARG_BYTEA_PP(0);
	size_t len = VARSIZE_ANY_EXHDR(s);
	if (len % SA_ROSTER_ENTRY_BYTES)
		ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("roster_agg state is corrupt")));
	/* sort a copy: the final function must not modify the state */
	uint8_t *entries = palloc(len);
	memcpy(entries, VARDATA_ANY(s), len);
	PG_RETURN_BYTEA_P(finish_roster(entries, len / SA_ROSTER_ENTRY_BYTES));
}

/* roster_size(roster bytea) -> int: validates and counts. */
Datum
secagg_roster_size(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "roster" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	size_t len;
	const uint8_t *p = sa_pg_bytes(PG_GETARG_BYTEA_PP(0), &len);
	sa_roster r;
	sa_status st = sa_roster_decode(p, len, &r);
	if (st != SA_OK)
		sa_pg_fail(st, "roster");
	int n = (int) r.n;
	sa_roster_release(&r);
	PG_RETURN_INT32(n);
}
