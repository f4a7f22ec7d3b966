/* server.c: the server side of the protocol over a flat state image. */
#include "secagg/server.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"
#include "common/interrupt.h"
#include "common/parallel.h"
#include "secagg/mask_prg.h"
#include "secagg/mask_sum.h"
#include "secagg/shamir.h"

#include "secagg/server_internal.h"

/* Structural open: bounds-checked, O(1); no semantic validation. */
sa_status
srv_open_view(view *v, const uint8_t *img, size_t len)
{
	memset(v, 0, sizeof *v);
	if (img == NULL || len < HDR_BYTES)
		return SA_ERR_MALFORMED;
	bool graph = memcmp(img, MAGIC_GRAPH, 4) == 0;
	if (!graph && memcmp(img, MAGIC_COMPLETE, 4) != 0)
		return SA_ERR_MALFORMED;
	if (img[4] != (graph ? SA_WIRE_VERSION_GRAPH : SA_WIRE_VERSION))
		return SA_ERR_VERSION;
	if (graph && len < HDR_BYTES + GRAPH_BYTES)
		return SA_ERR_MALFORMED;
	v->ver = img[4];
	v->img = img;
	v->len = len;
	v->stage = img[5];
	v->sid_len = img[6];
	v->ctx = img + 8;
	v->sid = img + 40;
	v->t = sa_load_u32_be(img + 104);
	v->m = sa_load_u32_be(img + 108);
	v->n = sa_load_u32_be(img + 112);
	v->n1 = sa_load_u32_be(img + 116);
	v->n2 = sa_load_u32_be(img + 120);
	v->n3 = sa_load_u32_be(img + 124);
	v->n4 = sa_load_u32_be(img + 128);
	v->has_sum = img[132] != 0;
	if (v->stage > SA_SERVER_STAGE_DONE || v->n > (graph ? SA_MAX_USERS_GRAPH : SA_MAX_USERS) ||
	    v->n1 > v->n || v->n2 > v->n1 || v->n3 > v->n2 || v->n4 > v->n3 || v->m < 1 ||
	    v->m > SA_MAX_VECTOR_LENGTH)
		return SA_ERR_MALFORMED;
	size_t off = HDR_BYTES;
	if (graph) {
		v->k = sa_load_u32_be(img + off);
		v->root = img + off + 8;
		v->seed = img + off + 40;
		v->u3_digest = img + off + 72;
		off += GRAPH_BYTES;
		if (v->k == 0 || v->k >= v->n)
			return SA_ERR_MALFORMED;
	}
	/* All sizes below are bounded by the limits above, no overflow. */
	size_t ring = (graph && v->stage >= 1) ? (size_t) v->n * 8 : 0;
	size_t need = off + (size_t) v->n * ROSTER_REC + ring + (size_t) v->n1 * U1_REC +
	              (size_t) v->n2 * U2_REC + ((size_t) v->n3 + v->n4) * ID_REC +
	              (v->has_sum ? (size_t) v->m * 8 : 0);
	if (need > len)
		return SA_ERR_MALFORMED;
	v->roster = img + off; off += (size_t) v->n * ROSTER_REC;
	if (ring) {
		v->order = img + off;
		v->pos = img + off + (size_t) v->n * 4;
		off += ring;
	}
	v->u1 = img + off;     off += (size_t) v->n1 * U1_REC;
	v->u2 = img + off;     off += (size_t) v->n2 * U2_REC;
	v->u3 = img + off;     off += (size_t) v->n3 * ID_REC;
	v->u4 = img + off;     off += (size_t) v->n4 * ID_REC;
	v->sum = v->has_sum ? img + off : NULL;
	off += v->has_sum ? (size_t) v->m * 8 : 0;
	v->base_len = off;
	/* pending */
	if (len - off < 4)
		return SA_ERR_MALFORMED;
	v->count = sa_load_u32_be(img + off);
	off += 4;
	v->bitmap_off = off;
	v->bitmap_len = srv_bitmap_bytes(v->n);
	if (len - off < v->bitmap_len)
		return SA_ERR_MALFORMED;
	off += v->bitmap_len;
	if (v->stage == 2) {
		if (len - off < (size_t) v->m * 8)
			return SA_ERR_MALFORMED;
		v->psum_off = off;
		off += (size_t) v->m * 8;
	}
	v->rec_off = off;
	if (v->count > v->n)
		return SA_ERR_MALFORMED;
	return SA_OK;
}

/* Is roster index ri allowed to send in this stage? */
static bool
allowed_sender(const view *v, uint64_t id)
{
	switch (v->stage) {
	case 0: return sa_find_id(v->roster, v->n, ROSTER_REC, id) >= 0;
	case 1: return sa_find_id(v->u1, v->n1, U1_REC, id) >= 0;
	case 2: return sa_find_id(v->u2, v->n2, U2_REC, id) >= 0;
	case 3: return sa_find_id(v->u3, v->n3, ID_REC, id) >= 0;
	case 4: return sa_find_id(v->u4, v->n4, ID_REC, id) >= 0;
	default: return false;
	}
}

/* Exact payload length expected from roster index ri in this stage (0 if none). */
static size_t
payload_len(const view *v, uint32_t ri)
{
	if (v->k && (v->stage == 1 || v->stage == 4))
		return srv_graph_payload_len(v, ri);
	switch (v->stage) {
	case 0: return 2 * SA_KX_PK_BYTES + SA_SIG_BYTES;
	case 1: return SA_COMMIT_BYTES + 4 + (size_t) (v->n1 - 1) * SA_CT_ENTRY_BYTES;
	case 2: return 4 + (size_t) v->m * 8;
	case 3: return SA_SIG_BYTES;
	case 4: return 4 + (size_t) v->n2 * SHARE_ENTRY;
	default: return 0;
	}
}

/*
 * Bytes the pending record of roster index ri keeps: its payload, except
 * in the two SecAgg+ rounds whose contents are routed as rows: ShareKeys
 * keeps its commitment and the digest of its payload (server_route.c),
 * Unmasking the digest alone (server_unmask.c).
 */
#define SHAREKEYS_KEPT (SA_COMMIT_BYTES + SA_ROUTE_DIGEST_BYTES)

static size_t
record_len(const view *v, uint32_t ri)
{
	if (v->k && v->stage == 1)
		return SHAREKEYS_KEPT;
	if (v->k && v->stage == 4)          /* Unmasking: the payload's digest, its shares routed as rows */
		return SA_ROUTE_DIGEST_BYTES;
	return payload_len(v, ri);
}

/* Walks the records; fills idx[roster index] = offset of the record (or SIZE_MAX). */
static sa_status
index_records(const view *v, size_t *idx)
{
	for (uint32_t i = 0; i < v->n; i++)
		idx[i] = SIZE_MAX;
	if (v->stage == 2 || v->stage == SA_SERVER_STAGE_DONE) {
		return v->rec_off == v->len ? SA_OK : SA_ERR_MALFORMED;
	}
	size_t off = v->rec_off;
	uint32_t seen = 0;
	const uint8_t *bm = v->img + v->bitmap_off;
	while (off < v->len) {
		if (v->len - off < REC_HDR)
			return SA_ERR_MALFORMED;
		uint64_t id = sa_load_u64_be(v->img + off);
		uint32_t l = sa_load_u32_be(v->img + off + 8);
		long ri = sa_find_id(v->roster, v->n, ROSTER_REC, id);
		if (ri < 0 || !srv_bit_get(bm, (uint32_t) ri) || idx[ri] != SIZE_MAX)
			return SA_ERR_MALFORMED;
		if (l != record_len(v, (uint32_t) ri) || v->len - off - REC_HDR < l)
			return SA_ERR_MALFORMED;
		idx[ri] = off;
		seen++;
		off += REC_HDR + l;
	}
	return seen == v->count ? SA_OK : SA_ERR_MALFORMED;
}

