/*
 * server_agg.c: server_round_agg, one server round as an aggregate over a
 * table of user messages.
 *
 *   server_round_agg(state jsonb, user_id bigint, message bytea [, on_invalid text])
 *
 * on_invalid = 'reject' (the default, and the 3-argument form): a message
 * that is invalid on its own (bad signature, length, encoding, a repeated or
 * unexpected sender...) rejects only its sender, who is then treated as
 * dropped for the rest of the round; the round closes if t valid messages
 * remain, and its output lists the rejected users (output_rejected).
 * on_invalid = 'error': the first invalid message fails the statement.
 *
 * Flat bytea transition state:
 *
 *   header (AGG_HDR) | image: base + pending (used bytes) | slack | rejections
 *
 * Messages are appended to the image in place; rejection records
 * (SA_REJECTION_BYTES each) grow down from the end of the buffer; the buffer
 * doubles when the two meet. The header carries a cheap identity of the
 * group's jsonb state (its TOAST pointer, or a hash of small inline values)
 * so every row can be checked against the group's state without decoding it
 * again, and the call site's provenance tag (sa_pg_agg_tag).
 *
 * Trust: the transition function skips the full image check only for a
 * state it built itself in this query (tag match, plain aggregate): such an
 * image was validated when it was built from the group's jsonb state, and
 * since then only sa_server_recv, which keeps it valid, wrote to it. Any
 * other state (an INITCOND, a window aggregate's) is validated in full and
 * compared with the row's server state before it is used. The combine and
 * final functions always validate their inputs in full: they run once per
 * partial state, so the check costs O(image) per group.
 */
#include "pg_util.h"
#include "server_pg.h"

#include <sodium.h>

#include "access/detoast.h"
#include "utils/builtins.h"

#include "common/codec.h"
#include "secagg/server.h"

PG_FUNCTION_INFO_V1(secagg_server_round_agg_trans);
PG_FUNCTION_INFO_V1(secagg_server_round_agg_combine);
PG_FUNCTION_INFO_V1(secagg_server_round_agg_final);

#define AGG_MAGIC "SAG2"
/* magic 4 | ident kind 1 | had_pending 1 | mode 1 | pad 1 | used u64 | ident 32 | tag 16 | nrej u32 | pad 4 */
#define AGG_HDR 72
#define AGG_KIND_OFF 4
#define AGG_PENDING_OFF 5
#define AGG_MODE_OFF 6
#define AGG_USED_OFF 8
#define AGG_IDENT_OFF 16
#define AGG_TAG_OFF 48
#define AGG_NREJ_OFF 64
#define REJ SA_REJECTION_BYTES

#define MODE_REJECT 0
#define MODE_ERROR 1

typedef struct agg_hdr {
	uint8_t kind, had_pending, mode;
	uint8_t ident[32];
	uint64 used;
	uint32 nrej;
	const uint8_t *tag;
} agg_hdr;

/* ---- identity of the group's jsonb state ---- */

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

/* ---- the buffer ---- */

static uint8_t *
agg_image(bytea *s)
{
	return (uint8_t *) VARDATA(s) + AGG_HDR;
}

/* Bytes after the header: image + slack + rejections. */
static size_t
agg_cap(bytea *s)
{
	return VARSIZE(s) - VARHDRSZ - AGG_HDR;
}

static uint8_t *
agg_rejections(bytea *s, uint32 nrej)
{
	return agg_image(s) + agg_cap(s) - (size_t) nrej * REJ;
}

/* Room for the image: the capacity less the rejection records. */
static size_t
agg_image_cap(bytea *s, uint32 nrej)
{
	return agg_cap(s) - (size_t) nrej * REJ;
}

static const sa_pg_flat_state agg_kind = {
	AGG_MAGIC, AGG_HDR, "server_round_agg", "Only the server_round_agg aggregate builds these states."
};

pg_attribute_noreturn() static void
agg_corrupt(const char *why)
{
	sa_pg_flat_corrupt(&agg_kind, why);
}

