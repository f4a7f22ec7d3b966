/*
 * client_sql.c: the user side of secure aggregation from SQL.
 *
 * The client state jsonb CONTAINS SECRETS (signing key, mask seeds, shares,
 * the input vector until round 2): its "image" is the base64 of the core's
 * serialised client. Buffers that held it are wiped before they are freed.
 */
#include "pg_util.h"

#include <sodium.h>

#include "access/htup_details.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "common/alloc.h"
#include "secagg/client.h"
#include "secagg/roster.h"

PG_FUNCTION_INFO_V1(secagg_client_create);
PG_FUNCTION_INFO_V1(secagg_client_round);
PG_FUNCTION_INFO_V1(secagg_client_round_try);
PG_FUNCTION_INFO_V1(secagg_client_recover);

#define STATE_FORMAT "secagg.client"

static Jsonb *
client_to_jsonb(const sa_client *c)
{
	uint8_t *buf;
	size_t len;
	sa_status st = sa_client_serialize(c, &buf, &len);
	if (st != SA_OK)
		sa_pg_fail(st, "client state");
	uint8_t sid_len;
	const uint8_t *sid = sa_client_session_id(c, &sid_len);
	char *fields = psprintf("{\"format\": \"" STATE_FORMAT "\", \"version\": 1, \"session_id\": \"%s\", "
	                        "\"user_id\": " UINT64_FORMAT ", \"round\": %d, \"finished\": %s, "
	                        "\"vector_length\": %u}",
	                        sa_pg_hex(sid, sid_len), sa_client_user_id(c), sa_client_stage(c),
	                        sa_client_stage(c) == SA_CLIENT_STAGE_DONE ? "true" : "false",
	                        sa_client_vector_length(c));
	/* the image goes into the jsonb without a parse; its base64 text is wiped */
	Jsonb *j = sa_pg_jsonb_with_base64(fields, "image", buf, len, true, "client state");
	sa_free_secret(buf, len);
	pfree(fields);
	return j;
}

/* Decodes the image of a client state (validated later by deserialize). */
static uint8_t *
client_image(Jsonb *jb, const char *what, size_t *len)
{
	const char *s;
	int slen;
	sa_pg_jsonb_expect_format(jb, STATE_FORMAT, what);
	sa_pg_jsonb_string(jb, "image", what, &s, &slen);
	uint8_t *img = sa_pg_unbase64(s, (size_t) slen, len);
	if (img == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: \"image\" is not valid base64", what)));
	return img;
}

static sa_client *
jsonb_to_client(Jsonb *jb, const char *what)
{
	size_t len;
	uint8_t *img = client_image(jb, what, &len);
	sa_client *c;
	sa_status st = sa_client_deserialize(img, len, &c);
	sodium_memzero(img, len);
	pfree(img);
	if (st != SA_OK)
		sa_pg_fail(st, what);
	uint8_t sid_len;
	const uint8_t *sid = sa_client_session_id(c, &sid_len);
	char *sid_hex = sa_pg_hex(sid, sid_len);
	const char *js;
	int js_len;
	sa_pg_jsonb_string(jb, "session_id", what, &js, &js_len);
	if (sa_pg_jsonb_int(jb, "round", what) != sa_client_stage(c) ||
	    sa_pg_jsonb_bool(jb, "finished", what) != (sa_client_stage(c) == SA_CLIENT_STAGE_DONE) ||
	    sa_pg_jsonb_int(jb, "user_id", what) != (int64) sa_client_user_id(c) ||
	    sa_pg_jsonb_int(jb, "vector_length", what) != sa_client_vector_length(c) ||
	    (size_t) js_len != strlen(sid_hex) || memcmp(js, sid_hex, js_len) != 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("%s: summary fields do not match the state image", what)));
	return c;
}

/* client_create(session_id, user_id, threshold, sign_secret_key, vector, roster, graph jsonb) */
Datum
secagg_client_create(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "session_id", "user_id", "threshold", "sign_secret_key",
	                                     "vector", "roster" };
	sa_pg_require_args(fcinfo, 0, 5, names);
	size_t sid_len, sk_len, ro_len;
	const uint8_t *sid = sa_pg_bytes(PG_GETARG_BYTEA_PP(0), &sid_len);
	int64 id = PG_GETARG_INT64(1);
	int32 t = PG_GETARG_INT32(2);
	bytea *sk_arg = PG_GETARG_BYTEA_PP(3);
	sa_pg_wipe_detoasted(fcinfo, 3, sk_arg);
	const uint8_t *sk = sa_pg_bytes(sk_arg, &sk_len);
	const uint8_t *ro = sa_pg_bytes(PG_GETARG_BYTEA_PP(5), &ro_len);
	if (sid_len < 1 || sid_len > SA_SESSION_ID_MAX)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("session_id must be 1 to %d bytes, got %zu", SA_SESSION_ID_MAX, sid_len)));
	if (sk_len != SA_SIGN_SK_BYTES)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("sign_secret_key must be %d bytes", SA_SIGN_SK_BYTES)));
	if (id <= 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("user id %lld is not positive", (long long) id)));
	sa_roster r;
	sa_status st = sa_roster_decode(ro, ro_len, &r);
	if (st != SA_OK)
		sa_pg_fail(st, "roster");
	/* roster memory belongs to the call's context */
	uint32 degree = sa_pg_session_degree(PG_ARGISNULL(6) ? NULL : PG_GETARG_JSONB_P(6), t, r.n);
	if (degree == 0) {
		sa_pg_check_complete_size(r.n);
		sa_pg_check_threshold(t, r.n);
	}
	if (sa_roster_find(&r, (uint64) id) < 0)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_UNKNOWN_USER),
		                errmsg("user %lld is not in the roster", (long long) id)));
	/* the vector is secret: decoded last, and it and its detoasted copy are wiped */
	uint32 m;
	ArrayType *va = PG_GETARG_ARRAYTYPE_P(4);
	sa_pg_wipe_detoasted(fcinfo, 4, va);
	uint64 *x = sa_pg_vector_from_array(va, &m, "vector");
	sa_client *c;
	st = sa_client_create_graph(sid, sid_len, (uint32) t, degree, &r, (uint64) id, sk, x, m, &c);
	sa_roster_release(&r);
	sodium_memzero(x, (size_t) m * 8);
	pfree(x);
	if (st == SA_ERR_KEYS)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_KEYS),
		                errmsg("sign_secret_key does not match the roster's public key for user %lld",
		                       (long long) id)));
	if (st != SA_OK)
		sa_pg_fail(st, "client_create");
	Jsonb *j = client_to_jsonb(c);
	sa_client_free(c);
	PG_RETURN_JSONB_P(j);
}

