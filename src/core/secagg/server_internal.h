/*
 * server_internal.h: the server state image's layout and the helpers that
 * server.c (the protocol on the complete graph, and everything common) and
 * server_graph.c (what changes on a SecAgg+ graph) share. Not installed.
 *
 * Image layout (all integers big-endian unless said otherwise):
 *   header (HDR_BYTES): magic "SAS1" (complete graph) or "SAS2" (SecAgg+)
 *     | version u8 | stage u8 | sid_len u8 | 0 | ctx 32 | sid 64 | t u32
 *     | m u32 | n u32 | n1..n4 u32 | has_sum u8 | 0 0 0
 *   SAS2 only, the graph block (GRAPH_BYTES): k u32 | 0 u32 | root 32 |
 *     seed 32 | U3 digest 32 (root and seed zero until round 0 closes, the
 *     digest until round 2 closes)
 *   roster: n records id u64 | Ed25519 pk
 *   SAS2 from stage 1 on, the ring: order (ring position -> roster index)
 *     and pos (roster index -> ring position), n little-endian u32 each
 *   U1 records id | c_pk | s_pk; U2 records id | commitment; U3, U4 ids;
 *   the running sum (m little-endian u64) in stages 3 and 4
 *   pending: count u32 | sender bitmap | (stage 2) partial sum | records
 *     id u64 | len u32 | payload
 */
#ifndef SECAGG_SECAGG_SERVER_INTERNAL_H
#define SECAGG_SECAGG_SERVER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/codec.h"
#include "secagg/merkle.h"
#include "secagg/server.h"

#define MAGIC_COMPLETE "SAS1"
#define MAGIC_GRAPH    "SAS2"
#define HDR_BYTES 136
#define GRAPH_BYTES (4 + 4 + 32 + 32 + 32)             /* 104 */
#define ROSTER_REC (8 + SA_SIGN_PK_BYTES)              /* 40 */
#define U1_REC (8 + SA_KX_PK_BYTES + SA_KX_PK_BYTES)   /* 72 */
#define U2_REC (8 + SA_COMMIT_BYTES)                   /* 40 */
#define ID_REC 8
#define REC_HDR 12                                     /* id u64 + len u32 */
#define SHARE_ENTRY (8 + 1 + SA_SCALAR_BYTES)          /* 41 */
#define KEYLIST_REC (U1_REC + SA_SIG_BYTES)            /* 136: id, c_pk, s_pk, sig */
#define SIG_REC (8 + SA_SIG_BYTES)                     /* 72: id, signature */

typedef struct view {
	const uint8_t *img;
	size_t len;
	uint8_t ver, stage, sid_len;
	const uint8_t *ctx, *sid;
	uint32_t t, m, n, n1, n2, n3, n4;
	uint32_t k;                /* SecAgg+ degree; 0 on the complete graph */
	const uint8_t *root, *seed, *u3_digest; /* SecAgg+ graph block */
	const uint8_t *order, *pos; /* SecAgg+ ring (stage >= 1), little-endian u32 */
	bool has_sum;
	const uint8_t *roster, *u1, *u2, *u3, *u4, *sum;
	size_t base_len;
	uint32_t count;            /* pending messages */
	const uint8_t *rej;        /* rejection records for the output (round close only) */
	uint32_t nrej;
	size_t bitmap_off, bitmap_len, psum_off, rec_off;
	uint64_t *blame;           /* round close: the user a neighbourhood failure names */
	size_t out_prefix;         /* round close: bytes left free before the output blob */
} view;

static inline size_t
srv_bitmap_bytes(uint32_t n)
{
	return ((size_t) n + 7) / 8;
}

static inline uint64_t
srv_roster_id(const view *v, uint32_t i)
{
	return sa_load_u64_be(v->roster + (size_t) i * ROSTER_REC);
}

static inline bool
srv_bit_get(const uint8_t *bm, uint32_t i)
{
	return (bm[i / 8] >> (i % 8)) & 1;
}

static inline void
srv_bit_set(uint8_t *bm, uint32_t i)
{
	bm[i / 8] |= (uint8_t) (1u << (i % 8));
}

sa_status srv_open_view(view *v, const uint8_t *img, size_t len);
void srv_write_image(sa_writer *w, const view *old, uint8_t stage, const uint8_t *u1, uint32_t n1,
                     const uint8_t *u2, uint32_t n2, const uint8_t *u3, uint32_t n3,
                     const uint8_t *u4, uint32_t n4, const uint8_t *sum);
void srv_put_s2c_header(sa_writer *w, const view *v, int round);
void srv_begin_output(sa_writer *w, const view *v, uint8_t kind, const uint8_t *state, size_t state_len);
/*
 * Reserves exactly the output's size (its state of state_len bytes, the
 * rejection records, the count and items_len bytes of items) before
 * srv_begin_output, so that a large output is written in one allocation.
 */
