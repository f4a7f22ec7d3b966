/*
 * test_secagg_plus.c: SecAgg+ sessions (Harary graph of degree k) through
 * the core: exact sums under dropout patterns chosen on the ring (random, a
 * whole neighbourhood gone, exactly t survivors in a neighbourhood, t - 1),
 * states serialised at every round, the advertisement tree, and the checks
 * of a message that does not fit the graph on either side.
 */
#include "unit.h"
#include "secagg_sim.h"

#include "common/parallel.h"
#include "secagg/merkle.h"
#include "secagg/server_internal.h"

/* Roster index of the user at ring position p, read from the server's image. */
static uint32_t
ring_user(const sim *s, int64_t p)
{
	view v;
	srv_open_view(&v, s->img, s->img_len);
	uint32_t q = (uint32_t) (((p % (int64_t) s->n) + s->n) % s->n);
	return sa_load_u32_le(v.order + 4 * (size_t) q);
}

static uint32_t
ring_pos_of(const sim *s, uint32_t a)
{
	view v;
	srv_open_view(&v, s->img, s->img_len);
	return sa_load_u32_le(v.pos + 4 * (size_t) a);
}

/* Users at ring offsets from..to (from user 0's position) drop: drop_after = after. */
typedef struct range {
	int64_t from, to;
	int after;
} range;

typedef struct plan {
	range r[3];
	int nr;
	int64_t skip;              /* an offset left alone (99: none) */
} plan;

/* After round 0 closes (the ring exists): apply the plan. */
static void
drop_on_ring(sim *s, int round, int *drop_after, void *arg)
{
	const plan *p = arg;
	if (round != 0)
		return;
	int64_t base = ring_pos_of(s, 0);
	for (int i = 0; i < p->nr; i++)
		for (int64_t o = p->r[i].from; o <= p->r[i].to; o++)
			if (o != p->skip)
				drop_after[ring_user(s, base + o)] = p->r[i].after;
}

/* A SecAgg+ session; *sum_ok compares with the sum of the users that sent round 2. */
static sa_status
plus_session(uint32_t n, uint32_t k, uint32_t t, uint32_t m, int *drop_after, plan *p, int roundtrip,
             int *failed_round, int *sum_ok, uint64_t *blame)
{
	sim s;
	sim_init(&s, n, t, m, 11);
	s.degree = k;
	s.roundtrip_states = roundtrip;
	if (p != NULL) {
		s.after_round = drop_on_ring;
		s.hook_arg = p;
	}
	uint64_t seed = n * 31ull + k * 7ull + t;
	uint64_t *x = calloc((size_t) n * m, 8), *expect = calloc(m, 8), *got = calloc(m, 8);
	for (size_t i = 0; i < (size_t) n * m; i++)
		x[i] = sim_splitmix(&seed);
	*failed_round = -1;
	sa_status st = sim_run(&s, x, drop_after, got, failed_round);
	for (uint32_t u = 0; u < n; u++)
		if (drop_after[u] > 2)
			for (uint32_t j = 0; j < m; j++)
				expect[j] += x[(size_t) u * m + j];
	*sum_ok = st == SA_OK && memcmp(expect, got, (size_t) m * 8) == 0;
	*blame = s.blame;
	free(x); free(expect); free(got);
	sim_free(&s);
	return st;
}

static int *
all_stay(uint32_t n)
{
	int *d = malloc(sizeof(int) * n);
	for (uint32_t i = 0; i < n; i++)
		d[i] = 5;
	return d;
}

static void
test_graph_rules(void)
{
	UNIT_CHECK_EQ_U64(sa_check_graph(3, 20, 6), SA_OK);
	UNIT_CHECK_EQ_U64(sa_check_graph(7, 20, 6), SA_OK);          /* t = k + 1 */
	UNIT_CHECK_EQ_U64(sa_check_graph(8, 20, 6), SA_ERR_PARAM);   /* t > k + 1 */
	UNIT_CHECK_EQ_U64(sa_check_graph(1, 20, 6), SA_ERR_PARAM);
	UNIT_CHECK_EQ_U64(sa_check_graph(3, 20, 5), SA_ERR_PARAM);   /* odd k */
	UNIT_CHECK_EQ_U64(sa_check_graph(3, 20, 18), SA_OK);         /* k = n - 2 */
	UNIT_CHECK_EQ_U64(sa_check_graph(3, 20, 20), SA_ERR_PARAM);
	UNIT_CHECK_EQ_U64(sa_check_graph(2, 3, 2), SA_ERR_PARAM);    /* n < 4 */
	UNIT_CHECK_EQ_U64(sa_check_graph(3, SA_MAX_USERS_GRAPH + 1, 6), SA_ERR_PARAM);
}

static void
test_merkle(void)
{
	uint8_t leaves[40][32], path[SA_MERKLE_MAX_DEPTH][32], pk[32] = { 9 };
	for (uint32_t i = 0; i < 40; i++)
		sa_merkle_leaf(leaves[i], 1000 + i, pk, pk);
	for (uint32_t n = 1; n <= 40; n++) {
		sa_merkle_tree t;
		UNIT_CHECK_EQ_U64(sa_merkle_build(&t, (const uint8_t (*)[32]) leaves, n), SA_OK);
		const uint8_t *root = sa_merkle_root(&t);
		for (uint32_t i = 0; i < n; i++) {
			uint32_t len = sa_merkle_path(&t, i, path);
			UNIT_CHECK_EQ_U64(len, sa_merkle_path_length(i, n));
			UNIT_CHECK(sa_merkle_verify(root, i, n, leaves[i], (const uint8_t (*)[32]) path, len));
			/* another index, a shorter path, a changed sibling: refused (the size is
			   bound by the ring seed, which hashes n1 with the root) */
			UNIT_CHECK(!sa_merkle_verify(root, (i + 1) % n, n, leaves[i], (const uint8_t (*)[32]) path, len) || n == 1);
			if (len > 0) {
				UNIT_CHECK(!sa_merkle_verify(root, i, n, leaves[i], (const uint8_t (*)[32]) path, len - 1));
				path[len - 1][0] ^= 1;
				UNIT_CHECK(!sa_merkle_verify(root, i, n, leaves[i], (const uint8_t (*)[32]) path, len));
			}
		}
		sa_merkle_free(&t);
	}
	/* n = 3 is RFC 9162's shape: root = node(node(l0, l1), l2) */
	uint8_t a[65], b[65], h01[32], root3[32];
	a[0] = 1; memcpy(a + 1, leaves[0], 32); memcpy(a + 33, leaves[1], 32);
	crypto_generichash(h01, 32, a, 65, NULL, 0);
	b[0] = 1; memcpy(b + 1, h01, 32); memcpy(b + 33, leaves[2], 32);
	crypto_generichash(root3, 32, b, 65, NULL, 0);
	sa_merkle_tree t3;
	sa_merkle_build(&t3, (const uint8_t (*)[32]) leaves, 3);
	UNIT_CHECK_MEM(sa_merkle_root(&t3), root3, 32);
	sa_merkle_free(&t3);
}

