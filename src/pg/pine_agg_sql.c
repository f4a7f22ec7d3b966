/*
 * pine_agg_sql.c: the pine_agg and pine_agg_count aggregates, the
 * Aggregators' sum of accepted output shares into an aggregate share.
 */
#include "pine_pg.h"

#include <sodium.h>

#include "common/codec.h"

PG_FUNCTION_INFO_V1(secagg_pine_agg_trans);
PG_FUNCTION_INFO_V1(secagg_pine_agg_combine);
PG_FUNCTION_INFO_V1(secagg_pine_agg_final);
PG_FUNCTION_INFO_V1(secagg_pine_agg_count);

/* ------------------------------------------------------------------------ */
/* pine_agg(params, output_share) -> aggregate share                        */
/*                                                                          */
/* Flat bytea state: header | d encoded field elements (the running sum).   */
/* The header carries everything the combine function needs (it gets no    */
/* parameters): field, d, the batch cap and the parameter digest, plus the  */
/* call site's provenance tag (see sa_pg_agg_tag).                          */
/*                                                                          */
/* Every support function validates the state it gets: the header against  */
/* the buffer (and, in the transition function, against the parameters)    */
/* always, and the elements' canonical encoding unless the transition       */
/* function built the state itself in this query.                           */
/* ------------------------------------------------------------------------ */

#define AGG_MAGIC "PNa3"
#define AGG_HDR 88      /* magic 4 | field 1 | elem 1 | pad 2 | count u64 | max u64 | d u64 | digest 32 | tag 16 | min u64 */
#define AGG_TAG_OFF 64
#define AGG_MIN_OFF 80  /* min_batch_size (0: none), checked by the final function */

typedef struct agg_hdr {
	uint8_t field, elem;
	uint64 count, max, d, min;
	const uint8_t *digest, *tag;
} agg_hdr;

static const sa_pg_flat_state agg_kind = {
	AGG_MAGIC, AGG_HDR, "pine_agg", "Only the pine_agg aggregates build these states."
};

pg_attribute_noreturn() static void
agg_corrupt(const char *why)
{
	sa_pg_flat_corrupt(&agg_kind, why);
}

/* Header checks: O(1), always. */
static void
agg_read_hdr(bytea *s, agg_hdr *h)
{
	const uint8_t *p = sa_pg_flat_header(s, &agg_kind);
	h->field = p[4];
	h->elem = p[5];
	h->count = sa_load_u64_be(p + 8);
	h->max = sa_load_u64_be(p + 16);
	h->d = sa_load_u64_be(p + 24);
	h->digest = p + 32;
	h->tag = p + AGG_TAG_OFF;
	h->min = sa_load_u64_be(p + AGG_MIN_OFF);
	if (h->field > PINE_FIELD40 || h->elem != pine_field_elem_size((pine_field_id) h->field) ||
	    p[6] != 0 || p[7] != 0)
		agg_corrupt("unknown field or element size");
	if (h->d == 0 || h->d > PINE_MAX_DIMENSION || VARSIZE(s) - VARHDRSZ - AGG_HDR != h->d * h->elem)
		agg_corrupt("length does not match the dimension");
	if (h->max == 0 || h->count > h->max)
		agg_corrupt("report count beyond the batch cap");
	if (h->min > h->max)
		agg_corrupt("minimum batch size beyond the batch cap");
}

/* Header checks plus the canonical encoding of every element: O(d). */
static void
agg_read_full(bytea *s, agg_hdr *h)
{
	agg_read_hdr(s, h);
	if (pine_vec_check_encoded((pine_field_id) h->field, (const uint8_t *) VARDATA(s) + AGG_HDR, h->d) != PINE_OK)
		agg_corrupt("an element is not a canonical field element");
}

void
pine_pg_batch_cap(uint64 count, uint64 max)
{
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
	                errmsg("pine_agg: more than " UINT64_FORMAT " reports in one aggregate", max),
	                errdetail("The sum of " UINT64_FORMAT " reports could wrap around the field "
	                          "(num_reports * l2_norm_bound must stay below p/2).", count),
	                errhint("Aggregate smaller batches (see max_measurements in the parameters).")));
}

/* The parameters' min_batch_size refuses to release the sum of fewer reports. */
void
pine_pg_batch_too_small(const char *who, uint64 count, uint64 min)
{
	ereport(ERROR, (errcode(ERRCODE_SECAGG_PINE_BATCH_SIZE),
	                errmsg("%s: the batch has " UINT64_FORMAT " reports, fewer than min_batch_size " UINT64_FORMAT,
	                       who, count, min),
	                errdetail("The sum of fewer reports than the parameters' minimum is not released."),
	                errhint("Aggregate a larger batch.")));
}

