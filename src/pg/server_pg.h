/*
 * server_pg.h: what the server's SQL functions (server_sql.c) share with
 * the round aggregate (server_agg.c): the jsonb form of a server state and
 * the error reports of a rejected message or a failed round.
 */
#ifndef SECAGG_PG_SERVER_PG_H
#define SECAGG_PG_SERVER_PG_H

#include "pg_util.h"

/* The jsonb server state of an image (summary fields + base64 image). */
Jsonb *sa_pg_server_state_to_jsonb(const uint8_t *img, size_t len);
/* Decodes and fully validates a jsonb server state; returns the image (palloc'd). */
uint8_t *sa_pg_server_state_from_jsonb(Jsonb *jb, size_t *len);
/* "AdvertiseKeys" .. "Unmasking", "finished". */
const char *sa_pg_round_name(int stage);
/* ereport(ERROR) for a message refused with st. */
pg_attribute_noreturn() void sa_pg_fail_recv(sa_status st, const uint8_t *img, size_t len, int64 user);
/* Closes the round (listing nrej rejection records in the output); errors are reported. */
bytea *sa_pg_run_round(const uint8_t *img, size_t len, const uint8_t *rej, uint32_t nrej, bool strict);

#endif