static void
test_plus_no_dropouts(void)
{
	int *d = all_stay(20), fr, ok;
	uint64_t blame;
	UNIT_CHECK_EQ_U64(plus_session(20, 6, 4, 17, d, NULL, 0, &fr, &ok, &blame), SA_OK);
	UNIT_CHECK(ok);
	free(d);
}

static void
test_plus_random_dropouts(void)
{
	/* n = 60, k = 12, t = 5: about 12 % of the users drop, spread over the rounds */
	for (uint64_t pattern = 1; pattern <= 4; pattern++) {
		int *d = all_stay(60), fr, ok;
		uint64_t r = pattern * 977, blame;
		for (uint32_t u = 0; u < 60; u++)
			if (sim_splitmix(&r) % 100 < 12)
				d[u] = (int) (sim_splitmix(&r) % 5);
		sa_status st = plus_session(60, 12, 5, 9, d, NULL, 0, &fr, &ok, &blame);
		UNIT_CHECK_EQ_U64(st, SA_OK);
		UNIT_CHECK(ok);
		free(d);
	}
}

static void
test_plus_whole_neighbourhood_gone(void)
{
	/* k = 8: the 9 users at ring offsets -4..4 (user 0's whole neighbourhood) go
	   silent after AdvertiseKeys: no one masked with them, the sum is the others' */
	int *d = all_stay(30), fr, ok;
	uint64_t blame = 0;
	plan p = { { { -4, 4, 1 } }, 1, 99 };
	UNIT_CHECK_EQ_U64(plus_session(30, 8, 3, 12, d, &p, 0, &fr, &ok, &blame), SA_OK);
	UNIT_CHECK(ok);
	/* the same after ShareKeys: the edge of the gap keeps survivors it masked with but
	   fewer than t share holders; the session fails naming a user, never a wrong sum */
	free(d);
	d = all_stay(30);
	plan q = { { { -3, 3, 2 } }, 1, 99 };
	UNIT_CHECK_EQ_U64(plus_session(30, 6, 3, 12, d, &q, 0, &fr, &ok, &blame), SA_ERR_NEIGHBOURHOOD);
	UNIT_CHECK_EQ_U64(fr, 2);
	UNIT_CHECK(blame != 0);
	free(d);
}

static void
test_plus_dropped_users_nobody_masked_with(void)
{
	/* k = 4, t = 2: user 0 and its neighbours (offsets -2..2) drop after ShareKeys and
	   the users at offsets -4, -3, 3, 4 after AdvertiseKeys: none of the five has a
	   neighbour in U3, so no secret of theirs is needed, and the sum is exact */
	int *d = all_stay(30), fr, ok;
	uint64_t blame;
	plan p = { { { -2, 2, 2 }, { -4, -3, 1 }, { 3, 4, 1 } }, 3, 99 };
	UNIT_CHECK_EQ_U64(plus_session(30, 4, 2, 8, d, &p, 0, &fr, &ok, &blame), SA_OK);
	UNIT_CHECK(ok);
	free(d);
}

static void
test_plus_exactly_t_in_a_neighbourhood(void)
{
	/* k = 6, t = 4: user 0's neighbours at offsets 1..3 drop after round 2;
	   N[user 0] keeps exactly 4 users in U4 */
	int *d = all_stay(30), fr, ok;
	uint64_t blame;
	plan p = { { { 1, 3, 3 } }, 1, 99 };
	UNIT_CHECK_EQ_U64(plus_session(30, 6, 4, 12, d, &p, 0, &fr, &ok, &blame), SA_OK);
	UNIT_CHECK(ok);
	free(d);
}

static void
test_plus_t_minus_one_fails_naming_the_user(void)
{
	/* offsets -1..3 but 0 (4 neighbours) drop after round 2: N[user 0] keeps 3 < t = 4 */
	int *d = all_stay(30), fr, ok;
	uint64_t blame = 0;
	plan p = { { { -1, 3, 3 } }, 1, 0 };
	UNIT_CHECK_EQ_U64(plus_session(30, 6, 4, 12, d, &p, 0, &fr, &ok, &blame), SA_ERR_NEIGHBOURHOOD);
	UNIT_CHECK_EQ_U64(fr, 3);         /* ConsistencyCheck closes without enough of them */
	UNIT_CHECK(blame != 0);
	free(d);
}

static void
test_plus_states_roundtrip_every_round(void)
{
	int *d = all_stay(16), fr, ok;
	uint64_t blame;
	d[3] = 2;
	d[7] = 4;
	UNIT_CHECK_EQ_U64(plus_session(16, 4, 3, 10, d, NULL, 1, &fr, &ok, &blame), SA_OK);
	UNIT_CHECK(ok);
	free(d);
}

/* What a tampering test does to user 0's messages, and what it saw. */
typedef struct tampering {
	int round;                 /* the round whose message (or inbox) is changed */
	int what;
	sa_status seen;            /* a status observed inside a hook */
} tampering;

enum { T_SHARE_VALUE, T_SHARE_ID, T_SHARE_KIND, T_BITMAP_ONLY_SELF, T_BITMAP_T_MINUS_1, T_BITMAP_NO_SELF,
       T_BITMAP_STRAY, T_DIGEST };

/* Round 4, user 0's message: entry 0 is id u64 | kind u8 | share (at 42 + 4). */
static void
tamper_message(sim *s, int round, uint32_t user, uint8_t *msg, size_t len, void *arg)
{
	tampering *t = arg;
	if (round != t->round || user != 0)
		return;
	uint8_t *e = msg + SA_C2S_HEADER_BYTES + 4;
	if (t->what == T_SHARE_VALUE) {
		memset(e + 9, 0, 32);
		e[9] = 5;                       /* canonical, but not the share */
	} else if (t->what == T_SHARE_ID) {
		sa_store_u64_be(e, sa_load_u64_be(e) + 1);
	} else if (t->what == T_SHARE_KIND) {
		e[8] ^= 3;                      /* 1 <-> 2 */
	}
	(void) s; (void) len;
}