static bytea *
agg_new_state(const pine_params *P, const uint8_t *tag)
{
	bytea *s = palloc_extended(VARHDRSZ + AGG_HDR + P->agg_share_len, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	SET_VARSIZE(s, VARHDRSZ + AGG_HDR + P->agg_share_len);
	uint8_t *p = (uint8_t *) VARDATA(s);
	memcpy(p, AGG_MAGIC, 4);
	p[4] = (uint8_t) P->field;
	p[5] = (uint8_t) P->elem_size;
	sa_store_u64_be(p + 16, P->max_measurements);
	sa_store_u64_be(p + 24, P->dimension);
	memcpy(p + 32, P->digest, 32);
	memcpy(p + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
	sa_store_u64_be(p + AGG_MIN_OFF, P->cfg.min_batch_size);
	pine_agg_init(P, p + AGG_HDR);
	return s;
}

/* A state from elsewhere (INITCOND, window inverse function): checked in full, then adopted. */
static void
agg_adopt(bytea *s, const pine_params *P, const uint8_t *tag)
{
	agg_hdr h;
	agg_read_full(s, &h);
	if (memcmp(h.digest, P->digest, 32) != 0 || h.field != (uint8_t) P->field || h.d != P->dimension ||
	    h.max != P->max_measurements || h.min != P->cfg.min_batch_size)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("pine_agg: rows of one group carry different PINE parameters"),
		                errhint("Group by the task so that every row has the same parameters.")));
	memcpy((uint8_t *) VARDATA(s) + AGG_TAG_OFF, tag, SA_PG_AGG_TAG_BYTES);
}

Datum
secagg_pine_agg_trans(PG_FUNCTION_ARGS)
{
	bool plain;
	const uint8_t *tag = sa_pg_agg_tag(fcinfo, "pine_agg_trans", &plain);
	static const char *const names[] = { "params", "output_share" };
	sa_pg_require_args(fcinfo, 1, 2, names);
	const pine_params *P = pine_pg_params_arg(fcinfo, 1);
	size_t len;
	const uint8_t *share = sa_pg_bytes(PG_GETARG_BYTEA_PP(2), &len);
	sa_pg_check_len("output_share", len, P->out_share_len);
	bytea *s;
	agg_hdr h;
	if (PG_ARGISNULL(0)) {
		s = agg_new_state(P, tag);
	} else {
		s = PG_GETARG_BYTEA_P(0);
		agg_read_hdr(s, &h);
		if (!plain || sodium_memcmp(h.tag, tag, SA_PG_AGG_TAG_BYTES) != 0)
			agg_adopt(s, P, tag);
		else if (memcmp(h.digest, P->digest, 32) != 0)
			ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			                errmsg("pine_agg: rows of one group carry different PINE parameters"),
			                errhint("Group by the task so that every row has the same parameters.")));
	}
	agg_read_hdr(s, &h);
	if (h.count >= P->max_measurements)
		pine_pg_batch_cap(h.count + 1, P->max_measurements);
	uint8_t *acc = (uint8_t *) VARDATA(s) + AGG_HDR;
	pine_status st = pine_vec_add_encoded(P->field, acc, share, P->dimension);
	if (st != PINE_OK)
		sa_pg_pine_fail(st, "pine_agg: output_share", NULL);
	sa_store_u64_be((uint8_t *) VARDATA(s) + 8, h.count + 1);
	PG_RETURN_BYTEA_P(s);
}

Datum
secagg_pine_agg_combine(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "pine_agg_combine");
	/* STRICT: PostgreSQL handles the NULL cases */
	bytea *a = PG_GETARG_BYTEA_P(0), *b = PG_GETARG_BYTEA_P(1);
	agg_hdr ha, hb;
	agg_read_full(a, &ha);
	agg_read_full(b, &hb);
	if (memcmp(ha.digest, hb.digest, 32) != 0 || ha.field != hb.field || ha.d != hb.d || ha.max != hb.max ||
	    ha.min != hb.min)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("pine_agg: partial aggregates belong to different PINE parameters")));
	if (hb.count > ha.max - ha.count)
		pine_pg_batch_cap(ha.count + hb.count, ha.max);
	pine_status st = pine_vec_add_encoded((pine_field_id) ha.field, (uint8_t *) VARDATA(a) + AGG_HDR,
	                                      (const uint8_t *) VARDATA(b) + AGG_HDR, ha.d);
	if (st != PINE_OK)
		agg_corrupt("an element is not a canonical field element");
	sa_store_u64_be((uint8_t *) VARDATA(a) + 8, ha.count + hb.count);
	PG_RETURN_BYTEA_P(a);
}

Datum
secagg_pine_agg_final(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "pine_agg_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	bytea *s = PG_GETARG_BYTEA_P(0);
	agg_hdr h;
	agg_read_full(s, &h);
	if (h.count < h.min)
		pine_pg_batch_too_small("pine_agg", h.count, h.min);
	PG_RETURN_BYTEA_P(sa_pg_bytea((const uint8_t *) VARDATA(s) + AGG_HDR, h.d * h.elem));
}

/* Final function of pine_agg_count: the number of output shares summed. */
Datum
secagg_pine_agg_count(PG_FUNCTION_ARGS)
{
	sa_pg_require_agg_context(fcinfo, "pine_agg_count_final");
	if (PG_ARGISNULL(0))
		PG_RETURN_INT64(0);
	bytea *s = PG_GETARG_BYTEA_P(0);
	agg_hdr h;
	agg_read_full(s, &h);
	PG_RETURN_INT64((int64) h.count);
}
