/*
 * test_vdaf_field.c: Field64 / Field128 / Field32 / Field40 arithmetic, encodings,
 * roots of unity, vector operations and bit helpers.
 */
#include "unit.h"
#include "field_kat.h"

#include "vdaf/field.h"
#include "vdaf/xof.h"

static vdaf_elem
from_limbs(const vdaf_field *f, const uint64_t v[2])
{
	return f->from_u128(v[0], v[1]);
}

static int
elem_is(const vdaf_field *f, vdaf_elem e, const uint64_t want[2])
{
	uint64_t got[2];
	f->to_u128(e, got);
	return got[0] == want[0] && got[1] == want[1];
}

static void
check_kats(const vdaf_field *f, const field_kat *k, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		vdaf_elem a = from_limbs(f, k[i].a), b = from_limbs(f, k[i].b);
		UNIT_CHECK(elem_is(f, a, k[i].a));
		UNIT_CHECK(elem_is(f, f->add(a, b), k[i].sum));
		UNIT_CHECK(elem_is(f, f->sub(a, b), k[i].diff));
		UNIT_CHECK(elem_is(f, f->mul(a, b), k[i].prod));
		UNIT_CHECK(elem_is(f, f->inv(a), k[i].inv_a));
		UNIT_CHECK(vdaf_elem_is_zero(f->add(a, f->neg(a))));
		if (!vdaf_elem_is_zero(a))
			UNIT_CHECK(vdaf_elem_eq(f->mul(a, f->inv(a)), f->from_u64(1)));
	}
}

static void
test_field64_kats(void)
{
	check_kats(&vdaf_field64, f64_kats, sizeof f64_kats / sizeof f64_kats[0]);
}

static void
test_field128_kats(void)
{
	check_kats(&vdaf_field128, f128_kats, sizeof f128_kats / sizeof f128_kats[0]);
}

static void
test_field32_kats(void)
{
	check_kats(&vdaf_field32, f32_kats, sizeof f32_kats / sizeof f32_kats[0]);
}

static void
test_field40_kats(void)
{
	check_kats(&vdaf_field40, f40_kats, sizeof f40_kats / sizeof f40_kats[0]);
}

/* Known principal 2^k-th roots of unity of each field, and k beyond the 2-adicity refused. */
static void
test_roots_of_unity(void)
{
	const vdaf_field *f;
	vdaf_elem w;
	uint64_t v[2];

	f = &vdaf_field64;
	UNIT_CHECK(f->root_of_unity(1, &w) == VDAF_OK);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 0xffffffff00000000ULL); /* w_2 = p - 1 */
	f->root_of_unity(2, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 281474976710656ULL);
	f->root_of_unity(3, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 0xfffffffeff000001ULL);
	f->root_of_unity(4, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 0xefffffff00000001ULL);
	UNIT_CHECK(f->root_of_unity(33, &w) == VDAF_ERR_INVALID);
	f->root_of_unity(32, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 0x185629dcda58878cULL);

	f = &vdaf_field128;
	f->root_of_unity(2, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[1], 0xdf4981abeb6a99b8ULL);
	UNIT_CHECK_EQ_U64(v[0], 0x03fc828afa9f535fULL);
	f->root_of_unity(3, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[1], 0x68ed3c9331b205f0ULL);
	UNIT_CHECK_EQ_U64(v[0], 0x72e9a4dd30ccc31dULL);
	f->root_of_unity(4, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[1], 0xd1208f148ee09c16ULL);
	UNIT_CHECK_EQ_U64(v[0], 0x4eac042af4bf3f14ULL);
	UNIT_CHECK(f->root_of_unity(67, &w) == VDAF_ERR_INVALID);
	f->root_of_unity(66, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[1], 0x6d278fbf4f60228bULL);
	UNIT_CHECK_EQ_U64(v[0], 0x1f9b2759c5109f06ULL);

	f = &vdaf_field32;
	f->root_of_unity(2, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 37101870);
	f->root_of_unity(3, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 3598607238ULL);
	f->root_of_unity(4, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 840366823);
	f->root_of_unity(20, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 3925978153ULL);
	UNIT_CHECK(f->root_of_unity(21, &w) == VDAF_ERR_INVALID);

	/* Field40: generator 7^1048555 (draft-chen-cfrg-vdaf-pine-02) */
	f = &vdaf_field40;
	f->root_of_unity(1, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 1099489607680ULL); /* p - 1 */
	f->root_of_unity(2, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 225297462784ULL);
	f->root_of_unity(3, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 995430674536ULL);
	f->root_of_unity(4, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 416190751928ULL);
	f->root_of_unity(20, &w);
	f->to_u128(w, v);
	UNIT_CHECK_EQ_U64(v[0], 395974995317ULL);
	UNIT_CHECK(f->root_of_unity(21, &w) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_elem_eq(w, f->pow(f->from_u64(7), 1048555)));

	/* generator has exact order 2^two_adicity: g^(2^(k-1)) = -1 */
	const vdaf_field *all[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32, &vdaf_field40 };
	for (int i = 0; i < 4; i++) {
		f = all[i];
		f->root_of_unity(f->two_adicity, &w);
		for (unsigned k = 1; k < f->two_adicity; k++)
			w = f->mul(w, w);
		UNIT_CHECK(vdaf_elem_eq(w, f->neg(f->from_u64(1))));
	}
}

