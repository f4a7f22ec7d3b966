/*
 * fuzz_pine_prep_msg: prep messages (the two joint-randomness seeds), fed
 * to pine_prep_next with the genuine prep state of each Aggregator.
 *
 * Input: byte 0: ctx = b0 % PX_NCTX; sel = b0 / PX_NCTX: report = sel & 1,
 * Aggregator = (sel / 2) % S. The rest is the message.
 * Checked: prep_next accepts exactly the genuine message, and then writes
 * the genuine output share; that share aggregates and unshards.
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
	unsigned sel = data[0] / PX_NCTX, S = P->num_shares;
	int rep = sel & 1;
	uint32_t agg = (sel / 2) % S;
	uint8_t *msg = fuzz_dup(data + 1, size - 1);
	size_t msg_len = size - 1;
	uint8_t *out = px_alloc(P->out_share_len);
	pine_status st = pine_prep_next(P, C->state[rep][agg], pine_prep_state_len(P, agg), msg, msg_len,
	                                out, NULL);
	int genuine = fuzz_eq(msg, msg_len, C->pmsg[rep], P->prep_msg_len);
	FUZZ_CHECK((st == PINE_OK) == genuine);
	if (st == PINE_OK) {
		FUZZ_CHECK(memcmp(out, C->out[rep][agg], P->out_share_len) == 0);
		uint8_t *states[PX_MAXS];
		size_t state_lens[PX_MAXS];
		px_states(C, rep, states, state_lens);
		FUZZ_CHECK(px_finish(C, rep, msg, msg_len, states, state_lens) == PINE_OK);
	} else if (msg_len == P->prep_msg_len) {
		FUZZ_CHECK(st == PINE_REJECT);
	}
	free(msg);
	free(out);
	return 0;
}
