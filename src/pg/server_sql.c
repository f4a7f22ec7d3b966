/*
 * server_sql.c: the secure-aggregation server from SQL.
 *
 * The server state is jsonb: a few readable fields (round, threshold,
 * sizes of the user sets) plus "image", the base64 of the core's canonical
 * state image, which is authoritative and fully validated on every read.
 * A round's result is a bytea "output" holding the next state and either
 * the messages for the users or the final sum.
 */
#include "pg_util.h"
#include "server_pg.h"

#include <sodium.h>

#include "access/detoast.h"
#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "common/alloc.h"
#include "common/codec.h"
#include "secagg/roster.h"
#include "secagg/server.h"

PG_FUNCTION_INFO_V1(secagg_server_create);
PG_FUNCTION_INFO_V1(secagg_round0_msg);
PG_FUNCTION_INFO_V1(secagg_server_recv);
PG_FUNCTION_INFO_V1(secagg_server_round);
PG_FUNCTION_INFO_V1(secagg_server_expect_round);
PG_FUNCTION_INFO_V1(secagg_output_is_vector);
PG_FUNCTION_INFO_V1(secagg_output_state);
PG_FUNCTION_INFO_V1(secagg_output_messages);
PG_FUNCTION_INFO_V1(secagg_output_vector);
PG_FUNCTION_INFO_V1(secagg_output_rejected);
PG_FUNCTION_INFO_V1(secagg_output_broadcast);
PG_FUNCTION_INFO_V1(secagg_output_recipients);
PG_FUNCTION_INFO_V1(secagg_output_kind);

#define STATE_FORMAT "secagg.server"

/* ---- state <-> jsonb ---- */

Jsonb *
sa_pg_server_state_to_jsonb(const uint8_t *img, size_t len)
{
	sa_server_info info;
	sa_status st = sa_server_info_get(img, len, &info);
	if (st != SA_OK)
		sa_pg_fail(st, "server state");
	char *fields = psprintf("{\"format\": \"" STATE_FORMAT "\", \"version\": 1, \"session_id\": \"%s\", "
	                        "\"round\": %d, \"finished\": %s, \"threshold\": %u, \"vector_length\": %u, "
	                        "\"users\": %u, \"u1\": %u, \"u2\": %u, \"u3\": %u, \"u4\": %u, \"received\": %u}",
	                        sa_pg_hex(info.session_id, info.session_id_len), info.stage,
	                        info.stage == SA_SERVER_STAGE_DONE ? "true" : "false", info.threshold,
	                        info.vector_length, info.n, info.u1, info.u2, info.u3, info.u4, info.received);
	if (info.degree) {          /* SecAgg+: the degree too (absent on the complete graph, as in 0.3) */
		char *f = psprintf("%.*s, \"degree\": %u}", (int) strlen(fields) - 1, fields, info.degree);
		pfree(fields);
		fields = f;
	}
	/* the server state holds no secret */
	Jsonb *j = sa_pg_jsonb_with_base64(fields, "image", img, len, false, "server state");
	pfree(fields);
	return j;
}

/* Decodes and fully validates a server state; returns the image. */
uint8_t *
sa_pg_server_state_from_jsonb(Jsonb *jb, size_t *len)
{
	const char *s;
	int slen;
	sa_pg_jsonb_expect_format(jb, STATE_FORMAT, "server state");
	sa_pg_jsonb_string(jb, "image", "server state", &s, &slen);
	uint8_t *img = sa_pg_unbase64_public(s, (size_t) slen, len);
	if (img == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("server state: \"image\" is not valid base64")));
	sa_status st = sa_server_validate(img, *len);
	if (st != SA_OK)
		sa_pg_fail(st, "server state image");
	sa_server_info info;
	sa_server_info_get(img, *len, &info);
	const char *sid;
	int sid_len;
	sa_pg_jsonb_string(jb, "session_id", "server state", &sid, &sid_len);
	char *sid_hex = sa_pg_hex(info.session_id, info.session_id_len);
	bool finished = sa_pg_jsonb_bool(jb, "finished", "server state");
	JsonbValue dv;
	bool has_degree = sa_pg_jsonb_get(jb, "degree", &dv);
	if (sa_pg_jsonb_int(jb, "round", "server state") != info.stage ||
	    finished != (info.stage == SA_SERVER_STAGE_DONE) ||
	    sa_pg_jsonb_int(jb, "threshold", "server state") != info.threshold ||
	    sa_pg_jsonb_int(jb, "vector_length", "server state") != info.vector_length ||
	    sa_pg_jsonb_int(jb, "users", "server state") != info.n ||
	    sa_pg_jsonb_int(jb, "u1", "server state") != info.u1 ||
	    sa_pg_jsonb_int(jb, "u2", "server state") != info.u2 ||
	    sa_pg_jsonb_int(jb, "u3", "server state") != info.u3 ||
	    sa_pg_jsonb_int(jb, "u4", "server state") != info.u4 ||
	    sa_pg_jsonb_int(jb, "received", "server state") != info.received ||
	    has_degree != (info.degree != 0) ||
	    (has_degree && sa_pg_jsonb_int(jb, "degree", "server state") != info.degree) ||
	    (size_t) sid_len != strlen(sid_hex) || memcmp(sid, sid_hex, sid_len) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("server state: summary fields do not match the state image")));
	return img;
}

