/*
 * pine_xof.c: what sharding (pine_shard.c) and preparation (pine_prep.c)
 * share, after draft-chen-cfrg-vdaf-pine (-01 and -02), Section 5 "The PINE
 * VDAF": the domain-separated XOF uses (expand, the joint-randomness parts
 * and seeds, the wraparound results, a Helper's proofs share), and small
 * helpers (element buffers, VDAF status codes to PINE ones).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/interrupt.h"
#include "pine/pine_internal.h"

vdaf_elem *
pine_elems_alloc(size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / sizeof(vdaf_elem))
		return NULL;
	return calloc(n, sizeof(vdaf_elem));
}

void
pine_elems_free(vdaf_elem *v, size_t n)
{
	if (v == NULL)
		return;
	sodium_memzero(v, n * sizeof *v);
	free(v);
}

pine_status
pine_map_vdaf(int rc, const char **why)
{
	switch (rc) {
	case VDAF_OK:
		return PINE_OK;
	case VDAF_ERR_NOMEM:
		pine_set_why(why, "out of memory");
		return PINE_ERR_NOMEM;
	case VDAF_ERR_ROOT:
		pine_set_why(why, "query randomness hit a root of unity");
		return PINE_REJECT;
	case VDAF_ERR_INTERRUPTED:
		pine_set_why(why, "interrupted");
		return PINE_ERR_INTERRUPTED;
	default:
		pine_set_why(why, "internal error in the VDAF building blocks");
		return PINE_ERR_INTERNAL;
	}
}

static void
dst(const pine_params *P, uint16_t usage, uint8_t out[PINE_DST_LEN])
{
	vdaf_dst_pine(out, VDAF_PINE_VERSION, P->vdaf_id, usage);
}

/* A fresh XOF with seed and dst(usage). */
int
pine_xof_start(const pine_params *P, vdaf_xof *x, const uint8_t *seed, uint16_t usage)
{
	uint8_t d[PINE_DST_LEN];
	dst(P, usage, d);
	return vdaf_xof_init(x, pine_vdaf_xof(P), seed, P->seed_size, d, sizeof d);
}

/* expand_into_vec(seed, dst(usage), binder, n) */
int
pine_expand(const pine_params *P, const uint8_t *seed, uint16_t usage,
            const uint8_t *binder, size_t binder_len, vdaf_elem *out, size_t n)
{
	uint8_t d[PINE_DST_LEN];
	dst(P, usage, d);
	return vdaf_xof_expand_into_vec(pine_vdaf_xof(P), pine_vdaf_field(P), seed, P->seed_size,
	                                d, sizeof d, binder, binder_len, out, n);
}

/* joint_rand_seed(parts, usage) = derive_seed(zeros, dst(usage), concat(parts)) */
int
pine_joint_rand_seed(const pine_params *P, const uint8_t *parts, uint16_t usage,
                     uint8_t *out)
{
	uint8_t zeros[PINE_MAX_SEED_SIZE] = { 0 };
	uint8_t d[PINE_DST_LEN];
	dst(P, usage, d);
	return vdaf_xof_derive_seed(pine_vdaf_xof(P), zeros, P->seed_size, d, sizeof d, parts,
	                            P->num_shares * P->seed_size, out);
}

/*
 * Joint-rand parts of one share, both at once:
 *   wr part = derive_seed(wr_blind, dst(10), byte(id) || nonce || encvec(share[0 : d + 2 n_sq]))
 *   vf part = derive_seed(vf_blind, dst(7),  byte(id) || nonce || encvec(share[0 : MEAS_LEN]))
 * If `expand_seed` is not NULL the share is first produced chunk by chunk as
 * the helper's measurement share (expand(seed, dst(1), byte(id))) and
 * written to `share`; either part may be skipped by passing NULL blinds.
 */
