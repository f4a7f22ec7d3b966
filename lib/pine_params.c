/*
 * pine_params.c: PINE parameters from the canonical JSON text of
 * secagg.pine_params(), checked as src/pg/pine_params_sql.c does: the
 * configuration keys are read, every derived value is computed again by
 * the core (pine_params_init), and the object must hold exactly the keys
 * of the canonical object with equal values (strings byte for byte,
 * integers as exact decimals, the two floats as IEEE doubles). The digest
 * is one of those values: an object whose digest, or any derived value,
 * was altered is refused.
 */
#include "internal.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "common/alloc.h"
#include "json.h"
#include "pine/pine_object.h"


struct secagg_pine_params {
	pine_params P;
};

/* The index a name lookup gives for a string member (-1 if absent or not a string). */
static int
name_index(int (*by_name)(const char *, size_t), const json_member *m)
{
	if (m == NULL || m->kind != JSON_STRING || m->str_too_long)
		return -1;
	return by_name(m->str, strlen(m->str));
}

/* A configuration key holding a non-negative integer (jb_u64 in src/pg/pine_params_sql.c). */
static int
config_u64(const json_object *o, const char *key, uint64_t max, uint64_t *out)
{
	const json_member *m = json_get(o, key);
	json_decimal d;
	if (m == NULL || m->kind != JSON_NUMBER || !json_decimal_parse(m->num, m->num_len, &d) ||
	    !json_decimal_u64(&d, out) || *out > max)
		return SECAGG_ERR_PARAM;
	return SECAGG_OK;
}

static int
config_u32(const json_object *o, const char *key, uint32_t *out)
{
	uint64_t v;
	int rc = config_u64(o, key, UINT32_MAX, &v);
	*out = (uint32_t) v;
	return rc;
}

static int
config_double(const json_object *o, const char *key, double *out)
{
	const json_member *m = json_get(o, key);
	if (m == NULL || m->kind != JSON_NUMBER || !json_number_double(m->num, m->num_len, out))
		return SECAGG_ERR_PARAM;
	return SECAGG_OK;
}

/* The configuration of a parameter object (params_from_jsonb's first half). */
static int
read_config(const json_object *o, pine_config *c, bool *has_draft)
{
	const json_member *fmt = json_get(o, "format");
	if (fmt == NULL || fmt->kind != JSON_STRING || fmt->str_too_long || strcmp(fmt->str, PINE_PARAMS_FORMAT) != 0)
		return SECAGG_ERR_PARAM;
	uint64_t version;
	if (config_u64(o, "version", UINT64_MAX, &version) != SECAGG_OK)
		return SECAGG_ERR_PARAM;
	if (version != 1)
		return SECAGG_ERR_VERSION;
	memset(c, 0, sizeof *c);
	int variant = name_index(pine_variant_by_name, json_get(o, "variant"));
	const json_member *dm = json_get(o, PINE_DRAFT_KEY);
	int draft = dm == NULL ? PINE_DRAFT_01 : name_index(pine_draft_by_name, dm);
	if (variant < 0 || draft < 0)
		return SECAGG_ERR_PARAM;
	*has_draft = dm != NULL;
	c->variant = (pine_variant) variant;
	c->draft = (pine_draft) draft;
	int rc = SECAGG_OK;
	if (rc == SECAGG_OK) rc = config_u64(o, "l2_norm_bound", UINT64_MAX, &c->l2_norm_bound);
	if (rc == SECAGG_OK) rc = config_u32(o, "num_frac_bits", &c->num_frac_bits);
	if (rc == SECAGG_OK) rc = config_u64(o, "dimension", UINT64_MAX, &c->dimension);
	if (rc == SECAGG_OK) rc = config_u64(o, "chunk_length", UINT64_MAX, &c->chunk_length);
	if (rc == SECAGG_OK) rc = config_u64(o, "chunk_length_norm_equality", UINT64_MAX, &c->chunk_length_norm_equality);
	if (rc == SECAGG_OK) rc = config_u32(o, "num_shares", &c->num_shares);
	if (rc == SECAGG_OK) rc = config_u32(o, "num_proofs", &c->num_proofs);
	if (rc == SECAGG_OK) rc = config_u32(o, "num_proofs_norm_equality", &c->num_proofs_norm_equality);
	if (rc == SECAGG_OK) rc = config_u32(o, "num_wr_checks", &c->num_wr_checks);
	if (rc == SECAGG_OK) rc = config_u32(o, "num_wr_successes", &c->num_wr_successes);
	if (rc == SECAGG_OK) rc = config_double(o, "alpha", &c->alpha);
	/* min_batch_size: present only when set (then at least 1); the digest covers it */
	if (rc == SECAGG_OK && json_get(o, PINE_MIN_BATCH_KEY) != NULL) {
		rc = config_u64(o, PINE_MIN_BATCH_KEY, UINT64_MAX, &c->min_batch_size);
		if (rc == SECAGG_OK && c->min_batch_size == 0)
			rc = SECAGG_ERR_PARAM;
	}
	/* 0 means "default" to the core; in a params object every value is explicit */
	if (rc == SECAGG_OK && (c->num_proofs == 0 || c->num_proofs_norm_equality == 0 || c->alpha == 0.0))
		rc = SECAGG_ERR_PARAM;
	return rc;
}