/* Header checks: O(1). */
static void
agg_read_hdr(bytea *s, agg_hdr *h)
{
	const uint8_t *p = sa_pg_flat_header(s, &agg_kind);
	h->kind = p[AGG_KIND_OFF];
	h->had_pending = p[AGG_PENDING_OFF];
	h->mode = p[AGG_MODE_OFF];
	h->used = sa_load_u64_be(p + AGG_USED_OFF);
	memcpy(h->ident, p + AGG_IDENT_OFF, 32);
	h->tag = p + AGG_TAG_OFF;
	h->nrej = sa_load_u32_be(p + AGG_NREJ_OFF);
	if ((h->kind != 1 && h->kind != 2) || h->had_pending > 1 || h->mode > MODE_ERROR || p[7] != 0 ||
	    sa_load_u32_be(p + AGG_NREJ_OFF + 4) != 0)
		agg_corrupt("bad header");
	if (h->nrej > agg_cap(s) / REJ || h->used > agg_image_cap(s, h->nrej))
		agg_corrupt("image longer than its buffer");
	if (h->mode == MODE_ERROR && h->nrej != 0)
		agg_corrupt("rejections in a state that fails on invalid messages");
}

/* Header, image and rejection records: O(image). */
static void
agg_read_full(bytea *s, agg_hdr *h)
{
	agg_read_hdr(s, h);
	sa_status st = sa_server_validate(agg_image(s), h->used);
	if (st == SA_OK && h->nrej > 0)
		st = sa_rejections_check(agg_image(s), h->used, agg_rejections(s, h->nrej), h->nrej);
	if (st == SA_ERR_NOMEM)
		sa_pg_fail(st, "server_round_agg");
	if (st != SA_OK)
		agg_corrupt("invalid server state image");
}

/* A new state: header h (used, nrej), the image and the rejection records, cap bytes after the header. */
static bytea *
agg_new(const agg_hdr *h, const uint8_t *tag, const uint8_t *img, const uint8_t *rej, size_t cap)
{
	if (cap > MaxAllocSize - VARHDRSZ - AGG_HDR)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("round state of %zu bytes exceeds the 1 GB value limit", cap),
		                errhint("Fewer users per session, or shorter vectors, keep a round under 1 GB.")));
	bytea *s = palloc0(VARHDRSZ + AGG_HDR + cap);
	SET_VARSIZE(s, VARHDRSZ + AGG_HDR + cap);
	uint8_t *p = (uint8_t *) VARDATA(s);
	memcpy(p, AGG_MAGIC, 4);
	p[AGG_KIND_OFF] = h->kind;
	p[AGG_PENDING_OFF] = h->had_pending;
	p[AGG_MODE_OFF] = h->mode;
	sa_store_u64_be(p + AGG_USED_OFF, h->used);
	memcpy(p + AGG_IDENT_OFF, h->ident, 32);
	if (tag != NULL)
		memcpy(p + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
	sa_store_u32_be(p + AGG_NREJ_OFF, h->nrej);
	memcpy(p + AGG_HDR, img, h->used);
	if (h->nrej > 0)
		memcpy(agg_rejections(s, h->nrej), rej, (size_t) h->nrej * REJ);
	return s;
}

/* The same state in a buffer with at least `need` bytes after the header (doubling). */
static bytea *
agg_grow(bytea *s, const agg_hdr *h, size_t need)
{
	size_t limit = MaxAllocSize - VARHDRSZ - AGG_HDR;
	size_t cap = agg_cap(s) * 2 > need ? agg_cap(s) * 2 : need;
	if (cap > limit && need <= limit)
		cap = limit;
	/* nodeAgg copies the returned state into the aggregate context */
	return agg_new(h, (const uint8_t *) VARDATA(s) + AGG_TAG_OFF, agg_image(s), agg_rejections(s, h->nrej), cap);
}

/* ---- rows ---- */

pg_attribute_noreturn() static void
agg_wrong_group(void)
{
	ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
	                errmsg("server_round_agg: rows of one group carry different server states"),
	                errhint("Group by the session so that every row has the same state.")));
}

