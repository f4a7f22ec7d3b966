/*
 * test_vdaf_xof.c: XofTurboShake128 (VDAF-11 framing) and XofHmacSha256Aes128
 * against test/vectors/vdaf-11/Xof*.json, plus rejection sampling, prefix
 * property, incremental binders, DST formats and argument checks.
 */
#include "unit.h"
#include "vecjson.h"

#include "vdaf/xof.h"

#define VEC_DIR "../vectors/vdaf-11/"

static void
check_vector_file(const char *path, vdaf_xof_kind kind)
{
	vj_value *root = vj_load_file(path);
	UNIT_CHECK(root != NULL);
	if (root == NULL)
		return;
	uint8_t *seed = NULL, *dst = NULL, *binder = NULL, *derived = NULL, *expanded = NULL;
	size_t seed_len, dst_len, binder_len, derived_len, expanded_len;
	uint64_t length = 0;
	UNIT_CHECK(vj_hex_alloc(vj_get(root, "seed"), &seed, &seed_len) == 0);
	UNIT_CHECK(vj_hex_alloc(vj_get(root, "dst"), &dst, &dst_len) == 0);
	UNIT_CHECK(vj_hex_alloc(vj_get(root, "binder"), &binder, &binder_len) == 0);
	UNIT_CHECK(vj_hex_alloc(vj_get(root, "derived_seed"), &derived, &derived_len) == 0);
	UNIT_CHECK(vj_hex_alloc(vj_get(root, "expanded_vec_field128"), &expanded, &expanded_len) == 0);
	UNIT_CHECK(vj_u64(vj_get(root, "length"), &length) == 0);
	if (unit_current_failed)
		goto out;
	UNIT_CHECK_EQ_U64(seed_len, vdaf_xof_seed_size(kind));
	UNIT_CHECK_EQ_U64(derived_len, vdaf_xof_seed_size(kind));

	uint8_t out[VDAF_XOF_MAX_SEED_SIZE];
	UNIT_CHECK(vdaf_xof_derive_seed(kind, seed, seed_len, dst, dst_len, binder, binder_len,
	                                out) == VDAF_OK);
	UNIT_CHECK_MEM(out, derived, derived_len);

	const vdaf_field *f = &vdaf_field128;
	vdaf_elem *vec = malloc(length * sizeof *vec);
	uint8_t *enc = malloc(length * f->encoded_size);
	UNIT_CHECK(vec != NULL && enc != NULL);
	if (vec != NULL && enc != NULL) {
		UNIT_CHECK(vdaf_xof_expand_into_vec(kind, f, seed, seed_len, dst, dst_len, binder,
		                                    binder_len, vec, length) == VDAF_OK);
		f->encode_vec(enc, vec, length);
		UNIT_CHECK_EQ_U64(expanded_len, length * f->encoded_size);
		UNIT_CHECK_MEM(enc, expanded, expanded_len);

		/* same through the incremental API, binder in two pieces, next_vec in pieces */
		vdaf_xof x;
		UNIT_CHECK(vdaf_xof_init(&x, kind, seed, seed_len, dst, dst_len) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_update(&x, binder, 3) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_update(&x, binder + 3, binder_len - 3) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_next_vec(&x, f, vec, 7) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_next_vec(&x, f, vec + 7, length - 7) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_update(&x, binder, 1) == VDAF_ERR_INVALID); /* too late */
		vdaf_xof_free(&x);
		f->encode_vec(enc, vec, length);
		UNIT_CHECK_MEM(enc, expanded, expanded_len);

		/* raw stream: for Field128 no candidate was rejected here, so the
		 * byte stream equals the expansion */
		uint8_t raw[16 * 40];
		UNIT_CHECK(vdaf_xof_init(&x, kind, seed, seed_len, dst, dst_len) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_update(&x, binder, binder_len) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_next(&x, raw, 5) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_next(&x, raw + 5, 300) == VDAF_OK);
		UNIT_CHECK(vdaf_xof_next(&x, raw + 305, sizeof raw - 305) == VDAF_OK);
		vdaf_xof_free(&x);
		UNIT_CHECK_MEM(raw, expanded, expanded_len < sizeof raw ? expanded_len : sizeof raw);

		/* prefix property */
		vdaf_elem shortv[5];
		UNIT_CHECK(vdaf_xof_expand_into_vec(kind, f, seed, seed_len, dst, dst_len, binder,
		                                    binder_len, shortv, 5) == VDAF_OK);
		UNIT_CHECK_MEM(shortv, vec, sizeof shortv);
	}
	free(vec);
	free(enc);
out:
	free(seed);
	free(dst);
	free(binder);
	free(derived);
	free(expanded);
	vj_free(root);
}

