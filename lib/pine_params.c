/*
 * pine_params.c: PINE parameters from the canonical JSON text of
 * secagg.pine_params(), checked as src/pg/pine_sql.c does: the
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

#define PARAMS_FORMAT "secagg.pine.params"

struct secagg_pine_params {
	pine_params P;
};

/* Indexed by pine_variant, pine_draft, pine_field_id (pine_sql.c's names). */
static const char *const variant_names[] = {
	"Pine64", "Pine128", "Pine64HmacSha256Aes128", "Pine32HmacSha256Aes128", "Pine40HmacSha256Aes128"
};
static const char *const draft_names[] = { "01", "02" };
static const char *const field_names[] = { "Field64", "Field128", "Field32", "Field40" };

static int
name_index(const char *const *names, size_t count, const json_member *m)
{
	if (m == NULL || m->kind != JSON_STRING || m->str_too_long)
		return -1;
	for (size_t i = 0; i < count; i++)
		if (strcmp(m->str, names[i]) == 0)
			return (int) i;
	return -1;
}

/* A configuration key holding a non-negative integer (jb_u64 in pine_sql.c). */
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
	if (fmt == NULL || fmt->kind != JSON_STRING || fmt->str_too_long || strcmp(fmt->str, PARAMS_FORMAT) != 0)
		return SECAGG_ERR_PARAM;
	uint64_t version;
	if (config_u64(o, "version", UINT64_MAX, &version) != SECAGG_OK)
		return SECAGG_ERR_PARAM;
	if (version != 1)
		return SECAGG_ERR_VERSION;
	memset(c, 0, sizeof *c);
	int variant = name_index(variant_names, 5, json_get(o, "variant"));
	const json_member *dm = json_get(o, "draft");
	int draft = dm == NULL ? PINE_DRAFT_01 : name_index(draft_names, 2, dm);
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
	if (rc == SECAGG_OK && json_get(o, "min_batch_size") != NULL) {
		rc = config_u64(o, "min_batch_size", UINT64_MAX, &c->min_batch_size);
		if (rc == SECAGG_OK && c->min_batch_size == 0)
			rc = SECAGG_ERR_PARAM;
	}
	/* 0 means "default" to the core; in a params object every value is explicit */
	if (rc == SECAGG_OK && (c->num_proofs == 0 || c->num_proofs_norm_equality == 0 || c->alpha == 0.0))
		rc = SECAGG_ERR_PARAM;
	return rc;
}

/* ---- the canonical object, as expected members ---------------------------- */

typedef enum expect_kind { EXPECT_STRING, EXPECT_INTEGER, EXPECT_DOUBLE } expect_kind;

typedef struct expect {
	const char *key;
	expect_kind kind;
	char text[72];                  /* string value, or decimal digits of an integer */
	double dbl;
} expect;

#define MAX_EXPECT 56

typedef struct expect_list {
	size_t count;
	expect e[MAX_EXPECT];
} expect_list;

static void
add_string(expect_list *l, const char *key, const char *value)
{
	expect *e = &l->e[l->count++];
	e->key = key;
	e->kind = EXPECT_STRING;
	snprintf(e->text, sizeof e->text, "%s", value);
}

static void
add_u128(expect_list *l, const char *key, uint64_t lo, uint64_t hi)
{
	expect *e = &l->e[l->count++];
	e->key = key;
	e->kind = EXPECT_INTEGER;
	unsigned __int128 v = ((unsigned __int128) hi << 64) | lo;
	char buf[48];
	size_t i = sizeof buf - 1;
	buf[i] = '\0';
	do {
		buf[--i] = (char) ('0' + (int) (v % 10));
		v /= 10;
	} while (v != 0);
	snprintf(e->text, sizeof e->text, "%s", buf + i);
}

static void
add_u64(expect_list *l, const char *key, uint64_t v)
{
	add_u128(l, key, v, 0);
}

static void
add_double(expect_list *l, const char *key, double v)
{
	expect *e = &l->e[l->count++];
	e->key = key;
	e->kind = EXPECT_DOUBLE;
	e->dbl = v;
}

