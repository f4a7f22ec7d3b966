/*
 * graph.h: the communication graph of a SecAgg+ session (Bell et al., CCS
 * 2020): a Harary graph H(n, k) on a ring whose order is a permutation of
 * the roster drawn from a 32-byte seed. The user at ring position i is
 * adjacent to the k/2 positions on each side; k is even, 2 <= k <= n - 2.
 * The complete graph (every user adjacent to every other) is its own kind.
 *
 * Vertices are roster indices 0..n-1 (the roster is sorted by id). The
 * permutation is a Fisher-Yates shuffle driven by ChaCha20 keyed with
 * BLAKE2b-256("secagg/v1/graph" || seed), with unbiased rejection sampling:
 * any implementation that follows this text gets the same graph from the
 * same seed (test_graph.c pins a known answer).
 */
#ifndef SECAGG_SECAGG_GRAPH_H
#define SECAGG_SECAGG_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define SA_GRAPH_SEED_BYTES 32

typedef struct sa_graph {
	uint32_t n;             /* users (roster size) */
	uint32_t k;             /* degree: n - 1 for the complete graph */
	bool complete;
	uint32_t *order;        /* ring position -> roster index (NULL when complete) */
	uint32_t *pos;          /* roster index -> ring position (NULL when complete) */
} sa_graph;

/* The complete graph on n users. */
sa_status sa_graph_complete(sa_graph *g, uint32_t n);

/* H(n, k) on the ring drawn from seed: SA_ERR_PARAM unless k is even and 2 <= k <= n - 2. */
sa_status sa_graph_harary(sa_graph *g, uint32_t n, uint32_t k, const uint8_t seed[SA_GRAPH_SEED_BYTES]);

void sa_graph_free(sa_graph *g);

/* Are roster indices a and b (a != b) adjacent? O(1). */
bool sa_graph_adjacent(const sa_graph *g, uint32_t a, uint32_t b);

/* Writes the k neighbours of a, in increasing roster order, to out (room for k); returns k. */
uint32_t sa_graph_neighbours(const sa_graph *g, uint32_t a, uint32_t *out);

#endif
