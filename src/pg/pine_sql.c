/*
 * pine_sql.c: the PINE VDAF (draft-chen-cfrg-vdaf-pine-01 and -02) from SQL.
 *
 * Parameters are a canonical jsonb built by pine_params(): the user
 * configuration (the draft included) plus every derived value (sizes of every message, the batch
 * cap, a SHA-256 digest of the canonical parameter encoding). Every other
 * function takes that jsonb, re-derives the parameters from the
 * configuration keys and refuses a document whose derived values do not
 * match. The parsed parameters are cached in fn_extra, keyed by the jsonb
 * bytes, so per-row functions and aggregates parse them once.
 *
 * Outcomes: a report that fails verification is an explicit result
 * (accepted = false), never an error. Malformed input raises an error
 * with a specific SQLSTATE; the mapping from PINE status codes to SQLSTATEs
 * is pine_pg_sqlstate() below, and nowhere else.
 *
 * The prep state jsonb holds the base64 of the core's state image: the
 * Leader's share of the output (d encoded elements), or a Helper's
 * measurement-share seed (a few dozen bytes). Either is secret.
 */
#include "pg_util.h"

#include <math.h>
#include <sodium.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/json.h"
#include "utils/numeric.h"

#include "common/codec.h"
#include "pine/pine.h"
#include "pine/pine_object.h"

PG_FUNCTION_INFO_V1(secagg_pine_params);
PG_FUNCTION_INFO_V1(secagg_pine_params_check);
PG_FUNCTION_INFO_V1(secagg_pine_shard);
PG_FUNCTION_INFO_V1(secagg_pine_prep_init);
PG_FUNCTION_INFO_V1(secagg_pine_prep_shares_to_prep);
PG_FUNCTION_INFO_V1(secagg_pine_prep_next);
PG_FUNCTION_INFO_V1(secagg_pine_prep_finish);
PG_FUNCTION_INFO_V1(secagg_pine_agg_trans);
PG_FUNCTION_INFO_V1(secagg_pine_agg_combine);
PG_FUNCTION_INFO_V1(secagg_pine_agg_final);
PG_FUNCTION_INFO_V1(secagg_pine_agg_count);
PG_FUNCTION_INFO_V1(secagg_pine_unshard);
PG_FUNCTION_INFO_V1(secagg_pine_dp_scale);
PG_FUNCTION_INFO_V1(secagg_pine_agg_share_noised);

#define STATE_FORMAT  "secagg.pine.prep_state"

/* Client attempts on PINE_RETRY (an honest client fails each with
 * probability about 2^-100). */
#define PINE_SHARD_ATTEMPTS 16

/* ------------------------------------------------------------------------ */
/* Status codes -> SQLSTATEs (the only place)                               */
/* ------------------------------------------------------------------------ */

static int
pine_pg_sqlstate(pine_status st)
{
	switch (st) {
	case PINE_ERR_PARAM: return ERRCODE_INVALID_PARAMETER_VALUE;             /* 22023 */
	case PINE_ERR_MALFORMED: return ERRCODE_INVALID_BINARY_REPRESENTATION;   /* 22P03 */
	case PINE_ERR_NONCANONICAL: return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;   /* 22003 */
	case PINE_ERR_MEASUREMENT: return ERRCODE_INVALID_PARAMETER_VALUE;       /* 22023 */
	case PINE_ERR_NORM: return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;           /* 22003 */
	case PINE_RETRY: return ERRCODE_SECAGG_PINE_RETRY;                       /* SA021 */
	case PINE_REJECT: return ERRCODE_SECAGG_REJECTED;                        /* SA020 */
	case PINE_ERR_NOMEM: return ERRCODE_OUT_OF_MEMORY;                       /* 53200 */
	case PINE_ERR_INTERRUPTED: return ERRCODE_QUERY_CANCELED;                /* 57014 */
	case PINE_ERR_BATCH_SIZE: return ERRCODE_SECAGG_PINE_BATCH_SIZE;         /* SA022 */
	default: return ERRCODE_INTERNAL_ERROR;                                  /* XX000 */
	}
}

pg_attribute_noreturn() static void
pine_fail(pine_status st, const char *what, const char *why)
{
	if (st == PINE_ERR_INTERRUPTED)
		sa_pg_honour_interrupt(SA_ERR_INTERRUPTED);
	if (why != NULL)
		ereport(ERROR, (errcode(pine_pg_sqlstate(st)), errmsg("%s: %s", what, pine_strerror(st)),
		                errdetail_internal("%s", why)));
	ereport(ERROR, (errcode(pine_pg_sqlstate(st)), errmsg("%s: %s", what, pine_strerror(st))));
	pg_unreachable();
}

static void
check_len(const char *what, size_t got, size_t want)
{
	if (got != want)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("%s must be %zu bytes for these parameters, got %zu", what, want, got)));
}

/* ------------------------------------------------------------------------ */
/* Parameters <-> canonical jsonb                                           */
/* ------------------------------------------------------------------------ */

/* Shortest round-trip representation, independent of extra_float_digits. */
static void
append_double(StringInfo b, double x)
{
	char buf[DOUBLE_SHORTEST_DECIMAL_LEN];
	double_to_shortest_decimal_buf(x, buf);
	appendStringInfoString(b, buf);
}

/* The canonical parameter object (its members: pine_object.h). */
static Jsonb *
params_to_jsonb(const pine_params *P, bool with_draft)
{
	pine_member m[PINE_MAX_MEMBERS];
	size_t count = pine_params_members(P, with_draft, m);
	StringInfoData b;
	initStringInfo(&b);
	appendStringInfoChar(&b, '{');
	for (size_t i = 0; i < count; i++) {
		appendStringInfo(&b, "%s\"%s\": ", i ? ", " : "", m[i].key);
		if (m[i].kind == PINE_MEMBER_TEXT)
			appendStringInfo(&b, "\"%s\"", m[i].text);    /* names and hex: nothing to escape */
		else if (m[i].kind == PINE_MEMBER_INTEGER)
			appendStringInfoString(&b, m[i].text);
		else
			append_double(&b, m[i].dbl);
	}
	appendStringInfoChar(&b, '}');
	Jsonb *j = sa_pg_jsonb_from_text(b.data);
	pfree(b.data);
	return j;
}

