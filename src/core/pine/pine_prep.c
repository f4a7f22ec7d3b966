/*
 * pine_prep.c: PINE preparation, draft-chen-cfrg-vdaf-pine (-01 and -02)
 * Section 5.2 "Preparation": prep_init (the state in the output-share or
 * the Leader's digest form), prep_shares_to_prep and prep_next. The prep
 * state forms are written and read in pine_prep_state.c.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pine/pine_circuit.h"
#include "pine/pine_exit.h"
#include "pine/pine_internal.h"
#include "vdaf/flp.h"

/* ------------------------------------------------------------------------ */
/* preparation                                                               */

/* The Aggregator id and the lengths of prep_init's inputs. */
static pine_status
prep_init_lengths(const pine_params *P, size_t verify_key_len, uint32_t agg_id, size_t nonce_len,
                  size_t public_share_len, size_t input_share_len, const char **why)
{
	if (agg_id >= P->num_shares) {
		pine_set_why(why, "aggregator id out of range");
		return PINE_ERR_PARAM;
	}
	if (verify_key_len != P->verify_key_len) {
		pine_set_why(why, "verify key has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	if (nonce_len != PINE_NONCE_SIZE) {
		pine_set_why(why, "nonce must be 16 bytes");
		return PINE_ERR_MALFORMED;
	}
	if (public_share_len != P->public_share_len) {
		pine_set_why(why, "public share has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	if (input_share_len != pine_input_share_len(P, agg_id)) {
		pine_set_why(why, "input share has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	return PINE_OK;
}

static pine_status
prep_init_impl(const pine_params *P, const uint8_t *verify_key,
               size_t verify_key_len, uint32_t agg_id, const uint8_t *nonce,
               size_t nonce_len, const uint8_t *public_share,
               size_t public_share_len, const uint8_t *input_share,
               size_t input_share_len, int digest_form, uint8_t *prep_state,
               uint8_t *prep_share, const char **why)
{
	const vdaf_field *f;
	size_t L, S, E, n;
	vdaf_elem *meas = NULL, *proofs = NULL, *qr = NULL, *jr = NULL, *ver = NULL;
	uint8_t *wr_parts = NULL, *vf_parts = NULL;
	uint8_t wr_seed[PINE_MAX_SEED_SIZE], vf_seed[PINE_MAX_SEED_SIZE];
	const uint8_t *wr_blind, *vf_blind;
	vdaf_valid vmain, vne;
	pine_status st = PINE_OK;

	if (P == NULL || verify_key == NULL || nonce == NULL || public_share == NULL ||
	    input_share == NULL || prep_state == NULL || prep_share == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	if ((st = prep_init_lengths(P, verify_key_len, agg_id, nonce_len, public_share_len,
	                            input_share_len, why)) != PINE_OK)
		return st;
	f = pine_vdaf_field(P);
	L = P->seed_size, S = P->num_shares, E = P->elem_size, n = P->meas_len;

	meas = pine_elems_alloc(P->flp_meas_len);
	proofs = pine_elems_alloc(P->proofs_len);
	qr = pine_elems_alloc(P->query_rands_len);
	jr = pine_elems_alloc(P->joint_rands_len);
	ver = pine_elems_alloc(P->verifiers_len);
	wr_parts = malloc(S * L);
	vf_parts = malloc(S * L);
	if (!meas || !proofs || !qr || !jr || !ver || !wr_parts || !vf_parts)
		FAIL(PINE_ERR_NOMEM, "out of memory");
	memcpy(wr_parts, public_share, S * L);
	memcpy(vf_parts, public_share + S * L, S * L);

	if (agg_id == 0) {
		size_t n1 = n * E, n2 = P->proofs_len * E;
		if (f->decode_vec(meas, n, input_share, n1) != VDAF_OK)
			FAIL(PINE_ERR_NONCANONICAL, "leader measurement share has a non-canonical element");
		if (f->decode_vec(proofs, P->proofs_len, input_share + n1, n2) != VDAF_OK)
			FAIL(PINE_ERR_NONCANONICAL, "leader proofs share has a non-canonical element");
		wr_blind = input_share + n1 + n2;
		vf_blind = wr_blind + L;
		CHECK_VDAF(pine_share_parts(P, 0, nonce, NULL, meas, wr_blind, wr_parts, vf_blind,
		                            vf_parts));
	} else {
		wr_blind = input_share + 2 * L;
		vf_blind = input_share + 3 * L;
		CHECK_VDAF(pine_share_parts(P, (uint8_t) agg_id, nonce, input_share, meas, wr_blind,
		                            wr_parts + agg_id * L, vf_blind, vf_parts + agg_id * L));
		CHECK_VDAF(pine_helper_proofs_share(P, (uint8_t) agg_id, input_share + L, proofs));
	}

	CHECK_VDAF(pine_joint_rand_seed(P, wr_parts, PINE_USAGE_WR_JOINT_RAND_SEED, wr_seed));
	if ((st = pine_wr_results(P, wr_seed, meas, meas + n, why)) != PINE_OK)
		goto out;
	CHECK_VDAF(pine_joint_rand_seed(P, vf_parts, PINE_USAGE_JOINT_RAND_SEED, vf_seed));
	CHECK_VDAF(pine_vf_joint_rands(P, vf_seed, jr));
	{
		uint8_t b[2 + PINE_NONCE_SIZE];
		b[0] = (uint8_t) P->num_proofs_ne;
		b[1] = (uint8_t) P->num_proofs;
		memcpy(b + 2, nonce, PINE_NONCE_SIZE);
		CHECK_VDAF(pine_expand(P, verify_key, PINE_USAGE_QUERY_RANDOMNESS, b, sizeof b, qr,
		                       P->query_rands_len));
	}
	pine_circuits_init(P, &vmain, &vne);
	CHECK_VDAF(vdaf_flp_query_multi(&vne, P->num_proofs_ne, meas, proofs, qr, NULL, S, ver));
	CHECK_VDAF(vdaf_flp_query_multi(&vmain, P->num_proofs, meas,
	                                proofs + P->proof_len_ne * P->num_proofs_ne,
	                                qr + P->num_proofs_ne, jr, S,
	                                ver + P->verifier_len_ne * P->num_proofs_ne));

	/* prep share = encvec(verifiers) || wr_part || vf_part */
	f->encode_vec(prep_share, ver, P->verifiers_len);
	memcpy(prep_share + P->verifiers_len * E, wr_parts + agg_id * L, L);
	memcpy(prep_share + P->verifiers_len * E + L, vf_parts + agg_id * L, L);

	st = pine_prep_state_write(P, agg_id, digest_form, wr_seed, vf_seed, meas, input_share,
	                           input_share_len, prep_state, why);
out:
	pine_elems_free(meas, P->flp_meas_len);
	pine_elems_free(proofs, P->proofs_len);
	pine_elems_free(qr, P->query_rands_len);
	pine_elems_free(jr, P->joint_rands_len);
	pine_elems_free(ver, P->verifiers_len);
	free(wr_parts);
	free(vf_parts);
	sodium_memzero(wr_seed, sizeof wr_seed);
	sodium_memzero(vf_seed, sizeof vf_seed);
	return st;
}

pine_status
pine_prep_init(const pine_params *P, const uint8_t *verify_key, size_t verify_key_len,
               uint32_t agg_id, const uint8_t *nonce, size_t nonce_len,
               const uint8_t *public_share, size_t public_share_len,
               const uint8_t *input_share, size_t input_share_len, uint8_t *prep_state,
               uint8_t *prep_share, const char **why)
{
	return prep_init_impl(P, verify_key, verify_key_len, agg_id, nonce, nonce_len, public_share,
	                      public_share_len, input_share, input_share_len, 0, prep_state,
	                      prep_share, why);
}

pine_status
pine_prep_init_digest(const pine_params *P, const uint8_t *verify_key, size_t verify_key_len,
                      uint32_t agg_id, const uint8_t *nonce, size_t nonce_len,
                      const uint8_t *public_share, size_t public_share_len,
                      const uint8_t *input_share, size_t input_share_len,
                      uint8_t *prep_state, uint8_t *prep_share, const char **why)
{
	return prep_init_impl(P, verify_key, verify_key_len, agg_id, nonce, nonce_len, public_share,
	                      public_share_len, input_share, input_share_len, 1, prep_state,
	                      prep_share, why);
}

/*
 * The decision on the summed verifiers of one circuit's num proofs, in two
 * parts: the gadget checks (is the proof consistent with the circuit?) and
 * the circuit's output (is it zero?). vdaf_flp_decide checks both at once;
 * with every output set to zero it checks the gadgets alone. `ver` is
 * scratch (its outputs are zeroed). Returns VDAF_OK with *why_r set to
 * NONE, proof_r or check_r, or a VDAF error.
 */
static int
decide_parts(const vdaf_valid *v, size_t num, size_t vl, vdaf_elem *ver,
             pine_reject_reason proof_r, pine_reject_reason check_r,
             pine_reject_reason *why_r)
{
	int zero = 1, ok;

	for (size_t p = 0; p < num; p++) {
		zero &= vdaf_elem_is_zero(ver[p * vl]);
		ver[p * vl] = vdaf_elem_zero();
	}
	ok = vdaf_flp_decide_multi(v, num, ver);
	if (ok < 0)
		return ok;
	*why_r = ok != 1 ? proof_r : !zero ? check_r : PINE_REASON_NONE;
	return VDAF_OK;
}

pine_status
pine_prep_shares_to_prep(const pine_params *P, const uint8_t *const *prep_shares,
                         const size_t *lens, size_t num, uint8_t *prep_msg,
                         const char **why)
{
	return pine_prep_shares_to_prep_reason(P, prep_shares, lens, num, prep_msg, NULL, why);
}

pine_status
pine_prep_shares_to_prep_reason(const pine_params *P,
                                const uint8_t *const *prep_shares,
                                const size_t *lens, size_t num, uint8_t *prep_msg,
                                pine_reject_reason *reason, const char **why)
{
	const vdaf_field *f;
	size_t L, S, E, vl;
	vdaf_elem *sum = NULL, *tmp = NULL;
	uint8_t *wr_parts = NULL, *vf_parts = NULL;
	vdaf_valid vmain, vne;
	pine_reject_reason r = PINE_REASON_NONE;
	pine_status st = PINE_OK;

	if (reason != NULL)
		*reason = PINE_REASON_NONE;
	if (P == NULL || prep_shares == NULL || lens == NULL || prep_msg == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	f = pine_vdaf_field(P);
	L = P->seed_size, S = P->num_shares, E = P->elem_size, vl = P->verifiers_len;
	if (num != S) {
		pine_set_why(why, "wrong number of prep shares");
		return PINE_ERR_MALFORMED;
	}
	for (size_t j = 0; j < S; j++) {
		if (prep_shares[j] == NULL || lens[j] != P->prep_share_len) {
			pine_set_why(why, "prep share has the wrong length");
			return PINE_ERR_MALFORMED;
		}
	}
	sum = pine_elems_alloc(vl);
	tmp = pine_elems_alloc(vl);
	wr_parts = malloc(S * L);
	vf_parts = malloc(S * L);
	if (!sum || !tmp || !wr_parts || !vf_parts)
		FAIL(PINE_ERR_NOMEM, "out of memory");
	for (size_t j = 0; j < S; j++) {
		if (f->decode_vec(tmp, vl, prep_shares[j], vl * E) != VDAF_OK)
			FAIL(PINE_ERR_NONCANONICAL, "prep share has a non-canonical element");
		f->vec_add(sum, tmp, vl);
		memcpy(wr_parts + j * L, prep_shares[j] + vl * E, L);
		memcpy(vf_parts + j * L, prep_shares[j] + vl * E + L, L);
	}
	pine_circuits_init(P, &vmain, &vne);
	CHECK_VDAF(decide_parts(&vne, P->num_proofs_ne, P->verifier_len_ne, sum,
	                        PINE_REASON_NORM_EQUALITY_PROOF, PINE_REASON_NORM_EQUALITY_CHECK, &r));
	if (r == PINE_REASON_NONE)
		CHECK_VDAF(decide_parts(&vmain, P->num_proofs, P->verifier_len_main,
		                        sum + P->verifier_len_ne * P->num_proofs_ne, PINE_REASON_MAIN_PROOF,
		                        PINE_REASON_RANGE_AND_WRAPAROUND_CHECKS, &r));
	if (r != PINE_REASON_NONE) {
		if (reason != NULL)
			*reason = r;
		FAIL(PINE_REJECT, r == PINE_REASON_NORM_EQUALITY_PROOF || r == PINE_REASON_NORM_EQUALITY_CHECK
		                      ? "norm-equality proof rejected"
		                      : "main proof rejected");
	}
	CHECK_VDAF(pine_joint_rand_seed(P, wr_parts, PINE_USAGE_WR_JOINT_RAND_SEED, prep_msg));
	CHECK_VDAF(pine_joint_rand_seed(P, vf_parts, PINE_USAGE_JOINT_RAND_SEED, prep_msg + L));
	st = PINE_OK;
out:
	pine_elems_free(sum, vl);
	pine_elems_free(tmp, vl);
	free(wr_parts);
	free(vf_parts);
	return st;
}

/* A Helper's output share: the first d elements of its measurement share,
 * expand(seed, dst(1), byte(id)), encoded chunk by chunk into `out`. */
static pine_status
helper_out_share(const pine_params *P, uint8_t agg_id, const uint8_t *seed,
                 uint8_t *out, const char **why)
{
	const vdaf_field *f = pine_vdaf_field(P);
	size_t d = P->dimension, E = P->elem_size;
	vdaf_elem *buf = pine_elems_alloc(STREAM_CHUNK);
	vdaf_xof x;
	pine_status st = PINE_OK;

	memset(&x, 0, sizeof x);
	if (buf == NULL)
		FAIL(PINE_ERR_NOMEM, "out of memory");
	CHECK_VDAF(pine_xof_start(P, &x, seed, PINE_USAGE_MEAS_SHARE));
	CHECK_VDAF(vdaf_xof_update(&x, &agg_id, 1));
	for (size_t i = 0; i < d; i += STREAM_CHUNK) {
		size_t len = d - i < STREAM_CHUNK ? d - i : STREAM_CHUNK;
		CHECK_VDAF(vdaf_xof_next_vec(&x, f, buf, len));
		f->encode_vec(out + i * E, buf, len);
	}
out:
	vdaf_xof_free(&x);
	pine_elems_free(buf, STREAM_CHUNK);
	return st;
}

pine_status
pine_prep_next(const pine_params *P, const uint8_t *state, size_t state_len,
               const uint8_t *msg, size_t msg_len, uint8_t *out_share,
               const char **why)
{
	return pine_prep_next_reason(P, state, state_len, msg, msg_len, out_share, NULL, why);
}

pine_status
pine_prep_next_reason(const pine_params *P, const uint8_t *state, size_t state_len,
                      const uint8_t *msg, size_t msg_len, uint8_t *out_share,
                      pine_reject_reason *reason, const char **why)
{
	return pine_prep_next_input(P, state, state_len, NULL, 0, msg, msg_len, out_share, reason,
	                            why);
}

pine_status
pine_prep_next_input(const pine_params *P, const uint8_t *state, size_t state_len,
                     const uint8_t *input_share, size_t input_share_len, const uint8_t *msg,
                     size_t msg_len, uint8_t *out_share, pine_reject_reason *reason,
                     const char **why)
{
	pine_status st;
	size_t L;
	pine_state_form form;

	if (reason != NULL)
		*reason = PINE_REASON_NONE;
	if ((st = pine_prep_state_form(P, state, state_len, &form, why)) != PINE_OK)
		return st;
	if (msg == NULL || out_share == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	L = P->seed_size;
	if (msg_len != P->prep_msg_len) {
		pine_set_why(why, "prep message has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	if (form == PINE_FORM_DIGEST &&
	    (st = pine_prep_state_input_match(P, state, input_share, input_share_len, why)) != PINE_OK)
		return st;
	/* Constant-time comparisons of wr_seed, then vf_seed. */
	if (sodium_memcmp(state + PINE_STATE_HDR_LEN, msg, L) != 0) {
		if (reason != NULL)
			*reason = PINE_REASON_WRAPAROUND_JOINT_RAND_SEED;
		pine_set_why(why, "wraparound joint randomness check failed");
		return PINE_REJECT;
	}
	if (sodium_memcmp(state + PINE_STATE_HDR_LEN + L, msg + L, L) != 0) {
		if (reason != NULL)
			*reason = PINE_REASON_JOINT_RAND_SEED;
		pine_set_why(why, "joint randomness check failed");
		return PINE_REJECT;
	}
	if (form == PINE_FORM_SEED)
		return helper_out_share(P, state[PINE_STATE_HDR_LEN + 2 * L],
		                        state + PINE_STATE_HDR_LEN + 2 * L + 1, out_share, why);
	/* the Leader's output share: the first d elements of its measurement share */
	memcpy(out_share, form == PINE_FORM_DIGEST ? input_share : state + PINE_STATE_HDR_LEN + 2 * L,
	       P->out_share_len);
	return PINE_OK;
}
