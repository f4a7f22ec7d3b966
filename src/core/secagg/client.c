/* client.c: the user side of the protocol. */
#include "secagg/client.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/codec.h"
#include "common/interrupt.h"
#include "secagg/graph.h"
#include "common/parallel.h"
#include "secagg/mask_prg.h"
#include "secagg/mask_sum.h"
#include "secagg/merkle.h"
#include "secagg/shamir.h"

#define U1_REC 72          /* id, c_pk, s_pk */
#define KEYLIST_REC 136    /* id, c_pk, s_pk, sig */
#define SHARE_ENTRY 41     /* id, kind, share */

struct sa_client {
	sa_session s;
	uint32_t n;
	uint64_t *roster_ids;
	uint8_t (*roster_pks)[SA_SIGN_PK_BYTES];
	uint64_t id;
	uint8_t sign_sk[SA_SIGN_SK_BYTES];
	uint8_t stage;
	uint64_t *x;                 /* until round 2 is answered */
	uint8_t c_sk[32], c_pk[32], r_seed[32], s_pk[32], b[32];
	uint8_t own_r_share[32], own_b_share[32];
	uint32_t n1;
	uint8_t *u1;                 /* n1 * U1_REC */
	uint32_t n2;
	uint8_t *u2;                 /* n2 * 8 (ids) */
	uint8_t *cts;                /* (n2 - 1) * SA_CT_ENTRY_BYTES: sender, nonce, ct */
	uint32_t n3;
	uint8_t *u3;                 /* n3 * 8 */
	uint8_t u3_digest[32];       /* SecAgg+: digest of the U3 bitmap signed in round 3 */
};

void
sa_sign_keypair(uint8_t pk[SA_SIGN_PK_BYTES], uint8_t sk[SA_SIGN_SK_BYTES])
{
	crypto_sign_keypair(pk, sk);
}

static size_t
u1_bytes(uint32_t n1) { return (size_t) n1 * U1_REC; }
static size_t
cts_bytes(uint32_t n2) { return n2 ? (size_t) (n2 - 1) * SA_CT_ENTRY_BYTES : 0; }

void
sa_client_free(sa_client *c)
{
	if (c == NULL)
		return;
	sa_free(c->roster_ids);
	sa_free(c->roster_pks);
	if (c->x)
		sa_free_secret(c->x, (size_t) c->s.vector_length * 8);
	sa_free(c->u1);
	sa_free(c->u2);
	if (c->cts)
		sa_free_secret(c->cts, cts_bytes(c->n2));
	sa_free(c->u3);
	sa_free_secret(c, sizeof *c);
}

uint8_t sa_client_stage(const sa_client *c) { return c->stage; }
uint64_t sa_client_user_id(const sa_client *c) { return c->id; }
const uint8_t *sa_client_ctx(const sa_client *c) { return c->s.ctx; }
uint32_t sa_client_vector_length(const sa_client *c) { return c->s.vector_length; }
const uint8_t *
sa_client_session_id(const sa_client *c, uint8_t *len)
{
	*len = c->s.session_id_len;
	return c->s.session_id;
}

static sa_roster
roster_of(const sa_client *c)
{
	sa_roster r = { c->n, c->roster_ids, (const uint8_t (*)[SA_SIGN_PK_BYTES]) c->roster_pks };
	return r;
}

/* Checks that sign_sk is a well-formed Ed25519 secret key for pk. */
static sa_status
check_sign_key(const uint8_t sk[SA_SIGN_SK_BYTES], const uint8_t pk[SA_SIGN_PK_BYTES])
{
	uint8_t pk2[32], sk2[64];
	crypto_sign_seed_keypair(pk2, sk2, sk);
	int bad = sodium_memcmp(sk2, sk, 64) != 0 || sodium_memcmp(pk2, pk, 32) != 0;
	sodium_memzero(sk2, sizeof sk2);
	return bad ? SA_ERR_KEYS : SA_OK;
}

static sa_status
init_common(sa_client *c, const uint8_t *sid, size_t sid_len, uint32_t t, uint32_t m, uint32_t k,
            const uint64_t *ids, const uint8_t (*pks)[32], uint32_t n, uint64_t id,
            const uint8_t sign_sk[64])
{
	c->n = n;
	c->roster_ids = sa_alloc_array(n, sizeof(uint64_t));
	c->roster_pks = sa_alloc_array(n, SA_SIGN_PK_BYTES);
	if (c->roster_ids == NULL || c->roster_pks == NULL)
		return SA_ERR_NOMEM;
	memcpy(c->roster_ids, ids, (size_t) n * 8);
	memcpy(c->roster_pks, pks, (size_t) n * 32);
	sa_roster r = roster_of(c);
	sa_status st = sa_session_init_graph(&c->s, sid, sid_len, t, m, k, &r);
	if (st != SA_OK)
		return st;
	long pos = sa_roster_find(&r, id);
	if (pos < 0)
		return SA_ERR_UNKNOWN_USER;
	if ((st = check_sign_key(sign_sk, c->roster_pks[pos])) != SA_OK)
		return st;
	c->id = id;
	memcpy(c->sign_sk, sign_sk, 64);
	return SA_OK;
}

sa_status
sa_client_create(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                 const sa_roster *roster, uint64_t user_id, const uint8_t sign_sk[SA_SIGN_SK_BYTES],
                 const uint64_t *x, uint32_t m, sa_client **out)
{
	return sa_client_create_graph(session_id, session_id_len, threshold, 0, roster, user_id, sign_sk,
	                              x, m, out);
}

sa_status
sa_client_create_graph(const uint8_t *session_id, size_t session_id_len, uint32_t threshold,
                       uint32_t degree, const sa_roster *roster, uint64_t user_id,
                       const uint8_t sign_sk[SA_SIGN_SK_BYTES], const uint64_t *x, uint32_t m,
                       sa_client **out)
{
	if (roster == NULL || x == NULL || m < 1 || m > SA_MAX_VECTOR_LENGTH)
		return SA_ERR_PARAM;
	sa_status st = sa_roster_check(roster);
	if (st != SA_OK)
		return st;
	sa_client *c = sa_alloc_zero(sizeof *c);
	if (c == NULL)
		return SA_ERR_NOMEM;
	st = init_common(c, session_id, session_id_len, threshold, m, degree, roster->ids,
	                 roster->sign_pks, roster->n, user_id, sign_sk);
	if (st == SA_OK) {
		c->x = sa_alloc_array(m, sizeof(uint64_t));
		if (c->x == NULL)
			st = SA_ERR_NOMEM;
		else
			memcpy(c->x, x, (size_t) m * 8);
	}
	if (st != SA_OK) {
		sa_client_free(c);
		return st;
	}
	*out = c;
	return SA_OK;
}

