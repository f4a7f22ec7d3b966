/*
 * graph_sql.c: SecAgg+ graph parameters from SQL.
 *
 *   graph_params(users int, corrupt_fraction float8, dropout_fraction float8,
 *                server_model text DEFAULT 'honest-but-curious',
 *                k int DEFAULT NULL, t int DEFAULT NULL) -> jsonb
 *
 * Without k and t: the finder's answer (src/core/secagg/graph_params.h).
 * With both: the same rules checked for that choice; a choice that breaks
 * one is refused (22023) with the rule and the numbers.
 *
 * sa_pg_session_degree reads such an object back when a session is created
 * on it (server_create, client_create).
 */
#include "pg_util.h"

#include <math.h>

#include "common/shortest_dec.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

#include "secagg/graph_params.h"
#include "secagg/protocol.h"

PG_FUNCTION_INFO_V1(secagg_graph_params);

static sa_graph_model
model_arg(FunctionCallInfo fcinfo, int argno)
{
	char *m = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (strcmp(m, "honest-but-curious") == 0)
		return SA_GRAPH_HONEST_BUT_CURIOUS;
	if (strcmp(m, "semi-malicious") == 0)
		return SA_GRAPH_SEMI_MALICIOUS;
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
	                errmsg("server_model must be 'honest-but-curious' or 'semi-malicious', got \"%s\"", m)));
}

static const char *
model_name(sa_graph_model m)
{
	return m == SA_GRAPH_SEMI_MALICIOUS ? "semi-malicious" : "honest-but-curious";
}

/* JSON number for a log2 bound: null when not computed, a string for -inf. */
static void
append_log2(StringInfo b, double x)
{
	if (isnan(x))
		appendStringInfoString(b, "null");
	else if (isinf(x))
		appendStringInfoString(b, "\"-Infinity\"");
	else
		appendStringInfo(b, "%.2f", x);
}

static Jsonb *
params_jsonb(const sa_graph_params *p, double corrupt, double dropout, sa_graph_model model, bool chosen)
{
	StringInfoData b;
	initStringInfo(&b);
	char cbuf[DOUBLE_SHORTEST_DECIMAL_LEN], dbuf[DOUBLE_SHORTEST_DECIMAL_LEN];
	double_to_shortest_decimal_buf(corrupt, cbuf);
	double_to_shortest_decimal_buf(dropout, dbuf);
	appendStringInfo(&b, "{\"graph\": \"%s\", \"k\": %u, \"t\": %u, \"users\": %u, "
	                     "\"corrupt_fraction\": %s, \"dropout_fraction\": %s, \"server_model\": \"%s\", "
	                     "\"chosen_by\": \"%s\", \"sigma\": %u, \"eta\": %u, \"log2_disconnection_bound\": ",
	                 p->complete ? "complete" : "harary", p->k, p->t, p->n, cbuf, dbuf, model_name(model),
	                 chosen ? "user" : "finder", p->sigma, p->eta);
	append_log2(&b, p->log2_disconnect);
	appendStringInfo(&b, ", \"t_above\": %u, \"t_at_most\": %u, \"corrupt_quantile\": %u, "
	                     "\"corrupt_users\": %u, \"dropout_users\": %u, \"survivors\": %u}",
	                 p->t1, p->t2, p->t1_corrupt, p->corrupt_users, p->dropout_users, p->survivors);
	return sa_pg_jsonb_from_text(b.data);
}

/* The message for a refused input or choice (rule in p). */
static char *
refusal(const sa_graph_params *p, uint32 k, uint32 t)
{
	switch (p->rule) {
	case SA_GRAPH_RULE_K_RANGE:
		return psprintf("k = %u is outside 1 .. users - 1 = %u", k, p->n - 1);
	case SA_GRAPH_RULE_K_ODD:
		return psprintf("k = %u is odd: a Harary graph needs an even degree (or k = users - 1, the complete graph)", k);
	case SA_GRAPH_RULE_CONNECTIVITY:
		return psprintf("k = %u is too small: the honest survivors may be disconnected with probability up to "
		                "2^%.1f, not below 2^-%u", k, p->log2_disconnect, p->sigma);
	case SA_GRAPH_RULE_T_SMALL:
		return psprintf("t = %u is too small for k = %u: it must exceed %u (the corrupt neighbours a user may "
		                "have, except with probability 2^-%u)", t, k, p->t1, p->sigma);
	case SA_GRAPH_RULE_T_LARGE:
		return psprintf("t = %u is too large for k = %u: at most %u neighbours are sure to survive (except with "
		                "probability 2^-%u)", t, k, p->t2, p->eta);
	case SA_GRAPH_RULE_INFEASIBLE:
		return psprintf("no graph meets the rules for %u users with these fractions (even the complete graph "
		                "would need t above %u and at most %u)", p->n, p->t1, p->t2);
	default:
		return psprintf("graph parameters need at least 2 users and fractions in [0, 1)");
	}
}

