/*
 * pine_prep_sql.c: PINE preparation from SQL, the Aggregators' two rounds:
 * pine_prep_init, pine_prep_shares_to_prep, pine_prep_next and the Leader's
 * pine_prep_finish (shares_to_prep and prep_next in one call).
 *
 * Outcomes: a report that fails verification is an explicit result
 * (accepted = false, with reject_reason), never an error. Malformed input
 * raises an error with a specific SQLSTATE (the table in pg_util.c).
 *
 * The prep state jsonb holds the base64 of the core's state image, a few
 * dozen bytes, secret: the two joint-randomness seeds and, for the Leader,
 * the SHA-256 digest of its input share (pine_prep_init_digest), for a
 * Helper its measurement-share seed. Neither carries the output share: the
 * Leader's is the first d elements of its input share, which the caller
 * passes again to pine_prep_next / pine_prep_finish (input_share, checked
 * against the digest in constant time: SA023 if it is another report's),
 * and a Helper's is re-expanded from its seed. A Leader's state made by
 * secagg 0.3.0 (its output share in the state, d encoded elements) is
 * still accepted, with or without input_share.
 */
#include "pine_pg.h"

#include <sodium.h>

#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"

PG_FUNCTION_INFO_V1(secagg_pine_prep_init);
PG_FUNCTION_INFO_V1(secagg_pine_prep_shares_to_prep);
PG_FUNCTION_INFO_V1(secagg_pine_prep_next);
PG_FUNCTION_INFO_V1(secagg_pine_prep_finish);

#define STATE_FORMAT  "secagg.pine.prep_state"

/* Pushes "key": value, value a string of len bytes or (str NULL) the number 1. */
static void
push_member(JsonbParseState **ps, const char *key, const char *str, size_t len)
{
	JsonbValue k, v;
	k.type = jbvString;
	k.val.string.val = (char *) key;
	k.val.string.len = (int) strlen(key);
	pushJsonbValue(ps, WJB_KEY, &k);
	if (str != NULL) {
		v.type = jbvString;
		v.val.string.val = (char *) str;
		v.val.string.len = (int) len;
	} else {
		v.type = jbvNumeric;
		v.val.numeric = int64_to_numeric(1);
	}
	pushJsonbValue(ps, WJB_VALUE, &v);
}

/*
 * The prep state jsonb, {"format": STATE_FORMAT, "version": 1,
 * "params_digest": hex, "state": base64 of the image}, built directly (the
 * image is at most 109 bytes: see pine_prep_state_len_digest).
 */
static Jsonb *
state_to_jsonb(const pine_params *P, const uint8_t *img, size_t len)
{
	char hex[2 * sizeof P->digest + 1];
	char *b64 = sa_pg_base64(img, len);   /* secret: libsodium's constant-time codec */
	size_t b64_len = strlen(b64);
	JsonbParseState *ps = NULL;
	sodium_bin2hex(hex, sizeof hex, P->digest, sizeof P->digest);
	pushJsonbValue(&ps, WJB_BEGIN_OBJECT, NULL);
	push_member(&ps, "format", STATE_FORMAT, strlen(STATE_FORMAT));
	push_member(&ps, "version", NULL, 0);
	push_member(&ps, "params_digest", hex, strlen(hex));
	push_member(&ps, "state", b64, b64_len);
	Jsonb *j = JsonbValueToJsonb(pushJsonbValue(&ps, WJB_END_OBJECT, NULL));
	sodium_memzero(b64, b64_len);
	pfree(b64);
	return j;
}