/* ---------------------------------------------------------------------- */

static void
put_c2s_header(sa_writer *w, const sa_client *c, int round)
{
	sa_put_u8(w, sa_session_wire_version(&c->s));
	sa_put_u8(w, SA_MSG_C2S(round));
	sa_put_bytes(w, c->s.ctx, SA_CTX_BYTES);
	sa_put_u64(w, c->id);
}

static sa_status
check_header(const sa_client *c, sa_reader *r)
{
	uint8_t ver, type;
	const uint8_t *ctx;
	if (!sa_get_u8(r, &ver) || !sa_get_u8(r, &type) || (ctx = sa_get_view(r, SA_CTX_BYTES)) == NULL)
		return SA_ERR_MALFORMED;
	if (ver != sa_session_wire_version(&c->s))
		return SA_ERR_VERSION;
	if (type > SA_MSG_S2C(4))
		return SA_ERR_MALFORMED;
	if (c->stage == SA_CLIENT_STAGE_DONE)
		return SA_ERR_STATE;
	if (type != SA_MSG_S2C(c->stage))
		return SA_ERR_WRONG_ROUND;
	if (memcmp(ctx, c->s.ctx, SA_CTX_BYTES) != 0)
		return SA_ERR_SESSION;
	return SA_OK;
}

static long
find_u1(const sa_client *c, uint64_t id)
{
	return sa_find_id(c->u1, c->n1, U1_REC, id);
}

/* Round 0: fresh key pairs, signed advertisement. */
static sa_status
answer_round0(sa_client *c, sa_reader *r, sa_writer *w)
{
	if (!sa_reader_done(r))
		return SA_ERR_MALFORMED;
	uint8_t c_sk[32], c_pk[32], r_seed[32], s_pk[32], s_sk[32], sig[64];
	uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	do {
		randombytes_buf(c_sk, sizeof c_sk);
		crypto_scalarmult_base(c_pk, c_sk);
		sa_scalar_random(r_seed);
		sa_mask_keypair(s_pk, s_sk, r_seed);
	} while (sodium_memcmp(c_pk, s_pk, 32) == 0);
	sodium_memzero(s_sk, sizeof s_sk);
	sa_advertise_signed(signed_msg, c->s.ctx, c->id, c_pk, s_pk);
	crypto_sign_detached(sig, NULL, signed_msg, sizeof signed_msg, c->sign_sk);
	put_c2s_header(w, c, 0);
	sa_put_bytes(w, c_pk, 32);
	sa_put_bytes(w, s_pk, 32);
	sa_put_bytes(w, sig, 64);
	if (w->failed) {
		sodium_memzero(c_sk, 32);
		sodium_memzero(r_seed, 32);
		return SA_ERR_NOMEM;
	}
	memcpy(c->c_sk, c_sk, 32);
	memcpy(c->c_pk, c_pk, 32);
	memcpy(c->r_seed, r_seed, 32);
	memcpy(c->s_pk, s_pk, 32);
	sodium_memzero(c_sk, 32);
	sodium_memzero(r_seed, 32);
	c->stage = 1;
	return SA_OK;
}

static sa_status share_round1(sa_client *c, sa_reader *r, sa_writer *w, const sa_graph *g);

static int
cmp_key32(const void *a, const void *b)
{
	return memcmp(a, b, 32);
}

/*
 * SecAgg+ round 1 prefix: n1 u32 | root | leaf index u32 | path length u8 |
 * path. Checks that this user's advertisement is leaf `index` of the tree
 * of n1 advertisements under root, and draws the ring from that root.
 */
static sa_status
read_ring(const sa_client *c, sa_reader *r, sa_graph *g)
{
	uint32_t n1, index;
	uint8_t plen, leaf[SA_MERKLE_HASH_BYTES], seed[SA_GRAPH_SEED_BYTES];
	const uint8_t *root, *path;
	if (!sa_get_u32(r, &n1) || (root = sa_get_view(r, SA_MERKLE_HASH_BYTES)) == NULL ||
	    !sa_get_u32(r, &index) || !sa_get_u8(r, &plen) ||
	    (path = sa_get_view(r, (size_t) plen * SA_MERKLE_HASH_BYTES)) == NULL)
		return SA_ERR_MALFORMED;
	if (n1 > c->n || index >= n1)
		return SA_ERR_UNKNOWN_USER;
	sa_merkle_leaf(leaf, c->id, c->c_pk, c->s_pk);
	if (!sa_merkle_verify(root, index, n1, leaf, (const uint8_t (*)[SA_MERKLE_HASH_BYTES]) path, plen))
		return SA_ERR_GRAPH;
	sa_ring_seed(seed, c->s.ctx, n1, root);
	return sa_graph_harary(g, c->n, c->s.degree, seed);
}

/* SecAgg+: every listed user but this one is its neighbour on the ring. */
static sa_status
check_neighbours(const sa_client *c, const sa_graph *g, const uint8_t *list, uint32_t count)
{
	sa_roster ro = roster_of(c);
	uint32_t self = (uint32_t) sa_roster_find(&ro, c->id);
	for (uint32_t i = 0; i < count; i++) {
		uint64_t id = sa_load_u64_be(list + (size_t) i * KEYLIST_REC);
		long pos = sa_roster_find(&ro, id);
		if (id != c->id && (pos < 0 || !sa_graph_adjacent(g, self, (uint32_t) pos)))
			return SA_ERR_GRAPH;
	}
	return SA_OK;
}

/* Round 1: check the key list, share the two seeds, encrypt to every peer. */
static sa_status
answer_round1(sa_client *c, sa_reader *r, sa_writer *w)
{
	sa_graph g = { 0 };
	sa_status st = SA_OK;
	if (c->s.degree && (st = read_ring(c, r, &g)) != SA_OK)
		return st;
	st = share_round1(c, r, w, c->s.degree ? &g : NULL);
	sa_graph_free(&g);
	return st;
}

/*
 * The key list's entries, checked on sa_default_threads() threads: each
 * job verifies the advertisement signatures of a range of entries, or
 * encrypts this user's shares for a range of recipients into `out`.
 */