static void
bad_params(const char *fmt_key, const char *msg)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
	                errmsg("PINE params: key \"%s\" %s", fmt_key, msg),
	                errhint("Build the parameters with secagg.pine_params().")));
}

/* A non-negative integer key that fits in uint64. */
static uint64
jb_u64(Jsonb *jb, const char *key)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(jb, key, &v) || v.type != jbvNumeric)
		bad_params(key, "is missing or not a number");
	char *s = DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(v.val.numeric)));
	if (s[0] == '\0' || strlen(s) > 20 || strspn(s, "0123456789") != strlen(s))
		bad_params(key, "must be a non-negative integer");
	errno = 0;
	char *end;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		bad_params(key, "is out of range");
	pfree(s);
	return (uint64) x;
}

static uint32
jb_u32(Jsonb *jb, const char *key)
{
	uint64 x = jb_u64(jb, key);
	if (x > PG_UINT32_MAX)
		bad_params(key, "is out of range");
	return (uint32) x;
}

static double
jb_double(Jsonb *jb, const char *key)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(jb, key, &v) || v.type != jbvNumeric)
		bad_params(key, "is missing or not a number");
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
}

/* Full parse and validation of a parameter jsonb (no cache). */
/*
 * Every value these parameters make must fit in a PostgreSQL value: bytea
 * messages and the pine_agg state under the 1 GB limit, the Leader's prep
 * state (base64 in jsonb) under jsonb's 256 MB of string data. 54000 names
 * the first that does not, so a parameter set that can never work is
 * refused up front instead of failing (or running for minutes) later.
 */
static void
check_pg_limits(const pine_params *P)
{
	const size_t bytea_max = MaxAllocSize - VARHDRSZ - 128;
	const size_t jsonb_text_max = (size_t) JENTRY_OFFLENMASK - 4096;
	struct { const char *what; size_t len, max; } v[] = {
		{ "the Leader's input share", pine_input_share_len(P, 0), bytea_max },
		{ "the public share", P->public_share_len, bytea_max },
		{ "a prep share", P->prep_share_len, bytea_max },
		{ "an output share (and the pine_agg state)", P->out_share_len, bytea_max },
		{ "the Leader's prep state, as base64 in jsonb", (P->prep_state_len + 2) / 3 * 4, jsonb_text_max },
	};
	for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
		if (v[k].len > v[k].max)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			                errmsg("PINE params: %s would be %zu bytes, more than the %zu a PostgreSQL value can hold here",
			                       v[k].what, v[k].len, v[k].max),
			                errhint("Use a smaller dimension (see the README's limits for each variant).")));
}

static void
params_from_jsonb(Jsonb *jb, pine_params *P)
{
	JsonbValue v;
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("PINE params must be a JSON object"),
		                errhint("Build the parameters with secagg.pine_params().")));
	if (!sa_pg_jsonb_get(jb, "format", &v) || v.type != jbvString || v.val.string.len != strlen(PINE_PARAMS_FORMAT) ||
	    memcmp(v.val.string.val, PINE_PARAMS_FORMAT, v.val.string.len) != 0)
		bad_params("format", "must be \"" PINE_PARAMS_FORMAT "\"");
	if (jb_u64(jb, "version") != 1)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("PINE params: unsupported version")));
	if (!sa_pg_jsonb_get(jb, "variant", &v) || v.type != jbvString)
		bad_params("variant", "is missing or not a string");
	int variant = pine_variant_by_name(v.val.string.val, v.val.string.len);
	if (variant < 0)
		bad_params("variant", "is not a known PINE variant");
	bool has_draft = sa_pg_jsonb_get(jb, PINE_DRAFT_KEY, &v);
	int draft = PINE_DRAFT_01;
	if (has_draft && (v.type != jbvString || (draft = pine_draft_by_name(v.val.string.val, v.val.string.len)) < 0))
		bad_params(PINE_DRAFT_KEY, "must be \"01\" or \"02\"");
	pine_config c;
	memset(&c, 0, sizeof c);
	c.draft = (pine_draft) draft;
	c.variant = (pine_variant) variant;
	c.l2_norm_bound = jb_u64(jb, "l2_norm_bound");
	c.num_frac_bits = jb_u32(jb, "num_frac_bits");
	c.dimension = jb_u64(jb, "dimension");
	c.chunk_length = jb_u64(jb, "chunk_length");
	c.chunk_length_norm_equality = jb_u64(jb, "chunk_length_norm_equality");
	c.num_shares = jb_u32(jb, "num_shares");
	c.num_proofs = jb_u32(jb, "num_proofs");
	c.num_proofs_norm_equality = jb_u32(jb, "num_proofs_norm_equality");
	c.num_wr_checks = jb_u32(jb, "num_wr_checks");
	c.num_wr_successes = jb_u32(jb, "num_wr_successes");
	c.alpha = jb_double(jb, "alpha");
	if (sa_pg_jsonb_get(jb, PINE_MIN_BATCH_KEY, &v)) {
		c.min_batch_size = jb_u64(jb, PINE_MIN_BATCH_KEY);
		if (c.min_batch_size == 0)
			bad_params(PINE_MIN_BATCH_KEY, "must be positive (leave it out for no minimum)");
	}
	/* 0 means "default" to the core; in a params document every value is explicit */
	if (c.num_proofs == 0 || c.num_proofs_norm_equality == 0 || c.alpha == 0.0)
		bad_params(c.num_proofs == 0 ? "num_proofs" : c.num_proofs_norm_equality == 0 ? "num_proofs_norm_equality" : "alpha",
		           "must be positive");
	const char *why = NULL;
	pine_status st = pine_params_init(P, &c, &why);
	if (st != PINE_OK)
		pine_fail(st, "PINE params", why);
	check_pg_limits(P);
	Jsonb *canon = params_to_jsonb(P, has_draft);
	if (compareJsonbContainers(&jb->root, &canon->root) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("PINE params: derived values do not match the configuration"),
		                errdetail("Some key is missing, extra or altered."),
		                errhint("Build the parameters with secagg.pine_params().")));
	pfree(canon);
}

typedef struct params_cache {
	Size len;       /* VARSIZE of the cached jsonb */
	char *bytes;    /* the jsonb (with header) */
	pine_params P;
} params_cache;

