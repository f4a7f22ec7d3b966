/*
 * pine_params_sql.c: the PINE parameter object from SQL: pine_params()
 * builds it, pine_params_check() validates it, and every other PINE
 * function reads its params argument through pine_pg_params_arg().
 *
 * The object is a canonical jsonb: the user configuration (the draft
 * included) plus every derived value (sizes of every message, the batch
 * cap, a SHA-256 digest of the canonical parameter encoding); its members
 * are defined once, in the core (pine/pine_object.h). A document is read by
 * re-deriving the parameters from its configuration keys and refusing it
 * unless it equals the canonical object of those parameters. The parsed
 * parameters are cached in fn_extra, keyed by the jsonb bytes, so per-row
 * functions and aggregates parse them once.
 */
#include "pine_pg.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "pine/pine_object.h"

PG_FUNCTION_INFO_V1(secagg_pine_params);
PG_FUNCTION_INFO_V1(secagg_pine_params_check);

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

/* Bytes of a one-dimensional array without NULLs of n values of `each` bytes
 * (a varlena each, int-aligned). */
static size_t
array_bytes(size_t n, size_t each)
{
	return ARR_OVERHEAD_NONULLS(1) + n * INTALIGN(VARHDRSZ + each);
}

/*
 * Every value these parameters make must fit in a PostgreSQL value (1 GB,
 * less 128 bytes of room for the row or record that carries it), arrays of
 * them included. 54000 names the first that does not, so a parameter set
 * that can never work is refused up front instead of failing (or running for
 * minutes) later. Three values can bind first:
 *   - pine_unshard's aggregate shares, num_shares of d elements in one
 *     bytea[]: the limit at every default setting;
 *   - the prep shares pine_prep_finish takes in one bytea[] (large
 *     chunk_length and num_proofs);
 *   - pine_shard's input shares (large proofs: a small
 *     chunk_length_norm_equality and many norm-equality proofs).
 * The rest are implied, since num_shares >= 2 and elements have at least 4
 * bytes: an output share, the pine_agg state (88 bytes more) and a single
 * aggregate share by the aggregate shares' array, as are pine_shard's
 * measurement and pine_unshard's result (float8[] of d); a prep share by its
 * array; the Leader's input share by pine_shard's array; the public share is
 * at most 16 kB; the prep states in jsonb are at most 109 bytes of state
 * (base64: 148), the Leader's made by 0.3.0 (its output share) existing only
 * for the dimensions that version accepted.
 */
static void
check_pg_limits(const pine_params *P)
{
	const size_t max = MaxAllocSize - 128;
	size_t S = P->num_shares;
	struct { const char *what; size_t len; } v[] = {
		{ "pine_unshard's aggregate shares (a bytea[] of num_shares)", array_bytes(S, P->agg_share_len) },
		{ "the prep shares (a bytea[] of num_shares)", array_bytes(S, P->prep_share_len) },
		{ "pine_shard's input shares (a bytea[])",
		  array_bytes(1, P->leader_input_share_len) + array_bytes(S - 1, P->helper_input_share_len) -
		      ARR_OVERHEAD_NONULLS(1) },
	};
	for (size_t k = 0; k < lengthof(v); k++)
		if (v[k].len > max)
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			                errmsg("PINE params: %s would be %zu bytes, more than the %zu a PostgreSQL value can hold here",
			                       v[k].what, v[k].len, max),
			                errhint("Use a smaller dimension (see the README's limits for each variant).")));
}

/* Full parse and validation of a parameter jsonb (no cache). */
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
		sa_pg_pine_fail(st, "PINE params", why);
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
const pine_params *
pine_pg_params_arg(FunctionCallInfo fcinfo, int argno)
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

/* pine_params' variant argument (a name the core knows). */
static pine_variant
variant_arg(FunctionCallInfo fcinfo, int argno)
{
	char *vname = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	int variant = pine_variant_by_name(vname, strlen(vname));
	if (variant < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("unknown PINE variant \"%s\"", vname),
		                errhint("Use Pine64, Pine128, Pine64HmacSha256Aes128, Pine32HmacSha256Aes128 or "
		                        "(draft '02') Pine40HmacSha256Aes128.")));
	pfree(vname);
	return (pine_variant) variant;
}

/*
 * The draft's integer norm bound from l2_norm_bound (argument 1, floored to
 * fixed point under either draft: never above the bound asked for) or
 * l2_norm_bound_fixed (argument 13), whichever is given.
 */
