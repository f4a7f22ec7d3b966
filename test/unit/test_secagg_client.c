/*
 * test_secagg_client.c: what a client guarantees whatever the server does.
 * Its seeds are shared t-of-n (the t - 1 shares a coalition of t - 1 users
 * holds rebuild neither b_u nor the s-key seed); it refuses server messages
 * that keep every signature valid but break a rule (t - 1 ConsistencyCheck
 * signatures, a repeated id in U2, a U3 without itself); and its masked
 * input follows the wire convention, pinned by a known-answer test with
 * fixed keys whose expected bytes come from an independent implementation.
 */
#include "unit.h"
#include "secagg_sim.h"

#include "common/codec.h"
#include "secagg/mask_prg.h"
#include "secagg/shamir.h"

#define N 6
#define T 4
#define M 3

typedef struct run {
	sim s;
	uint64_t x[N * M];
	uint8_t *c2s[5][N];         /* every message each user sent, per round (NULL: silent) */
	size_t c2s_len[5][N];
	uint64_t sum[M];
} run;

/* N users (ids 5, 8, ..., 20), t = T; round-0 messages in the inboxes. */
static void
run_start(run *z)
{
	static const char sid[] = "client-guarantees";
	memset(z, 0, sizeof *z);
	sim_init(&z->s, N, T, M, 5);
	for (int i = 0; i < N * M; i++)
		z->x[i] = 1000003u * (uint64_t) i + 7;
	sa_roster r = sim_roster(&z->s);
	UNIT_CHECK_EQ_U64(sa_server_create((const uint8_t *) sid, sizeof sid - 1, T, M, &r, &z->s.img,
	                                   &z->s.img_len), SA_OK);
	z->s.img_cap = z->s.img_len;
	uint8_t *r0;
	size_t r0_len;
	UNIT_CHECK_EQ_U64(sa_server_round0_msg(z->s.img, z->s.img_len, &r0, &r0_len), SA_OK);
	for (int i = 0; i < N; i++) {
		UNIT_CHECK_EQ_U64(sa_client_create((const uint8_t *) sid, sizeof sid - 1, T, &r, z->s.ids[i],
		                                   z->s.sks[i], z->x + (size_t) i * M, M, &z->s.clients[i]),
		                  SA_OK);
		z->s.inbox[i] = malloc(r0_len);
		memcpy(z->s.inbox[i], r0, r0_len);
		z->s.inbox_len[i] = r0_len;
	}
	sa_free(r0);
}

/* Round r: every user with a message answers unless its bit is set in `silent`; the server closes. */
static void
run_round(run *z, int r, unsigned silent)
{
	for (int i = 0; i < N; i++) {
		if (z->s.inbox[i] == NULL || (silent >> i) & 1)
			continue;
		UNIT_CHECK_EQ_U64(sa_client_round(z->s.clients[i], z->s.inbox[i], z->s.inbox_len[i],
		                                  &z->c2s[r][i], &z->c2s_len[r][i]), SA_OK);
		UNIT_CHECK_EQ_U64(sim_recv(&z->s, z->s.ids[i], z->c2s[r][i], z->c2s_len[r][i]), SA_OK);
	}
	uint8_t *out;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_server_round(z->s.img, z->s.img_len, 1, &out, &out_len), SA_OK);
	UNIT_CHECK_EQ_U64(sim_apply_output(&z->s, out, out_len, z->sum), SA_OK);
	sa_free(out);
}

static void
run_free(run *z)
{
	for (int r = 0; r < 5; r++)
		for (int i = 0; i < N; i++)
			sa_free(z->c2s[r][i]);
	sim_free(&z->s);
}

static int
client_equal(const sa_client *a, const sa_client *b)
{
	uint8_t *x, *y;
	size_t lx, ly;
	sa_client_serialize(a, &x, &lx);
	sa_client_serialize(b, &y, &ly);
	int eq = lx == ly && memcmp(x, y, lx) == 0;
	sa_free(x);
	sa_free(y);
	return eq;
}

