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

#include <sodium.h>

#include "access/detoast.h"
#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
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
PG_FUNCTION_INFO_V1(secagg_server_round_agg_trans);
PG_FUNCTION_INFO_V1(secagg_server_round_agg_combine);
PG_FUNCTION_INFO_V1(secagg_server_round_agg_final);
PG_FUNCTION_INFO_V1(secagg_output_is_vector);
PG_FUNCTION_INFO_V1(secagg_output_state);
PG_FUNCTION_INFO_V1(secagg_output_messages);
PG_FUNCTION_INFO_V1(secagg_output_vector);

#define STATE_FORMAT "secagg.server"

/* ---- state <-> jsonb ---- */

static Jsonb *
state_to_jsonb(const uint8_t *img, size_t len)
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
	/* the server state holds no secret */
	Jsonb *j = sa_pg_jsonb_with_base64(fields, "image", img, len, "server state");
	pfree(fields);
	return j;
}

/* Decodes and fully validates a server state; returns the image. */
static uint8_t *
jsonb_to_state(Jsonb *jb, size_t *len)
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
	    (size_t) sid_len != strlen(sid_hex) || memcmp(sid, sid_hex, sid_len) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("server state: summary fields do not match the state image")));
	return img;
}

static const char *
round_name(int stage)
{
	static const char *const names[] = { "AdvertiseKeys", "ShareKeys", "MaskedInputCollection",
	                                     "ConsistencyCheck", "Unmasking", "finished" };
	return stage >= 0 && stage <= 5 ? names[stage] : "unknown";
}

static void
fail_recv(sa_status st, const uint8_t *img, size_t len, int64 user)
{
	sa_server_info info;
	int stage = sa_server_info_get(img, len, &info) == SA_OK ? info.stage : -1;
	if (st == SA_ERR_STATE)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("message from user %lld rejected: the session is finished", (long long) user)));
	ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
	                errmsg("message from user %lld rejected in round %d (%s): %s", (long long) user,
	                       stage, round_name(stage), sa_status_message(st))));
}

static void
fail_round(sa_status st, const uint8_t *img, size_t len)
{
	sa_server_info info;
	if (sa_server_info_get(img, len, &info) != SA_OK)
		sa_pg_fail(st, "server round");
	if (st == SA_ERR_STATE)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("the session is finished: there is no round to close")));
	if (st == SA_ERR_THRESHOLD)
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("round %d (%s) has %u messages, fewer than the threshold %u", info.stage,
		                       round_name(info.stage), info.received, info.threshold),
		                errhint("The state is unchanged: collect more messages and run the round again.")));
	ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
	                errmsg("round %d (%s) failed: %s", info.stage, round_name(info.stage),
	                       sa_status_message(st))));
}

/* server_create(session_id bytea, threshold int, vector_length int, roster bytea) */
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
	if (m < 1 || (uint32) m > SA_MAX_VECTOR_LENGTH)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("vector_length must be between 1 and %u, got %d", SA_MAX_VECTOR_LENGTH, m)));
	sa_roster r;
	sa_status st = sa_roster_decode(ro, ro_len, &r);
	if (st != SA_OK)
		sa_pg_fail(st, "roster");
	sa_pg_check_threshold(t, r.n);     /* roster memory belongs to the call's context */
	uint8_t *img;
	size_t len;
	st = sa_server_create(sid, sid_len, (uint32) t, (uint32) m, &r, &img, &len);
	sa_roster_release(&r);
	if (st != SA_OK)
		sa_pg_fail(st, "server_create");
	PG_RETURN_JSONB_P(state_to_jsonb(img, len));
}

Datum
secagg_round0_msg(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	size_t len, mlen;
	uint8_t *img = jsonb_to_state(PG_GETARG_JSONB_P(0), &len), *msg;
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
		fail_recv(st, img, *len, user);
	return img;
}

/* server_recv(state jsonb, user_id bigint, message bytea) -> jsonb */
Datum
secagg_server_recv(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state", "user_id", "message" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	size_t len, mlen;
	uint8_t *img = jsonb_to_state(PG_GETARG_JSONB_P(0), &len);
	int64 user = PG_GETARG_INT64(1);
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &mlen);
	size_t cap = len;
	img = recv_grow(img, &len, &cap, user, msg, mlen);
	PG_RETURN_JSONB_P(state_to_jsonb(img, len));
}

