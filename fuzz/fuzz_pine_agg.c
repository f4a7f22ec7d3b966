/*
 * fuzz_pine_agg: output/aggregate shares fed to the aggregation functions
 * on encoded bytes, pine_agg_add and pine_vec_add_encoded, checked against
 * the field implementation of src/core/vdaf (a differential test).
 *
 * Input: byte 0: ctx = b0 % PX_NCTX; sel = b0 / PX_NCTX: Aggregator
 * j = sel % S, report = (sel / S) & 1. The rest is the share.
 * pine_agg_add: the accumulator starts as the genuine output share of
 * report `report` of Aggregator j; the fuzzed share is added.
 * pine_vec_add_encoded: over n = len / E elements of the context's field,
 * with a canonical accumulator cycled from the genuine aggregate share.
 * Checked: success exactly when the lengths are right and every element is
 * canonical (pine_vec_check_encoded, and the field's own decode_vec agree);
 * on failure the accumulator is unchanged; on success it equals decode ->
 * vec_add -> encode with the vdaf field, and is canonical.
 * pine_dp_add_noise_rng (DP on aggregate shares): the input as an aggregate
 * share, noised with a fixed test randomness: success exactly when the
 * length is right and every element canonical; the result is canonical;
 * on failure the share is unchanged.
 */
#include "pine_fixture.h"
#include "pine/pine_internal.h"
#include "pine/pine_testing.h"

/* acc + src with the vdaf field, or -1 if src does not decode. */
static int
field_add(const vdaf_field *f, const uint8_t *acc, const uint8_t *src, size_t n, uint8_t *sum)
{
	vdaf_elem *a = calloc(n ? n : 1, sizeof *a), *b = calloc(n ? n : 1, sizeof *b);
	FUZZ_CHECK(a != NULL && b != NULL);
	FUZZ_CHECK(f->decode_vec(a, n, acc, n * f->encoded_size) == VDAF_OK);
	int rc = f->decode_vec(b, n, src, n * f->encoded_size);
	if (rc == VDAF_OK) {
		f->vec_add(a, b, n);
		f->encode_vec(sum, a, n);
	}
	free(a);
	free(b);
	return rc == VDAF_OK ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	const pine_ctx *C = &px_ctx[data[0] % PX_NCTX];
	const pine_params *P = &C->P;
	const vdaf_field *f = pine_vdaf_field(P);
	unsigned sel = data[0] / PX_NCTX, S = P->num_shares;
	unsigned j = sel % S;
	int rep = (sel / S) & 1;
	size_t len = size - 1, E = P->elem_size, d = P->dimension;
	uint8_t *share = fuzz_dup(data + 1, len);
	FUZZ_CHECK(f->encoded_size == E && pine_field_elem_size(P->field) == E);

	/* pine_agg_add */
	{
		uint8_t *acc = fuzz_dup(C->out[rep][j], P->agg_share_len);
		uint8_t *want = px_alloc(P->agg_share_len);
		pine_status st = pine_agg_add(P, acc, P->agg_share_len, share, len, NULL);
		if (len != P->out_share_len) {
			FUZZ_CHECK(st == PINE_ERR_MALFORMED);
		} else {
			int ok = field_add(f, C->out[rep][j], share, d, want) == 0;
			FUZZ_CHECK((st == PINE_OK) == ok);
			FUZZ_CHECK((pine_vec_check_encoded(P->field, share, d) == PINE_OK) == ok);
			if (!ok)
				FUZZ_CHECK(st == PINE_ERR_NONCANONICAL);
		}
		if (st == PINE_OK) {
			FUZZ_CHECK(memcmp(acc, want, P->agg_share_len) == 0);
			FUZZ_CHECK(pine_vec_check_encoded(P->field, acc, d) == PINE_OK);
		} else {
			FUZZ_CHECK(memcmp(acc, C->out[rep][j], P->agg_share_len) == 0);
		}
		free(acc);
		free(want);
	}

	/* pine_dp_add_noise_rng: the input as an aggregate share */
	{
		uint8_t *agg = fuzz_dup(share, len), seed[32] = { 0 };
		dp_test_rng tr;
		seed[0] = data[0];
		dp_rng rng = dp_test_rng_init(&tr, seed);
		pine_dp_mechanism m = (data[0] & 1) ? PINE_DP_DISCRETE_GAUSSIAN : PINE_DP_DISCRETE_LAPLACE;
		pine_status st = pine_dp_add_noise_rng(P, m, 3.5, agg, len, &rng, NULL);
		int ok = len == P->agg_share_len && pine_vec_check_encoded(P->field, share, d) == PINE_OK;
		FUZZ_CHECK((st == PINE_OK) == ok);
		if (ok)
			FUZZ_CHECK(pine_vec_check_encoded(P->field, agg, d) == PINE_OK);
		else
			FUZZ_CHECK(memcmp(agg, share, len) == 0);
		free(agg);
	}

	/* pine_vec_add_encoded over every whole element of the input */
	{
		size_t n = len / E;
		uint8_t *acc = px_alloc(n * E), *before, *want = px_alloc(n * E);
		for (size_t i = 0; i < n; i++)
			memcpy(acc + i * E, C->agg[j] + (i % d) * E, E);
		before = fuzz_dup(acc, n * E);
		uint8_t *src = fuzz_dup(share, n * E);
		pine_status st = pine_vec_add_encoded(P->field, acc, src, n);
		int ok = field_add(f, before, src, n, want) == 0;
		FUZZ_CHECK((st == PINE_OK) == ok);
		if (ok)
			FUZZ_CHECK(n == 0 || memcmp(acc, want, n * E) == 0);
		else
			FUZZ_CHECK(st == PINE_ERR_NONCANONICAL && memcmp(acc, before, n * E) == 0);
		free(acc);
		free(before);
		free(want);
		free(src);
	}
	free(share);
	return 0;
}
