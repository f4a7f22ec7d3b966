/*
 * server_unmask.c: the Unmasking round of a SecAgg+ session, as rows.
 *
 * Each responder reveals one share per member of its neighbourhood: n·(k+1)
 * shares in all (820 MB at n = 100,000, k = 200), too much for one state.
 * So the round-4 aggregate keeps only a digest per accepted message and the
 * close outputs the responders with the digests (kind UNMASK), after
 * checking that every secret the unmasking needs keeps t holders among them
 * (server_graph.c). The messages stay in the host's table; the host then
 *
 *   1. splits each message into one share per owner (sa_unmask_split),
 *      after checking it is the message the round accepted; each share
 *      carries what its owner's group needs: t, the kind, and the value
 *      the rebuilt secret must match (the owner's commitment to b, or its
 *      s_pk);
 *   2. rebuilds each owner's secret from its group (sa_unmask_rebuild):
 *      Lagrange at the holders' ids over t shares, the check, and the
 *      search for one wrong share that server.c does on the complete graph;
 *   3. turns the secrets into the sum (sa_unmask_finish): every needed
 *      secret present once and checked again (the rows are the host's),
 *      the self masks of U3 and the masks of dropped users with their
 *      neighbours in U3 removed from the masked sum.
 *
 * The secrets pass through the host's query as values (a server is meant
 * to learn them: it is exactly what it rebuilds on the complete graph too).
 */
#include "secagg/server.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"
#include "common/interrupt.h"
#include "secagg/mask_sum.h"
#include "secagg/shamir.h"

#include "secagg/server_internal.h"

/* offsets in a share row and a secret row (server.h) */
#define SH_T      SA_UNMASK_SHARE_T
#define SH_OWNER  SA_UNMASK_SHARE_OWNER
#define SH_KIND   SA_UNMASK_SHARE_KIND
#define SH_CHECK  SA_UNMASK_SHARE_CHECK
#define SH_HOLDER SA_UNMASK_SHARE_HOLDER
#define SH_VALUE  SA_UNMASK_SHARE_VALUE
#define SE_OWNER  SA_UNMASK_SECRET_OWNER
#define SE_KIND   SA_UNMASK_SECRET_KIND
#define SE_VALUE  SA_UNMASK_SECRET_VALUE

/* ---------------------------------------------------------------------- */
/* The UNMASK output                                                      */
/* ---------------------------------------------------------------------- */

sa_status
sa_unmask_open(const uint8_t *blob, size_t len, sa_unmask_view *uv)
{
	sa_output_view ov;
	view v;
	memset(uv, 0, sizeof *uv);
	sa_status st = srv_output_frame(blob, len, &ov);
	if (st != SA_OK)
		return st;
	if (ov.kind != SA_OUTPUT_UNMASK)
		return SA_ERR_WRONG_ROUND;
	if ((st = srv_routed_items(&ov, 4, &v)) != SA_OK)
		return st;
	if (!v.has_sum || ov.count > v.n4)
		return SA_ERR_MALFORMED;
	uv->state = ov.state;
	uv->state_len = ov.state_len;
	uv->resp = ov.items;
	uv->count = ov.count;
	return SA_OK;
}

/* ---------------------------------------------------------------------- */
/* 1. split                                                               */
/* ---------------------------------------------------------------------- */

/* The value an owner's rebuilt secret must match: its commitment (b) or s_pk (s-key seed). */
static const uint8_t *
check_value(const view *v, uint64_t owner, uint8_t kind)
{
	if (kind == SA_SHARE_KIND_SELF) {
		long i = sa_find_id(v->u2, v->n2, U2_REC, owner);
		return i < 0 ? NULL : v->u2 + (size_t) i * U2_REC + 8;
	}
	if (kind == SA_SHARE_KIND_PAIR) {
		long i = sa_find_id(v->u1, v->n1, U1_REC, owner);
		return i < 0 ? NULL : v->u1 + (size_t) i * U1_REC + 40;
	}
	return NULL;
}

