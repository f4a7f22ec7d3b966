/*
 * pine_shard.c: the PINE client, draft-chen-cfrg-vdaf-pine (-01 and -02)
 * Section 5.1 "Sharding": pine_shard, and pine_shard_impl with the test
 * switches of pine_testing.h.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pine/pine_circuit.h"
#include "pine/pine_exit.h"
#include "pine/pine_internal.h"
#include "pine/pine_testing.h"
#include "vdaf/flp.h"

/* ------------------------------------------------------------------------ */
/* shard                                                                     */

pine_status
pine_shard(const pine_params *P, const double *measurement, size_t meas_len,
           const uint8_t *nonce, size_t nonce_len, const uint8_t *rand,
           size_t rand_len, uint8_t *public_share,
           uint8_t *const *input_shares, const char **why)
{
	return pine_shard_impl(P, measurement, meas_len, nonce, nonce_len, rand, rand_len,
	                       public_share, input_shares, 0, why);
}

/* The arguments' presence and lengths. */
static pine_status
shard_args(const pine_params *P, const double *measurement, size_t meas_len,
           const uint8_t *nonce, size_t nonce_len, const uint8_t *rand, size_t rand_len,
           const uint8_t *public_share, uint8_t *const *input_shares, const char **why)
{
	if (P == NULL || measurement == NULL || nonce == NULL || rand == NULL ||
	    public_share == NULL || input_shares == NULL) {
		pine_set_why(why, "NULL argument");
		return PINE_ERR_PARAM;
	}
	if (meas_len != P->dimension) {
		pine_set_why(why, "measurement length does not match the dimension");
		return PINE_ERR_MALFORMED;
	}
	if (nonce_len != PINE_NONCE_SIZE) {
		pine_set_why(why, "nonce must be 16 bytes");
		return PINE_ERR_MALFORMED;
	}
	if (rand_len != P->rand_len) {
		pine_set_why(why, "rand has the wrong length");
		return PINE_ERR_MALFORMED;
	}
	for (size_t j = 0; j < P->num_shares; j++)
		if (input_shares[j] == NULL) {
			pine_set_why(why, "NULL input share buffer");
			return PINE_ERR_PARAM;
		}
	return PINE_OK;
}

/*
 * The public share (the joint-randomness parts) and the input shares: the
 * Leader's encvec(meas share) || encvec(proofs share) || wr_blind || vf_blind,
 * a Helper's four seeds as drawn from rand (helper_rand: its 4 L bytes).
 */
static void
write_shares(const pine_params *P, const uint8_t *wr_parts, const uint8_t *vf_parts,
             const vdaf_elem *lead, const vdaf_elem *proofs, const uint8_t *rand,
             uint8_t *public_share, uint8_t *const *input_shares)
{
	const vdaf_field *f = pine_vdaf_field(P);
	size_t L = P->seed_size, S = P->num_shares, E = P->elem_size;
	const uint8_t *l_blinds = rand + 4 * (S - 1) * L;   /* wr_blind_0, vf_blind_0 */
	uint8_t *o = input_shares[0];

	memcpy(public_share, wr_parts, S * L);
	memcpy(public_share + S * L, vf_parts, S * L);
	f->encode_vec(o, lead, P->meas_len);
	o += P->meas_len * E;
	f->encode_vec(o, proofs, P->proofs_len);
	o += P->proofs_len * E;
	memcpy(o, l_blinds, 2 * L);
	for (size_t j = 1; j < S; j++)
		memcpy(input_shares[j], rand + 4 * (j - 1) * L, 4 * L);
}

