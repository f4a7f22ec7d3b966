/*
 * route_sql.c: the two SecAgg+ rounds whose traffic is routed as rows.
 *
 * Round 1 (ShareKeys):
 *   share_routes(output bytea, user_id bigint, message bytea)
 *       -> TABLE(recipient bigint, route bytea)
 *   share_message_agg(route bytea) -> bytea
 * Round 4 (Unmasking):
 *   unmask_shares(output bytea, user_id bigint, message bytea)
 *       -> TABLE(owner bigint, share bytea)
 *   unmask_secret_agg(share bytea) -> bytea       GROUP BY owner
 *   unmask_agg(output bytea, secret bytea) -> bytea (the round's final output)
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
 * share_message_agg, unmask_secret_agg and unmask_agg keep one flat bytea
 * state of fixed-size rows (routes, shares, secrets; see "flat states of
 * fixed-size rows" below); unmask_agg's also holds the round's output once,
 * before its secrets. The transition appends in place inside an aggregate
 * (doubling the slots when full) and copies otherwise.
 */
#include "pg_util.h"

#include <sodium.h>

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
PG_FUNCTION_INFO_V1(secagg_unmask_shares);
PG_FUNCTION_INFO_V1(secagg_unmask_secret_trans);
PG_FUNCTION_INFO_V1(secagg_unmask_secret_combine);
PG_FUNCTION_INFO_V1(secagg_unmask_secret_final);
PG_FUNCTION_INFO_V1(secagg_unmask_trans);
PG_FUNCTION_INFO_V1(secagg_unmask_combine);
PG_FUNCTION_INFO_V1(secagg_unmask_final);

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

/* ---- share_routes, unmask_shares: a message split into rows ---- */

typedef struct row_sink {
	ReturnSetInfo *rsi;
	size_t row;                      /* bytes per row */
} row_sink;

/* One (user, row) result row; the emit callback of both splits. */
static sa_status
put_row(void *arg, uint64_t to, const uint8_t *row)
{
	row_sink *s = arg;
	bytea *b = sa_pg_bytea(row, s->row);
	Datum values[2] = { Int64GetDatum((int64) to), PointerGetDatum(b) };
	bool nulls[2] = { false, false };
	tuplestore_putvalues(s->rsi->setResult, s->rsi->setDesc, values, nulls);
	pfree(b);
	return SA_OK;
}

/* Opens the output (*opened once it did) and splits the message into the sink. */
typedef sa_status (*split_fn)(const uint8_t *out, size_t olen, bool *opened, uint64_t user,
                              const uint8_t *msg, size_t mlen, row_sink *sink);

static sa_status
split_share_keys(const uint8_t *out, size_t olen, bool *opened, uint64_t user, const uint8_t *msg,
                 size_t mlen, row_sink *sink)
{
	sa_routes rv;
	sa_status st = sa_routes_open(out, olen, &rv);
	if (st != SA_OK)
		return st;
	*opened = true;
	return sa_routes_split(&rv, user, msg, mlen, put_row, sink);
}

static sa_status
split_unmasking(const uint8_t *out, size_t olen, bool *opened, uint64_t user, const uint8_t *msg,
                size_t mlen, row_sink *sink)
{
	sa_unmask_view uv;
	sa_status st = sa_unmask_open(out, olen, &uv);
	if (st != SA_OK)
		return st;
	*opened = true;
	return sa_unmask_split(&uv, user, msg, mlen, put_row, sink);
}

typedef struct split_kind {
	const char *fn;                  /* the SQL function */
	int round;
	const char *round_name;
	size_t row;
	split_fn split;
} split_kind;

static const split_kind SPLIT_SHARE_KEYS = { "share_routes", 1, "ShareKeys", SA_ROUTE_BYTES, split_share_keys };
static const split_kind SPLIT_UNMASKING = { "unmask_shares", 4, "Unmasking", SA_UNMASK_SHARE_BYTES, split_unmasking };

/*
 * (output, user_id, message) -> rows. A message of a user the round did
 * not accept gives none; one that is not the message it accepted is SA004.
 */
