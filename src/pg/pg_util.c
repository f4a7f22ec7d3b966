/* pg_util.c: errors, NULL checks, bytea/base64/jsonb/array helpers. */
#include "pg_util.h"

#include <sodium.h>

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "secagg/protocol.h"

int
sa_pg_sqlstate(sa_status st)
{
	switch (st) {
	case SA_ERR_NOMEM: return ERRCODE_OUT_OF_MEMORY;
	case SA_ERR_PARAM: return ERRCODE_INVALID_PARAMETER_VALUE;
	case SA_ERR_MALFORMED: return ERRCODE_INVALID_BINARY_REPRESENTATION;
	case SA_ERR_NONCANONICAL: return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
	case SA_ERR_VERSION: return ERRCODE_FEATURE_NOT_SUPPORTED;
	case SA_ERR_SESSION: return ERRCODE_SECAGG_WRONG_SESSION;
	case SA_ERR_WRONG_ROUND: return ERRCODE_SECAGG_WRONG_ROUND;
	case SA_ERR_UNKNOWN_USER: return ERRCODE_SECAGG_UNKNOWN_USER;
	case SA_ERR_DUPLICATE: return ERRCODE_SECAGG_DUPLICATE;
	case SA_ERR_SIGNATURE: return ERRCODE_SECAGG_SIGNATURE;
	case SA_ERR_DECRYPT: return ERRCODE_SECAGG_DECRYPT;
	case SA_ERR_KEYS: return ERRCODE_SECAGG_KEYS;
	case SA_ERR_THRESHOLD: return ERRCODE_SECAGG_THRESHOLD;
	case SA_ERR_LENGTH: return ERRCODE_SECAGG_LENGTH;
	case SA_ERR_RECONSTRUCT: return ERRCODE_SECAGG_RECONSTRUCT;
	case SA_ERR_STATE: return ERRCODE_SECAGG_FINISHED;
	case SA_ERR_ROLLBACK: return ERRCODE_SECAGG_ROLLBACK;
	case SA_ERR_LIMIT: return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
	case SA_ERR_CRYPTO: return ERRCODE_INTERNAL_ERROR;
	default: return ERRCODE_INTERNAL_ERROR;
	}
}

void
sa_pg_fail(sa_status st, const char *what)
{
	ereport(ERROR, (errcode(sa_pg_sqlstate(st)), errmsg("%s: %s", what, sa_status_message(st))));
	pg_unreachable();
}

void
sa_pg_fail_detail(sa_status st, const char *what, const char *detail)
{
	ereport(ERROR, (errcode(sa_pg_sqlstate(st)), errmsg("%s: %s", what, sa_status_message(st)),
	                errdetail_internal("%s", detail)));
	pg_unreachable();
}

void
sa_pg_check_threshold(int32 t, uint32 n)
{
	if (t < 2 || (uint32) t > n || sa_check_threshold((uint32) t, n) != SA_OK)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("threshold %d is invalid for %u users", t, n),
		                errdetail("The threshold must satisfy n/2 < t <= n and t >= 2 (here %u..%u).",
		                          n / 2 + 1 > 2 ? n / 2 + 1 : 2, n)));
}

void
sa_pg_require_args(FunctionCallInfo fcinfo, int first, int last, const char *const *names)
{
	for (int i = first; i <= last; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("%s must not be NULL", names[i - first])));
}

bytea *
sa_pg_bytea(const uint8_t *p, size_t len)
{
	if (len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("result of %zu bytes exceeds the 1 GB value limit", len)));
	bytea *b = palloc(VARHDRSZ + len);
	SET_VARSIZE(b, VARHDRSZ + len);
	if (len > 0)
		memcpy(VARDATA(b), p, len);
	return b;
}

char *
sa_pg_base64(const uint8_t *p, size_t len)
{
	size_t out = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
	if (out > MaxAllocSize)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("state of %zu bytes is too large to store in jsonb", len)));
	char *s = palloc(out);
	sodium_bin2base64(s, out, p, len, sodium_base64_VARIANT_ORIGINAL);
	return s;
}

uint8_t *
sa_pg_unbase64(const char *s, size_t slen, size_t *len)
{
	size_t cap = slen / 4 * 3 + 3;
	uint8_t *b = palloc_extended(cap ? cap : 1, MCXT_ALLOC_HUGE);
	const char *end = NULL;
	if (sodium_base642bin(b, cap, s, slen, NULL, len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + slen) {
		pfree(b);
		return NULL;
	}
	return b;
}

char *
sa_pg_base64_public(const uint8_t *p, size_t len)
{
	if (len > (size_t) (MaxAllocSize / 4 * 3 - 8))
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("state of %zu bytes is too large to store in jsonb", len)));
	int cap = pg_b64_enc_len((int) len);
	char *s = palloc((size_t) cap + 1);
	int n = pg_b64_encode((const char *) p, (int) len, s, cap);
	if (n < 0)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("base64 encoding failed")));
	s[n] = '\0';
	return s;
}