/* Parameters of argument argno, through a cache in fn_extra. */
static const pine_params *
params_arg(FunctionCallInfo fcinfo, int argno)
{
	Jsonb *jb = PG_GETARG_JSONB_P(argno);
	Size len = VARSIZE(jb);
	FmgrInfo *fl = fcinfo->flinfo;
	if (fl != NULL) {
		sa_pg_fn_extra *fx = sa_pg_fn_extra_get(fcinfo);
		params_cache *pc = (params_cache *) fx->cache;
		if (pc != NULL && pc->len == len && memcmp(pc->bytes, jb, len) == 0)
			return &pc->P;
		pine_params P;
		params_from_jsonb(jb, &P);
		if (pc == NULL)
			pc = MemoryContextAllocZero(fl->fn_mcxt, sizeof *pc);
		else if (pc->bytes != NULL)
			pfree(pc->bytes);
		pc->bytes = NULL;
		pc->len = 0;
		pc->P = P;
		pc->bytes = MemoryContextAlloc(fl->fn_mcxt, len);
		memcpy(pc->bytes, jb, len);
		pc->len = len;
		fx->cache = pc;
		return &pc->P;
	}
	pine_params *P = palloc(sizeof *P);
	params_from_jsonb(jb, P);
	return P;
}

static int64
arg_int(FunctionCallInfo fcinfo, int argno, int64 dflt)
{
	return PG_ARGISNULL(argno) ? dflt : (int64) PG_GETARG_INT32(argno);
}

/* pine_params' draft argument: '01' (also for NULL) or '02'. */
static pine_draft
draft_arg(FunctionCallInfo fcinfo, int argno)
{
	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return PINE_DRAFT_01;
	char *name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	int draft = pine_draft_by_name(name, strlen(name));
	if (draft < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("unknown PINE draft \"%s\"", name),
		                errhint("Use '01' (draft-chen-cfrg-vdaf-pine-01) or '02' (draft-chen-cfrg-vdaf-pine-02).")));
	pfree(name);
	return (pine_draft) draft;
}

/*
 * pine_params(variant text, l2_norm_bound float8, dimension bigint,
 *             num_frac_bits int, chunk_length bigint, chunk_length_norm_equality bigint,
 *             num_proofs int, num_proofs_norm_equality int, num_wr_checks int,
 *             num_wr_successes int, alpha float8, num_shares int, draft text,
 *             l2_norm_bound_fixed bigint, min_batch_size bigint) -> jsonb
 * NULL optional arguments take the defaults. Exactly one of l2_norm_bound
 * (floored to fixed point under either draft: never above the bound asked
 * for) and l2_norm_bound_fixed (the draft's integer) is given.
 */
Datum
secagg_pine_params(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "variant" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	if (PG_ARGISNULL(2))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("dimension must not be NULL")));
	if (PG_ARGISNULL(1) == PG_ARGISNULL(13))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("give exactly one of l2_norm_bound and l2_norm_bound_fixed"),
		                errhint("l2_norm_bound is the real-valued bound; l2_norm_bound_fixed is the draft's "
		                        "integer fixed-point value, bound * 2^num_frac_bits.")));
	char *vname = text_to_cstring(PG_GETARG_TEXT_PP(0));
	int variant = pine_variant_by_name(vname, strlen(vname));
	if (variant < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("unknown PINE variant \"%s\"", vname),
		                errhint("Use Pine64, Pine128, Pine64HmacSha256Aes128, Pine32HmacSha256Aes128 or "
		                        "(draft '02') Pine40HmacSha256Aes128.")));
	pine_draft draft = draft_arg(fcinfo, 12); /* the core refuses a variant the draft lacks */
	pine_config c;
	pine_config_defaults(&c, (pine_variant) variant);
	c.draft = draft;
	int64 d = PG_GETARG_INT64(2);
	int64 nfb = arg_int(fcinfo, 3, 15);
	if (nfb < 0 || nfb > 127)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("num_frac_bits must be between 0 and 127, got " INT64_FORMAT, nfb)));
	if (d < 1 || (uint64) d > PINE_MAX_DIMENSION)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimension must be between 1 and " UINT64_FORMAT ", got " INT64_FORMAT,
		                       (uint64) PINE_MAX_DIMENSION, d)));
	if (!PG_ARGISNULL(1)) {
		double l2 = PG_GETARG_FLOAT8(1);
		/* fixed point like the reference: floor(B * 2^nfb) */
		double scaled = isfinite(l2) ? floor(ldexp(l2, (int) nfb)) : l2;
		if (!isfinite(scaled) || !(scaled >= 1.0) || scaled >= 18446744073709551616.0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("l2_norm_bound * 2^num_frac_bits must be a finite value between 1 and 2^64"),
			                errdetail("l2_norm_bound = %g, num_frac_bits = " INT64_FORMAT ".", l2, nfb)));
		c.l2_norm_bound = (uint64_t) scaled;
	} else {
		/* the draft's integer; the field's limits are the core's checks */
		int64 fixed = PG_GETARG_INT64(13);
		if (fixed < 1)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("l2_norm_bound_fixed must be positive, got " INT64_FORMAT, fixed)));
		c.l2_norm_bound = (uint64_t) fixed;
	}
	if (!PG_ARGISNULL(14)) {
		int64 mb = PG_GETARG_INT64(14);
		if (mb < 1)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("min_batch_size must be positive, got " INT64_FORMAT, mb),
			                errhint("Leave it NULL for no minimum.")));
		c.min_batch_size = (uint64_t) mb;
	}
	c.num_frac_bits = (uint32_t) nfb;
	c.dimension = (uint64_t) d;
	static const struct { int arg; const char *name; int64 lo, hi; } ints[] = {
		{ 6, "num_proofs", 1, 255 }, { 7, "num_proofs_norm_equality", 1, 255 },
		{ 8, "num_wr_checks", 1, PINE_MAX_WR_CHECKS }, { 9, "num_wr_successes", 1, PINE_MAX_WR_CHECKS },
		{ 11, "num_shares", 2, 255 },
	};
	int64 iv[12];
	for (size_t i = 0; i < lengthof(ints); i++) {
		int a = ints[i].arg;
		if (PG_ARGISNULL(a))
			continue;
		iv[a] = PG_GETARG_INT32(a);
		if (iv[a] < ints[i].lo || iv[a] > ints[i].hi)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("%s must be between " INT64_FORMAT " and " INT64_FORMAT ", got " INT64_FORMAT,
			                       ints[i].name, ints[i].lo, ints[i].hi, iv[a])));
	}
	if (!PG_ARGISNULL(6)) c.num_proofs = (uint32_t) iv[6];
	if (!PG_ARGISNULL(7)) c.num_proofs_norm_equality = (uint32_t) iv[7];
	if (!PG_ARGISNULL(8)) c.num_wr_checks = (uint32_t) iv[8];
	if (!PG_ARGISNULL(9)) c.num_wr_successes = (uint32_t) iv[9];
	if (!PG_ARGISNULL(11)) c.num_shares = (uint32_t) iv[11];
	if (!PG_ARGISNULL(10)) {
		double alpha = PG_GETARG_FLOAT8(10);
		if (!isfinite(alpha) || !(alpha > 0.0))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("alpha must be a positive finite number")));
		c.alpha = alpha;
	}
	const char *why = NULL;
	pine_status st;
	if (PG_ARGISNULL(4) || PG_ARGISNULL(5)) {
		uint64_t cl, cne;
		st = pine_optimal_chunk_lengths(&c, &cl, &cne, &why);
		if (st != PINE_OK)
			pine_fail(st, "PINE params", why);
		if (PG_ARGISNULL(4)) c.chunk_length = cl;
		if (PG_ARGISNULL(5)) c.chunk_length_norm_equality = cne;
	}
	for (int a = 4; a <= 5; a++)
		if (!PG_ARGISNULL(a)) {
			int64 x = PG_GETARG_INT64(a);
			if (x < 1 || (uint64) x > PINE_MAX_CHUNK_LENGTH)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				                errmsg("%s must be between 1 and " UINT64_FORMAT ", got " INT64_FORMAT,
				                       a == 4 ? "chunk_length" : "chunk_length_norm_equality",
				                       (uint64) PINE_MAX_CHUNK_LENGTH, x)));
			if (a == 4) c.chunk_length = (uint64_t) x;
			else c.chunk_length_norm_equality = (uint64_t) x;
		}
	pine_params P;
	st = pine_params_init(&P, &c, &why);
	if (st != PINE_OK)
		pine_fail(st, "PINE params", why);
	check_pg_limits(&P);
	PG_RETURN_JSONB_P(params_to_jsonb(&P, true));
}