/* The state image of a prep state jsonb, checked against the parameters;
 * its length (one of the three forms, see pine_prep_state_check) in *len. */
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
	    (size_t) slen != sodium_base64_encoded_len(P->helper_prep_state_len, sodium_base64_VARIANT_ORIGINAL) - 1 &&
	    (size_t) slen != sodium_base64_encoded_len(P->leader_digest_state_len, sodium_base64_VARIANT_ORIGINAL) - 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("%s: \"state\" has the wrong length for these parameters", what)));
	uint8_t *img = sa_pg_unbase64(s, (size_t) slen, len);   /* secret: constant time, canonical only */
	if (img == NULL)
		ereport(ERROR, (errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
		                errmsg("%s: \"state\" is not valid base64", what)));
	const char *why = NULL;
	pine_status st = pine_prep_state_check(P, img, *len, &why);
	if (st != PINE_OK)
		sa_pg_pine_fail(st, what, why);
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
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	size_t vk_len, nonce_len, pub_len, in_len;
	const uint8_t *vk = sa_pg_bytes(PG_GETARG_BYTEA_PP(1), &vk_len);
	int32 agg_id = PG_GETARG_INT32(2);
	const uint8_t *nonce = sa_pg_bytes(PG_GETARG_BYTEA_PP(3), &nonce_len);
	const uint8_t *pub = sa_pg_bytes(PG_GETARG_BYTEA_PP(4), &pub_len);
	const uint8_t *in = sa_pg_bytes(PG_GETARG_BYTEA_PP(5), &in_len);
	pine_pg_check_agg_id(P, agg_id);
	sa_pg_check_len("verify_key", vk_len, P->verify_key_len);
	sa_pg_check_len("nonce", nonce_len, P->nonce_len);
	sa_pg_check_len("public_share", pub_len, P->public_share_len);
	sa_pg_check_len(agg_id == 0 ? "input_share (Leader)" : "input_share (Helper)", in_len,
	          pine_input_share_len(P, (uint32_t) agg_id));
	size_t state_len = pine_prep_state_len_digest(P, (uint32_t) agg_id);
	uint8_t *state = palloc(state_len);
	uint8_t *share = palloc_extended(P->prep_share_len, MCXT_ALLOC_HUGE);
	const char *why = NULL;
	pine_status st = pine_prep_init_digest(P, vk, vk_len, (uint32_t) agg_id, nonce, nonce_len, pub, pub_len,
	                                       in, in_len, state, share, &why);
	if (st == PINE_REJECT)
		ereport(ERROR, (errcode(sa_pg_pine_sqlstate(st)),
		                errmsg("pine_prep_init: report rejected (query randomness hit a root of unity)"),
		                errdetail("This happens with negligible probability; treat the report as rejected.")));
	if (st != PINE_OK)
		sa_pg_pine_fail(st, "pine_prep_init", why);
	Datum values[2];
	bool nulls[2] = { false, false };
	values[0] = PointerGetDatum(state_to_jsonb(P, state, state_len));
	values[1] = PointerGetDatum(sa_pg_bytea(share, P->prep_share_len));
	sodium_memzero(state, state_len);
	pfree(state);
	pfree(share);
	PG_RETURN_DATUM(sa_pg_make_record(fcinfo, values, nulls));
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
	sa_pg_bytea_array(a, "prep_shares", (int) P->num_shares, ptrs, lens);
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
		sa_pg_pine_fail(st, "pine_prep_shares_to_prep", why);
	return true;
}

/* pine_prep_shares_to_prep(params, prep_shares bytea[])
 *   -> (accepted boolean, prep_message bytea, reject_reason text) */
Datum
secagg_pine_prep_shares_to_prep(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "prep_shares" };
	sa_pg_require_args(fcinfo, 0, 1, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	uint8_t *msg = palloc(P->prep_msg_len);
	pine_reject_reason reason;
	bool ok = shares_to_prep(P, PG_GETARG_ARRAYTYPE_P(1), msg, &reason);
	Datum values[3];
	bool nulls[3] = { false, !ok, true };
	values[0] = BoolGetDatum(ok);
	values[1] = ok ? PointerGetDatum(sa_pg_bytea(msg, P->prep_msg_len)) : (Datum) 0;
	values[2] = reason_datum(reason, &nulls[2]);
	PG_RETURN_DATUM(sa_pg_make_record(fcinfo, values, nulls));
}

/* The optional input_share argument (NULL if not given). */
typedef struct input_arg {
	const uint8_t *bytes;
	size_t len;
} input_arg;

static input_arg
input_share_arg(FunctionCallInfo fcinfo, int argno)
{
	input_arg in = { NULL, 0 };
	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
		in.bytes = sa_pg_bytes(PG_GETARG_BYTEA_PP(argno), &in.len);
	return in;
}

/* Wipes and frees the state image, then raises: about the input share of a
 * Leader's state (22004, SA023), else sa_pg_pine_fail. */
