/*
 * fuzz_pine_unshard: aggregate shares and the batch size, fed to the
 * collector's pine_unshard, checked against the vdaf field and
 * pine_decode_value (a differential test).
 *
 * Input: byte 0: ctx = b0 % PX_NCTX. Bytes 1..8: num_measurements
 * (big-endian u64; missing bytes count as 0). The rest: S aggregate shares
 * of agg_share_len bytes each, the last taking whatever is left.
 * Checked: unshard succeeds exactly when every length is right, the batch
 * is within max_measurements and every element is canonical; then every
 * result is finite and equals the signed decoding of the field sum.
 */
#include "pine_fixture.h"
#include "pine/pine_internal.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	const pine_ctx *C = &px_ctx[data[0] % PX_NCTX];
	const pine_params *P = &C->P;
	const vdaf_field *f = pine_vdaf_field(P);
	size_t S = P->num_shares, d = P->dimension, E = P->elem_size;
	const uint8_t *p = data + 1;
	size_t rest = size - 1;
	uint64_t num = 0;
	for (int i = 0; i < 8; i++) {
		num <<= 8;
		if (rest > 0) {
			num |= *p++;
			rest--;
		}
	}
	uint8_t *shares[PX_MAXS];
	size_t lens[PX_MAXS];
	int lens_ok = 1, canonical = 1;
	for (size_t j = 0; j < S; j++) {
		size_t n = j == S - 1 ? rest : (rest < P->agg_share_len ? rest : P->agg_share_len);
		shares[j] = fuzz_dup(p, n);
		lens[j] = n;
		p += n;
		rest -= n;
		if (n != P->agg_share_len)
			lens_ok = 0;
		else if (pine_vec_check_encoded(P->field, shares[j], d) != PINE_OK)
			canonical = 0;
	}
	double *res = calloc(d, sizeof(double));
	FUZZ_CHECK(res != NULL);
	pine_status st = pine_unshard(P, (const uint8_t *const *) shares, lens, S, num, res, NULL);
	int ok = lens_ok && canonical && num <= P->max_measurements;
	FUZZ_CHECK((st == PINE_OK) == ok);
	if (ok) {
		vdaf_elem *sum = calloc(d, sizeof *sum), *v = calloc(d, sizeof *v);
		FUZZ_CHECK(sum != NULL && v != NULL);
		for (size_t j = 0; j < S; j++) {
			FUZZ_CHECK(f->decode_vec(v, d, shares[j], d * E) == VDAF_OK);
			f->vec_add(sum, v, d);
		}
		for (size_t i = 0; i < d; i++) {
			uint64_t w[2];
			f->to_u128(sum[i], w);
			double want = pine_decode_value(P, w);
			FUZZ_CHECK(isfinite(res[i]));
			FUZZ_CHECK(memcmp(&want, &res[i], sizeof want) == 0);
		}
		free(sum);
		free(v);
	}
	free(res);
	for (size_t j = 0; j < S; j++)
		free(shares[j]);
	return 0;
}