/* After round 2 closes: user 0's copy of the U3 bitmap, or the server image. */
static void
tamper_round3(sim *s, int round, int *drop_after, void *arg)
{
	tampering *t = arg;
	if (round != 2)
		return;
	uint8_t *bm = s->inbox[0] + SA_S2C_HEADER_BYTES + 4;
	size_t bl = ((size_t) s->n + 7) / 8;
	if (t->what == T_BITMAP_ONLY_SELF || t->what == T_BITMAP_T_MINUS_1) {
		memset(bm, 0, bl);
		bm[0] = 1;                      /* user 0 is roster index 0 */
		if (t->what == T_BITMAP_T_MINUS_1) {   /* and one neighbour: t - 1 = 2 users */
			uint32_t w = ring_user(s, ring_pos_of(s, 0) + 1);
			bm[w / 8] |= (uint8_t) (1u << (w % 8));
		}
	} else if (t->what == T_BITMAP_NO_SELF) {
		bm[0] &= (uint8_t) ~1u;
	} else if (t->what == T_BITMAP_STRAY) {
		bm[bl - 1] |= 0x80;             /* n = 30: bit 31 is past the roster */
	} else if (t->what == T_DIGEST) {
		view v;
		srv_open_view(&v, s->img, s->img_len);
		uint8_t *copy = malloc(s->img_len);
		memcpy(copy, s->img, s->img_len);
		copy[v.u3_digest - s->img] ^= 1;
		t->seen = sa_server_validate(copy, s->img_len);
		free(copy);
	}
	(void) drop_after;
}

static sa_status
tampered_session(tampering *t, int *failed_round, int *sum_ok)
{
	sim s;
	sim_init(&s, 30, 3, 5, 11);
	s.degree = 6;
	s.hook_arg = t;
	s.tamper = tamper_message;
	s.after_round = tamper_round3;
	int *d = all_stay(30);
	uint64_t seed = 42, *x = calloc(30 * 5, 8), expect[5] = { 0 }, got[5];
	for (size_t i = 0; i < 30 * 5; i++)
		x[i] = sim_splitmix(&seed);
	for (size_t i = 0; i < 30 * 5; i++)
		expect[i % 5] += x[i];
	*failed_round = -1;
	sa_status st = sim_run(&s, x, d, got, failed_round);
	*sum_ok = st == SA_OK && memcmp(expect, got, sizeof got) == 0;
	free(d);
	free(x);
	sim_free(&s);
	return st;
}

static void
test_plus_tampered_unmasking(void)
{
	int fr, ok;
	/* one wrong share: its holder is found and left out, the sum is exact */
	tampering a = { 4, T_SHARE_VALUE, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&a, &fr, &ok), SA_OK);
	UNIT_CHECK(ok);
	/* a share for a user outside the sender's neighbourhood, or of the wrong kind */
	tampering b = { 4, T_SHARE_ID, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&b, &fr, &ok), SA_ERR_GRAPH);
	UNIT_CHECK_EQ_U64(fr, 204);
	tampering c = { 4, T_SHARE_KIND, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&c, &fr, &ok), SA_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(fr, 204);
}

static void
test_plus_tampered_u3(void)
{
	int fr, ok;
	/* the client: a U3 leaving its neighbourhood fewer than t users, without itself, past n */
	tampering a = { -1, T_BITMAP_ONLY_SELF, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&a, &fr, &ok), SA_ERR_NEIGHBOURHOOD);
	UNIT_CHECK_EQ_U64(fr, 103);
	tampering a2 = { -1, T_BITMAP_T_MINUS_1, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&a2, &fr, &ok), SA_ERR_NEIGHBOURHOOD);
	UNIT_CHECK_EQ_U64(fr, 103);
	tampering b = { -1, T_BITMAP_NO_SELF, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&b, &fr, &ok), SA_ERR_UNKNOWN_USER);
	UNIT_CHECK_EQ_U64(fr, 103);
	tampering c = { -1, T_BITMAP_STRAY, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&c, &fr, &ok), SA_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(fr, 103);
	/* the server: an image whose U3 digest is not U3's */
	tampering d = { -1, T_DIGEST, SA_OK };
	UNIT_CHECK_EQ_U64(tampered_session(&d, &fr, &ok), SA_OK);
	UNIT_CHECK_EQ_U64(d.seen, SA_ERR_MALFORMED);
}

/*
 * Round 0 with user 1 advertising user 0's keys (signed with its own key, as
 * a corrupt user can). On the complete graph sa_server_recv refuses it when
 * it meets user 0's message, so the two are collected in two partial images
 * and merged, as parallel aggregation does; a SecAgg+ server takes both. The
 * close finds the repeated key: strict, it fails naming user 0; otherwise
 * both users are left out and listed as rejected with SA_ERR_KEYS.
 */