/* pine_params_check(params jsonb) -> jsonb: validates and returns the canonical form. */
Datum
secagg_pine_params_check(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	const pine_params *P = params_arg(fcinfo, 0);
	PG_RETURN_JSONB_P(params_to_jsonb(P, true));
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static Datum
make_record(FunctionCallInfo fcinfo, Datum *values, bool *nulls)
{
	TupleDesc td;
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");
	td = BlessTupleDesc(td);
	return HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
}

/* A one-dimensional bytea[] without NULLs of exactly n elements. */
static void
bytea_array(ArrayType *a, const char *what, int n, const uint8_t **ptrs, size_t *lens)
{
	if (ARR_ELEMTYPE(a) != BYTEAOID)
		ereport(ERROR, (errcode(ERRCODE_DATATYPE_MISMATCH), errmsg("%s must be a bytea[]", what)));
	int nd = ARR_NDIM(a), count = nd == 0 ? 0 : ARR_DIMS(a)[0];
	if (nd > 1)
		ereport(ERROR, (errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR), errmsg("%s must be one-dimensional", what)));
	if (count != n)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s must have one element per Aggregator (%d), got %d", what, n, count)));
	Datum *d;
	bool *nulls;
	int got;
	deconstruct_array(a, BYTEAOID, -1, false, TYPALIGN_INT, &d, &nulls, &got);
	for (int i = 0; i < got; i++) {
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("%s must not contain NULL elements", what)));
		bytea *b = DatumGetByteaPP(d[i]);
		ptrs[i] = sa_pg_bytes(b, &lens[i]);
	}
}

static void
check_agg_id(const pine_params *P, int32 agg_id)
{
	if (agg_id < 0 || (uint32) agg_id >= P->num_shares)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("agg_id must be between 0 and %u, got %d", P->num_shares - 1, agg_id)));
}

/* ------------------------------------------------------------------------ */
/* Client                                                                   */
/* ------------------------------------------------------------------------ */

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
	const pine_params *P = params_arg(fcinfo, 0);
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
	check_len("nonce", nonce_len, P->nonce_len);

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
		check_len("rand", rand_len, P->rand_len);
		st = pine_shard(P, meas, n, nonce, nonce_len, rand, rand_len, pub, in, &why);
		if (st == PINE_RETRY)
			ereport(ERROR, (errcode(pine_pg_sqlstate(st)),
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
		pine_fail(st, "pine_shard", why);
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
	PG_RETURN_DATUM(make_record(fcinfo, values, nulls));
}

/* ------------------------------------------------------------------------ */
/* Aggregators                                                              */
/* ------------------------------------------------------------------------ */

/* The prep state jsonb: a few small keys and the image in base64. */
static Jsonb *
state_to_jsonb(const pine_params *P, const uint8_t *img, size_t len)
{
	char *fields = psprintf("{\"format\": \"" STATE_FORMAT "\", \"version\": 1, \"params_digest\": \"%s\"}",
	                        sa_pg_hex(P->digest, sizeof P->digest));
	Jsonb *j = sa_pg_jsonb_with_base64(fields, "state", img, len, false, "PINE prep state");
	pfree(fields);
	return j;
}

/* The state image of a prep state jsonb, checked against the parameters;
 * its length (one of the two forms, see pine_prep_state_check) in *len. */
static uint8_t *
jsonb_to_state(const pine_params *P, Jsonb *jb, size_t *len)
{
	JsonbValue v;
	const char *what = "PINE prep state";
	if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s must be a JSON object", what)));
	if (!sa_pg_jsonb_get(jb, "format", &v) || v.type != jbvString || v.val.string.len != strlen(STATE_FORMAT) ||
	    memcmp(v.val.string.val, STATE_FORMAT, v.val.string.len) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: expected format \"" STATE_FORMAT "\"", what)));
	if (sa_pg_jsonb_int(jb, "version", what) != 1)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED), errmsg("%s: unsupported version", what)));
	const char *s;
	int slen;
	sa_pg_jsonb_string(jb, "params_digest", what, &s, &slen);
	char *dig = sa_pg_hex(P->digest, sizeof P->digest);
	if ((size_t) slen != strlen(dig) || memcmp(s, dig, slen) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s belongs to different PINE parameters", what)));
	sa_pg_jsonb_string(jb, "state", what, &s, &slen);
	if ((size_t) slen != sodium_base64_encoded_len(P->prep_state_len, sodium_base64_VARIANT_ORIGINAL) - 1 &&
	    (size_t) slen != sodium_base64_encoded_len(P->helper_prep_state_len, sodium_base64_VARIANT_ORIGINAL) - 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("%s: \"state\" has the wrong length for these parameters", what)));
	uint8_t *img = sa_pg_unbase64_public(s, (size_t) slen, len);
	if (img == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("%s: \"state\" is not valid base64", what)));
	const char *why = NULL;
	pine_status st = pine_prep_state_check(P, img, *len, &why);
	if (st != PINE_OK)
		pine_fail(st, what, why);
	return img;
}