const char *
sa_pg_round_name(int stage)
{
	static const char *const names[] = { "AdvertiseKeys", "ShareKeys", "MaskedInputCollection",
	                                     "ConsistencyCheck", "Unmasking", "finished" };
	return stage >= 0 && stage <= 5 ? names[stage] : "unknown";
}

void
sa_pg_fail_recv(sa_status st, const uint8_t *img, size_t len, int64 user)
{
	sa_pg_honour_interrupt(st);
	sa_server_info info;
	int stage = sa_server_info_get(img, len, &info) == SA_OK ? info.stage : -1;
	if (st == SA_ERR_STATE)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("message from user %lld rejected: the session is finished", (long long) user)));
	ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
	                errmsg("message from user %lld rejected in round %d (%s): %s", (long long) user,
	                       stage, sa_pg_round_name(stage), sa_status_message(st))));
}

/* Up to five rejections, for the detail of a round that failed. */
static char *
rejection_detail(const uint8_t *rej, uint32_t nrej)
{
	StringInfoData b;
	initStringInfo(&b);
	for (uint32_t i = 0; i < nrej && i < 5; i++) {
		const uint8_t *r = rej + (size_t) i * SA_REJECTION_BYTES;
		appendStringInfo(&b, "%suser " UINT64_FORMAT ": %s (%s)", i ? "; " : "Rejected: ",
		                 sa_load_u64_be(r), sa_status_message((sa_status) r[9]),
		                 unpack_sql_state(sa_pg_sqlstate((sa_status) r[9])));
	}
	if (nrej > 5)
		appendStringInfo(&b, "; and %u more (see output_rejected after a successful round)", nrej - 5);
	return b.data;
}

static void
fail_round(sa_status st, const uint8_t *img, size_t len, const uint8_t *rej, uint32_t nrej,
           uint64_t failed_user)
{
	sa_pg_honour_interrupt(st);
	sa_server_info info;
	if (sa_server_info_get(img, len, &info) != SA_OK)
		sa_pg_fail(st, "server round");
	if (st == SA_ERR_STATE)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("the session is finished: there is no round to close")));
	if (st == SA_ERR_THRESHOLD && nrej > 0)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("round %d (%s) has %u valid messages (%u rejected), fewer than the threshold %u",
		                       info.stage, sa_pg_round_name(info.stage), info.received, nrej, info.threshold),
		                errdetail_internal("%s", rejection_detail(rej, nrej)),
		                errhint("The state is unchanged: collect more messages and run the round again.")));
	if (st == SA_ERR_THRESHOLD)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("round %d (%s) has %u messages, fewer than the threshold %u", info.stage,
		                       sa_pg_round_name(info.stage), info.received, info.threshold),
		                errhint("The state is unchanged: collect more messages and run the round again.")));
	if (st == SA_ERR_KEYS && failed_user != 0)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("round %d (%s) failed: user " UINT64_FORMAT " advertised a public key another "
		                       "user advertised too", info.stage, sa_pg_round_name(info.stage), failed_user),
		                errhint("With on_invalid 'reject' such users are left out of the round instead.")));
	if (st == SA_ERR_NEIGHBOURHOOD)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("round %d (%s) failed: the neighbourhood of user " UINT64_FORMAT
		                       " keeps fewer than t = %u of its users, so its secret cannot be rebuilt",
		                       info.stage, sa_pg_round_name(info.stage), failed_user, info.threshold),
		                errhint("The session cannot finish; start a new one (more users, or a larger degree).")));
	if (st == SA_ERR_RECONSTRUCT && failed_user != 0)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("round %d (%s) failed: the shares revealed by the neighbours of user " UINT64_FORMAT
		                       " do not rebuild its secret", info.stage, sa_pg_round_name(info.stage),
		                       failed_user)));
	ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
	                errmsg("round %d (%s) failed: %s", info.stage, sa_pg_round_name(info.stage),
	                       sa_status_message(st))));
}