static void
repeated_key_at_close(uint32_t degree)
{
	sim s;
	sim_init(&s, 10, degree ? 3 : 6, 2, 11);
	sa_roster r = sim_roster(&s);
	static const uint8_t sid[] = "repeated-key";
	uint64_t x[2] = { 1, 2 };
	UNIT_CHECK_EQ_U64(sa_server_create_graph(sid, sizeof sid - 1, s.t, 2, degree, &r, &s.img, &s.img_len), SA_OK);
	s.img_cap = s.img_len;
	uint8_t *r0, *msg[10];
	size_t r0_len, msg_len[10];
	sa_server_round0_msg(s.img, s.img_len, &r0, &r0_len);
	for (uint32_t i = 0; i < 10; i++) {
		UNIT_CHECK_EQ_U64(sa_client_create_graph(sid, sizeof sid - 1, s.t, degree, &r, s.ids[i], s.sks[i], x, 2,
		                                         &s.clients[i]), SA_OK);
		UNIT_CHECK_EQ_U64(sa_client_round(s.clients[i], r0, r0_len, &msg[i], &msg_len[i]), SA_OK);
	}
	/* user 1 advertises user 0's keys */
	uint8_t *p1 = msg[1] + SA_C2S_HEADER_BYTES, signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	memcpy(p1, msg[0] + SA_C2S_HEADER_BYTES, 64);
	sa_advertise_signed(signed_msg, msg[1] + 2, s.ids[1], p1, p1 + 32);
	crypto_sign_detached(p1 + 64, NULL, signed_msg, sizeof signed_msg, s.sks[1]);
	/* image a: everyone but user 1; image b: user 1 alone */
	size_t cap_b = s.img_len * 4 + 4096, len_b = s.img_len, need;
	uint8_t *b = malloc(cap_b);
	memcpy(b, s.img, s.img_len);
	for (uint32_t i = 0; i < 10; i++)
		if (i != 1)
			UNIT_CHECK_EQ_U64(sim_recv(&s, s.ids[i], msg[i], msg_len[i]), SA_OK);
	UNIT_CHECK_EQ_U64(sa_server_recv(b, &len_b, cap_b, s.ids[1], msg[1], msg_len[1], &need), SA_OK);
	uint8_t *merged, *out;
	size_t merged_len, out_len;
	if (degree) {       /* SecAgg+: one image takes both (the check is the close's) */
		UNIT_CHECK_EQ_U64(sim_recv(&s, s.ids[1], msg[1], msg_len[1]), SA_OK);
		merged_len = s.img_len;
		merged = sa_alloc(merged_len);
		memcpy(merged, s.img, merged_len);
	} else {
		UNIT_CHECK_EQ_U64(sa_server_merge(s.img, s.img_len, b, len_b, &merged, &merged_len), SA_OK);
	}
	UNIT_CHECK_EQ_U64(sa_server_validate(merged, merged_len), SA_OK);
	uint64_t failed = 0;
	sa_round_opts strict = { 1, NULL, 0, true, 0, &failed };
	UNIT_CHECK_EQ_U64(sa_server_close(merged, merged_len, &strict, &out, &out_len), SA_ERR_KEYS);
	UNIT_CHECK_EQ_U64(failed, s.ids[0]);
	sa_round_opts lenient = { 1, NULL, 0, false, 0, NULL };
	UNIT_CHECK_EQ_U64(sa_server_close(merged, merged_len, &lenient, &out, &out_len), SA_OK);
	sa_output_view ov;
	UNIT_CHECK_EQ_U64(sa_output_open(out, out_len, &ov), SA_OK);
	UNIT_CHECK_EQ_U64(ov.rejected_count, 2);
	uint64_t id;
	uint8_t round;
	sa_status why;
	sa_output_rejection_at(&ov, 0, &id, &round, &why);
	UNIT_CHECK(id == s.ids[0] && round == 0 && why == SA_ERR_KEYS);
	sa_output_rejection_at(&ov, 1, &id, &round, &why);
	UNIT_CHECK(id == s.ids[1] && round == 0 && why == SA_ERR_KEYS);
	sa_server_info info;
	UNIT_CHECK_EQ_U64(sa_server_info_get(ov.state, ov.state_len, &info), SA_OK);
	UNIT_CHECK_EQ_U64(info.u1, 8);
	UNIT_CHECK_EQ_U64(sa_server_validate(ov.state, ov.state_len), SA_OK);
	sa_free(out);
	sa_free(merged);
	sa_free(r0);
	for (uint32_t i = 0; i < 10; i++)
		sa_free(msg[i]);
	free(b);
	sim_free(&s);
}

static void
test_repeated_key_found_at_close(void)
{
	repeated_key_at_close(0);
	repeated_key_at_close(4);
}

/* Runs a SecAgg+ session up to the messages of round 1 (after round 0 closes). */
static void
start_session(sim *s, uint32_t n, uint32_t k, uint32_t t)
{
	sim_init(s, n, t, 4, 11);
	s->degree = k;
	int *d = all_stay(n);
	uint64_t *x = calloc((size_t) n * 4, 8), sum[4];
	int fr;
	/* drop everyone after round 0 so that sim_run stops when round 1 cannot close */
	for (uint32_t i = 0; i < n; i++)
		d[i] = 1;
	sim_run(s, x, d, sum, &fr);
	free(d);
	free(x);
}

static void
test_plus_client_refuses_what_does_not_fit(void)
{
	sim s;
	start_session(&s, 20, 4, 3);
	sa_roster r = sim_roster(&s);
	/* a non-neighbour of user 0 (its own round-1 message carries its signed advertisement) */
	uint32_t a = 0, x = ring_user(&s, ring_pos_of(&s, 0) + 10);
	const uint8_t *m = s.inbox[a];
	size_t len = s.inbox_len[a], prefix = SA_S2C_HEADER_BYTES + 4 + 32 + 4;
	uint8_t plen = m[prefix];
	size_t list_at = prefix + 1 + (size_t) plen * 32;
	uint32_t cnt = sa_load_u32_be(m + list_at);
	/* the X entry: in X's own message, find the entry with X's id */
	const uint8_t *mx = s.inbox[x];
	size_t lx = SA_S2C_HEADER_BYTES + 4 + 32 + 4 + 1 + (size_t) mx[SA_S2C_HEADER_BYTES + 40] * 32;
	const uint8_t *ex = NULL;
	for (uint32_t i = 0; i < sa_load_u32_be(mx + lx); i++)
		if (sa_load_u64_be(mx + lx + 4 + (size_t) i * KEYLIST_REC) == s.ids[x])
			ex = mx + lx + 4 + (size_t) i * KEYLIST_REC;
	UNIT_CHECK(ex != NULL);
	/* insert it in id order */
	uint8_t *t = malloc(len + KEYLIST_REC);
	size_t w = list_at + 4;
	memcpy(t, m, w);
	sa_store_u32_be(t + list_at, cnt + 1);
	bool placed = false;
	for (uint32_t i = 0; i < cnt; i++) {
		const uint8_t *e = m + list_at + 4 + (size_t) i * KEYLIST_REC;
		if (!placed && sa_load_u64_be(e) > s.ids[x]) {
			memcpy(t + w, ex, KEYLIST_REC);
			w += KEYLIST_REC;
			placed = true;
		}
		memcpy(t + w, e, KEYLIST_REC);
		w += KEYLIST_REC;
	}
	if (!placed) {
		memcpy(t + w, ex, KEYLIST_REC);
		w += KEYLIST_REC;
	}
	uint8_t *out;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[a], t, w, &out, &out_len), SA_ERR_GRAPH);
	/* a changed path, or another root: the client's advertisement is not under it */
	memcpy(t, m, len);
	if (plen > 0) {
		t[prefix + 1] ^= 0x40;
		UNIT_CHECK_EQ_U64(sa_client_round(s.clients[a], t, len, &out, &out_len), SA_ERR_GRAPH);
		memcpy(t, m, len);
	}
	t[SA_S2C_HEADER_BYTES + 4] ^= 1;
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[a], t, len, &out, &out_len), SA_ERR_GRAPH);
	/* untouched, it is answered; a share for a non-neighbour is refused by the server */
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[a], m, len, &out, &out_len), SA_OK);
	uint8_t *bad = malloc(out_len);
	memcpy(bad, out, out_len);
	sa_store_u64_be(bad + SA_C2S_HEADER_BYTES + SA_COMMIT_BYTES + 4, s.ids[x]);
	size_t need;
	size_t img_len = s.img_len;
	UNIT_CHECK_EQ_U64(sa_server_recv(s.img, &img_len, s.img_cap, s.ids[a], bad, out_len, &need), SA_ERR_GRAPH);
	UNIT_CHECK_EQ_U64(sim_recv(&s, s.ids[a], out, out_len), SA_OK);
	UNIT_CHECK_EQ_U64(sa_server_validate(s.img, s.img_len), SA_OK);
	(void) r;
	free(bad);
	free(t);
	sa_free(out);
	sim_free(&s);
}