static bytea *
run_round(const uint8_t *img, size_t len)
{
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_server_round(img, len, (unsigned) sa_threads, &out, &out_len);
	if (st != SA_OK)
		fail_round(st, img, len);
	return sa_pg_bytea(out, out_len);
}

/* server_round(state jsonb) -> output bytea */
Datum
secagg_server_round(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state" };
	sa_pg_require_args(fcinfo, 0, 0, names);
	size_t len;
	uint8_t *img = jsonb_to_state(PG_GETARG_JSONB_P(0), &len);
	PG_RETURN_BYTEA_P(run_round(img, len));
}

/* ------------------------------------------------------------------------ */
/* server_round_agg(state jsonb, user_id bigint, message bytea) -> output    */
/*                                                                          */
/* Flat bytea transition state: header | image (base + pending) | slack.    */
/* Messages are appended in place; the buffer doubles when full. The        */
/* header carries a cheap identity of the jsonb state of the group (its     */
/* TOAST pointer, or a hash of small inline values) so that every row can   */
/* be checked against the group's state without decoding it again, and the  */
/* call site's provenance tag (sa_pg_agg_tag).                              */
/*                                                                          */
/* Trust: the transition function skips the full image check only for a    */
/* state it built itself in this query (tag match, plain aggregate): such   */
/* an image was validated when it was built from the group's jsonb state,   */
/* and since then only sa_server_recv, which keeps it valid, wrote to it.   */
/* Any other state (an INITCOND, a window aggregate's) is validated in      */
/* full and compared with the row's server state before it is used. The    */
/* combine and final functions always validate both inputs in full: they    */
/* run once per partial state, so the check costs O(image) per group.       */
/* ------------------------------------------------------------------------ */

#define AGG_MAGIC "SAG2"
#define AGG_HDR 64      /* magic 4 | ident kind 1 | had_pending 1 | pad 2 | used u64 | ident 32 | tag 16 */
#define AGG_PENDING_OFF 5
#define AGG_USED_OFF 8
#define AGG_IDENT_OFF 16
#define AGG_TAG_OFF 48

typedef struct agg_hdr {
	uint8_t kind, had_pending;
	uint8_t ident[32];
	uint64 used;
	const uint8_t *tag;
} agg_hdr;

static void
datum_identity(Datum d, uint8_t *kind, uint8_t ident[32])
{
	struct varlena *v = (struct varlena *) DatumGetPointer(d);
	memset(ident, 0, 32);
	if (VARATT_IS_EXTERNAL_ONDISK(v)) {
		struct varatt_external ext;
		VARATT_EXTERNAL_GET_POINTER(ext, v);
		*kind = 1;
		memcpy(ident, &ext.va_valueid, sizeof ext.va_valueid);
		memcpy(ident + 8, &ext.va_toastrelid, sizeof ext.va_toastrelid);
		memcpy(ident + 16, &ext.va_rawsize, sizeof ext.va_rawsize);
		return;
	}
	struct varlena *u = pg_detoast_datum_packed(v);
	*kind = 2;
	crypto_generichash(ident, 32, (const uint8_t *) VARDATA_ANY(u), VARSIZE_ANY_EXHDR(u), NULL, 0);
}

static uint8_t *
agg_image(bytea *s)
{
	return (uint8_t *) VARDATA(s) + AGG_HDR;
}

static size_t
agg_cap(bytea *s)
{
	return VARSIZE(s) - VARHDRSZ - AGG_HDR;
}

pg_attribute_noreturn() static void
agg_corrupt(const char *why)
{
	ereport(ERROR, (errcode(ERRCODE_DATA_CORRUPTED), errmsg("server_round_agg state is corrupt: %s", why),
	                errhint("Only the server_round_agg aggregate builds these states.")));
}

