/*
 * server.h: the secure-aggregation server as a flat, versioned state image.
 *
 * A server state image is one byte string: a read-only BASE section (session
 * parameters, roster, the user sets U1..U4 with the public data the server
 * needs later, and from round 3 on the running sum of masked inputs) and a
 * PENDING section holding what arrived in the current round (a bitmap of
 * senders, the running sum during round 2, and one record per message in
 * the other rounds). The server never holds a secret and never holds a
 * per-user vector: masked inputs are folded into the sum as they arrive.
 *
 * recv appends to the pending section in place, so an aggregate can process
 * a table of messages with amortised O(1) copying; round() turns base plus
 * pending into the next base and the round's output. Neither modifies its
 * input on error: a rejected message or a round with fewer than t messages
 * leaves the image exactly as it was.
 *
 * Stages: 0..4 = waiting for the users' messages of round 0..4
 * (AdvertiseKeys, ShareKeys, MaskedInputCollection, ConsistencyCheck,
 * Unmasking); 5 = finished.
 */
#ifndef SECAGG_SECAGG_SERVER_H
#define SECAGG_SECAGG_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "secagg/protocol.h"

#define SA_SERVER_STAGE_DONE 5

/* Creates the image of a new session (stage 0). */
sa_status sa_server_create(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                           uint32_t vector_length, const sa_roster *roster,
                           uint8_t **img, size_t *img_len);

/*
 * The same for a SecAgg+ session on a Harary graph of degree `degree` (0:
 * the complete graph). Its image, messages and outputs are version 2.
 */
sa_status sa_server_create_graph(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                                 uint32_t vector_length, uint32_t degree, const sa_roster *roster,
                                 uint8_t **img, size_t *img_len);

/* Full validation of an image from an untrusted source. */
sa_status sa_server_validate(const uint8_t *img, size_t img_len);

typedef struct sa_server_info {
	uint8_t stage;
	uint32_t threshold, vector_length, n;
	uint32_t degree;                  /* SecAgg+ k; 0 for the complete graph */
	uint32_t u1, u2, u3, u4;          /* sizes of the user sets so far */
	uint32_t received;                /* messages pending in this round */
	size_t base_len;                  /* bytes of the base section */
	const uint8_t *ctx;               /* session context (32 bytes, inside img) */
	const uint8_t *session_id;
	uint8_t session_id_len;
} sa_server_info;

sa_status sa_server_info_get(const uint8_t *img, size_t img_len, sa_server_info *info);
/*
 * The length the image reaches when every user still expected in this
 * round has sent a valid message (img_len itself in round 2, whose masked
 * inputs are summed in place): a caller that collects a round in one buffer
 * can size it once. O(n), or O(n k log n) for a SecAgg+ session.
 */
sa_status sa_server_full_len(const uint8_t *img, size_t img_len, size_t *full);
/* Is id in the session's roster? (false for a malformed image) */
bool sa_server_in_roster(const uint8_t *img, size_t img_len, uint64_t id);

/* The message that starts round 0 (sent to every roster member). */
sa_status sa_server_round0_msg(const uint8_t *img, size_t img_len, uint8_t **msg, size_t *msg_len);

/*
 * Validates `msg` from `user_id` for the current stage and records it in
 * place. img has room for `cap` bytes, of which *img_len are used. If the
 * record does not fit, returns SA_ERR_LIMIT with *need set to the capacity
 * required and leaves the image untouched; the caller grows the buffer and
 * calls again. Any other error also leaves the image untouched.
 */
sa_status sa_server_recv(uint8_t *img, size_t *img_len, size_t cap, uint64_t user_id,
                         const uint8_t *msg, size_t msg_len, size_t *need);

/* Folds the pending section of `b` into `a` (same base required); result in *out. */
sa_status sa_server_merge(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                          uint8_t **out, size_t *out_len);

/*
 * Closes the current round. On success *out is a round-output blob (see
 * sa_output_*) holding the next state image and either one message per
 * user or, after Unmasking, the sum. threads > 1 spreads the mask
 * recomputation of the unmasking round over that many threads (they call
 * only libsodium and OpenSSL, never the allocator hook). Strict (see
 * sa_server_close).
 */
sa_status sa_server_round(const uint8_t *img, size_t img_len, unsigned threads,
                          uint8_t **out, size_t *out_len);