/* The complete graph's user limit, with the way out. */
void
sa_pg_check_complete_size(uint32 n)
{
	if (n > SA_MAX_USERS)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("a session on the complete graph holds at most %d users, the roster has %u",
		                       SA_MAX_USERS, n),
		                errhint("Create a SecAgg+ session: pass graph => secagg.graph_params(...).")));
}

/* server_create(session_id bytea, threshold int, vector_length int, roster bytea, graph jsonb) */
Datum
secagg_server_create(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "session_id", "threshold", "vector_length", "roster" };
	sa_pg_require_args(fcinfo, 0, 3, names);
	size_t sid_len, ro_len;
	const uint8_t *sid = sa_pg_bytes(PG_GETARG_BYTEA_PP(0), &sid_len);
	int32 t = PG_GETARG_INT32(1), m = PG_GETARG_INT32(2);
	const uint8_t *ro = sa_pg_bytes(PG_GETARG_BYTEA_PP(3), &ro_len);
	if (sid_len < 1 || sid_len > SA_SESSION_ID_MAX)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("session_id must be 1 to %d bytes, got %zu", SA_SESSION_ID_MAX, sid_len)));
	sa_pg_check_vector_length(m, "vector_length");
	sa_roster r;
	sa_status st = sa_roster_decode(ro, ro_len, &r);
	if (st != SA_OK)
		sa_pg_fail(st, "roster");
	/* roster memory belongs to the call's context */
	uint32 degree = sa_pg_session_degree(PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4), t, r.n);
	if (degree == 0) {
		sa_pg_check_complete_size(r.n);
		sa_pg_check_threshold(t, r.n);
	}
	uint8_t *img;
	size_t len;
	st = sa_server_create_graph(sid, sid_len, (uint32) t, (uint32) m, degree, &r, &img, &len);
	sa_roster_release(&r);
	if (st != SA_OK)
		sa_pg_fail(st, "server_create");
	PG_RETURN_JSONB_P(sa_pg_server_state_to_jsonb(img, len));
}

Datum
secagg_round0_msg(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	size_t len, mlen;
	uint8_t *img = sa_pg_server_state_from_jsonb(PG_GETARG_JSONB_P(0), &len), *msg;
	sa_status st = sa_server_round0_msg(img, len, &msg, &mlen);
	if (st != SA_OK)
		sa_pg_fail(st, "round0_msg");
	PG_RETURN_BYTEA_P(sa_pg_bytea(msg, mlen));
}

/* Receives one message into an image buffer, growing it if needed. */
static uint8_t *
recv_grow(uint8_t *img, size_t *len, size_t *cap, int64 user, const uint8_t *msg, size_t mlen)
{
	size_t need = 0;
	sa_status st = sa_server_recv(img, len, *cap, (uint64) user, msg, mlen, &need);
	if (st == SA_ERR_LIMIT) {
		if (need > MaxAllocHugeSize)
			sa_pg_fail(st, "server_recv");
		uint8_t *n = palloc_extended(need, MCXT_ALLOC_HUGE);
		memcpy(n, img, *len);
		*cap = need;
		img = n;
		st = sa_server_recv(img, len, *cap, (uint64) user, msg, mlen, &need);
	}
	if (st != SA_OK)
		sa_pg_fail_recv(st, img, *len, user);
	return img;
}

/* server_recv(state jsonb, user_id bigint, message bytea) -> jsonb */
Datum
secagg_server_recv(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state", "user_id", "message" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	size_t len, mlen;
	uint8_t *img = sa_pg_server_state_from_jsonb(PG_GETARG_JSONB_P(0), &len);
	int64 user = PG_GETARG_INT64(1);
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &mlen);
	size_t cap = len;
	img = recv_grow(img, &len, &cap, user, msg, mlen);
	PG_RETURN_JSONB_P(sa_pg_server_state_to_jsonb(img, len));
}