/* Header checks: O(1). */
static void
agg_read_hdr(bytea *s, agg_hdr *h)
{
	const uint8_t *p = (const uint8_t *) VARDATA(s);
	if (VARATT_IS_EXTENDED(s) || VARSIZE(s) < VARHDRSZ + AGG_HDR || memcmp(p, AGG_MAGIC, 4) != 0)
		agg_corrupt("bad header");
	h->kind = p[4];
	h->had_pending = p[AGG_PENDING_OFF];
	h->used = sa_load_u64_be(p + AGG_USED_OFF);
	memcpy(h->ident, p + AGG_IDENT_OFF, 32);
	h->tag = p + AGG_TAG_OFF;
	if ((h->kind != 1 && h->kind != 2) || h->had_pending > 1 || p[6] != 0 || p[7] != 0)
		agg_corrupt("bad header");
	if (h->used > agg_cap(s))
		agg_corrupt("image longer than its buffer");
}

/* Header and full image validation: O(image). */
static void
agg_read_full(bytea *s, agg_hdr *h)
{
	agg_read_hdr(s, h);
	sa_status st = sa_server_validate(agg_image(s), h->used);
	if (st == SA_ERR_NOMEM)
		sa_pg_fail(st, "server_round_agg");
	if (st != SA_OK)
		agg_corrupt("invalid server state image");
}

static bytea *
agg_new(const agg_hdr *h, const uint8_t *tag, const uint8_t *img, size_t used, size_t cap)
{
	if (cap > MaxAllocSize - VARHDRSZ - AGG_HDR)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("round state of %zu bytes exceeds the 1 GB value limit", cap),
		                errhint("Fewer users per session, or shorter vectors, keep a round under 1 GB.")));
	bytea *s = palloc0(VARHDRSZ + AGG_HDR + cap);
	SET_VARSIZE(s, VARHDRSZ + AGG_HDR + cap);
	uint8_t *p = (uint8_t *) VARDATA(s);
	memcpy(p, AGG_MAGIC, 4);
	p[4] = h->kind;
	p[AGG_PENDING_OFF] = h->had_pending;
	sa_store_u64_be(p + AGG_USED_OFF, used);
	memcpy(p + AGG_IDENT_OFF, h->ident, 32);
	if (tag != NULL)
		memcpy(p + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
	memcpy(p + AGG_HDR, img, used);
	return s;
}

pg_attribute_noreturn() static void
agg_wrong_group(void)
{
	ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
	                errmsg("server_round_agg: rows of one group carry different server states"),
	                errhint("Group by the session so that every row has the same state.")));
}

/* Is the base section of the (valid) image s the base of the row's (validated) state? */
static void
agg_check_base(bytea *s, size_t used, Datum base)
{
	size_t len;
	uint8_t *img = jsonb_to_state(DatumGetJsonbP(base), &len);
	sa_server_info a, b;
	if (sa_server_info_get(img, len, &a) != SA_OK || sa_server_info_get(agg_image(s), used, &b) != SA_OK ||
	    a.base_len != b.base_len || memcmp(img, agg_image(s), a.base_len) != 0)
		agg_wrong_group();
	pfree(img);
}

