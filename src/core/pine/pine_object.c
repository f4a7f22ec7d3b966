/* pine_object.c: the canonical parameter object's names and members (see pine_object.h). */
#include "pine/pine_object.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

/* Indexed by pine_variant, pine_draft and pine_field_id. */
static const char *const variant_names[] = {
	"Pine64", "Pine128", "Pine64HmacSha256Aes128", "Pine32HmacSha256Aes128", "Pine40HmacSha256Aes128"
};
static const char *const draft_names[] = { "01", "02" };
static const char *const field_names[] = { "Field64", "Field128", "Field32", "Field40" };

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

const char *
pine_variant_name(pine_variant v)
{
	return (unsigned) v < COUNT(variant_names) ? variant_names[v] : NULL;
}

const char *
pine_draft_name(pine_draft d)
{
	return (unsigned) d < COUNT(draft_names) ? draft_names[d] : NULL;
}

const char *
pine_field_name(pine_field_id f)
{
	return (unsigned) f < COUNT(field_names) ? field_names[f] : NULL;
}

static int
index_of(const char *const *names, size_t count, const char *s, size_t len)
{
	for (size_t i = 0; i < count; i++)
		if (len == strlen(names[i]) && memcmp(s, names[i], len) == 0)
			return (int) i;
	return -1;
}

int
pine_variant_by_name(const char *s, size_t len)
{
	return index_of(variant_names, COUNT(variant_names), s, len);
}

int
pine_draft_by_name(const char *s, size_t len)
{
	return index_of(draft_names, COUNT(draft_names), s, len);
}

/* ---- members ---- */

typedef struct member_list {
	pine_member *m;
	size_t count;
} member_list;

static void
add_text(member_list *l, const char *key, const char *value)
{
	pine_member *e = &l->m[l->count++];
	e->key = key;
	e->kind = PINE_MEMBER_TEXT;
	snprintf(e->text, sizeof e->text, "%s", value);
}

static void
add_u128(member_list *l, const char *key, uint64_t lo, uint64_t hi)
{
	pine_member *e = &l->m[l->count++];
	unsigned __int128 v = ((unsigned __int128) hi << 64) | lo;
	char buf[48];
	size_t i = sizeof buf - 1;
	buf[i] = '\0';
	do {
		buf[--i] = (char) ('0' + (int) (v % 10));
		v /= 10;
	} while (v != 0);
	e->key = key;
	e->kind = PINE_MEMBER_INTEGER;
	snprintf(e->text, sizeof e->text, "%s", buf + i);
}

static void
add_u64(member_list *l, const char *key, uint64_t v)
{
	add_u128(l, key, v, 0);
}

static void
add_double(member_list *l, const char *key, double v)
{
	pine_member *e = &l->m[l->count++];
	e->key = key;
	e->kind = PINE_MEMBER_DOUBLE;
	e->text[0] = '\0';
	e->dbl = v;
}

/* The configuration: what pine_params takes. */
static void
config_members(member_list *l, const pine_params *P, bool with_draft)
{
	const pine_config *c = &P->cfg;
	add_text(l, "format", PINE_PARAMS_FORMAT);
	add_u64(l, "version", 1);
	if (with_draft)
		add_text(l, PINE_DRAFT_KEY, pine_draft_name(c->draft));
	add_text(l, "variant", pine_variant_name(c->variant));
	add_text(l, "field", pine_field_name(P->field));
	add_text(l, "xof", P->xof == PINE_XOF_TURBOSHAKE128 ? "XofTurboShake128" : "XofHmacSha256Aes128");
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
	/* only when set, so that objects made before it existed stay canonical */
	if (c->min_batch_size != 0)
		add_u64(l, PINE_MIN_BATCH_KEY, c->min_batch_size);
}

/* Everything the configuration determines, and the digest that binds it. */
static void
derived_members(member_list *l, const pine_params *P)
{
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
	char d[2 * sizeof P->digest + 1];
	sodium_bin2hex(d, sizeof d, P->digest, sizeof P->digest);
	add_text(l, "digest", d);
}

size_t
pine_params_members(const pine_params *P, bool with_draft, pine_member *out)
{
	member_list l = { out, 0 };
	config_members(&l, P, with_draft);
	derived_members(&l, P);
	return l.count;
}
