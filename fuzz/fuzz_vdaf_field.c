/*
 * fuzz_vdaf_field: the field-element decoders under every PINE message
 * (vdaf_field.decode_vec of Field64, Field128, Field32 and Field40) and PINE's own
 * check on encoded bytes (pine_vec_check_encoded).
 *
 * Input: byte 0: field = b0 % 4 (PINE numbering: 64, 128, 32, 40); the rest is
 * n = len / E encoded elements (decode_vec also sees the exact length, so
 * lengths that are not a multiple of E are exercised too).
 * Checked: decode_vec accepts exactly when the length is n * E and
 * pine_vec_check_encoded accepts; an accepted vector encodes back to the
 * same bytes, and survives to_u128/from_u128, a + b - b, a * 1, and
 * a * a^-1 = 1 for a != 0 (the first four elements).
 */
#include "fuzz_common.h"
#include "pine/pine_internal.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	static const pine_field_id ids[4] = { PINE_FIELD64, PINE_FIELD128, PINE_FIELD32, PINE_FIELD40 };
	static const vdaf_field *const fields[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32,
	                                             &vdaf_field40 };
	int k = data[0] % 4;
	const vdaf_field *f = fields[k];
	size_t len = size - 1, E = f->encoded_size, n = len / E;
	FUZZ_CHECK(E == pine_field_elem_size(ids[k]));
	uint8_t *in = fuzz_dup(data + 1, len);
	vdaf_elem *v = calloc(n ? n : 1, sizeof *v), *w = calloc(n ? n : 1, sizeof *w);
	FUZZ_CHECK(v != NULL && w != NULL);
	int rc = f->decode_vec(v, n, in, len);
	int canonical = pine_vec_check_encoded(ids[k], in, n) == PINE_OK;
	FUZZ_CHECK((rc == VDAF_OK) == (len == n * E && canonical));
	if (rc == VDAF_OK) {
		uint8_t *enc = malloc(len ? len : 1);
		FUZZ_CHECK(enc != NULL);
		f->encode_vec(enc, v, n);
		FUZZ_CHECK(fuzz_eq(enc, len, in, len));
		vdaf_elem one = f->from_u64(1);
		for (size_t i = 0; i < n; i++) {
			uint64_t u[2];
			f->to_u128(v[i], u);
			FUZZ_CHECK(vdaf_elem_eq(f->from_u128(u[0], u[1]), v[i]));
			vdaf_elem b = v[(i + 1) % n];
			FUZZ_CHECK(vdaf_elem_eq(f->sub(f->add(v[i], b), b), v[i]));
			FUZZ_CHECK(vdaf_elem_eq(f->mul(v[i], one), v[i]));
			FUZZ_CHECK(vdaf_elem_eq(f->mul(v[i], b), f->mul(b, v[i])));
			/* inv is an exponentiation: only for the first few, to stay fast */
			if (i < 4 && !vdaf_elem_is_zero(v[i]))
				FUZZ_CHECK(vdaf_elem_eq(f->mul(v[i], f->inv(v[i])), one));
		}
		/* the vector ops agree with the scalar ones */
		memcpy(w, v, n * sizeof *v);
		f->vec_add(w, v, n);
		for (size_t i = 0; i < n; i++)
			FUZZ_CHECK(vdaf_elem_eq(w[i], f->add(v[i], v[i])));
		free(enc);
	}
	free(in);
	free(v);
	free(w);
	return 0;
}