/*
 * Rejected senders. A caller that records invalid messages instead of
 * failing (see sa_status_rejects_sender) passes them to the round close,
 * which lists them in the output. One record per user, in the order given:
 *   user id u64 | round u8 | status u8   (SA_REJECTION_BYTES)
 * status is the sa_status value of the refusal (status.h pins the values).
 */
#define SA_REJECTION_BYTES 10
/* True for the statuses that blame one message (and so its sender), not the round. */
bool sa_status_rejects_sender(sa_status st);
/* Writes one rejection record. */
void sa_rejection_put(uint8_t rec[SA_REJECTION_BYTES], uint64_t user_id, uint8_t round, sa_status st);
/* Checks nrej records for the image's stage: round, a sender status, distinct roster ids. */
sa_status sa_rejections_check(const uint8_t *img, size_t img_len, const uint8_t *rej, uint32_t nrej);
/* sa_server_round, with the rejection records put into the output; not strict (see sa_server_close). */
sa_status sa_server_round_rejecting(const uint8_t *img, size_t img_len, unsigned threads,
                                    const uint8_t *rej, uint32_t nrej, uint8_t **out, size_t *out_len);

/*
 * The general round close. opts:
 *   threads      as for sa_server_round (0 counts as 1);
 *   rej, nrej    rejection records to list in the output (sa_rejections_check);
 *   strict       what to do when users of this round repeat one another's
 *                public keys (a round-0 check that only the close can make
 *                when messages were collected in several partial states, as
 *                parallel aggregation does): strict fails the round with
 *                SA_ERR_KEYS; otherwise every user holding a repeated key
 *                is left out of U1 and listed as rejected (SA_ERR_KEYS);
 *   out_prefix   bytes left free at the start of *out (*out_len counts them;
 *                the output blob starts at *out + out_prefix), so a host can
 *                put its own header there and adopt the buffer without a
 *                copy: the output is written in one allocation of exactly
 *                that size;
 *   failed_user  if not NULL, the user a failure is about: SA_ERR_KEYS
 *                (strict, a repeated key), SA_ERR_NEIGHBOURHOOD (SecAgg+: its
 *                neighbourhood kept fewer than t users), SA_ERR_RECONSTRUCT
 *                (SecAgg+: its neighbours' shares do not rebuild its secret).
 */
typedef struct sa_round_opts {
	unsigned threads;
	const uint8_t *rej;
	uint32_t nrej;
	bool strict;
	size_t out_prefix;
	uint64_t *failed_user;
} sa_round_opts;

sa_status sa_server_close(const uint8_t *img, size_t img_len, const sa_round_opts *opts,
                          uint8_t **out, size_t *out_len);

/* ---- round output blobs ---- */
#define SA_OUTPUT_MESSAGES  1   /* one message per user */
#define SA_OUTPUT_VECTOR    2   /* the sum */
#define SA_OUTPUT_BROADCAST 3   /* one message for every recipient (stored once) */
#define SA_OUTPUT_NEIGHBOURHOOD 4 /* SecAgg+ rounds 0 and 3: messages derived from one list */
#define SA_OUTPUT_ROUTES    5   /* SecAgg+ round 1: U2 and digests; messages routed as rows */
#define SA_OUTPUT_UNMASK    6   /* SecAgg+ round 4: responders and digests; shares routed as rows */

typedef struct sa_output_view {
	uint8_t kind;
	const uint8_t *state;  size_t state_len;
	uint32_t rejected_count;              /* rejection records (SAO2 only) */
	const uint8_t *rejected;
	uint32_t count;                       /* messages (recipients), or vector length */
	const uint8_t *items;  size_t items_len;
	const uint8_t *broadcast;             /* SA_OUTPUT_BROADCAST: the message */
	size_t broadcast_len;
} sa_output_view;