/* The members of params_to_jsonb (src/pg/pine_sql.c), in its order. */
static void
canonical_members(const pine_params *P, bool with_draft, expect_list *l)
{
	const pine_config *c = &P->cfg;
	l->count = 0;
	add_string(l, "format", PARAMS_FORMAT);
	add_u64(l, "version", 1);
	if (with_draft)
		add_string(l, "draft", draft_names[c->draft]);
	add_string(l, "variant", variant_names[c->variant]);
	add_string(l, "field", field_names[P->field]);
	add_string(l, "xof", P->xof == PINE_XOF_TURBOSHAKE128 ? "XofTurboShake128" : "XofHmacSha256Aes128");
	add_u64(l, "vdaf_id", P->vdaf_id);
	add_u64(l, "l2_norm_bound", c->l2_norm_bound);
	add_double(l, "l2_norm_bound_float", ldexp((double) c->l2_norm_bound, -(int) c->num_frac_bits));
	add_u64(l, "num_frac_bits", c->num_frac_bits);
	add_u64(l, "dimension", c->dimension);
	add_u64(l, "chunk_length", c->chunk_length);
	add_u64(l, "chunk_length_norm_equality", c->chunk_length_norm_equality);
	add_u64(l, "num_proofs", P->num_proofs);
	add_u64(l, "num_proofs_norm_equality", P->num_proofs_ne);
	add_u64(l, "num_wr_checks", c->num_wr_checks);
	add_u64(l, "num_wr_successes", c->num_wr_successes);
	add_double(l, "alpha", c->alpha);
	add_u64(l, "num_shares", P->num_shares);
	if (c->min_batch_size != 0)
		add_u64(l, "min_batch_size", c->min_batch_size);
	add_u64(l, "encoded_size", P->elem_size);
	add_u64(l, "seed_size", P->seed_size);
	add_u128(l, "sq_norm_bound", P->sq_norm_bound[0], P->sq_norm_bound[1]);
	add_u128(l, "wr_check_bound", P->wr_check_bound[0], P->wr_check_bound[1]);
	add_u64(l, "num_bits_for_sq_norm", P->num_bits_for_sq_norm);
	add_u64(l, "num_bits_for_wr_check", P->num_bits_for_wr_check);
	add_u64(l, "max_measurements", P->max_measurements);
	add_u64(l, "bit_checked_len", P->bit_checked_len);
	add_u64(l, "meas_len", P->meas_len);
	add_u64(l, "flp_meas_len", P->flp_meas_len);
	add_u64(l, "gadget_calls", P->calls_main);
	add_u64(l, "gadget_calls_norm_equality", P->calls_ne);
	add_u64(l, "proof_len", P->proof_len_main);
	add_u64(l, "proof_len_norm_equality", P->proof_len_ne);
	add_u64(l, "verifier_len", P->verifier_len_main);
	add_u64(l, "verifier_len_norm_equality", P->verifier_len_ne);
	add_u64(l, "proofs_len", P->proofs_len);
	add_u64(l, "verifiers_len", P->verifiers_len);
	add_u64(l, "verify_key_len", P->verify_key_len);
	add_u64(l, "nonce_len", P->nonce_len);
	add_u64(l, "rand_len", P->rand_len);
	add_u64(l, "public_share_len", P->public_share_len);
	add_u64(l, "leader_input_share_len", P->leader_input_share_len);
	add_u64(l, "helper_input_share_len", P->helper_input_share_len);
	add_u64(l, "prep_share_len", P->prep_share_len);
	add_u64(l, "prep_message_len", P->prep_msg_len);
	add_u64(l, "prep_state_len", P->prep_state_len);
	add_u64(l, "output_share_len", P->out_share_len);
	add_u64(l, "agg_share_len", P->agg_share_len);
	char hex[2 * sizeof P->digest + 1];
	sodium_bin2hex(hex, sizeof hex, P->digest, sizeof P->digest);
	add_string(l, "digest", hex);
}

static bool
member_matches(const json_member *m, const expect *e)
{
	json_decimal got, want;
	double d;
	switch (e->kind) {
	case EXPECT_STRING:
		return m->kind == JSON_STRING && !m->str_too_long && strcmp(m->str, e->text) == 0;
	case EXPECT_INTEGER:
		return m->kind == JSON_NUMBER && json_decimal_parse(m->num, m->num_len, &got) &&
		       json_decimal_parse(e->text, strlen(e->text), &want) && json_decimal_equal(&got, &want);
	case EXPECT_DOUBLE:
		return m->kind == JSON_NUMBER && json_number_double(m->num, m->num_len, &d) && d == e->dbl;
	}
	return false;
}

/* Exactly the canonical keys, with equal values. */
static int
check_canonical(const json_object *o, const pine_params *P, bool has_draft)
{
	expect_list l;
	canonical_members(P, has_draft, &l);
	if (o->count != l.count)
		return SECAGG_ERR_PARAMS_MISMATCH;
	for (size_t i = 0; i < l.count; i++) {
		const json_member *m = json_get(o, l.e[i].key);
		if (m == NULL || !member_matches(m, &l.e[i]))
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
