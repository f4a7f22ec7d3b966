/*
 * test_graph.c: the SecAgg+ communication graph. Every user has exactly k
 * neighbours, adjacency is symmetric and matches the neighbour lists, the
 * ring order is a permutation that depends only on the seed (a known
 * answer pins the derivation for other implementations), the shuffle is
 * unbiased enough to see, and invalid degrees are refused.
 */
#include "unit.h"
#include <sodium.h>
#include "secagg/graph.h"

static void
seed_of(uint8_t seed[SA_GRAPH_SEED_BYTES], uint8_t v)
{
	for (int i = 0; i < SA_GRAPH_SEED_BYTES; i++)
		seed[i] = (uint8_t) (v + i);
}

/* Degree, symmetry and agreement of adjacency with the lists, for every vertex. */
static int
graph_consistent(const sa_graph *g)
{
	uint32_t *nb = malloc(sizeof(uint32_t) * g->n);
	uint8_t *mark = calloc(g->n, 1);
	int ok = 1;
	for (uint32_t a = 0; a < g->n && ok; a++) {
		uint32_t c = sa_graph_neighbours(g, a, nb);
		ok &= c == g->k;
		memset(mark, 0, g->n);
		for (uint32_t i = 0; i < c; i++) {
			ok &= nb[i] != a && nb[i] < g->n && (i == 0 || nb[i] > nb[i - 1]);
			ok &= sa_graph_adjacent(g, a, nb[i]) && sa_graph_adjacent(g, nb[i], a);
			mark[nb[i]] = 1;
		}
		/* no adjacency outside the list (checked exhaustively for small n, on a sample otherwise) */
		for (uint32_t b = 0; b < g->n && ok; b += g->n > 2000 ? 97 : 1)
			ok &= sa_graph_adjacent(g, a, b) == (mark[b] != 0);
	}
	free(nb);
	free(mark);
	return ok;
}

static void
test_harary_degrees_and_symmetry(void)
{
	static const uint32_t cases[][2] = { { 4, 2 }, { 5, 2 }, { 10, 4 }, { 10, 8 }, { 65, 30 }, { 1000, 66 },
	                                     { 1001, 998 }, { 10000, 80 } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sa_graph g;
		uint8_t seed[SA_GRAPH_SEED_BYTES];
		seed_of(seed, (uint8_t) i);
		UNIT_CHECK(sa_graph_harary(&g, cases[i][0], cases[i][1], seed) == SA_OK);
		if (!graph_consistent(&g))
			fprintf(stderr, "  n = %u, k = %u inconsistent\n", cases[i][0], cases[i][1]);
		UNIT_CHECK(graph_consistent(&g));
		sa_graph_free(&g);
	}
}

static void
test_complete_graph(void)
{
	sa_graph g;
	UNIT_CHECK(sa_graph_complete(&g, 7) == SA_OK);
	UNIT_CHECK(g.k == 6 && graph_consistent(&g));
	UNIT_CHECK(!sa_graph_adjacent(&g, 3, 3));
	sa_graph_free(&g);
	UNIT_CHECK(sa_graph_complete(&g, 1) == SA_ERR_PARAM);
}

static void
test_invalid_degrees(void)
{
	sa_graph g;
	uint8_t seed[SA_GRAPH_SEED_BYTES] = { 0 };
	UNIT_CHECK(sa_graph_harary(&g, 10, 3, seed) == SA_ERR_PARAM);     /* odd */
	UNIT_CHECK(sa_graph_harary(&g, 10, 0, seed) == SA_ERR_PARAM);
	UNIT_CHECK(sa_graph_harary(&g, 10, 10, seed) == SA_ERR_PARAM);    /* k >= n - 1 */
	UNIT_CHECK(sa_graph_harary(&g, 11, 10, seed) == SA_ERR_PARAM);    /* k = n - 1: the complete graph's */
	UNIT_CHECK(sa_graph_harary(&g, 10, 8, seed) == SA_OK);            /* k = n - 2 */
	sa_graph_free(&g);
	UNIT_CHECK(sa_graph_harary(&g, 3, 2, seed) == SA_ERR_PARAM);      /* n < 4 */
}

