/* test_secagg_protocol.c: whole sessions through the core, exact sums. */
#include "unit.h"
#include "secagg_sim.h"

#include "common/parallel.h"
#include "secagg/mask_prg.h"
#include "secagg/mask_sum.h"
#include "secagg/shamir.h"

/* Runs a session with the given dropout pattern and checks the sum exactly. */
static sa_status
session(uint32_t n, uint32_t t, uint32_t m, int *drop_after, int *failed_round, int *sum_ok)
{
	sim s;
	sim_init(&s, n, t, m, 5);
	uint64_t seed = n * 1000003ull + t * 7919ull + m;
	uint64_t *x = calloc((size_t) n * m, 8);
	uint64_t *expect = calloc(m, 8), *got = calloc(m, 8);
	for (size_t i = 0; i < (size_t) n * m; i++)
		x[i] = sim_splitmix(&seed);
	/* users that reach the server in round 2 are summed */
	for (uint32_t u = 0; u < n; u++)
		if (drop_after[u] > 2)
			for (uint32_t j = 0; j < m; j++)
				expect[j] += x[(size_t) u * m + j];
	*failed_round = -1;
	sa_status st = sim_run(&s, x, drop_after, got, failed_round);
	*sum_ok = st == SA_OK && memcmp(expect, got, (size_t) m * 8) == 0;
	free(x); free(expect); free(got);
	sim_free(&s);
	return st;
}

static void
test_no_dropouts(void)
{
	int drop[9], fr, ok;
	for (int i = 0; i < 9; i++) drop[i] = 5;
	UNIT_CHECK_EQ_U64(session(9, 5, 33, drop, &fr, &ok), SA_OK);
	UNIT_CHECK(ok);
}

static void
test_dropouts_each_round(void)
{
	/* n = 12, t = 7: drop one user after each round (0..4), 7 remain at the end */
	int drop[12] = { 5, 0, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5 };
	int fr, ok;
	UNIT_CHECK_EQ_U64(session(12, 7, 17, drop, &fr, &ok), SA_OK);
	UNIT_CHECK(ok);
}

static void
test_exactly_t_survivors(void)
{
	/* n = 10, t = 6: 4 drop after ShareKeys, exactly 6 send masked input. */
	int drop[10] = { 5, 2, 5, 2, 5, 2, 5, 2, 5, 5 };
	int fr, ok;
	UNIT_CHECK_EQ_U64(session(10, 6, 64, drop, &fr, &ok), SA_OK);
	UNIT_CHECK(ok);
}

static void
test_t_minus_one_fails(void)
{
	/* 5 of 10 send masked input with t = 6: round 2 cannot close. */
	int drop[10] = { 5, 2, 5, 2, 5, 2, 5, 2, 5, 2 };
	int fr, ok;
	UNIT_CHECK_EQ_U64(session(10, 6, 8, drop, &fr, &ok), SA_ERR_THRESHOLD);
	UNIT_CHECK_EQ_U64(fr, 2);
	/* 5 of 10 unmask with t = 6: the last round cannot close. */
	int drop4[10] = { 5, 4, 5, 4, 5, 4, 5, 4, 5, 4 };
	UNIT_CHECK_EQ_U64(session(10, 6, 8, drop4, &fr, &ok), SA_ERR_THRESHOLD);
	UNIT_CHECK_EQ_U64(fr, 4);
}

static void
test_dropouts_in_round_1_and_3(void)
{
	int drop[11] = { 1, 5, 3, 5, 5, 5, 5, 5, 3, 5, 5 };
	int fr, ok;
	UNIT_CHECK_EQ_U64(session(11, 6, 20, drop, &fr, &ok), SA_OK);
	UNIT_CHECK(ok);
}

/* Points spread over all 64 bits: products of their differences pass 2^250 every few factors. */
static void
test_shamir_large_points(void)
{
	uint64_t seed = 77, xs[40];
	for (int i = 0; i < 40; i++)
		xs[i] = sim_splitmix(&seed) | 1;
	uint8_t secret[1][32], (*shares)[32] = malloc(40 * 32), out[32];
	sa_scalar_random(secret[0]);
	UNIT_CHECK_EQ_U64(sa_shamir_share((const uint8_t (*)[32]) secret, 1, 30, xs, 40, shares), SA_OK);
	sa_lagrange lg;
	UNIT_CHECK_EQ_U64(sa_lagrange_init(&lg, xs + 10, 30), SA_OK);
	const uint8_t *picked[30];
	for (int i = 0; i < 30; i++)
		picked[i] = shares[10 + i];
	sa_lagrange_combine(&lg, picked, out);
	UNIT_CHECK_MEM(out, secret[0], 32);
	sa_lagrange_free(&lg);
	free(shares);
}