pine_status
pine_shard_impl(const pine_params *P, const double *measurement, size_t meas_len,
                const uint8_t *nonce, size_t nonce_len, const uint8_t *rand,
                size_t rand_len, uint8_t *public_share,
                uint8_t *const *input_shares, unsigned cheat, const char **why)
{
	const vdaf_field *f;
	size_t L, S, n, gn;
	vdaf_elem *meas = NULL;   /* FLP input: meas || wr_res */
	vdaf_elem *lead = NULL;   /* -(sum of helper shares), then the leader share */
	vdaf_elem *h = NULL;      /* one helper share */
	vdaf_elem *lp = NULL;     /* leader share prefix (d + 2 n_sq) */
	vdaf_elem *proofs = NULL, *tmp = NULL, *pr = NULL, *jr = NULL;
	uint8_t *wr_parts = NULL, *vf_parts = NULL;
	uint8_t wr_seed[PINE_MAX_SEED_SIZE], vf_seed[PINE_MAX_SEED_SIZE];
	vdaf_valid vmain, vne;
	pine_status st = PINE_OK;

	if ((st = shard_args(P, measurement, meas_len, nonce, nonce_len, rand, rand_len, public_share,
	                     input_shares, why)) != PINE_OK)
		return st;
	f = pine_vdaf_field(P);
	L = P->seed_size, S = P->num_shares;
	n = P->meas_len, gn = P->grad_norm_len;

	/* rand layout: per helper j: meas_seed, proof_seed, wr_blind, vf_blind;
	 * then wr_blind_0, vf_blind_0, k_prove. */
#define H_MEAS(j) (rand + (4 * ((j) - 1) + 0) * L)
#define H_PROOF(j) (rand + (4 * ((j) - 1) + 1) * L)
#define H_WR(j) (rand + (4 * ((j) - 1) + 2) * L)
#define H_VF(j) (rand + (4 * ((j) - 1) + 3) * L)
	const uint8_t *l_wr = rand + 4 * (S - 1) * L;
	const uint8_t *l_vf = l_wr + L;
	const uint8_t *k_prove = l_vf + L;

	meas = pine_elems_alloc(P->flp_meas_len);
	lead = pine_elems_alloc(n);
	h = pine_elems_alloc(n);
	lp = pine_elems_alloc(gn);
	proofs = pine_elems_alloc(P->proofs_len);
	tmp = pine_elems_alloc(P->proofs_len);
	pr = pine_elems_alloc(P->prove_rands_len);
	jr = pine_elems_alloc(P->joint_rands_len);
	wr_parts = malloc(S * L);
	vf_parts = malloc(S * L);
	if (!meas || !lead || !h || !lp || !proofs || !tmp || !pr || !jr || !wr_parts || !vf_parts)
		FAIL(PINE_ERR_NOMEM, "out of memory");

	if ((st = pine_encode_gradient_and_norm(P, measurement, meas, cheat, why)) != PINE_OK)
		goto out;

	/* Wraparound joint randomness over the first d + 2 n_sq elements.
	 * lead accumulates -(sum of the helper shares) over all MEAS_LEN. */
	for (size_t j = 1; j < S; j++) {
		CHECK_VDAF(pine_share_parts(P, (uint8_t) j, nonce, H_MEAS(j), h, H_WR(j),
		                            wr_parts + j * L, NULL, NULL));
		f->vec_sub(lead, h, n);
	}
	/* leader prefix = m1 + lead[0:gn] (computed into tmp2; h keeps the
	 * last helper's share for the second pass) */
	memcpy(lp, meas, gn * sizeof *lp);
	f->vec_add(lp, lead, gn);
	CHECK_VDAF(pine_share_parts(P, 0, nonce, NULL, lp, l_wr, wr_parts, NULL, NULL));
	CHECK_VDAF(pine_joint_rand_seed(P, wr_parts, PINE_USAGE_WR_JOINT_RAND_SEED, wr_seed));
	if ((st = pine_wr_results(P, wr_seed, meas, meas + n, why)) != PINE_OK)
		goto out;
	if ((st = pine_encode_wr_checks(P, meas + n, meas + gn, cheat, why)) != PINE_OK)
		goto out;

	/* Verification joint randomness over the full shared measurement. */
	/* h still holds the last helper's share: hash it first, then re-expand
	 * the others (streamed together with the hash). */
	CHECK_VDAF(pine_share_parts(P, (uint8_t) (S - 1), nonce, NULL, h, NULL, NULL, H_VF(S - 1),
	                            vf_parts + (S - 1) * L));
	for (size_t j = 1; j + 1 < S; j++)
		CHECK_VDAF(pine_share_parts(P, (uint8_t) j, nonce, H_MEAS(j), h, NULL, NULL, H_VF(j),
		                            vf_parts + j * L));
	f->vec_add(lead, meas, n); /* leader share = meas - sum_j h_j */
	CHECK_VDAF(pine_share_parts(P, 0, nonce, NULL, lead, NULL, NULL, l_vf, vf_parts));
	CHECK_VDAF(pine_joint_rand_seed(P, vf_parts, PINE_USAGE_JOINT_RAND_SEED, vf_seed));
	CHECK_VDAF(pine_vf_joint_rands(P, vf_seed, jr));

	/* Proofs: NE first, then main. */
	{
		uint8_t b[2] = { (uint8_t) P->num_proofs_ne, (uint8_t) P->num_proofs };
		size_t ne_len = P->proof_len_ne * P->num_proofs_ne;
		CHECK_VDAF(pine_expand(P, k_prove, PINE_USAGE_PROVE_RANDOMNESS, b, 2, pr,
		                       P->prove_rands_len));
		pine_circuits_init(P, &vmain, &vne);
		CHECK_VDAF(vdaf_flp_prove_multi(&vne, P->num_proofs_ne, meas, pr, NULL, proofs));
		CHECK_VDAF(vdaf_flp_prove_multi(&vmain, P->num_proofs, meas,
		                                pr + P->chunk_length_ne * P->num_proofs_ne, jr,
		                                proofs + ne_len));
	}
	for (size_t j = 1; j < S; j++) {
		CHECK_VDAF(pine_helper_proofs_share(P, (uint8_t) j, H_PROOF(j), tmp));
		f->vec_sub(proofs, tmp, P->proofs_len);
	}

	write_shares(P, wr_parts, vf_parts, lead, proofs, rand, public_share, input_shares);
	st = PINE_OK;
#undef H_MEAS
#undef H_PROOF
#undef H_WR
#undef H_VF
out:
	pine_elems_free(meas, P->flp_meas_len);
	pine_elems_free(lead, n);
	pine_elems_free(h, n);
	pine_elems_free(lp, gn);
	pine_elems_free(proofs, P->proofs_len);
	pine_elems_free(tmp, P->proofs_len);
	pine_elems_free(pr, P->prove_rands_len);
	pine_elems_free(jr, P->joint_rands_len);
	free(wr_parts);
	free(vf_parts);
	sodium_memzero(wr_seed, sizeof wr_seed);
	sodium_memzero(vf_seed, sizeof vf_seed);
	return st;
}