/* Client u answers `msg` on a copy of its state; checks the state is unchanged if refused. */
static sa_status
answer_copy(const run *z, int u, const uint8_t *msg, size_t len)
{
	uint8_t *img, *out = NULL;
	size_t img_len, out_len;
	sa_client *c = NULL;
	sa_client_serialize(z->s.clients[u], &img, &img_len);
	UNIT_CHECK_EQ_U64(sa_client_deserialize(img, img_len, &c), SA_OK);
	sa_free(img);
	sa_status st = sa_client_round(c, msg, len, &out, &out_len);
	if (st != SA_OK)
		UNIT_CHECK(client_equal(c, z->s.clients[u]));
	sa_free(out);
	sa_client_free(c);
	return st;
}

/* ---------------------------------------------------------------------- */
/* threshold of the sharing                                               */
/* ---------------------------------------------------------------------- */

/*
 * Rebuilds the secret of user `owner` from the Unmasking shares of the
 * round-4 responders selected by `pick` (bit j: j-th responder) and checks
 * it as the server does: b_u of a survivor against its ShareKeys commitment,
 * the s-key seed of a dropped user against its advertised s_pk.
 */
static int
rebuilds(const run *z, int owner, unsigned pick)
{
	uint64_t xs[N];
	const uint8_t *sh[N];
	size_t c = 0;
	int j = 0, alive = z->c2s[2][owner] != NULL;
	for (int i = 0; i < N; i++) {
		const uint8_t *msg = z->c2s[4][i];
		if (msg == NULL)
			continue;                             /* not a responder */
		if (!((pick >> j++) & 1))
			continue;
		const uint8_t *e = msg + SA_C2S_HEADER_BYTES + 4 + 41 * (size_t) owner;  /* U2 = all N */
		UNIT_CHECK_EQ_U64(sa_load_u64_be(e), z->s.ids[owner]);
		UNIT_CHECK_EQ_U64(e[8], alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR);
		xs[c] = z->s.ids[i];
		sh[c++] = e + 9;
	}
	sa_lagrange lg;
	uint8_t secret[32], check[32], sk[32];
	UNIT_CHECK_EQ_U64(sa_lagrange_init(&lg, xs, c), SA_OK);
	sa_lagrange_combine(&lg, sh, secret);
	sa_lagrange_free(&lg);
	const uint8_t *adv = z->c2s[0][owner];
	if (alive) {
		sa_self_commit(check, adv + 2, z->s.ids[owner], secret);
		return memcmp(check, z->c2s[1][owner] + SA_C2S_HEADER_BYTES, 32) == 0;
	}
	sa_mask_keypair(check, sk, secret);
	return memcmp(check, adv + SA_C2S_HEADER_BYTES + 32, 32) == 0;
}

/* Every set of t - 1 revealed shares fails the check; every set of t passes. */
static void
check_threshold_of(const run *z, int owner, int responders)
{
	int below = 0, at = 0;
	for (unsigned pick = 1; pick < 1u << responders; pick++) {
		int k = __builtin_popcount(pick);
		if (k == T - 1)
			below += rebuilds(z, owner, pick);
		else if (k == T)
			at += !rebuilds(z, owner, pick);
	}
	UNIT_CHECK_EQ_U64(below, 0);
	UNIT_CHECK_EQ_U64(at, 0);
}

static void
test_sharing_threshold_is_t(void)
{
	run z;
	run_start(&z);
	run_round(&z, 0, 0);
	run_round(&z, 1, 0);
	run_round(&z, 2, 1u << 1);        /* id 8 drops after ShareKeys: its s-key seed is revealed */
	run_round(&z, 3, 0);
	run_round(&z, 4, 0);
	check_threshold_of(&z, 0, N - 1); /* survivor id 5: b_u */
	check_threshold_of(&z, 5, N - 1); /* survivor id 20: b_u */
	check_threshold_of(&z, 1, N - 1); /* dropped id 8: s_u seed */
	run_free(&z);
}

/* ---------------------------------------------------------------------- */
/* crafted server messages with valid signatures                          */
/* ---------------------------------------------------------------------- */