/*
 * Output blob: "SAO1" | kind u8 | state_len u64 | state | count u32 | items
 *           or "SAO2" | kind u8 | state_len u64 | state | nrej u32 | nrej rejection records
 *                     | count u32 | items
 * (SAO2 is written only when some sender was rejected.) items, by kind:
 *   MESSAGES:  count records id u64 | len u32 | message
 *   VECTOR:    count little-endian u64 words
 *   BROADCAST: count ids u64 (strictly increasing) | len u32 | message: the
 *              rounds whose message is the same for every user (0, 2, 3
 *              on the complete graph, 2 on a SecAgg+ graph) store it once
 *              instead of count times.
 *   NEIGHBOURHOOD (SecAgg+ rounds 0 and 3, state of stage 1 or 4): count
 *              Ed25519 signatures (SA_SIG_BYTES each), one per member of U1
 *              (round 0: the advertisement signatures) or U4 (round 3: the
 *              signatures of the U3 digest), in id order; count is that set's
 *              size. Each member's message (its neighbours' advertisements
 *              with its Merkle path, or its neighbours' signatures) is
 *              derived from the state and this list by a cursor, so the
 *              output holds O(n) bytes instead of O(n k).
 *   ROUTES (SecAgg+ round 1, state of stage 2): count records id u64 |
 *              digest (SA_ROUTE_DIGEST_BYTES), one per member of U2 in id
 *              order: the digest of the ShareKeys payload the round accepted
 *              from it. The ciphertexts are not in the output: the host
 *              routes the users' messages itself (sa_routes_split,
 *              sa_share_message below).
 *   UNMASK (SecAgg+ round 4, state of stage 4 without pending messages):
 *              count records id u64 | digest, one per responder in id
 *              order. The shares are routed to their owners as rows, each
 *              owner's secret rebuilt from its group, and the sum computed
 *              from the secrets (sa_unmask_* below).
 */
/* Validates an output blob; for messages checks every record's bounds. */
sa_status sa_output_open(const uint8_t *blob, size_t len, sa_output_view *v);
/*
 * Iterates the messages of a MESSAGES or BROADCAST output: *pos starts at 0;
 * returns false at the end (at once for the other kinds: use a cursor).
 */
bool sa_output_next_message(const sa_output_view *v, size_t *pos, uint64_t *user_id,
                            const uint8_t **msg, size_t *msg_len);
/*
 * A cursor over the recipients and messages of any output but VECTOR and
 * UNMASK (SA_ERR_WRONG_ROUND for those), in id order. Opening one on a NEIGHBOURHOOD output validates its state in
 * full and builds what the derivation needs (O(n log n)); each message then
 * costs O(k log n). A ROUTES output gives its recipients (U2) only: asking
 * for a message is SA_ERR_WRONG_ROUND (the host routes them).
 */
typedef struct sa_output_cursor sa_output_cursor;

sa_status sa_output_cursor_open(const sa_output_view *v, sa_output_cursor **c);
/*
 * The next recipient and, if msg is not NULL, its message (valid until the
 * next call or the free). Returns SA_OK with *end false for a message,
 * SA_OK with *end true after the last one, or an error (SA_ERR_NOMEM).
 */
sa_status sa_output_cursor_next(sa_output_cursor *c, uint64_t *user_id, const uint8_t **msg,
                                size_t *msg_len, bool *end);
void sa_output_cursor_free(sa_output_cursor *c);

/* ---- round-1 routing of a SecAgg+ session (server_route.c) ---- */

#define SA_ROUTE_DIGEST_BYTES 32
/* An item of a ROUTES or UNMASK output: user id u64 | digest of its accepted message. */
#define SA_ROUTED_REC_BYTES (8 + SA_ROUTE_DIGEST_BYTES)
/* One ciphertext on its way: version u8 | context | sender id u64 | nonce | ciphertext. */
#define SA_ROUTE_BYTES (1 + SA_CTX_BYTES + SA_CT_ENTRY_BYTES)

typedef struct sa_routes {
	uint8_t ver;
	const uint8_t *ctx;        /* inside the output */
	const uint8_t *u2;         /* n2 records id | digest */
	uint32_t n2;
} sa_routes;

/* Opens a ROUTES output: its framing only, O(1) (SA_ERR_WRONG_ROUND for another kind). */
sa_status sa_routes_open(const uint8_t *blob, size_t len, sa_routes *rv);

typedef sa_status (*sa_route_emit)(void *arg, uint64_t recipient, const uint8_t route[SA_ROUTE_BYTES]);
/*
 * Splits the round-1 message `msg` of `sender` into one route per
 * ciphertext whose recipient is in U2, after checking it is the message
 * the round accepted from sender (SA_ERR_DUPLICATE if it is another one,
 * SA_ERR_UNKNOWN_USER if the round accepted none). emit's error stops it.
 */
sa_status sa_routes_split(const sa_routes *rv, uint64_t sender, const uint8_t *msg, size_t len,
                          sa_route_emit emit, void *arg);
/*
 * One recipient's round-2 message from the `count` routes addressed to it
 * (in any order): SA_ERR_SESSION if they are not all of one session,
 * SA_ERR_DUPLICATE if a sender repeats.
 */
sa_status sa_share_message(const uint8_t *routes, size_t count, uint8_t **msg, size_t *msg_len);