/*
 * One client step. On a refusal by the core (the server message is
 * invalid, or the client has finished) either raises (as_value false) or
 * returns (the unchanged state, NULL, sqlstate, reason). A malformed client
 * state always raises: it is a local fault, not the other party's.
 */
static Datum
client_step(FunctionCallInfo fcinfo, bool as_value)
{
	static const char *const names[] = { "client_state", "message" };
	sa_pg_require_args(fcinfo, 0, 1, names);
	TupleDesc td;
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "client_round must return a composite type");
	td = BlessTupleDesc(td);
	Jsonb *in_state = PG_GETARG_JSONB_P(0);
	sa_pg_wipe_detoasted(fcinfo, 0, in_state);
	sa_client *c = jsonb_to_client(in_state, "client state");
	size_t in_len, out_len;
	const uint8_t *in = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &in_len);
	uint8_t *out;
	int stage = sa_client_stage(c);
	sa_status st = sa_client_round(c, in, in_len, &out, &out_len);
	Datum values[4] = { 0, 0, 0, 0 };
	bool nulls[4] = { false, false, true, true };
	if (st == SA_OK) {
		values[0] = PointerGetDatum(client_to_jsonb(c));
		values[1] = PointerGetDatum(sa_pg_bytea(out, out_len));
		sa_free(out);
	}
	sa_client_free(c);
	sa_pg_honour_interrupt(st);      /* an interrupt is never a value */
	if (st != SA_OK && !as_value) {
		if (st == SA_ERR_STATE)
			ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
			                errmsg("client has finished the session and answers no further message")));
		ereport(ERROR, (errcode(sa_pg_sqlstate(st)),
		                errmsg("client refused the server message of round %d: %s", stage,
		                       sa_status_message(st)),
		                errhint("The client state is unchanged.")));
	}
	if (st != SA_OK) {
		values[0] = PG_GETARG_DATUM(0);     /* unchanged */
		nulls[1] = true;
		nulls[2] = nulls[3] = false;
		values[2] = CStringGetTextDatum(unpack_sql_state(sa_pg_sqlstate(st)));
		values[3] = CStringGetTextDatum(psprintf("client refused the server message of round %d: %s", stage,
		                                         st == SA_ERR_STATE ? "the client has finished the session"
		                                                            : sa_status_message(st)));
	}
	return HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
}

/* client_round(state jsonb, message bytea) -> (state jsonb, message bytea) */
Datum
secagg_client_round(PG_FUNCTION_ARGS)
{
	return client_step(fcinfo, false);
}

/* client_round_try(state, message) -> (state, message, sqlstate, error): refusals as values */
Datum
secagg_client_round_try(PG_FUNCTION_ARGS)
{
	return client_step(fcinfo, true);
}

/* client_recover(current jsonb, candidate jsonb) -> candidate, if no rollback */
Datum
secagg_client_recover(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "current_state", "candidate_state" };
	sa_pg_require_args(fcinfo, 0, 1, names);
	Jsonb *cur = PG_GETARG_JSONB_P(0), *cand = PG_GETARG_JSONB_P(1);
	sa_pg_wipe_detoasted(fcinfo, 0, cur);
	size_t la, lb;
	uint8_t *a = client_image(cur, "current client state", &la);
	uint8_t *b = client_image(cand, "candidate client state", &lb);
	sa_status st = sa_client_check_recover(a, la, b, lb);
	sodium_memzero(a, la);
	sodium_memzero(b, lb);
	pfree(a);
	pfree(b);
	if (st == SA_ERR_ROLLBACK)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_ROLLBACK),
		                errmsg("client state rollback refused: the candidate is older than, or forks from, "
		                       "a state already used")));
	if (st == SA_ERR_SESSION)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("candidate client state belongs to another session or user")));
	if (st != SA_OK)
		sa_pg_fail(st, "client_recover");
	/* also validates the summary fields */
	sa_client_free(jsonb_to_client(cand, "candidate client state"));
	PG_RETURN_JSONB_P(cand);
}