pg_attribute_noreturn() static void
prep_fail(pine_status st, const char *what, const char *why, uint8_t *img, size_t len, input_arg in)
{
	bool digest_state = pine_prep_state_is_digest(img, len);
	sodium_memzero(img, len);
	pfree(img);
	if (in.bytes == NULL && digest_state)
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
		                errmsg("%s: input_share must be given for a Leader's prep state", what),
		                errdetail("The Leader's prep state holds the digest of its input share, not its output share."),
		                errhint("Pass the Leader's input share of this report again as input_share.")));
	if (st == PINE_ERR_STATE_MISMATCH)
		ereport(ERROR, (errcode(sa_pg_pine_sqlstate(st)),
		                errmsg("%s: input_share is not the input share this prep state was made from", what),
		                errhint("Pass the Leader's input share of the same report as to pine_prep_init.")));
	sa_pg_pine_fail(st, what, why);
}

/* The state image of state_jb, checked, and for a Leader's state the input share against its digest. */
static uint8_t *
state_with_input(const pine_params *P, Jsonb *state_jb, input_arg in, const char *what, size_t *len)
{
	uint8_t *img = jsonb_to_state(P, state_jb, len);
	const char *why = NULL;
	pine_status st = pine_prep_state_check_input(P, img, *len, in.bytes, in.len, &why);
	if (st != PINE_OK)
		prep_fail(st, what, why, img, *len, in);
	return img;
}

/* Finishes preparation; false (and *reason) if the prep message does not match. */
static bool
prep_next(const pine_params *P, Jsonb *state_jb, input_arg in, const uint8_t *msg, size_t msg_len, uint8_t *out,
          pine_reject_reason *reason, const char *what)
{
	size_t len;
	uint8_t *img = jsonb_to_state(P, state_jb, &len);
	sa_pg_check_len("prep_message", msg_len, P->prep_msg_len);
	const char *why = NULL;
	pine_status st = pine_prep_next_input(P, img, len, in.bytes, in.len, msg, msg_len, out, reason, &why);
	if (st == PINE_REJECT && *reason != PINE_REASON_NONE) {
		sodium_memzero(img, len);
		pfree(img);
		return false;
	}
	if (st != PINE_OK)
		prep_fail(st, what, why, img, len, in);
	sodium_memzero(img, len);
	pfree(img);
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
	return sa_pg_make_record(fcinfo, values, nulls);
}

/* pine_prep_next(params, prep_state jsonb, prep_message bytea, input_share bytea DEFAULT NULL)
 *   -> (accepted boolean, output_share bytea, reject_reason text)
 * input_share: the Leader's, required with a Leader's state; ignored with a Helper's. */
Datum
secagg_pine_prep_next(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "prep_state", "prep_message" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	size_t msg_len;
	const uint8_t *msg = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &msg_len);
	uint8_t *out = palloc_extended(P->out_share_len, MCXT_ALLOC_HUGE);
	pine_reject_reason reason;
	bool ok = prep_next(P, PG_GETARG_JSONB_P(1), input_share_arg(fcinfo, 3), msg, msg_len, out, &reason,
	                    "pine_prep_next");
	PG_RETURN_DATUM(outcome_record(fcinfo, P, ok, out, reason));
}

/*
 * pine_prep_finish(params, prep_state jsonb, prep_shares bytea[], input_share bytea DEFAULT NULL)
 *   -> (accepted boolean, prep_message bytea, output_share bytea, reject_reason text)
 * The Leader's step in one call: combine the prep shares, then finish its own
 * preparation with the resulting prep message (sent on to the Helpers).
 * input_share: the Leader's, as for pine_prep_next.
 */
Datum
secagg_pine_prep_finish(PG_FUNCTION_ARGS)
{
	static const char *const names[] = { "params", "prep_state", "prep_shares" };
	sa_pg_require_args(fcinfo, 0, 2, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 0);
	Jsonb *state_jb = PG_GETARG_JSONB_P(1);
	uint8_t *msg = palloc(P->prep_msg_len);
	uint8_t *out = palloc_extended(P->out_share_len, MCXT_ALLOC_HUGE);
	input_arg in = input_share_arg(fcinfo, 3);
	pine_reject_reason reason = PINE_REASON_NONE;
	bool ok = shares_to_prep(P, PG_GETARG_ARRAYTYPE_P(2), msg, &reason);
	bool done = ok && prep_next(P, state_jb, in, msg, P->prep_msg_len, out, &reason, "pine_prep_finish");
	if (!ok) {
		/* still validate the state (and input share), so that malformed input is never hidden by a rejection */
		size_t len;
		uint8_t *img = state_with_input(P, state_jb, in, "pine_prep_finish", &len);
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
	PG_RETURN_DATUM(sa_pg_make_record(fcinfo, values, nulls));
}
