/*
 * fuzz_sa_client_state: client state images (sa_client_deserialize, the
 * restore of UserWrapper.recover_state), and what a caller does next.
 *
 * Input: the image itself.
 * For an image it accepts: the format is canonical (serialising gives back
 * the input byte for byte); sa_client_check_recover accepts it as its own
 * successor and judges it against the genuine state of the same user; and
 * the client answers the genuine server message of its stage. If it
 * answers, its new state must deserialise again (a state the client itself
 * produced must always load).
 */
#include "secagg_fixture.h"

static secagg_fixture FC, FG;     /* complete graph; SecAgg+ (a "SAC2" state) */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_sodium_init();
	fx_build(&FC, 0);
	fx_build(&FG, 2);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_rng_reset(2);
	uint8_t *img = fuzz_dup(data, size);
	sa_client *c = NULL;
	if (sa_client_deserialize(img, size, &c) != SA_OK)
		goto done;

	uint8_t *again, *out;
	size_t again_len, out_len;
	FUZZ_CHECK(sa_client_serialize(c, &again, &again_len) == SA_OK);
	FUZZ_CHECK(fuzz_eq(again, again_len, img, size));
	sa_free(again);
	FUZZ_CHECK(sa_client_check_recover(img, size, img, size) == SA_OK);

	const secagg_fixture *X = size >= 4 && memcmp(data, "SAC2", 4) == 0 ? &FG : &FC;
#define F (*X)
	uint8_t stage = sa_client_stage(c);
	FUZZ_CHECK(stage <= SA_CLIENT_STAGE_DONE);
	int u = fx_user_index(&F, sa_client_user_id(c));
	if (u < 0)
		goto done;
	const fx_buf *genuine = &F.cstate[stage][u];
	if (genuine->p != NULL) {
		sa_status st = sa_client_check_recover(genuine->p, genuine->len, img, size);
		if (fuzz_eq(genuine->p, genuine->len, img, size))
			FUZZ_CHECK(st == SA_OK);
	}
	if (stage < SA_CLIENT_STAGE_DONE && F.s2c[stage][u].p != NULL) {
		const fx_buf *m = &F.s2c[stage][u];
		if (sa_client_round(c, m->p, m->len, &out, &out_len) == SA_OK) {
			sa_free(out);
			FUZZ_CHECK(sa_client_stage(c) == stage + 1);
			FUZZ_CHECK(sa_client_serialize(c, &again, &again_len) == SA_OK);
			sa_client *c2;
			FUZZ_CHECK(sa_client_deserialize(again, again_len, &c2) == SA_OK);
			FUZZ_CHECK(sa_client_check_recover(img, size, again, again_len) == SA_OK);
			sa_client_free(c2);
			sa_free(again);
		}
	}
done:
	sa_client_free(c);
	free(img);
	return 0;
}
#undef F
