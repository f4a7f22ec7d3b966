/*
 * server_route.c: the ShareKeys traffic of a SecAgg+ session, routed as
 * rows instead of one value.
 *
 * In round 1 each user sends one ciphertext per neighbour: n·k ciphertexts
 * in all (2.6 GB at n = 100,000, k = 200), too much for one state or one
 * output. So the server keeps, per accepted message, only the commitment
 * and a digest of the payload (sa_server_recv), and the round-1 close
 * outputs U2 with those digests (kind ROUTES, server.h). The messages stay
 * where the host keeps them; the host then
 *
 *   1. splits each accepted message into its routes (sa_routes_split): one
 *      per ciphertext whose recipient is in U2, after checking the message
 *      is the one the round accepted (its digest);
 *   2. groups the routes by recipient and builds each recipient's round-2
 *      message from its group (sa_share_message), exactly the bytes a
 *      client expects (sorted by sender, no sender twice).
 *
 * Route (SA_ROUTE_BYTES): version u8 | session context | sender id u64 |
 * nonce | ciphertext, so that a group needs nothing but its routes.
 */
#include "secagg/server.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"

#include "secagg/server_internal.h"

#define ROUTE_PREFIX (1 + SA_CTX_BYTES)          /* version | context */

void
srv_route_digest(uint8_t out[SA_ROUTE_DIGEST_BYTES], uint8_t round, const uint8_t ctx[SA_CTX_BYTES],
                 uint64_t sender, const uint8_t *payload, size_t len)
{
	const char *label = round == 1 ? "secagg/v2/sharekeys" : "secagg/v2/unmasking";
	uint8_t id[8];
	sa_store_u64_be(id, sender);
	crypto_generichash_state h;
	crypto_generichash_init(&h, NULL, 0, SA_ROUTE_DIGEST_BYTES);
	crypto_generichash_update(&h, (const uint8_t *) label, strlen(label));
	crypto_generichash_update(&h, ctx, SA_CTX_BYTES);
	crypto_generichash_update(&h, id, 8);
	crypto_generichash_update(&h, payload, len);
	crypto_generichash_final(&h, out, SA_ROUTE_DIGEST_BYTES);
}

/* ---------------------------------------------------------------------- */
/* The ROUTES output                                                      */
/* ---------------------------------------------------------------------- */

/*
 * Framing only, O(1): the state's version and context, and a U2 list of
 * exactly count records. The list's order is not checked here (a binary
 * search in a list out of order only misses); sa_output_open checks it.
 */
sa_status
sa_routes_open(const uint8_t *blob, size_t len, sa_routes *rv)
{
	sa_output_view ov;
	view v;
	memset(rv, 0, sizeof *rv);
	sa_status st = srv_output_frame(blob, len, &ov);
	if (st != SA_OK)
		return st;
	if (ov.kind != SA_OUTPUT_ROUTES)
		return SA_ERR_WRONG_ROUND;
	if ((st = srv_routed_items(&ov, 2, &v)) != SA_OK)
		return st;
	rv->ver = v.ver;
	rv->ctx = v.ctx;
	rv->u2 = ov.items;
	rv->n2 = ov.count;
	return SA_OK;
}

/* The digest the round accepted from `id`, or NULL if id is not in U2. */
static const uint8_t *
accepted_digest(const sa_routes *rv, uint64_t id)
{
	long i = sa_find_id(rv->u2, rv->n2, SA_ROUTED_REC_BYTES, id);
	return i < 0 ? NULL : rv->u2 + (size_t) i * SA_ROUTED_REC_BYTES + 8;
}

