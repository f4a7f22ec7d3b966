/*
 * ntt.c: iterative radix-2 NTT (decimation in time) over any vdaf_field.
 *
 * forward: bit-reverse the input, then for half = 1, 2, 4, ..., n/2 apply
 * the field's ntt_pass with twiddles w_{2*half}^j, j < half. The inverse is
 * the forward transform with w^-1 followed by scaling with 1/n.
 * Twiddles for all passes are taken from one table of w_n^j (j < n/2):
 * w_{2*half}^j = w_n^(j * n / (2*half)), gathered per pass into a buffer.
 */
#include <stdlib.h>

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

static void
bit_reverse(vdaf_elem *a, size_t n, unsigned logn)
{
	for (size_t i = 0; i < n; i++) {
		size_t r = 0;
		for (unsigned b = 0; b < logn; b++)
			r |= ((i >> b) & 1u) << (logn - 1 - b);
		if (i < r) {
			vdaf_elem t = a[i];
			a[i] = a[r];
			a[r] = t;
		}
	}
}

static int
ntt_core(const vdaf_field *f, vdaf_elem *a, size_t n, int inverse)
{
	if (f == NULL || a == NULL || n == 0 || (n & (n - 1)) != 0)
		return VDAF_ERR_INVALID;
	unsigned logn = vdaf_log2_pow2(n);
	if (logn > f->two_adicity)
		return VDAF_ERR_INVALID;
	if (n == 1)
		return VDAF_OK;

	vdaf_elem w;
	int rc = f->root_of_unity(logn, &w);
	if (rc != VDAF_OK)
		return rc;
	if (inverse)
		w = f->inv(w);

	size_t half_n = n / 2;
	vdaf_elem *table = malloc(2 * half_n * sizeof *table);
	if (table == NULL)
		return VDAF_ERR_NOMEM;
	vdaf_elem *tw = table + half_n;
	f->vec_powers(table, f->from_u64(1), w, half_n); /* table[j] = w_n^j */

	bit_reverse(a, n, logn);
	for (size_t half = 1; half < n; half *= 2) {
		size_t stride = n / (2 * half);
		for (size_t j = 0; j < half; j++)
			tw[j] = table[j * stride];
		f->ntt_pass(a, n, half, tw);
	}
	free(table);

	if (inverse) {
		vdaf_elem ninv = f->inv(f->from_u64((uint64_t) n));
		f->vec_scale(a, ninv, n);
	}
	return VDAF_OK;
}

int
vdaf_ntt_forward(const vdaf_field *f, vdaf_elem *a, size_t n)
{
	return ntt_core(f, a, n, 0);
}

int
vdaf_ntt_inverse(const vdaf_field *f, vdaf_elem *a, size_t n)
{
	return ntt_core(f, a, n, 1);
}