bool srv_reserve_output(sa_writer *w, const view *v, size_t state_len, size_t items_len);
sa_status srv_finish_messages(sa_writer *w, uint8_t **out, size_t *out_len);
void srv_put_broadcast(sa_writer *w, const uint8_t *ids, uint32_t count, size_t stride,
                       const uint8_t *msg, size_t msg_len);
uint32_t srv_sender_list(const view *v, const size_t *idx, uint32_t *ris);
/*
 * Digest of an accepted ShareKeys (round 1) or Unmasking (round 4) payload:
 * what a SecAgg+ server keeps instead of the payload, whose contents the
 * host routes as rows (server_route.c, server_unmask.c).
 */
void srv_route_digest(uint8_t out[SA_ROUTE_DIGEST_BYTES], uint8_t round, const uint8_t ctx[SA_CTX_BYTES],
                      uint64_t sender, const uint8_t *payload, size_t len);
/* An output blob's framing (magic, kind, state, rejection records, count, items), O(1). */
sa_status srv_output_frame(const uint8_t *blob, size_t len, sa_output_view *ov);
/* A ROUTES / UNMASK output over a SecAgg+ state of `stage`: exactly count id | digest items. O(1). */
sa_status srv_routed_items(const sa_output_view *ov, uint8_t stage, view *sv);
/* Are these nrej rejection records of `round`, with sender statuses, for distinct roster members? */
sa_status srv_check_rejections(const view *v, uint8_t round, const uint8_t *rej, uint32_t nrej);

/* Writes the output of the unmasking round: state DONE and the sum acc. */
sa_status srv_finish_sum(const view *v, const uint64_t *acc, uint8_t **out, size_t *out_len);
/* Does the rebuilt secret of U2 member i verify: commitment (alive) or s-key (dropped)? */
bool srv_verify_secret(const view *v, uint32_t i, bool alive, const uint8_t secret[32]);

/* ---- SecAgg+ (server_graph.c) ---- */

/* The d-th neighbour of roster index a (0 <= d < k), alternately after and before it on the ring. */
uint32_t srv_graph_neighbour_at(const view *v, uint32_t a, uint32_t d);
/*
 * Does every user whose secret the unmasking needs (in U3, or with a
 * neighbour in U3) keep t holders in `left` among its closed neighbourhood?
 * SA_ERR_NEIGHBOURHOOD naming the first that does not (v->blame).
 */
sa_status srv_graph_check_neighbourhoods(const view *v, const uint8_t *u3_bm, const uint8_t *left);
/* U3 (n3 ids at stride) as a bitmap over the roster; NULL if out of memory. */
uint8_t *srv_graph_u3_bitmap(const view *v, const uint8_t *u3, uint32_t n3, size_t stride);
/* Neighbours of roster index a on the ring, in increasing roster order; returns k. */
uint32_t srv_graph_neighbours(const view *v, uint32_t a, uint32_t *out);
/* Is every stored graph field what the roster, U1 and the degree give? O(n). */
sa_status srv_graph_validate(const view *v);
/* Exact payload length of roster index ri's message in this stage (rounds 1 and 4). */
size_t srv_graph_payload_len(const view *v, uint32_t ri);
/* Round-specific payload checks (rounds 1, 3 and 4). */
sa_status srv_graph_check_payload(const view *v, uint64_t user, const uint8_t *p);
/* Round closes of a SecAgg+ session. */
sa_status srv_graph_close_round0(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                                 uint8_t **out, size_t *out_len);
sa_status srv_graph_close_round1(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                                 uint8_t **out, size_t *out_len);
sa_status srv_graph_close_round2(const view *v, const uint32_t *ris, uint32_t k,
                                 uint8_t **out, size_t *out_len);
sa_status srv_graph_close_round3(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                                 uint8_t **out, size_t *out_len);
sa_status srv_graph_close_round4(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                                 unsigned threads, uint8_t **out, size_t *out_len);

/*
 * The messages of a SecAgg+ round-0 or round-3 output (SA_OUTPUT_NEIGHBOURHOOD),
 * derived one recipient at a time from the output's state (stage 1 or 4)
 * and its signature list.
 */
typedef struct srv_graph_deriver {
	view v;
	const uint8_t *sigs;        /* one per member of U1 (stage 1) or U4 (stage 4), id order */
	uint32_t count;
	sa_merkle_tree tree;        /* stage 1: over the U1 advertisements */
	uint32_t *nb;               /* k + 1 roster indices */
	long *at;                   /* their positions in U1 / U4 (-1: not in it) */
	uint8_t (*path)[SA_MERKLE_HASH_BYTES];
	sa_writer msg;
} srv_graph_deriver;

/* Validates the state in full and prepares; free with srv_graph_deriver_free even on error. */
sa_status srv_graph_deriver_open(srv_graph_deriver *d, const uint8_t *state, size_t state_len,
                                 const uint8_t *sigs, uint32_t count);
/* Recipient i's id and message (i < count; the message lives until the next call). */
sa_status srv_graph_derive(srv_graph_deriver *d, uint32_t i, uint64_t *user_id, const uint8_t **msg,
                           size_t *msg_len);
void srv_graph_deriver_free(srv_graph_deriver *d);

#endif
