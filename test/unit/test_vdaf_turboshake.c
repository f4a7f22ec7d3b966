/*
 * test_vdaf_turboshake.c: Keccak-p[1600,12] and TurboSHAKE128 against the
 * RFC 9861 §5 vectors (turboshake128_kat.h), plus incremental absorb/squeeze
 * consistency. (Throughput: bench/bench_pine.c measures the TurboSHAKE128
 * absorb and squeeze rates.)
 */
#include "unit.h"
#include "turboshake128_kat.h"

#include "vdaf/keccak.h"
#include "vdaf/turboshake.h"

static uint8_t *
make_msg(const turboshake128_kat *k)
{
	uint8_t *m = malloc(k->msg_len + 1);
	if (m == NULL)
		return NULL;
	for (size_t i = 0; i < k->msg_len; i++)
		m[i] = k->kind == KAT_PTN ? (uint8_t) (i % 251) : 0xff;
	return m;
}

static void
test_rfc9861_vectors(void)
{
	size_t n = sizeof turboshake128_kats / sizeof turboshake128_kats[0];
	for (size_t i = 0; i < n; i++) {
		const turboshake128_kat *k = &turboshake128_kats[i];
		uint8_t *msg = make_msg(k), *out = malloc(k->out_len), want[64];
		UNIT_CHECK(msg != NULL && out != NULL);
		if (msg == NULL || out == NULL) {
			free(msg);
			free(out);
			continue;
		}
		long wl = unit_hex_decode(k->expect, want, sizeof want);
		vdaf_turboshake128_hash(out, k->out_len, msg, k->msg_len, k->domain);
		if (k->tail_only)
			UNIT_CHECK_MEM(out + k->out_len - 32, want, 32);
		else
			UNIT_CHECK(wl == (long) k->out_len && memcmp(out, want, (size_t) wl) == 0);
		if (unit_current_failed)
			fprintf(stderr, "  (vector %zu)\n", i);
		free(msg);
		free(out);
	}
}

/* Absorbing and squeezing in odd-sized pieces gives the one-shot stream. */
static void
test_incremental(void)
{
	enum { MSG = 1000, OUT = 1000 };
	uint8_t msg[MSG], ref[OUT], got[OUT];
	for (size_t i = 0; i < MSG; i++)
		msg[i] = (uint8_t) (i * 13 + 1);
	vdaf_turboshake128_hash(ref, OUT, msg, MSG, 0x01);

	const size_t steps[] = { 1, 7, 167, 168, 169, 500 };
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		vdaf_turboshake128 ts;
		vdaf_turboshake128_init(&ts);
		for (size_t off = 0; off < MSG; off += steps[s])
			vdaf_turboshake128_absorb(&ts, msg + off, off + steps[s] <= MSG ? steps[s] : MSG - off);
		vdaf_turboshake128_finalize(&ts, 0x01);
		for (size_t off = 0; off < OUT; off += steps[s])
			vdaf_turboshake128_squeeze(&ts, got + off, off + steps[s] <= OUT ? steps[s] : OUT - off);
		UNIT_CHECK_MEM(got, ref, OUT);
		vdaf_turboshake128_wipe(&ts);
	}
	/* exactly one full block of input: padding goes into a fresh block */
	uint8_t a[32], b[32];
	vdaf_turboshake128_hash(a, 32, msg, 168, 0x1F);
	vdaf_turboshake128 ts;
	vdaf_turboshake128_init(&ts);
	vdaf_turboshake128_absorb(&ts, msg, 100);
	vdaf_turboshake128_absorb(&ts, msg + 100, 68);
	vdaf_turboshake128_finalize(&ts, 0x1F);
	vdaf_turboshake128_squeeze(&ts, b, 32);
	UNIT_CHECK_MEM(a, b, 32);
}

/* Keccak-f[1600] (24 rounds) of the zero state: first lane is the well-known
 * 0xF1258F7940E1DDE7 (FIPS 202 intermediate values). */
static void
test_keccak_f_zero_state(void)
{
	uint64_t s[25] = { 0 };
	vdaf_keccak_p1600(s, 24);
	UNIT_CHECK_EQ_U64(s[0], 0xF1258F7940E1DDE7ULL);
	UNIT_CHECK_EQ_U64(s[1], 0x84D5CCF933C0478AULL);
	UNIT_CHECK_EQ_U64(s[24], 0xEAF1FF7B5CECA249ULL);
}

int
main(void)
{
	UNIT_RUN(test_keccak_f_zero_state);
	UNIT_RUN(test_rfc9861_vectors);
	UNIT_RUN(test_incremental);
	return UNIT_DONE();
}
