/*
 * server_graph.c: what a SecAgg+ session (Bell et al., CCS 2020) changes on
 * the server. The rounds are those of server.c; a user only deals with its
 * k neighbours on a ring drawn, when round 0 closes, from the Merkle root
 * of the advertisements (protocol.h sa_ring_seed):
 *   round 0 close: each user of U1 gets the root, its own inclusion path and
 *                  its neighbours' advertisements;
 *   round 1 close: each user of U2 gets the share ciphertexts of its
 *                  neighbours in U2;
 *   round 2 close: everyone gets U3 as a bitmap over the roster (one
 *                  broadcast), whose digest the users sign in round 3;
 *   round 3 close: each user of U4 gets its neighbourhood's signatures;
 *   round 4 close: each user's b (alive) or s-key seed (dropped) is rebuilt
 *                  from t shares revealed by its own neighbourhood.
 * A neighbourhood N[v] (v and its k neighbours) with fewer than t users
 * left at any close after round 1 cannot be unmasked: the round fails with
 * SA_ERR_NEIGHBOURHOOD and *v->blame = v's id.
 */
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"
#include "common/interrupt.h"
#include "common/parallel.h"
#include "secagg/graph.h"
#include "secagg/merkle.h"
#include "secagg/shamir.h"
#include "secagg/server_internal.h"

/* ---------------------------------------------------------------------- */
/* The ring                                                               */
/* ---------------------------------------------------------------------- */

static uint32_t
ring_at(const view *v, uint32_t p)
{
	return sa_load_u32_le(v->order + 4 * (size_t) p);
}

static uint32_t
ring_pos(const view *v, uint32_t a)
{
	return sa_load_u32_le(v->pos + 4 * (size_t) a);
}

/* The d-th neighbour of a (0 <= d < k): alternately after and before a on the ring. */
static uint32_t
neighbour_at(const view *v, uint32_t a, uint32_t d)
{
	uint64_t p = ring_pos(v, a), step = d / 2 + 1;
	return ring_at(v, (uint32_t) (d % 2 == 0 ? (p + step) % v->n : (p + v->n - step) % v->n));
}

uint32_t
srv_graph_neighbour_at(const view *v, uint32_t a, uint32_t d)
{
	return neighbour_at(v, a, d);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *) a, y = *(const uint32_t *) b;
	return x < y ? -1 : x > y;
}

uint32_t
srv_graph_neighbours(const view *v, uint32_t a, uint32_t *out)
{
	for (uint32_t d = 0; d < v->k; d++)
		out[d] = neighbour_at(v, a, d);
	qsort(out, v->k, sizeof *out, cmp_u32);
	return v->k;
}

/* Which user set a count is taken over. */
typedef enum set_kind { SET_U1, SET_U2, SET_U3, SET_U4 } set_kind;

static bool
in_set(const view *v, set_kind s, uint64_t id)
{
	switch (s) {
	case SET_U1: return sa_find_id(v->u1, v->n1, U1_REC, id) >= 0;
	case SET_U2: return sa_find_id(v->u2, v->n2, U2_REC, id) >= 0;
	case SET_U3: return sa_find_id(v->u3, v->n3, ID_REC, id) >= 0;
	default: return sa_find_id(v->u4, v->n4, ID_REC, id) >= 0;
	}
}

/* |N(a) ∩ set| (neighbours only, a itself not counted). */
static uint32_t
count_neighbours_in(const view *v, uint32_t a, set_kind s)
{
	uint32_t c = 0;
	for (uint32_t d = 0; d < v->k; d++)
		c += in_set(v, s, srv_roster_id(v, neighbour_at(v, a, d)));
	return c;
}

/*
 * The sorted neighbourhood of a, a included (k + 1 roster indices, in
 * roster order = id order), into out; returns its size.
 */
static uint32_t
closed_neighbourhood(const view *v, uint32_t a, uint32_t *out)
{
	srv_graph_neighbours(v, a, out);
	uint32_t i = v->k;
	while (i > 0 && out[i - 1] > a) {
		out[i] = out[i - 1];
		i--;
	}
	out[i] = a;
	return v->k + 1;
}

/* ---------------------------------------------------------------------- */
/* Sizes and payload checks                                               */
/* ---------------------------------------------------------------------- */