typedef struct list_job {
	const sa_client *c;
	const uint8_t *list;
	const long *pos;                        /* roster position of each entry */
	const uint8_t (*shares)[32];            /* r- and b-share of each entry */
	uint8_t *out;                           /* SA_CT_ENTRY_BYTES per entry (own entry unused) */
	sa_status st[SA_MAX_THREADS];
} list_job;

static void
verify_range(void *arg, unsigned k, size_t from, size_t to)
{
	list_job *j = arg;
	uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	j->st[k] = SA_OK;
	for (size_t i = from; i < to; i++) {
		const uint8_t *e = j->list + i * KEYLIST_REC;
		sa_advertise_signed(signed_msg, j->c->s.ctx, sa_load_u64_be(e), e + 8, e + 40);
		if (crypto_sign_verify_detached(e + 72, signed_msg, sizeof signed_msg, j->c->roster_pks[j->pos[i]]) != 0) {
			j->st[k] = SA_ERR_SIGNATURE;
			return;
		}
	}
}

/* One ciphertext entry: recipient id | nonce | Enc(KA-derived key, sender | recipient | r-share | b-share). */
static sa_status
encrypt_entry(const sa_client *c, const uint8_t *e, const uint8_t shares[2][32], uint8_t *out)
{
	uint8_t q[32], key[32], plain[SA_SHARE_PLAIN_BYTES], ad[SA_SHARE_AD_BYTES];
	uint64_t v = sa_load_u64_be(e);
	sa_status st = sa_kx_agree(q, c->c_sk, e + 8);
	if (st == SA_OK) {
		sa_share_enc_key(key, c->s.ctx, q, c->id, c->c_pk, v, e + 8);
		sa_store_u64_be(plain, c->id);
		sa_store_u64_be(plain + 8, v);
		memcpy(plain + 16, shares[0], 32);
		memcpy(plain + 48, shares[1], 32);
		sa_share_ad(ad, c->s.ctx, c->id, v);
		sa_store_u64_be(out, v);
		uint8_t *nonce = out + 8;
		randombytes_buf(nonce, SA_NONCE_BYTES);
		crypto_aead_xchacha20poly1305_ietf_encrypt(out + 8 + SA_NONCE_BYTES, NULL, plain, sizeof plain, ad,
		                                           sizeof ad, NULL, nonce, key);
	}
	sodium_memzero(q, sizeof q);
	sodium_memzero(key, sizeof key);
	sodium_memzero(plain, sizeof plain);
	return st;
}

static void
encrypt_range(void *arg, unsigned k, size_t from, size_t to)
{
	list_job *j = arg;
	j->st[k] = SA_OK;
	for (size_t i = from; i < to && j->st[k] == SA_OK; i++) {
		const uint8_t *e = j->list + i * KEYLIST_REC;
		if (sa_load_u64_be(e) != j->c->id)
			j->st[k] = encrypt_entry(j->c, e, &j->shares[2 * i],
			                         j->out + i * SA_CT_ENTRY_BYTES);
	}
}

/* Runs fn over the n1 entries of job j; the first failure of any worker. */
static sa_status
list_run(list_job *j, uint32_t n1, sa_range_fn fn)
{
	unsigned used = sa_parallel_for(n1, sa_default_threads(), fn, j);
	for (unsigned k = 0; k < used; k++)
		if (j->st[k] != SA_OK)
			return j->st[k];
	return SA_OK;
}

static sa_status distinct_keys(const uint8_t *list, uint32_t n1);
static sa_status send_shares(sa_client *c, const uint8_t *list, uint32_t n1, sa_writer *w);

/*
 * The key list of round 1: ids ascending, all in the roster, this user's
 * own keys unchanged, every signature valid (on the worker threads), the
 * neighbours of the ring (SecAgg+), 2 * n1 distinct keys. pos gets each
 * entry's roster position.
 */
static sa_status
check_key_list(const sa_client *c, const uint8_t *list, uint32_t n1, const sa_graph *g, long *pos)
{
	sa_roster ro = roster_of(c);
	bool self_seen = false;
	for (uint32_t i = 0; i < n1; i++) {
		const uint8_t *e = list + (size_t) i * KEYLIST_REC;
		uint64_t id = sa_load_u64_be(e);
		if (i > 0 && id <= sa_load_u64_be(e - KEYLIST_REC))
			return SA_ERR_DUPLICATE;
		if ((pos[i] = sa_roster_find(&ro, id)) < 0)
			return SA_ERR_UNKNOWN_USER;
		if (id == c->id) {
			if (sodium_memcmp(e + 8, c->c_pk, 32) != 0 || sodium_memcmp(e + 40, c->s_pk, 32) != 0)
				return SA_ERR_KEYS;
			self_seen = true;
		}
	}
	list_job j = { c, list, pos, NULL, NULL, { SA_OK } };
	sa_status st = list_run(&j, n1, verify_range);
	if (st != SA_OK)
		return st;
	if (!self_seen)
		return SA_ERR_UNKNOWN_USER;
	if (g != NULL && check_neighbours(c, g, list, n1) != SA_OK)
		return SA_ERR_GRAPH;
	return distinct_keys(list, n1);
}

/* All 2 * n1 keys of the list pairwise distinct (SA_ERR_KEYS otherwise). */
static sa_status
distinct_keys(const uint8_t *list, uint32_t n1)
{
	uint8_t (*keys)[32] = sa_alloc_array((size_t) 2 * n1, 32);
	if (keys == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t i = 0; i < n1; i++) {
		memcpy(keys[2 * i], list + (size_t) i * KEYLIST_REC + 8, 32);
		memcpy(keys[2 * i + 1], list + (size_t) i * KEYLIST_REC + 40, 32);
	}
	qsort(keys, (size_t) 2 * n1, 32, cmp_key32);
	bool repeated = false;
	for (size_t i = 1; i < (size_t) 2 * n1; i++)
		if (memcmp(keys[i], keys[i - 1], 32) == 0)
			repeated = true;
	sa_free(keys);
	return repeated ? SA_ERR_KEYS : SA_OK;
}