static uint32_t
popcount_bitmap(const uint8_t *bm, size_t len)
{
	uint32_t c = 0;
	for (size_t i = 0; i < len; i++)
		c += (uint32_t) __builtin_popcount(bm[i]);
	return c;
}

/* Roster as an sa_roster (copies into arrays). */
static sa_status
roster_from_view(const view *v, uint64_t **ids, uint8_t (**pks)[SA_SIGN_PK_BYTES], sa_roster *r)
{
	*ids = sa_alloc_array(v->n, sizeof(uint64_t));
	*pks = sa_alloc_array(v->n, SA_SIGN_PK_BYTES);
	if (*ids == NULL || *pks == NULL) {
		sa_free(*ids); sa_free(*pks);
		return SA_ERR_NOMEM;
	}
	for (uint32_t i = 0; i < v->n; i++) {
		(*ids)[i] = srv_roster_id(v, i);
		memcpy((*pks)[i], v->roster + (size_t) i * ROSTER_REC + 8, SA_SIGN_PK_BYTES);
	}
	r->n = v->n;
	r->ids = *ids;
	r->sign_pks = (const uint8_t (*)[SA_SIGN_PK_BYTES]) *pks;
	return SA_OK;
}

sa_status
sa_server_validate(const uint8_t *img, size_t img_len)
{
	view v;
	sa_status st = srv_open_view(&v, img, img_len);
	if (st != SA_OK)
		return st;
	if (img[7] != 0 || img[133] != 0 || img[134] != 0 || img[135] != 0 || img[132] > 1)
		return SA_ERR_MALFORMED;
	if (v.sid_len < 1 || v.sid_len > SA_SESSION_ID_MAX)
		return SA_ERR_MALFORMED;
	for (size_t i = v.sid_len; i < SA_SESSION_ID_MAX; i++)
		if (v.sid[i] != 0)
			return SA_ERR_MALFORMED;
	/* The context must be the one derived from the parameters and roster. */
	uint64_t *ids;
	uint8_t (*pks)[SA_SIGN_PK_BYTES];
	sa_roster r;
	if ((st = roster_from_view(&v, &ids, &pks, &r)) != SA_OK)
		return st;
	sa_session s;
	st = sa_session_init_graph(&s, v.sid, v.sid_len, v.t, v.m, v.k, &r);
	sa_free(ids);
	sa_free(pks);
	if (st != SA_OK)
		return st == SA_ERR_NOMEM ? st : SA_ERR_MALFORMED;
	if (memcmp(s.ctx, v.ctx, SA_CTX_BYTES) != 0)
		return SA_ERR_MALFORMED;
	/* Set sizes must match the stage. */
	uint32_t sizes[4] = { v.n1, v.n2, v.n3, v.n4 };
	for (int k = 0; k < 4; k++) {
		bool closed = v.stage > k;
		if (closed && sizes[k] < v.t)
			return SA_ERR_MALFORMED;
		if (!closed && sizes[k] != 0)
			return SA_ERR_MALFORMED;
	}
	if (!sa_ids_sorted_subset(v.u1, v.n1, U1_REC, v.roster, v.n, ROSTER_REC) ||
	    !sa_ids_sorted_subset(v.u2, v.n2, U2_REC, v.u1, v.n1, U1_REC) ||
	    !sa_ids_sorted_subset(v.u3, v.n3, ID_REC, v.u2, v.n2, U2_REC) ||
	    !sa_ids_sorted_subset(v.u4, v.n4, ID_REC, v.u3, v.n3, ID_REC))
		return SA_ERR_MALFORMED;
	if (v.k && (st = srv_graph_validate(&v)) != SA_OK)
		return st;
	if (v.has_sum != (v.stage == 3 || v.stage == 4))
		return SA_ERR_MALFORMED;
	/* Pending: bitmap bits only for allowed senders; count matches. */
	const uint8_t *bm = img + v.bitmap_off;
	if (v.n % 8 != 0 && (bm[v.bitmap_len - 1] >> (v.n % 8)) != 0)
		return SA_ERR_MALFORMED;
	if (popcount_bitmap(bm, v.bitmap_len) != v.count)
		return SA_ERR_MALFORMED;
	for (uint32_t i = 0; i < v.n; i++)
		if (srv_bit_get(bm, i) && !allowed_sender(&v, srv_roster_id(&v, i)))
			return SA_ERR_MALFORMED;
	if (v.stage == SA_SERVER_STAGE_DONE && v.count != 0)
		return SA_ERR_MALFORMED;
	if (v.stage == 2 && v.count == 0) {
		for (size_t i = 0; i < (size_t) v.m * 8; i++)
			if (img[v.psum_off + i] != 0)
				return SA_ERR_MALFORMED;
	}
	size_t *idx = sa_alloc_array(v.n, sizeof(size_t));
	if (idx == NULL)
		return SA_ERR_NOMEM;
	st = index_records(&v, idx);
	sa_free(idx);
	return st;
}

sa_status
sa_server_info_get(const uint8_t *img, size_t img_len, sa_server_info *info)
{
	view v;
	sa_status st = srv_open_view(&v, img, img_len);
	if (st != SA_OK)
		return st;
	info->stage = v.stage;
	info->threshold = v.t;
	info->degree = v.k;
	info->vector_length = v.m;
	info->n = v.n;
	info->u1 = v.n1;
	info->u2 = v.n2;
	info->u3 = v.n3;
	info->u4 = v.n4;
	info->received = v.count;
	info->base_len = v.base_len;
	info->ctx = v.ctx;
	info->session_id = v.sid;
	info->session_id_len = v.sid_len;
	return SA_OK;
}

sa_status
sa_server_full_len(const uint8_t *img, size_t img_len, size_t *full)
{
	view v;
	sa_status st = srv_open_view(&v, img, img_len);
	if (st != SA_OK)
		return st;
	*full = img_len;
	if (v.stage == 2 || v.stage == SA_SERVER_STAGE_DONE)
		return SA_OK;           /* masked inputs are summed in place; nothing more comes */
	const uint8_t *bm = img + v.bitmap_off;
	for (uint32_t i = 0; i < v.n; i++)
		if (!srv_bit_get(bm, i) && allowed_sender(&v, srv_roster_id(&v, i)))
			*full += REC_HDR + record_len(&v, i);
	return SA_OK;
}

bool
sa_server_in_roster(const uint8_t *img, size_t img_len, uint64_t id)
{
	view v;
	return srv_open_view(&v, img, img_len) == SA_OK && sa_find_id(v.roster, v.n, ROSTER_REC, id) >= 0;
}

/* ---------------------------------------------------------------------- */
/* Building images                                                        */
/* ---------------------------------------------------------------------- */