/* Is the base section of the (valid) image of s the base of the row's (validated) state? */
static void
agg_check_base(bytea *s, size_t used, Datum base)
{
	size_t len;
	uint8_t *img = sa_pg_server_state_from_jsonb(DatumGetJsonbP(base), &len);
	sa_server_info a, b;
	if (sa_server_info_get(img, len, &a) != SA_OK || sa_server_info_get(agg_image(s), used, &b) != SA_OK ||
	    a.base_len != b.base_len || memcmp(img, agg_image(s), a.base_len) != 0)
		agg_wrong_group();
	pfree(img);
}

static uint8_t
row_mode(FunctionCallInfo fcinfo)
{
	if (PG_NARGS() < 5)
		return MODE_REJECT;
	if (PG_ARGISNULL(4))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("on_invalid must not be NULL")));
	char *m = text_to_cstring(PG_GETARG_TEXT_PP(4));
	if (strcmp(m, "reject") == 0)
		return MODE_REJECT;
	if (strcmp(m, "error") == 0)
		return MODE_ERROR;
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
	                errmsg("on_invalid must be 'reject' or 'error', got \"%s\"", m)));
}

/* A new state from the group's jsonb state. */
static bytea *
agg_first(const uint8_t *tag, Datum base, agg_hdr *h)
{
	size_t len;
	uint8_t *img = sa_pg_server_state_from_jsonb(DatumGetJsonbP(base), &len);
	sa_server_info info;
	sa_server_info_get(img, len, &info);
	/* remember that the state already held messages (see the combine function) */
	h->had_pending = info.received > 0;
	h->used = len;
	h->nrej = 0;
	/*
	 * Sized once for every message the round can still take, and room for a
	 * rejection record per user: the buffer never grows, so its bytes are
	 * not copied again and again (nodeAgg copies every new buffer into its
	 * context), and a round holds its data about once.
	 */
	size_t full = len, limit = MaxAllocSize - VARHDRSZ - AGG_HDR;
	if (sa_server_full_len(img, len, &full) != SA_OK || full > limit - (size_t) info.n * REJ)
		full = len + 64 * 8 - (size_t) info.n * REJ;    /* grows by doubling, up to the limit */
	bytea *s = agg_new(h, tag, img, NULL, full + (size_t) info.n * REJ);
	pfree(img);
	return s;
}

/* The transition state for this row: a new one, ours, or a foreign one checked in full and adopted. */
static bytea *
agg_state_for_row(FunctionCallInfo fcinfo, Datum base, agg_hdr *h)
{
	bool plain;
	const uint8_t *tag = sa_pg_agg_tag(fcinfo, "server_round_agg_trans", &plain);
	datum_identity(base, &h->kind, h->ident);
	h->mode = row_mode(fcinfo);
	if (PG_ARGISNULL(0))
		return agg_first(tag, base, h);
	bytea *s = (bytea *) PG_GETARG_POINTER(0);
	agg_hdr cur;
	agg_read_hdr(s, &cur);
	if (!plain || sodium_memcmp(cur.tag, tag, SA_PG_AGG_TAG_BYTES) != 0) {
		agg_read_full(s, &cur);
		agg_check_base(s, cur.used, base);
		uint8_t *p = (uint8_t *) VARDATA(s);
		p[AGG_KIND_OFF] = h->kind;
		memcpy(p + AGG_IDENT_OFF, h->ident, 32);
		memcpy(p + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
	} else if (cur.kind != h->kind || memcmp(cur.ident, h->ident, 32) != 0) {
		/* our state, but this row names its jsonb differently: compare the base sections */
		agg_check_base(s, cur.used, base);
	}
	if (cur.mode != h->mode)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("server_round_agg: on_invalid changes between rows of one group")));
	h->had_pending = cur.had_pending;
	h->used = cur.used;
	h->nrej = cur.nrej;
	return s;
}

static bool
already_rejected(bytea *s, const agg_hdr *h, int64 user)
{
	const uint8_t *r = agg_rejections(s, h->nrej);
	for (uint32 i = 0; i < h->nrej; i++)
		if (sa_load_u64_be(r + (size_t) i * REJ) == (uint64) user)
			return true;
	return false;
}