/* Round 1 after the SecAgg+ prefix; g is the ring (NULL: complete graph). */
static sa_status
share_round1(sa_client *c, sa_reader *r, sa_writer *w, const sa_graph *g)
{
	uint32_t n1;
	if (!sa_get_count(r, &n1, KEYLIST_REC))
		return SA_ERR_MALFORMED;
	if (sa_reader_remaining(r) != (size_t) n1 * KEYLIST_REC)
		return SA_ERR_MALFORMED;
	if (n1 > c->n)
		return SA_ERR_UNKNOWN_USER;
	if (n1 < c->s.threshold)
		return c->s.degree ? SA_ERR_NEIGHBOURHOOD : SA_ERR_THRESHOLD;
	const uint8_t *list = sa_get_view(r, (size_t) n1 * KEYLIST_REC);
	long *pos = sa_alloc_array(n1, sizeof(long));
	if (pos == NULL)
		return SA_ERR_NOMEM;
	sa_status st = check_key_list(c, list, n1, g, pos);
	sa_free(pos);
	return st == SA_OK ? send_shares(c, list, n1, w) : st;
}

/* Share r (the mask-key seed) and b (the self-mask seed) and send the shares, encrypted. */
static sa_status
send_shares(sa_client *c, const uint8_t *list, uint32_t n1, sa_writer *w)
{
	sa_status st = SA_OK;
	uint8_t secrets[2][32];
	uint64_t *xs = sa_alloc_array(n1, sizeof(uint64_t));
	uint8_t (*shares)[32] = sa_alloc_array((size_t) 2 * n1, 32);
	uint8_t *u1 = sa_alloc(u1_bytes(n1));
	uint8_t *entries = sa_alloc_array(n1, SA_CT_ENTRY_BYTES);
	if (xs == NULL || shares == NULL || u1 == NULL || entries == NULL) {
		st = SA_ERR_NOMEM;
		goto out;
	}
	uint32_t self_pos = 0;
	for (uint32_t i = 0; i < n1; i++) {
		xs[i] = sa_load_u64_be(list + (size_t) i * KEYLIST_REC);
		memcpy(u1 + (size_t) i * U1_REC, list + (size_t) i * KEYLIST_REC, U1_REC);
		if (xs[i] == c->id)
			self_pos = i;
	}
	memcpy(secrets[0], c->r_seed, 32);
	sa_scalar_random(secrets[1]);
	if ((st = sa_shamir_share((const uint8_t (*)[32]) secrets, 2, c->s.threshold, xs, n1, shares)) != SA_OK)
		goto out;
	list_job j = { c, list, NULL, (const uint8_t (*)[32]) shares, entries, { SA_OK } };
	if ((st = list_run(&j, n1, encrypt_range)) != SA_OK)
		goto out;
	uint8_t commit[SA_COMMIT_BYTES];
	sa_self_commit(commit, c->s.ctx, c->id, secrets[1]);
	put_c2s_header(w, c, 1);
	sa_put_bytes(w, commit, sizeof commit);
	sa_put_u32(w, n1 - 1);
	for (uint32_t i = 0; i < n1; i++)
		if (i != self_pos)
			sa_put_bytes(w, entries + (size_t) i * SA_CT_ENTRY_BYTES, SA_CT_ENTRY_BYTES);
	if (w->failed) {
		st = SA_ERR_NOMEM;
		goto out;
	}
	memcpy(c->b, secrets[1], 32);
	memcpy(c->own_r_share, shares[2 * (size_t) self_pos], 32);
	memcpy(c->own_b_share, shares[2 * (size_t) self_pos + 1], 32);
	sa_free(c->u1);
	c->u1 = u1;
	u1 = NULL;
	c->n1 = n1;
	c->stage = 2;
out:
	sodium_memzero(secrets, sizeof secrets);
	sa_free(xs);
	if (shares)
		sa_free_secret(shares, (size_t) 2 * n1 * 32);
	sa_free(u1);
	sa_free(entries);
	return st;
}

/*
 * y += PRG(b) + sum over v in U2 \ {u} of sign(u, v) * PRG(s_uv), the
 * key agreements and expansions spread over sa_default_threads() threads.
 */
static sa_status
add_masks(const sa_client *c, const uint8_t *u2, uint32_t n2, uint64_t *y)
{
	sa_mask_task *tasks = sa_alloc_array(n2, sizeof(sa_mask_task));
	if (tasks == NULL)
		return SA_ERR_NOMEM;
	uint64_t id = c->id;
	uint8_t s_pk[1][32], s_sk[1][32];
	sa_mask_keypair(s_pk[0], s_sk[0], c->r_seed);
	sa_mask_owners me = { c->s.ctx, &id, s_pk, s_sk };
	size_t nt = 0;
	sa_self_mask_key(tasks[nt].key, c->s.ctx, c->id, c->b);
	tasks[nt].owner = -1;
	tasks[nt++].sign = 1;
	for (uint32_t i = 0; i < n2; i++) {
		uint64_t v = sa_load_u64_be(u2 + 8 * (size_t) i);
		if (v == c->id)
			continue;
		tasks[nt].owner = 0;
		tasks[nt].w = v;
		tasks[nt].pk_w = c->u1 + (size_t) find_u1(c, v) * U1_REC + 40;
		tasks[nt++].sign = (int8_t) sa_mask_sign(c->id, v);
	}
	sa_status st = sa_mask_sum(tasks, &me, nt, y, c->s.vector_length, sa_default_threads());
	sodium_memzero(s_sk, sizeof s_sk);
	sa_free_secret(tasks, (size_t) n2 * sizeof(sa_mask_task));
	return st;
}