/* Round 4 carrying only t - 1 of the ConsistencyCheck signatures: nothing is revealed. */
static void
test_round4_needs_t_signatures(void)
{
	run z;
	run_start(&z);
	for (int r = 0; r <= 3; r++)
		run_round(&z, r, 0);
	const int u = 2;
	const uint8_t *msg = z.s.inbox[u];            /* header | n4 | n4 x (id, signature) */
	UNIT_CHECK_EQ_U64(sa_load_u32_be(msg + SA_S2C_HEADER_BYTES), N);
	uint8_t buf[SA_S2C_HEADER_BYTES + 4 + N * 72];
	for (uint32_t k = T - 1; k <= T; k++) {       /* the first k entries, all genuine */
		memcpy(buf, msg, sizeof buf);
		sa_store_u32_be(buf + SA_S2C_HEADER_BYTES, k);
		UNIT_CHECK_EQ_U64(answer_copy(&z, u, buf, SA_S2C_HEADER_BYTES + 4 + 72 * (size_t) k),
		                  k < T ? SA_ERR_THRESHOLD : SA_OK);
	}
	run_free(&z);
}

/* Round 2 whose ciphertext list names one sender twice (a whole entry copied over its neighbour). */
static void
test_round2_repeated_sender_refused(void)
{
	run z;
	run_start(&z);
	run_round(&z, 0, 0);
	run_round(&z, 1, 0);
	const int u = 2;                              /* id 11; senders 5, 8, 14, 17, 20 */
	const size_t len = SA_S2C_HEADER_BYTES + 4 + (N - 1) * SA_CT_ENTRY_BYTES;
	UNIT_CHECK_EQ_U64(z.s.inbox_len[u], len);
	uint8_t buf[SA_S2C_HEADER_BYTES + 4 + (N - 1) * SA_CT_ENTRY_BYTES];
	for (int j = 0; j + 1 < N - 1; j++) {
		for (int dir = 0; dir < 2; dir++) {       /* entry j over j + 1, and j + 1 over j */
			uint8_t *e = buf + SA_S2C_HEADER_BYTES + 4 + (size_t) j * SA_CT_ENTRY_BYTES;
			memcpy(buf, z.s.inbox[u], len);
			if (dir == 0)
				memcpy(e + SA_CT_ENTRY_BYTES, e, SA_CT_ENTRY_BYTES);
			else
				memcpy(e, e + SA_CT_ENTRY_BYTES, SA_CT_ENTRY_BYTES);
			UNIT_CHECK_EQ_U64(answer_copy(&z, u, buf, len), SA_ERR_DUPLICATE);
		}
	}
	UNIT_CHECK_EQ_U64(answer_copy(&z, u, z.s.inbox[u], len), SA_OK);
	run_free(&z);
}

/* Round 3 whose U3 (still >= t ids) leaves out the receiving client. */
static void
test_round3_without_self_refused(void)
{
	run z;
	run_start(&z);
	for (int r = 0; r <= 2; r++)
		run_round(&z, r, 0);
	const int u = 2;
	const uint8_t *msg = z.s.inbox[u];            /* header | n3 | n3 ids */
	UNIT_CHECK_EQ_U64(z.s.inbox_len[u], SA_S2C_HEADER_BYTES + 4 + 8 * N);
	for (int drop = 0; drop < N; drop++) {
		uint8_t buf[SA_S2C_HEADER_BYTES + 4 + 8 * N];
		size_t len = SA_S2C_HEADER_BYTES + 4;
		memcpy(buf, msg, len);
		sa_store_u32_be(buf + SA_S2C_HEADER_BYTES, N - 1);
		for (int i = 0; i < N; i++)
			if (i != drop) {
				memcpy(buf + len, msg + SA_S2C_HEADER_BYTES + 4 + 8 * (size_t) i, 8);
				len += 8;
			}
		/* without another user: a valid smaller U3; without itself: refused */
		UNIT_CHECK_EQ_U64(answer_copy(&z, u, buf, len), drop == u ? SA_ERR_UNKNOWN_USER : SA_OK);
	}
	run_free(&z);
}

/* ---------------------------------------------------------------------- */
/* masked input: known answer                                             */
/* ---------------------------------------------------------------------- */