/* Writes a base section with an empty pending section for `stage`. */
void
srv_write_image(sa_writer *w, const view *old, uint8_t stage, const uint8_t *u1, uint32_t n1,
            const uint8_t *u2, uint32_t n2, const uint8_t *u3, uint32_t n3,
            const uint8_t *u4, uint32_t n4, const uint8_t *sum)
{
	uint8_t hdr[HDR_BYTES];
	memcpy(hdr, old->img, HDR_BYTES);
	hdr[5] = stage;
	sa_store_u32_be(hdr + 116, n1);
	sa_store_u32_be(hdr + 120, n2);
	sa_store_u32_be(hdr + 124, n3);
	sa_store_u32_be(hdr + 128, n4);
	hdr[132] = sum != NULL;
	sa_put_bytes(w, hdr, HDR_BYTES);
	if (old->k) {               /* SecAgg+: graph block, roster, then the ring from stage 1 on */
		sa_put_u32(w, old->k);
		sa_put_u32(w, 0);
		sa_put_bytes(w, old->root, 32);
		sa_put_bytes(w, old->seed, 32);
		sa_put_bytes(w, old->u3_digest, 32);
	}
	sa_put_bytes(w, old->roster, (size_t) old->n * ROSTER_REC);
	if (old->k && stage >= 1) {
		sa_put_bytes(w, old->order, (size_t) old->n * 4);
		sa_put_bytes(w, old->pos, (size_t) old->n * 4);
	}
	sa_put_bytes(w, u1, (size_t) n1 * U1_REC);
	sa_put_bytes(w, u2, (size_t) n2 * U2_REC);
	sa_put_bytes(w, u3, (size_t) n3 * ID_REC);
	sa_put_bytes(w, u4, (size_t) n4 * ID_REC);
	if (sum != NULL)
		sa_put_bytes(w, sum, (size_t) old->m * 8);
	/* empty pending section */
	sa_put_u32(w, 0);
	if (sa_writer_reserve(w, srv_bitmap_bytes(old->n))) {
		memset(w->buf + w->len, 0, srv_bitmap_bytes(old->n));
		w->len += srv_bitmap_bytes(old->n);
	}
	if (stage == 2 && sa_writer_reserve(w, (size_t) old->m * 8)) {
		memset(w->buf + w->len, 0, (size_t) old->m * 8);
		w->len += (size_t) old->m * 8;
	}
}

sa_status
sa_server_create(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                 uint32_t vector_length, const sa_roster *roster, uint8_t **img, size_t *img_len)
{
	return sa_server_create_graph(session_id, session_id_len, threshold, vector_length, 0, roster,
	                              img, img_len);
}

sa_status
sa_server_create_graph(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                       uint32_t vector_length, uint32_t degree, const sa_roster *roster,
                       uint8_t **img, size_t *img_len)
{
	sa_session s;
	sa_status st = sa_session_init_graph(&s, session_id, session_id_len, threshold, vector_length,
	                                     degree, roster);
	if (st != SA_OK)
		return st;
	uint8_t hdr[HDR_BYTES];
	memset(hdr, 0, sizeof hdr);
	memcpy(hdr, degree ? MAGIC_GRAPH : MAGIC_COMPLETE, 4);
	hdr[4] = sa_session_wire_version(&s);
	hdr[5] = 0;
	hdr[6] = s.session_id_len;
	memcpy(hdr + 8, s.ctx, SA_CTX_BYTES);
	memcpy(hdr + 40, s.session_id, s.session_id_len);
	sa_store_u32_be(hdr + 104, threshold);
	sa_store_u32_be(hdr + 108, vector_length);
	sa_store_u32_be(hdr + 112, roster->n);
	sa_writer w;
	sa_writer_init(&w);
	sa_put_bytes(&w, hdr, HDR_BYTES);
	if (degree) {               /* graph block: root and seed come when round 0 closes */
		sa_put_u32(&w, degree);
		for (size_t i = 0; i < GRAPH_BYTES - 4; i++)
			sa_put_u8(&w, 0);
	}
	for (uint32_t i = 0; i < roster->n; i++) {
		sa_put_u64(&w, roster->ids[i]);
		sa_put_bytes(&w, roster->sign_pks[i], SA_SIGN_PK_BYTES);
	}
	sa_put_u32(&w, 0);
	for (size_t i = 0; i < srv_bitmap_bytes(roster->n); i++)
		sa_put_u8(&w, 0);
	*img = sa_writer_finish(&w, img_len);
	return *img ? SA_OK : SA_ERR_NOMEM;
}

sa_status
sa_server_round0_msg(const uint8_t *img, size_t img_len, uint8_t **msg, size_t *msg_len)
{
	view v;
	sa_status st = srv_open_view(&v, img, img_len);
	if (st != SA_OK)
		return st;
	sa_writer w;
	sa_writer_init(&w);
	sa_put_u8(&w, v.ver);
	sa_put_u8(&w, SA_MSG_S2C(0));
	sa_put_bytes(&w, v.ctx, SA_CTX_BYTES);
	*msg = sa_writer_finish(&w, msg_len);
	return *msg ? SA_OK : SA_ERR_NOMEM;
}

/* ---------------------------------------------------------------------- */
/* recv                                                                   */
/* ---------------------------------------------------------------------- */

/* Checks the payload of a message against the stage; returns SA_OK if valid. */
static sa_status
check_payload(const view *v, const size_t *idx, uint64_t user, const uint8_t *p)
{
	switch (v->stage) {
	case 0: {
		const uint8_t *c_pk = p, *s_pk = p + 32, *sig = p + 64;
		if (sodium_memcmp(c_pk, s_pk, 32) == 0 || sodium_is_zero(c_pk, 32) || sodium_is_zero(s_pk, 32))
			return SA_ERR_KEYS;
		long ri = sa_find_id(v->roster, v->n, ROSTER_REC, user);
		if (ri < 0)
			return SA_ERR_MALFORMED;
		uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
		sa_advertise_signed(signed_msg, v->ctx, user, c_pk, s_pk);
		if (crypto_sign_verify_detached(sig, signed_msg, sizeof signed_msg,
		                                v->roster + (size_t) ri * ROSTER_REC + 8) != 0)
			return SA_ERR_SIGNATURE;
		/* Signed, but a key no peer could agree with would stall the session in ShareKeys. */
		if (sa_kx_pk_check(c_pk) != SA_OK || sa_kx_pk_check(s_pk) != SA_OK)
			return SA_ERR_KEYS;
		/*
		 * No key may repeat any key already advertised in this session. On
		 * the complete graph (n <= 2048) each message is checked against
		 * the others here; a SecAgg+ session (up to 10^6 users) leaves the
		 * check to the round close, O(n log n) instead of O(n^2)
		 * (drop_repeated_keys), which also catches messages that met only
		 * in a merge.
		 */
		for (uint32_t i = 0; v->k == 0 && i < v->n; i++) {
			if (idx[i] == SIZE_MAX)
				continue;
			const uint8_t *q = v->img + idx[i] + REC_HDR;
			if (memcmp(q, c_pk, 32) == 0 || memcmp(q, s_pk, 32) == 0 ||
			    memcmp(q + 32, c_pk, 32) == 0 || memcmp(q + 32, s_pk, 32) == 0)
				return SA_ERR_KEYS;
		}
		return SA_OK;
	}
	case 1: {
		uint32_t count = sa_load_u32_be(p + SA_COMMIT_BYTES);
		if (count != v->n1 - 1)
			return SA_ERR_MALFORMED;
		const uint8_t *e = p + SA_COMMIT_BYTES + 4;
		uint32_t k = 0;
		for (uint32_t i = 0; i < v->n1; i++) {
			uint64_t id = sa_load_u64_be(v->u1 + (size_t) i * U1_REC);
			if (id == user)
				continue;
			if (sa_load_u64_be(e + (size_t) k * SA_CT_ENTRY_BYTES) != id)
				return SA_ERR_UNKNOWN_USER;
			k++;
		}
		return SA_OK;
	}
	case 2:
		/* plen is already 4 + 8m: a different length field disagrees with the body */
		if (sa_load_u32_be(p) != v->m)
			return SA_ERR_MALFORMED;
		return SA_OK;
	case 3: {
		uint8_t *stmt;
		size_t stmt_len;
		sa_status st = sa_consistency_signed(&stmt, &stmt_len, v->ctx, v->u3, v->n3, ID_REC);
		if (st != SA_OK)
			return st;
		long ri = sa_find_id(v->roster, v->n, ROSTER_REC, user);
		if (ri < 0) {
			sa_free(stmt);
			return SA_ERR_MALFORMED;
		}
		int bad = crypto_sign_verify_detached(p, stmt, stmt_len,
		                                      v->roster + (size_t) ri * ROSTER_REC + 8);
		sa_free(stmt);
		return bad ? SA_ERR_SIGNATURE : SA_OK;
	}
	case 4: {
		if (sa_load_u32_be(p) != v->n2)
			return SA_ERR_MALFORMED;
		const uint8_t *e = p + 4;
		for (uint32_t i = 0; i < v->n2; i++, e += SHARE_ENTRY) {
			uint64_t id = sa_load_u64_be(v->u2 + (size_t) i * U2_REC);
			if (sa_load_u64_be(e) != id)
				return SA_ERR_UNKNOWN_USER;
			bool alive = sa_find_id(v->u3, v->n3, ID_REC, id) >= 0;
			if (e[8] != (alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR))
				return SA_ERR_MALFORMED;
			if (!sa_scalar_is_canonical(e + 9))
				return SA_ERR_NONCANONICAL;
		}
		return SA_OK;
	}
	default:
		return SA_ERR_STATE;
	}
}