size_t
srv_graph_payload_len(const view *v, uint32_t ri)
{
	if (v->stage == 1)     /* commitment | count | one ciphertext per neighbour in U1 */
		return SA_COMMIT_BYTES + 4 + (size_t) count_neighbours_in(v, ri, SET_U1) * SA_CT_ENTRY_BYTES;
	/* stage 4: count | one share per member of N[ri] ∩ U2, ri included */
	return 4 + (size_t) (count_neighbours_in(v, ri, SET_U2) + 1) * SHARE_ENTRY;
}

/* Round 1: the ciphertexts go to exactly the sender's neighbours in U1, in id order. */
static sa_status
check_share_keys(const view *v, uint32_t ri, const uint8_t *p, uint32_t *nb)
{
	uint32_t count = sa_load_u32_be(p + SA_COMMIT_BYTES);
	if ((size_t) count != count_neighbours_in(v, ri, SET_U1))
		return SA_ERR_MALFORMED;
	const uint8_t *e = p + SA_COMMIT_BYTES + 4;
	srv_graph_neighbours(v, ri, nb);
	for (uint32_t d = 0; d < v->k; d++) {
		uint64_t id = srv_roster_id(v, nb[d]);
		if (!in_set(v, SET_U1, id))
			continue;
		if (sa_load_u64_be(e) != id)
			return SA_ERR_GRAPH;
		e += SA_CT_ENTRY_BYTES;
	}
	return SA_OK;
}

/* Round 4: one share per member of N[ri] ∩ U2, in id order; b-share iff in U3. */
static sa_status
check_unmasking(const view *v, uint32_t ri, const uint8_t *p, uint32_t *nb)
{
	uint32_t count = sa_load_u32_be(p);
	if ((size_t) count != count_neighbours_in(v, ri, SET_U2) + 1)
		return SA_ERR_MALFORMED;
	const uint8_t *e = p + 4;
	uint32_t size = closed_neighbourhood(v, ri, nb);
	for (uint32_t d = 0; d < size; d++) {
		uint64_t id = srv_roster_id(v, nb[d]);
		if (!in_set(v, SET_U2, id))
			continue;
		if (sa_load_u64_be(e) != id)
			return SA_ERR_GRAPH;
		bool alive = in_set(v, SET_U3, id);
		if (e[8] != (alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR))
			return SA_ERR_MALFORMED;
		if (!sa_scalar_is_canonical(e + 9))
			return SA_ERR_NONCANONICAL;
		e += SHARE_ENTRY;
	}
	return SA_OK;
}

sa_status
srv_graph_check_payload(const view *v, uint64_t user, const uint8_t *p)
{
	long ri = sa_find_id(v->roster, v->n, ROSTER_REC, user);
	if (ri < 0)
		return SA_ERR_MALFORMED;
	if (v->stage == 3) {        /* the signature on the digest of U3 */
		uint8_t stmt[SA_CONSISTENCY_GRAPH_BYTES];
		sa_consistency_graph_signed(stmt, v->ctx, v->u3_digest);
		return crypto_sign_verify_detached(p, stmt, sizeof stmt,
		                                   v->roster + (size_t) ri * ROSTER_REC + 8) ? SA_ERR_SIGNATURE : SA_OK;
	}
	uint32_t *nb = sa_alloc_array((size_t) v->k + 1, sizeof(uint32_t));
	if (nb == NULL)
		return SA_ERR_NOMEM;
	sa_status st = v->stage == 1 ? check_share_keys(v, (uint32_t) ri, p, nb)
	                             : check_unmasking(v, (uint32_t) ri, p, nb);
	sa_free(nb);
	return st;
}

/* ---------------------------------------------------------------------- */
/* Validation                                                             */
/* ---------------------------------------------------------------------- */

