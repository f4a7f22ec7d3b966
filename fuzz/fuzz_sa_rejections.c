/*
 * fuzz_sa_rejections: rejection records (user id u64 | round u8 | status u8)
 * handed to a round close, sa_rejections_check and
 * sa_server_round_rejecting, on real images of every stage.
 *
 * Input: byte 0: stage = b0 % 5, (b0 / 5) & 1 picks the image with every
 * message of the round (1) or the one with t - 1 messages (0); the rest is
 * nrej = len / 10 records (trailing bytes beyond a whole record ignored).
 * Checked: sa_server_round_rejecting refuses exactly what
 * sa_rejections_check refuses, with the same status; on the image that can
 * close, records it accepts give an output that opens and lists the same
 * records, sorted by user id.
 */
#include "secagg_fixture.h"

static secagg_fixture F;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	fx_build(&F, 0);
	return 0;
}

static int
cmp_rec(const void *a, const void *b)
{
	uint64_t x = fuzz_be64(a), y = fuzz_be64(b);
	return x < y ? -1 : x > y;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	int stage = data[0] % FX_STAGES;
	int full = (data[0] / 5) & 1;
	const fx_buf *img = full ? &F.img_full[stage] : &F.img_partial[stage];
	uint32_t nrej = (uint32_t) ((size - 1) / SA_REJECTION_BYTES);
	uint8_t *rej = fuzz_dup(data + 1, (size_t) nrej * SA_REJECTION_BYTES);

	sa_status chk = sa_rejections_check(img->p, img->len, rej, nrej);
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_server_round_rejecting(img->p, img->len, 1, rej, nrej, &out, &out_len);
	if (chk != SA_OK)
		FUZZ_CHECK(nrej > 0 && st == chk);
	if (st != SA_OK) {
		if (chk == SA_OK)
			FUZZ_CHECK(!full);           /* the full image always closes */
		goto done;
	}
	FUZZ_CHECK(chk == SA_OK && full);
	sa_output_view ov;
	FUZZ_CHECK(sa_output_open(out, out_len, &ov) == SA_OK);
	FUZZ_CHECK(ov.rejected_count == nrej);
	FUZZ_CHECK(sa_server_validate(ov.state, ov.state_len) == SA_OK);
	if (nrej > 0) {
		qsort(rej, nrej, SA_REJECTION_BYTES, cmp_rec);
		FUZZ_CHECK(memcmp(ov.rejected, rej, (size_t) nrej * SA_REJECTION_BYTES) == 0);
		for (uint32_t i = 0; i < nrej; i++) {
			uint64_t id;
			uint8_t round;
			sa_status rs;
			sa_output_rejection_at(&ov, i, &id, &round, &rs);
			FUZZ_CHECK(round == stage && sa_status_rejects_sender(rs) && fx_user_index(&F, id) >= 0);
		}
	} else {
		/* without records the output is the one sa_server_round gives */
		FUZZ_CHECK(fuzz_eq(out, out_len, F.out[stage].p, F.out[stage].len));
	}
	sa_free(out);
done:
	free(rej);
	return 0;
}
