/*
 * pine_circuit.c: the two PINE validity circuits of draft-chen-cfrg-vdaf-pine
 * (-01 and -02), Section 4.2 "The FLP Circuit" (4.2.1 range, 4.2.2 bit,
 * 4.2.3 L2 norm and 4.2.4 wraparound checks, put together as in 4.2.5), on
 * top of the generic FLP in vdaf/flp.h.
 *
 * Both take the FLP input m (FLP_MEAS_LEN elements):
 *   grad = m[0:d], bc = m[d : d + bit_checked_len], wr_res = m[d + bcl :]
 *   inside bc: sq v-bits (n_sq), sq u-bits (n_sq), then r times
 *   (n_wr bits of v_k, success bit g_k).
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pine/pine_circuit.h"

/*
 * PINE's parallel_sum helper: feed `n` inputs produced by `next` to the
 * gadget in chunks of `arity`, zero-padding the last partial chunk. The
 * inputs are produced into buf (arity elements) chunk by chunk.
 */

static int
call_chunk(vdaf_flp_ctx *g, vdaf_elem *buf, size_t filled, size_t arity,
           const vdaf_field *f, vdaf_elem *acc)
{
	vdaf_elem out;
	int rc;

	if (filled < arity)
		memset(buf + filled, 0, (arity - filled) * sizeof *buf);
	rc = vdaf_flp_gadget_call(g, 0, buf, &out);
	if (rc != VDAF_OK)
		return rc;
	*acc = f->add(*acc, out);
	return VDAF_OK;
}

/* Main circuit (PineValid), jr = [r_bit, r_wr, r_fin]. */
static int
pine_valid_eval(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m,
                const vdaf_elem *jr, size_t num_shares, vdaf_elem *out)
{
	const pine_params *P = v->params;
	const vdaf_field *f = v->field;
	size_t d = P->dimension, nsq = P->num_bits_for_sq_norm;
	size_t nwr = P->num_bits_for_wr_check, r = P->num_wr_checks;
	size_t c = P->chunk_length, arity = 2 * c;
	const vdaf_elem *bc = m + d;
	const vdaf_elem *wr_res = m + d + P->bit_checked_len;
	vdaf_elem sinv = f->inv(f->from_u64(num_shares));
	vdaf_elem *buf;
	vdaf_elem bit_res = vdaf_elem_zero(), wr_quad = vdaf_elem_zero();
	vdaf_elem cnt = vdaf_elem_zero(), rp, t, u;
	size_t filled = 0;
	int rc = VDAF_OK;

	buf = malloc(arity * sizeof *buf);
	if (buf == NULL)
		return VDAF_ERR_NOMEM;

	/* (a) bit checks over all of bc; powers start at r_bit^0. */
	rp = f->from_u64(1);
	for (size_t i = 0; i < P->bit_checked_len; i++) {
		buf[filled++] = f->mul(rp, bc[i]);
		buf[filled++] = f->sub(bc[i], sinv);
		rp = f->mul(rp, jr[0]);
		if (filled == arity) {
			if ((rc = call_chunk(g, buf, filled, arity, f, &bit_res)) != VDAF_OK)
				goto done;
			filled = 0;
		}
	}
	if (filled > 0) {
		if ((rc = call_chunk(g, buf, filled, arity, f, &bit_res)) != VDAF_OK)
			goto done;
		filled = 0;
	}

	/* (b) wraparound checks: pairs (r_wr^k (res_k - (unbits(v_k) - (B-1)/S)), g_k). */
	{
		pine_u128 B = pine_u128_of(P->wr_check_bound);
		vdaf_elem shift = f->mul(f->from_u128((uint64_t) (B - 1), (uint64_t) ((B - 1) >> 64)),
		                         sinv);
		const vdaf_elem *w = bc + 2 * nsq;
		rp = f->from_u64(1);
		for (size_t k = 0; k < r; k++, w += nwr + 1) {
			if ((rc = vdaf_field_decode_bits(f, &t, w, nwr)) != VDAF_OK)
				goto done;
			t = f->sub(t, shift);                 /* computed */
			buf[filled++] = f->mul(rp, f->sub(wr_res[k], t));
			buf[filled++] = w[nwr];
			cnt = f->add(cnt, w[nwr]);
			rp = f->mul(rp, jr[1]);
			if (filled == arity) {
				if ((rc = call_chunk(g, buf, filled, arity, f, &wr_quad)) != VDAF_OK)
					goto done;
				filled = 0;
			}
		}
		if (filled > 0) {
			if ((rc = call_chunk(g, buf, filled, arity, f, &wr_quad)) != VDAF_OK)
				goto done;
			filled = 0;
		}
	}

	/* wr_count = sum g_k - r_succ / S */
	cnt = f->sub(cnt, f->mul(f->from_u64(P->num_wr_successes), sinv));

	/* (c) norm range: unbits(v) + unbits(u) - sq_bound / S */
	{
		pine_u128 sqb = pine_u128_of(P->sq_norm_bound);
		vdaf_elem bound = f->mul(f->from_u128((uint64_t) sqb, (uint64_t) (sqb >> 64)), sinv);
		if ((rc = vdaf_field_decode_bits(f, &t, bc, nsq)) != VDAF_OK)
			goto done;
		if ((rc = vdaf_field_decode_bits(f, &u, bc + nsq, nsq)) != VDAF_OK)
			goto done;
		t = f->sub(f->add(t, u), bound);
	}

	/* bit_res + r_fin * norm + r_fin^2 * wr_quad + r_fin^3 * wr_count
	 * (Horner: ((cnt * r + wr_quad) * r + norm) * r + bit_res) */
	{
		vdaf_elem acc = cnt;
		acc = f->add(f->mul(acc, jr[2]), wr_quad);
		acc = f->add(f->mul(acc, jr[2]), t);
		acc = f->add(f->mul(acc, jr[2]), bit_res);
		out[0] = acc;
	}
done:
	sodium_memzero(buf, arity * sizeof *buf);
	free(buf);
	return rc;
}