/* Merkle root of the U1 advertisements, in id order. */
static sa_status
u1_root(const uint8_t *u1, uint32_t n1, size_t stride, size_t keys_at, uint8_t root[32])
{
	uint8_t (*leaves)[SA_MERKLE_HASH_BYTES] = sa_alloc_array(n1, SA_MERKLE_HASH_BYTES);
	if (leaves == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t i = 0; i < n1; i++) {
		const uint8_t *r = u1 + (size_t) i * stride;
		sa_merkle_leaf(leaves[i], sa_load_u64_be(r), r + keys_at, r + keys_at + 32);
	}
	sa_merkle_tree t;
	sa_status st = sa_merkle_build(&t, (const uint8_t (*)[SA_MERKLE_HASH_BYTES]) leaves, n1);
	if (st == SA_OK) {
		memcpy(root, sa_merkle_root(&t), 32);
		sa_merkle_free(&t);
	}
	sa_free(leaves);
	return st;
}

/* The ring drawn from seed, as the image stores it (little-endian u32 arrays). */
static sa_status
ring_bytes(uint32_t n, uint32_t k, const uint8_t seed[32], uint8_t **order, uint8_t **pos)
{
	sa_graph g;
	sa_status st = sa_graph_harary(&g, n, k, seed);
	if (st != SA_OK)
		return st;
	*order = sa_alloc((size_t) n * 4);
	*pos = sa_alloc((size_t) n * 4);
	if (*order == NULL || *pos == NULL) {
		sa_free(*order);
		sa_free(*pos);
		sa_graph_free(&g);
		return SA_ERR_NOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		sa_store_u32_le(*order + 4 * (size_t) i, g.order[i]);
		sa_store_u32_le(*pos + 4 * (size_t) i, g.pos[i]);
	}
	sa_graph_free(&g);
	return SA_OK;
}

/* U3 as a bitmap over the roster. */
uint8_t *
srv_graph_u3_bitmap(const view *v, const uint8_t *u3, uint32_t n3, size_t stride)
{
	uint8_t *bm = sa_alloc_zero(srv_bitmap_bytes(v->n));
	if (bm == NULL)
		return NULL;
	for (uint32_t i = 0; i < n3; i++) {
		long ri = sa_find_id(v->roster, v->n, ROSTER_REC, sa_load_u64_be(u3 + (size_t) i * stride));
		if (ri >= 0)
			srv_bit_set(bm, (uint32_t) ri);
	}
	return bm;
}

sa_status
srv_graph_validate(const view *v)
{
	const uint8_t *blk = v->img + HDR_BYTES;
	if (sa_load_u32_be(blk + 4) != 0)
		return SA_ERR_MALFORMED;
	if (v->stage == 0)
		return sodium_is_zero(blk + 8, GRAPH_BYTES - 8) ? SA_OK : SA_ERR_MALFORMED;
	uint8_t root[32], seed[32], digest[32];
	sa_status st = u1_root(v->u1, v->n1, U1_REC, 8, root);
	if (st != SA_OK)
		return st;
	sa_ring_seed(seed, v->ctx, v->n1, root);
	if (memcmp(root, v->root, 32) != 0 || memcmp(seed, v->seed, 32) != 0)
		return SA_ERR_MALFORMED;
	uint8_t *order, *pos;
	if ((st = ring_bytes(v->n, v->k, seed, &order, &pos)) != SA_OK)
		return st == SA_ERR_NOMEM ? st : SA_ERR_MALFORMED;
	bool same = memcmp(order, v->order, (size_t) v->n * 4) == 0 && memcmp(pos, v->pos, (size_t) v->n * 4) == 0;
	sa_free(order);
	sa_free(pos);
	if (!same)
		return SA_ERR_MALFORMED;
	if (v->stage < 3)
		return sodium_is_zero(v->u3_digest, 32) ? SA_OK : SA_ERR_MALFORMED;
	uint8_t *bm = srv_graph_u3_bitmap(v, v->u3, v->n3, ID_REC);
	if (bm == NULL)
		return SA_ERR_NOMEM;
	sa_u3_digest(digest, v->ctx, v->n, bm, srv_bitmap_bytes(v->n));
	sa_free(bm);
	return memcmp(digest, v->u3_digest, 32) == 0 ? SA_OK : SA_ERR_MALFORMED;
}

/* ---------------------------------------------------------------------- */
/* Neighbourhoods that can still be unmasked                              */
/* ---------------------------------------------------------------------- */