/* Round 2: store the ciphertexts, infer U2, send the masked input. */
static sa_status
answer_round2(sa_client *c, sa_reader *r, sa_writer *w)
{
	uint32_t k;
	if (!sa_get_count(r, &k, SA_CT_ENTRY_BYTES) || sa_reader_remaining(r) != (size_t) k * SA_CT_ENTRY_BYTES)
		return SA_ERR_MALFORMED;
	if (k >= c->n1)
		return SA_ERR_UNKNOWN_USER;
	if (k + 1 < c->s.threshold)
		return c->s.degree ? SA_ERR_NEIGHBOURHOOD : SA_ERR_THRESHOLD;
	const uint8_t *entries = sa_get_view(r, (size_t) k * SA_CT_ENTRY_BYTES);
	uint32_t n2 = k + 1;
	uint8_t *u2 = sa_alloc((size_t) n2 * 8);
	uint8_t *cts = sa_alloc(cts_bytes(n2) ? cts_bytes(n2) : 1);
	uint64_t *y = sa_alloc_array(c->s.vector_length, sizeof(uint64_t));
	sa_status st = SA_OK;
	if (u2 == NULL || cts == NULL || y == NULL) {
		st = SA_ERR_NOMEM;
		goto out;
	}
	uint32_t j = 0;
	bool self_placed = false;
	for (uint32_t i = 0; i < k; i++) {
		const uint8_t *e = entries + (size_t) i * SA_CT_ENTRY_BYTES;
		uint64_t v = sa_load_u64_be(e);
		if (i > 0 && v <= sa_load_u64_be(e - SA_CT_ENTRY_BYTES)) {
			st = SA_ERR_DUPLICATE;
			goto out;
		}
		if (v == c->id || find_u1(c, v) < 0) {
			st = SA_ERR_UNKNOWN_USER;
			goto out;
		}
		if (!self_placed && v > c->id) {
			sa_store_u64_be(u2 + 8 * (size_t) j++, c->id);
			self_placed = true;
		}
		sa_store_u64_be(u2 + 8 * (size_t) j++, v);
	}
	if (!self_placed)
		sa_store_u64_be(u2 + 8 * (size_t) j++, c->id);
	if (k > 0)
		memcpy(cts, entries, cts_bytes(n2));

	/* y = x + PRG(b) + sum over v in U2 \ {u} of sign(u, v) * PRG(s_uv). */
	memcpy(y, c->x, (size_t) c->s.vector_length * 8);
	if ((st = add_masks(c, u2, n2, y)) != SA_OK)
		goto out;
	put_c2s_header(w, c, 2);
	sa_put_u32(w, c->s.vector_length);
	if (sa_writer_reserve(w, (size_t) c->s.vector_length * 8)) {
		for (uint32_t i = 0; i < c->s.vector_length; i++)
			sa_store_u64_le(w->buf + w->len + 8 * (size_t) i, y[i]);
		w->len += (size_t) c->s.vector_length * 8;
	}
	if (w->failed) {
		st = SA_ERR_NOMEM;
		goto out;
	}
	/* commit */
	sa_free_secret(c->x, (size_t) c->s.vector_length * 8);
	c->x = NULL;
	sa_free(c->u2);
	if (c->cts)
		sa_free_secret(c->cts, cts_bytes(c->n2) ? cts_bytes(c->n2) : 1);
	c->u2 = u2;
	c->cts = cts;
	c->n2 = n2;
	u2 = NULL;
	cts = NULL;
	c->stage = 3;
out:
	if (y)
		sa_free_secret(y, (size_t) c->s.vector_length * 8);
	sa_free(u2);
	if (cts)
		sa_free_secret(cts, cts_bytes(n2) ? cts_bytes(n2) : 1);
	return st;
}

/* Keeps U3 (ids, a subset of U2 with this user in it) and signs `stmt`. */
static sa_status
sign_round3(sa_client *c, sa_writer *w, const uint8_t *u3_ids, uint32_t n3,
            const uint8_t *stmt, size_t stmt_len)
{
	uint8_t sig[64];
	uint8_t *u3 = sa_alloc((size_t) n3 * 8);
	if (u3 == NULL)
		return SA_ERR_NOMEM;
	memcpy(u3, u3_ids, (size_t) n3 * 8);
	crypto_sign_detached(sig, NULL, stmt, stmt_len, c->sign_sk);
	put_c2s_header(w, c, 3);
	sa_put_bytes(w, sig, sizeof sig);
	if (w->failed) {
		sa_free(u3);
		return SA_ERR_NOMEM;
	}
	sa_free(c->u3);
	c->u3 = u3;
	c->n3 = n3;
	c->stage = 4;
	return SA_OK;
}

/* Round 3, complete graph: U3 as an id list; sign it. */
static sa_status
answer_round3_complete(sa_client *c, sa_reader *r, sa_writer *w)
{
	uint32_t n3;
	if (!sa_get_count(r, &n3, 8) || sa_reader_remaining(r) != (size_t) n3 * 8)
		return SA_ERR_MALFORMED;
	const uint8_t *ids = sa_get_view(r, (size_t) n3 * 8);
	if (n3 > c->n2)
		return SA_ERR_UNKNOWN_USER;
	bool self_seen = false;
	for (uint32_t i = 0; i < n3; i++) {
		uint64_t v = sa_load_u64_be(ids + 8 * (size_t) i);
		if (i > 0 && v <= sa_load_u64_be(ids + 8 * (size_t) (i - 1)))
			return SA_ERR_DUPLICATE;
		if (sa_find_id(c->u2, c->n2, 8, v) < 0)
			return SA_ERR_UNKNOWN_USER;
		self_seen |= v == c->id;
	}
	if (!self_seen)
		return SA_ERR_UNKNOWN_USER;
	if (n3 < c->s.threshold)
		return SA_ERR_THRESHOLD;
	uint8_t *stmt;
	size_t stmt_len;
	sa_status st = sa_consistency_signed(&stmt, &stmt_len, c->s.ctx, ids, n3, 8);
	if (st != SA_OK)
		return st;
	st = sign_round3(c, w, ids, n3, stmt, stmt_len);
	sa_free(stmt);
	return st;
}

/*
 * Round 3, SecAgg+: U3 as a bitmap over the roster (n u32 | bitmap, the
 * same bytes for every user). This user keeps its neighbourhood's part of
 * it and signs the digest of the whole bitmap.
 */
static sa_status
answer_round3_graph(sa_client *c, sa_reader *r, sa_writer *w)
{
	uint32_t n;
	size_t bm_len = ((size_t) c->n + 7) / 8;
	if (!sa_get_u32(r, &n) || n != c->n || sa_reader_remaining(r) != bm_len)
		return SA_ERR_MALFORMED;
	const uint8_t *bm = sa_get_view(r, bm_len);
	if (c->n % 8 != 0 && (bm[bm_len - 1] >> (c->n % 8)) != 0)
		return SA_ERR_MALFORMED;
	sa_roster ro = roster_of(c);
	uint8_t *ids = sa_alloc((size_t) c->n2 * 8);
	if (ids == NULL)
		return SA_ERR_NOMEM;
	uint32_t n3 = 0;
	bool self_seen = false;
	for (uint32_t i = 0; i < c->n2; i++) {
		uint64_t v = sa_load_u64_be(c->u2 + 8 * (size_t) i);
		uint32_t ri = (uint32_t) sa_roster_find(&ro, v);
		if ((bm[ri / 8] >> (ri % 8)) & 1) {
			sa_store_u64_be(ids + 8 * (size_t) n3++, v);
			self_seen |= v == c->id;
		}
	}
	sa_status st = SA_OK;
	if (!self_seen)
		st = SA_ERR_UNKNOWN_USER;
	else if (n3 < c->s.threshold)
		st = SA_ERR_NEIGHBOURHOOD;
	if (st == SA_OK) {
		uint8_t digest[32], stmt[SA_CONSISTENCY_GRAPH_BYTES];
		sa_u3_digest(digest, c->s.ctx, c->n, bm, bm_len);
		sa_consistency_graph_signed(stmt, c->s.ctx, digest);
		if ((st = sign_round3(c, w, ids, n3, stmt, sizeof stmt)) == SA_OK)
			memcpy(c->u3_digest, digest, 32);
	}
	sa_free(ids);
	return st;
}