static uint64_t
norm_bound_args(FunctionCallInfo fcinfo, int64 nfb)
{
	if (!PG_ARGISNULL(1)) {
		double l2 = PG_GETARG_FLOAT8(1);
		/* fixed point like the reference: floor(B * 2^nfb) */
		double scaled = isfinite(l2) ? floor(ldexp(l2, (int) nfb)) : l2;
		if (!isfinite(scaled) || !(scaled >= 1.0) || scaled >= 18446744073709551616.0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("l2_norm_bound * 2^num_frac_bits must be a finite value between 1 and 2^64"),
			                errdetail("l2_norm_bound = %g, num_frac_bits = " INT64_FORMAT ".", l2, nfb)));
		return (uint64_t) scaled;
	}
	/* the draft's integer; the field's limits are the core's checks */
	int64 fixed = PG_GETARG_INT64(13);
	if (fixed < 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("l2_norm_bound_fixed must be positive, got " INT64_FORMAT, fixed)));
	return (uint64_t) fixed;
}

/* The optional counts and alpha (arguments 6 to 11) into c, range-checked; NULL keeps the default. */
static void
count_args(FunctionCallInfo fcinfo, pine_config *c)
{
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
	if (!PG_ARGISNULL(6)) c->num_proofs = (uint32_t) iv[6];
	if (!PG_ARGISNULL(7)) c->num_proofs_norm_equality = (uint32_t) iv[7];
	if (!PG_ARGISNULL(8)) c->num_wr_checks = (uint32_t) iv[8];
	if (!PG_ARGISNULL(9)) c->num_wr_successes = (uint32_t) iv[9];
	if (!PG_ARGISNULL(11)) c->num_shares = (uint32_t) iv[11];
	if (!PG_ARGISNULL(10)) {
		double alpha = PG_GETARG_FLOAT8(10);
		if (!isfinite(alpha) || !(alpha > 0.0))
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("alpha must be a positive finite number")));
		c->alpha = alpha;
	}
}

/* The chunk lengths (arguments 4 and 5) into c; NULL: the proof-size-minimising one. */
static void
chunk_args(FunctionCallInfo fcinfo, pine_config *c)
{
	const char *why = NULL;
	if (PG_ARGISNULL(4) || PG_ARGISNULL(5)) {
		uint64_t cl, cne;
		pine_status st = pine_optimal_chunk_lengths(c, &cl, &cne, &why);
		if (st != PINE_OK)
			sa_pg_pine_fail(st, "PINE params", why);
		if (PG_ARGISNULL(4)) c->chunk_length = cl;
		if (PG_ARGISNULL(5)) c->chunk_length_norm_equality = cne;
	}
	for (int a = 4; a <= 5; a++)
		if (!PG_ARGISNULL(a)) {
			int64 x = PG_GETARG_INT64(a);
			if (x < 1 || (uint64) x > PINE_MAX_CHUNK_LENGTH)
				ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				                errmsg("%s must be between 1 and " UINT64_FORMAT ", got " INT64_FORMAT,
				                       a == 4 ? "chunk_length" : "chunk_length_norm_equality",
				                       (uint64) PINE_MAX_CHUNK_LENGTH, x)));
			if (a == 4) c->chunk_length = (uint64_t) x;
			else c->chunk_length_norm_equality = (uint64_t) x;
		}
}

/*
 * pine_params(variant text, l2_norm_bound float8, dimension bigint,
 *             num_frac_bits int, chunk_length bigint, chunk_length_norm_equality bigint,
 *             num_proofs int, num_proofs_norm_equality int, num_wr_checks int,
 *             num_wr_successes int, alpha float8, num_shares int, draft text,
 *             l2_norm_bound_fixed bigint, min_batch_size bigint) -> jsonb
 * NULL optional arguments take the defaults. Exactly one of l2_norm_bound
 * and l2_norm_bound_fixed is given.
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
	pine_variant variant = variant_arg(fcinfo, 0);
	pine_draft draft = draft_arg(fcinfo, 12); /* the core refuses a variant the draft lacks */
	pine_config c;
	pine_config_defaults(&c, variant);
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
	c.l2_norm_bound = norm_bound_args(fcinfo, nfb);
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
	count_args(fcinfo, &c);
	chunk_args(fcinfo, &c);
	pine_params P;
	const char *why = NULL;
	pine_status st = pine_params_init(&P, &c, &why);
	if (st != PINE_OK)
		sa_pg_pine_fail(st, "PINE params", why);
	check_pg_limits(&P);
	PG_RETURN_JSONB_P(params_to_jsonb(&P, true));
}

/* pine_params_check(params jsonb) -> jsonb: validates and returns the canonical form. */
Datum
secagg_pine_params_check(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	PG_RETURN_JSONB_P(params_to_jsonb(P, true));
}

void
pine_pg_check_agg_id(const pine_params *P, int32 agg_id)
{
	if (agg_id < 0 || (uint32) agg_id >= P->num_shares)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("agg_id must be between 0 and %u, got %d", P->num_shares - 1, agg_id)));
}