uint8_t *
sa_pg_unbase64_public(const char *s, size_t slen, size_t *len)
{
	if (slen % 4 != 0 || slen > (size_t) INT_MAX)
		return NULL;
	int cap = pg_b64_dec_len((int) slen);
	uint8_t *b = palloc_extended(cap > 0 ? (size_t) cap : 1, MCXT_ALLOC_HUGE);
	int n = pg_b64_decode(s, (int) slen, (char *) b, cap);
	if (n < 0) {
		pfree(b);
		return NULL;
	}
	/* canonical: re-encoding must give the same text (no stray padding bits) */
	if (n > 0) {
		int ecap = pg_b64_enc_len(n);
		char *e = palloc((size_t) ecap + 1);
		int en = pg_b64_encode((const char *) b, n, e, ecap);
		bool same = en == (int) slen && memcmp(e, s, slen) == 0;
		sodium_memzero(e, (size_t) ecap + 1);     /* PINE prep states hold a measurement share */
		pfree(e);
		if (!same) {
			pfree(b);
			return NULL;
		}
	}
	*len = (size_t) n;
	return b;
}

char *
sa_pg_hex(const uint8_t *p, size_t len)
{
	char *s = palloc(len * 2 + 1);
	sodium_bin2hex(s, len * 2 + 1, p, len);
	return s;
}

bool
sa_pg_jsonb_get(Jsonb *jb, const char *key, JsonbValue *v)
{
	if (!JB_ROOT_IS_OBJECT(jb))
		return false;
	return getKeyJsonValueFromContainer(&jb->root, key, strlen(key), v) != NULL;
}

void
sa_pg_jsonb_string(Jsonb *jb, const char *key, const char *what, const char **s, int *len)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(jb, key, &v) || v.type != jbvString)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: key \"%s\" is missing or not a string", what, key)));
	*s = v.val.string.val;
	*len = v.val.string.len;
}

int64
sa_pg_jsonb_int(Jsonb *jb, const char *key, const char *what)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(jb, key, &v) || v.type != jbvNumeric)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: key \"%s\" is missing or not a number", what, key)));
	return DatumGetInt64(DirectFunctionCall1(numeric_int8, NumericGetDatum(v.val.numeric)));
}

bool
sa_pg_jsonb_bool(Jsonb *jb, const char *key, const char *what)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(jb, key, &v) || v.type != jbvBool)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: key \"%s\" is missing or not a boolean", what, key)));
	return v.val.boolean;
}

void
sa_pg_jsonb_expect_format(Jsonb *jb, const char *format, const char *what)
{
	const char *s;
	int len;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s must be a JSON object", what)));
	sa_pg_jsonb_string(jb, "format", what, &s, &len);
	if ((size_t) len != strlen(format) || memcmp(s, format, len) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: expected format \"%s\"", what, format)));
	if (sa_pg_jsonb_int(jb, "version", what) != 1)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("%s: unsupported state version", what)));
}

Jsonb *
sa_pg_jsonb_from_text(const char *text)
{
	return DatumGetJsonbP(DirectFunctionCall1(jsonb_in, CStringGetDatum(text)));
}

uint64 *
sa_pg_vector_from_array(ArrayType *a, uint32 *m, const char *what)
{
	if (ARR_ELEMTYPE(a) != INT8OID)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH), errmsg("%s must be a bigint[]", what)));
	if (ARR_NDIM(a) != 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
		                errmsg("%s must be a one-dimensional, non-empty array", what)));
	if (ARR_HASNULL(a) && array_contains_nulls(a))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		                errmsg("%s must not contain NULL elements", what)));
	int n = ARR_DIMS(a)[0];
	if (n < 1 || (uint32) n > (1u << 26))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s must have between 1 and 67108864 elements", what)));
	const int64 *src = (const int64 *) ARR_DATA_PTR(a);
	uint64 *v = palloc_extended(sizeof(uint64) * (size_t) n, MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
		v[i] = (uint64) src[i];
	*m = (uint32) n;
	return v;
}

ArrayType *
sa_pg_array_from_vector(const uint64 *v, uint32 m)
{
	Datum *d = palloc_extended(sizeof(Datum) * (size_t) m, MCXT_ALLOC_HUGE);
	for (uint32 i = 0; i < m; i++)
		d[i] = Int64GetDatum((int64) v[i]);
	return construct_array(d, (int) m, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}
