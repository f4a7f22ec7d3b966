/*
 * test_vdaf_ntt.c: NTT / inverse NTT against known values and a naive DFT.
 */
#include "unit.h"

#include "vdaf/ntt.h"

static void
test_known_values(void)
{
	/* Field64, n = 4, w_4 = 2^48, a = [1, 2, 3, 4] */
	const vdaf_field *f = &vdaf_field64;
	vdaf_elem a[4];
	for (int i = 0; i < 4; i++)
		a[i] = f->from_u64((uint64_t) i + 1);
	UNIT_CHECK(vdaf_ntt_forward(f, a, 4) == VDAF_OK);
	const uint64_t want[4] = { 0xa, 0xfffdfffeffffffffULL, 0xfffffffeffffffffULL,
	                           0x1fffffffffffeULL };
	for (int i = 0; i < 4; i++) {
		uint64_t c[2];
		f->to_u128(a[i], c);
		UNIT_CHECK_EQ_U64(c[0], want[i]);
	}
	UNIT_CHECK(vdaf_ntt_inverse(f, a, 4) == VDAF_OK);
	for (int i = 0; i < 4; i++)
		UNIT_CHECK(vdaf_elem_eq(a[i], f->from_u64((uint64_t) i + 1)));

	/* Field32, n = 8, a = [5, 0, 7, 9, 1, 2, 3, 4] */
	f = &vdaf_field32;
	const uint64_t in32[8] = { 5, 0, 7, 9, 1, 2, 3, 4 };
	const uint64_t out32[8] = { 31, 953040289, 3885798147ULL, 3479701127ULL,
	                            1, 3637693400ULL, 408120566, 517402642 };
	vdaf_elem b[8];
	for (int i = 0; i < 8; i++)
		b[i] = f->from_u64(in32[i]);
	UNIT_CHECK(vdaf_ntt_forward(f, b, 8) == VDAF_OK);
	for (int i = 0; i < 8; i++) {
		uint64_t c[2];
		f->to_u128(b[i], c);
		UNIT_CHECK_EQ_U64(c[0], out32[i]);
	}

	/* Field40 (generator 7^1048555), n = 8, the same input */
	f = &vdaf_field40;
	const uint64_t out40[8] = { 31ULL, 865008454089ULL, 820196732415ULL, 435418560769ULL, 1ULL, 937371248191ULL, 279292875258ULL, 1060670560010ULL };
	for (int i = 0; i < 8; i++)
		b[i] = f->from_u64(in32[i]);
	UNIT_CHECK(vdaf_ntt_forward(f, b, 8) == VDAF_OK);
	for (int i = 0; i < 8; i++) {
		uint64_t c[2];
		f->to_u128(b[i], c);
		UNIT_CHECK_EQ_U64(c[0], out40[i]);
	}
}

/* Compare with y[k] = sum_i a[i] w^(ik) for every size up to 128. */
static void
test_against_naive_dft(void)
{
	const vdaf_field *all[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32, &vdaf_field40 };
	for (int fi = 0; fi < 4; fi++) {
		const vdaf_field *f = all[fi];
		for (size_t n = 1; n <= 128; n *= 2) {
			vdaf_elem a[128], y[128], w;
			for (size_t i = 0; i < n; i++)
				a[i] = f->from_u64(i * i * 31 + 17 * n + 0xfedcba9876543210ULL);
			f->root_of_unity(vdaf_log2_pow2(n), &w);
			for (size_t k = 0; k < n; k++) {
				vdaf_elem acc = vdaf_elem_zero(), wk = f->pow(w, k), pw = f->from_u64(1);
				for (size_t i = 0; i < n; i++) {
					acc = f->add(acc, f->mul(a[i], pw));
					pw = f->mul(pw, wk);
				}
				y[k] = acc;
			}
			vdaf_elem t[128];
			memcpy(t, a, n * sizeof *a);
			UNIT_CHECK(vdaf_ntt_forward(f, t, n) == VDAF_OK);
			UNIT_CHECK_MEM(t, y, n * sizeof *y);
			UNIT_CHECK(vdaf_ntt_inverse(f, t, n) == VDAF_OK);
			UNIT_CHECK_MEM(t, a, n * sizeof *a);
		}
	}
}