static void
test_order_is_a_permutation_of_the_seed(void)
{
	uint8_t s1[SA_GRAPH_SEED_BYTES], s2[SA_GRAPH_SEED_BYTES];
	seed_of(s1, 1);
	seed_of(s2, 1);
	s2[31] ^= 1;
	sa_graph a, b, c;
	UNIT_CHECK(sa_graph_harary(&a, 5000, 40, s1) == SA_OK);
	UNIT_CHECK(sa_graph_harary(&b, 5000, 40, s1) == SA_OK);
	UNIT_CHECK(sa_graph_harary(&c, 5000, 40, s2) == SA_OK);
	UNIT_CHECK(memcmp(a.order, b.order, 5000 * sizeof(uint32_t)) == 0);
	UNIT_CHECK(memcmp(a.order, c.order, 5000 * sizeof(uint32_t)) != 0);
	uint8_t *seen = calloc(5000, 1);
	int perm = 1;
	for (uint32_t i = 0; i < 5000; i++) {
		perm &= a.order[i] < 5000 && !seen[a.order[i]] && a.pos[a.order[i]] == i;
		seen[a.order[i] < 5000 ? a.order[i] : 0] = 1;
	}
	UNIT_CHECK(perm);
	free(seen);
	sa_graph_free(&a);
	sa_graph_free(&b);
	sa_graph_free(&c);
}

/*
 * Known answer: seed 00 01 .. 1f, n = 10, k = 4. Computed from the text of
 * graph.h: key = BLAKE2b-256("secagg/v1/graph" || seed), ChaCha20-IETF
 * keystream (nonce 0, counter from 0) read as little-endian u32 words,
 * Fisher-Yates from position 9 down with rejection sampling.
 */
static void
test_known_answer(void)
{
	uint8_t seed[SA_GRAPH_SEED_BYTES];
	seed_of(seed, 0);
	/* an independent restatement of the derivation, for the first draws */
	uint8_t key[32], ks[64] = { 0 }, nonce[12] = { 0 };
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const uint8_t *) "secagg/v1/graph", 15);
	crypto_generichash_update(&h, seed, 32);
	crypto_generichash_final(&h, key, 32);
	crypto_stream_chacha20_ietf(ks, sizeof ks, nonce, key);
	uint32_t order[10];
	for (uint32_t i = 0; i < 10; i++)
		order[i] = i;
	size_t w = 0;
	for (uint32_t i = 9; i > 0; i--) {
		uint32_t bound = i + 1, r;
		uint64_t reject_from = ((uint64_t) 1 << 32) - (((uint64_t) 1 << 32) % bound);
		do {
			r = (uint32_t) ks[4 * w] | (uint32_t) ks[4 * w + 1] << 8 | (uint32_t) ks[4 * w + 2] << 16 |
			    (uint32_t) ks[4 * w + 3] << 24;
			w++;
		} while (r >= reject_from);
		uint32_t j = r % bound, t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	sa_graph g;
	UNIT_CHECK(sa_graph_harary(&g, 10, 4, seed) == SA_OK);
	UNIT_CHECK(memcmp(g.order, order, sizeof order) == 0);
	/* and the fixed bytes, so that a change of the derivation shows here */
	static const uint32_t expect[10] = { 2, 0, 8, 5, 1, 3, 9, 7, 4, 6 };
	UNIT_CHECK(memcmp(g.order, expect, sizeof expect) == 0);
	if (memcmp(g.order, expect, sizeof expect) != 0) {
		fprintf(stderr, "  order:");
		for (int i = 0; i < 10; i++)
			fprintf(stderr, " %u", g.order[i]);
		fprintf(stderr, "\n");
	}
	sa_graph_free(&g);
}

/* Where index 0 lands over 20,000 seeds (n = 8): each position about 2,500 times. */
static void
test_shuffle_is_not_visibly_biased(void)
{
	uint32_t hits[8] = { 0 };
	for (uint32_t s = 0; s < 20000; s++) {
		uint8_t seed[SA_GRAPH_SEED_BYTES] = { 0 };
		memcpy(seed, &s, sizeof s);
		sa_graph g;
		sa_graph_harary(&g, 8, 2, seed);
		hits[g.pos[0]]++;
		sa_graph_free(&g);
	}
	double chi2 = 0;
	for (int i = 0; i < 8; i++)
		chi2 += (hits[i] - 2500.0) * (hits[i] - 2500.0) / 2500.0;
	/* 7 degrees of freedom: P(chi2 > 29.9) < 1e-4 */
	UNIT_CHECK(chi2 < 29.9);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_harary_degrees_and_symmetry);
	UNIT_RUN(test_complete_graph);
	UNIT_RUN(test_invalid_degrees);
	UNIT_RUN(test_order_is_a_permutation_of_the_seed);
	UNIT_RUN(test_known_answer);
	UNIT_RUN(test_shuffle_is_not_visibly_biased);
	return UNIT_DONE();
}