sa_status
sa_routes_split(const sa_routes *rv, uint64_t sender, const uint8_t *msg, size_t len,
                sa_route_emit emit, void *arg)
{
	if (msg == NULL || len < SA_C2S_HEADER_BYTES + SA_COMMIT_BYTES + 4)
		return SA_ERR_MALFORMED;
	if (msg[0] != rv->ver)
		return SA_ERR_VERSION;
	if (msg[1] != SA_MSG_C2S(1))
		return SA_ERR_WRONG_ROUND;
	if (memcmp(msg + 2, rv->ctx, SA_CTX_BYTES) != 0)
		return SA_ERR_SESSION;
	if (sa_load_u64_be(msg + 2 + SA_CTX_BYTES) != sender)
		return SA_ERR_UNKNOWN_USER;
	const uint8_t *want = accepted_digest(rv, sender);
	if (want == NULL)
		return SA_ERR_UNKNOWN_USER;
	const uint8_t *p = msg + SA_C2S_HEADER_BYTES;
	size_t plen = len - SA_C2S_HEADER_BYTES;
	uint8_t got[SA_ROUTE_DIGEST_BYTES];
	srv_route_digest(got, 1, rv->ctx, sender, p, plen);
	if (sodium_memcmp(got, want, SA_ROUTE_DIGEST_BYTES) != 0)
		return SA_ERR_DUPLICATE;       /* not the message the round accepted from sender */
	/* accepted, so well formed: commitment | count | count entries (checked again, cheaply) */
	uint32_t count = sa_load_u32_be(p + SA_COMMIT_BYTES);
	if ((plen - SA_COMMIT_BYTES - 4) / SA_CT_ENTRY_BYTES != count ||
	    (plen - SA_COMMIT_BYTES - 4) % SA_CT_ENTRY_BYTES != 0)
		return SA_ERR_MALFORMED;
	uint8_t route[SA_ROUTE_BYTES];
	route[0] = rv->ver;
	memcpy(route + 1, rv->ctx, SA_CTX_BYTES);
	sa_store_u64_be(route + ROUTE_PREFIX, sender);
	const uint8_t *e = p + SA_COMMIT_BYTES + 4;
	for (uint32_t i = 0; i < count; i++, e += SA_CT_ENTRY_BYTES) {
		uint64_t to = sa_load_u64_be(e);
		if (to == sender || accepted_digest(rv, to) == NULL)
			continue;                  /* a neighbour that left after AdvertiseKeys */
		memcpy(route + ROUTE_PREFIX + 8, e + 8, SA_CT_ENTRY_BYTES - 8);
		sa_status st = emit(arg, to, route);
		if (st != SA_OK)
			return st;
	}
	return SA_OK;
}

/* ---------------------------------------------------------------------- */
/* A recipient's round-2 message                                          */
/* ---------------------------------------------------------------------- */

static int
cmp_route_sender(const void *a, const void *b)
{
	uint64_t x = sa_load_u64_be((const uint8_t *) a + ROUTE_PREFIX);
	uint64_t y = sa_load_u64_be((const uint8_t *) b + ROUTE_PREFIX);
	return x < y ? -1 : x > y;
}

sa_status
sa_share_message(const uint8_t *routes, size_t count, uint8_t **msg, size_t *msg_len)
{
	*msg = NULL;
	if (count == 0 || count > SA_MAX_USERS_GRAPH)
		return SA_ERR_MALFORMED;
	for (size_t i = 1; i < count; i++)
		if (memcmp(routes, routes + i * SA_ROUTE_BYTES, ROUTE_PREFIX) != 0)
			return SA_ERR_SESSION;     /* routes of two sessions (or versions) in one group */
	uint8_t *sorted = sa_alloc_array(count, SA_ROUTE_BYTES);
	if (sorted == NULL)
		return SA_ERR_NOMEM;
	memcpy(sorted, routes, count * SA_ROUTE_BYTES);
	qsort(sorted, count, SA_ROUTE_BYTES, cmp_route_sender);
	sa_status st = SA_OK;
	for (size_t i = 1; i < count && st == SA_OK; i++)
		if (cmp_route_sender(sorted + (i - 1) * SA_ROUTE_BYTES, sorted + i * SA_ROUTE_BYTES) == 0)
			st = SA_ERR_DUPLICATE;
	sa_writer w;
	sa_writer_init(&w);
	if (st == SA_OK && sa_writer_reserve_exact(&w, SA_S2C_HEADER_BYTES + 4 + count * SA_CT_ENTRY_BYTES)) {
		sa_put_u8(&w, sorted[0]);
		sa_put_u8(&w, SA_MSG_S2C(2));
		sa_put_bytes(&w, sorted + 1, SA_CTX_BYTES);
		sa_put_u32(&w, (uint32_t) count);
		for (size_t i = 0; i < count; i++)
			sa_put_bytes(&w, sorted + i * SA_ROUTE_BYTES + ROUTE_PREFIX, SA_CT_ENTRY_BYTES);
		*msg = sa_writer_finish(&w, msg_len);
		st = *msg ? SA_OK : SA_ERR_NOMEM;
	} else if (st == SA_OK) {
		st = SA_ERR_NOMEM;
	}
	if (st != SA_OK)
		sa_writer_discard(&w);
	sa_free(sorted);
	return st;
}