/*
 * Fixed keys: roster ids 5, 8, 11 (Ed25519 seeds 40.., 41.., 42..; X25519
 * share-channel secrets 20.., 21.., 22..), t = 2, m = 4, session id
 * "mask-kat"; user 8 with s-key seed 01 02 .. 1f 00,
 * self-mask seed b = 0b.. 0b 00, x = (1, 2, 3, 2^64 - 1); peers' s-key seeds
 * 50.. 50 00 (id 5) and 60.. 60 00 (id 11). The state is built in its
 * serialised form at stage 2 (waiting for the round-2 server message).
 */
static const uint64_t kat_ids[3] = { 5, 8, 11 };
static const uint64_t kat_x[4] = { 1, 2, 3, UINT64_MAX };

static void
kat_seed(uint8_t out[32], int user)
{
	if (user == 1)
		for (int i = 0; i < 32; i++)
			out[i] = (uint8_t) (i + 1);
	else
		memset(out, user == 0 ? 0x50 : 0x60, 32);
	out[31] = 0;                                  /* canonical scalar */
}

static uint8_t *
kat_client_state(size_t *len)
{
	uint8_t sign_pk[3][32], sign_sk[3][64], seed[32], c_sk[32], c_pk[3][32], s_pk[3][32], sk[32];
	for (int i = 0; i < 3; i++) {
		memset(seed, 0x40 + i, 32);
		crypto_sign_seed_keypair(sign_pk[i], sign_sk[i], seed);
		memset(c_sk, 0x20 + i, 32);
		crypto_scalarmult_base(c_pk[i], c_sk);
		kat_seed(seed, i);
		sa_mask_keypair(s_pk[i], sk, seed);
	}
	sa_writer w;
	sa_writer_init(&w);
	sa_put_bytes(&w, "SAC1", 4);
	sa_put_u8(&w, SA_WIRE_VERSION);
	sa_put_u8(&w, 2);                             /* stage */
	sa_put_u8(&w, 8);
	sa_put_bytes(&w, "mask-kat", 8);
	sa_put_u32(&w, 2);                            /* t */
	sa_put_u32(&w, 4);                            /* m */
	sa_put_u32(&w, 3);                            /* n */
	for (int i = 0; i < 3; i++) {
		sa_put_u64(&w, kat_ids[i]);
		sa_put_bytes(&w, sign_pk[i], 32);
	}
	sa_put_u64(&w, kat_ids[1]);
	sa_put_bytes(&w, sign_sk[1], 64);
	sa_put_u8(&w, 1);                             /* has x */
	for (int i = 0; i < 4; i++) {
		uint8_t le[8];
		sa_store_u64_le(le, kat_x[i]);
		sa_put_bytes(&w, le, 8);
	}
	uint8_t zero[64] = { 0 }, b[32];
	memset(c_sk, 0x21, 32);
	kat_seed(seed, 1);
	memset(b, 0x0b, 31);
	b[31] = 0;
	sa_put_bytes(&w, c_sk, 32);
	sa_put_bytes(&w, c_pk[1], 32);
	sa_put_bytes(&w, seed, 32);                   /* r: seed of the s-key pair */
	sa_put_bytes(&w, s_pk[1], 32);
	sa_put_bytes(&w, b, 32);
	sa_put_bytes(&w, zero, 64);                   /* own shares of r and b */
	sa_put_u32(&w, 3);                            /* U1 */
	for (int i = 0; i < 3; i++) {
		sa_put_u64(&w, kat_ids[i]);
		sa_put_bytes(&w, c_pk[i], 32);
		sa_put_bytes(&w, s_pk[i], 32);
	}
	sa_put_u32(&w, 0);                            /* U2 and ciphertexts */
	sa_put_u32(&w, 0);                            /* U3 */
	return sa_writer_finish(&w, len);
}

/* Round-2 server message: ciphertext entries from 5 and 11 (contents unchecked until round 4). */
static void
kat_round2_msg(uint8_t msg[SA_S2C_HEADER_BYTES + 4 + 2 * SA_CT_ENTRY_BYTES], const uint8_t *ctx)
{
	memset(msg, 0, SA_S2C_HEADER_BYTES + 4 + 2 * SA_CT_ENTRY_BYTES);
	msg[0] = SA_WIRE_VERSION;
	msg[1] = SA_MSG_S2C(2);
	memcpy(msg + 2, ctx, SA_CTX_BYTES);
	sa_store_u32_be(msg + SA_S2C_HEADER_BYTES, 2);
	sa_store_u64_be(msg + SA_S2C_HEADER_BYTES + 4, kat_ids[0]);
	sa_store_u64_be(msg + SA_S2C_HEADER_BYTES + 4 + SA_CT_ENTRY_BYTES, kat_ids[2]);
}

