/*
 * test_pine_encode.c: the wraparound-check kernels (scalar, SSE2, AVX2 when
 * available) against a naive reference, for every field and awkward
 * dimensions, including the extreme value p - 1; plus the
 * gradient/norm encoding layout.
 */
#include <sodium.h>

#include "unit.h"

#include "pine/pine.h"
#include "pine/pine_internal.h"
#include "pine/pine_testing.h"

static vdaf_elem ref_check(const vdaf_field *f, const vdaf_elem *g, size_t d,
                           const uint8_t *codes)
{
	vdaf_elem acc = vdaf_elem_zero();
	for (size_t j = 0; j < d; j++) {
		unsigned t = (codes[j / 4] >> (2 * (j % 4))) & 3u;
		if (t == 0)
			acc = f->sub(acc, g[j]);
		else if (t == 3)
			acc = f->add(acc, g[j]);
	}
	return acc;
}

static void check_field(pine_variant v, uint64_t d)
{
	pine_config c;
	pine_params P;
	pine_config_defaults(&c, v);
	c.num_frac_bits = 10;
	c.l2_norm_bound = 1024;
	c.dimension = d;
	c.chunk_length = 16;
	c.chunk_length_norm_equality = 8;
	c.num_wr_checks = 9;
	c.num_wr_successes = 9;
	UNIT_CHECK(pine_params_init(&P, &c, NULL) == PINE_OK);
	const vdaf_field *f = pine_vdaf_field(&P);
	vdaf_elem *g = calloc(d, sizeof *g);
	uint8_t seed[32];
	randombytes_buf(seed, sizeof seed);
	/* random field elements, with p - 1 and 0 sprinkled in */
	UNIT_CHECK(vdaf_xof_expand_into_vec(pine_vdaf_xof(&P), f, seed, P.seed_size,
	                                    (const uint8_t *) "t", 1, NULL, 0, g, d) == VDAF_OK);
	for (size_t j = 0; j < d; j += 3)
		g[j] = f->neg(f->from_u64(1));
	if (d > 1)
		g[1] = vdaf_elem_zero();

	size_t nb = (d + 3) / 4;
	uint8_t *stream = malloc(nb * P.num_wr_checks);
	vdaf_elem res[3][9];
	uint8_t dst[7] = { 1, 2, 3, 4, 5, 6, 7 };
	for (int which = 0; which < 3; which++) {
		vdaf_xof x;
		memset(&x, 0, sizeof x);
		UNIT_CHECK(vdaf_xof_init(&x, pine_vdaf_xof(&P), seed, P.seed_size, dst, 7) == VDAF_OK);
		UNIT_CHECK(pine_run_wr_checks_with(&P, g, &x, res[which], which, NULL) == PINE_OK);
		vdaf_xof_free(&x);
	}
	{
		vdaf_xof x;
		memset(&x, 0, sizeof x);
		UNIT_CHECK(vdaf_xof_init(&x, pine_vdaf_xof(&P), seed, P.seed_size, dst, 7) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_next(&x, stream, nb * P.num_wr_checks) == VDAF_OK);
		vdaf_xof_free(&x);
	}
	size_t bad = 0;
	for (size_t k = 0; k < P.num_wr_checks; k++) {
		vdaf_elem want = ref_check(f, g, d, stream + k * nb);
		for (int which = 0; which < 3; which++)
			bad += !vdaf_elem_eq(res[which][k], want);
	}
	UNIT_CHECK_EQ_U64(bad, 0);
	free(stream);
	free(g);
}

static void test_wr_kernels(void)
{
	uint64_t ds[] = { 1, 2, 3, 4, 5, 7, 17, 1000, 4097 * 4 + 3 };
	pine_variant vs[] = { PINE_VARIANT_PINE64, PINE_VARIANT_PINE128,
	                      PINE_VARIANT_PINE32_HMAC_SHA256_AES128 };
	for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++)
		for (size_t j = 0; j < sizeof ds / sizeof ds[0]; j++)
			check_field(vs[i], ds[j]);
}

static void test_gradient_layout(void)
{
	pine_config c;
	pine_params P;
	pine_config_defaults(&c, PINE_VARIANT_PINE64);
	c.num_frac_bits = 2;
	c.l2_norm_bound = 8; /* sq bound 64, n_sq = 7 */
	c.dimension = 3;
	c.chunk_length = 4;
	c.chunk_length_norm_equality = 2;
	UNIT_CHECK(pine_params_init(&P, &c, NULL) == PINE_OK);
	UNIT_CHECK_EQ_U64(P.num_bits_for_sq_norm, 7);
	const vdaf_field *f = pine_vdaf_field(&P);
	double x[3] = { 1.0, -0.5, 0.3 }; /* 4, -2, floor(1.2) = 1 -> sq = 21 */
	vdaf_elem out[3 + 14];
	UNIT_CHECK(pine_encode_gradient_and_norm(&P, x, out, 0, NULL) == PINE_OK);
	uint64_t v[2];
	f->to_u128(out[0], v);
	UNIT_CHECK(v[0] == 4);
	f->to_u128(out[1], v);
	UNIT_CHECK(v[0] == 0xffffffff00000001ULL - 2);
	f->to_u128(out[2], v);
	UNIT_CHECK(v[0] == 1);
	/* bits(21) = 1 0 1 0 1 0 0 ; bits(64 - 21 = 43) = 1 1 0 1 0 1 0 */
	const int sqb[7] = { 1, 0, 1, 0, 1, 0, 0 }, ub[7] = { 1, 1, 0, 1, 0, 1, 0 };
	for (int i = 0; i < 7; i++) {
		f->to_u128(out[3 + i], v);
		UNIT_CHECK(v[0] == (uint64_t) sqb[i]);
		f->to_u128(out[10 + i], v);
		UNIT_CHECK(v[0] == (uint64_t) ub[i]);
	}
	/* exactly on the bound: 8 * 8 = 64 */
	double y[3] = { 2.0, 0.0, 0.0 };
	UNIT_CHECK(pine_encode_gradient_and_norm(&P, y, out, 0, NULL) == PINE_OK);
	double z[3] = { 2.0, 0.25, 0.0 }; /* 64 + 1 */
	UNIT_CHECK(pine_encode_gradient_and_norm(&P, z, out, 0, NULL) == PINE_ERR_NORM);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_wr_kernels);
	UNIT_RUN(test_gradient_layout);
	return UNIT_DONE();
}