/*
 * pine_prep_init(params, verify_key, agg_id, nonce, public_share, input_share)
 *   -> (prep_state jsonb, prep_share bytea)
 */
Datum
secagg_pine_prep_init(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "verify_key", "agg_id", "nonce", "public_share",
	                                     "input_share" };
	sa_pg_require_args(fcinfo, 0, 5, names);
	const pine_params *P = params_arg(fcinfo, 0);
	size_t vk_len, nonce_len, pub_len, in_len;
	const uint8_t *vk = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &vk_len);
	int32 agg_id = PG_GETARG_INT32(2);
	const uint8_t *nonce = sa_pg_bytes(PG_GETARG_BYTEA_PP(3), &nonce_len);
	const uint8_t *pub = sa_pg_bytes(PG_GETARG_BYTEA_PP(4), &pub_len);
	const uint8_t *in = sa_pg_bytes(PG_GETARG_BYTEA_PP(5), &in_len);
	check_agg_id(P, agg_id);
	check_len("verify_key", vk_len, P->verify_key_len);
	check_len("nonce", nonce_len, P->nonce_len);
	check_len("public_share", pub_len, P->public_share_len);
	check_len(agg_id == 0 ? "input_share (Leader)" : "input_share (Helper)", in_len,
	          pine_input_share_len(P, (uint32_t) agg_id));
	size_t state_len = pine_prep_state_len(P, (uint32_t) agg_id);
	uint8_t *state = palloc_extended(state_len, MCXT_ALLOC_HUGE);
	uint8_t *share = palloc_extended(P->prep_share_len, MCXT_ALLOC_HUGE);
	const char *why = NULL;
	pine_status st = pine_prep_init(P, vk, vk_len, (uint32_t) agg_id, nonce, nonce_len, pub, pub_len, in,
	                                in_len, state, share, &why);
	if (st == PINE_REJECT)
		ereport(ERROR, (errcode(pine_pg_sqlstate(st)),
		                errmsg("pine_prep_init: report rejected (query randomness hit a root of unity)"),
		                errdetail("This happens with negligible probability; treat the report as rejected.")));
	if (st != PINE_OK)
		pine_fail(st, "pine_prep_init", why);
	Datum values[2];
	bool nulls[2] = { false, false };
	values[0] = PointerGetDatum(state_to_jsonb(P, state, state_len));
	values[1] = PointerGetDatum(sa_pg_bytea(share, P->prep_share_len));
	sodium_memzero(state, state_len);
	pfree(state);
	pfree(share);
	PG_RETURN_DATUM(make_record(fcinfo, values, nulls));
}

/* The reject_reason column: NULL when accepted. */
static Datum
reason_datum(pine_reject_reason r, bool *isnull)
{
	const char *name = pine_reject_reason_name(r);
	*isnull = name == NULL;
	return name == NULL ? (Datum) 0 : CStringGetTextDatum(name);
}

/* Combines the prep shares; false (and *reason) if the report is rejected. */
static bool
shares_to_prep(const pine_params *P, ArrayType *a, uint8_t *msg, pine_reject_reason *reason)
{
	const uint8_t **ptrs = palloc(P->num_shares * sizeof *ptrs);
	size_t *lens = palloc(P->num_shares * sizeof *lens);
	bytea_array(a, "prep_shares", (int) P->num_shares, ptrs, lens);
	for (uint32 j = 0; j < P->num_shares; j++)
		if (lens[j] != P->prep_share_len)
			ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			                errmsg("prep_shares[%u] must be %zu bytes for these parameters, got %zu", j + 1,
			                       P->prep_share_len, lens[j])));
	const char *why = NULL;
	pine_status st = pine_prep_shares_to_prep_reason(P, (const uint8_t *const *) ptrs, lens, P->num_shares, msg,
	                                                 reason, &why);
	if (st == PINE_REJECT && *reason != PINE_REASON_NONE)
		return false;
	if (st != PINE_OK)
		pine_fail(st, "pine_prep_shares_to_prep", why);
	return true;
}

/* pine_prep_shares_to_prep(params, prep_shares bytea[])
 *   -> (accepted boolean, prep_message bytea, reject_reason text) */
Datum
secagg_pine_prep_shares_to_prep(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "prep_shares" };
	sa_pg_require_args(fcinfo, 0, 1, names);
	const pine_params *P = params_arg(fcinfo, 0);
	uint8_t *msg = palloc(P->prep_msg_len);
	pine_reject_reason reason;
	bool ok = shares_to_prep(P, PG_GETARG_ARRAYTYPE_P(1), msg, &reason);
	Datum values[3];
	bool nulls[3] = { false, !ok, true };
	values[0] = BoolGetDatum(ok);
	values[1] = ok ? PointerGetDatum(sa_pg_bytea(msg, P->prep_msg_len)) : (Datum) 0;
	values[2] = reason_datum(reason, &nulls[2]);
	PG_RETURN_DATUM(make_record(fcinfo, values, nulls));
}