static void
test_plus_image_validation(void)
{
	sim s;
	start_session(&s, 20, 4, 3);
	UNIT_CHECK_EQ_U64(sa_server_validate(s.img, s.img_len), SA_OK);
	view v;
	srv_open_view(&v, s.img, s.img_len);
	uint8_t *t = malloc(s.img_len);
	/* two ring positions swapped, the root changed, the seed changed: all refused */
	size_t order_at = (size_t) (v.order - s.img), root_at = (size_t) (v.root - s.img);
	memcpy(t, s.img, s.img_len);
	uint8_t tmp[4];
	memcpy(tmp, t + order_at, 4); memcpy(t + order_at, t + order_at + 4, 4); memcpy(t + order_at + 4, tmp, 4);
	UNIT_CHECK_EQ_U64(sa_server_validate(t, s.img_len), SA_ERR_MALFORMED);
	memcpy(t, s.img, s.img_len);
	t[root_at] ^= 1;
	UNIT_CHECK_EQ_U64(sa_server_validate(t, s.img_len), SA_ERR_MALFORMED);
	memcpy(t, s.img, s.img_len);
	t[root_at + 32] ^= 1;
	UNIT_CHECK_EQ_U64(sa_server_validate(t, s.img_len), SA_ERR_MALFORMED);
	free(t);
	sim_free(&s);
}

/* Output blob header: magic, kind, state length (no rejections here). */
#define OUT_HDR (4 + 1 + 8)

/* Opens a NEIGHBOURHOOD output and walks it with a cursor: the first failure. */
static sa_status
walk_output(const uint8_t *out, size_t len, uint32_t *count)
{
	sa_output_view ov;
	sa_output_cursor *c;
	sa_status st = sa_output_open(out, len, &ov);
	if (st != SA_OK || (st = sa_output_cursor_open(&ov, &c)) != SA_OK)
		return st;
	uint64_t id;
	const uint8_t *m;
	size_t ml;
	bool end = false;
	*count = 0;
	while ((st = sa_output_cursor_next(c, &id, &m, &ml, &end)) == SA_OK && !end)
		(*count)++;
	sa_output_cursor_free(c);
	return st;
}

/*
 * Rounds 0 and 3 of a SecAgg+ session store their list once (one signature
 * per user) and derive each user's message; a list that does not fit its
 * state, or a state that does not validate, is refused.
 */
static void
test_plus_outputs_hold_lists_once(void)
{
	uint32_t n = 40, m = 3;
	sim s;
	sim_init(&s, n, 4, m, 7);
	s.degree = 6;
	s.keep_outputs = 1;
	int *d = all_stay(n);
	d[5] = 3;                              /* leaves before ConsistencyCheck: U4 has n - 1 */
	uint64_t *x = calloc((size_t) n * m, 8), sum[3], want[3] = { 0, 0, 0 };
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < m; j++)
			want[j] += x[(size_t) i * m + j] = 1000 * i + j;
	int fr = -1;
	UNIT_CHECK_EQ_U64(sim_run(&s, x, d, sum, &fr), SA_OK);
	for (uint32_t j = 0; j < m; j++)
		UNIT_CHECK_EQ_U64(sum[j], want[j]);
	uint32_t sets[2] = { n, n - 1 };
	for (int i = 0; i < 2; i++) {
		int round = i == 0 ? 0 : 3;
		const uint8_t *out = s.outputs[round];
		size_t len = s.output_len[round];
		sa_output_view ov;
		UNIT_CHECK_EQ_U64(sa_output_open(out, len, &ov), SA_OK);
		UNIT_CHECK_EQ_U64(ov.kind, SA_OUTPUT_NEIGHBOURHOOD);
		UNIT_CHECK_EQ_U64(ov.count, sets[i]);
		UNIT_CHECK_EQ_U64(len, OUT_HDR + ov.state_len + 4 + (size_t) sets[i] * SA_SIG_BYTES);
		uint32_t walked = 0;
		UNIT_CHECK_EQ_U64(walk_output(out, len, &walked), SA_OK);
		UNIT_CHECK_EQ_U64(walked, sets[i]);
		size_t p = 0;
		UNIT_CHECK(!sa_output_next_message(&ov, &p, &(uint64_t){ 0 }, &(const uint8_t *){ NULL },
		                                   &(size_t){ 0 }));
		/* one byte short, one byte more, a count for a set of another size: refused */
		uint8_t *t = malloc(len + 1);
		memcpy(t, out, len);
		UNIT_CHECK_EQ_U64(sa_output_open(t, len - 1, &ov), SA_ERR_MALFORMED);
		t[len] = 0;
		UNIT_CHECK_EQ_U64(sa_output_open(t, len + 1, &ov), SA_ERR_MALFORMED);
		size_t count_at = len - 4 - (size_t) sets[i] * SA_SIG_BYTES;
		sa_store_u32_be(t + count_at, sets[i] - 1);
		UNIT_CHECK_EQ_U64(sa_output_open(t, len - SA_SIG_BYTES, &ov), SA_ERR_MALFORMED);
		/* a state whose ring was changed opens, but no cursor derives from it */
		memcpy(t, out, len);
		view v;
		UNIT_CHECK_EQ_U64(srv_open_view(&v, out + OUT_HDR, len - OUT_HDR), SA_OK);
		size_t order_at = (size_t) (v.order - out);
		uint8_t tmp[4];
		memcpy(tmp, t + order_at, 4); memcpy(t + order_at, t + order_at + 4, 4); memcpy(t + order_at + 4, tmp, 4);
		uint32_t c = 0;
		UNIT_CHECK_EQ_U64(walk_output(t, len, &c), SA_ERR_MALFORMED);
		free(t);
	}
	free(d);
	free(x);
	sim_free(&s);
}