/* ---- the canonical object: its members are the core's (pine_object.h) ---- */

static bool
member_matches(const json_member *m, const pine_member *e)
{
	json_decimal got, want;
	double d;
	switch (e->kind) {
	case PINE_MEMBER_TEXT:
		return m->kind == JSON_STRING && !m->str_too_long && strcmp(m->str, e->text) == 0;
	case PINE_MEMBER_INTEGER:
		return m->kind == JSON_NUMBER && json_decimal_parse(m->num, m->num_len, &got) &&
		       json_decimal_parse(e->text, strlen(e->text), &want) && json_decimal_equal(&got, &want);
	case PINE_MEMBER_DOUBLE:
		return m->kind == JSON_NUMBER && json_number_double(m->num, m->num_len, &d) && d == e->dbl;
	}
	return false;
}

/* Exactly the canonical keys, with equal values. */
static int
check_canonical(const json_object *o, const pine_params *P, bool has_draft)
{
	pine_member want[PINE_MAX_MEMBERS];
	size_t count = pine_params_members(P, has_draft, want);
	if (o->count != count)
		return SECAGG_ERR_PARAMS_MISMATCH;
	for (size_t i = 0; i < count; i++) {
		const json_member *m = json_get(o, want[i].key);
		if (m == NULL || !member_matches(m, &want[i]))
			return SECAGG_ERR_PARAMS_MISMATCH;
	}
	return SECAGG_OK;
}

static int
parse_into(const char *json, size_t json_len, json_object *o, pine_params *P)
{
	switch (json_parse_object(json, json_len, o)) {
	case JSON_OK: break;
	case JSON_TOO_MANY: return SECAGG_ERR_PARAMS_MISMATCH;
	default: return SECAGG_ERR_MALFORMED;
	}
	pine_config c;
	bool has_draft = false;
	int rc = read_config(o, &c, &has_draft);
	if (rc != SECAGG_OK)
		return rc;
	pine_status st = pine_params_init(P, &c, NULL);
	if (st != PINE_OK)
		return secagg_code_from_pine(st);
	return check_canonical(o, P, has_draft);
}

int
secagg_pine_params_parse(const char *json, size_t json_len, secagg_pine_params **out)
{
	if (json == NULL || out == NULL)
		return SECAGG_ERR_NULL;
	int rc = secagg_init();
	json_object *o = sa_alloc(sizeof *o);
	secagg_pine_params *p = sa_alloc_zero(sizeof *p);
	if (rc == SECAGG_OK && (o == NULL || p == NULL))
		rc = SECAGG_ERR_NOMEM;
	if (rc == SECAGG_OK)
		rc = parse_into(json, json_len, o, &p->P);
	sa_free(o);
	if (rc != SECAGG_OK) {
		sa_free(p);
		return rc;
	}
	*out = p;
	return SECAGG_OK;
}

void
secagg_pine_params_free(secagg_pine_params *p)
{
	sa_free(p);
}

const pine_params *
secagg_pine_core_params(const secagg_pine_params *p)
{
	return &p->P;
}

size_t secagg_pine_dimension(const secagg_pine_params *p) { return p ? p->P.dimension : 0; }
size_t secagg_pine_num_shares(const secagg_pine_params *p) { return p ? p->P.num_shares : 0; }
size_t secagg_pine_nonce_len(const secagg_pine_params *p) { return p ? p->P.nonce_len : 0; }
size_t secagg_pine_rand_len(const secagg_pine_params *p) { return p ? p->P.rand_len : 0; }
size_t secagg_pine_public_share_len(const secagg_pine_params *p) { return p ? p->P.public_share_len : 0; }

size_t
secagg_pine_input_share_len(const secagg_pine_params *p, uint32_t agg_id)
{
	if (p == NULL || agg_id >= p->P.num_shares)
		return 0;
	return pine_input_share_len(&p->P, agg_id);
}

int
secagg_pine_digest(const secagg_pine_params *p, uint8_t digest[32])
{
	if (p == NULL || digest == NULL)
		return SECAGG_ERR_NULL;
	memcpy(digest, p->P.digest, sizeof p->P.digest);
	return SECAGG_OK;
}
