/*
 * client.h: the user side of secure aggregation (Bonawitz et al. 2017,
 * active variant), as an object that answers each server message and
 * serialises to a canonical, versioned byte string.
 *
 * The client state HOLDS SECRETS: the Ed25519 signing key, the X25519 key
 * of the share channel, the seeds of both masks, this user's own shares,
 * the ciphertexts addressed to it and, until it has been sent masked, the
 * input vector. Store it like a private key.
 *
 * Every round is transactional: on any error the client is unchanged.
 * The client enforces the threshold itself, checks every signature against
 * the roster, never answers a round twice (a finished round moves the
 * stage forward), and reveals for each peer either the self-mask share or
 * the key share, never both.
 */
#ifndef SECAGG_SECAGG_CLIENT_H
#define SECAGG_SECAGG_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"
#include "secagg/protocol.h"

typedef struct sa_client sa_client;

#define SA_CLIENT_STAGE_DONE 5

sa_status sa_client_create(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                           const sa_roster *roster, uint64_t user_id,
                           const uint8_t sign_sk[SA_SIGN_SK_BYTES],
                           const uint64_t *x, uint32_t m, sa_client **out);
/*
 * The same for a SecAgg+ session on a Harary graph of degree `degree`
 * (0: the complete graph, as sa_client_create); threshold is then the
 * t of t-of-(k+1) sharing among a neighbourhood (protocol.h sa_check_graph).
 */
sa_status sa_client_create_graph(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                                 uint32_t degree, const sa_roster *roster, uint64_t user_id,
                                 const uint8_t sign_sk[SA_SIGN_SK_BYTES], const uint64_t *x, uint32_t m,
                                 sa_client **out);
void sa_client_free(sa_client *c);

/* Answers server message `in`; *out (allocated) is the message for the server. */
sa_status sa_client_round(sa_client *c, const uint8_t *in, size_t in_len,
                          uint8_t **out, size_t *out_len);

sa_status sa_client_serialize(const sa_client *c, uint8_t **buf, size_t *len);
sa_status sa_client_deserialize(const uint8_t *buf, size_t len, sa_client **out);

/* Stage: 0..4 = waiting for the server message of round 0..4; 5 = done. */
uint8_t sa_client_stage(const sa_client *c);
uint64_t sa_client_user_id(const sa_client *c);
const uint8_t *sa_client_ctx(const sa_client *c);
const uint8_t *sa_client_session_id(const sa_client *c, uint8_t *len);
uint32_t sa_client_vector_length(const sa_client *c);

/*
 * Rollback guard: may `candidate` replace `current`? Refuses another session
 * or user (SA_ERR_SESSION), an earlier stage (SA_ERR_ROLLBACK), and a
 * different state at the same stage (a fork, SA_ERR_ROLLBACK).
 */
sa_status sa_client_check_recover(const uint8_t *current, size_t current_len,
                                  const uint8_t *candidate, size_t candidate_len);

/* Ed25519 key pair for the roster (gen_keypair). */
void sa_sign_keypair(uint8_t pk[SA_SIGN_PK_BYTES], uint8_t sk[SA_SIGN_SK_BYTES]);

#endif
