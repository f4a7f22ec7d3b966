/*
 * quantize_sql.c: the server's side of the clients' quantization (libsecagg,
 * python/secagg): a secure sum of quantized words back to reals.
 *
 *   dequantize(sum bigint[], clients bigint, clip float8, bits int) -> float8[]
 *   dequantize_weighted(sum bigint[], clip float8, bits int) -> float8[]
 *
 * The formulas are src/core/common/quantize.h's (one implementation with
 * the library). The bigint elements are the u64 words of output_vector, in
 * two's complement.
 */
#include "pg_util.h"

#include "catalog/pg_type.h"
#include "utils/array.h"

#include "common/quantize.h"

PG_FUNCTION_INFO_V1(secagg_dequantize);
PG_FUNCTION_INFO_V1(secagg_dequantize_weighted);

static ArrayType *
float8_array(const double *v, uint32 m)
{
	Datum *d = palloc(sizeof(Datum) * (m ? m : 1));
	for (uint32 i = 0; i < m; i++)
		d[i] = Float8GetDatum(v[i]);
	return construct_array(d, (int) m, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

pg_attribute_noreturn() static void
refuse(sa_status st, const char *fn)
{
	if (st == SA_ERR_LIMIT)
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("%s: the sum is not one the given clients (or weights) can produce", fn),
		                errhint("Check the number of clients, the clipping range and the bits the clients used.")));
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
	                errmsg("%s: clip must be finite and positive, bits 1 to %d, and clients such that "
	                       "clients * (2^bits - 1) < 2^64", fn, SA_QUANTIZE_MAX_BITS)));
}

Datum
secagg_dequantize(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "sum", "clients", "clip", "bits" };
	sa_pg_require_args(fcinfo, 0, 3, names);
	uint32 m;
	uint64 *sum = sa_pg_vector_from_array(PG_GETARG_ARRAYTYPE_P(0), &m, "sum");
	int64 n = PG_GETARG_INT64(1);
	int32 bits = PG_GETARG_INT32(3);
	double *out = palloc(sizeof(double) * (m ? m : 1));
	sa_status st = n < 1 || bits < 1 ? SA_ERR_PARAM
	               : sa_dequantize(sum, m, (uint64_t) n, PG_GETARG_FLOAT8(2), (uint32_t) bits, out);
	if (st != SA_OK)
		refuse(st, "dequantize");
	PG_RETURN_ARRAYTYPE_P(float8_array(out, m));
}

Datum
secagg_dequantize_weighted(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "sum", "clip", "bits" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	uint32 m;
	uint64 *sum = sa_pg_vector_from_array(PG_GETARG_ARRAYTYPE_P(0), &m, "sum");
	int32 bits = PG_GETARG_INT32(2);
	double *out = palloc(sizeof(double) * (m ? m : 1));
	sa_status st = bits < 1 ? SA_ERR_PARAM
	               : sa_dequantize_weighted(sum, m, PG_GETARG_FLOAT8(1), (uint32_t) bits, out);
	if (st != SA_OK)
		refuse(st, "dequantize_weighted");
	PG_RETURN_ARRAYTYPE_P(float8_array(out, m - 1));
}