static Datum
split_rows(FunctionCallInfo fcinfo, const split_kind *k)
{
	static const char *const names[] = { "output", "user_id", "message" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	size_t olen, mlen;
	const uint8_t *out = sa_pg_bytes(cached_output(fcinfo), &olen);
	int64 user = PG_GETARG_INT64(1);
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &mlen);
	InitMaterializedSRF(fcinfo, 0);
	row_sink sink = { (ReturnSetInfo *) fcinfo->resultinfo, k->row };
	bool opened = false;
	sa_status st = k->split(out, olen, &opened, (uint64_t) user, msg, mlen, &sink);
	if (!opened && st == SA_ERR_WRONG_ROUND)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("%s takes the output of round %d (%s) of a SecAgg+ session, not this one",
		                       k->fn, k->round, k->round_name),
		                errhint("Read the messages of other round outputs with output_messages.")));
	if (!opened)
		sa_pg_fail(st, "round output to split");
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE),
		                errmsg("the message of user " INT64_FORMAT " is not the one round %d accepted from it",
		                       user, k->round),
		                errhint("Route the inbox rows the round was closed on; keep one message per user "
		                        "and round.")));
	if (st != SA_OK && st != SA_ERR_UNKNOWN_USER)   /* a user the round did not accept: no rows */
		sa_pg_fail(st, "message to split");
	return (Datum) 0;
}

Datum
secagg_share_routes(PG_FUNCTION_ARGS)
{
	return split_rows(fcinfo, &SPLIT_SHARE_KEYS);
}

Datum
secagg_unmask_shares(PG_FUNCTION_ARGS)
{
	return split_rows(fcinfo, &SPLIT_UNMASKING);
}

/* ---- flat states of fixed-size rows ---- */

/*
 * magic | count u32 | cap u32 | [prefix_len u64 | prefix] | cap row slots,
 * count of them used. The prefix (unmask_agg: the round-4 output, from the
 * group's first row) is there only for kinds with has_prefix.
 */
#define ROWS_HDR 12                  /* magic | count u32 | cap u32 */
#define ROWS_PREFIX_HDR 20           /* ... | prefix_len u64 */

typedef struct rows_kind {
	sa_pg_flat_state flat;           /* magic, header size, name and hint for XX001 */
	size_t row;                      /* bytes per row */
	uint32 first_cap;                /* slots of a new state */
	bool has_prefix;
	bool secret;                     /* rows are secrets: copies wiped */
	const char *what;                /* "rows", "secrets" (for 54000) */
} rows_kind;

static const rows_kind ROUTES = {
	{ "SRM1", ROWS_HDR, "share_message_agg", "Pass share_message_agg the route column of share_routes." },
	SA_ROUTE_BYTES, 8, false, false, "rows" };
static const rows_kind SHARES = {
	{ "SUS1", ROWS_HDR, "unmask_secret_agg", "Pass unmask_secret_agg the share column of unmask_shares." },
	SA_UNMASK_SHARE_BYTES, 8, false, false, "rows" };
static const rows_kind SECRETS = {
	{ "SUA1", ROWS_PREFIX_HDR, "unmask_agg", "Pass unmask_agg the round-4 output and the results of unmask_secret_agg." },
	SA_UNMASK_SECRET_BYTES, 64, true, true, "secrets" };

typedef struct rows_state {
	uint32 count, cap;
	const uint8_t *prefix;
	size_t prefix_len;
	uint8_t *rows;
} rows_state;

/* Reads a (possibly crafted) state (detoasted): XX001 unless its parts fit its length exactly. */
static rows_state
rows_read(const rows_kind *k, bytea *s)
{
	rows_state r = { 0, 0, NULL, 0, NULL };
	const uint8_t *p = sa_pg_flat_header(s, &k->flat);
	size_t len = VARSIZE(s) - VARHDRSZ - k->flat.hdr_len;
	r.count = sa_load_u32_be(p + 4);
	r.cap = sa_load_u32_be(p + 8);
	uint64 plen = k->has_prefix ? sa_load_u64_be(p + ROWS_HDR) : 0;
	if (r.count > r.cap || r.cap > SA_MAX_USERS_GRAPH || plen > len || len - plen != (size_t) r.cap * k->row)
		sa_pg_flat_corrupt(&k->flat, "row count and length disagree");
	r.prefix = p + k->flat.hdr_len;
	r.prefix_len = (size_t) plen;
	r.rows = (uint8_t *) p + k->flat.hdr_len + plen;
	return r;
}

/*
 * A state with room for cap rows after the prefix, holding the rows of
 * `from` (NULL: none), in the current (per-call) context: an aggregate
 * copies a new transition value into its own context and frees the old
 * one, so allocating it there directly would leave every outgrown copy
 * behind until the end of the query (3x the data at the end of the
 * doublings). A copy holding secrets is wiped at the context's reset.
 */
