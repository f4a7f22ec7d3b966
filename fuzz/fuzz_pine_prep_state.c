/*
 * fuzz_pine_prep_state: prep state images (Leader "PNs1" form with the
 * output share, Leader "PNl1" digest form, Helper "PNh1" seed form), fed to
 * pine_prep_state_check and pine_prep_next with the genuine prep message,
 * and to pine_prep_next_input with the genuine Leader input share.
 *
 * Input: byte 0: ctx = b0 % PX_NCTX; sel = b0 / PX_NCTX: report = sel & 1.
 * The rest is the state.
 * Checked: prep_next never accepts a state that pine_prep_state_check
 * refuses; the genuine states give the genuine output shares; an accepted
 * state's output share is canonical and goes through aggregation and
 * unsharding with the other Aggregators' genuine shares (px_finish);
 * pine_prep_next_input agrees with pine_prep_next on every state but the
 * digest form, and accepts a digest-form state only if it gives the genuine
 * Leader output share.
 */
#include "pine_fixture.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	fuzz_rng_reset(2);
	const pine_ctx *C = &px_ctx[data[0] % PX_NCTX];
	const pine_params *P = &C->P;
	unsigned S = P->num_shares;
	int rep = (data[0] / PX_NCTX) & 1;
	uint8_t *state = fuzz_dup(data + 1, size - 1);
	size_t state_len = size - 1;
	uint8_t *out = px_alloc(P->out_share_len);

	pine_status chk = pine_prep_state_check(P, state, state_len, NULL);
	pine_status st = pine_prep_next(P, state, state_len, C->pmsg[rep], P->prep_msg_len, out, NULL);
	if (chk != PINE_OK)
		FUZZ_CHECK(st == chk);
	for (unsigned j = 0; j < S; j++)
		if (fuzz_eq(state, state_len, C->state[rep][j], pine_prep_state_len(P, j))) {
			FUZZ_CHECK(st == PINE_OK);
			FUZZ_CHECK(memcmp(out, C->out[rep][j], P->out_share_len) == 0);
		}
	uint8_t *out2 = px_alloc(P->out_share_len);
	pine_status st2 = pine_prep_next_input(P, state, state_len, C->in[rep][0], P->leader_input_share_len,
	                                       C->pmsg[rep], P->prep_msg_len, out2, NULL, NULL);
	if (chk != PINE_OK)
		FUZZ_CHECK(st2 == chk);
	else if (pine_prep_state_is_digest(state, state_len)) {
		FUZZ_CHECK(st == PINE_ERR_PARAM);   /* needs the input share */
		if (st2 == PINE_OK)
			FUZZ_CHECK(memcmp(out2, C->out[rep][0], P->out_share_len) == 0);
	} else {
		FUZZ_CHECK(st2 == st);
		if (st == PINE_OK)
			FUZZ_CHECK(memcmp(out2, out, P->out_share_len) == 0);
	}
	free(out2);
	if (st == PINE_OK) {
		FUZZ_CHECK(chk == PINE_OK);
		FUZZ_CHECK(pine_vec_check_encoded(P->field, out, P->dimension) == PINE_OK);
		/* as the Leader's or, for the seed form, as the Helper it names */
		uint32_t who = 0;
		if (memcmp(state, "PNh1", 4) == 0)
			who = state[12 + 2 * P->seed_size];
		FUZZ_CHECK(who < S);
		uint8_t *states[PX_MAXS];
		size_t state_lens[PX_MAXS];
		px_states(C, rep, states, state_lens);
		states[who] = state;
		state_lens[who] = state_len;
		FUZZ_CHECK(px_finish(C, rep, C->pmsg[rep], P->prep_msg_len, states, state_lens) == PINE_OK);
	}
	free(state);
	free(out);
	return 0;
}