static sa_status
count_route(void *arg, uint64_t recipient, const uint8_t route[SA_ROUTE_BYTES])
{
	(void) recipient; (void) route;
	(*(uint32_t *) arg)++;
	return SA_OK;
}

/*
 * Round 1 of a SecAgg+ session: the output lists U2 with digests (no
 * ciphertexts); a message splits into routes only if it is the one the
 * round accepted, and only to members of U2; a recipient's message is the
 * same whatever the order of its routes, and refuses repeated senders and
 * routes of another session.
 */
static void
test_plus_share_keys_routed(void)
{
	uint32_t n = 30, m = 2;
	sim s;
	sim_init(&s, n, 3, m, 5);
	s.degree = 4;
	s.keep_outputs = 1;
	int *d = all_stay(n);
	d[7] = 1;                              /* advertises, then leaves: in U1, not in U2 */
	uint64_t *x = calloc((size_t) n * m, 8), sum[2];
	for (size_t i = 0; i < (size_t) n * m; i++)
		x[i] = i;
	int fr = -1;
	/* run to the end of round 1 only: everyone leaves after ShareKeys */
	int *d1 = all_stay(n);
	for (uint32_t i = 0; i < n; i++)
		d1[i] = i == 7 ? 1 : 2;
	sim_run(&s, x, d1, sum, &fr);
	UNIT_CHECK_EQ_U64(fr, 2);              /* round 2 cannot close: nobody sends */
	const uint8_t *out = s.outputs[1];
	size_t len = s.output_len[1];
	sa_output_view ov;
	UNIT_CHECK_EQ_U64(sa_output_open(out, len, &ov), SA_OK);
	UNIT_CHECK_EQ_U64(ov.kind, SA_OUTPUT_ROUTES);
	UNIT_CHECK_EQ_U64(ov.count, n - 1);
	UNIT_CHECK_EQ_U64(len, OUT_HDR + ov.state_len + 4 + (size_t) (n - 1) * (8 + SA_ROUTE_DIGEST_BYTES));
	sa_output_cursor *c;
	uint64_t rid;
	const uint8_t *rm;
	size_t rml;
	bool end;
	UNIT_CHECK_EQ_U64(sa_output_cursor_open(&ov, &c), SA_OK);
	UNIT_CHECK_EQ_U64(sa_output_cursor_next(c, &rid, &rm, &rml, &end), SA_ERR_WRONG_ROUND);
	UNIT_CHECK_EQ_U64(sa_output_cursor_next(c, &rid, NULL, NULL, &end), SA_OK);
	UNIT_CHECK(!end && rid == s.ids[0]);
	sa_output_cursor_free(c);
	sa_routes rv;
	UNIT_CHECK_EQ_U64(sa_routes_open(out, len, &rv), SA_OK);
	UNIT_CHECK_EQ_U64(sa_routes_open(s.outputs[0], s.output_len[0], &rv), SA_ERR_WRONG_ROUND);
	UNIT_CHECK_EQ_U64(sa_routes_open(out, len - 1, &rv), SA_ERR_MALFORMED);
	uint8_t *longer = malloc(len + 1);
	memcpy(longer, out, len);
	longer[len] = 0;
	UNIT_CHECK_EQ_U64(sa_routes_open(longer, len + 1, &rv), SA_ERR_MALFORMED);
	free(longer);
	UNIT_CHECK_EQ_U64(sa_routes_open(out, len, &rv), SA_OK);
	/* user 0's message: routes to its neighbours in U2 only (user 7 left) */
	uint32_t a = 6, routes = 0;                    /* a user next to 7 on no particular side */
	for (a = 0; a < n; a++) {
		bool next_to_7 = false;
		for (int64_t dd = -2; dd <= 2; dd++)
			next_to_7 |= ring_user(&s, ring_pos_of(&s, a) + dd) == 7 && a != 7;
		if (next_to_7)
			break;
	}
	UNIT_CHECK(a < n);
	UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[a], s.sent1[a], s.sent1_len[a], count_route, &routes), SA_OK);
	UNIT_CHECK_EQ_U64(routes, s.degree - 1);
	/* user 7 sent nothing in round 1: the round accepted no message of it */
	UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[7], s.sent1[a], s.sent1_len[a], count_route, &routes),
	                  SA_ERR_UNKNOWN_USER);
	/* a changed ciphertext, another sender's message, another round's type: refused */
	uint8_t *t = malloc(s.sent1_len[a]);
	memcpy(t, s.sent1[a], s.sent1_len[a]);
	t[s.sent1_len[a] - 1] ^= 1;
	UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[a], t, s.sent1_len[a], count_route, &routes), SA_ERR_DUPLICATE);
	UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[a + 1], s.sent1[a], s.sent1_len[a], count_route, &routes),
	                  SA_ERR_UNKNOWN_USER);
	memcpy(t, s.sent1[a], s.sent1_len[a]);
	t[1] = SA_MSG_C2S(2);
	UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[a], t, s.sent1_len[a], count_route, &routes), SA_ERR_WRONG_ROUND);
	memcpy(t, s.sent1[a], s.sent1_len[a]);
	t[5] ^= 1;
	UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[a], t, s.sent1_len[a], count_route, &routes), SA_ERR_SESSION);
	free(t);
	/* a recipient's message: its routes in any order give the same bytes */
	uint32_t b = (a + 1) % n == 7 ? (a + 2) % n : (a + 1) % n;
	sim_routes R = { calloc(n, sizeof(uint8_t *)), calloc(n, sizeof(size_t)), calloc(n, sizeof(size_t)),
	                 sim_roster(&s), SA_ROUTE_BYTES };
	for (uint32_t i = 0; i < n; i++)
		if (s.sent1[i] != NULL)
			UNIT_CHECK_EQ_U64(sa_routes_split(&rv, s.ids[i], s.sent1[i], s.sent1_len[i], sim_route_emit, &R), SA_OK);
	size_t cnt = R.count[b];
	UNIT_CHECK(cnt >= 2);
	uint8_t *msg1, *msg2, *rev = malloc(cnt * SA_ROUTE_BYTES);
	size_t l1, l2;
	for (size_t i = 0; i < cnt; i++)
		memcpy(rev + i * SA_ROUTE_BYTES, R.buf[b] + (cnt - 1 - i) * SA_ROUTE_BYTES, SA_ROUTE_BYTES);
	UNIT_CHECK_EQ_U64(sa_share_message(R.buf[b], cnt, &msg1, &l1), SA_OK);
	UNIT_CHECK_EQ_U64(sa_share_message(rev, cnt, &msg2, &l2), SA_OK);
	UNIT_CHECK(l1 == l2 && memcmp(msg1, msg2, l1) == 0 && l1 == s.inbox_len[b] && memcmp(msg1, s.inbox[b], l1) == 0);
	UNIT_CHECK_EQ_U64(l1, SA_S2C_HEADER_BYTES + 4 + cnt * SA_CT_ENTRY_BYTES);
	sa_free(msg2);
	memcpy(rev + SA_ROUTE_BYTES, rev, SA_ROUTE_BYTES);                /* a sender twice */
	UNIT_CHECK_EQ_U64(sa_share_message(rev, cnt, &msg2, &l2), SA_ERR_DUPLICATE);
	memcpy(rev, R.buf[b], cnt * SA_ROUTE_BYTES);
	rev[SA_ROUTE_BYTES + 3] ^= 1;                                     /* another session's context */
	UNIT_CHECK_EQ_U64(sa_share_message(rev, cnt, &msg2, &l2), SA_ERR_SESSION);
	UNIT_CHECK_EQ_U64(sa_share_message(rev, 0, &msg2, &l2), SA_ERR_MALFORMED);
	sa_free(msg1);
	free(rev);
	for (uint32_t i = 0; i < n; i++)
		free(R.buf[i]);
	free(R.buf); free(R.count); free(R.cap);
	free(d); free(d1); free(x);
	sim_free(&s);
}