sa_status
sa_server_recv(uint8_t *img, size_t *img_len, size_t cap, uint64_t user_id,
               const uint8_t *msg, size_t msg_len, size_t *need)
{
	view v;
	sa_status st = srv_open_view(&v, img, *img_len);
	if (st != SA_OK)
		return st;
	if (v.stage == SA_SERVER_STAGE_DONE)
		return SA_ERR_STATE;
	/* Header: version, type, context, sender id. */
	if (msg == NULL || msg_len < SA_C2S_HEADER_BYTES)
		return SA_ERR_MALFORMED;
	if (msg[0] != v.ver)
		return SA_ERR_VERSION;
	if (msg[1] < SA_MSG_C2S(0) || msg[1] > SA_MSG_C2S(4))
		return SA_ERR_MALFORMED;
	if (msg[1] != SA_MSG_C2S(v.stage))
		return SA_ERR_WRONG_ROUND;
	if (memcmp(msg + 2, v.ctx, SA_CTX_BYTES) != 0)
		return SA_ERR_SESSION;
	if (sa_load_u64_be(msg + 2 + SA_CTX_BYTES) != user_id)
		return SA_ERR_UNKNOWN_USER;
	if (!allowed_sender(&v, user_id))
		return SA_ERR_UNKNOWN_USER;
	/* a valid image has every U-set inside the roster; checked again, it is cheap */
	long ri = sa_find_id(v.roster, v.n, ROSTER_REC, user_id);
	if (ri < 0)
		return SA_ERR_MALFORMED;
	if (srv_bit_get(img + v.bitmap_off, (uint32_t) ri))
		return SA_ERR_DUPLICATE;
	const uint8_t *p = msg + SA_C2S_HEADER_BYTES;
	size_t plen = msg_len - SA_C2S_HEADER_BYTES;
	if (plen != payload_len(&v, (uint32_t) ri)) {
		/* A well-formed vector of another length is a length error. */
		if (v.stage == 2 && plen >= 4 && (plen - 4) % 8 == 0 &&
		    (size_t) sa_load_u32_be(p) == (plen - 4) / 8)
			return SA_ERR_LENGTH;
		return SA_ERR_MALFORMED;
	}
	size_t *idx = NULL;
	if (v.stage == 0 && v.k == 0) {     /* the complete graph's repeated-key scan needs the records */
		idx = sa_alloc_array(v.n, sizeof(size_t));
		if (idx == NULL)
			return SA_ERR_NOMEM;
		if ((st = index_records(&v, idx)) != SA_OK) {
			sa_free(idx);
			return st;
		}
	}
	if (v.k && (v.stage == 1 || v.stage == 3 || v.stage == 4))
		st = srv_graph_check_payload(&v, user_id, p);
	else
		st = check_payload(&v, idx, user_id, p);
	sa_free(idx);
	if (st != SA_OK)
		return st;
	size_t keep = record_len(&v, (uint32_t) ri);
	size_t add = (v.stage == 2) ? 0 : REC_HDR + keep;
	if (add > cap - *img_len) {
		*need = *img_len + add;
		return SA_ERR_LIMIT;
	}
	/* Commit: nothing can fail from here on. */
	if (v.stage == 2) {
		sa_add_le64_words(img + v.psum_off, p + 4, v.m);
	} else {
		uint8_t *r = img + *img_len;
		sa_store_u64_be(r, user_id);
		sa_store_u32_be(r + 8, (uint32_t) keep);
		if (v.k && v.stage == 1) {       /* SecAgg+ ShareKeys: commitment | digest */
			memcpy(r + REC_HDR, p, SA_COMMIT_BYTES);
			srv_route_digest(r + REC_HDR + SA_COMMIT_BYTES, 1, v.ctx, user_id, p, plen);
		} else if (v.k && v.stage == 4) { /* SecAgg+ Unmasking: digest */
			srv_route_digest(r + REC_HDR, 4, v.ctx, user_id, p, plen);
		} else {
			memcpy(r + REC_HDR, p, plen);
		}
		*img_len += add;
	}
	srv_bit_set(img + v.bitmap_off, (uint32_t) ri);
	sa_store_u32_be(img + v.bitmap_off - 4, v.count + 1);
	return SA_OK;
}

sa_status
sa_server_merge(const uint8_t *a, size_t a_len, const uint8_t *b, size_t b_len,
                uint8_t **out, size_t *out_len)
{
	view va, vb;
	sa_status st;
	if ((st = srv_open_view(&va, a, a_len)) != SA_OK || (st = srv_open_view(&vb, b, b_len)) != SA_OK)
		return st;
	if (va.base_len != vb.base_len || memcmp(a, b, va.base_len) != 0)
		return SA_ERR_SESSION;
	const uint8_t *ba = a + va.bitmap_off, *bb = b + vb.bitmap_off;
	for (size_t i = 0; i < va.bitmap_len; i++)
		if (ba[i] & bb[i])
			return SA_ERR_DUPLICATE;
	sa_writer w;
	sa_writer_init(&w);
	sa_put_bytes(&w, a, va.base_len);
	sa_put_u32(&w, va.count + vb.count);
	for (size_t i = 0; i < va.bitmap_len; i++)
		sa_put_u8(&w, ba[i] | bb[i]);
	if (va.stage == 2) {
		if (sa_writer_reserve(&w, (size_t) va.m * 8)) {
			uint8_t *s = w.buf + w.len;
			w.len += (size_t) va.m * 8;
			memcpy(s, a + va.psum_off, (size_t) va.m * 8);
			sa_add_le64_words(s, b + vb.psum_off, va.m);
		}
	}
	sa_put_bytes(&w, a + va.rec_off, a_len - va.rec_off);
	sa_put_bytes(&w, b + vb.rec_off, b_len - vb.rec_off);
	*out = sa_writer_finish(&w, out_len);
	return *out ? SA_OK : SA_ERR_NOMEM;
}