int
pine_share_parts(const pine_params *P, uint8_t agg_id, const uint8_t *nonce,
                 const uint8_t *expand_seed, vdaf_elem *share,
                 const uint8_t *wr_blind, uint8_t *wr_part,
                 const uint8_t *vf_blind, uint8_t *vf_part)
{
	const vdaf_field *f = pine_vdaf_field(P);
	vdaf_xof xm, xw, xv;
	size_t gn = P->grad_norm_len, n = P->meas_len;
	int rc;

	memset(&xm, 0, sizeof xm);
	memset(&xw, 0, sizeof xw);
	memset(&xv, 0, sizeof xv);
	if (expand_seed != NULL) {
		if ((rc = pine_xof_start(P, &xm, expand_seed, PINE_USAGE_MEAS_SHARE)) != VDAF_OK ||
		    (rc = vdaf_xof_update(&xm, &agg_id, 1)) != VDAF_OK)
			goto out;
	}
	if (wr_blind != NULL) {
		if ((rc = pine_xof_start(P, &xw, wr_blind, PINE_USAGE_WR_JOINT_RAND_PART)) != VDAF_OK ||
		    (rc = vdaf_xof_update(&xw, &agg_id, 1)) != VDAF_OK ||
		    (rc = vdaf_xof_update(&xw, nonce, PINE_NONCE_SIZE)) != VDAF_OK)
			goto out;
	}
	if (vf_blind != NULL) {
		if ((rc = pine_xof_start(P, &xv, vf_blind, PINE_USAGE_JOINT_RAND_PART)) != VDAF_OK ||
		    (rc = vdaf_xof_update(&xv, &agg_id, 1)) != VDAF_OK ||
		    (rc = vdaf_xof_update(&xv, nonce, PINE_NONCE_SIZE)) != VDAF_OK)
			goto out;
	}
	for (size_t i = 0; i < n; i += STREAM_CHUNK) {
		size_t len = n - i < STREAM_CHUNK ? n - i : STREAM_CHUNK;
		if (sa_interrupted()) {
			rc = VDAF_ERR_INTERRUPTED;
			goto out;
		}
		if (expand_seed != NULL &&
		    (rc = vdaf_xof_next_vec(&xm, f, share + i, len)) != VDAF_OK)
			goto out;
		if (wr_blind != NULL && i < gn) {
			size_t wl = gn - i < len ? gn - i : len;
			if ((rc = vdaf_xof_update_vec(&xw, f, share + i, wl)) != VDAF_OK)
				goto out;
		}
		if (vf_blind != NULL && (rc = vdaf_xof_update_vec(&xv, f, share + i, len)) != VDAF_OK)
			goto out;
	}
	rc = VDAF_OK;
	if (wr_blind != NULL && (rc = vdaf_xof_next(&xw, wr_part, P->seed_size)) != VDAF_OK)
		goto out;
	if (vf_blind != NULL && (rc = vdaf_xof_next(&xv, vf_part, P->seed_size)) != VDAF_OK)
		goto out;
out:
	vdaf_xof_free(&xm);
	vdaf_xof_free(&xw);
	vdaf_xof_free(&xv);
	return rc;
}

/* The wraparound results for a (share of the) gradient under wr_seed. */
pine_status
pine_wr_results(const pine_params *P, const uint8_t *wr_seed,
                const vdaf_elem *grad, vdaf_elem *res, const char **why)
{
	vdaf_xof x;
	pine_status st;
	int rc;

	memset(&x, 0, sizeof x);
	rc = pine_xof_start(P, &x, wr_seed, PINE_USAGE_WR_JOINT_RANDOMNESS);
	if (rc != VDAF_OK) {
		vdaf_xof_free(&x);
		return pine_map_vdaf(rc, why);
	}
	st = pine_run_wr_checks(P, grad, &x, res, why);
	vdaf_xof_free(&x);
	return st;
}

int
pine_vf_joint_rands(const pine_params *P, const uint8_t *vf_seed, vdaf_elem *jr)
{
	uint8_t b = (uint8_t) P->num_proofs;
	return pine_expand(P, vf_seed, PINE_USAGE_JOINT_RANDOMNESS, &b, 1, jr, P->joint_rands_len);
}

int
pine_helper_proofs_share(const pine_params *P, uint8_t agg_id, const uint8_t *seed,
                         vdaf_elem *out)
{
	uint8_t b[3] = { (uint8_t) P->num_proofs_ne, (uint8_t) P->num_proofs, agg_id };
	return pine_expand(P, seed, PINE_USAGE_PROOF_SHARE, b, 3, out, P->proofs_len);
}