static void
test_encode_decode(void)
{
	const vdaf_field *all[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32, &vdaf_field40 };
	for (int i = 0; i < 4; i++) {
		const vdaf_field *f = all[i];
		size_t e = f->encoded_size;
		uint8_t buf[3 * 16], pbytes[16];
		vdaf_elem v[3], back[3];
		v[0] = f->from_u64(0x0102030405060708ULL);
		v[1] = f->neg(f->from_u64(1)); /* p - 1 */
		v[2] = f->from_u64(0);
		f->encode_vec(buf, v, 3);
		UNIT_CHECK(f->decode_vec(back, 3, buf, 3 * e) == VDAF_OK);
		UNIT_CHECK_MEM(back, v, sizeof v);
		/* p - 1 little-endian is modulus - 1 */
		for (size_t j = 0; j < e; j++)
			pbytes[j] = (uint8_t) (f->modulus[j / 8] >> (8 * (j % 8)));
		UNIT_CHECK(buf[e] == (uint8_t) (pbytes[0] - 1));
		UNIT_CHECK_MEM(buf + e + 1, pbytes + 1, e - 1);
		/* p itself is rejected, and so is 2^(8e) - 1 */
		memcpy(buf + e, pbytes, e);
		UNIT_CHECK(f->decode_vec(back, 3, buf, 3 * e) == VDAF_ERR_INVALID);
		memset(buf + e, 0xff, e);
		UNIT_CHECK(f->decode_vec(back, 3, buf, 3 * e) == VDAF_ERR_INVALID);
		/* wrong lengths */
		f->encode_vec(buf, v, 3);
		UNIT_CHECK(f->decode_vec(back, 3, buf, 3 * e - 1) == VDAF_ERR_INVALID);
		UNIT_CHECK(f->decode_vec(back, 2, buf, 3 * e) == VDAF_ERR_INVALID);
		UNIT_CHECK(f->decode_vec(back, 0, buf, 0) == VDAF_OK);
		/* known encoding: 0x0102030405060708 little-endian (mod p for Field32) */
		uint64_t c[2];
		f->to_u128(v[0], c);
		for (size_t j = 0; j < e && j < 8; j++)
			UNIT_CHECK(buf[j] == (uint8_t) (c[0] >> (8 * j)));
	}
	/* Field32 specific: 0x0102030405060708 mod 4293918721 */
	uint64_t c[2];
	vdaf_field32.to_u128(vdaf_field32.from_u64(0x0102030405060708ULL), c);
	UNIT_CHECK_EQ_U64(c[0], 0x0102030405060708ULL % 4293918721ULL);
}

/* Field40: 5-byte little-endian encoding; p = 01 00 b0 fe ff and anything
 * above it (the top byte is all the room there is) is refused. */
