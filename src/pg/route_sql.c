/*
 * route_sql.c: round 1 (ShareKeys) of a SecAgg+ session, routed as rows.
 *
 *   share_routes(output bytea, user_id bigint, message bytea)
 *       -> TABLE(recipient bigint, route bytea)
 *   share_message_agg(route bytea) -> bytea
 *
 * The round-1 output of a SecAgg+ session lists U2 with the digest of each
 * accepted message instead of the n·k ciphertexts (server_route.c). The
 * host joins its inbox to the output, splits each message into one route
 * per recipient with share_routes, and builds each recipient's round-2
 * message with share_message_agg ... GROUP BY recipient.
 *
 * A message of a user the round did not accept (rejected, or late) gives
 * no routes, so the whole inbox of the round can be joined; a message of
 * an accepted user that is not the one accepted fails (SA004).
 *
 * share_routes runs once per inbox row with the same output: a large
 * output read from a table arrives as a TOAST pointer, so the detoasted
 * copy is kept per call site (fn_extra), keyed by that pointer.
 *
 * share_message_agg's flat bytea state: magic "SRM1" | count u32 | cap u32 |
 * cap route slots, count of them used. The transition appends in place
 * inside an aggregate (doubling the slots when full) and copies otherwise.
 */
#include "pg_util.h"

#include "access/detoast.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"

#include "common/alloc.h"
#include "common/codec.h"
#include "secagg/server.h"

PG_FUNCTION_INFO_V1(secagg_share_routes);
PG_FUNCTION_INFO_V1(secagg_share_message_trans);
PG_FUNCTION_INFO_V1(secagg_share_message_combine);
PG_FUNCTION_INFO_V1(secagg_share_message_final);

/* ---- share_routes ---- */

typedef struct output_cache {
	Oid toastrelid, valueid;       /* the stored value the copy is of */
	bytea *copy;
} output_cache;

/* The output's bytes: detoasted once per call site for a value stored out of line. */
static bytea *
cached_output(FunctionCallInfo fcinfo)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(0));
	if (!VARATT_IS_EXTERNAL_ONDISK(raw))
		return PG_GETARG_BYTEA_PP(0);
	struct varatt_external ext;
	VARATT_EXTERNAL_GET_POINTER(ext, raw);
	output_cache *c = fcinfo->flinfo->fn_extra;
	if (c == NULL)
		c = fcinfo->flinfo->fn_extra = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof *c);
	if (c->copy == NULL || c->toastrelid != ext.va_toastrelid || c->valueid != ext.va_valueid) {
		if (c->copy != NULL)
			pfree(c->copy);
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		c->copy = (bytea *) detoast_attr(raw);
		MemoryContextSwitchTo(old);
		c->toastrelid = ext.va_toastrelid;
		c->valueid = ext.va_valueid;
	}
	return c->copy;
}

typedef struct route_sink {
	ReturnSetInfo *rsi;
} route_sink;

static sa_status
put_route(void *arg, uint64_t recipient, const uint8_t route[SA_ROUTE_BYTES])
{
	route_sink *s = arg;
	bytea *b = sa_pg_bytea(route, SA_ROUTE_BYTES);
	Datum values[2] = { Int64GetDatum((int64) recipient), PointerGetDatum(b) };
	bool nulls[2] = { false, false };
	tuplestore_putvalues(s->rsi->setResult, s->rsi->setDesc, values, nulls);
	pfree(b);
	return SA_OK;
}

Datum
secagg_share_routes(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "output", "user_id", "message" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	size_t olen, mlen;
	const uint8_t *out = sa_pg_bytes(cached_output(fcinfo), &olen);
	int64 sender = PG_GETARG_INT64(1);
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &mlen);
	sa_routes rv;
	sa_status st = sa_routes_open(out, olen, &rv);
	if (st == SA_ERR_WRONG_ROUND)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("this round output does not route its messages"),
		                errhint("share_routes takes the output of round 1 (ShareKeys) of a SecAgg+ session; "
		                        "read the messages of other outputs with output_messages.")));
	if (st != SA_OK)
		sa_pg_fail(st, "round output to route");
	InitMaterializedSRF(fcinfo, 0);
	route_sink sink = { (ReturnSetInfo *) fcinfo->resultinfo };
	st = sa_routes_split(&rv, (uint64_t) sender, msg, mlen, put_route, &sink);
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE),
		                errmsg("the message of user " INT64_FORMAT " is not the one round 1 accepted from it",
		                       sender),
		                errhint("Route the inbox rows the round was closed on; keep one message per user "
		                        "and round.")));
	if (st != SA_OK && st != SA_ERR_UNKNOWN_USER)   /* a sender the round did not accept: no routes */
		sa_pg_fail(st, "ShareKeys message to route");
	return (Datum) 0;
}

/* ---- share_message_agg ---- */

#define SRM_MAGIC "SRM1"
#define SRM_HDR 12                   /* magic | count u32 | cap u32 */

typedef struct srm {
	uint32 count, cap;
	uint8_t *routes;
} srm;