/* The message's header and digest against what the round accepted from `responder`. */
static sa_status
check_accepted(const sa_unmask_view *uv, const view *v, uint64_t responder, const uint8_t *msg, size_t len)
{
	if (msg == NULL || len < SA_C2S_HEADER_BYTES + 4)
		return SA_ERR_MALFORMED;
	if (msg[0] != v->ver)
		return SA_ERR_VERSION;
	if (msg[1] != SA_MSG_C2S(4))
		return SA_ERR_WRONG_ROUND;
	if (memcmp(msg + 2, v->ctx, SA_CTX_BYTES) != 0)
		return SA_ERR_SESSION;
	if (sa_load_u64_be(msg + 2 + SA_CTX_BYTES) != responder)
		return SA_ERR_UNKNOWN_USER;
	long i = sa_find_id(uv->resp, uv->count, SA_ROUTED_REC_BYTES, responder);
	if (i < 0)
		return SA_ERR_UNKNOWN_USER;
	uint8_t got[SA_ROUTE_DIGEST_BYTES];
	srv_route_digest(got, 4, v->ctx, responder, msg + SA_C2S_HEADER_BYTES, len - SA_C2S_HEADER_BYTES);
	if (sodium_memcmp(got, uv->resp + (size_t) i * SA_ROUTED_REC_BYTES + 8, SA_ROUTE_DIGEST_BYTES) != 0)
		return SA_ERR_DUPLICATE;      /* not the message the round accepted from it */
	return SA_OK;
}

sa_status
sa_unmask_split(const sa_unmask_view *uv, uint64_t responder, const uint8_t *msg, size_t len,
                sa_unmask_emit emit, void *arg)
{
	view v;
	sa_status st = srv_open_view(&v, uv->state, uv->state_len);
	if (st == SA_OK)
		st = check_accepted(uv, &v, responder, msg, len);
	if (st != SA_OK)
		return st;
	/* accepted, so well formed: count | count × (owner | kind | share) (checked again, cheaply) */
	const uint8_t *p = msg + SA_C2S_HEADER_BYTES;
	size_t plen = len - SA_C2S_HEADER_BYTES;
	uint32_t count = sa_load_u32_be(p);
	if ((plen - 4) / SHARE_ENTRY != count || (plen - 4) % SHARE_ENTRY != 0)
		return SA_ERR_MALFORMED;
	uint8_t row[SA_UNMASK_SHARE_BYTES];
	row[0] = v.ver;
	memcpy(row + 1, v.ctx, SA_CTX_BYTES);
	sa_store_u32_be(row + SH_T, v.t);
	sa_store_u64_be(row + SH_HOLDER, responder);
	const uint8_t *e = p + 4;
	for (uint32_t j = 0; j < count && st == SA_OK; j++, e += SHARE_ENTRY) {
		uint64_t owner = sa_load_u64_be(e);
		const uint8_t *check = check_value(&v, owner, e[8]);
		if (check == NULL)
			return SA_ERR_MALFORMED;
		memcpy(row + SH_OWNER, e, 9);                    /* owner, kind */
		memcpy(row + SH_CHECK, check, 32);
		memcpy(row + SH_VALUE, e + 9, SA_SCALAR_BYTES);
		st = emit(arg, owner, row);
	}
	sodium_memzero(row, sizeof row);
	return st;
}

/* ---------------------------------------------------------------------- */
/* 2. one owner's secret                                                  */
/* ---------------------------------------------------------------------- */

static int
cmp_holder(const void *a, const void *b)
{
	uint64_t x = sa_load_u64_be((const uint8_t *) a + SH_HOLDER);
	uint64_t y = sa_load_u64_be((const uint8_t *) b + SH_HOLDER);
	return x < y ? -1 : x > y;
}

/* Does `secret` match the owner's check value (commitment to b, or s_pk)? */
static bool
secret_checks(const uint8_t *ctx, uint64_t owner, uint8_t kind, const uint8_t check[32],
              const uint8_t secret[32])
{
	uint8_t c[32], sk[32];
	if (kind == SA_SHARE_KIND_SELF)
		sa_self_commit(c, ctx, owner, secret);
	else
		sa_mask_keypair(c, sk, secret);
	sodium_memzero(sk, sizeof sk);
	return sodium_memcmp(c, check, 32) == 0;
}

typedef struct rebuild_ctx {
	const uint8_t *rows;       /* sorted by holder */
	size_t count;
	uint32_t t;
	uint64_t *xs;
	const uint8_t **sh;
	uint8_t (*lambda)[32], (*den)[32], (*pre)[32];
} rebuild_ctx;