pg_attribute_noreturn() static void
refuse(sa_status st, const sa_graph_params *p, uint32 k, uint32 t)
{
	sa_pg_honour_interrupt(st);
	if (st == SA_ERR_LIMIT)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("users must be at most %u for SecAgg+ parameters", SA_GRAPH_MAX_USERS)));
	if (st != SA_ERR_PARAM)
		sa_pg_fail(st, "graph_params");
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("%s", refusal(p, k, t)),
	                p->rule == SA_GRAPH_RULE_INFEASIBLE ? errhint("Lower the corrupt or dropout fraction, or add users.")
	                                                    : 0));
}

Datum
secagg_graph_params(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "users", "corrupt_fraction", "dropout_fraction", "server_model" };
	sa_pg_require_args(fcinfo, 0, 3, names);
	int32 n = PG_GETARG_INT32(0);
	double corrupt = PG_GETARG_FLOAT8(1), dropout = PG_GETARG_FLOAT8(2);
	sa_graph_model model = model_arg(fcinfo, 3);
	if (PG_ARGISNULL(4) != PG_ARGISNULL(5))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		                errmsg("give both k and t, or neither (then the finder chooses them)")));
	if (n < 2)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("users must be at least 2, got %d", n)));
	sa_graph_params p;
	sa_status st;
	bool chosen = !PG_ARGISNULL(4);
	if (!chosen) {
		sa_graph_params_in in = { (uint32) n, corrupt, dropout, model };
		st = sa_graph_params_find(&in, &p);
		if (st != SA_OK)
			refuse(st, &p, 0, 0);
	} else {
		int32 k = PG_GETARG_INT32(4), t = PG_GETARG_INT32(5);
		if (k < 1 || t < 1)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("k and t must be positive, got k = %d, t = %d", k, t)));
		st = sa_graph_params_check((uint32) n, (uint32) k, (uint32) t, corrupt, dropout, model, &p);
		if (st != SA_OK)
			refuse(st, &p, (uint32) k, (uint32) t);
	}
	PG_RETURN_JSONB_P(params_jsonb(&p, corrupt, dropout, model, chosen));
}

/* A number of the graph object (a jsonb number), or an error naming it. */
static double
graph_number(Jsonb *g, const char *key)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(g, key, &v) || v.type != jbvNumeric)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("graph: \"%s\" must be a number", key)));
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(v.val.numeric)));
}

static bool
graph_allows_unsafe(Jsonb *g)
{
	JsonbValue v;
	if (!sa_pg_jsonb_get(g, "allow_unsafe", &v))
		return false;
	if (v.type != jbvBool)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("graph: \"allow_unsafe\" must be true or false")));
	return v.val.boolean;
}

/*
 * The degree of a session's graph, from the object graph_params returned
 * (NULL: the complete graph). The object must be for this roster's size and
 * this threshold, and (k, t) must meet the finder's rules for the corrupt and
 * dropout fractions and server model it records, unless it carries
 * "allow_unsafe": true (README, "Security model"): then only the structural
 * rules hold (k even, 2 <= k <= n - 2, 2 <= t <= k + 1).
 */
uint32
sa_pg_session_degree(Jsonb *g, int32 t, uint32 n)
{
	const char *kind;
	int kind_len;
	if (g == NULL)
		return 0;
	sa_pg_jsonb_string(g, "graph", "graph", &kind, &kind_len);
	bool complete = kind_len == 8 && memcmp(kind, "complete", 8) == 0;
	if (!complete && !(kind_len == 6 && memcmp(kind, "harary", 6) == 0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("graph: \"graph\" must be \"complete\" or \"harary\"")));
	int64 users = sa_pg_jsonb_int(g, "users", "graph"), k = sa_pg_jsonb_int(g, "k", "graph");
	int64 gt = sa_pg_jsonb_int(g, "t", "graph");
	if (users != (int64) n)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("graph parameters are for %lld users, the roster has %u", (long long) users, n)));
	if (gt != t)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("threshold %d differs from the graph's t = %lld", t, (long long) gt)));
	if (complete)
		return 0;
	/* the core's structural rules; k is range-checked first only so that the cast is exact */
	if (k < 0 || k > (int64) n || t < 0 || sa_check_graph((uint32) t, n, (uint32) k) != SA_OK)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("graph: k = %lld, t = %d is not a SecAgg+ graph for %u users", (long long) k, t, n),
		                errdetail("k must be even with 2 <= k <= users - 2, and 2 <= t <= k + 1.")));
	if (graph_allows_unsafe(g))
		return (uint32) k;
	const char *model;
	int model_len;
	sa_pg_jsonb_string(g, "server_model", "graph", &model, &model_len);
	sa_graph_model m = SA_GRAPH_HONEST_BUT_CURIOUS;
	if (model_len == 14 && memcmp(model, "semi-malicious", 14) == 0)
		m = SA_GRAPH_SEMI_MALICIOUS;
	else if (!(model_len == 18 && memcmp(model, "honest-but-curious", 18) == 0))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("graph: \"server_model\" must be \"honest-but-curious\" or \"semi-malicious\"")));
	sa_graph_params p;
	sa_status st = sa_graph_params_check(n, (uint32) k, (uint32) t, graph_number(g, "corrupt_fraction"),
	                                     graph_number(g, "dropout_fraction"), m, &p);
	if (st != SA_OK)
		refuse(st, &p, (uint32) k, (uint32) t);
	return (uint32) k;
}