/* Finishes preparation; false (and *reason) if the prep message does not match. */
static bool
prep_next(const pine_params *P, Jsonb *state_jb, const uint8_t *msg, size_t msg_len, uint8_t *out,
          pine_reject_reason *reason)
{
	size_t len;
	uint8_t *img = jsonb_to_state(P, state_jb, &len);
	check_len("prep_message", msg_len, P->prep_msg_len);
	const char *why = NULL;
	pine_status st = pine_prep_next_reason(P, img, len, msg, msg_len, out, reason, &why);
	sodium_memzero(img, len);
	pfree(img);
	if (st == PINE_REJECT && *reason != PINE_REASON_NONE)
		return false;
	if (st != PINE_OK)
		pine_fail(st, "pine_prep_next", why);
	return true;
}

static Datum
outcome_record(FunctionCallInfo fcinfo, const pine_params *P, bool ok, uint8_t *out, pine_reject_reason reason)
{
	Datum values[3];
	bool nulls[3] = { false, !ok, true };
	values[0] = BoolGetDatum(ok);
	values[1] = ok ? PointerGetDatum(sa_pg_bytea(out, P->out_share_len)) : (Datum) 0;
	values[2] = reason_datum(reason, &nulls[2]);
	sodium_memzero(out, P->out_share_len);
	return make_record(fcinfo, values, nulls);
}

/* pine_prep_next(params, prep_state jsonb, prep_message bytea)
 *   -> (accepted boolean, output_share bytea, reject_reason text) */
Datum
secagg_pine_prep_next(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "prep_state", "prep_message" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = params_arg(fcinfo, 0);
	size_t msg_len;
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &msg_len);
	uint8_t *out = palloc_extended(P->out_share_len, MCXT_ALLOC_HUGE);
	pine_reject_reason reason;
	bool ok = prep_next(P, PG_GETARG_JSONB_P(1), msg, msg_len, out, &reason);
	PG_RETURN_DATUM(outcome_record(fcinfo, P, ok, out, reason));
}

/*
 * pine_prep_finish(params, prep_state jsonb, prep_shares bytea[])
 *   -> (accepted boolean, prep_message bytea, output_share bytea, reject_reason text)
 * The Leader's step in one call: combine the prep shares, then finish its own
 * preparation with the resulting prep message (sent on to the Helpers).
 */
Datum
secagg_pine_prep_finish(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "prep_state", "prep_shares" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = params_arg(fcinfo, 0);
	Jsonb *state_jb = PG_GETARG_JSONB_P(1);
	uint8_t *msg = palloc(P->prep_msg_len);
	uint8_t *out = palloc_extended(P->out_share_len, MCXT_ALLOC_HUGE);
	pine_reject_reason reason = PINE_REASON_NONE;
	bool ok = shares_to_prep(P, PG_GETARG_ARRAYTYPE_P(2), msg, &reason);
	bool done = ok && prep_next(P, state_jb, msg, P->prep_msg_len, out, &reason);
	if (!ok) {
		/* still validate the state, so that malformed input is never hidden by a rejection */
		size_t len;
		uint8_t *img = jsonb_to_state(P, state_jb, &len);
		sodium_memzero(img, len);
		pfree(img);
	}
	Datum values[4];
	bool nulls[4] = { false, !ok, !done, true };
	values[0] = BoolGetDatum(done);
	values[1] = ok ? PointerGetDatum(sa_pg_bytea(msg, P->prep_msg_len)) : (Datum) 0;
	values[2] = done ? PointerGetDatum(sa_pg_bytea(out, P->out_share_len)) : (Datum) 0;
	values[3] = reason_datum(reason, &nulls[3]);
	sodium_memzero(out, P->out_share_len);
	PG_RETURN_DATUM(make_record(fcinfo, values, nulls));
}

/* ------------------------------------------------------------------------ */
/* pine_agg(params, output_share) -> aggregate share                        */
/*                                                                          */
/* Flat bytea state: header | d encoded field elements (the running sum).   */
/* The header carries everything the combine function needs (it gets no    */
/* parameters): field, d, the batch cap and the parameter digest, plus the  */
/* call site's provenance tag (see sa_pg_agg_tag).                          */
/*                                                                          */
/* Every support function validates the state it gets: the header against  */
/* the buffer (and, in the transition function, against the parameters)    */
/* always, and the elements' canonical encoding unless the transition       */
/* function built the state itself in this query.                           */
/* ------------------------------------------------------------------------ */

#define AGG_MAGIC "PNa3"
#define AGG_HDR 88      /* magic 4 | field 1 | elem 1 | pad 2 | count u64 | max u64 | d u64 | digest 32 | tag 16 | min u64 */
#define AGG_TAG_OFF 64
#define AGG_MIN_OFF 80  /* min_batch_size (0: none), checked by the final function */

typedef struct agg_hdr {
	uint8_t field, elem;
	uint64 count, max, d, min;
	const uint8_t *digest, *tag;
} agg_hdr;

pg_attribute_noreturn() static void
agg_corrupt(const char *why)
{
	ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("pine_agg state is corrupt: %s", why),
	                errhint("Only the pine_agg aggregates build these states.")));
}

/* Header checks: O(1), always. */
static void
agg_read_hdr(bytea *s, agg_hdr *h)
{
	const uint8_t *p = (const uint8_t *) VARDATA(s);
	if (VARATT_IS_EXTENDED(s) || VARSIZE(s) < VARHDRSZ + AGG_HDR || memcmp(p, AGG_MAGIC, 4) != 0)
		agg_corrupt("bad header");
	h->field = p[4];
	h->elem = p[5];
	h->count = sa_load_u64_be(p + 8);
	h->max = sa_load_u64_be(p + 16);
	h->d = sa_load_u64_be(p + 24);
	h->digest = p + 32;
	h->tag = p + AGG_TAG_OFF;
	h->min = sa_load_u64_be(p + AGG_MIN_OFF);
	if (h->field > PINE_FIELD40 || h->elem != pine_field_elem_size((pine_field_id) h->field) ||
	    p[6] != 0 || p[7] != 0)
		agg_corrupt("unknown field or element size");
	if (h->d == 0 || h->d > PINE_MAX_DIMENSION || VARSIZE(s) - VARHDRSZ - AGG_HDR != h->d * h->elem)
		agg_corrupt("length does not match the dimension");
	if (h->max == 0 || h->count > h->max)
		agg_corrupt("report count beyond the batch cap");
	if (h->min > h->max)
		agg_corrupt("minimum batch size beyond the batch cap");
}