/* PRG(key of the pairwise mask of user 8 with peer i), through the PRG directly. */
static void
kat_pair_mask(const uint8_t *ctx, int peer, uint64_t out[4])
{
	uint8_t seed[32], pk_u[32], sk_u[32], pk_v[32], sk_v[32], q[32], key[16];
	kat_seed(seed, 1);
	sa_mask_keypair(pk_u, sk_u, seed);
	kat_seed(seed, peer);
	sa_mask_keypair(pk_v, sk_v, seed);
	UNIT_CHECK_EQ_U64(sa_kx_agree(q, sk_u, pk_v), SA_OK);
	sa_pair_mask_key(key, ctx, q, kat_ids[1], pk_u, kat_ids[peer], pk_v);
	sa_mask_prg *p = sa_mask_prg_new();
	UNIT_CHECK_EQ_U64(sa_mask_expand(p, out, 4, key), SA_OK);
	sa_mask_prg_free(p);
}

/*
 * y_u = x_u + PRG(b_u) + sum over peers v < u of PRG(s_uv) - sum over peers
 * v > u of PRG(s_uv) (mod 2^64): user 8 ADDS its mask with 5 and SUBTRACTS
 * its mask with 11. The expected words were computed independently (Python:
 * hashlib BLAKE2b, pyca/cryptography X25519 and AES-128-CTR).
 */
static void
test_masked_input_known_answer(void)
{
	static const uint64_t want[4] = { 0x91db6f0bc8913f59ull, 0x5e9222b780debd1dull,
	                                  0xd36e149f25c056afull, 0x131606fb18139470ull };
	size_t len, out_len;
	uint8_t *state = kat_client_state(&len), *out = NULL;
	sa_client *c = NULL;
	UNIT_CHECK_EQ_U64(sa_client_deserialize(state, len, &c), SA_OK);
	sa_free(state);
	if (c == NULL)
		return;
	uint8_t msg[SA_S2C_HEADER_BYTES + 4 + 2 * SA_CT_ENTRY_BYTES];
	kat_round2_msg(msg, sa_client_ctx(c));
	UNIT_CHECK_EQ_U64(sa_client_round(c, msg, sizeof msg, &out, &out_len), SA_OK);
	UNIT_CHECK_EQ_U64(out_len, SA_C2S_HEADER_BYTES + 4 + 4 * 8);
	/* the same sum through the PRG, signs written out */
	uint64_t self[4], with5[4], with11[4], y[4];
	uint8_t b[32], key[16];
	memset(b, 0x0b, 31);
	b[31] = 0;
	sa_self_mask_key(key, sa_client_ctx(c), kat_ids[1], b);
	sa_mask_prg *p = sa_mask_prg_new();
	UNIT_CHECK_EQ_U64(sa_mask_expand(p, self, 4, key), SA_OK);
	sa_mask_prg_free(p);
	kat_pair_mask(sa_client_ctx(c), 0, with5);
	kat_pair_mask(sa_client_ctx(c), 2, with11);
	for (int i = 0; i < 4 && out != NULL; i++) {
		y[i] = sa_load_u64_le(out + SA_C2S_HEADER_BYTES + 4 + 8 * (size_t) i);
		UNIT_CHECK_EQ_U64(y[i] - kat_x[i], self[i] + with5[i] - with11[i]);
		UNIT_CHECK_EQ_U64(y[i], want[i]);
	}
	sa_free(out);
	sa_client_free(c);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_sharing_threshold_is_t);
	UNIT_RUN(test_round4_needs_t_signatures);
	UNIT_RUN(test_round2_repeated_sender_refused);
	UNIT_RUN(test_round3_without_self_refused);
	UNIT_RUN(test_masked_input_known_answer);
	return UNIT_DONE();
}