static sa_status
answer_round3(sa_client *c, sa_reader *r, sa_writer *w)
{
	return c->s.degree ? answer_round3_graph(c, r, w) : answer_round3_complete(c, r, w);
}

/* Round 4: check the signatures on U3, decrypt, reveal one share per peer. */
static sa_status
answer_round4(sa_client *c, sa_reader *r, sa_writer *w)
{
	uint32_t n4;
	if (!sa_get_count(r, &n4, 72) || sa_reader_remaining(r) != (size_t) n4 * 72)
		return SA_ERR_MALFORMED;
	const uint8_t *list = sa_get_view(r, (size_t) n4 * 72);
	if (n4 > c->n3)
		return SA_ERR_UNKNOWN_USER;
	if (n4 < c->s.threshold)
		return c->s.degree ? SA_ERR_NEIGHBOURHOOD : SA_ERR_THRESHOLD;
	uint8_t *stmt;
	size_t stmt_len;
	sa_status st;
	if (c->s.degree) {          /* SecAgg+: the digest of U3 this user signed */
		stmt_len = SA_CONSISTENCY_GRAPH_BYTES;
		if ((stmt = sa_alloc(stmt_len)) == NULL)
			return SA_ERR_NOMEM;
		sa_consistency_graph_signed(stmt, c->s.ctx, c->u3_digest);
	} else if ((st = sa_consistency_signed(&stmt, &stmt_len, c->s.ctx, c->u3, c->n3, 8)) != SA_OK) {
		return st;
	}
	st = SA_OK;
	sa_roster ro = roster_of(c);
	for (uint32_t i = 0; i < n4 && st == SA_OK; i++) {
		const uint8_t *e = list + (size_t) i * 72;
		uint64_t v = sa_load_u64_be(e);
		if (i > 0 && v <= sa_load_u64_be(e - 72))
			st = SA_ERR_DUPLICATE;
		else if (sa_find_id(c->u3, c->n3, 8, v) < 0)
			st = SA_ERR_UNKNOWN_USER;
		else if (crypto_sign_verify_detached(e + 8, stmt, stmt_len,
		                                     c->roster_pks[sa_roster_find(&ro, v)]) != 0)
			st = SA_ERR_SIGNATURE;
	}
	sa_free(stmt);
	if (st != SA_OK)
		return st;

	/* Decrypt everything first: abort before revealing anything on any failure. */
	uint8_t (*plain)[SA_SHARE_PLAIN_BYTES] = sa_alloc_array(c->n2, SA_SHARE_PLAIN_BYTES);
	if (plain == NULL)
		return SA_ERR_NOMEM;
	for (uint32_t i = 0; i + 1 < c->n2 && st == SA_OK; i++) {
		const uint8_t *e = c->cts + (size_t) i * SA_CT_ENTRY_BYTES;
		uint64_t v = sa_load_u64_be(e);
		const uint8_t *c_pk_v = c->u1 + (size_t) find_u1(c, v) * U1_REC + 8;
		uint8_t q[32], key[32], ad[SA_SHARE_AD_BYTES];
		if ((st = sa_kx_agree(q, c->c_sk, c_pk_v)) != SA_OK)
			break;
		sa_share_enc_key(key, c->s.ctx, q, c->id, c->c_pk, v, c_pk_v);
		sa_share_ad(ad, c->s.ctx, v, c->id);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain[i], NULL, NULL, e + 8 + SA_NONCE_BYTES,
		                                               SA_SHARE_CT_BYTES, ad, sizeof ad, e + 8, key) != 0)
			st = SA_ERR_DECRYPT;
		else if (sa_load_u64_be(plain[i]) != v || sa_load_u64_be(plain[i] + 8) != c->id)
			st = SA_ERR_DECRYPT;
		else if (!sa_scalar_is_canonical(plain[i] + 16) || !sa_scalar_is_canonical(plain[i] + 48))
			st = SA_ERR_NONCANONICAL;
		sodium_memzero(q, sizeof q);
		sodium_memzero(key, sizeof key);
	}
	if (st == SA_OK) {
		put_c2s_header(w, c, 4);
		sa_put_u32(w, c->n2);
		uint32_t ci = 0;
		for (uint32_t i = 0; i < c->n2; i++) {
			uint64_t v = sa_load_u64_be(c->u2 + 8 * (size_t) i);
			bool alive = sa_find_id(c->u3, c->n3, 8, v) >= 0;
			const uint8_t *share;
			if (v == c->id) {
				share = c->own_b_share;             /* we are in U3 */
			} else {
				/* ciphertexts are stored in sender order, which is U2 order without self */
				share = plain[ci] + (alive ? 48 : 16);
				ci++;
			}
			sa_put_u64(w, v);
			sa_put_u8(w, alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR);
			sa_put_bytes(w, share, 32);
		}
		if (w->failed)
			st = SA_ERR_NOMEM;
	}
	sa_free_secret(plain, (size_t) c->n2 * SA_SHARE_PLAIN_BYTES);
	if (st != SA_OK)
		return st;
	c->stage = SA_CLIENT_STAGE_DONE;
	return SA_OK;
}

sa_status
sa_client_round(sa_client *c, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len)
{
	sa_reader r;
	sa_writer w;
	sa_reader_init(&r, in, in_len);
	sa_status st = check_header(c, &r);
	if (st != SA_OK)
		return st;
	sa_writer_init(&w);
	switch (c->stage) {
	case 0: st = answer_round0(c, &r, &w); break;
	case 1: st = answer_round1(c, &r, &w); break;
	case 2: st = answer_round2(c, &r, &w); break;
	case 3: st = answer_round3(c, &r, &w); break;
	case 4: st = answer_round4(c, &r, &w); break;
	default: st = SA_ERR_STATE; break;
	}
	if (st != SA_OK) {
		sa_writer_discard(&w);
		return st;
	}
	*out = sa_writer_finish(&w, out_len);
	return *out ? SA_OK : SA_ERR_NOMEM;
}