static void
test_threshold_rules(void)
{
	UNIT_CHECK_EQ_U64(sa_check_threshold(1, 3), SA_ERR_PARAM);
	UNIT_CHECK_EQ_U64(sa_check_threshold(2, 4), SA_ERR_PARAM);    /* t must exceed n/2 */
	UNIT_CHECK_EQ_U64(sa_check_threshold(3, 4), SA_OK);
	UNIT_CHECK_EQ_U64(sa_check_threshold(5, 4), SA_ERR_PARAM);
	UNIT_CHECK_EQ_U64(sa_check_threshold(2, 2), SA_OK);
}

static void
test_shamir_roundtrip(void)
{
	uint64_t xs[7] = { 3, 9, 11, 300, 70000, 5, 1ull << 40 };
	uint8_t secret[1][32], shares[7][32], out[32];
	sa_scalar_random(secret[0]);
	UNIT_CHECK_EQ_U64(sa_shamir_share((const uint8_t (*)[32]) secret, 1, 4, xs, 7, shares), SA_OK);
	/* any 4 shares rebuild it */
	uint64_t pick_x[4] = { xs[6], xs[1], xs[4], xs[2] };
	const uint8_t *pick_s[4] = { shares[6], shares[1], shares[4], shares[2] };
	sa_lagrange lg;
	UNIT_CHECK_EQ_U64(sa_lagrange_init(&lg, pick_x, 4), SA_OK);
	sa_lagrange_combine(&lg, pick_s, out);
	UNIT_CHECK_MEM(out, secret[0], 32);
	sa_lagrange_free(&lg);
	/* 3 shares give something else */
	UNIT_CHECK_EQ_U64(sa_lagrange_init(&lg, pick_x, 3), SA_OK);
	sa_lagrange_combine(&lg, pick_s, out);
	UNIT_CHECK(memcmp(out, secret[0], 32) != 0);
	sa_lagrange_free(&lg);
	/* repeated points are refused */
	uint64_t dup[2] = { 4, 4 };
	UNIT_CHECK_EQ_U64(sa_lagrange_init(&lg, dup, 2), SA_ERR_DUPLICATE);
}

static void
test_scalar_canonical(void)
{
	uint8_t s[32];
	memset(s, 0xff, 32);
	UNIT_CHECK(!sa_scalar_is_canonical(s));
	sa_scalar_from_u64(s, 12345);
	UNIT_CHECK(sa_scalar_is_canonical(s));
	static const uint8_t L[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
	                               0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                               0, 0, 0x10 };
	UNIT_CHECK(!sa_scalar_is_canonical(L));
	memcpy(s, L, 32);
	s[0]--;
	UNIT_CHECK(sa_scalar_is_canonical(s));
}

static void
test_mask_prg_known_answer(void)
{
	/* AES-128-CTR, key = 000102..0f, zero counter: FIPS-197 key, AES(0) block. */
	uint8_t key[16];
	for (int i = 0; i < 16; i++) key[i] = (uint8_t) i;
	uint64_t out[2];
	sa_mask_prg *p = sa_mask_prg_new();
	UNIT_CHECK_EQ_U64(sa_mask_expand(p, out, 2, key), SA_OK);
	/* AES-128(000102...0f, 0^128) = c6a13b37878f5b826f4f8162a1c8d879 */
	UNIT_CHECK_EQ_U64(out[0], 0x825b8f87373ba1c6ull);
	UNIT_CHECK_EQ_U64(out[1], 0x79d8c8a162814f6full);
	uint64_t acc[2] = { 5, 7 };
	sa_mask_apply(p, acc, 2, key, 1);
	sa_mask_apply(p, acc, 2, key, -1);
	UNIT_CHECK_EQ_U64(acc[0], 5);
	UNIT_CHECK_EQ_U64(acc[1], 7);
	sa_mask_prg_free(p);
}

/*
 * Further keystream words for the same key: the counter is one 128-bit
 * big-endian block counter (block 1 gives words 2, 3) and runs on across the
 * PRG's 8 KiB chunks (word 1024 opens the second chunk). Expected values from
 * an independent AES-128-CTR (pyca/cryptography).
 */