/* Header checks plus the canonical encoding of every element: O(d). */
static void
agg_read_full(bytea *s, agg_hdr *h)
{
	agg_read_hdr(s, h);
	if (pine_vec_check_encoded((pine_field_id) h->field, (const uint8_t *) VARDATA(s) + AGG_HDR, h->d) != PINE_OK)
		agg_corrupt("an element is not a canonical field element");
}

static void
batch_cap(uint64 count, uint64 max)
{
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
	                errmsg("pine_agg: more than " UINT64_FORMAT " reports in one aggregate", max),
	                errdetail("The sum of " UINT64_FORMAT " reports could wrap around the field "
	                          "(num_reports * l2_norm_bound must stay below p/2).", count),
	                errhint("Aggregate smaller batches (see max_measurements in the parameters).")));
}

/* The parameters' min_batch_size refuses to release the sum of fewer reports. */
pg_attribute_noreturn() static void
batch_too_small(const char *who, uint64 count, uint64 min)
{
	ereport(ERROR, (errcode(ERRCODE_SECAGG_PINE_BATCH_SIZE),
	                errmsg("%s: the batch has " UINT64_FORMAT " reports, fewer than min_batch_size " UINT64_FORMAT,
	                       who, count, min),
	                errdetail("The sum of fewer reports than the parameters' minimum is not released."),
	                errhint("Aggregate a larger batch.")));
}

static bytea *
agg_new_state(const pine_params *P, const uint8_t *tag)
{
	bytea *s = palloc_extended(VARHDRSZ + AGG_HDR + P->agg_share_len, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	SET_VARSIZE(s, VARHDRSZ + AGG_HDR + P->agg_share_len);
	uint8_t *p = (uint8_t *) VARDATA(s);
	memcpy(p, AGG_MAGIC, 4);
	p[4] = (uint8_t) P->field;
	p[5] = (uint8_t) P->elem_size;
	sa_store_u64_be(p + 16, P->max_measurements);
	sa_store_u64_be(p + 24, P->dimension);
	memcpy(p + 32, P->digest, 32);
	memcpy(p + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
	sa_store_u64_be(p + AGG_MIN_OFF, P->cfg.min_batch_size);
	pine_agg_init(P, p + AGG_HDR);
	return s;
}

/* A state from elsewhere (INITCOND, window inverse function): checked in full, then adopted. */
static void
agg_adopt(bytea *s, const pine_params *P, const uint8_t *tag)
{
	agg_hdr h;
	agg_read_full(s, &h);
	if (memcmp(h.digest, P->digest, 32) != 0 || h.field != (uint8_t) P->field || h.d != P->dimension ||
	    h.max != P->max_measurements || h.min != P->cfg.min_batch_size)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("pine_agg: rows of one group carry different PINE parameters"),
		                errhint("Group by the task so that every row has the same parameters.")));
	memcpy((uint8_t *) VARDATA(s) + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
}

Datum
secagg_pine_agg_trans(PG_FUNCTION_ARGS)
{
	bool plain;
	const uint8_t *tag = sa_pg_agg_tag(fcinfo, "pine_agg_trans", &plain);
	static const char *const names[] = { "params", "output_share" };
	sa_pg_require_args(fcinfo, 1, 2, names);
	const pine_params *P = params_arg(fcinfo, 1);
	size_t len;
	const uint8_t *share = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &len);
	check_len("output_share", len, P->out_share_len);
	bytea *s;
	agg_hdr h;
	if (PG_ARGISNULL(0)) {
		s = agg_new_state(P, tag);
	} else {
		s = PG_GETARG_BYTEA_P(0);
		agg_read_hdr(s, &h);
		if (!plain || sodium_memcmp(h.tag, tag, SA_PG_AGG_TAG_BYTES) != 0)
			agg_adopt(s, P, tag);
		else if (memcmp(h.digest, P->digest, 32) != 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("pine_agg: rows of one group carry different PINE parameters"),
			                errhint("Group by the task so that every row has the same parameters.")));
	}
	agg_read_hdr(s, &h);
	if (h.count >= P->max_measurements)
		batch_cap(h.count + 1, P->max_measurements);
	uint8_t *acc = (uint8_t *) VARDATA(s) + AGG_HDR;
	pine_status st = pine_vec_add_encoded(P->field, acc, share, P->dimension);
	if (st != PINE_OK)
		pine_fail(st, "pine_agg: output_share", NULL);
	sa_store_u64_be((uint8_t *) VARDATA(s) + 8, h.count + 1);
	PG_RETURN_BYTEA_P(s);
}

Datum
secagg_pine_agg_combine(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "pine_agg_combine");
	/* STRICT: PostgreSQL handles the NULL cases */
	bytea *a = PG_GETARG_BYTEA_P(0), *b = PG_GETARG_BYTEA_P(1);
	agg_hdr ha, hb;
	agg_read_full(a, &ha);
	agg_read_full(b, &hb);
	if (memcmp(ha.digest, hb.digest, 32) != 0 || ha.field != hb.field || ha.d != hb.d || ha.max != hb.max ||
	    ha.min != hb.min)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("pine_agg: partial aggregates belong to different PINE parameters")));
	if (hb.count > ha.max - ha.count)
		batch_cap(ha.count + hb.count, ha.max);
	pine_status st = pine_vec_add_encoded((pine_field_id) ha.field, (uint8_t *) VARDATA(a) + AGG_HDR,
	                                      (const uint8_t *) VARDATA(b) + AGG_HDR, ha.d);
	if (st != PINE_OK)
		agg_corrupt("an element is not a canonical field element");
	sa_store_u64_be((uint8_t *) VARDATA(a) + 8, ha.count + hb.count);
	PG_RETURN_BYTEA_P(a);
}