/* Reads a (possibly crafted) state: its header must fit its length exactly. */
static srm
srm_read(bytea *s)
{
	srm r;
	size_t len = VARSIZE_ANY_EXHDR(s);
	const uint8_t *p = (const uint8_t *) VARDATA_ANY(s);
	if (len < SRM_HDR || memcmp(p, SRM_MAGIC, 4) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("invalid share_message_agg state")));
	r.count = sa_load_u32_be(p + 4);
	r.cap = sa_load_u32_be(p + 8);
	if (r.count > r.cap || r.cap > SA_MAX_USERS_GRAPH ||
	    len - SRM_HDR != (size_t) r.cap * SA_ROUTE_BYTES)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("invalid share_message_agg state")));
	r.routes = (uint8_t *) p + SRM_HDR;
	return r;
}

/* A state with room for cap routes holding the count of `from` (NULL: none). */
static bytea *
srm_new(uint32 cap, const srm *from)
{
	bytea *s = palloc_extended(VARHDRSZ + SRM_HDR + (size_t) cap * SA_ROUTE_BYTES, MCXT_ALLOC_HUGE);
	SET_VARSIZE(s, VARHDRSZ + SRM_HDR + (size_t) cap * SA_ROUTE_BYTES);
	uint8_t *p = (uint8_t *) VARDATA(s);
	memcpy(p, SRM_MAGIC, 4);
	sa_store_u32_be(p + 4, from ? from->count : 0);
	sa_store_u32_be(p + 8, cap);
	if (from != NULL)
		memcpy(p + SRM_HDR, from->routes, (size_t) from->count * SA_ROUTE_BYTES);
	return s;
}

/* Room for `more` routes: in place when the state is ours and has it, else a larger copy. */
static bytea *
srm_reserve(bytea *s, uint32 more, MemoryContext agg)
{
	srm r = srm_read(s);
	if ((uint64) r.count + more > SA_MAX_USERS_GRAPH)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("share_message_agg: more than %u routes to one recipient", SA_MAX_USERS_GRAPH)));
	if (agg != NULL && !VARATT_IS_SHORT(s) && (uint64) r.count + more <= r.cap)
		return s;
	uint32 cap = r.cap < 8 ? 8 : r.cap;
	while (cap < r.count + more)
		cap = cap > SA_MAX_USERS_GRAPH / 2 ? SA_MAX_USERS_GRAPH : cap * 2;
	MemoryContext old = agg ? MemoryContextSwitchTo(agg) : CurrentMemoryContext;
	bytea *n = srm_new(cap, &r);
	MemoryContextSwitchTo(old);
	return n;
}

static void
srm_append(bytea *s, const uint8_t *routes, uint32 count)
{
	uint8_t *p = (uint8_t *) VARDATA(s);
	uint32 used = sa_load_u32_be(p + 4);
	memcpy(p + SRM_HDR + (size_t) used * SA_ROUTE_BYTES, routes, (size_t) count * SA_ROUTE_BYTES);
	sa_store_u32_be(p + 4, used + count);
}

Datum
secagg_share_message_trans(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "route" };
	sa_pg_require_args(fcinfo, 1, 1, names);
	MemoryContext agg;
	if (!AggCheckCallContext(fcinfo, &agg))
		agg = NULL;
	size_t len;
	const uint8_t *route = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &len);
	if (len != SA_ROUTE_BYTES)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("a route is %d bytes, got %zu", SA_ROUTE_BYTES, len),
		                errhint("Pass the route column of share_routes.")));
	bytea *s;
	if (PG_ARGISNULL(0)) {
		MemoryContext old = agg ? MemoryContextSwitchTo(agg) : CurrentMemoryContext;
		s = srm_new(8, NULL);
		MemoryContextSwitchTo(old);
	} else {
		s = srm_reserve(PG_GETARG_BYTEA_P(0), 1, agg);
	}
	srm_append(s, route, 1);
	PG_RETURN_BYTEA_P(s);
}

Datum
secagg_share_message_combine(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(1)) {
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	MemoryContext agg;
	if (!AggCheckCallContext(fcinfo, &agg))
		agg = NULL;
	bytea *b = PG_GETARG_BYTEA_PP(1);
	srm rb = srm_read(b);
	if (PG_ARGISNULL(0)) {
		MemoryContext old = agg ? MemoryContextSwitchTo(agg) : CurrentMemoryContext;
		bytea *s = srm_new(rb.count < 8 ? 8 : rb.count, &rb);
		MemoryContextSwitchTo(old);
		PG_RETURN_BYTEA_P(s);
	}
	bytea *s = srm_reserve(PG_GETARG_BYTEA_P(0), rb.count, agg);
	srm_append(s, rb.routes, rb.count);
	PG_RETURN_BYTEA_P(s);
}

Datum
secagg_share_message_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	srm r = srm_read(PG_GETARG_BYTEA_PP(0));
	uint8_t *msg;
	size_t len;
	sa_status st = sa_share_message(r.routes, r.count, &msg, &len);
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE),
		                errmsg("share_message_agg: two routes from the same sender"),
		                errhint("Route each accepted message once: one inbox row per user and round.")));
	if (st == SA_ERR_SESSION)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("share_message_agg: routes of different sessions in one group"),
		                errhint("Group by session and recipient.")));
	if (st != SA_OK)
		sa_pg_fail(st, "round-2 message");
	bytea *b = sa_pg_bytea(msg, len);
	sa_free(msg);
	PG_RETURN_BYTEA_P(b);
}