bytea *
sa_pg_run_round(const uint8_t *img, size_t len, const uint8_t *rej, uint32_t nrej, bool strict)
{
	uint8_t *out;
	size_t out_len;
	uint64_t failed_user = 0;
	/* the core leaves room for the varlena header: its buffer (palloc'd, see module.c) is the result */
	sa_round_opts o = { (unsigned) sa_threads, rej, nrej, strict, VARHDRSZ, &failed_user };
	sa_status st = sa_server_close(img, len, &o, &out, &out_len);
	if (st != SA_OK)
		fail_round(st, img, len, rej, nrej, failed_user);
	if (out_len > MaxAllocSize)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("round output of %zu bytes exceeds the 1 GB value limit", out_len - VARHDRSZ)));
	bytea *b = (bytea *) out;
	SET_VARSIZE(b, out_len);
	return b;
}

/* server_round(state jsonb) -> output bytea */
Datum
secagg_server_round(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	size_t len;
	uint8_t *img = sa_pg_server_state_from_jsonb(PG_GETARG_JSONB_P(0), &len);
	PG_RETURN_BYTEA_P(sa_pg_run_round(img, len, NULL, 0, true));
}

/*
 * server_expect_round(state jsonb, round int) -> true, or SA002 if the state
 * is not waiting for the messages of `round`. The documented way to close a
 * round locks the session row with it first (SELECT ... FOR UPDATE): a
 * second transaction closing the same round waits for the lock, then sees
 * the advanced state and fails here, before it can send anything.
 */
Datum
secagg_server_expect_round(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state", "round" };
	sa_pg_require_args(fcinfo, 0, 1, names);
	size_t len;
	uint8_t *img = sa_pg_server_state_from_jsonb(PG_GETARG_JSONB_P(0), &len);
	int32 want = PG_GETARG_INT32(1);
	sa_server_info info;
	sa_server_info_get(img, len, &info);
	if (want < 0 || want > 4)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("round must be between 0 and 4, got %d", want)));
	if (info.stage != want)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("the session is in round %d (%s), not in round %d (%s)", info.stage,
		                       sa_pg_round_name(info.stage), want, sa_pg_round_name(want)),
		                info.stage > want
		                    ? errdetail("Another transaction has already closed round %d of this session.", want)
		                    : 0,
		                errhint("Read the session's state again and run the round it is in.")));
	pfree(img);
	PG_RETURN_BOOL(true);
}

/* ---- round outputs ---- */

static void
open_output(FunctionCallInfo fcinfo, sa_output_view *ov)
{
	static const char *const names[] = { "output" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	size_t len;
	const uint8_t *p = sa_pg_bytes(PG_GETARG_BYTEA_PP(0), &len);
	sa_status st = sa_output_open(p, len, ov);
	if (st != SA_OK)
		sa_pg_fail(st, "server round output");
}

/* An output that holds recipients (all but the final vector, SA002). */
static void
open_recipients_output(FunctionCallInfo fcinfo, sa_output_view *ov)
{
	open_output(fcinfo, ov);
	if (ov->kind == SA_OUTPUT_VECTOR)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("this round output holds the final vector, not messages")));
	if (ov->kind == SA_OUTPUT_UNMASK)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("this round output holds the responders of the Unmasking round, not messages"),
		                errhint("Round 4 of a SecAgg+ session: the sum is unmask_agg(output, secret) over "
		                        "unmask_secret_agg(share) of unmask_shares(output, user_id, message), GROUP BY owner.")));
}

/* An output whose messages the server gives (not routed as rows: SA002 with a hint). */
static void
open_messages_output(FunctionCallInfo fcinfo, sa_output_view *ov)
{
	open_recipients_output(fcinfo, ov);
	if (ov->kind == SA_OUTPUT_ROUTES)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("the messages of this round are routed as rows, not held by the output"),
		                errhint("Round 1 of a SecAgg+ session: build each user's message with "
		                        "share_message_agg(route) over share_routes(output, user_id, message) "
		                        "of the round's inbox, GROUP BY recipient.")));
}

Datum
secagg_output_kind(PG_FUNCTION_ARGS)
{
	static const char *const kinds[] = { "", "messages", "vector", "broadcast", "derived", "routed", "unmask" };
	sa_output_view ov;
	open_output(fcinfo, &ov);
	PG_RETURN_TEXT_P(cstring_to_text(kinds[ov.kind]));
}

