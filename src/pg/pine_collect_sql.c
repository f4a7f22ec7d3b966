/*
 * pine_collect_sql.c: the PINE Collector from SQL, and differential
 * privacy on aggregate shares: pine_unshard, pine_dp_scale and
 * pine_agg_share_noised.
 */
#include "pine_pg.h"

#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(secagg_pine_unshard);
PG_FUNCTION_INFO_V1(secagg_pine_dp_scale);
PG_FUNCTION_INFO_V1(secagg_pine_agg_share_noised);

/* pine_unshard(params, agg_shares bytea[], num_measurements bigint) -> float8[] */
Datum
secagg_pine_unshard(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "agg_shares", "num_measurements" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	int64 num = PG_GETARG_INT64(2);
	if (num < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("num_measurements must not be negative, got " INT64_FORMAT, num)));
	if ((uint64) num > P->max_measurements)
		pine_pg_batch_cap((uint64) num, P->max_measurements);
	if ((uint64) num < P->cfg.min_batch_size)
		pine_pg_batch_too_small("pine_unshard", (uint64) num, P->cfg.min_batch_size);
	const uint8_t **ptrs = palloc(P->num_shares * sizeof *ptrs);
	size_t *lens = palloc(P->num_shares * sizeof *lens);
	sa_pg_bytea_array(PG_GETARG_ARRAYTYPE_P(1), "agg_shares", (int) P->num_shares, ptrs, lens);
	for (uint32 j = 0; j < P->num_shares; j++)
		if (lens[j] != P->agg_share_len)
			ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			                errmsg("agg_shares[%u] must be %zu bytes for these parameters, got %zu", j + 1,
			                       P->agg_share_len, lens[j])));
	double *res = palloc_extended(P->dimension * sizeof(double), MCXT_ALLOC_HUGE);
	const char *why = NULL;
	pine_status st = pine_unshard(P, (const uint8_t *const *) ptrs, lens, P->num_shares, (uint64) num, res, &why);
	if (st != PINE_OK)
		sa_pg_pine_fail(st, "pine_unshard", why);
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
		sa_pg_pine_fail(st, "PINE DP", why);
	return scale;
}

/* pine_dp_scale(params, mechanism, epsilon, delta DEFAULT NULL) -> float8 */
Datum
secagg_pine_dp_scale(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "mechanism", "epsilon" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
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
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	size_t len;
	const uint8_t *in = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &len);
	pine_dp_mechanism m = mechanism_arg(fcinfo, 2);
	bool has_eps = !PG_ARGISNULL(3), has_delta = !PG_ARGISNULL(4), has_scale = !PG_ARGISNULL(5);
	if (has_eps == has_scale || (has_scale && has_delta))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("give either epsilon (and for discrete_gaussian optionally delta) or scale"),
		                errhint("scale is sigma (discrete_gaussian) or t (discrete_laplace) in the encoded domain.")));
	sa_pg_check_len("agg_share", len, P->agg_share_len);
	double scale = has_scale ? PG_GETARG_FLOAT8(5)
	                         : dp_scale(P, m, PG_GETARG_FLOAT8(3), has_delta, has_delta ? PG_GETARG_FLOAT8(4) : 0.0);
	bytea *out = (bytea *) palloc_extended(VARHDRSZ + len, MCXT_ALLOC_HUGE);
	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), in, len);
	const char *why = NULL;
	pine_status st = pine_dp_add_noise(P, m, scale, (uint8_t *) VARDATA(out), len, &why);
	if (st != PINE_OK)
		sa_pg_pine_fail(st, "pine_agg_share_noised", why);
	PG_RETURN_BYTEA_P(out);
}
