/*
 * server_output.c: round-output blobs (format in server.h): opening one
 * from an untrusted source, and reading its messages, rejection records
 * and sum. The messages of a SecAgg+ round 0 or 3 output are not stored
 * per user: a cursor derives each from the state and the list the output
 * holds once (server_graph.c).
 */
#include "secagg/server.h"

#include <string.h>

#include "common/alloc.h"
#include "common/codec.h"

#include "secagg/server_internal.h"

/* ---------------------------------------------------------------------- */
/* output blobs                                                           */
/* ---------------------------------------------------------------------- */

/* Broadcast items: count strictly increasing ids, then len u32 | message, nothing after. */
static sa_status
open_broadcast(sa_reader *r, sa_output_view *ov)
{
	if (ov->count > SA_MAX_USERS_GRAPH || sa_reader_remaining(r) / 8 < ov->count)
		return SA_ERR_MALFORMED;
	const uint8_t *ids = sa_get_view(r, (size_t) ov->count * 8);
	for (uint32_t i = 1; i < ov->count; i++)
		if (sa_load_u64_be(ids + 8 * (size_t) i) <= sa_load_u64_be(ids + 8 * (size_t) (i - 1)))
			return SA_ERR_MALFORMED;
	uint32_t l;
	if (!sa_get_u32(r, &l) || (ov->broadcast = sa_get_view(r, l)) == NULL || !sa_reader_done(r))
		return SA_ERR_MALFORMED;
	ov->broadcast_len = l;
	return SA_OK;
}

/*
 * Neighbourhood items: exactly count signatures, for the set of a SecAgg+
 * state of stage 1 (U1) or 4 (U4). The state itself is validated in full
 * when a cursor opens.
 */
static sa_status
open_neighbourhood(sa_output_view *ov)
{
	view sv;
	sa_status st = srv_open_view(&sv, ov->state, ov->state_len);
	if (st != SA_OK)
		return st;
	if (sv.k == 0 || (sv.stage != 1 && sv.stage != 4) || ov->count != (sv.stage == 1 ? sv.n1 : sv.n4) ||
	    ov->items_len / SA_SIG_BYTES != ov->count || ov->items_len % SA_SIG_BYTES != 0)
		return SA_ERR_MALFORMED;
	return SA_OK;
}

/* Routes items: U2 of a SecAgg+ state of stage 2, in its order, each with a digest. */
static sa_status
open_routes(sa_output_view *ov)
{
	view sv;
	sa_status st = srv_routed_items(ov, 2, &sv);
	if (st != SA_OK)
		return st;
	if (ov->count != sv.n2)
		return SA_ERR_MALFORMED;
	for (uint32_t i = 0; i < ov->count; i++)
		if (memcmp(ov->items + (size_t) i * SA_ROUTED_REC_BYTES, sv.u2 + (size_t) i * U2_REC, 8) != 0)
			return SA_ERR_MALFORMED;
	return SA_OK;
}

/* Unmask items: responders of a SecAgg+ state of stage 4, strictly increasing, members of U4. */
static sa_status
open_unmask(sa_output_view *ov)
{
	view sv;
	sa_status st = srv_routed_items(ov, 4, &sv);
	if (st != SA_OK)
		return st;
	if (ov->count > sv.n4)
		return SA_ERR_MALFORMED;
	for (uint32_t i = 0; i < ov->count; i++) {
		uint64_t id = sa_load_u64_be(ov->items + (size_t) i * SA_ROUTED_REC_BYTES);
		if ((i > 0 && id <= sa_load_u64_be(ov->items + (size_t) (i - 1) * SA_ROUTED_REC_BYTES)) ||
		    sa_find_id(sv.u4, sv.n4, ID_REC, id) < 0)
			return SA_ERR_MALFORMED;
	}
	return SA_OK;
}

/*
 * The framing every output shares, O(1): magic, kind, the state and the
 * rejection records (bounds only; SAO2 has at least one), the count, and
 * the items to the end of the blob. Fills ov; the kind's own checks are the
 * caller's.
 */
