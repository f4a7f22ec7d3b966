/*
 * pine_prep_state.c: the prep state images of PINE preparation, written by
 * pine_prep_init (pine_prep.c) and read by pine_prep_next. Three forms,
 * each a header (magic, the first 8 bytes of the parameter digest) and the
 * two joint-randomness seeds, then:
 *   Leader, output form: "PNs1" || digest[0:8] || wr_seed || vf_seed || encvec(out_share)
 *   Leader, digest form: "PNl1" || digest[0:8] || wr_seed || vf_seed || SHA-256(input_share)
 *   Helper:              "PNh1" || digest[0:8] || wr_seed || vf_seed || byte(id) || meas seed
 * The output form is the Leader's state of secagg 0.3.0 (and of the core's
 * plain pine_prep_init); the digest form is the Leader's since 0.4.0, whose
 * output share is the first d elements of its input share, passed again to
 * prep_next and checked against the digest. Layout: pine_internal.h.
 */
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "pine/pine_internal.h"

/* SHA-256 of the Leader's input share (the digest form of its prep state). */
static int
input_share_digest(const uint8_t *input_share, size_t len, uint8_t out[PINE_STATE_INPUT_DIGEST_LEN])
{
	unsigned int n = 0;

	return EVP_Digest(input_share, len, out, &n, EVP_sha256(), NULL) == 1 &&
	       n == PINE_STATE_INPUT_DIGEST_LEN;
}

/*
 * The state of Aggregator agg_id after prep_init. meas: the Aggregator's
 * measurement share (the Leader's output share is its first d elements);
 * input_share: its input share (for a Helper, its measurement-share seed
 * comes first).
 */
pine_status
pine_prep_state_write(const pine_params *P, uint32_t agg_id, int digest_form, const uint8_t *wr_seed,
                      const uint8_t *vf_seed, const vdaf_elem *meas, const uint8_t *input_share,
                      size_t input_share_len, uint8_t *prep_state, const char **why)
{
	size_t L = P->seed_size;
	uint8_t *body = prep_state + PINE_STATE_HDR_LEN + 2 * L;

	memcpy(prep_state, agg_id != 0 ? PINE_STATE_MAGIC_SEED
	                   : digest_form ? PINE_STATE_MAGIC_DIGEST : PINE_STATE_MAGIC, 4);
	memcpy(prep_state + 4, P->digest, 8);
	memcpy(prep_state + PINE_STATE_HDR_LEN, wr_seed, L);
	memcpy(prep_state + PINE_STATE_HDR_LEN + L, vf_seed, L);
	if (agg_id != 0) {
		body[0] = (uint8_t) agg_id;
		memcpy(body + 1, input_share, L);
	} else if (digest_form) {
		if (!input_share_digest(input_share, input_share_len, body)) {
			pine_set_why(why, "SHA-256 failed");
			return PINE_ERR_INTERNAL;
		}
	} else {
		pine_vdaf_field(P)->encode_vec(body, meas, P->dimension);
	}
	return PINE_OK;
}

/* The body of a state of a known form and length: a Helper's id, the
 * output form's elements. */
static pine_status
check_body(const pine_params *P, const uint8_t *state, pine_state_form form, const char **why)
{
	const uint8_t *body = state + PINE_STATE_HDR_LEN + 2 * P->seed_size;

	if (form == PINE_FORM_SEED) {
		if (body[0] == 0 || body[0] >= P->num_shares) {
			pine_set_why(why, "prep state names an aggregator that is not a Helper");
			return PINE_ERR_MALFORMED;
		}
	} else if (form == PINE_FORM_OUTPUT &&
	           pine_vec_check_encoded(P->field, body, P->dimension) != PINE_OK) {
		pine_set_why(why, "prep state has a non-canonical element");
		return PINE_ERR_NONCANONICAL;
	}
	return PINE_OK;
}

/* Which form a state has; PINE_OK only if its length and body are valid. */
pine_status
pine_prep_state_form(const pine_params *P, const uint8_t *state, size_t len,
                     pine_state_form *form, const char **why)
{
	size_t want;

	if (P == NULL || state == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	if (len < PINE_STATE_HDR_LEN) {
		pine_set_why(why, "prep state has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	if (memcmp(state, PINE_STATE_MAGIC, 4) == 0)
		*form = PINE_FORM_OUTPUT, want = P->prep_state_len;
	else if (memcmp(state, PINE_STATE_MAGIC_SEED, 4) == 0)
		*form = PINE_FORM_SEED, want = P->helper_prep_state_len;
	else if (memcmp(state, PINE_STATE_MAGIC_DIGEST, 4) == 0)
		*form = PINE_FORM_DIGEST, want = P->leader_digest_state_len;
	else {
		pine_set_why(why, "not a PINE prep state");
		return PINE_ERR_MALFORMED;
	}
	if (len != want) {
		pine_set_why(why, "prep state has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	if (memcmp(state + 4, P->digest, 8) != 0) {
		pine_set_why(why, "prep state belongs to different PINE parameters");
		return PINE_ERR_PARAM;
	}
	return check_body(P, state, *form, why);
}

pine_status
pine_prep_state_check(const pine_params *P, const uint8_t *state, size_t len,
                      const char **why)
{
	pine_state_form form;

	return pine_prep_state_form(P, state, len, &form, why);
}

/*
 * The Leader's input share against the digest of a digest-form state: the
 * Leader's length, and SHA-256 equal in constant time.
 */
pine_status
pine_prep_state_input_match(const pine_params *P, const uint8_t *state, const uint8_t *input_share,
                            size_t input_share_len, const char **why)
{
	uint8_t dig[PINE_STATE_INPUT_DIGEST_LEN];
	int same;

	if (input_share == NULL) {
		pine_set_why(why, "the Leader's digest-form prep state needs its input share");
		return PINE_ERR_PARAM;
	}
	if (input_share_len != P->leader_input_share_len) {
		pine_set_why(why, "input share has the wrong length for the Leader");
		return PINE_ERR_MALFORMED;
	}
	if (!input_share_digest(input_share, input_share_len, dig)) {
		pine_set_why(why, "SHA-256 failed");
		return PINE_ERR_INTERNAL;
	}
	same = sodium_memcmp(dig, state + PINE_STATE_HDR_LEN + 2 * P->seed_size, sizeof dig) == 0;
	sodium_memzero(dig, sizeof dig);
	if (!same) {
		pine_set_why(why, "the input share is not the one this prep state was made from");
		return PINE_ERR_STATE_MISMATCH;
	}
	return PINE_OK;
}

int
pine_prep_state_is_digest(const uint8_t *state, size_t len)
{
	return state != NULL && len >= 4 && memcmp(state, PINE_STATE_MAGIC_DIGEST, 4) == 0;
}

pine_status
pine_prep_state_check_input(const pine_params *P, const uint8_t *state, size_t len,
                            const uint8_t *input_share, size_t input_share_len, const char **why)
{
	pine_state_form form;
	pine_status st = pine_prep_state_form(P, state, len, &form, why);

	if (st != PINE_OK || form != PINE_FORM_DIGEST)
		return st;
	return pine_prep_state_input_match(P, state, input_share, input_share_len, why);
}