/* ---------------------------------------------------------------------- */
/* serialisation: "SAC1" | version | stage | sid_len | sid | t | m | n |   */
/* roster | id | sign_sk | has_x | x | keys (7 x 32) | n1 | u1 | n2 | u2 | */
/* cts | n3 | u3                                                          */
/* SecAgg+ ("SAC2", version 2): k u32 after m, the U3 digest (32) at the  */
/* end.                                                                   */
/* ---------------------------------------------------------------------- */

sa_status
sa_client_serialize(const sa_client *c, uint8_t **buf, size_t *len)
{
	sa_writer w;
	sa_writer_init(&w);
	sa_put_bytes(&w, c->s.degree ? "SAC2" : "SAC1", 4);
	sa_put_u8(&w, sa_session_wire_version(&c->s));
	sa_put_u8(&w, c->stage);
	sa_put_u8(&w, c->s.session_id_len);
	sa_put_bytes(&w, c->s.session_id, c->s.session_id_len);
	sa_put_u32(&w, c->s.threshold);
	sa_put_u32(&w, c->s.vector_length);
	if (c->s.degree)
		sa_put_u32(&w, c->s.degree);
	sa_put_u32(&w, c->n);
	for (uint32_t i = 0; i < c->n; i++) {
		sa_put_u64(&w, c->roster_ids[i]);
		sa_put_bytes(&w, c->roster_pks[i], 32);
	}
	sa_put_u64(&w, c->id);
	sa_put_bytes(&w, c->sign_sk, 64);
	sa_put_u8(&w, c->x != NULL);
	if (c->x != NULL && sa_writer_reserve(&w, (size_t) c->s.vector_length * 8)) {
		for (uint32_t i = 0; i < c->s.vector_length; i++)
			sa_store_u64_le(w.buf + w.len + 8 * (size_t) i, c->x[i]);
		w.len += (size_t) c->s.vector_length * 8;
	}
	sa_put_bytes(&w, c->c_sk, 32);
	sa_put_bytes(&w, c->c_pk, 32);
	sa_put_bytes(&w, c->r_seed, 32);
	sa_put_bytes(&w, c->s_pk, 32);
	sa_put_bytes(&w, c->b, 32);
	sa_put_bytes(&w, c->own_r_share, 32);
	sa_put_bytes(&w, c->own_b_share, 32);
	sa_put_u32(&w, c->n1);
	sa_put_bytes(&w, c->u1, u1_bytes(c->n1));
	sa_put_u32(&w, c->n2);
	sa_put_bytes(&w, c->u2, (size_t) c->n2 * 8);
	sa_put_bytes(&w, c->cts, cts_bytes(c->n2));
	sa_put_u32(&w, c->n3);
	sa_put_bytes(&w, c->u3, (size_t) c->n3 * 8);
	if (c->s.degree)
		sa_put_bytes(&w, c->u3_digest, 32);
	*buf = sa_writer_finish(&w, len);
	return *buf ? SA_OK : SA_ERR_NOMEM;
}