sa_status
srv_output_frame(const uint8_t *blob, size_t len, sa_output_view *ov)
{
	sa_reader r;
	uint8_t kind;
	uint64_t slen;
	sa_reader_init(&r, blob, len);
	memset(ov, 0, sizeof *ov);
	const uint8_t *magic = sa_get_view(&r, 4);
	if (magic == NULL || (memcmp(magic, "SAO1", 4) != 0 && memcmp(magic, "SAO2", 4) != 0))
		return SA_ERR_MALFORMED;
	if (!sa_get_u8(&r, &kind) || !sa_get_u64(&r, &slen) || slen > sa_reader_remaining(&r))
		return SA_ERR_MALFORMED;
	if (kind < SA_OUTPUT_MESSAGES || kind > SA_OUTPUT_UNMASK)
		return SA_ERR_MALFORMED;
	ov->kind = kind;
	ov->state = sa_get_view(&r, (size_t) slen);
	ov->state_len = (size_t) slen;
	if (magic[3] == '2') {
		if (!sa_get_count(&r, &ov->rejected_count, SA_REJECTION_BYTES) || ov->rejected_count == 0)
			return SA_ERR_MALFORMED;
		ov->rejected = sa_get_view(&r, (size_t) ov->rejected_count * SA_REJECTION_BYTES);
	}
	if (!sa_get_u32(&r, &ov->count))
		return SA_ERR_MALFORMED;
	ov->items = r.p + r.pos;
	ov->items_len = sa_reader_remaining(&r);
	return SA_OK;
}

/*
 * A routed output (ROUTES, UNMASK) over a SecAgg+ state of `stage`:
 * exactly count records id | digest. O(1); *sv is the state's view.
 */
sa_status
srv_routed_items(const sa_output_view *ov, uint8_t stage, view *sv)
{
	sa_status st = srv_open_view(sv, ov->state, ov->state_len);
	if (st != SA_OK)
		return st;
	if (sv->k == 0 || sv->stage != stage || ov->count > SA_MAX_USERS_GRAPH ||
	    ov->items_len / SA_ROUTED_REC_BYTES != ov->count || ov->items_len % SA_ROUTED_REC_BYTES != 0)
		return SA_ERR_MALFORMED;
	return SA_OK;
}

sa_status
sa_output_open(const uint8_t *blob, size_t len, sa_output_view *ov)
{
	sa_status st = srv_output_frame(blob, len, ov);
	if (st != SA_OK)
		return st;
	if (ov->rejected_count > 0) {
		/* rejection records, checked against the state */
		view sv;
		st = srv_open_view(&sv, ov->state, ov->state_len);
		if (st != SA_OK || sv.stage == 0)
			return st == SA_ERR_NOMEM ? st : SA_ERR_MALFORMED;
		if ((st = srv_check_rejections(&sv, (uint8_t) (sv.stage - 1), ov->rejected, ov->rejected_count)) != SA_OK)
			return st;
	}
	sa_reader r;
	sa_reader_init(&r, ov->items, ov->items_len);
	switch (ov->kind) {
	case SA_OUTPUT_VECTOR:
		if (ov->count > SA_MAX_VECTOR_LENGTH || ov->items_len != (size_t) ov->count * 8)
			return SA_ERR_MALFORMED;
		return SA_OK;
	case SA_OUTPUT_BROADCAST: return open_broadcast(&r, ov);
	case SA_OUTPUT_NEIGHBOURHOOD: return open_neighbourhood(ov);
	case SA_OUTPUT_ROUTES: return open_routes(ov);
	case SA_OUTPUT_UNMASK: return open_unmask(ov);
	default: break;
	}
	/* messages: walk every record */
	for (uint32_t i = 0; i < ov->count; i++) {
		uint64_t id;
		uint32_t l;
		if (!sa_get_u64(&r, &id) || !sa_get_u32(&r, &l) || sa_get_view(&r, l) == NULL)
			return SA_ERR_MALFORMED;
	}
	return sa_reader_done(&r) ? SA_OK : SA_ERR_MALFORMED;
}