/* Splits every round-4 message and rebuilds every owner's secret; returns how many secrets. */
static size_t
unmask_rows(sim *s, uint8_t *secrets)
{
	sa_unmask_view uv;
	UNIT_CHECK_EQ_U64(sa_unmask_open(s->unmask_out, s->unmask_len, &uv), SA_OK);
	sim_routes R = { calloc(s->n, sizeof(uint8_t *)), calloc(s->n, sizeof(size_t)), calloc(s->n, sizeof(size_t)),
	                 sim_roster(s), SA_UNMASK_SHARE_BYTES };
	for (uint32_t i = 0; i < s->n; i++)
		if (s->sent[i] != NULL)
			UNIT_CHECK_EQ_U64(sa_unmask_split(&uv, s->ids[i], s->sent[i], s->sent_len[i], sim_share_emit, &R), SA_OK);
	size_t ns = 0;
	for (uint32_t i = 0; i < s->n; i++)
		if (R.count[i] > 0)
			UNIT_CHECK_EQ_U64(sa_unmask_rebuild(R.buf[i], R.count[i], secrets + ns++ * SA_UNMASK_SECRET_BYTES), SA_OK);
	sim_groups_free(&R, s->n);
	return ns;
}

/* sa_unmask_finish over these secrets: its status, and the sum's first element in *first. */
static sa_status
finish_with(sim *s, const uint8_t *secrets, size_t ns, uint64_t *failed, uint64_t *first)
{
	uint8_t *out;
	size_t out_len;
	*failed = 0;
	sa_status st = sa_unmask_finish(s->unmask_out, s->unmask_len, secrets, ns, 1, &out, &out_len, failed);
	if (st == SA_OK) {
		sa_output_view ov;
		UNIT_CHECK_EQ_U64(sa_output_open(out, out_len, &ov), SA_OK);
		UNIT_CHECK_EQ_U64(ov.kind, SA_OUTPUT_VECTOR);
		*first = sa_output_vector_at(&ov, 0);
		sa_free(out);
	}
	return st;
}

/*
 * Round 4 of a SecAgg+ session as rows: the close outputs the responders
 * with digests (kind UNMASK); messages split into shares only if accepted;
 * each owner's secret is rebuilt from its group (a wrong share left out,
 * another owner's share, a holder twice or too few refused); the sum needs
 * every needed secret once, each checking.
 */