static void
test_delta_and_errors(void)
{
	const vdaf_field *f = &vdaf_field128;
	vdaf_elem a[16] = { { { 0, 0 } } };
	a[0] = f->from_u64(1);
	UNIT_CHECK(vdaf_ntt_forward(f, a, 16) == VDAF_OK);
	for (int i = 0; i < 16; i++)
		UNIT_CHECK(vdaf_elem_eq(a[i], f->from_u64(1)));
	UNIT_CHECK(vdaf_ntt_forward(f, a, 12) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_ntt_inverse(f, a, 0) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_ntt_forward(&vdaf_field32, a, (size_t) 1 << 21) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_ntt_forward(&vdaf_field40, a, (size_t) 1 << 21) == VDAF_ERR_INVALID);
	UNIT_CHECK_EQ_U64(vdaf_next_pow2(1), 1);
	UNIT_CHECK_EQ_U64(vdaf_next_pow2(5), 8);
	UNIT_CHECK_EQ_U64(vdaf_next_pow2(64), 64);
	UNIT_CHECK_EQ_U64(vdaf_log2_pow2(64), 6);
}

/* y[k] = a(w^k) for the polynomial a (lowest degree first), O(n^2), by Horner. */
static void
eval_at_powers(const vdaf_field *f, const vdaf_elem *a, size_t n, vdaf_elem *y)
{
	vdaf_elem w, x = f->from_u64(1);
	f->root_of_unity(vdaf_log2_pow2(n), &w);
	for (size_t k = 0; k < n; k++) {
		vdaf_elem acc = vdaf_elem_zero();
		for (size_t i = n; i-- > 0;)
			acc = f->add(f->mul(acc, x), a[i]);
		y[k] = acc;
		x = f->mul(x, w);
	}
}

/* A plan's transforms against direct evaluation, every field, sizes 1..256. */
static void
test_plan(void)
{
	const vdaf_field *all[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32, &vdaf_field40 };
	for (int fi = 0; fi < 4; fi++) {
		const vdaf_field *f = all[fi];
		for (size_t n = 1; n <= 256; n *= 2) {
			vdaf_ntt_plan plan = { 0 };
			vdaf_elem a[256], t[256], y[256];
			for (size_t i = 0; i < n; i++)
				a[i] = t[i] = f->from_u64((i + 1) * 0x9e3779b97f4a7c15ULL);
			eval_at_powers(f, a, n, y);
			UNIT_CHECK(vdaf_ntt_plan_init(&plan, f, n) == VDAF_OK);
			vdaf_ntt_plan_forward(&plan, t);
			UNIT_CHECK_MEM(t, y, n * sizeof *y);
			vdaf_ntt_plan_inverse(&plan, t);
			UNIT_CHECK_MEM(t, a, n * sizeof *a);
			vdaf_ntt_plan_free(&plan);
			vdaf_ntt_plan_free(&plan); /* idempotent */
		}
	}
}

static void
test_plan_errors(void)
{
	vdaf_ntt_plan plan = { 0 };
	UNIT_CHECK(vdaf_ntt_plan_init(&plan, &vdaf_field64, 3) == VDAF_ERR_INVALID);
	vdaf_ntt_plan_free(&plan);
	UNIT_CHECK(vdaf_ntt_plan_init(&plan, &vdaf_field32, (size_t) 1 << 21) == VDAF_ERR_INVALID);
	vdaf_ntt_plan_free(&plan);
}

int
main(void)
{
	UNIT_RUN(test_known_values);
	UNIT_RUN(test_against_naive_dft);
	UNIT_RUN(test_delta_and_errors);
	UNIT_RUN(test_plan);
	UNIT_RUN(test_plan_errors);
	return UNIT_DONE();
}