static void
test_turboshake128_vector(void)
{
	check_vector_file(VEC_DIR "XofTurboShake128.json", VDAF_XOF_TURBOSHAKE128);
}

static void
test_hmacsha256aes128_vector(void)
{
	check_vector_file(VEC_DIR "XofHmacSha256Aes128.json", VDAF_XOF_HMACSHA256_AES128);
}

/*
 * Field32 rejection sampling. Expected values were computed once with the
 * project's independent Python model (tools/pine-model, itself validated
 * against the official VDAF-11 and PINE-01 vectors): dst = "domain separation
 * tag", seed = 00 01 02 ..., binder = the 2 bytes below. The TurboSHAKE stream
 * has a candidate >= p at draw 2 and the HMAC/AES stream at draw 9, so the
 * 10 elements are read from 11 candidates.
 */
static void
test_field32_rejection(void)
{
	static const struct {
		vdaf_xof_kind kind;
		uint8_t binder[2];
		const char *want;
	} cases[] = {
		{ VDAF_XOF_TURBOSHAKE128, { 0x01, 0x3c },
		  "70797c784c1bb38d5a36d140a547503990cbf9d86eae1b1dfefd22654b0f719c793f4be5f180099b" },
		{ VDAF_XOF_HMACSHA256_AES128, { 0x00, 0x71 },
		  "c93bbf7f1481a5990f915518e7afacfe39fed5f4aed7abeeabb9d2f2428f2d0eb0edc5bec07e65c4" },
	};
	const char *dst = "domain separation tag";
	uint8_t seed[32];
	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t) i;
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		const vdaf_field *f = &vdaf_field32;
		vdaf_elem v[10];
		uint8_t enc[40], want[40], raw[44];
		UNIT_CHECK(unit_hex_decode(cases[c].want, want, sizeof want) == 40);
		size_t sl = vdaf_xof_seed_size(cases[c].kind);
		UNIT_CHECK(vdaf_xof_expand_into_vec(cases[c].kind, f, seed, sl, (const uint8_t *) dst,
		                                    strlen(dst), cases[c].binder, 2, v, 10) == VDAF_OK);
		f->encode_vec(enc, v, 10);
		UNIT_CHECK_MEM(enc, want, 40);
		/* the stream position afterwards: exactly 11 candidates consumed */
		vdaf_xof x;
		uint8_t after[4], raw_after[4];
		UNIT_CHECK(vdaf_xof_init(&x, cases[c].kind, seed, sl, (const uint8_t *) dst,
		                         strlen(dst)) == VDAF_OK);
		vdaf_xof_update(&x, cases[c].binder, 2);
		vdaf_xof_next_vec(&x, f, v, 10);
		vdaf_xof_next(&x, after, 4);
		vdaf_xof_free(&x);
		UNIT_CHECK(vdaf_xof_init(&x, cases[c].kind, seed, sl, (const uint8_t *) dst,
		                         strlen(dst)) == VDAF_OK);
		vdaf_xof_update(&x, cases[c].binder, 2);
		vdaf_xof_next(&x, raw, sizeof raw);
		vdaf_xof_next(&x, raw_after, 4);
		vdaf_xof_free(&x);
		UNIT_CHECK_MEM(after, raw_after, 4);
	}
}