/* Lagrange at 0 over the first t holders, holder `skip` left out (-1: none). */
static sa_status
combine_rows(rebuild_ctx *c, long skip, uint8_t secret[32])
{
	uint32_t n = 0;
	for (size_t h = 0; h < c->count && n < c->t; h++) {
		if ((long) h == skip)
			continue;
		c->xs[n] = sa_load_u64_be(c->rows + h * SA_UNMASK_SHARE_BYTES + SH_HOLDER);
		c->sh[n++] = c->rows + h * SA_UNMASK_SHARE_BYTES + SH_VALUE;
	}
	if (n < c->t)
		return SA_ERR_RECONSTRUCT;
	sa_status st = sa_lagrange_coeffs(c->xs, c->t, c->lambda, c->den, c->pre);
	if (st != SA_OK)
		return st;
	sa_lagrange lg = { c->t, c->lambda };
	sa_lagrange_combine(&lg, c->sh, secret);
	return SA_OK;
}

/* The secret from t shares; on a mismatch, the one holder whose share is wrong is left out. */
static sa_status
rebuild_checked(rebuild_ctx *c, uint8_t secret[32])
{
	const uint8_t *r = c->rows;
	uint64_t owner = sa_load_u64_be(r + SH_OWNER);
	sa_status st = combine_rows(c, -1, secret);
	if (st != SA_OK)
		return st;
	if (secret_checks(r + 1, owner, r[SH_KIND], r + SH_CHECK, secret))
		return SA_OK;
	for (size_t h = 0; h < c->count && c->count > c->t; h++) {
		if ((st = combine_rows(c, (long) h, secret)) != SA_OK)
			break;
		if (secret_checks(r + 1, owner, r[SH_KIND], r + SH_CHECK, secret))
			return SA_OK;
	}
	sodium_memzero(secret, 32);
	return SA_ERR_RECONSTRUCT;
}

/* All rows of one owner and session, at least t of them (t >= 1). */
static sa_status
check_group(const uint8_t *rows, size_t count, uint32_t *t)
{
	if (count == 0 || count > SA_MAX_USERS_GRAPH)
		return SA_ERR_MALFORMED;
	for (size_t i = 1; i < count; i++)
		if (memcmp(rows, rows + i * SA_UNMASK_SHARE_BYTES, SA_UNMASK_SHARE_PREFIX) != 0)
			return SA_ERR_SESSION;
	*t = sa_load_u32_be(rows + SH_T);
	if (*t < 1 || (rows[SH_KIND] != SA_SHARE_KIND_SELF && rows[SH_KIND] != SA_SHARE_KIND_PAIR))
		return SA_ERR_MALFORMED;
	return count < *t ? SA_ERR_RECONSTRUCT : SA_OK;
}

sa_status
sa_unmask_rebuild(const uint8_t *shares, size_t count, uint8_t out[SA_UNMASK_SECRET_BYTES])
{
	uint32_t t;
	sa_status st = check_group(shares, count, &t);
	if (st != SA_OK)
		return st;
	rebuild_ctx c = { NULL, count, t, NULL, NULL, NULL, NULL, NULL };
	uint8_t *rows = sa_alloc_array(count, SA_UNMASK_SHARE_BYTES);
	c.xs = sa_alloc_array(t, sizeof(uint64_t));
	c.sh = sa_alloc_array(t, sizeof(uint8_t *));
	c.lambda = sa_alloc_array(t, 32);
	c.den = sa_alloc_array(t, 32);
	c.pre = sa_alloc_array(t, 32);
	if (rows == NULL || c.xs == NULL || c.sh == NULL || c.lambda == NULL || c.den == NULL || c.pre == NULL) {
		st = SA_ERR_NOMEM;
	} else {
		memcpy(rows, shares, count * SA_UNMASK_SHARE_BYTES);
		qsort(rows, count, SA_UNMASK_SHARE_BYTES, cmp_holder);
		c.rows = rows;
		for (size_t i = 1; i < count && st == SA_OK; i++)
			if (cmp_holder(rows + (i - 1) * SA_UNMASK_SHARE_BYTES, rows + i * SA_UNMASK_SHARE_BYTES) == 0)
				st = SA_ERR_DUPLICATE;
	}
	uint8_t secret[32];
	if (st == SA_OK && (st = rebuild_checked(&c, secret)) == SA_OK) {
		memcpy(out, rows, 1 + SA_CTX_BYTES);                       /* version, context */
		memcpy(out + SE_OWNER, rows + SH_OWNER, 9);                /* owner, kind */
		memcpy(out + SE_VALUE, secret, 32);
		sodium_memzero(secret, sizeof secret);
	}
	if (rows != NULL)
		sa_free_secret(rows, count * SA_UNMASK_SHARE_BYTES);
	sa_free(c.xs);
	sa_free(c.sh);
	if (c.lambda != NULL)
		sa_free_secret(c.lambda, (size_t) t * 32);
	sa_free(c.den);
	sa_free(c.pre);
	return st;
}