/* ---------------------------------------------------------------------- */
/* round                                                                  */
/* ---------------------------------------------------------------------- */

void
srv_put_s2c_header(sa_writer *w, const view *v, int round)
{
	sa_put_u8(w, v->ver);
	sa_put_u8(w, SA_MSG_S2C(round));
	sa_put_bytes(w, v->ctx, SA_CTX_BYTES);
}

/* Output blob up to its items (format in server.h). */
void
srv_begin_output(sa_writer *w, const view *v, uint8_t kind, const uint8_t *state, size_t state_len)
{
	for (size_t i = 0; i < v->out_prefix; i++)     /* the host's header, if it wants one */
		sa_put_u8(w, 0);
	sa_put_bytes(w, v->nrej > 0 ? "SAO2" : "SAO1", 4);
	sa_put_u8(w, kind);
	sa_put_u64(w, state_len);
	sa_put_bytes(w, state, state_len);
	if (v->nrej > 0) {
		sa_put_u32(w, v->nrej);
		sa_put_bytes(w, v->rej, (size_t) v->nrej * SA_REJECTION_BYTES);
	}
}

bool
srv_reserve_output(sa_writer *w, const view *v, size_t state_len, size_t items_len)
{
	size_t rej = v->nrej > 0 ? 4 + (size_t) v->nrej * SA_REJECTION_BYTES : 0;
	return sa_writer_reserve_exact(w, v->out_prefix + 4 + 1 + 8 + state_len + rej + 4 + items_len);
}

/* Ids of the senders of this round in id order (roster order). */
uint32_t
srv_sender_list(const view *v, const size_t *idx, uint32_t *ris)
{
	uint32_t k = 0;
	const uint8_t *bm = v->img + v->bitmap_off;
	for (uint32_t i = 0; i < v->n; i++)
		if (srv_bit_get(bm, i) && (idx == NULL || idx[i] != SIZE_MAX))
			ris[k++] = i;
	return k;
}

sa_status
srv_finish_messages(sa_writer *w, uint8_t **out, size_t *out_len)
{
	*out = sa_writer_finish(w, out_len);
	return *out ? SA_OK : SA_ERR_NOMEM;
}

/* Items of a broadcast output: the recipients' ids, then the one message they all get. */
void
srv_put_broadcast(sa_writer *w, const uint8_t *ids, uint32_t count, size_t stride,
              const uint8_t *msg, size_t msg_len)
{
	sa_put_u32(w, count);
	for (uint32_t i = 0; i < count; i++)
		sa_put_bytes(w, ids + (size_t) i * stride, 8);
	sa_put_u32(w, (uint32_t) msg_len);
	sa_put_bytes(w, msg, msg_len);
}

static sa_status close_round0(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                              uint8_t **out, size_t *out_len);
static sa_status close_round1(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                              uint8_t **out, size_t *out_len);
static sa_status close_round2(const view *v, const uint32_t *ris, uint32_t k,
                              uint8_t **out, size_t *out_len);
static sa_status close_round3(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                              uint8_t **out, size_t *out_len);
static sa_status close_round4(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
                              unsigned threads, uint8_t **out, size_t *out_len);

bool
sa_status_rejects_sender(sa_status st)
{
	switch (st) {
	case SA_ERR_MALFORMED: case SA_ERR_NONCANONICAL: case SA_ERR_VERSION: case SA_ERR_SESSION:
	case SA_ERR_WRONG_ROUND: case SA_ERR_UNKNOWN_USER: case SA_ERR_DUPLICATE: case SA_ERR_SIGNATURE:
	case SA_ERR_KEYS: case SA_ERR_LENGTH: case SA_ERR_GRAPH:
		return true;
	default:
		return false;
	}
}

void
sa_rejection_put(uint8_t rec[SA_REJECTION_BYTES], uint64_t user_id, uint8_t round, sa_status st)
{
	sa_store_u64_be(rec, user_id);
	rec[8] = round;
	rec[9] = (uint8_t) st;
}

static int
cmp_rejection(const void *a, const void *b)
{
	uint64_t x = sa_load_u64_be(a), y = sa_load_u64_be(b);
	return x < y ? -1 : x > y;
}

/* Records of `round`, with a sender status, for distinct roster members. */
sa_status
srv_check_rejections(const view *v, uint8_t round, const uint8_t *rej, uint32_t nrej)
{
	if (nrej > v->n)
		return SA_ERR_MALFORMED;
	uint8_t *seen = sa_alloc_array(srv_bitmap_bytes(v->n), 1);
	if (seen == NULL)
		return SA_ERR_NOMEM;
	memset(seen, 0, srv_bitmap_bytes(v->n));
	sa_status st = SA_OK;
	for (uint32_t i = 0; i < nrej && st == SA_OK; i++) {
		const uint8_t *r = rej + (size_t) i * SA_REJECTION_BYTES;
		long ri = sa_find_id(v->roster, v->n, ROSTER_REC, sa_load_u64_be(r));
		if (ri < 0 || srv_bit_get(seen, (uint32_t) ri) || r[8] != round || r[9] >= SA_STATUS_COUNT ||
		    !sa_status_rejects_sender((sa_status) r[9]))
			st = SA_ERR_MALFORMED;
		else
			srv_bit_set(seen, (uint32_t) ri);
	}
	sa_free(seen);
	return st;
}

sa_status
sa_rejections_check(const uint8_t *img, size_t img_len, const uint8_t *rej, uint32_t nrej)
{
	view v;
	sa_status st = srv_open_view(&v, img, img_len);
	return st != SA_OK ? st : srv_check_rejections(&v, v.stage, rej, nrej);
}

static sa_status
close_round_graph(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k, unsigned threads,
                  uint8_t **out, size_t *out_len)
{
	switch (v->stage) {
	case 0: return srv_graph_close_round0(v, idx, ris, k, out, out_len);
	case 1: return srv_graph_close_round1(v, idx, ris, k, out, out_len);
	case 2: return srv_graph_close_round2(v, ris, k, out, out_len);
	case 3: return srv_graph_close_round3(v, idx, ris, k, out, out_len);
	default: return srv_graph_close_round4(v, idx, ris, k, threads, out, out_len);
	}
}

sa_status
sa_server_round(const uint8_t *img, size_t img_len, unsigned threads, uint8_t **out, size_t *out_len)
{
	sa_round_opts o = { threads, NULL, 0, true, 0, NULL };
	return sa_server_close(img, img_len, &o, out, out_len);
}

sa_status
sa_server_round_rejecting(const uint8_t *img, size_t img_len, unsigned threads,
                          const uint8_t *rej, uint32_t nrej, uint8_t **out, size_t *out_len)
{
	sa_round_opts o = { threads, rej, nrej, false, 0, NULL };
	return sa_server_close(img, img_len, &o, out, out_len);
}

