/*
 * field_util.c: field helpers written once on top of the descriptor:
 * lookup by name/id, bit (de)composition, batch inversion.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "vdaf/field.h"

const vdaf_field *
vdaf_field_by_name(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "Field64") == 0)
		return &vdaf_field64;
	if (strcmp(name, "Field128") == 0)
		return &vdaf_field128;
	if (strcmp(name, "Field32") == 0)
		return &vdaf_field32;
	if (strcmp(name, "Field40") == 0)
		return &vdaf_field40;
	return NULL;
}

const vdaf_field *
vdaf_field_by_id(vdaf_field_id id)
{
	switch (id) {
	case VDAF_FIELD64: return &vdaf_field64;
	case VDAF_FIELD128: return &vdaf_field128;
	case VDAF_FIELD32: return &vdaf_field32;
	case VDAF_FIELD40: return &vdaf_field40;
	}
	return NULL;
}

int
vdaf_field_encode_bits(const vdaf_field *f, vdaf_elem *out, uint64_t lo, uint64_t hi, size_t n)
{
	if (f == NULL || n > 128 || (n > 0 && out == NULL))
		return VDAF_ERR_INVALID;
	/* v < 2^n ? */
	if (n < 64) {
		if (hi != 0 || (lo >> n) != 0)
			return VDAF_ERR_INVALID;
	} else if (n < 128) {
		if ((hi >> (n - 64)) != 0)
			return VDAF_ERR_INVALID;
	}
	vdaf_elem zero = vdaf_elem_zero(), one = f->from_u64(1);
	for (size_t i = 0; i < n; i++) {
		uint64_t bit = i < 64 ? (lo >> i) & 1u : (hi >> (i - 64)) & 1u;
		out[i] = vdaf_elem_select(0 - bit, one, zero);
	}
	return VDAF_OK;
}

int
vdaf_field_decode_bits(const vdaf_field *f, vdaf_elem *out, const vdaf_elem *b, size_t n)
{
	if (f == NULL || out == NULL || (n > 0 && b == NULL))
		return VDAF_ERR_INVALID;
	/* p >> n == 0  <=>  n >= bit length of p */
	if (n >= f->modulus_bits)
		return VDAF_ERR_INVALID;
	/* Horner from the top bit: acc = 2*acc + b[i] */
	vdaf_elem acc = vdaf_elem_zero();
	for (size_t i = n; i-- > 0;)
		acc = f->add(f->add(acc, acc), b[i]);
	*out = acc;
	return VDAF_OK;
}

int
vdaf_field_batch_inv(const vdaf_field *f, vdaf_elem *out, const vdaf_elem *a, size_t n)
{
	if (f == NULL || (n > 0 && (out == NULL || a == NULL)))
		return VDAF_ERR_INVALID;
	if (n == 0)
		return VDAF_OK;
	if (n > SIZE_MAX / sizeof(vdaf_elem))
		return VDAF_ERR_NOMEM;
	vdaf_elem *pre = malloc(n * sizeof *pre);
	if (pre == NULL)
		return VDAF_ERR_NOMEM;
	/* pre[i] = a[0] * ... * a[i] */
	vdaf_elem acc = f->from_u64(1);
	for (size_t i = 0; i < n; i++) {
		acc = f->mul(acc, a[i]);
		pre[i] = acc;
	}
	if (vdaf_elem_is_zero(acc)) {
		free(pre);
		return VDAF_ERR_INVALID;
	}
	vdaf_elem inv = f->inv(acc);
	for (size_t i = n; i-- > 1;) {
		vdaf_elem ai = a[i]; /* read before out[i] may overwrite it */
		out[i] = f->mul(inv, pre[i - 1]);
		inv = f->mul(inv, ai);
	}
	out[0] = inv;
	sodium_memzero(pre, n * sizeof *pre);
	free(pre);
	return VDAF_OK;
}