/* ---------------------------------------------------------------------- */
/* 3. the sum                                                             */
/* ---------------------------------------------------------------------- */

/* What the unmasking does for one member of U2 whose secret is needed. */
typedef struct owner_plan {
	uint64_t id;
	uint32_t a;                /* roster index */
	bool alive;                /* in U3: its self mask; else its pairwise masks */
	size_t task;               /* its first mask task */
	uint32_t nd;               /* dropped: its slot in sa_mask_owners */
	bool done;                 /* its secret was given */
} owner_plan;

/*
 * The owners whose secret is needed (alive, or dropped with a neighbour in
 * U3), in id order, with the slots of their tasks; returns how many.
 */
static uint32_t
plan_owners(const view *v, const uint8_t *u3_bm, owner_plan *plan, size_t *ntasks, uint32_t *ndropped)
{
	uint32_t c = 0;
	*ntasks = 0;
	*ndropped = 0;
	for (uint32_t i = 0; i < v->n2; i++) {
		uint64_t id = sa_load_u64_be(v->u2 + (size_t) i * U2_REC);
		uint32_t a = (uint32_t) sa_find_id(v->roster, v->n, ROSTER_REC, id);
		bool alive = srv_bit_get(u3_bm, a);
		uint32_t masks = 0;
		for (uint32_t d = 0; d < v->k; d++)
			masks += srv_bit_get(u3_bm, srv_graph_neighbour_at(v, a, d));
		if (!alive && masks == 0)    /* dropped, and no neighbour's sum holds a mask with it */
			continue;
		plan[c++] = (owner_plan) { id, a, alive, *ntasks, alive ? 0 : *ndropped, false };
		*ntasks += alive ? 1 : masks;
		*ndropped += !alive;
	}
	return c;
}

/*
 * Writes owner o's mask tasks (slots planned in advance) from its secret,
 * or for a dropped owner from its key pair, already in its dk slot.
 */
static void
put_tasks(const view *v, const owner_plan *o, const uint8_t secret[32], const uint8_t *u3_bm,
          sa_mask_task *tasks, sa_mask_owners *dk)
{
	size_t nt = o->task;
	if (o->alive) {
		sa_self_mask_key(tasks[nt].key, v->ctx, o->id, secret);
		tasks[nt].owner = -1;
		tasks[nt].sign = -1;
		return;
	}
	for (uint32_t d = 0; d < v->k; d++) {
		uint32_t w = srv_graph_neighbour_at(v, o->a, d);
		if (!srv_bit_get(u3_bm, w))
			continue;
		uint64_t wid = srv_roster_id(v, w);
		long pw = sa_find_id(v->u1, v->n1, U1_REC, wid);
		tasks[nt].owner = (int32_t) o->nd;
		tasks[nt].w = wid;
		tasks[nt].pk_w = v->u1 + (size_t) pw * U1_REC + 40;
		tasks[nt++].sign = (int8_t) -sa_mask_sign(wid, o->id);
	}
}

/*
 * Does a needed secret match its owner's check value? A survivor's b is
 * checked against its commitment; a dropped owner's key pair is derived
 * once, into its dk slot (where put_tasks takes it), and its public key
 * compared with the s_pk it advertised.
 */
static bool
owner_secret_checks(const view *v, const owner_plan *o, const uint8_t check[32], const uint8_t secret[32],
                    sa_mask_owners *dk)
{
	if (o->alive)
		return secret_checks(v->ctx, o->id, SA_SHARE_KIND_SELF, check, secret);
	sa_mask_keypair(dk->pk[o->nd], dk->sk[o->nd], secret);
	dk->ids[o->nd] = o->id;
	return sodium_memcmp(dk->pk[o->nd], check, 32) == 0;
}

static int
cmp_plan_id(const void *key, const void *elem)
{
	uint64_t x = *(const uint64_t *) key, y = ((const owner_plan *) elem)->id;
	return x < y ? -1 : x > y;
}