/* A public key of round 0 and the sender (position in ris) that advertised it. */
typedef struct key_ref {
	const uint8_t *key;
	uint32_t j;
} key_ref;

static int
cmp_key_ref(const void *a, const void *b)
{
	return memcmp(((const key_ref *) a)->key, ((const key_ref *) b)->key, SA_KX_PK_BYTES);
}

/*
 * Round 0: marks (repeated[j]) every sender one of whose two keys another
 * sender also advertised. sa_server_recv refuses such a message when it
 * sees both, but messages collected in separate partial states (parallel
 * aggregation) meet only here. O(k log k).
 */
static sa_status
find_repeated_keys(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k, bool *repeated,
                   bool *any)
{
	key_ref *keys = sa_alloc_array((size_t) 2 * k, sizeof(key_ref));
	if (keys == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t j = 0; j < k; j++) {
		const uint8_t *p = v->img + idx[ris[j]] + REC_HDR;
		keys[2 * j] = (key_ref) { p, j };
		keys[2 * j + 1] = (key_ref) { p + SA_KX_PK_BYTES, j };
	}
	qsort(keys, (size_t) 2 * k, sizeof(key_ref), cmp_key_ref);
	*any = false;
	for (size_t i = 1; i < (size_t) 2 * k; i++)
		if (memcmp(keys[i].key, keys[i - 1].key, SA_KX_PK_BYTES) == 0 && keys[i].j != keys[i - 1].j) {
			repeated[keys[i].j] = repeated[keys[i - 1].j] = true;
			*any = true;
		}
	sa_free(keys);
	return SA_OK;
}

/*
 * Leaves the senders with a repeated key out of this round (strict: fails
 * naming the first), adding them to the rejection records (sorted by id,
 * *rej reallocated). ris, *k and idx are updated.
 */
static sa_status
drop_repeated_keys(view *v, size_t *idx, uint32_t *ris, uint32_t *k, bool strict, uint8_t **rej)
{
	bool any, *repeated = sa_alloc_zero(*k ? *k : 1);
	if (repeated == NULL)
		return SA_ERR_NOMEM;
	sa_status st = find_repeated_keys(v, idx, ris, *k, repeated, &any);
	uint32_t drop = 0;
	for (uint32_t j = 0; st == SA_OK && j < *k; j++)
		drop += repeated[j];
	if (st != SA_OK || !any)
		goto done;
	uint8_t *all = sa_alloc_array((size_t) v->nrej + drop, SA_REJECTION_BYTES);
	if (all == NULL) {
		st = SA_ERR_NOMEM;
		goto done;
	}
	if (v->nrej > 0)
		memcpy(all, *rej, (size_t) v->nrej * SA_REJECTION_BYTES);
	uint32_t kept = 0, nrej = v->nrej;
	for (uint32_t j = 0; j < *k; j++) {
		if (!repeated[j]) {
			ris[kept++] = ris[j];
			continue;
		}
		if (strict && v->blame != NULL && nrej == v->nrej)
			*v->blame = srv_roster_id(v, ris[j]);
		sa_rejection_put(all + (size_t) nrej++ * SA_REJECTION_BYTES, srv_roster_id(v, ris[j]), 0, SA_ERR_KEYS);
		idx[ris[j]] = SIZE_MAX;
	}
	qsort(all, nrej, SA_REJECTION_BYTES, cmp_rejection);
	sa_free(*rej);
	*rej = all;
	v->rej = all;
	v->nrej = nrej;
	*k = kept;
	if (strict)
		st = SA_ERR_KEYS;
	else if (kept < v->t)
		st = SA_ERR_THRESHOLD;
done:
	sa_free(repeated);
	return st;
}

sa_status
sa_server_close(const uint8_t *img, size_t img_len, const sa_round_opts *opts, uint8_t **out, size_t *out_len)
{
	view v;
	const uint8_t *rej = opts->rej;
	uint32_t nrej = opts->nrej;
	unsigned threads = opts->threads;
	sa_status st = srv_open_view(&v, img, img_len);
	if (st != SA_OK)
		return st;
	v.blame = opts->failed_user;
	v.out_prefix = opts->out_prefix;
	uint8_t *sorted = NULL;
	if (nrej > 0) {
		if ((st = srv_check_rejections(&v, v.stage, rej, nrej)) != SA_OK)
			return st;
		/* the output lists them in id order, whatever order they were found in */
		if ((sorted = sa_alloc_array(nrej, SA_REJECTION_BYTES)) == NULL)
			return SA_ERR_NOMEM;
		memcpy(sorted, rej, (size_t) nrej * SA_REJECTION_BYTES);
		qsort(sorted, nrej, SA_REJECTION_BYTES, cmp_rejection);
	}
	v.rej = sorted;
	v.nrej = nrej;
	size_t *idx = NULL;
	uint32_t *ris = NULL;
	if (v.stage == SA_SERVER_STAGE_DONE)
		st = SA_ERR_STATE;
	else if (v.count < v.t)
		st = SA_ERR_THRESHOLD;
	else if ((idx = sa_alloc_array(v.n, sizeof(size_t))) == NULL ||
	         (ris = sa_alloc_array(v.n, sizeof(uint32_t))) == NULL)
		st = SA_ERR_NOMEM;
	else if ((st = index_records(&v, idx)) == SA_OK) {
		uint32_t k = srv_sender_list(&v, v.stage == 2 ? NULL : idx, ris);
		if (k != v.count)
			st = SA_ERR_MALFORMED;
		else if (v.stage == 0 && (st = drop_repeated_keys(&v, idx, ris, &k, opts->strict, &sorted)) != SA_OK)
			;                       /* a repeated key, strict; or too few users left */
		else if (v.k)
			st = close_round_graph(&v, idx, ris, k, threads ? threads : 1, out, out_len);
		else if (v.stage == 0)
			st = close_round0(&v, idx, ris, k, out, out_len);
		else if (v.stage == 1)
			st = close_round1(&v, idx, ris, k, out, out_len);
		else if (v.stage == 2)
			st = close_round2(&v, ris, k, out, out_len);
		else if (v.stage == 3)
			st = close_round3(&v, idx, ris, k, out, out_len);
		else
			st = close_round4(&v, idx, ris, k, threads ? threads : 1, out, out_len);
	}
	sa_free(idx);
	sa_free(ris);
	sa_free(sorted);
	return st;
}