sa_status
sa_client_deserialize(const uint8_t *buf, size_t len, sa_client **out)
{
	sa_reader r;
	sa_reader_init(&r, buf, len);
	const uint8_t *magic = sa_get_view(&r, 4);
	uint8_t ver, stage, sid_len, has_x;
	uint32_t t, m, n, k = 0;
	if (magic == NULL || (memcmp(magic, "SAC1", 4) != 0 && memcmp(magic, "SAC2", 4) != 0))
		return SA_ERR_MALFORMED;
	bool graph = magic[3] == '2';
	if (!sa_get_u8(&r, &ver))
		return SA_ERR_MALFORMED;
	if (ver != (graph ? SA_WIRE_VERSION_GRAPH : SA_WIRE_VERSION))
		return SA_ERR_VERSION;
	if (!sa_get_u8(&r, &stage) || stage > SA_CLIENT_STAGE_DONE || !sa_get_u8(&r, &sid_len))
		return SA_ERR_MALFORMED;
	const uint8_t *sid = sa_get_view(&r, sid_len);
	if (sid == NULL || !sa_get_u32(&r, &t) || !sa_get_u32(&r, &m) ||
	    (graph && (!sa_get_u32(&r, &k) || k == 0)) || !sa_get_count(&r, &n, 40))
		return SA_ERR_MALFORMED;
	if (n > (graph ? SA_MAX_USERS_GRAPH : SA_MAX_USERS) || m < 1 || m > SA_MAX_VECTOR_LENGTH)
		return SA_ERR_MALFORMED;
	sa_client *c = sa_alloc_zero(sizeof *c);
	uint64_t *ids = sa_alloc_array(n ? n : 1, 8);
	uint8_t (*pks)[32] = sa_alloc_array(n ? n : 1, 32);
	sa_status st = SA_OK;
	if (c == NULL || ids == NULL || pks == NULL) {
		st = SA_ERR_NOMEM;
		goto fail;
	}
	for (uint32_t i = 0; i < n; i++) {
		sa_get_u64(&r, &ids[i]);
		sa_get_bytes(&r, pks[i], 32);
	}
	uint64_t id;
	uint8_t sign_sk[64];
	if (!sa_get_u64(&r, &id) || !sa_get_bytes(&r, sign_sk, 64)) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	sa_roster ro = { n, ids, (const uint8_t (*)[32]) pks };
	if (sa_roster_check(&ro) != SA_OK) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	st = init_common(c, sid, sid_len, t, m, k, ids, (const uint8_t (*)[32]) pks, n, id, sign_sk);
	sodium_memzero(sign_sk, sizeof sign_sk);
	if (st != SA_OK) {
		if (st != SA_ERR_NOMEM)
			st = SA_ERR_MALFORMED;
		goto fail;
	}
	c->stage = stage;
	if (!sa_get_u8(&r, &has_x) || has_x > 1 || (has_x == 1) != (stage <= 2)) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	if (has_x) {
		const uint8_t *xv = sa_get_view(&r, (size_t) m * 8);
		c->x = xv ? sa_alloc_array(m, 8) : NULL;
		if (xv == NULL || c->x == NULL) {
			st = xv ? SA_ERR_NOMEM : SA_ERR_MALFORMED;
			goto fail;
		}
		for (uint32_t i = 0; i < m; i++)
			c->x[i] = sa_load_u64_le(xv + 8 * (size_t) i);
	}
	sa_get_bytes(&r, c->c_sk, 32);
	sa_get_bytes(&r, c->c_pk, 32);
	sa_get_bytes(&r, c->r_seed, 32);
	sa_get_bytes(&r, c->s_pk, 32);
	sa_get_bytes(&r, c->b, 32);
	sa_get_bytes(&r, c->own_r_share, 32);
	sa_get_bytes(&r, c->own_b_share, 32);
	if (!sa_reader_ok(&r)) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	if (stage >= 1) {
		/* keys must be consistent with their seeds */
		uint8_t pk[32], sk[32];
		crypto_scalarmult_base(pk, c->c_sk);
		bool bad = sodium_memcmp(pk, c->c_pk, 32) != 0;
		sa_mask_keypair(pk, sk, c->r_seed);
		bad |= sodium_memcmp(pk, c->s_pk, 32) != 0;
		sodium_memzero(sk, sizeof sk);
		if (bad || !sa_scalar_is_canonical(c->r_seed)) {
			st = SA_ERR_MALFORMED;
			goto fail;
		}
	}
	if (stage >= 2 && (!sa_scalar_is_canonical(c->b) || !sa_scalar_is_canonical(c->own_r_share) ||
	                   !sa_scalar_is_canonical(c->own_b_share))) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	uint32_t n1, n2, n3;
	if (!sa_get_count(&r, &n1, U1_REC) || n1 > n) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	c->u1 = sa_alloc(u1_bytes(n1) ? u1_bytes(n1) : 1);
	if (c->u1 == NULL) { st = SA_ERR_NOMEM; goto fail; }
	sa_get_bytes(&r, c->u1, u1_bytes(n1));
	c->n1 = n1;
	if (!sa_get_count(&r, &n2, 8) || n2 > n1) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	c->u2 = sa_alloc(n2 ? (size_t) n2 * 8 : 1);
	c->cts = sa_alloc(cts_bytes(n2) ? cts_bytes(n2) : 1);
	if (c->u2 == NULL || c->cts == NULL) { st = SA_ERR_NOMEM; goto fail; }
	c->n2 = n2;
	if (!sa_get_bytes(&r, c->u2, (size_t) n2 * 8) || !sa_get_bytes(&r, c->cts, cts_bytes(n2)) ||
	    !sa_get_count(&r, &n3, 8) || n3 > n2) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	c->u3 = sa_alloc(n3 ? (size_t) n3 * 8 : 1);
	if (c->u3 == NULL) { st = SA_ERR_NOMEM; goto fail; }
	c->n3 = n3;
	if (!sa_get_bytes(&r, c->u3, (size_t) n3 * 8) || (graph && !sa_get_bytes(&r, c->u3_digest, 32)) ||
	    !sa_reader_done(&r)) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	/* Structure by stage. */
	bool ok = (stage >= 2) == (n1 > 0) && (stage >= 3) == (n2 > 0) && (stage >= 4) == (n3 > 0);
	ok = ok && (n1 == 0 || n1 >= t) && (n2 == 0 || n2 >= t) && (n3 == 0 || n3 >= t);
	/* SecAgg+: a neighbourhood holds at most k + 1 users; the U3 digest exists from stage 4 on */
	ok = ok && (!graph || n1 <= k + 1);
	ok = ok && (!graph || (stage >= 4) != sodium_is_zero(c->u3_digest, 32));
	ok = ok && sa_ids_sorted_subset(c->u1, n1, U1_REC, NULL, 0, 0);
	for (uint32_t i = 0; ok && i < n1; i++)
		ok = sa_roster_find(&ro, sa_load_u64_be(c->u1 + (size_t) i * U1_REC)) >= 0;
	ok = ok && sa_ids_sorted_subset(c->u2, n2, 8, c->u1, n1, U1_REC);
	ok = ok && sa_ids_sorted_subset(c->u3, n3, 8, c->u2, n2, 8);
	if (ok && n1 > 0) {
		long p = find_u1(c, c->id);
		ok = p >= 0 && memcmp(c->u1 + (size_t) p * U1_REC + 8, c->c_pk, 32) == 0 &&
		     memcmp(c->u1 + (size_t) p * U1_REC + 40, c->s_pk, 32) == 0;
	}
	if (ok && n2 > 0) {
		ok = sa_find_id(c->u2, n2, 8, c->id) >= 0;
		/* ciphertext senders are U2 \ {self}, in order */
		uint32_t ci = 0;
		for (uint32_t i = 0; ok && i < n2; i++) {
			uint64_t v = sa_load_u64_be(c->u2 + 8 * (size_t) i);
			if (v == c->id)
				continue;
			ok = sa_load_u64_be(c->cts + (size_t) ci * SA_CT_ENTRY_BYTES) == v;
			ci++;
		}
	}
	if (ok && n3 > 0)
		ok = sa_find_id(c->u3, n3, 8, c->id) >= 0;
	if (!ok) {
		st = SA_ERR_MALFORMED;
		goto fail;
	}
	sa_free(ids);
	sa_free(pks);
	*out = c;
	return SA_OK;
fail:
	sa_free(ids);
	sa_free(pks);
	sa_client_free(c);
	return st;
}

sa_status
sa_client_check_recover(const uint8_t *current, size_t current_len,
                        const uint8_t *candidate, size_t candidate_len)
{
	sa_client *a = NULL, *b = NULL;
	sa_status st = sa_client_deserialize(current, current_len, &a);
	if (st != SA_OK)
		return st;
	if ((st = sa_client_deserialize(candidate, candidate_len, &b)) != SA_OK) {
		sa_client_free(a);
		return st;
	}
	if (memcmp(a->s.ctx, b->s.ctx, SA_CTX_BYTES) != 0 || a->id != b->id)
		st = SA_ERR_SESSION;
	else if (b->stage < a->stage)
		st = SA_ERR_ROLLBACK;
	else if (b->stage == a->stage &&
	         (current_len != candidate_len || sodium_memcmp(current, candidate, current_len) != 0))
		st = SA_ERR_ROLLBACK;
	sa_client_free(a);
	sa_client_free(b);
	return st;
}