static bytea *
rows_new(const rows_kind *k, uint32 cap, const uint8_t *prefix, size_t plen, const rows_state *from)
{
	size_t size = VARHDRSZ + k->flat.hdr_len + plen + (size_t) cap * k->row;
	if (size > MaxAllocSize)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("%s: the state exceeds 1 GB", k->flat.name)));
	bytea *s = palloc(size);
	if (k->secret)
		sa_pg_wipe_at_reset(s, size);
	SET_VARSIZE(s, size);
	uint8_t *p = (uint8_t *) VARDATA(s);
	memcpy(p, k->flat.magic, 4);
	sa_store_u32_be(p + 4, from ? from->count : 0);
	sa_store_u32_be(p + 8, cap);
	if (k->has_prefix)
		sa_store_u64_be(p + ROWS_HDR, plen);
	if (plen > 0)
		memcpy(p + k->flat.hdr_len, prefix, plen);
	if (from != NULL)
		memcpy(p + k->flat.hdr_len + plen, from->rows, (size_t) from->count * k->row);
	return s;
}

/*
 * Room for `more` rows: in place inside an aggregate when there is room,
 * else a larger copy (the rows of a replaced secret state are wiped).
 */
static bytea *
rows_reserve(const rows_kind *k, bytea *s, uint32 more, MemoryContext agg)
{
	rows_state r = rows_read(k, s);
	if ((uint64) r.count + more > SA_MAX_USERS_GRAPH)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("%s: more than %u %s in one group", k->flat.name, SA_MAX_USERS_GRAPH, k->what)));
	if (agg != NULL && (uint64) r.count + more <= r.cap)
		return s;
	uint32 cap = r.cap < k->first_cap ? k->first_cap : r.cap;
	while (cap < r.count + more)
		cap = cap > SA_MAX_USERS_GRAPH / 2 ? SA_MAX_USERS_GRAPH : cap * 2;
	bytea *n = rows_new(k, cap, r.prefix, r.prefix_len, &r);
	if (agg != NULL && k->secret)
		sodium_memzero(r.rows, (size_t) r.count * k->row);
	return n;
}

static void
rows_append(const rows_kind *k, bytea *s, const uint8_t *rows, uint32 count)
{
	rows_state r = rows_read(k, s);
	memcpy(r.rows + (size_t) r.count * k->row, rows, (size_t) count * k->row);
	sa_store_u32_be((uint8_t *) VARDATA(s) + 4, r.count + count);
}

/*
 * The transition: one row (argument argno, of exactly k->row bytes; hint
 * names where rows come from) appended; a kind with a prefix takes it from
 * argument 1 at the group's first row.
 */
static Datum
rows_trans(FunctionCallInfo fcinfo, const rows_kind *k, int argno, const char *argname, const char *hint)
{
	const char *const names[] = { argname };
	sa_pg_require_args(fcinfo, argno, argno, names);
	MemoryContext agg;
	if (!AggCheckCallContext(fcinfo, &agg))
		agg = NULL;
	size_t len;
	const uint8_t *row = sa_pg_bytes(PG_GETARG_BYTEA_PP(argno), &len);
	if (len != k->row)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("a %s is %zu bytes, got %zu", argname, k->row, len), errhint("%s", hint)));
	bytea *s;
	if (!PG_ARGISNULL(0)) {
		s = rows_reserve(k, PG_GETARG_BYTEA_P(0), 1, agg);
	} else if (k->has_prefix) {
		if (PG_ARGISNULL(1))
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("output must not be NULL")));
		size_t plen;
		const uint8_t *prefix = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &plen);
		s = rows_new(k, k->first_cap, prefix, plen, NULL);
	} else {
		s = rows_new(k, k->first_cap, NULL, 0, NULL);
	}
	rows_append(k, s, row, 1);
	PG_RETURN_BYTEA_P(s);
}

/* The combine: b's rows appended to a's; with a prefix, both states must carry the same one. */
static Datum
rows_combine(FunctionCallInfo fcinfo, const rows_kind *k)
{
	if (PG_ARGISNULL(1)) {
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	MemoryContext agg;
	if (!AggCheckCallContext(fcinfo, &agg))
		agg = NULL;
	rows_state rb = rows_read(k, PG_GETARG_BYTEA_P(1));
	if (PG_ARGISNULL(0))
		PG_RETURN_BYTEA_P(rows_new(k, rb.count < k->first_cap ? k->first_cap : rb.count, rb.prefix,
		                           rb.prefix_len, &rb));
	rows_state ra = rows_read(k, PG_GETARG_BYTEA_P(0));
	if (ra.prefix_len != rb.prefix_len || memcmp(ra.prefix, rb.prefix, ra.prefix_len) != 0)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("%s: partial states of different round outputs", k->flat.name),
		                errhint("Group by session.")));
	bytea *s = rows_reserve(k, PG_GETARG_BYTEA_P(0), rb.count, agg);
	rows_append(k, s, rb.rows, rb.count);
	PG_RETURN_BYTEA_P(s);
}