bool
sa_output_next_message(const sa_output_view *ov, size_t *pos, uint64_t *user_id,
                       const uint8_t **msg, size_t *msg_len)
{
	if (ov->kind == SA_OUTPUT_BROADCAST) {
		/* *pos counts recipients: every one gets the same bytes */
		if (*pos >= ov->count)
			return false;
		*user_id = sa_load_u64_be(ov->items + 8 * *pos);
		*msg = ov->broadcast;
		*msg_len = ov->broadcast_len;
		(*pos)++;
		return true;
	}
	if (ov->kind != SA_OUTPUT_MESSAGES || *pos + 12 > ov->items_len)
		return false;
	const uint8_t *p = ov->items + *pos;
	uint32_t l = sa_load_u32_be(p + 8);
	if (l > ov->items_len - *pos - 12)
		return false;
	*user_id = sa_load_u64_be(p);
	*msg = p + 12;
	*msg_len = l;
	*pos += 12 + (size_t) l;
	return true;
}

/* ---- cursors ---- */

struct sa_output_cursor {
	const sa_output_view *ov;
	size_t pos;                 /* MESSAGES, BROADCAST: as sa_output_next_message */
	uint32_t next;              /* NEIGHBOURHOOD: the next recipient */
	srv_graph_deriver d;
};

sa_status
sa_output_cursor_open(const sa_output_view *ov, sa_output_cursor **c)
{
	*c = NULL;
	if (ov->kind == SA_OUTPUT_VECTOR || ov->kind == SA_OUTPUT_UNMASK)
		return SA_ERR_WRONG_ROUND;    /* the sum; or shares the host routes (server_unmask.c) */
	sa_output_cursor *nc = sa_alloc_array(1, sizeof *nc);
	if (nc == NULL)
		return SA_ERR_NOMEM;
	memset(nc, 0, sizeof *nc);
	nc->ov = ov;
	if (ov->kind == SA_OUTPUT_NEIGHBOURHOOD) {
		sa_status st = srv_graph_deriver_open(&nc->d, ov->state, ov->state_len, ov->items, ov->count);
		if (st != SA_OK) {
			sa_output_cursor_free(nc);
			return st;
		}
	}
	*c = nc;
	return SA_OK;
}

sa_status
sa_output_cursor_next(sa_output_cursor *c, uint64_t *user_id, const uint8_t **msg, size_t *msg_len,
                      bool *end)
{
	const sa_output_view *ov = c->ov;
	*end = false;
	if (ov->kind == SA_OUTPUT_ROUTES) {
		/* the recipients are U2; their messages are routed by the host (server_route.c) */
		if (msg != NULL)
			return SA_ERR_WRONG_ROUND;
		if (c->next >= ov->count) {
			*end = true;
			return SA_OK;
		}
		*user_id = sa_load_u64_be(ov->items + (size_t) c->next++ * SA_ROUTED_REC_BYTES);
		return SA_OK;
	}
	if (ov->kind != SA_OUTPUT_NEIGHBOURHOOD) {
		const uint8_t *m;
		size_t ml;
		*end = !sa_output_next_message(ov, &c->pos, user_id, &m, &ml);
		if (!*end && msg != NULL) {
			*msg = m;
			*msg_len = ml;
		}
		return SA_OK;
	}
	if (c->next >= ov->count) {
		*end = true;
		return SA_OK;
	}
	return srv_graph_derive(&c->d, c->next++, user_id, msg, msg_len);
}

void
sa_output_cursor_free(sa_output_cursor *c)
{
	if (c == NULL)
		return;
	if (c->ov->kind == SA_OUTPUT_NEIGHBOURHOOD)
		srv_graph_deriver_free(&c->d);
	sa_free(c);
}

void
sa_output_rejection_at(const sa_output_view *ov, uint32_t i, uint64_t *user_id, uint8_t *round,
                       sa_status *status)
{
	const uint8_t *r = ov->rejected + (size_t) i * SA_REJECTION_BYTES;
	*user_id = sa_load_u64_be(r);
	*round = r[8];
	*status = (sa_status) r[9];
}

uint64_t
sa_output_vector_at(const sa_output_view *ov, uint32_t i)
{
	return sa_load_u64_le(ov->items + 8 * (size_t) i);
}
