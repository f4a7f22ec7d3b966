/*
 * mask_sum.h: adding many masks into one vector, on worker threads.
 *
 * A mask task is one PRG expansion added with a sign: either its key is
 * given (a self mask), or it is the pairwise mask between an owner whose
 * X25519 secret key is known and a peer w, whose key the worker derives
 * (KA, then sa_pair_mask_key), so the key agreements are spread over the
 * threads too. The client masks its input this way (it owns one key and
 * agrees with each neighbour); the server unmasks this way (it owns the
 * rebuilt keys of dropped users and agrees with their survivors).
 */
#ifndef SECAGG_SECAGG_MASK_SUM_H
#define SECAGG_SECAGG_MASK_SUM_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "secagg/protocol.h"

typedef struct sa_mask_task {
	uint8_t key[SA_MASK_KEY_BYTES];   /* the key, when owner < 0 */
	int8_t sign;                      /* +1 adds the mask, -1 removes it */
	int32_t owner;                    /* -1: key given; else an index into sa_mask_owners */
	uint64_t w;                       /* the peer of a pairwise mask */
	const uint8_t *pk_w;              /* its X25519 public key */
} sa_mask_task;

/* The owners of pairwise masks: ids, X25519 key pairs, and the session context. */
typedef struct sa_mask_owners {
	const uint8_t *ctx;
	uint64_t *ids;
	uint8_t (*pk)[32];
	uint8_t (*sk)[32];
} sa_mask_owners;

/*
 * acc += sum over the tasks of sign * mask, mod 2^64, on up to `threads`
 * threads (each extra thread takes an m-element accumulator of its own);
 * SA_ERR_INTERRUPTED if a cancel was seen.
 */
sa_status sa_mask_sum(const sa_mask_task *tasks, const sa_mask_owners *owners, size_t ntasks, uint64_t *acc,
                      size_t m, unsigned threads);

#endif