static void
test_plus_unmasking_rows(void)
{
	uint32_t n = 30, m = 2;
	sim s;
	sim_init(&s, n, 3, m, 5);
	s.degree = 4;
	s.keep_outputs = 1;
	int *d = all_stay(n);
	d[4] = 2;                               /* after ShareKeys: its pairwise masks are rebuilt */
	d[9] = 4;                               /* after ConsistencyCheck: a responder less */
	uint64_t *x = calloc((size_t) n * m, 8), sum[2], want = 0;
	for (uint32_t i = 0; i < n; i++)
		for (uint32_t j = 0; j < m; j++)
			x[(size_t) i * m + j] = 100 * i + j;
	for (uint32_t i = 0; i < n; i++)
		want += d[i] > 2 ? x[(size_t) i * m] : 0;
	int fr = -1;
	UNIT_CHECK_EQ_U64(sim_run(&s, x, d, sum, &fr), SA_OK);
	UNIT_CHECK_EQ_U64(sum[0], want);
	UNIT_CHECK(s.unmask_out != NULL);
	sa_output_view ov;
	UNIT_CHECK_EQ_U64(sa_output_open(s.unmask_out, s.unmask_len, &ov), SA_OK);
	UNIT_CHECK_EQ_U64(ov.kind, SA_OUTPUT_UNMASK);
	UNIT_CHECK_EQ_U64(ov.count, n - 2);
	sa_unmask_view uv;
	UNIT_CHECK_EQ_U64(sa_unmask_open(s.outputs[3], s.output_len[3], &uv), SA_ERR_WRONG_ROUND);
	UNIT_CHECK_EQ_U64(sa_unmask_open(s.unmask_out, s.unmask_len - 1, &uv), SA_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(sa_unmask_open(s.unmask_out, s.unmask_len, &uv), SA_OK);
	/* a changed message, and a user the round did not hear from */
	uint32_t a = 0, routes = 0;
	uint8_t *t = malloc(s.sent_len[a]);
	memcpy(t, s.sent[a], s.sent_len[a]);
	t[s.sent_len[a] - 1] ^= 1;
	UNIT_CHECK_EQ_U64(sa_unmask_split(&uv, s.ids[a], t, s.sent_len[a], (sa_unmask_emit) count_route, &routes),
	                  SA_ERR_DUPLICATE);
	UNIT_CHECK_EQ_U64(routes, 0);
	UNIT_CHECK_EQ_U64(sa_unmask_split(&uv, s.ids[9], s.sent[a], s.sent_len[a], (sa_unmask_emit) count_route, &routes),
	                  SA_ERR_UNKNOWN_USER);
	free(t);
	/* the rows give the same sum; every way of getting the secrets wrong is refused */
	uint8_t *sec = calloc(n + 1, SA_UNMASK_SECRET_BYTES);
	size_t ns = unmask_rows(&s, sec);
	UNIT_CHECK_EQ_U64(ns, n);                /* U2 is everyone: 4 dropped (its s-key) and 9 silent are needed too */
	uint64_t failed, first;
	UNIT_CHECK_EQ_U64(finish_with(&s, sec, ns, &failed, &first), SA_OK);
	UNIT_CHECK_EQ_U64(first, want);
	UNIT_CHECK_EQ_U64(finish_with(&s, sec, ns - 1, &failed, &first), SA_ERR_RECONSTRUCT);
	UNIT_CHECK_EQ_U64(failed, sa_load_u64_be(sec + (ns - 1) * SA_UNMASK_SECRET_BYTES + SA_UNMASK_SECRET_OWNER));
	memcpy(sec + ns * SA_UNMASK_SECRET_BYTES, sec, SA_UNMASK_SECRET_BYTES);
	UNIT_CHECK_EQ_U64(finish_with(&s, sec, ns + 1, &failed, &first), SA_ERR_DUPLICATE);
	sec[SA_UNMASK_SECRET_BYTES - 1] ^= 1;
	UNIT_CHECK_EQ_U64(finish_with(&s, sec, ns, &failed, &first), SA_ERR_RECONSTRUCT);
	UNIT_CHECK_EQ_U64(failed, sa_load_u64_be(sec + SA_UNMASK_SECRET_OWNER));
	sec[SA_UNMASK_SECRET_BYTES - 1] ^= 1;
	sec[3] ^= 1;
	UNIT_CHECK_EQ_U64(finish_with(&s, sec, ns, &failed, &first), SA_ERR_SESSION);
	sec[3] ^= 1;
	/* a dropped owner's secret (its s-key seed) that does not give the key it advertised */
	size_t pair = 0;
	while (pair < ns && sec[pair * SA_UNMASK_SECRET_BYTES + SA_UNMASK_SECRET_KIND] != SA_SHARE_KIND_PAIR)
		pair++;
	UNIT_CHECK(pair < ns);
	uint8_t *ps = sec + pair * SA_UNMASK_SECRET_BYTES;
	ps[SA_UNMASK_SECRET_BYTES - 1] ^= 1;
	UNIT_CHECK_EQ_U64(finish_with(&s, sec, ns, &failed, &first), SA_ERR_RECONSTRUCT);
	UNIT_CHECK_EQ_U64(failed, sa_load_u64_be(ps + SA_UNMASK_SECRET_OWNER));
	ps[SA_UNMASK_SECRET_BYTES - 1] ^= 1;
	/* one owner's group: a wrong share is left out; another owner's share, a holder twice, too few: refused */
	sim_routes R = { calloc(n, sizeof(uint8_t *)), calloc(n, sizeof(size_t)), calloc(n, sizeof(size_t)),
	                 sim_roster(&s), SA_UNMASK_SHARE_BYTES };
	for (uint32_t i = 0; i < n; i++)
		if (s.sent[i] != NULL)
			UNIT_CHECK_EQ_U64(sa_unmask_split(&uv, s.ids[i], s.sent[i], s.sent_len[i], sim_share_emit, &R), SA_OK);
	uint32_t o = 0;                     /* an owner with a share beyond t = 3 (the ring decides which) */
	while (o + 1 < n && R.count[o] <= 3)
		o++;
	size_t c = R.count[o];
	UNIT_CHECK(c > 3);
	uint8_t one[SA_UNMASK_SECRET_BYTES], again[SA_UNMASK_SECRET_BYTES];
	UNIT_CHECK_EQ_U64(sa_unmask_rebuild(R.buf[o], c, one), SA_OK);
	uint8_t *g = malloc((c + 1) * SA_UNMASK_SHARE_BYTES);
	memcpy(g, R.buf[o], c * SA_UNMASK_SHARE_BYTES);
	g[SA_UNMASK_SHARE_BYTES - 1] ^= 1;                                  /* holder 0's share wrong */
	UNIT_CHECK_EQ_U64(sa_unmask_rebuild(g, c, again), SA_OK);
	UNIT_CHECK(memcmp(one, again, SA_UNMASK_SECRET_BYTES) == 0);
	g[SA_UNMASK_SHARE_BYTES + SA_UNMASK_SHARE_OWNER + 7] ^= 1;           /* row 1: another owner */
	UNIT_CHECK_EQ_U64(sa_unmask_rebuild(g, c, again), SA_ERR_SESSION);
	memcpy(g, R.buf[o], c * SA_UNMASK_SHARE_BYTES);
	memcpy(g + c * SA_UNMASK_SHARE_BYTES, g, SA_UNMASK_SHARE_BYTES);    /* holder 0 twice */
	UNIT_CHECK_EQ_U64(sa_unmask_rebuild(g, c + 1, again), SA_ERR_DUPLICATE);
	UNIT_CHECK_EQ_U64(sa_unmask_rebuild(g, 2, again), SA_ERR_RECONSTRUCT);   /* 2 < t = 3 */
	free(g);
	sim_groups_free(&R, n);
	sodium_memzero(sec, (n + 1) * SA_UNMASK_SECRET_BYTES);
	free(sec);
	free(d);
	free(x);
	sim_free(&s);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	sa_set_default_threads(2);
	UNIT_RUN(test_plus_outputs_hold_lists_once);
	UNIT_RUN(test_plus_share_keys_routed);
	UNIT_RUN(test_plus_unmasking_rows);
	UNIT_RUN(test_graph_rules);
	UNIT_RUN(test_merkle);
	UNIT_RUN(test_plus_no_dropouts);
	UNIT_RUN(test_plus_random_dropouts);
	UNIT_RUN(test_plus_whole_neighbourhood_gone);
	UNIT_RUN(test_plus_dropped_users_nobody_masked_with);
	UNIT_RUN(test_plus_exactly_t_in_a_neighbourhood);
	UNIT_RUN(test_plus_t_minus_one_fails_naming_the_user);
	UNIT_RUN(test_plus_states_roundtrip_every_round);
	UNIT_RUN(test_plus_client_refuses_what_does_not_fit);
	UNIT_RUN(test_plus_image_validation);
	UNIT_RUN(test_plus_tampered_unmasking);
	UNIT_RUN(test_plus_tampered_u3);
	UNIT_RUN(test_repeated_key_found_at_close);
	return UNIT_DONE();
}