/* AdvertiseKeys -> U1 and the key list for ShareKeys. */
static sa_status
close_round0(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
             uint8_t **out, size_t *out_len)
{
	sa_writer u1, list, state, o;
	sa_writer_init(&u1); sa_writer_init(&list); sa_writer_init(&state); sa_writer_init(&o);
	srv_put_s2c_header(&list, v, 1);
	sa_put_u32(&list, k);
	for (uint32_t j = 0; j < k; j++) {
		const uint8_t *r = v->img + idx[ris[j]];
		sa_put_bytes(&u1, r, 8);                           /* id */
		sa_put_bytes(&u1, r + REC_HDR, 64);                /* c_pk, s_pk */
		sa_put_bytes(&list, r, 8);
		sa_put_bytes(&list, r + REC_HDR, 128);             /* c_pk, s_pk, sig */
	}
	sa_status st = SA_ERR_NOMEM;
	if (!u1.failed && !list.failed) {
		srv_write_image(&state, v, 1, u1.buf, k, NULL, 0, NULL, 0, NULL, 0, NULL);
		if (!state.failed && srv_reserve_output(&o, v, state.len, (size_t) k * 8 + 4 + list.len)) {
			srv_begin_output(&o, v, SA_OUTPUT_BROADCAST, state.buf, state.len);
			srv_put_broadcast(&o, u1.buf, k, U1_REC, list.buf, list.len);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_writer_discard(&u1); sa_writer_discard(&list); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ShareKeys -> U2 and, for each u in U2, the ciphertexts addressed to u. */
static sa_status
close_round1(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
             uint8_t **out, size_t *out_len)
{
	sa_writer u2, state, o;
	sa_writer_init(&u2); sa_writer_init(&state); sa_writer_init(&o);
	/* position of each sender in U1 */
	uint32_t *pos = sa_alloc_array(k, sizeof(uint32_t));
	if (pos == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t j = 0; j < k; j++) {
		const uint8_t *r = v->img + idx[ris[j]];
		pos[j] = (uint32_t) sa_find_id(v->u1, v->n1, U1_REC, sa_load_u64_be(r));
		sa_put_bytes(&u2, r, 8);
		sa_put_bytes(&u2, r + REC_HDR, SA_COMMIT_BYTES);
	}
	sa_status st = SA_ERR_NOMEM;
	if (!u2.failed) {
		srv_write_image(&state, v, 2, v->u1, v->n1, u2.buf, k, NULL, 0, NULL, 0, NULL);
		size_t msg_len = SA_S2C_HEADER_BYTES + 4 + (size_t) (k - 1) * SA_CT_ENTRY_BYTES;
		if (!state.failed && srv_reserve_output(&o, v, state.len, (size_t) k * (REC_HDR + msg_len))) {
			srv_begin_output(&o, v, SA_OUTPUT_MESSAGES, state.buf, state.len);
			sa_put_u32(&o, k);
			for (uint32_t j = 0; j < k; j++) {              /* recipient */
				const uint8_t *rj = v->img + idx[ris[j]];
				sa_put_bytes(&o, rj, 8);
				sa_put_u32(&o, (uint32_t) msg_len);
				srv_put_s2c_header(&o, v, 2);
				sa_put_u32(&o, k - 1);
				for (uint32_t i = 0; i < k; i++) {          /* sender */
					if (i == j)
						continue;
					const uint8_t *ri = v->img + idx[ris[i]];
					uint32_t e = pos[j] - (pos[j] > pos[i] ? 1 : 0);
					const uint8_t *entry = ri + REC_HDR + SA_COMMIT_BYTES + 4 +
					                       (size_t) e * SA_CT_ENTRY_BYTES;
					sa_put_bytes(&o, ri, 8);                  /* sender id */
					sa_put_bytes(&o, entry + 8, SA_CT_ENTRY_BYTES - 8);
				}
			}
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_free(pos);
	sa_writer_discard(&u2); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* MaskedInputCollection -> U3 and the running sum. */
static sa_status
close_round2(const view *v, const uint32_t *ris, uint32_t k, uint8_t **out, size_t *out_len)
{
	sa_writer u3, list, state, o;
	sa_writer_init(&u3); sa_writer_init(&list); sa_writer_init(&state); sa_writer_init(&o);
	srv_put_s2c_header(&list, v, 3);
	sa_put_u32(&list, k);
	for (uint32_t j = 0; j < k; j++) {
		sa_put_bytes(&u3, v->roster + (size_t) ris[j] * ROSTER_REC, 8);
		sa_put_bytes(&list, v->roster + (size_t) ris[j] * ROSTER_REC, 8);
	}
	sa_status st = SA_ERR_NOMEM;
	if (!u3.failed && !list.failed) {
		srv_write_image(&state, v, 3, v->u1, v->n1, v->u2, v->n2, u3.buf, k, NULL, 0,
		            v->img + v->psum_off);
		if (!state.failed && srv_reserve_output(&o, v, state.len, (size_t) k * 8 + 4 + list.len)) {
			srv_begin_output(&o, v, SA_OUTPUT_BROADCAST, state.buf, state.len);
			srv_put_broadcast(&o, u3.buf, k, ID_REC, list.buf, list.len);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_writer_discard(&u3); sa_writer_discard(&list); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ConsistencyCheck -> U4 and the list of signatures. */
static sa_status
close_round3(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
             uint8_t **out, size_t *out_len)
{
	sa_writer u4, list, state, o;
	sa_writer_init(&u4); sa_writer_init(&list); sa_writer_init(&state); sa_writer_init(&o);
	srv_put_s2c_header(&list, v, 4);
	sa_put_u32(&list, k);
	for (uint32_t j = 0; j < k; j++) {
		const uint8_t *r = v->img + idx[ris[j]];
		sa_put_bytes(&u4, r, 8);
		sa_put_bytes(&list, r, 8);
		sa_put_bytes(&list, r + REC_HDR, SA_SIG_BYTES);
	}
	sa_status st = SA_ERR_NOMEM;
	if (!u4.failed && !list.failed) {
		srv_write_image(&state, v, 4, v->u1, v->n1, v->u2, v->n2, v->u3, v->n3, u4.buf, k, v->sum);
		if (!state.failed && srv_reserve_output(&o, v, state.len, (size_t) k * 8 + 4 + list.len)) {
			srv_begin_output(&o, v, SA_OUTPUT_BROADCAST, state.buf, state.len);
			srv_put_broadcast(&o, u4.buf, k, ID_REC, list.buf, list.len);
			st = srv_finish_messages(&o, out, out_len);
		}
	}
	sa_writer_discard(&u4); sa_writer_discard(&list); sa_writer_discard(&state);
	if (st != SA_OK)
		sa_writer_discard(&o);
	return st;
}

/* ---- unmasking ---- */

typedef struct recon_ctx {
	const view *v;
	const size_t *idx;
	const uint32_t *ris;       /* responders (roster indices), id order */
	uint32_t k;
	bool *excluded;            /* per responder */
	uint32_t *set;             /* current reconstruction set (responder positions) */
	sa_lagrange lg;
	const uint8_t **shares;    /* t pointers */
} recon_ctx;

static sa_status
choose_set(recon_ctx *rc, long skip)
{
	uint32_t t = rc->v->t, c = 0;
	uint64_t *xs = sa_alloc_array(t, sizeof(uint64_t));
	if (xs == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t j = 0; j < rc->k && c < t; j++) {
		if (rc->excluded[j] || (long) j == skip)
			continue;
		rc->set[c] = j;
		xs[c] = srv_roster_id(rc->v, rc->ris[j]);
		c++;
	}
	sa_status st = SA_ERR_RECONSTRUCT;
	if (c == t) {
		sa_lagrange_free(&rc->lg);
		st = sa_lagrange_init(&rc->lg, xs, t);
	}
	sa_free(xs);
	return st;
}

/* Rebuilds secret number i (U2 position) with the current set. */
static void
rebuild(recon_ctx *rc, uint32_t i, uint8_t secret[32])
{
	for (uint32_t c = 0; c < rc->v->t; c++) {
		const uint8_t *r = rc->v->img + rc->idx[rc->ris[rc->set[c]]];
		rc->shares[c] = r + REC_HDR + 4 + (size_t) i * SHARE_ENTRY + 9;
	}
	sa_lagrange_combine(&rc->lg, rc->shares, secret);
}

/* Verifies a rebuilt secret of U2 member i: commitment (alive) or public key (dropped). */
bool
srv_verify_secret(const view *v, uint32_t i, bool alive, const uint8_t secret[32])
{
	uint64_t id = sa_load_u64_be(v->u2 + (size_t) i * U2_REC);
	if (alive) {
		uint8_t c[SA_COMMIT_BYTES];
		sa_self_commit(c, v->ctx, id, secret);
		return sodium_memcmp(c, v->u2 + (size_t) i * U2_REC + 8, SA_COMMIT_BYTES) == 0;
	}
	uint8_t pk[32], sk[32];
	sa_mask_keypair(pk, sk, secret);
	sodium_memzero(sk, sizeof sk);
	long p = sa_find_id(v->u1, v->n1, U1_REC, id);
	return p >= 0 && sodium_memcmp(pk, v->u1 + (size_t) p * U1_REC + 40, 32) == 0;
}

/*
 * Rebuilds secret i and checks it. If the check fails, looks for one
 * responder whose exclusion gives a verifying secret (a corrupt share), and
 * excludes it for the rest of the reconstruction.
 */
static sa_status
rebuild_checked(recon_ctx *rc, uint32_t i, bool alive, uint8_t secret[32])
{
	rebuild(rc, i, secret);
	if (srv_verify_secret(rc->v, i, alive, secret))
		return SA_OK;
	uint32_t t = rc->v->t;
	uint32_t *cand = sa_alloc_array(t, sizeof(uint32_t));
	if (cand == NULL)
		return SA_ERR_NOMEM;
	memcpy(cand, rc->set, t * sizeof(uint32_t));
	for (uint32_t c = 0; c < t; c++) {
		sa_status st = choose_set(rc, (long) cand[c]);
		if (st == SA_ERR_NOMEM) {
			sa_free(cand);
			return st;
		}
		if (st != SA_OK)
			break;                      /* not enough spare responders */
		rebuild(rc, i, secret);
		if (srv_verify_secret(rc->v, i, alive, secret)) {
			rc->excluded[cand[c]] = true;
			sa_free(cand);
			return SA_OK;
		}
	}
	sa_free(cand);
	sodium_memzero(secret, 32);
	return SA_ERR_RECONSTRUCT;
}

sa_status
srv_finish_sum(const view *v, const uint64_t *acc, uint8_t **out, size_t *out_len)
{
	sa_writer state, o;
	sa_writer_init(&state);
	sa_writer_init(&o);
	srv_write_image(&state, v, SA_SERVER_STAGE_DONE, v->u1, v->n1, v->u2, v->n2, v->u3, v->n3,
	                v->u4, v->n4, NULL);
	if (state.failed || !srv_reserve_output(&o, v, state.len, (size_t) v->m * 8)) {
		sa_writer_discard(&state);
		return SA_ERR_NOMEM;
	}
	srv_begin_output(&o, v, SA_OUTPUT_VECTOR, state.buf, state.len);
	sa_writer_discard(&state);
	sa_put_u32(&o, v->m);
	if (sa_writer_reserve(&o, (size_t) v->m * 8)) {
		for (uint32_t i = 0; i < v->m; i++)
			sa_store_u64_le(o.buf + o.len + 8 * (size_t) i, acc[i]);
		o.len += (size_t) v->m * 8;
	}
	return srv_finish_messages(&o, out, out_len);
}

static sa_status
close_round4(const view *v, const size_t *idx, const uint32_t *ris, uint32_t k,
             unsigned threads, uint8_t **out, size_t *out_len)
{
	sa_status st = SA_OK;
	recon_ctx rc = { v, idx, ris, k, NULL, NULL, { 0, NULL }, NULL };
	uint64_t *acc = sa_alloc_array(v->m, sizeof(uint64_t));
	uint32_t ndropped = v->n2 - v->n3;
	size_t ntasks = (size_t) v->n3 + (size_t) ndropped * v->n3;
	sa_mask_task *tasks = sa_alloc_array(ntasks ? ntasks : 1, sizeof(sa_mask_task));
	rc.excluded = sa_alloc_zero(k * sizeof(bool));
	rc.set = sa_alloc_array(v->t, sizeof(uint32_t));
	rc.shares = sa_alloc_array(v->t, sizeof(uint8_t *));
	sa_mask_owners dk = { v->ctx, sa_alloc_array(ndropped ? ndropped : 1, sizeof(uint64_t)),
	                    sa_alloc_array(ndropped ? ndropped : 1, 32),
	                    sa_alloc_array(ndropped ? ndropped : 1, 32) };
	if (acc == NULL || tasks == NULL || rc.excluded == NULL || rc.set == NULL || rc.shares == NULL ||
	    dk.ids == NULL || dk.pk == NULL || dk.sk == NULL) {
		st = SA_ERR_NOMEM;
		goto done;
	}
	if ((st = choose_set(&rc, -1)) != SA_OK)
		goto done;
	for (uint32_t i = 0; i < v->m; i++)
		acc[i] = sa_load_u64_le(v->sum + 8 * (size_t) i);

	size_t nt = 0;
	uint32_t nd = 0;
	uint8_t secret[32];
	for (uint32_t i = 0; i < v->n2 && st == SA_OK; i++) {
		uint64_t id = sa_load_u64_be(v->u2 + (size_t) i * U2_REC);
		bool alive = sa_find_id(v->u3, v->n3, ID_REC, id) >= 0;
		if ((st = rebuild_checked(&rc, i, alive, secret)) != SA_OK)
			break;
		if (alive) {
			sa_self_mask_key(tasks[nt].key, v->ctx, id, secret);
			tasks[nt].owner = -1;
			tasks[nt++].sign = -1;      /* remove PRG(b_u) */
			continue;
		}
		/* Dropped after ShareKeys: its pairwise masks with every w in U3 are rebuilt. */
		sa_mask_keypair(dk.pk[nd], dk.sk[nd], secret);
		dk.ids[nd] = id;
		for (uint32_t j = 0; j < v->n3; j++) {
			uint64_t w = sa_load_u64_be(v->u3 + (size_t) j * ID_REC);
			long pw = sa_find_id(v->u1, v->n1, U1_REC, w);
			tasks[nt].owner = (int32_t) nd;
			tasks[nt].w = w;
			tasks[nt].pk_w = v->u1 + (size_t) pw * U1_REC + 40;
			/* y_w holds sign(w, v) * PRG; subtract it. */
			tasks[nt++].sign = (int8_t) -sa_mask_sign(w, id);
		}
		nd++;
	}
	sodium_memzero(secret, sizeof secret);
	if (st != SA_OK)
		goto done;
	if ((st = sa_mask_sum(tasks, &dk, nt, acc, v->m, threads)) != SA_OK)
		goto done;
	st = srv_finish_sum(v, acc, out, out_len);
done:
	sa_free(dk.ids);
	sa_free(dk.pk);
	if (dk.sk != NULL)
		sa_free_secret(dk.sk, (size_t) (ndropped ? ndropped : 1) * 32);
	sa_lagrange_free(&rc.lg);
	sa_free(rc.excluded);
	sa_free(rc.set);
	sa_free(rc.shares);
	if (tasks != NULL)
		sa_free_secret(tasks, (ntasks ? ntasks : 1) * sizeof(sa_mask_task));
	sa_free(acc);
	return st;
}