static void
test_mask_prg_counter_known_answer(void)
{
	uint8_t key[16];
	for (int i = 0; i < 16; i++) key[i] = (uint8_t) i;
	uint64_t *out = calloc(1030, 8);
	sa_mask_prg *p = sa_mask_prg_new();
	UNIT_CHECK_EQ_U64(sa_mask_expand(p, out, 1030, key), SA_OK);
	UNIT_CHECK_EQ_U64(out[2], 0x1eb4c09595134673ull);
	UNIT_CHECK_EQ_U64(out[3], 0x0a2df465e3bd7b49ull);
	UNIT_CHECK_EQ_U64(out[1023], 0xa28be71870a76684ull);
	UNIT_CHECK_EQ_U64(out[1024], 0x11ad43ccb0e5c410ull);
	UNIT_CHECK_EQ_U64(out[1029], 0xee97e8e6f24862b5ull);
	sa_mask_prg_free(p);
	free(out);
}

/*
 * sa_mask_sum: given keys and derived pairwise keys, added with their
 * signs; the same vector on 1, 2 and 3 threads as mask by mask with
 * sa_mask_expand, and (the owner's view against the peer's) a pairwise
 * mask derived from either side is the same mask.
 */
static void
test_mask_sum_threads(void)
{
	enum { M = 1001, NT = 7 };
	uint8_t ctx[SA_CTX_BYTES] = { 1, 2, 3 };
	uint8_t pk[2][32], sk[2][32], seed[2][32];
	uint64_t ids[2] = { 11, 22 };
	for (int u = 0; u < 2; u++) {
		memset(seed[u], 40 + u, 32);
		sa_mask_keypair(pk[u], sk[u], seed[u]);
	}
	sa_mask_task tasks[NT];
	memset(tasks, 0, sizeof tasks);
	for (int i = 0; i < NT; i++) {
		tasks[i].sign = (int8_t) (i % 3 == 0 ? -1 : 1);
		tasks[i].owner = i % 2 == 0 ? -1 : 0;
		memset(tasks[i].key, 7 * i + 1, SA_MASK_KEY_BYTES);
		tasks[i].w = ids[1];
		tasks[i].pk_w = pk[1];
	}
	sa_mask_owners owner = { ctx, &ids[0], &pk[0], &sk[0] };
	/* the expected sum, mask by mask */
	uint64_t *want = calloc(M, 8), *one = calloc(M, 8), *got = calloc(M, 8);
	sa_mask_prg *p = sa_mask_prg_new();
	for (int i = 0; i < NT; i++) {
		uint8_t key[SA_MASK_KEY_BYTES], q[32];
		memcpy(key, tasks[i].key, sizeof key);
		if (tasks[i].owner == 0) {         /* derived on the peer's side: KA(sk_w, pk_owner) */
			UNIT_CHECK_EQ_U64(sa_kx_agree(q, sk[1], pk[0]), SA_OK);
			sa_pair_mask_key(key, ctx, q, ids[1], pk[1], ids[0], pk[0]);
		}
		UNIT_CHECK_EQ_U64(sa_mask_expand(p, one, M, key), SA_OK);
		for (size_t e = 0; e < M; e++)
			want[e] += tasks[i].sign > 0 ? one[e] : (uint64_t) 0 - one[e];
	}
	for (unsigned threads = 1; threads <= 3; threads++) {
		for (size_t e = 0; e < M; e++)
			got[e] = 0;
		UNIT_CHECK_EQ_U64(sa_mask_sum(tasks, &owner, NT, got, M, threads), SA_OK);
		UNIT_CHECK(memcmp(got, want, (size_t) M * 8) == 0);
	}
	sa_mask_prg_free(p);
	free(want);
	free(one);
	free(got);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	sa_set_default_threads(2);     /* exercise the threaded sharing */
	UNIT_RUN(test_threshold_rules);
	UNIT_RUN(test_scalar_canonical);
	UNIT_RUN(test_shamir_roundtrip);
	UNIT_RUN(test_shamir_large_points);
	UNIT_RUN(test_mask_prg_known_answer);
	UNIT_RUN(test_mask_prg_counter_known_answer);
	UNIT_RUN(test_mask_sum_threads);
	UNIT_RUN(test_no_dropouts);
	UNIT_RUN(test_dropouts_each_round);
	UNIT_RUN(test_exactly_t_survivors);
	UNIT_RUN(test_dropouts_in_round_1_and_3);
	UNIT_RUN(test_t_minus_one_fails);
	return UNIT_DONE();
}