static void
test_field40_encoding(void)
{
	const vdaf_field *f = &vdaf_field40;
	uint64_t c[2];
	uint8_t buf[10];
	vdaf_elem v[2];
	UNIT_CHECK_EQ_U64(f->encoded_size, 5);
	UNIT_CHECK_EQ_U64(f->modulus[0], 0xfffeb00001ULL);
	f->to_u128(f->from_u64(0x0102030405060708ULL), c);
	UNIT_CHECK_EQ_U64(c[0], 372223837444ULL);
	v[0] = f->from_u64(0x0102030405ULL);
	v[1] = f->neg(f->from_u64(1));
	f->encode_vec(buf, v, 2);
	const uint8_t want[10] = { 0x05, 0x04, 0x03, 0x02, 0x01, 0x00, 0x00, 0xb0, 0xfe, 0xff };
	UNIT_CHECK_MEM(buf, want, sizeof want);
	const uint8_t p_enc[5] = { 0x01, 0x00, 0xb0, 0xfe, 0xff };
	const uint8_t above[5] = { 0x00, 0x00, 0xb1, 0xfe, 0xff };
	const uint8_t top[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
	UNIT_CHECK(f->decode_vec(v, 1, p_enc, 5) == VDAF_ERR_INVALID);
	UNIT_CHECK(f->decode_vec(v, 1, above, 5) == VDAF_ERR_INVALID);
	UNIT_CHECK(f->decode_vec(v, 1, top, 5) == VDAF_ERR_INVALID);
	UNIT_CHECK(f->decode_vec(v, 2, buf, 10) == VDAF_OK);
	f->to_u128(v[1], c);
	UNIT_CHECK_EQ_U64(c[0], 0xfffeb00000ULL);
	UNIT_CHECK(f->decode_vec(v, 2, buf, 9) == VDAF_ERR_INVALID);
	UNIT_CHECK(f->decode_vec(v, 1, buf, 8) == VDAF_ERR_INVALID);
	/* sampling: p rejected, p - 1 and 5 accepted, in stream order */
	uint8_t in[15] = { 0x01, 0x00, 0xb0, 0xfe, 0xff, 0x00, 0x00, 0xb0, 0xfe, 0xff, 5, 0, 0, 0, 0 };
	UNIT_CHECK_EQ_U64(f->sample_vec(v, 2, in, sizeof in), 2);
	f->to_u128(v[0], c);
	UNIT_CHECK_EQ_U64(c[0], 0xfffeb00000ULL);
	f->to_u128(v[1], c);
	UNIT_CHECK_EQ_U64(c[0], 5);
}

static void
test_sample_vec(void)
{
	/* Field32: candidate 0xfff00001 (= p) rejected, 0xfff00000 accepted */
	const vdaf_field *f = &vdaf_field32;
	uint8_t in[12] = { 0x01, 0x00, 0xf0, 0xff, 0x00, 0x00, 0xf0, 0xff, 0x05, 0, 0, 0 };
	vdaf_elem out[3];
	size_t got = f->sample_vec(out, 3, in, sizeof in);
	UNIT_CHECK_EQ_U64(got, 2);
	uint64_t c[2];
	f->to_u128(out[0], c);
	UNIT_CHECK_EQ_U64(c[0], 0xfff00000ULL);
	f->to_u128(out[1], c);
	UNIT_CHECK_EQ_U64(c[0], 5);
	/* max_out honoured */
	UNIT_CHECK_EQ_U64(f->sample_vec(out, 1, in, sizeof in), 1);
}

static void
test_vector_ops(void)
{
	const vdaf_field *all[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32, &vdaf_field40 };
	enum { N = 103 };
	for (int i = 0; i < 4; i++) {
		const vdaf_field *f = all[i];
		vdaf_elem a[N], b[N], t[N];
		for (size_t j = 0; j < N; j++) {
			a[j] = f->neg(f->from_u64(j * 7919 + 13)); /* near p: exercises wraps */
			b[j] = f->from_u64(0xffffffffffffffffULL - j * 104729);
		}
		vdaf_elem inner = vdaf_elem_zero(), sum = vdaf_elem_zero(), pairs = vdaf_elem_zero();
		for (size_t j = 0; j < N; j++) {
			inner = f->add(inner, f->mul(a[j], b[j]));
			sum = f->add(sum, a[j]);
		}
		for (size_t j = 0; j + 1 < N; j += 2)
			pairs = f->add(pairs, f->mul(a[j], a[j + 1]));
		UNIT_CHECK(vdaf_elem_eq(f->vec_inner(a, b, N), inner));
		UNIT_CHECK(vdaf_elem_eq(f->vec_sum(a, N), sum));
		UNIT_CHECK(vdaf_elem_eq(f->vec_pair_products(a, N / 2), pairs));

		memcpy(t, a, sizeof t);
		f->vec_add(t, b, N);
		UNIT_CHECK(vdaf_elem_eq(t[5], f->add(a[5], b[5])));
		f->vec_sub(t, b, N);
		UNIT_CHECK_MEM(t, a, sizeof t);
		f->vec_neg(t, N);
		UNIT_CHECK(vdaf_elem_eq(t[7], f->neg(a[7])));
		memcpy(t, a, sizeof t);
		f->vec_scale(t, b[3], N);
		UNIT_CHECK(vdaf_elem_eq(t[9], f->mul(a[9], b[3])));
		memcpy(t, a, sizeof t);
		f->vec_axpy(t, b[4], b, N);
		UNIT_CHECK(vdaf_elem_eq(t[11], f->add(a[11], f->mul(b[4], b[11]))));
		memcpy(t, a, sizeof t);
		f->vec_mul(t, b, N);
		UNIT_CHECK(vdaf_elem_eq(t[100], f->mul(a[100], b[100])));
		f->vec_powers(t, b[0], b[1], 4);
		UNIT_CHECK(vdaf_elem_eq(t[3], f->mul(b[0], f->pow(b[1], 3))));
	}
	/* Field64 lazy accumulation with many maximal products: n*(p-1)^2 = n mod p */
	{
		const vdaf_field *f = &vdaf_field64;
		enum { M = 5000 };
		static vdaf_elem m1[M];
		for (size_t j = 0; j < M; j++)
			m1[j] = f->neg(f->from_u64(1));
		uint64_t c[2];
		f->to_u128(f->vec_inner(m1, m1, M), c);
		UNIT_CHECK_EQ_U64(c[0], M);
		f->to_u128(f->vec_pair_products(m1, M / 2), c);
		UNIT_CHECK_EQ_U64(c[0], M / 2);
		f->to_u128(f->vec_sum(m1, M), c);
		UNIT_CHECK_EQ_U64(c[0], 0xffffffff00000001ULL - M);
	}
	/* Field40 lazy accumulation: (p-1)^2 = 1, so the sums are M and M/2 */
	{
		const vdaf_field *f = &vdaf_field40;
		enum { M = 5000 };
		static vdaf_elem m1[M];
		for (size_t j = 0; j < M; j++)
			m1[j] = f->neg(f->from_u64(1));
		uint64_t c[2];
		f->to_u128(f->vec_inner(m1, m1, M), c);
		UNIT_CHECK_EQ_U64(c[0], M);
		f->to_u128(f->vec_pair_products(m1, M / 2), c);
		UNIT_CHECK_EQ_U64(c[0], M / 2);
		f->to_u128(f->vec_sum(m1, M), c);
		UNIT_CHECK_EQ_U64(c[0], 0xfffeb00001ULL - M);
	}
}

static void
test_from_u128(void)
{
	uint64_t c[2];
	/* 2^64 mod p64 = 2^32 - 1 */
	vdaf_field64.to_u128(vdaf_field64.from_u128(0, 1), c);
	UNIT_CHECK_EQ_U64(c[0], 0xffffffffULL);
	/* (2^128 - 1) mod p64: 2^128 = -2^32, so -2^32 - 1 = p - 2^32 - 1 */
	vdaf_field64.to_u128(vdaf_field64.from_u128(~0ULL, ~0ULL), c);
	UNIT_CHECK_EQ_U64(c[0], 0xffffffff00000001ULL - 0x100000000ULL - 1);
	/* p128 reduces to 0; p128 + 5 to 5 */
	UNIT_CHECK(vdaf_elem_is_zero(vdaf_field128.from_u128(1, 0xffffffffffffffe4ULL)));
	vdaf_field128.to_u128(vdaf_field128.from_u128(6, 0xffffffffffffffe4ULL), c);
	UNIT_CHECK(c[0] == 5 && c[1] == 0);
	/* Field32: 2^64 mod p = (2^20 - 1)^2 mod p */
	vdaf_field32.to_u128(vdaf_field32.from_u128(0, 1), c);
	UNIT_CHECK_EQ_U64(c[0], ((1ULL << 20) - 1) * ((1ULL << 20) - 1) % 4293918721ULL);
	vdaf_field32.to_u128(vdaf_field32.from_u64(~0ULL), c);
	UNIT_CHECK_EQ_U64(c[0], ~0ULL % 4293918721ULL);
	/* Field40: 2^64, 2^64 - 1 and 2^128 - 1 mod p; p + 5 reduces to 5 */
	vdaf_field40.to_u128(vdaf_field40.from_u128(0, 1), c);
	UNIT_CHECK_EQ_U64(c[0], 7381974704ULL);
	vdaf_field40.to_u128(vdaf_field40.from_u64(~0ULL), c);
	UNIT_CHECK_EQ_U64(c[0], 7381974703ULL);
	vdaf_field40.to_u128(vdaf_field40.from_u128(~0ULL, ~0ULL), c);
	UNIT_CHECK_EQ_U64(c[0], 94720849187ULL);
	vdaf_field40.to_u128(vdaf_field40.from_u64(0xfffeb00006ULL), c);
	UNIT_CHECK_EQ_U64(c[0], 5);
	UNIT_CHECK(vdaf_elem_is_zero(vdaf_field40.from_u64(0xfffeb00001ULL)));
}

static void
test_bits(void)
{
	const vdaf_field *f = &vdaf_field64;
	vdaf_elem b[130], v;
	uint64_t c[2];
	UNIT_CHECK(vdaf_field_encode_bits(f, b, 100, 0, 8) == VDAF_OK);
	const int want[8] = { 0, 0, 1, 0, 0, 1, 1, 0 };
	for (int i = 0; i < 8; i++)
		UNIT_CHECK(vdaf_elem_eq(b[i], f->from_u64((uint64_t) want[i])));
	UNIT_CHECK(vdaf_field_decode_bits(f, &v, b, 8) == VDAF_OK);
	f->to_u128(v, c);
	UNIT_CHECK_EQ_U64(c[0], 100);
	UNIT_CHECK(vdaf_field_encode_bits(f, b, 256, 0, 8) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_field_encode_bits(f, b, 255, 0, 8) == VDAF_OK);
	UNIT_CHECK(vdaf_field_encode_bits(f, b, 0, 1, 64) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_field_encode_bits(f, b, 0, 1, 65) == VDAF_OK);
	UNIT_CHECK(vdaf_field_encode_bits(f, b, 0, 0, 129) == VDAF_ERR_INVALID);
	/* decode_bits refuses n >= bit length of p */
	UNIT_CHECK(vdaf_field_decode_bits(f, &v, b, 63) == VDAF_OK);
	UNIT_CHECK(vdaf_field_decode_bits(f, &v, b, 64) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_field_decode_bits(&vdaf_field32, &v, b, 32) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_field_decode_bits(&vdaf_field128, &v, b, 127) == VDAF_OK);
	/* linear: works on non-bit values too: 3 + 2*5 = 13 */
	vdaf_elem nb[2] = { f->from_u64(3), f->from_u64(5) };
	vdaf_field_decode_bits(f, &v, nb, 2);
	f->to_u128(v, c);
	UNIT_CHECK_EQ_U64(c[0], 13);
}

static void
test_batch_inv(void)
{
	const vdaf_field *f = &vdaf_field128;
	vdaf_elem a[6], inv[6];
	for (int i = 0; i < 6; i++)
		a[i] = f->from_u64((uint64_t) (i * 1000 + 7));
	UNIT_CHECK(vdaf_field_batch_inv(f, inv, a, 6) == VDAF_OK);
	for (int i = 0; i < 6; i++)
		UNIT_CHECK(vdaf_elem_eq(inv[i], f->inv(a[i])));
	/* in place */
	UNIT_CHECK(vdaf_field_batch_inv(f, a, a, 6) == VDAF_OK);
	UNIT_CHECK_MEM(a, inv, sizeof a);
	a[2] = vdaf_elem_zero();
	UNIT_CHECK(vdaf_field_batch_inv(f, inv, a, 6) == VDAF_ERR_INVALID);
}

static void
test_lookup(void)
{
	UNIT_CHECK(vdaf_field_by_name("Field64") == &vdaf_field64);
	UNIT_CHECK(vdaf_field_by_name("Field128") == &vdaf_field128);
	UNIT_CHECK(vdaf_field_by_name("Field32") == &vdaf_field32);
	UNIT_CHECK(vdaf_field_by_name("Field40") == &vdaf_field40);
	UNIT_CHECK(vdaf_field_by_name("Field48") == NULL);
	UNIT_CHECK(vdaf_field_by_id(VDAF_FIELD40) == &vdaf_field40);
	UNIT_CHECK(vdaf_field_by_id(VDAF_FIELD128) == &vdaf_field128);
	UNIT_CHECK(vdaf_elem_eq(vdaf_field64.pow(vdaf_field64.from_u64(3), 4), vdaf_field64.from_u64(81)));
}

/* decode_vec on arbitrary bytes: accepts exactly when every element is < p,
 * and then re-encodes to the same bytes. */
static void
test_decode_arbitrary(void)
{
	const vdaf_field *all[4] = { &vdaf_field64, &vdaf_field128, &vdaf_field32, &vdaf_field40 };
	uint8_t buf[4 * 16], seed[16] = { 9 }, again[4 * 16];
	vdaf_xof x;
	UNIT_CHECK(vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, seed, 16, NULL, 0) == VDAF_OK);
	for (int iter = 0; iter < 3000; iter++) {
		const vdaf_field *f = all[iter % 4];
		size_t e = f->encoded_size;
		vdaf_xof_next(&x, buf, sizeof buf);
		/* push some elements to the top of the range so both outcomes occur */
		for (size_t k = 0; k < 4; k++)
			if ((buf[k * e] & 3) == 0)
				memset(buf + k * e + 1, 0xff, e - 1);
		int all_lt = 1;
		for (size_t k = 0; k < 4; k++) {
			uint64_t lo = 0, hi = 0;
			for (size_t i = 0; i < e; i++) {
				if (i < 8)
					lo |= (uint64_t) buf[k * e + i] << (8 * i);
				else
					hi |= (uint64_t) buf[k * e + i] << (8 * (i - 8));
			}
			int lt = hi < f->modulus[1] || (hi == f->modulus[1] && lo < f->modulus[0]);
			all_lt &= lt;
		}
		vdaf_elem v[4];
		int rc = f->decode_vec(v, 4, buf, 4 * e);
		UNIT_CHECK(rc == (all_lt ? VDAF_OK : VDAF_ERR_INVALID));
		if (rc == VDAF_OK) {
			f->encode_vec(again, v, 4);
			UNIT_CHECK_MEM(again, buf, 4 * e);
		}
	}
	vdaf_xof_free(&x);
}

int
main(void)
{
	UNIT_RUN(test_field64_kats);
	UNIT_RUN(test_field128_kats);
	UNIT_RUN(test_field32_kats);
	UNIT_RUN(test_field40_kats);
	UNIT_RUN(test_roots_of_unity);
	UNIT_RUN(test_encode_decode);
	UNIT_RUN(test_field40_encoding);
	UNIT_RUN(test_sample_vec);
	UNIT_RUN(test_vector_ops);
	UNIT_RUN(test_from_u128);
	UNIT_RUN(test_bits);
	UNIT_RUN(test_batch_inv);
	UNIT_RUN(test_lookup);
	UNIT_RUN(test_decode_arbitrary);
	return UNIT_DONE();
}
