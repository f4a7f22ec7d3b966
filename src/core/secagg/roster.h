/*
 * roster.h: the public-key directory of a session (the paper's PKI), as a
 * canonical byte string: "SAR1" | n (u32) | n x (id u64 | Ed25519 pk),
 * ids strictly increasing and non-zero.
 */
#ifndef SECAGG_SECAGG_ROSTER_H
#define SECAGG_SECAGG_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "secagg/protocol.h"

#define SA_ROSTER_ENTRY_BYTES 40

/* Parses and validates; *r points into arrays allocated here (free with sa_roster_release). */
sa_status sa_roster_decode(const uint8_t *buf, size_t len, sa_roster *r);
void sa_roster_release(sa_roster *r);

/*
 * Sorts `count` unsorted entries (id u64 BE | pk) in place and encodes the
 * roster; refuses ids of zero and repeated ids.
 */
sa_status sa_roster_build(uint8_t *entries, size_t count, uint8_t **out, size_t *out_len);

#endif
