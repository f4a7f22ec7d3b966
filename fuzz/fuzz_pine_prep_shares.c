/*
 * fuzz_pine_prep_shares: prep shares (encoded verifiers || joint-rand
 * parts), fed to pine_prep_shares_to_prep.
 *
 * Input: byte 0: ctx = b0 % PX_NCTX; sel = b0 / PX_NCTX: report = sel & 1;
 * k = (sel / 2) % (S + 1): if k < S only Aggregator k's share comes from
 * the input (the others are genuine), if k == S all S shares do. The rest
 * is the fuzzed share(s): prep_share_len bytes each, the last one taking
 * whatever is left (so lengths vary too).
 * Checked: the genuine shares give the genuine prep message; an accepted
 * message is finished by every Aggregator with its genuine prep state and,
 * where accepted, aggregated and unsharded (px_finish).
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
	unsigned k = (sel / 2) % (S + 1);
	const uint8_t *p = data + 1;
	size_t rest = size - 1;
	uint8_t *shares[PX_MAXS];
	size_t lens[PX_MAXS];
	int genuine = 1;
	for (unsigned j = 0; j < S; j++) {
		if (k != S && j != k) {
			shares[j] = fuzz_dup(C->pshare[rep][j], P->prep_share_len);
			lens[j] = P->prep_share_len;
			continue;
		}
		int last = (k != S) || j == S - 1;
		size_t n = last ? rest : (rest < P->prep_share_len ? rest : P->prep_share_len);
		shares[j] = fuzz_dup(p, n);
		lens[j] = n;
		p += n;
		rest -= n;
		genuine &= fuzz_eq(shares[j], n, C->pshare[rep][j], P->prep_share_len);
	}
	uint8_t *msg = px_alloc(P->prep_msg_len);
	pine_status st = pine_prep_shares_to_prep(P, (const uint8_t *const *) shares, lens, S, msg, NULL);
	if (genuine) {
		FUZZ_CHECK(st == PINE_OK);
		FUZZ_CHECK(memcmp(msg, C->pmsg[rep], P->prep_msg_len) == 0);
	}
	if (st == PINE_OK) {
		uint8_t *states[PX_MAXS];
		size_t state_lens[PX_MAXS];
		px_states(C, rep, states, state_lens);
		pine_status fst = px_finish(C, rep, msg, P->prep_msg_len, states, state_lens);
		/* the states only take the message made from their own parts */
		FUZZ_CHECK((fst == PINE_OK) == (memcmp(msg, C->pmsg[rep], P->prep_msg_len) == 0));
	}
	for (unsigned j = 0; j < S; j++)
		free(shares[j]);
	free(msg);
	return 0;
}
