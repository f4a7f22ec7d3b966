/* graph.c: the Harary communication graph of SecAgg+ (see graph.h). */
#include "secagg/graph.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"

static const char LABEL_GRAPH[] = "secagg/v1/graph";

/* A ChaCha20 keystream read 32 bits at a time (little-endian words). */
typedef struct word_stream {
	uint8_t key[crypto_stream_chacha20_ietf_KEYBYTES];
	uint8_t buf[1024];
	size_t used;
	uint32_t block;         /* next 64-byte block of the keystream */
} word_stream;

static void
stream_init(word_stream *ws, const uint8_t seed[SA_GRAPH_SEED_BYTES])
{
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, sizeof ws->key);
	crypto_generichash_update(&h, (const uint8_t *) LABEL_GRAPH, sizeof LABEL_GRAPH - 1);
	crypto_generichash_update(&h, seed, SA_GRAPH_SEED_BYTES);
	crypto_generichash_final(&h, ws->key, sizeof ws->key);
	ws->used = sizeof ws->buf;
	ws->block = 0;
}

static uint32_t
stream_word(word_stream *ws)
{
	static const uint8_t nonce[crypto_stream_chacha20_ietf_NONCEBYTES] = { 0 };
	if (ws->used == sizeof ws->buf) {
		memset(ws->buf, 0, sizeof ws->buf);
		crypto_stream_chacha20_ietf_xor_ic(ws->buf, ws->buf, sizeof ws->buf, nonce, ws->block, ws->key);
		ws->block += sizeof ws->buf / 64;
		ws->used = 0;
	}
	const uint8_t *p = ws->buf + ws->used;
	ws->used += 4;
	return (uint32_t) p[0] | (uint32_t) p[1] << 8 | (uint32_t) p[2] << 16 | (uint32_t) p[3] << 24;
}

/* Uniform in [0, bound) by rejection: no modulo bias. */
static uint32_t
stream_below(word_stream *ws, uint32_t bound)
{
	uint32_t reject_from = (uint32_t) (((uint64_t) 1 << 32) - (((uint64_t) 1 << 32) % bound));
	for (;;) {
		uint32_t r = stream_word(ws);
		if (reject_from == 0 || r < reject_from)    /* reject_from 0: bound divides 2^32 */
			return r % bound;
	}
}

sa_status
sa_graph_complete(sa_graph *g, uint32_t n)
{
	memset(g, 0, sizeof *g);
	if (n < 2)
		return SA_ERR_PARAM;
	g->n = n;
	g->k = n - 1;
	g->complete = true;
	return SA_OK;
}

sa_status
sa_graph_harary(sa_graph *g, uint32_t n, uint32_t k, const uint8_t seed[SA_GRAPH_SEED_BYTES])
{
	memset(g, 0, sizeof *g);
	if (n < 4 || k < 2 || k % 2 != 0 || k > n - 2)
		return SA_ERR_PARAM;
	g->order = sa_alloc_array(n, sizeof(uint32_t));
	g->pos = sa_alloc_array(n, sizeof(uint32_t));
	if (g->order == NULL || g->pos == NULL) {
		sa_graph_free(g);
		return SA_ERR_NOMEM;
	}
	g->n = n;
	g->k = k;
	word_stream ws;
	stream_init(&ws, seed);
	for (uint32_t i = 0; i < n; i++)
		g->order[i] = i;
	/* Fisher-Yates, from the last position down */
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j = stream_below(&ws, i + 1);
		uint32_t t = g->order[i];
		g->order[i] = g->order[j];
		g->order[j] = t;
	}
	for (uint32_t i = 0; i < n; i++)
		g->pos[g->order[i]] = i;
	sodium_memzero(&ws, sizeof ws);
	return SA_OK;
}

void
sa_graph_free(sa_graph *g)
{
	sa_free(g->order);
	sa_free(g->pos);
	memset(g, 0, sizeof *g);
}

bool
sa_graph_adjacent(const sa_graph *g, uint32_t a, uint32_t b)
{
	if (a == b || a >= g->n || b >= g->n)
		return false;
	if (g->complete)
		return true;
	uint32_t d = g->pos[a] > g->pos[b] ? g->pos[a] - g->pos[b] : g->pos[b] - g->pos[a];
	if (d > g->n - d)
		d = g->n - d;
	return d <= g->k / 2;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
	return x < y ? -1 : x > y;
}

uint32_t
sa_graph_neighbours(const sa_graph *g, uint32_t a, uint32_t *out)
{
	uint32_t c = 0;
	if (g->complete) {
		for (uint32_t v = 0; v < g->n; v++)
			if (v != a)
				out[c++] = v;
		return c;
	}
	uint32_t p = g->pos[a];
	for (uint32_t d = 1; d <= g->k / 2; d++) {
		out[c++] = g->order[((uint64_t) p + d) % g->n];
		out[c++] = g->order[((uint64_t) p + g->n - d) % g->n];
	}
	qsort(out, c, sizeof *out, cmp_u32);
	return c;
}