/* ---- share_message_agg ---- */

Datum
secagg_share_message_trans(PG_FUNCTION_ARGS)
{
	return rows_trans(fcinfo, &ROUTES, 1, "route", "Pass the route column of share_routes.");
}

Datum
secagg_share_message_combine(PG_FUNCTION_ARGS)
{
	return rows_combine(fcinfo, &ROUTES);
}

Datum
secagg_share_message_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	rows_state r = rows_read(&ROUTES, PG_GETARG_BYTEA_P(0));
	uint8_t *msg;
	size_t len;
	sa_status st = sa_share_message(r.rows, r.count, &msg, &len);
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

/* ---- unmask_secret_agg ---- */

Datum
secagg_unmask_secret_trans(PG_FUNCTION_ARGS)
{
	return rows_trans(fcinfo, &SHARES, 1, "share", "Pass the share column of unmask_shares.");
}

Datum
secagg_unmask_secret_combine(PG_FUNCTION_ARGS)
{
	return rows_combine(fcinfo, &SHARES);
}

Datum
secagg_unmask_secret_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	rows_state r = rows_read(&SHARES, PG_GETARG_BYTEA_P(0));
	uint8_t secret[SA_UNMASK_SECRET_BYTES];
	CHECK_FOR_INTERRUPTS();
	sa_status st = sa_unmask_rebuild(r.rows, r.count, secret);
	uint64 owner = r.count > 0 ? sa_load_u64_be(r.rows + SA_UNMASK_SHARE_OWNER) : 0;
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE),
		                errmsg("unmask_secret_agg: two shares of user " UINT64_FORMAT " from the same holder", owner),
		                errhint("Split each accepted message once: one inbox row per user and round.")));
	if (st == SA_ERR_SESSION)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("unmask_secret_agg: shares of different users or sessions in one group"),
		                errhint("Group by session and owner.")));
	if (st == SA_ERR_RECONSTRUCT)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_RECONSTRUCT),
		                errmsg("the shares of user " UINT64_FORMAT " do not rebuild its secret", owner),
		                errdetail("%u shares; the session's threshold is %u.", r.count,
		                          r.count > 0 ? sa_load_u32_be(r.rows + SA_UNMASK_SHARE_T) : 0)));
	if (st != SA_OK)
		sa_pg_fail(st, "rebuilt secret");
	bytea *b = sa_pg_bytea(secret, sizeof secret);
	sodium_memzero(secret, sizeof secret);
	PG_RETURN_BYTEA_P(b);
}

/* ---- unmask_agg ---- */

/*
 * State: the SECRETS kind above, the round-4 output as its prefix (from
 * the group's first row: the others' output argument is not read, and a
 * secret of another session is refused by the final function, which checks
 * each against the output).
 */
Datum
secagg_unmask_trans(PG_FUNCTION_ARGS)
{
	return rows_trans(fcinfo, &SECRETS, 2, "secret", "Pass the result of unmask_secret_agg.");
}

Datum
secagg_unmask_combine(PG_FUNCTION_ARGS)
{
	return rows_combine(fcinfo, &SECRETS);
}

Datum
secagg_unmask_final(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	rows_state u = rows_read(&SECRETS, PG_GETARG_BYTEA_P(0));
	uint8_t *out;
	size_t out_len;
	uint64_t failed = 0;
	sa_status st = sa_unmask_finish(u.prefix, u.prefix_len, u.rows, u.count, (unsigned) sa_threads,
	                                &out, &out_len, &failed);
	sa_pg_honour_interrupt(st);
	if (st == SA_ERR_RECONSTRUCT && failed != 0)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_RECONSTRUCT),
		                errmsg("unmask_agg: no valid secret of user " UINT64_FORMAT, failed),
		                errhint("Give unmask_agg the unmask_secret_agg of every owner that unmask_shares "
		                        "routes shares to, once each.")));
	if (st == SA_ERR_WRONG_ROUND)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("unmask_agg takes the output of round 4 (Unmasking) of a SecAgg+ session")));
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE), errmsg("unmask_agg: a secret given twice")));
	if (st == SA_ERR_SESSION)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("unmask_agg: a secret of another session")));
	if (st != SA_OK)
		sa_pg_fail(st, "unmasking");
	bytea *b = sa_pg_bytea(out, out_len);
	sa_free(out);
	PG_RETURN_BYTEA_P(b);
}
