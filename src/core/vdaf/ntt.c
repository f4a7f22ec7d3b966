/*
 * ntt.c: iterative radix-2 NTT (decimation in time) over any vdaf_field.
 *
 * forward: bit-reverse the input, then for half = 1, 2, 4, ..., n/2 apply
 * the field's ntt_pass with twiddles w_{2*half}^j, j < half. The inverse is
 * the forward transform with w^-1 followed by scaling with 1/n. A plan
 * holds all per-pass twiddles (n - 1 per direction) and the bit-reversal
 * permutation; the one-shot functions build a plan for a single call.
 */
#include <stdlib.h>
#include <string.h>

#include "vdaf/ntt.h"

size_t
vdaf_next_pow2(size_t n)
{
	size_t p = 1;
	while (p < n) {
		if (p > SIZE_MAX / 2)
			return 0;
		p <<= 1;
	}
	return p;
}

unsigned
vdaf_log2_pow2(size_t n)
{
	unsigned k = 0;
	while (((size_t) 1 << k) < n)
		k++;
	return k;
}

int
vdaf_ntt_plan_init(vdaf_ntt_plan *p, const vdaf_field *f, size_t n)
{
	if (p == NULL)
		return VDAF_ERR_INVALID;
	memset(p, 0, sizeof *p);
	if (f == NULL || n == 0 || (n & (n - 1)) != 0)
		return VDAF_ERR_INVALID;
	unsigned logn = vdaf_log2_pow2(n);
	if (logn > f->two_adicity || n > SIZE_MAX / (2 * sizeof(vdaf_elem)))
		return VDAF_ERR_INVALID;
	p->f = f;
	p->n = n;
	p->tw_fwd = malloc(2 * n * sizeof *p->tw_fwd);
	p->rev = malloc(n * sizeof *p->rev);
	if (p->tw_fwd == NULL || p->rev == NULL) {
		vdaf_ntt_plan_free(p);
		return VDAF_ERR_NOMEM;
	}
	p->tw_inv = p->tw_fwd + n;
	vdaf_elem one = f->from_u64(1);
	/* pass with block 2h uses w_{2h}^j, j < h, stored at [h - 1, 2h - 1) */
	for (size_t h = 1; h < n; h *= 2) {
		vdaf_elem w;
		int rc = f->root_of_unity(vdaf_log2_pow2(2 * h), &w);
		if (rc != VDAF_OK) {
			vdaf_ntt_plan_free(p);
			return rc;
		}
		f->vec_powers(p->tw_fwd + h - 1, one, w, h);
		f->vec_powers(p->tw_inv + h - 1, one, f->inv(w), h);
	}
	p->n_inv = f->inv(f->from_u64((uint64_t) n));
	p->rev[0] = 0;
	for (size_t i = 1; i < n; i++) /* rev(i) from rev(i >> 1) */
		p->rev[i] = (p->rev[i >> 1] >> 1) | ((i & 1) ? n >> 1 : 0);
	return VDAF_OK;
}

void
vdaf_ntt_plan_free(vdaf_ntt_plan *p)
{
	if (p == NULL)
		return;
	free(p->tw_fwd);
	free(p->rev);
	memset(p, 0, sizeof *p);
}

static void
plan_run(const vdaf_ntt_plan *p, vdaf_elem *a, const vdaf_elem *tw)
{
	size_t n = p->n;
	for (size_t i = 0; i < n; i++) {
		size_t r = p->rev[i];
		if (i < r) {
			vdaf_elem t = a[i];
			a[i] = a[r];
			a[r] = t;
		}
	}
	for (size_t h = 1; h < n; h *= 2)
		p->f->ntt_pass(a, n, h, tw + h - 1);
}

void
vdaf_ntt_plan_forward(const vdaf_ntt_plan *p, vdaf_elem *a)
{
	plan_run(p, a, p->tw_fwd);
}

void
vdaf_ntt_plan_inverse(const vdaf_ntt_plan *p, vdaf_elem *a)
{
	plan_run(p, a, p->tw_inv);
	p->f->vec_scale(a, p->n_inv, p->n);
}

static int
ntt_once(const vdaf_field *f, vdaf_elem *a, size_t n, int inverse)
{
	if (a == NULL)
		return VDAF_ERR_INVALID;
	vdaf_ntt_plan p;
	int rc = vdaf_ntt_plan_init(&p, f, n);
	if (rc != VDAF_OK)
		return rc;
	if (inverse)
		vdaf_ntt_plan_inverse(&p, a);
	else
		vdaf_ntt_plan_forward(&p, a);
	vdaf_ntt_plan_free(&p);
	return VDAF_OK;
}

int
vdaf_ntt_forward(const vdaf_field *f, vdaf_elem *a, size_t n)
{
	return ntt_once(f, a, n, 0);
}

int
vdaf_ntt_inverse(const vdaf_field *f, vdaf_elem *a, size_t n)
{
	return ntt_once(f, a, n, 1);
}