/* ---- round-4 unmasking of a SecAgg+ session as rows (server_unmask.c) ---- */

/*
 * One revealed share on its way to its owner:
 *   version u8 | context | t u32 | owner u64 | kind u8 | check 32 | holder u64 | share 32
 * kind is SA_SHARE_KIND_SELF (a share of the owner's b; check = its
 * commitment) or SA_SHARE_KIND_PAIR (of its s-key seed; check = its s_pk).
 * Everything before `holder` (SA_UNMASK_SHARE_PREFIX bytes) is the same for
 * all shares of one owner.
 */
#define SA_UNMASK_SHARE_T      (1 + SA_CTX_BYTES)           /* offsets in a share */
#define SA_UNMASK_SHARE_OWNER  (SA_UNMASK_SHARE_T + 4)
#define SA_UNMASK_SHARE_KIND   (SA_UNMASK_SHARE_OWNER + 8)
#define SA_UNMASK_SHARE_CHECK  (SA_UNMASK_SHARE_KIND + 1)
#define SA_UNMASK_SHARE_PREFIX (SA_UNMASK_SHARE_CHECK + 32)
#define SA_UNMASK_SHARE_HOLDER SA_UNMASK_SHARE_PREFIX
#define SA_UNMASK_SHARE_VALUE  (SA_UNMASK_SHARE_HOLDER + 8)
#define SA_UNMASK_SHARE_BYTES  (SA_UNMASK_SHARE_VALUE + SA_SCALAR_BYTES)
/* A rebuilt secret: version u8 | context | owner u64 | kind u8 | secret 32 (a secret: wipe it). */
#define SA_UNMASK_SECRET_OWNER (1 + SA_CTX_BYTES)           /* offsets in a secret */
#define SA_UNMASK_SECRET_KIND  (SA_UNMASK_SECRET_OWNER + 8)
#define SA_UNMASK_SECRET_VALUE (SA_UNMASK_SECRET_KIND + 1)
#define SA_UNMASK_SECRET_BYTES (SA_UNMASK_SECRET_VALUE + SA_SCALAR_BYTES)

typedef struct sa_unmask_view {
	const uint8_t *state;      /* inside the output */
	size_t state_len;
	const uint8_t *resp;       /* count records id | digest */
	uint32_t count;
} sa_unmask_view;

/* Opens an UNMASK output: framing, O(1) (SA_ERR_WRONG_ROUND for another kind). */
sa_status sa_unmask_open(const uint8_t *blob, size_t len, sa_unmask_view *uv);

typedef sa_status (*sa_unmask_emit)(void *arg, uint64_t owner, const uint8_t share[SA_UNMASK_SHARE_BYTES]);
/*
 * Splits the Unmasking message of `responder` into one share per owner,
 * after checking it is the message the round accepted from it
 * (SA_ERR_DUPLICATE if another, SA_ERR_UNKNOWN_USER if none).
 */
sa_status sa_unmask_split(const sa_unmask_view *uv, uint64_t responder, const uint8_t *msg, size_t len,
                          sa_unmask_emit emit, void *arg);
/*
 * Rebuilds one owner's secret from its `count` shares (any order) and checks
 * it against the shares' check value; one wrong share is found and left
 * out. SA_ERR_SESSION: shares of different owners or sessions;
 * SA_ERR_DUPLICATE: a holder twice; SA_ERR_RECONSTRUCT: fewer than t, or no
 * t of them give a secret that checks.
 */
sa_status sa_unmask_rebuild(const uint8_t *shares, size_t count, uint8_t secret[SA_UNMASK_SECRET_BYTES]);
/*
 * The sum: the output of the Unmasking round (kind VECTOR, state finished)
 * from the UNMASK output and the rebuilt secrets (any order), each checked
 * again; every secret the unmasking needs must be there exactly once
 * (SA_ERR_RECONSTRUCT naming the owner in *failed_user otherwise).
 */
sa_status sa_unmask_finish(const uint8_t *blob, size_t len, const uint8_t *secrets, size_t count,
                           unsigned threads, uint8_t **out, size_t *out_len, uint64_t *failed_user);

/* Rejection record i (i < rejected_count). */
void sa_output_rejection_at(const sa_output_view *v, uint32_t i, uint64_t *user_id, uint8_t *round,
                            sa_status *status);
/* Vector element i (two's complement when read as int64). */
uint64_t sa_output_vector_at(const sa_output_view *v, uint32_t i);

#endif
