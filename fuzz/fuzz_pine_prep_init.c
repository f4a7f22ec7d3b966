/*
 * fuzz_pine_prep_init: public shares and input shares (Leader and Helpers),
 * fed to pine_prep_init.
 *
 * Input: byte 0: ctx = b0 % PX_NCTX (pine_fixture.h); sel = b0 / PX_NCTX:
 * Aggregator id = sel % S, report = (sel / S) & 1. The rest is
 * public_share || input_share: the first public_share_len bytes (or all
 * of them if fewer) are the public share, the remainder the input share,
 * each in a buffer of its own.
 * Checked: the genuine bytes give the genuine prep state and share; any
 * accepted input gives a prep state that pine_prep_state_check accepts.
 * Then, as the Aggregators would, the prep share is combined with the
 * other Aggregators' genuine ones; if that is accepted, every Aggregator
 * finishes, aggregates and unshards (px_finish).
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
	uint32_t agg = sel % S;
	int rep = (sel / S) & 1;
	size_t rest = size - 1;
	size_t pub_len = rest < P->public_share_len ? rest : P->public_share_len;
	size_t in_len = rest - pub_len;
	uint8_t *pub = fuzz_dup(data + 1, pub_len);
	uint8_t *in = fuzz_dup(data + 1 + pub_len, in_len);
	uint8_t *state = px_alloc(pine_prep_state_len(P, agg));
	uint8_t *pshare = px_alloc(P->prep_share_len);

	pine_status st = pine_prep_init(P, C->vk, P->verify_key_len, agg, C->nonce, PINE_NONCE_SIZE, pub,
	                                pub_len, in, in_len, state, pshare, NULL);
	int genuine = fuzz_eq(pub, pub_len, C->pub[rep], P->public_share_len) &&
	              fuzz_eq(in, in_len, C->in[rep][agg], pine_input_share_len(P, agg));
	if (genuine) {
		FUZZ_CHECK(st == PINE_OK);
		FUZZ_CHECK(memcmp(state, C->state[rep][agg], pine_prep_state_len(P, agg)) == 0);
		FUZZ_CHECK(memcmp(pshare, C->pshare[rep][agg], P->prep_share_len) == 0);
	}
	if (st != PINE_OK)
		goto done;
	FUZZ_CHECK(pub_len == P->public_share_len && in_len == pine_input_share_len(P, agg));
	FUZZ_CHECK(pine_prep_state_check(P, state, pine_prep_state_len(P, agg), NULL) == PINE_OK);

	{
		const uint8_t *shares[PX_MAXS];
		size_t lens[PX_MAXS];
		uint8_t *states[PX_MAXS];
		size_t state_lens[PX_MAXS];
		uint8_t *msg = px_alloc(P->prep_msg_len);
		px_states(C, rep, states, state_lens);
		for (unsigned j = 0; j < S; j++) {
			shares[j] = j == agg ? pshare : C->pshare[rep][j];
			lens[j] = P->prep_share_len;
		}
		states[agg] = state;
		if (pine_prep_shares_to_prep(P, shares, lens, S, msg, NULL) == PINE_OK) {
			pine_status fst = px_finish(C, rep, msg, P->prep_msg_len, states, state_lens);
			if (genuine)
				FUZZ_CHECK(fst == PINE_OK);
		} else {
			FUZZ_CHECK(!genuine);
		}
		free(msg);
	}
done:
	free(pub);
	free(in);
	free(state);
	free(pshare);
	return 0;
}