/* Checks every secret against its owner and turns it into mask tasks. */
static sa_status
take_secrets(const view *v, owner_plan *plan, uint32_t nplan, const uint8_t *secrets, size_t count,
             const uint8_t *u3_bm, sa_mask_task *tasks, sa_mask_owners *dk, uint64_t *failed_user)
{
	for (size_t i = 0; i < count; i++) {
		if (sa_interrupted())
			return SA_ERR_INTERRUPTED;
		const uint8_t *s = secrets + i * SA_UNMASK_SECRET_BYTES;
		uint64_t owner = sa_load_u64_be(s + SE_OWNER);
		if (s[0] != v->ver || memcmp(s + 1, v->ctx, SA_CTX_BYTES) != 0)
			return SA_ERR_SESSION;
		owner_plan *o = bsearch(&owner, plan, nplan, sizeof *plan, cmp_plan_id);
		if (o == NULL)
			return SA_ERR_UNKNOWN_USER;
		if (o->done)
			return SA_ERR_DUPLICATE;
		uint8_t kind = o->alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR;
		const uint8_t *check = check_value(v, owner, kind);
		if (s[SE_KIND] != kind || check == NULL || !owner_secret_checks(v, o, check, s + SE_VALUE, dk)) {
			if (failed_user != NULL)
				*failed_user = owner;
			return SA_ERR_RECONSTRUCT;
		}
		put_tasks(v, o, s + SE_VALUE, u3_bm, tasks, dk);
		o->done = true;
	}
	for (uint32_t p = 0; p < nplan; p++)
		if (!plan[p].done) {
			if (failed_user != NULL)
				*failed_user = plan[p].id;
			return SA_ERR_RECONSTRUCT;
		}
	return SA_OK;
}

typedef struct unmask_work {
	owner_plan *plan;
	sa_mask_task *tasks;
	sa_mask_owners dk;
	uint64_t *acc;
	uint8_t *u3_bm;
	size_t ntasks, dn;
	uint32_t nplan;
} unmask_work;

static sa_status
work_alloc(unmask_work *w, const view *v)
{
	uint32_t ndropped;
	memset(w, 0, sizeof *w);
	w->dk.ctx = v->ctx;
	w->u3_bm = srv_graph_u3_bitmap(v, v->u3, v->n3, ID_REC);
	w->plan = sa_alloc_array(v->n2 ? v->n2 : 1, sizeof(owner_plan));
	w->acc = sa_alloc_array(v->m, sizeof(uint64_t));
	if (w->u3_bm == NULL || w->plan == NULL || w->acc == NULL)
		return SA_ERR_NOMEM;
	w->nplan = plan_owners(v, w->u3_bm, w->plan, &w->ntasks, &ndropped);
	w->dn = ndropped ? ndropped : 1;
	w->tasks = sa_alloc_array(w->ntasks ? w->ntasks : 1, sizeof(sa_mask_task));
	w->dk.ids = sa_alloc_array(w->dn, sizeof(uint64_t));
	w->dk.pk = sa_alloc_array(w->dn, 32);
	w->dk.sk = sa_alloc_array(w->dn, 32);
	if (w->tasks == NULL || w->dk.ids == NULL || w->dk.pk == NULL || w->dk.sk == NULL)
		return SA_ERR_NOMEM;
	return SA_OK;
}

static void
work_free(unmask_work *w)
{
	sa_free(w->plan);
	sa_free(w->u3_bm);
	sa_free(w->acc);
	if (w->tasks != NULL)
		sa_free_secret(w->tasks, (w->ntasks ? w->ntasks : 1) * sizeof(sa_mask_task));
	sa_free(w->dk.ids);
	sa_free(w->dk.pk);
	if (w->dk.sk != NULL)
		sa_free_secret(w->dk.sk, w->dn * 32);
}

sa_status
sa_unmask_finish(const uint8_t *blob, size_t len, const uint8_t *secrets, size_t count,
                 unsigned threads, uint8_t **out, size_t *out_len, uint64_t *failed_user)
{
	sa_unmask_view uv;
	view v;
	sa_status st = sa_unmask_open(blob, len, &uv);
	if (st == SA_OK)
		st = sa_server_validate(uv.state, uv.state_len);
	if (st == SA_OK)
		st = srv_open_view(&v, uv.state, uv.state_len);
	if (st != SA_OK)
		return st;
	unmask_work w;
	st = work_alloc(&w, &v);
	if (st == SA_OK)
		st = take_secrets(&v, w.plan, w.nplan, secrets, count, w.u3_bm, w.tasks, &w.dk, failed_user);
	if (st == SA_OK) {
		for (uint32_t i = 0; i < v.m; i++)
			w.acc[i] = sa_load_u64_le(v.sum + 8 * (size_t) i);
		if ((st = sa_mask_sum(w.tasks, &w.dk, w.ntasks, w.acc, v.m, threads)) == SA_OK)
			st = srv_finish_sum(&v, w.acc, out, out_len);
	}
	work_free(&w);
	return st;
}