/*
 * Every member v of U2 whose secret the unmasking will need (b_v if v is in
 * U3; the s-key seed if v dropped but some neighbour of v is in U3) must
 * keep t share holders in `left` (a bitmap over the roster: U3, U4 or the
 * round-4 responders), counted over N[v].
 */
sa_status
srv_graph_check_neighbourhoods(const view *v, const uint8_t *u3_bm, const uint8_t *left)
{
	for (uint32_t i = 0; i < v->n2; i++) {
		uint64_t id = sa_load_u64_be(v->u2 + (size_t) i * U2_REC);
		uint32_t a = (uint32_t) sa_find_id(v->roster, v->n, ROSTER_REC, id);
		bool needed = srv_bit_get(u3_bm, a);
		uint32_t holders = srv_bit_get(left, a);
		for (uint32_t d = 0; d < v->k; d++) {
			uint32_t w = neighbour_at(v, a, d);
			needed |= srv_bit_get(u3_bm, w);
			holders += srv_bit_get(left, w);
		}
		if (needed && holders < v->t) {
			if (v->blame != NULL)
				*v->blame = id;
			return SA_ERR_NEIGHBOURHOOD;
		}
	}
	return SA_OK;
}

/* The senders of this round (ris, k of them) as a bitmap over the roster. */
static uint8_t *
sender_bitmap(const view *v, const uint32_t *ris, uint32_t k)
{
	uint8_t *bm = sa_alloc_zero(srv_bitmap_bytes(v->n));
	if (bm != NULL)
		for (uint32_t j = 0; j < k; j++)
			srv_bit_set(bm, ris[j]);
	return bm;
}

/* ---------------------------------------------------------------------- */
/* Round 0: the ring, and each user's neighbours' advertisements          */
/* ---------------------------------------------------------------------- */

/* The items of a routed output: count, then each sender's id and the digest at `at` in its record. */
static void
put_senders_digests(sa_writer *w, const view *v, const size_t *idx, const uint32_t *ris, uint32_t k, size_t at)
{
	sa_put_u32(w, k);
	for (uint32_t j = 0; j < k; j++) {
		const uint8_t *r = v->img + idx[ris[j]];
		sa_put_bytes(w, r, 8);
		sa_put_bytes(w, r + REC_HDR + at, SA_ROUTE_DIGEST_BYTES);
	}
}

/* For each sender (ris, k of them): its id and the first `bytes` of its payload. */
static void
put_senders(sa_writer *w, const view *v, const size_t *idx, const uint32_t *ris, uint32_t k, size_t bytes)
{
	for (uint32_t j = 0; j < k; j++) {
		const uint8_t *r = v->img + idx[ris[j]];
		sa_put_bytes(w, r, 8);
		sa_put_bytes(w, r + REC_HDR, bytes);
	}
}

/* The output's list: each sender's signature at `at` in its payload, in id order. */
static void
put_signatures(sa_writer *w, const view *v, const size_t *idx, const uint32_t *ris, uint32_t k, size_t at)
{
	sa_put_u32(w, k);
	for (uint32_t j = 0; j < k; j++)
		sa_put_bytes(w, v->img + idx[ris[j]] + REC_HDR + at, SA_SIG_BYTES);
}

/*
 * AdvertiseKeys -> U1, the Merkle root of its advertisements, the ring; the
 * output keeps U1's signatures once (each user's message is derived).
 */