/* Norm-equality circuit: unbits(sq v-bits) - sum_i grad_i^2 (ParallelSum(x^2)). */
static int
pine_ne_eval(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m,
             const vdaf_elem *jr, size_t num_shares, vdaf_elem *out)
{
	const pine_params *P = v->params;
	const vdaf_field *f = v->field;
	size_t d = P->dimension, c = P->chunk_length_ne;
	vdaf_elem sq = vdaf_elem_zero(), t, o;
	vdaf_elem *pad = NULL;
	int rc;

	(void) jr;
	(void) num_shares;
	/* Full chunks straight from the input; the gadget copies its inputs. */
	size_t full = d / c, rem = d % c;
	for (size_t i = 0; i < full; i++) {
		if ((rc = vdaf_flp_gadget_call(g, 0, m + i * c, &o)) != VDAF_OK)
			return rc;
		sq = f->add(sq, o);
	}
	if (rem != 0) {
		pad = calloc(c, sizeof *pad);
		if (pad == NULL)
			return VDAF_ERR_NOMEM;
		memcpy(pad, m + full * c, rem * sizeof *pad);
		rc = vdaf_flp_gadget_call(g, 0, pad, &o);
		sodium_memzero(pad, c * sizeof *pad);
		free(pad);
		if (rc != VDAF_OK)
			return rc;
		sq = f->add(sq, o);
	}
	if ((rc = vdaf_field_decode_bits(f, &t, m + d, P->num_bits_for_sq_norm)) != VDAF_OK)
		return rc;
	out[0] = f->sub(t, sq);
	return VDAF_OK;
}

void
pine_circuits_init(const pine_params *P, vdaf_valid *main_c, vdaf_valid *ne_c)
{
	const vdaf_field *f = pine_vdaf_field(P);

	memset(main_c, 0, sizeof *main_c);
	main_c->field = f;
	main_c->meas_len = P->flp_meas_len;
	main_c->output_len = P->dimension;
	main_c->joint_rand_len = 3;
	main_c->eval_output_len = 1;
	main_c->num_gadgets = 1;
	main_c->gadgets[0].kind = VDAF_GADGET_MUL;
	main_c->gadgets[0].parallel = P->chunk_length;
	main_c->gadgets[0].calls = P->calls_main;
	main_c->eval = pine_valid_eval;
	main_c->params = P;

	memset(ne_c, 0, sizeof *ne_c);
	ne_c->field = f;
	ne_c->meas_len = P->flp_meas_len;
	ne_c->output_len = P->dimension;
	ne_c->joint_rand_len = 0;
	ne_c->eval_output_len = 1;
	ne_c->num_gadgets = 1;
	ne_c->gadgets[0].kind = VDAF_GADGET_POLY_EVAL;
	ne_c->gadgets[0].parallel = P->chunk_length_ne;
	ne_c->gadgets[0].calls = P->calls_ne;
	ne_c->gadgets[0].num_coeffs = 3;
	ne_c->gadgets[0].coeffs[0] = 0;
	ne_c->gadgets[0].coeffs[1] = 0;
	ne_c->gadgets[0].coeffs[2] = 1;
	ne_c->eval = pine_ne_eval;
	ne_c->params = P;
}