/*
 * A cursor over the output's messages (a SecAgg+ round 0 or 3 output
 * derives each from its state: opening validates it). Its memory comes
 * from the core's allocator hook (the current memory context).
 */
static sa_output_cursor *
open_cursor(const sa_output_view *ov)
{
	sa_output_cursor *c;
	sa_status st = sa_output_cursor_open(ov, &c);
	if (st != SA_OK)
		sa_pg_fail(st, "server round output");
	return c;
}

/* The next recipient (and message, if msg is not NULL); false at the end. */
static bool
cursor_next(sa_output_cursor *c, uint64_t *id, const uint8_t **msg, size_t *len)
{
	bool end;
	CHECK_FOR_INTERRUPTS();
	sa_status st = sa_output_cursor_next(c, id, msg, len, &end);
	if (st != SA_OK)
		sa_pg_fail(st, "server round output");
	return !end;
}

Datum
secagg_output_is_vector(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_output(fcinfo, &ov);
	PG_RETURN_BOOL(ov.kind == SA_OUTPUT_VECTOR);
}

Datum
secagg_output_state(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_output(fcinfo, &ov);
	sa_status st = sa_server_validate(ov.state, ov.state_len);
	if (st != SA_OK)
		sa_pg_fail(st, "server round output");
	PG_RETURN_JSONB_P(sa_pg_server_state_to_jsonb(ov.state, ov.state_len));
}

Datum
secagg_output_vector(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_output(fcinfo, &ov);
	if (ov.kind != SA_OUTPUT_VECTOR)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("this round output holds messages, not the final vector"),
		                errhint("Only the Unmasking round (round 4) outputs the sum.")));
	uint64 *v = palloc_extended(sizeof(uint64) * (size_t) ov.count, MCXT_ALLOC_HUGE);
	for (uint32 i = 0; i < ov.count; i++)
		v[i] = sa_output_vector_at(&ov, i);
	PG_RETURN_ARRAYTYPE_P(sa_pg_array_from_vector(v, ov.count));
}

/* output_messages(output) -> TABLE(user_id bigint, message bytea) */
Datum
secagg_output_messages(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_messages_output(fcinfo, &ov);
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	sa_output_cursor *c = open_cursor(&ov);
	uint64_t id;
	const uint8_t *msg;
	size_t mlen;
	while (cursor_next(c, &id, &msg, &mlen)) {
		Datum values[2];
		bool nulls[2] = { false, false };
		values[0] = Int64GetDatum((int64) id);
		bytea *b = sa_pg_bytea(msg, mlen);
		values[1] = PointerGetDatum(b);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, values, nulls);
		pfree(b);
	}
	sa_output_cursor_free(c);
	return (Datum) 0;
}

/* output_rejected(output) -> TABLE(user_id bigint, round int, sqlstate text, reason text) */
Datum
secagg_output_rejected(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_output(fcinfo, &ov);
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	for (uint32 i = 0; i < ov.rejected_count; i++) {
		uint64_t id;
		uint8_t round;
		sa_status st;
		sa_output_rejection_at(&ov, i, &id, &round, &st);
		Datum values[4] = { Int64GetDatum((int64) id), Int32GetDatum(round),
		                    CStringGetTextDatum(unpack_sql_state(sa_pg_sqlstate(st))),
		                    CStringGetTextDatum(sa_status_message(st)) };
		bool nulls[4] = { false, false, false, false };
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* output_broadcast(output) -> bytea: the one message every recipient gets, or NULL if they differ */
Datum
secagg_output_broadcast(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_recipients_output(fcinfo, &ov);
	if (ov.kind != SA_OUTPUT_BROADCAST)
		PG_RETURN_NULL();
	PG_RETURN_BYTEA_P(sa_pg_bytea(ov.broadcast, ov.broadcast_len));
}

/* output_recipients(output) -> SETOF bigint: the users this round's messages go to */
Datum
secagg_output_recipients(PG_FUNCTION_ARGS)
{
	sa_output_view ov;
	open_recipients_output(fcinfo, &ov);
	InitMaterializedSRF(fcinfo, MAT_SRF_USE_EXPECTED_DESC);   /* a scalar set: the expected one-column desc */
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	sa_output_cursor *c = open_cursor(&ov);
	uint64_t id;
	while (cursor_next(c, &id, NULL, NULL)) {
		Datum value = Int64GetDatum((int64) id);
		bool null = false;
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, &value, &null);
	}
	sa_output_cursor_free(c);
	return (Datum) 0;
}