sa_status
srv_graph_close_round0(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                       uint8_t **out, size_t *out_len)
{
	sa_writer u1, state, o;
	sa_writer_init(&u1); sa_writer_init(&state); sa_writer_init(&o);
	put_senders(&u1, v, idx, ris, k, 2 * SA_KX_PK_BYTES);          /* U1: id, c_pk, s_pk */
	uint8_t root[32], seed[32];
	uint8_t *order = NULL, *pos = NULL;
	sa_status st = u1.failed ? SA_ERR_NOMEM : u1_root(u1.buf, k, U1_REC, 8, root);
	if (st == SA_OK) {
		sa_ring_seed(seed, v->ctx, k, root);
		st = ring_bytes(v->n, v->k, seed, &order, &pos);
	}
	if (st == SA_OK) {
		view nv = *v;
		nv.root = root;
		nv.seed = seed;
		nv.order = order;
		nv.pos = pos;
		srv_write_image(&state, &nv, 1, u1.buf, k, NULL, 0, NULL, 0, NULL, 0, NULL);
		st = SA_ERR_NOMEM;
		if (!state.failed && srv_reserve_output(&o, v, state.len, (size_t) k * SA_SIG_BYTES)) {
			srv_begin_output(&o, v, SA_OUTPUT_NEIGHBOURHOOD, state.buf, state.len);
			put_signatures(&o, v, idx, ris, k, 2 * SA_KX_PK_BYTES);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_free(order);
	sa_free(pos);
	sa_writer_discard(&u1); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ---------------------------------------------------------------------- */
/* Round 1: route each ciphertext to its recipient                        */
/* ---------------------------------------------------------------------- */

/*
 * ShareKeys -> U2 (id, commitment). The round kept each accepted message's
 * digest instead of its ciphertexts; the output lists U2 with the digests,
 * and the host routes the messages as rows (server_route.c).
 */
sa_status
srv_graph_close_round1(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                       uint8_t **out, size_t *out_len)
{
	sa_writer u2, state, o;
	sa_writer_init(&u2); sa_writer_init(&state); sa_writer_init(&o);
	put_senders(&u2, v, idx, ris, k, SA_COMMIT_BYTES);             /* U2: id, commitment */
	sa_status st = SA_ERR_NOMEM;
	if (!u2.failed) {
		srv_write_image(&state, v, 2, v->u1, v->n1, u2.buf, k, NULL, 0, NULL, 0, NULL);
		if (!state.failed &&
		    srv_reserve_output(&o, v, state.len, (size_t) k * SA_ROUTED_REC_BYTES)) {
			srv_begin_output(&o, v, SA_OUTPUT_ROUTES, state.buf, state.len);
			put_senders_digests(&o, v, idx, ris, k, SA_COMMIT_BYTES);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_writer_discard(&u2); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ---------------------------------------------------------------------- */
/* Round 2: U3 as a bitmap, broadcast                                     */
/* ---------------------------------------------------------------------- */

sa_status
srv_graph_close_round2(const view *v, const uint32_t *ris, uint32_t k, uint8_t **out, size_t *out_len)
{
	sa_writer u3, list, state, o;
	sa_writer_init(&u3); sa_writer_init(&list); sa_writer_init(&state); sa_writer_init(&o);
	for (uint32_t j = 0; j < k; j++)
		sa_put_bytes(&u3, v->roster + (size_t) ris[j] * ROSTER_REC, 8);
	uint8_t *bm = sender_bitmap(v, ris, k);
	sa_status st = (bm == NULL || u3.failed) ? SA_ERR_NOMEM : srv_graph_check_neighbourhoods(v, bm, bm);
	if (st == SA_OK) {
		uint8_t digest[32];
		sa_u3_digest(digest, v->ctx, v->n, bm, srv_bitmap_bytes(v->n));
		srv_put_s2c_header(&list, v, 3);
		sa_put_u32(&list, v->n);
		sa_put_bytes(&list, bm, srv_bitmap_bytes(v->n));
		view nv = *v;
		nv.u3_digest = digest;
		srv_write_image(&state, &nv, 3, v->u1, v->n1, v->u2, v->n2, u3.buf, k, NULL, 0,
		                v->img + v->psum_off);
		st = SA_ERR_NOMEM;
		if (!state.failed && !list.failed &&
		    srv_reserve_output(&o, v, state.len, (size_t) k * 8 + 4 + list.len)) {
			srv_begin_output(&o, v, SA_OUTPUT_BROADCAST, state.buf, state.len);
			srv_put_broadcast(&o, u3.buf, k, ID_REC, list.buf, list.len);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_free(bm);
	sa_writer_discard(&u3); sa_writer_discard(&list); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ---------------------------------------------------------------------- */
/* Round 3: each user gets its neighbourhood's signatures                 */
/* ---------------------------------------------------------------------- */

sa_status
srv_graph_close_round3(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                       uint8_t **out, size_t *out_len)
{
	sa_writer u4, state, o;
	sa_writer_init(&u4); sa_writer_init(&state); sa_writer_init(&o);
	for (uint32_t j = 0; j < k; j++)
		sa_put_bytes(&u4, v->img + idx[ris[j]], 8);
	uint8_t *left = sender_bitmap(v, ris, k), *bm = srv_graph_u3_bitmap(v, v->u3, v->n3, ID_REC);
	sa_status st = (left == NULL || bm == NULL || u4.failed) ? SA_ERR_NOMEM
	               : srv_graph_check_neighbourhoods(v, bm, left);
	if (st == SA_OK) {
		srv_write_image(&state, v, 4, v->u1, v->n1, v->u2, v->n2, v->u3, v->n3, u4.buf, k, v->sum);
		st = SA_ERR_NOMEM;
		if (!state.failed && srv_reserve_output(&o, v, state.len, (size_t) k * SA_SIG_BYTES)) {
			srv_begin_output(&o, v, SA_OUTPUT_NEIGHBOURHOOD, state.buf, state.len);
			put_signatures(&o, v, idx, ris, k, 0);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_free(left);
	sa_free(bm);
	sa_writer_discard(&u4); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ---------------------------------------------------------------------- */
/* Rounds 0 and 3: each recipient's message, derived from the output      */
/* ---------------------------------------------------------------------- */

sa_status
srv_graph_deriver_open(srv_graph_deriver *d, const uint8_t *state, size_t state_len,
                       const uint8_t *sigs, uint32_t count)
{
	memset(d, 0, sizeof *d);
	sa_writer_init(&d->msg);
	sa_status st = sa_server_validate(state, state_len);
	if (st == SA_OK)
		st = srv_open_view(&d->v, state, state_len);
	if (st != SA_OK)
		return st;
	const view *v = &d->v;
	if (v->k == 0 || (v->stage != 1 && v->stage != 4) || count != (v->stage == 1 ? v->n1 : v->n4))
		return SA_ERR_MALFORMED;
	d->sigs = sigs;
	d->count = count;
	d->nb = sa_alloc_array((size_t) v->k + 1, sizeof(uint32_t));
	d->at = sa_alloc_array((size_t) v->k + 1, sizeof(long));
	if (d->nb == NULL || d->at == NULL)
		return SA_ERR_NOMEM;
	if (v->stage == 4)
		return SA_OK;
	d->path = sa_alloc_array(SA_MERKLE_MAX_DEPTH, SA_MERKLE_HASH_BYTES);
	uint8_t (*leaves)[SA_MERKLE_HASH_BYTES] = sa_alloc_array(v->n1, SA_MERKLE_HASH_BYTES);
	if (d->path == NULL || leaves == NULL) {
		sa_free(leaves);
		return SA_ERR_NOMEM;
	}
	for (uint32_t j = 0; j < v->n1; j++) {
		const uint8_t *r = v->u1 + (size_t) j * U1_REC;
		sa_merkle_leaf(leaves[j], sa_load_u64_be(r), r + 8, r + 40);
	}
	st = sa_merkle_build(&d->tree, (const uint8_t (*)[SA_MERKLE_HASH_BYTES]) leaves, v->n1);
	sa_free(leaves);
	return st;
}

/* Round-1 message of U1 member j: the root, j's path, its neighbourhood's advertisements. */
static void
derive_round1_msg(srv_graph_deriver *d, uint32_t j, uint32_t a)
{
	const view *v = &d->v;
	sa_writer *m = &d->msg;
	srv_put_s2c_header(m, v, 1);
	sa_put_u32(m, d->tree.n);
	sa_put_bytes(m, sa_merkle_root(&d->tree), SA_MERKLE_HASH_BYTES);
	sa_put_u32(m, j);
	uint32_t plen = sa_merkle_path(&d->tree, j, d->path);
	sa_put_u8(m, (uint8_t) plen);
	sa_put_bytes(m, d->path, (size_t) plen * SA_MERKLE_HASH_BYTES);
	uint32_t size = closed_neighbourhood(v, a, d->nb), cnt = 0;
	long *at = d->at;
	for (uint32_t x = 0; x < size; x++)
		cnt += (at[x] = sa_find_id(v->u1, v->n1, U1_REC, srv_roster_id(v, d->nb[x]))) >= 0;
	sa_put_u32(m, cnt);
	for (uint32_t x = 0; x < size; x++) {
		if (at[x] < 0)
			continue;
		sa_put_bytes(m, v->u1 + (size_t) at[x] * U1_REC, U1_REC);          /* id, c_pk, s_pk */
		sa_put_bytes(m, d->sigs + (size_t) at[x] * SA_SIG_BYTES, SA_SIG_BYTES);
	}
}

/* Round-4 message of a U4 member: its neighbourhood's signatures of the U3 digest. */
static void
derive_round4_msg(srv_graph_deriver *d, uint32_t a)
{
	const view *v = &d->v;
	sa_writer *m = &d->msg;
	srv_put_s2c_header(m, v, 4);
	uint32_t size = closed_neighbourhood(v, a, d->nb), cnt = 0;
	long *at = d->at;
	for (uint32_t x = 0; x < size; x++)
		cnt += (at[x] = sa_find_id(v->u4, v->n4, ID_REC, srv_roster_id(v, d->nb[x]))) >= 0;
	sa_put_u32(m, cnt);
	for (uint32_t x = 0; x < size; x++) {
		if (at[x] < 0)
			continue;
		sa_put_bytes(m, v->u4 + (size_t) at[x] * ID_REC, ID_REC);
		sa_put_bytes(m, d->sigs + (size_t) at[x] * SA_SIG_BYTES, SA_SIG_BYTES);
	}
}

sa_status
srv_graph_derive(srv_graph_deriver *d, uint32_t i, uint64_t *user_id, const uint8_t **msg,
                 size_t *msg_len)
{
	const view *v = &d->v;
	const uint8_t *rec = v->stage == 1 ? v->u1 + (size_t) i * U1_REC : v->u4 + (size_t) i * ID_REC;
	*user_id = sa_load_u64_be(rec);
	if (msg == NULL)
		return SA_OK;
	long a = sa_find_id(v->roster, v->n, ROSTER_REC, *user_id);   /* present: the state is valid */
	d->msg.len = 0;
	if (v->stage == 1)
		derive_round1_msg(d, i, (uint32_t) a);
	else
		derive_round4_msg(d, (uint32_t) a);
	if (d->msg.failed)
		return SA_ERR_NOMEM;
	*msg = d->msg.buf;
	*msg_len = d->msg.len;
	return SA_OK;
}

void
srv_graph_deriver_free(srv_graph_deriver *d)
{
	sa_merkle_free(&d->tree);
	sa_free(d->path);
	sa_free(d->nb);
	sa_free(d->at);
	sa_writer_discard(&d->msg);
	memset(d, 0, sizeof *d);
}

/* ---------------------------------------------------------------------- */
/* Round 4: the responders; their shares are routed as rows               */
/* ---------------------------------------------------------------------- */

/*
 * Unmasking -> the responders (U5) with the digests of their messages, once
 * every secret the unmasking needs keeps t holders among them. The state
 * stays in stage 4: the shares go to their owners as rows, each owner's
 * secret is rebuilt by its own group, and sa_unmask_finish turns the
 * secrets into the sum (server_unmask.c).
 */
sa_status
srv_graph_close_round4(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                       unsigned threads, uint8_t **out, size_t *out_len)
{
	(void) threads;
	sa_writer state, o;
	sa_writer_init(&state); sa_writer_init(&o);
	uint8_t *left = sender_bitmap(v, ris, k), *u3_bm = srv_graph_u3_bitmap(v, v->u3, v->n3, ID_REC);
	sa_status st = (left == NULL || u3_bm == NULL) ? SA_ERR_NOMEM
	               : srv_graph_check_neighbourhoods(v, u3_bm, left);
	if (st == SA_OK) {
		srv_write_image(&state, v, 4, v->u1, v->n1, v->u2, v->n2, v->u3, v->n3, v->u4, v->n4, v->sum);
		st = SA_ERR_NOMEM;
		if (!state.failed &&
		    srv_reserve_output(&o, v, state.len, (size_t) k * SA_ROUTED_REC_BYTES)) {
			srv_begin_output(&o, v, SA_OUTPUT_UNMASK, state.buf, state.len);
			put_senders_digests(&o, v, idx, ris, k, 0);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_free(left);
	sa_free(u3_bm);
	sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}