/* The transition state for this row: a new one, ours, or a foreign one checked in full. */
static bytea *
agg_state_for_row(FunctionCallInfo fcinfo, Datum base, agg_hdr *h)
{
	bool plain;
	const uint8_t *tag = sa_pg_agg_tag(fcinfo, "server_round_agg_trans", &plain);
	datum_identity(base, &h->kind, h->ident);
	if (PG_ARGISNULL(0)) {
		size_t len;
		uint8_t *img = jsonb_to_state(DatumGetJsonbP(base), &len);
		sa_server_info info;
		sa_server_info_get(img, len, &info);
		/* remember that the state already held messages (see the combine function) */
		h->had_pending = info.received > 0;
		h->used = len;
		bytea *s = agg_new(h, tag, img, len, len + 64 * 8);
		pfree(img);
		return s;
	}
	bytea *s = (bytea *) PG_GETARG_POINTER(0);
	agg_hdr cur;
	agg_read_hdr(s, &cur);
	if (!plain || sodium_memcmp(cur.tag, tag, SA_PG_AGG_TAG_BYTES) != 0) {
		if (VARATT_IS_EXTENDED(s))
			agg_corrupt("bad header");
		agg_read_full(s, &cur);
		agg_check_base(s, cur.used, base);
		uint8_t *p = (uint8_t *) VARDATA(s);
		p[4] = h->kind;
		memcpy(p + AGG_IDENT_OFF, h->ident, 32);
		memcpy(p + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
	} else if (cur.kind != h->kind || memcmp(cur.ident, h->ident, 32) != 0) {
		/* our state, but this row names its jsonb differently: compare the base sections */
		agg_check_base(s, cur.used, base);
	}
	h->had_pending = cur.had_pending;
	h->used = cur.used;
	return s;
}

Datum
secagg_server_round_agg_trans(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "server_state", "user_id", "message" };
	sa_pg_require_agg_context(fcinfo, "server_round_agg_trans");
	sa_pg_require_args(fcinfo, 1, 3, names);
	Datum base = PG_GETARG_DATUM(1);
	int64 user = PG_GETARG_INT64(2);
	size_t mlen;
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(3), &mlen);
	agg_hdr h;
	bytea *s = agg_state_for_row(fcinfo, base, &h);
	size_t used = h.used, cap = agg_cap(s), need = 0;
	sa_status st = sa_server_recv(agg_image(s), &used, cap, (uint64) user, msg, mlen, &need);
	if (st == SA_ERR_LIMIT) {
		/* sizes are bounded by SA_MAX_USERS and SA_MAX_VECTOR_LENGTH: no overflow */
		size_t ncap = cap * 2 > need ? cap * 2 : need;
		if (ncap > MaxAllocSize - VARHDRSZ - AGG_HDR && need <= MaxAllocSize - VARHDRSZ - AGG_HDR)
			ncap = MaxAllocSize - VARHDRSZ - AGG_HDR;
		s = agg_new(&h, (const uint8_t *) VARDATA(s) + AGG_TAG_OFF, agg_image(s), used, ncap);
		cap = ncap;    /* nodeAgg copies the new state into the aggregate context */
		st = sa_server_recv(agg_image(s), &used, cap, (uint64) user, msg, mlen, &need);
	}
	if (st != SA_OK)
		fail_recv(st, agg_image(s), used, user);
	sa_store_u64_be((uint8_t *) VARDATA(s) + AGG_USED_OFF, used);
	PG_RETURN_POINTER(s);
}

Datum
secagg_server_round_agg_combine(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "server_round_agg_combine");
	/* STRICT: PostgreSQL handles the NULL cases */
	bytea *a = PG_GETARG_BYTEA_P(0), *b = PG_GETARG_BYTEA_P(1);
	agg_hdr ha, hb;
	agg_read_full(a, &ha);
	agg_read_full(b, &hb);
	if (ha.had_pending || hb.had_pending)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("server_round_agg cannot split a round whose state already holds messages "
		                       "received with server_recv"),
		                errhint("Run this query without parallel or partitionwise aggregation, or receive "
		                        "every message of the round through the aggregate.")));
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_server_merge(agg_image(a), ha.used, agg_image(b), hb.used, &out, &out_len);
	if (st == SA_ERR_SESSION)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("server_round_agg: partial results belong to different server states")));
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE),
		                errmsg("server_round_agg: a user sent more than one message in this round")));
	if (st != SA_OK)
		sa_pg_fail(st, "server_round_agg");
	/* no tag: a combined state only goes on to combine and final, which check in full */
	PG_RETURN_BYTEA_P(agg_new(&ha, NULL, out, out_len, out_len));
}

Datum
secagg_server_round_agg_final(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "server_round_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	bytea *s = PG_GETARG_BYTEA_P(0);
	agg_hdr h;
	agg_read_full(s, &h);
	PG_RETURN_BYTEA_P(run_round(agg_image(s), h.used));
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
	PG_RETURN_JSONB_P(state_to_jsonb(ov.state, ov.state_len));
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
	open_output(fcinfo, &ov);
	if (ov.kind != SA_OUTPUT_MESSAGES)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_ROUND),
		                errmsg("this round output holds the final vector, not messages")));
	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsi = (ReturnSetInfo *) fcinfo->resultinfo;
	size_t pos = 0;
	uint64_t id;
	const uint8_t *msg;
	size_t mlen;
	while (sa_output_next_message(&ov, &pos, &id, &msg, &mlen)) {
		Datum values[2];
		bool nulls[2] = { false, false };
		values[0] = Int64GetDatum((int64) id);
		bytea *b = sa_pg_bytea(msg, mlen);
		values[1] = PointerGetDatum(b);
		tuplestore_putvalues(rsi->setResult, rsi->setDesc, values, nulls);
		pfree(b);
	}
	return (Datum) 0;
}