static void
test_update_vec(void)
{
	/* binder = encvec(v) streamed equals binder given as bytes */
	const vdaf_field *f = &vdaf_field64;
	enum { N = 700 };
	static vdaf_elem v[N];
	static uint8_t enc[N * 8];
	for (size_t i = 0; i < N; i++)
		v[i] = f->from_u64(i * 0x9e3779b97f4a7c15ULL);
	f->encode_vec(enc, v, N);
	uint8_t seed[16] = { 1 }, dst[7] = { 1, 0xff, 0xff, 0xff, 0xff, 0, 7 };
	uint8_t a[16], b[16];
	vdaf_xof x;
	vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, seed, 16, dst, 7);
	vdaf_xof_update(&x, (const uint8_t *) "\x01", 1);
	UNIT_CHECK(vdaf_xof_update_vec(&x, f, v, N) == VDAF_OK);
	vdaf_xof_next(&x, a, 16);
	vdaf_xof_free(&x);
	vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, seed, 16, dst, 7);
	vdaf_xof_update(&x, (const uint8_t *) "\x01", 1);
	vdaf_xof_update(&x, enc, sizeof enc);
	vdaf_xof_next(&x, b, 16);
	vdaf_xof_free(&x);
	UNIT_CHECK_MEM(a, b, 16);
}

static void
test_dst_and_args(void)
{
	uint8_t d11[8], dp[7];
	vdaf_dst_vdaf11(d11, 0, 3, 7);
	UNIT_CHECK_MEM(d11, "\x08\x00\x00\x00\x00\x03\x00\x07", 8);
	vdaf_dst_pine(dp, VDAF_PINE_VERSION, 0xFFFF1004u, 10);
	UNIT_CHECK_MEM(dp, "\x01\xff\xff\x10\x04\x00\x0a", 7);

	uint8_t seed[32] = { 0 }, dst[256] = { 0 }, out[32];
	vdaf_xof x;
	UNIT_CHECK(vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, seed, 32, dst, 1) == VDAF_ERR_INVALID);
	vdaf_xof_free(&x);
	UNIT_CHECK(vdaf_xof_init(&x, VDAF_XOF_HMACSHA256_AES128, seed, 16, dst, 1) == VDAF_ERR_INVALID);
	vdaf_xof_free(&x);
	UNIT_CHECK(vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, seed, 16, dst, 256) == VDAF_ERR_INVALID);
	vdaf_xof_free(&x);
	UNIT_CHECK(vdaf_xof_init(&x, (vdaf_xof_kind) 9, seed, 16, dst, 1) == VDAF_ERR_INVALID);
	vdaf_xof_free(&x);
	UNIT_CHECK(vdaf_xof_derive_seed(VDAF_XOF_TURBOSHAKE128, seed, 16, dst, 255, NULL, 0, out) ==
	           VDAF_OK);
	/* next on a freed (zeroed) xof is refused, not a crash */
	UNIT_CHECK(vdaf_xof_next(&x, out, 4) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_xof_kind_by_name("XofTurboShake128") == VDAF_XOF_TURBOSHAKE128);
	UNIT_CHECK(vdaf_xof_kind_by_name("XofHmacSha256Aes128") == VDAF_XOF_HMACSHA256_AES128);
	UNIT_CHECK(vdaf_xof_kind_by_name("XofFixedKeyAes128") == 0);
}

int
main(void)
{
	UNIT_RUN(test_turboshake128_vector);
	UNIT_RUN(test_hmacsha256aes128_vector);
	UNIT_RUN(test_field32_rejection);
	UNIT_RUN(test_update_vec);
	UNIT_RUN(test_dst_and_args);
	return UNIT_DONE();
}