/* Records the rejection of `user` (a roster member) for status st. */
static bytea *
agg_reject(bytea *s, agg_hdr *h, int64 user, sa_status st)
{
	sa_server_info info;
	sa_server_info_get(agg_image(s), h->used, &info);
	if (!sa_server_in_roster(agg_image(s), h->used, (uint64) user))
		sa_pg_fail_recv(SA_ERR_UNKNOWN_USER, agg_image(s), h->used, user);
	if (agg_image_cap(s, h->nrej) - h->used < REJ)
		s = agg_grow(s, h, agg_cap(s) + REJ);
	h->nrej++;
	sa_rejection_put(agg_rejections(s, h->nrej), (uint64) user, info.stage, st);
	sa_store_u32_be((uint8_t *) VARDATA(s) + AGG_NREJ_OFF, h->nrej);
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
	if (h.mode == MODE_REJECT && already_rejected(s, &h, user))
		PG_RETURN_POINTER(s);      /* a rejected sender is dropped for the rest of the round */
	size_t used = h.used, need = 0;
	sa_status st = sa_server_recv(agg_image(s), &used, agg_image_cap(s, h.nrej), (uint64) user, msg, mlen, &need);
	if (st == SA_ERR_LIMIT) {
		/* sizes are bounded by SA_MAX_USERS and SA_MAX_VECTOR_LENGTH: no overflow */
		s = agg_grow(s, &h, need + (size_t) h.nrej * REJ);
		st = sa_server_recv(agg_image(s), &used, agg_image_cap(s, h.nrej), (uint64) user, msg, mlen, &need);
	}
	if (st != SA_OK && h.mode == MODE_REJECT && sa_status_rejects_sender(st))
		PG_RETURN_POINTER(agg_reject(s, &h, user, st));
	if (st != SA_OK)
		sa_pg_fail_recv(st, agg_image(s), used, user);
	sa_store_u64_be((uint8_t *) VARDATA(s) + AGG_USED_OFF, used);
	PG_RETURN_POINTER(s);
}

/* ---- combine and final ---- */

/* a's rejection records, then b's for users a has not rejected. */
static uint8_t *
merged_rejections(bytea *a, const agg_hdr *ha, bytea *b, const agg_hdr *hb, uint32 *n)
{
	uint8_t *out = palloc(((size_t) ha->nrej + hb->nrej) * REJ + 1);
	const uint8_t *ra = agg_rejections(a, ha->nrej), *rb = agg_rejections(b, hb->nrej);
	memcpy(out, ra, (size_t) ha->nrej * REJ);
	*n = ha->nrej;
	for (uint32 j = 0; j < hb->nrej; j++) {
		const uint8_t *r = rb + (size_t) j * REJ;
		if (!already_rejected(a, ha, (int64) sa_load_u64_be(r)))
			memcpy(out + (size_t) (*n)++ * REJ, r, REJ);
	}
	return out;
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
	if (ha.mode != hb.mode)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("server_round_agg: on_invalid changes between rows of one group")));
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_server_merge(agg_image(a), ha.used, agg_image(b), hb.used, &out, &out_len);
	if (st == SA_ERR_SESSION)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_WRONG_SESSION),
		                errmsg("server_round_agg: partial results belong to different server states")));
	if (st == SA_ERR_DUPLICATE)
		ereport(ERROR, (errcode(ERRCODE_SECAGG_DUPLICATE),
		                errmsg("server_round_agg: a user sent more than one message in this round"),
		                errhint("A primary key on (round, user_id) of the message table keeps one message per user.")));
	if (st != SA_OK)
		sa_pg_fail(st, "server_round_agg");
	agg_hdr h = ha;
	h.used = out_len;
	uint8_t *rej = merged_rejections(a, &ha, b, &hb, &h.nrej);
	/* no tag: a combined state only goes on to combine and final, which check in full */
	PG_RETURN_BYTEA_P(agg_new(&h, NULL, out, rej, out_len + (size_t) h.nrej * REJ));
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
	PG_RETURN_BYTEA_P(sa_pg_run_round(agg_image(s), h.used, agg_rejections(s, h.nrej), h.nrej,
	                                  h.mode == MODE_ERROR));
}