Datum
secagg_pine_agg_final(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "pine_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	bytea *s = PG_GETARG_BYTEA_P(0);
	agg_hdr h;
	agg_read_full(s, &h);
	if (h.count < h.min)
		batch_too_small("pine_agg", h.count, h.min);
	PG_RETURN_BYTEA_P(sa_pg_bytea((const uint8_t *) VARDATA(s) + AGG_HDR, h.d * h.elem));
}

/* Final function of pine_agg_count: the number of output shares summed. */
Datum
secagg_pine_agg_count(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "pine_agg_count_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	bytea *s = PG_GETARG_BYTEA_P(0);
	agg_hdr h;
	agg_read_full(s, &h);
	PG_RETURN_INT64((int64) h.count);
}

/* ------------------------------------------------------------------------ */
/* Collector                                                                */
/* ------------------------------------------------------------------------ */

/* pine_unshard(params, agg_shares bytea[], num_measurements bigint) -> float8[] */
Datum
secagg_pine_unshard(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "agg_shares", "num_measurements" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = params_arg(fcinfo, 0);
	int64 num = PG_GETARG_INT64(2);
	if (num < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("num_measurements must not be negative, got " INT64_FORMAT, num)));
	if ((uint64) num > P->max_measurements)
		batch_cap((uint64) num, P->max_measurements);
	if ((uint64) num < P->cfg.min_batch_size)
		batch_too_small("pine_unshard", (uint64) num, P->cfg.min_batch_size);
	const uint8_t **ptrs = palloc(P->num_shares * sizeof *ptrs);
	size_t *lens = palloc(P->num_shares * sizeof *lens);
	bytea_array(PG_GETARG_ARRAYTYPE_P(1), "agg_shares", (int) P->num_shares, ptrs, lens);
	for (uint32 j = 0; j < P->num_shares; j++)
		if (lens[j] != P->agg_share_len)
			ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			                errmsg("agg_shares[%u] must be %zu bytes for these parameters, got %zu", j + 1,
			                       P->agg_share_len, lens[j])));
	double *res = palloc_extended(P->dimension * sizeof(double), MCXT_ALLOC_HUGE);
	const char *why = NULL;
	pine_status st = pine_unshard(P, (const uint8_t *const *) ptrs, lens, P->num_shares, (uint64) num, res, &why);
	if (st != PINE_OK)
		pine_fail(st, "pine_unshard", why);
	Datum *d = palloc_extended(P->dimension * sizeof(Datum), MCXT_ALLOC_HUGE);
	for (size_t i = 0; i < P->dimension; i++)
		d[i] = Float8GetDatum(res[i]);
	PG_RETURN_ARRAYTYPE_P(construct_array(d, (int) P->dimension, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* ------------------------------------------------------------------------ */
/* Differential privacy on aggregate shares                                 */
/* ------------------------------------------------------------------------ */

static pine_dp_mechanism
mechanism_arg(FunctionCallInfo fcinfo, int argno)
{
	char *name = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	pine_dp_mechanism m;
	if (strcmp(name, "discrete_gaussian") == 0)
		m = PINE_DP_DISCRETE_GAUSSIAN;
	else if (strcmp(name, "discrete_laplace") == 0)
		m = PINE_DP_DISCRETE_LAPLACE;
	else
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("unknown DP mechanism \"%s\"", name),
		                errhint("Use 'discrete_gaussian' or 'discrete_laplace'.")));
	pfree(name);
	return m;
}

/* The scale for (epsilon, delta); delta NULL is 0 for the core. */
static double
dp_scale(const pine_params *P, pine_dp_mechanism m, double epsilon, bool has_delta, double delta)
{
	if (has_delta && !(delta > 0.0 && delta < 1.0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("delta must be between 0 and 1 (exclusive), got %g", delta),
		                errhint("Leave delta NULL for zCDP (discrete_gaussian) or pure DP (discrete_laplace).")));
	double scale;
	const char *why = NULL;
	pine_status st = pine_dp_scale(P, m, epsilon, has_delta ? delta : 0.0, &scale, &why);
	if (st != PINE_OK)
		pine_fail(st, "PINE DP", why);
	return scale;
}

/* pine_dp_scale(params, mechanism, epsilon, delta DEFAULT NULL) -> float8 */
Datum
secagg_pine_dp_scale(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "mechanism", "epsilon" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = params_arg(fcinfo, 0);
	pine_dp_mechanism m = mechanism_arg(fcinfo, 1);
	PG_RETURN_FLOAT8(dp_scale(P, m, PG_GETARG_FLOAT8(2), !PG_ARGISNULL(3), PG_ARGISNULL(3) ? 0.0 : PG_GETARG_FLOAT8(3)));
}

/*
 * pine_agg_share_noised(params, agg_share bytea, mechanism text,
 *                       epsilon float8, delta float8, scale float8) -> bytea
 * The aggregate share with independent noise added to each coordinate (mod
 * p): of the scale pine_dp_scale gives for (epsilon, delta), or of the scale
 * given. VOLATILE: fresh randomness on every call.
 */
Datum
secagg_pine_agg_share_noised(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "agg_share", "mechanism" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = params_arg(fcinfo, 0);
	size_t len;
	const uint8_t *in = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &len);
	pine_dp_mechanism m = mechanism_arg(fcinfo, 2);
	bool has_eps = !PG_ARGISNULL(3), has_delta = !PG_ARGISNULL(4), has_scale = !PG_ARGISNULL(5);
	if (has_eps == has_scale || (has_scale && has_delta))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("give either epsilon (and for discrete_gaussian optionally delta) or scale"),
		                errhint("scale is sigma (discrete_gaussian) or t (discrete_laplace) in the encoded domain.")));
	check_len("agg_share", len, P->agg_share_len);
	double scale = has_scale ? PG_GETARG_FLOAT8(5)
	                         : dp_scale(P, m, PG_GETARG_FLOAT8(3), has_delta, has_delta ? PG_GETARG_FLOAT8(4) : 0.0);
	bytea *out = (bytea *) palloc_extended(VARHDRSZ + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), in, len);
	const char *why = NULL;
	pine_status st = pine_dp_add_noise(P, m, scale, (uint8_t *) VARDATA(out), len, &why);
	if (st != PINE_OK)
		pine_fail(st, "pine_agg_share_noised", why);
	PG_RETURN_BYTEA_P(out);
}
