/*
 * test_secagg_tamper.c: tampering with every message and state of the
 * secure-aggregation core. Every byte of every client->server and
 * server->client message type is flipped (two bits each), every message is
 * truncated to every shorter length and extended; messages are replayed
 * across sessions and received twice; server images, client states and
 * round outputs are corrupted byte by byte and truncated. Each case must
 * return the exact sa_status the format dictates (found from the field the
 * flip hits, by the test's own walk of the documented layout), leave the
 * state it was given untouched when it fails, give the right status when
 * what still loads is used, and never crash (run it under ASan/UBSan too).
 */
#include "unit.h"
#include "common/parallel.h"
#include "secagg_sim.h"

#include "common/codec.h"

#define N 6
#define T 4
#define M 3

typedef struct sess {
	sim s;
	uint64_t x[N * M];
	uint8_t *c2s[N];          /* the users' messages of the current round */
	size_t c2s_len[N];
	uint8_t *s2c[N];          /* copies of the server messages of the current round */
	size_t s2c_len[N];
	uint64_t sum[M];
} sess;

static uint64_t
rng(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* A session of N users; keys copied from `keys` if given (same roster). */
static void
sess_start(sess *z, const char *sid, const sess *keys)
{
	memset(z, 0, sizeof *z);
	sim_init(&z->s, N, T, M, 5);
	if (keys != NULL) {
		memcpy(z->s.pks, keys->s.pks, (size_t) N * 32);
		memcpy(z->s.sks, keys->s.sks, (size_t) N * 64);
	}
	uint64_t seed = 12345;
	for (int i = 0; i < N * M; i++)
		z->x[i] = rng(&seed);
	sa_roster r = sim_roster(&z->s);
	UNIT_CHECK_EQ_U64(sa_server_create((const uint8_t *) sid, strlen(sid), T, M, &r, &z->s.img, &z->s.img_len), SA_OK);
	z->s.img_cap = z->s.img_len;
	uint8_t *r0;
	size_t r0_len;
	UNIT_CHECK_EQ_U64(sa_server_round0_msg(z->s.img, z->s.img_len, &r0, &r0_len), SA_OK);
	for (int i = 0; i < N; i++) {
		UNIT_CHECK_EQ_U64(sa_client_create((const uint8_t *) sid, strlen(sid), T, &r, z->s.ids[i], z->s.sks[i],
		                                   z->x + (size_t) i * M, M, &z->s.clients[i]), SA_OK);
		z->s.inbox[i] = malloc(r0_len);
		memcpy(z->s.inbox[i], r0, r0_len);
		z->s.inbox_len[i] = r0_len;
	}
	sa_free(r0);
}

static void
sess_free(sess *z)
{
	for (int i = 0; i < N; i++) {
		sa_free(z->c2s[i]);
		free(z->s2c[i]);
	}
	sim_free(&z->s);
}

/* Every user with a server message answers it (messages kept, not delivered). */
static void
answer_all(sess *z)
{
	for (int i = 0; i < N; i++) {
		sa_free(z->c2s[i]);
		z->c2s[i] = NULL;
		free(z->s2c[i]);
		z->s2c[i] = NULL;
		if (z->s.inbox[i] == NULL)
			continue;
		z->s2c[i] = malloc(z->s.inbox_len[i]);
		memcpy(z->s2c[i], z->s.inbox[i], z->s.inbox_len[i]);
		z->s2c_len[i] = z->s.inbox_len[i];
		UNIT_CHECK_EQ_U64(sa_client_round(z->s.clients[i], z->s.inbox[i], z->s.inbox_len[i],
		                                  &z->c2s[i], &z->c2s_len[i]), SA_OK);
	}
}

static void
deliver_all(sess *z)
{
	for (int i = 0; i < N; i++)
		if (z->c2s[i] != NULL)
			UNIT_CHECK_EQ_U64(sim_recv(&z->s, z->s.ids[i], z->c2s[i], z->c2s_len[i]), SA_OK);
}

static void
close_round(sess *z)
{
	uint8_t *out;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_server_round(z->s.img, z->s.img_len, 2, &out, &out_len), SA_OK);
	UNIT_CHECK_EQ_U64(sim_apply_output(&z->s, out, out_len, z->sum), SA_OK);
	sa_free(out);
}

static void
check_sum(sess *z)
{
	uint64_t expect[M] = { 0 };
	for (int i = 0; i < N; i++)
		for (int j = 0; j < M; j++)
			expect[j] += z->x[(size_t) i * M + j];
	UNIT_CHECK_MEM(z->sum, expect, sizeof expect);
}

/* Receives msg into a copy of the image; checks the image is unchanged on failure. */
static sa_status
recv_copy(const sess *z, uint64_t id, const uint8_t *msg, size_t len, int *unchanged)
{
	size_t cap = z->s.img_len + len + 64, used = z->s.img_len, need = 0;
	uint8_t *img = malloc(cap);
	memcpy(img, z->s.img, z->s.img_len);
	sa_status st = sa_server_recv(img, &used, cap, id, msg, len, &need);
	*unchanged = used == z->s.img_len && memcmp(img, z->s.img, used) == 0;
	free(img);
	return st;
}

static sa_client *
clone_client(const sa_client *c)
{
	uint8_t *buf;
	size_t len;
	sa_client *d = NULL;
	if (sa_client_serialize(c, &buf, &len) != SA_OK)
		return NULL;
	if (sa_client_deserialize(buf, len, &d) != SA_OK)
		d = NULL;
	sa_free(buf);
	return d;
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

/* ---------------------------------------------------------------------- */
/* client -> server                                                        */
/* ---------------------------------------------------------------------- */

/*
 * Is the 32-byte little-endian s below the group order
 * L = 2^252 + 27742317777372353535851937790883648493? Compared from the most
 * significant byte down (independent of sa_scalar_is_canonical, under test).
 */
static int
below_group_order(const uint8_t s[32])
{
	static const uint8_t L[32] = { 0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
	                               0xa2, 0xde, 0xf9, 0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                               0, 0, 0, 0, 0x10 };
	for (int i = 31; i >= 0; i--)
		if (s[i] != L[i])
			return s[i] < L[i];
	return 0;                                  /* s == L */
}

/* The status a single bit flip at `off` of the round-r message must give. */
static sa_status
c2s_flip_expect(int r, const uint8_t *flipped, size_t off, int bit)
{
	if (off == 0)
		return SA_ERR_VERSION;
	if (off == 1) {
		uint8_t t = (uint8_t) ((0x10 + r) ^ (1 << bit));
		return t >= 0x10 && t <= 0x14 ? SA_ERR_WRONG_ROUND : SA_ERR_MALFORMED;
	}
	if (off < 34)
		return SA_ERR_SESSION;
	if (off < 42)
		return SA_ERR_UNKNOWN_USER;
	size_t p = off - 42;
	switch (r) {
	case 0:
		return SA_ERR_SIGNATURE;
	case 1:
		if (p < 32)
			return SA_OK;                      /* commitment: unverifiable here */
		if (p < 36)
			return SA_ERR_MALFORMED;           /* entry count */
		return (p - 36) % 128 < 8 ? SA_ERR_UNKNOWN_USER : SA_OK;   /* id / nonce, ciphertext */
	case 2:
		return p < 4 ? SA_ERR_MALFORMED : SA_OK;  /* length field disagrees with the vector / masked input */
	case 3:
		return SA_ERR_SIGNATURE;
	default: {
		if (p < 4)
			return SA_ERR_MALFORMED;
		size_t q = (p - 4) % 41;
		if (q < 8)
			return SA_ERR_UNKNOWN_USER;
		if (q == 8)
			return SA_ERR_MALFORMED;           /* share kind */
		const uint8_t *share = flipped + off - (q - 9);
		return below_group_order(share) ? SA_OK : SA_ERR_NONCANONICAL;
	}
	}
}

static const size_t c2s_len_expect[5] = { 170, 42 + 32 + 4 + (N - 1) * 128, 46 + 8 * M, 106, 46 + 41 * N };

static void
test_c2s_every_byte(void)
{
	sess z;
	sess_start(&z, "tamper-c2s", NULL);
	for (int r = 0; r <= 4; r++) {
		answer_all(&z);
		for (int u = 0; u < N; u += 5) {            /* the first and the last user */
			const uint8_t *msg = z.c2s[u];
			size_t len = z.c2s_len[u];
			UNIT_CHECK_EQ_U64(len, c2s_len_expect[r]);
			uint8_t *buf = malloc(len + 16);
			int bad = 0;
			/* every byte, bits 0 and 7 */
			for (size_t off = 0; off < len; off++) {
				for (int bit = 0; bit < 8; bit += 7) {
					memcpy(buf, msg, len);
					buf[off] ^= (uint8_t) (1 << bit);
					int unchanged;
					sa_status st = recv_copy(&z, z.s.ids[u], buf, len, &unchanged);
					sa_status want = c2s_flip_expect(r, buf, off, bit);
					if (st != want || (st != SA_OK && !unchanged)) {
						if (bad++ < 5)
							fprintf(stderr, "  round %d user %d byte %zu bit %d: got %d want %d unchanged %d\n",
							        r, u, off, bit, st, want, unchanged);
					}
				}
			}
			/* every truncation */
			for (size_t l = 0; l < len; l++) {
				int unchanged;
				sa_status st = recv_copy(&z, z.s.ids[u], msg, l, &unchanged);
				if (st != SA_ERR_MALFORMED || !unchanged) {
					if (bad++ < 5)
						fprintf(stderr, "  round %d truncated to %zu: got %d\n", r, l, st);
				}
			}
			/* extensions by 1..16 bytes */
			for (size_t k = 1; k <= 16; k++) {
				memcpy(buf, msg, len);
				memset(buf + len, 0, k);
				int unchanged;
				sa_status st = recv_copy(&z, z.s.ids[u], buf, len + k, &unchanged);
				sa_status want = SA_ERR_MALFORMED;
				if (st != want || !unchanged) {
					if (bad++ < 5)
						fprintf(stderr, "  round %d extended by %zu: got %d\n", r, k, st);
				}
			}
			/* NULL message, wrong sender id */
			int unchanged;
			UNIT_CHECK_EQ_U64(recv_copy(&z, z.s.ids[u], NULL, 0, &unchanged), SA_ERR_MALFORMED);
			UNIT_CHECK_EQ_U64(recv_copy(&z, z.s.ids[u] + 1, msg, len, &unchanged), SA_ERR_UNKNOWN_USER);
			UNIT_CHECK(unchanged);
			UNIT_CHECK_EQ_U64(bad, 0);
			free(buf);
		}
		deliver_all(&z);
		close_round(&z);
	}
	check_sum(&z);
	sess_free(&z);
}

/* ---------------------------------------------------------------------- */
/* server -> client                                                        */
/* ---------------------------------------------------------------------- */

static const size_t s2c_rec[5] = { 0, 136, 128, 8, 72 };

/* The statuses a flip at `off` of the round-r server message to `id` may give. */
static int
s2c_flip_ok(int r, size_t off, int bit, uint64_t self, const uint8_t *orig, sa_status st)
{
	if (off == 0)
		return st == SA_ERR_VERSION;
	if (off == 1) {
		uint8_t t = (uint8_t) (r ^ (1 << bit));
		return st == (t <= 4 ? SA_ERR_WRONG_ROUND : SA_ERR_MALFORMED);
	}
	if (off < 34)
		return st == SA_ERR_SESSION;
	if (off < 38)
		return st == SA_ERR_MALFORMED;             /* count */
	size_t q = (off - 38) % s2c_rec[r];
	const uint8_t *entry = orig + off - q;
	int id_field = q < 8;
	int id_status = st == SA_ERR_DUPLICATE || st == SA_ERR_UNKNOWN_USER;
	switch (r) {
	case 1:
		if (id_field)
			return id_status || st == SA_ERR_SIGNATURE || st == SA_ERR_KEYS;
		if (q < 72 && sa_load_u64_be(entry) == self)
			return st == SA_ERR_KEYS;                /* own keys changed */
		return st == SA_ERR_SIGNATURE;
	case 2:
		return id_field ? id_status : st == SA_OK;    /* ciphertexts are checked in round 4 */
	case 3:
		return id_status;
	default:
		return id_field ? (id_status || st == SA_ERR_SIGNATURE) : st == SA_ERR_SIGNATURE;
	}
}

static void
test_s2c_every_byte(void)
{
	sess z;
	sess_start(&z, "tamper-s2c", NULL);
	for (int r = 0; r <= 4; r++) {
		const int u = 1;
		const uint8_t *msg = z.s.inbox[u];
		size_t len = z.s.inbox_len[u];
		uint8_t *buf = malloc(len + 16);
		sa_client *before = clone_client(z.s.clients[u]);
		int bad = 0;
		for (size_t off = 0; off < len; off++) {
			for (int bit = 0; bit < 8; bit += 7) {
				memcpy(buf, msg, len);
				buf[off] ^= (uint8_t) (1 << bit);
				sa_client *c = clone_client(z.s.clients[u]);
				uint8_t *out = NULL;
				size_t out_len;
				sa_status st = sa_client_round(c, buf, len, &out, &out_len);
				int ok = s2c_flip_ok(r, off, bit, z.s.ids[u], msg, st) && (st == SA_OK || client_equal(c, before));
				if (!ok && bad++ < 5)
					fprintf(stderr, "  round %d byte %zu bit %d: got %d\n", r, off, bit, st);
				sa_free(out);
				sa_client_free(c);
			}
		}
		for (size_t l = 0; l < len; l++) {
			uint8_t *out = NULL;
			size_t out_len;
			sa_status st = sa_client_round(z.s.clients[u], msg, l, &out, &out_len);
			if ((st != SA_ERR_MALFORMED || !client_equal(z.s.clients[u], before)) && bad++ < 5)
				fprintf(stderr, "  round %d truncated to %zu: got %d\n", r, l, st);
		}
		for (size_t k = 1; k <= 16; k++) {
			memcpy(buf, msg, len);
			memset(buf + len, 0xa5, k);
			uint8_t *out = NULL;
			size_t out_len;
			sa_status st = sa_client_round(z.s.clients[u], buf, len + k, &out, &out_len);
			if ((st != SA_ERR_MALFORMED || !client_equal(z.s.clients[u], before)) && bad++ < 5)
				fprintf(stderr, "  round %d extended by %zu: got %d\n", r, k, st);
		}
		UNIT_CHECK_EQ_U64(bad, 0);
		sa_client_free(before);
		free(buf);
		answer_all(&z);
		/* the same round twice: refused, client unchanged */
		sa_client *c = clone_client(z.s.clients[u]);
		uint8_t *out = NULL;
		size_t out_len;
		UNIT_CHECK_EQ_U64(sa_client_round(z.s.clients[u], z.s2c[u], z.s2c_len[u], &out, &out_len),
		                  r == 4 ? SA_ERR_STATE : SA_ERR_WRONG_ROUND);
		UNIT_CHECK(client_equal(c, z.s.clients[u]));
		sa_client_free(c);
		deliver_all(&z);
		close_round(&z);
	}
	check_sum(&z);
	sess_free(&z);
}

/* A ciphertext altered anywhere (nonce, body, tag) is detected in round 4. */
static void
test_ciphertext_detected_round4(void)
{
	sess z;
	sess_start(&z, "tamper-ct", NULL);
	for (int r = 0; r <= 1; r++) {
		answer_all(&z);
		deliver_all(&z);
		close_round(&z);
	}
	/* the round-2 message of user 2 holds 5 entries: id, nonce, ciphertext */
	const int u = 2;
	size_t len = z.s.inbox_len[u];
	UNIT_CHECK_EQ_U64(len, 38 + (N - 1) * 128);
	/* round 2 cannot check ciphertexts: every altered byte of an entry is accepted */
	int bad = 0;
	for (size_t off = 38 + 8; off < 38 + 128; off += 7) {
		sa_client *c = clone_client(z.s.clients[u]);
		uint8_t *buf = malloc(len), *out;
		size_t out_len;
		memcpy(buf, z.s.inbox[u], len);
		buf[off] ^= 0x10;
		if (sa_client_round(c, buf, len, &out, &out_len) != SA_OK)
			bad++;
		sa_free(out);
		free(buf);
		sa_client_free(c);
	}
	UNIT_CHECK_EQ_U64(bad, 0);
	/* one altered entry, then the real session proceeds */
	z.s.inbox[u][38 + 128 * 3 + 8 + 24 + 50] ^= 1;
	answer_all(&z);
	deliver_all(&z);
	close_round(&z);
	answer_all(&z);
	deliver_all(&z);
	close_round(&z);
	/* round 4: user 2 refuses, everybody else answers */
	sa_client *before = clone_client(z.s.clients[u]);
	uint8_t *out = NULL;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_client_round(z.s.clients[u], z.s.inbox[u], z.s.inbox_len[u], &out, &out_len), SA_ERR_DECRYPT);
	UNIT_CHECK(client_equal(before, z.s.clients[u]));
	sa_client_free(before);
	free(z.s.inbox[u]);
	z.s.inbox[u] = NULL;
	answer_all(&z);
	deliver_all(&z);
	close_round(&z);
	check_sum(&z);
	sess_free(&z);
}

/* ---------------------------------------------------------------------- */
/* replay, duplicates, crafted advertisements                              */
/* ---------------------------------------------------------------------- */

static void
test_replay_across_sessions(void)
{
	sess a, b;
	sess_start(&a, "session-a", NULL);
	sess_start(&b, "session-b", &a);             /* same roster, other session id */
	for (int r = 0; r <= 4; r++) {
		answer_all(&a);
		answer_all(&b);
		for (int u = 0; u < N; u++) {
			int unchanged;
			UNIT_CHECK_EQ_U64(recv_copy(&a, a.s.ids[u], b.c2s[u], b.c2s_len[u], &unchanged), SA_ERR_SESSION);
			UNIT_CHECK(unchanged);
		}
		deliver_all(&a);
		deliver_all(&b);
		close_round(&a);
		close_round(&b);
		if (r < 4) {
			/* the server messages of b to the clients of a */
			for (int u = 0; u < N; u++) {
				sa_client *c = clone_client(a.s.clients[u]);
				uint8_t *out = NULL;
				size_t out_len;
				UNIT_CHECK_EQ_U64(sa_client_round(c, b.s.inbox[u], b.s.inbox_len[u], &out, &out_len), SA_ERR_SESSION);
				UNIT_CHECK(client_equal(c, a.s.clients[u]));
				sa_client_free(c);
			}
		}
	}
	check_sum(&a);
	check_sum(&b);
	sess_free(&a);
	sess_free(&b);
}

static void
test_duplicates(void)
{
	sess z;
	sess_start(&z, "tamper-dup", NULL);
	for (int r = 0; r <= 4; r++) {
		answer_all(&z);
		deliver_all(&z);
		for (int u = 0; u < N; u++) {
			int unchanged;
			UNIT_CHECK_EQ_U64(recv_copy(&z, z.s.ids[u], z.c2s[u], z.c2s_len[u], &unchanged), SA_ERR_DUPLICATE);
			UNIT_CHECK(unchanged);
		}
		/* merging an image with itself: every sender twice */
		uint8_t *out = NULL;
		size_t out_len;
		UNIT_CHECK_EQ_U64(sa_server_merge(z.s.img, z.s.img_len, z.s.img, z.s.img_len, &out, &out_len),
		                  SA_ERR_DUPLICATE);
		close_round(&z);
	}
	check_sum(&z);
	/* a finished server takes nothing */
	int unchanged;
	UNIT_CHECK_EQ_U64(recv_copy(&z, z.s.ids[0], z.c2s[0], z.c2s_len[0], &unchanged), SA_ERR_STATE);
	uint8_t *out;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_server_round(z.s.img, z.s.img_len, 1, &out, &out_len), SA_ERR_STATE);
	sess_free(&z);
}

/* Validly signed advertisements with bad keys: equal, zero, or repeated. */
static void
test_round0_crafted_keys(void)
{
	sess z;
	sess_start(&z, "tamper-keys", NULL);
	answer_all(&z);
	UNIT_CHECK_EQ_U64(sim_recv(&z.s, z.s.ids[0], z.c2s[0], z.c2s_len[0]), SA_OK);
	const uint8_t *ctx = z.c2s[0] + 2;
	const int u = 3;
	uint8_t keys[3][64];
	/* c_pk == s_pk */
	memcpy(keys[0], z.c2s[u] + 42, 32);
	memcpy(keys[0] + 32, z.c2s[u] + 42, 32);
	/* zero c_pk */
	memset(keys[1], 0, 32);
	memcpy(keys[1] + 32, z.c2s[u] + 74, 32);
	/* c_pk of user 0 (already received) */
	memcpy(keys[2], z.c2s[0] + 42, 32);
	memcpy(keys[2] + 32, z.c2s[u] + 74, 32);
	for (int k = 0; k < 3; k++) {
		uint8_t msg[170], signed_msg[SA_ADVERTISE_SIGNED_BYTES];
		memcpy(msg, z.c2s[u], 42);
		memcpy(msg + 42, keys[k], 64);
		sa_advertise_signed(signed_msg, ctx, z.s.ids[u], keys[k], keys[k] + 32);
		crypto_sign_detached(msg + 106, NULL, signed_msg, sizeof signed_msg, z.s.sks[u]);
		int unchanged;
		UNIT_CHECK_EQ_U64(recv_copy(&z, z.s.ids[u], msg, sizeof msg, &unchanged), SA_ERR_KEYS);
		UNIT_CHECK(unchanged);
		/* the same statement signed by another user's key */
		crypto_sign_detached(msg + 106, NULL, signed_msg, sizeof signed_msg, z.s.sks[u + 1]);
		UNIT_CHECK_EQ_U64(recv_copy(&z, z.s.ids[u], msg, sizeof msg, &unchanged),
		                  k == 2 ? SA_ERR_SIGNATURE : SA_ERR_KEYS);
	}
	/* the genuine one still works, then the session completes */
	for (int i = 1; i < N; i++)
		UNIT_CHECK_EQ_U64(sim_recv(&z.s, z.s.ids[i], z.c2s[i], z.c2s_len[i]), SA_OK);
	close_round(&z);
	for (int r = 1; r <= 4; r++) {
		answer_all(&z);
		deliver_all(&z);
		close_round(&z);
	}
	check_sum(&z);
	sess_free(&z);
}

/* ---------------------------------------------------------------------- */
/* corrupted server images and client states                               */
/* ---------------------------------------------------------------------- */

/* Parts of a server image (layout in server.c): what a flipped bit hits. */
enum region {
	RG_FIXED,       /* header and roster */
	RG_ID,          /* an id of U1..U4 */
	RG_KEY,         /* c_pk or s_pk in U1 */
	RG_COMMIT,      /* commitment to b_u in U2 */
	RG_SUM,         /* sum of masked inputs (stages 3, 4) */
	RG_COUNT,       /* pending message count */
	RG_BITMAP,      /* pending senders */
	RG_PSUM,        /* running sum of the pending masked inputs (stage 2) */
	RG_REC_HDR,     /* pending record: sender id and length */
	RG_PAYLOAD      /* pending record: the message payload */
};

static enum region
image_region(const uint8_t *img, size_t off)
{
	uint32_t m = sa_load_u32_be(img + 108), n = sa_load_u32_be(img + 112);
	uint32_t n1 = sa_load_u32_be(img + 116), n2 = sa_load_u32_be(img + 120);
	size_t ids34 = 8 * ((size_t) sa_load_u32_be(img + 124) + sa_load_u32_be(img + 128));
	size_t pos = 136 + (size_t) n * 40;
	if (off < pos)
		return RG_FIXED;
	if (off < pos + (size_t) n1 * 72)
		return (off - pos) % 72 < 8 ? RG_ID : RG_KEY;
	pos += (size_t) n1 * 72;
	if (off < pos + (size_t) n2 * 40)
		return (off - pos) % 40 < 8 ? RG_ID : RG_COMMIT;
	pos += (size_t) n2 * 40;
	if (off < pos + ids34)
		return RG_ID;
	pos += ids34;
	if (img[132] && off < pos + (size_t) m * 8)
		return RG_SUM;
	pos += img[132] ? (size_t) m * 8 : 0;
	if (off < pos + 4)
		return RG_COUNT;
	pos += 4;
	if (off < pos + (n + 7) / 8)
		return RG_BITMAP;
	pos += (n + 7) / 8;
	if (img[5] == 2)
		return RG_PSUM;                    /* stage 2 keeps no records */
	for (;;) {
		if (off < pos + 12)
			return RG_REC_HDR;
		size_t l = sa_load_u32_be(img + pos + 8);
		if (off < pos + 12 + l)
			return RG_PAYLOAD;
		pos += 12 + l;
	}
}

static uint32_t
image_pending(const uint8_t *img)
{
	uint32_t m = sa_load_u32_be(img + 108), n = sa_load_u32_be(img + 112);
	size_t pos = 136 + (size_t) n * 40 + (size_t) sa_load_u32_be(img + 116) * 72 +
	             (size_t) sa_load_u32_be(img + 120) * 40 +
	             8 * ((size_t) sa_load_u32_be(img + 124) + sa_load_u32_be(img + 128)) +
	             (img[132] ? (size_t) m * 8 : 0);
	return sa_load_u32_be(img + pos);
}

/* sa_server_validate of the image with a bit flipped at off. */
static sa_status
image_flip_expect(const uint8_t *img, size_t off)
{
	switch (image_region(img, off)) {
	case RG_FIXED:              /* the context binds header and roster */
		return off == 4 ? SA_ERR_VERSION : SA_ERR_MALFORMED;
	case RG_KEY:                /* opaque to the image: signatures bind the keys */
	case RG_COMMIT:             /* checked after reconstruction */
	case RG_SUM:                /* a masked sum cannot be checked */
	case RG_PAYLOAD:            /* checked on receipt, not again */
		return SA_OK;
	case RG_PSUM:               /* nothing received yet: the running sum is zero */
		return image_pending(img) > 0 ? SA_OK : SA_ERR_MALFORMED;
	default:                    /* ids, count, bitmap, record framing */
		return SA_ERR_MALFORMED;
	}
}

/* sa_server_round of an image that validated after a flip at off. */
static sa_status
image_round_expect(const uint8_t *img, size_t off)
{
	if (img[5] == SA_SERVER_STAGE_DONE)
		return SA_ERR_STATE;
	if (image_pending(img) < sa_load_u32_be(img + 104))
		return SA_ERR_THRESHOLD;
	/* Unmasking: a b_u that no longer matches its commitment cannot be rebuilt */
	return img[5] == 4 && image_region(img, off) == RG_COMMIT ? SA_ERR_RECONSTRUCT : SA_OK;
}

/* Closes the round of a corrupted image that validated: the status it must give, an
 * untouched input, an output that opens and, after Unmasking, the right sum unless the
 * stored sum itself was hit. Counts a failure in *bad. */
static void
round_after_flip(const uint8_t *img, const uint8_t *buf, size_t len, size_t off, const uint64_t *sum,
                 int *bad)
{
	uint8_t *copy = malloc(len), *out = NULL;
	size_t out_len;
	memcpy(copy, buf, len);
	sa_status st = sa_server_round(buf, len, 1, &out, &out_len), want = image_round_expect(img, off);
	int ok = st == want && memcmp(copy, buf, len) == 0;
	sa_output_view ov;
	if (st == SA_OK && (ok = ok && sa_output_open(out, out_len, &ov) == SA_OK) && ov.kind == SA_OUTPUT_VECTOR) {
		int right = 1;
		for (uint32_t i = 0; i < ov.count && i < M; i++)
			right &= sa_output_vector_at(&ov, i) == sum[i];
		ok = ok && right == (image_region(img, off) != RG_SUM);
	}
	if (!ok && (*bad)++ < 5)
		fprintf(stderr, "  stage %d image byte %zu: round gave %d, want %d\n", img[5], off, st, want);
	sa_free(out);
	free(copy);
}

/* Validates every one-bit corruption of an image, and closes the round of those that
 * validate; sum is the session's true sum. Returns failures. */
static int
corrupt_image(const uint8_t *img, size_t len, int stage, const uint64_t *sum)
{
	int bad = 0;
	uint8_t *buf = malloc(len + 8);
	for (size_t off = 0; off < len; off++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(buf, img, len);
			buf[off] ^= (uint8_t) (1 << bit);
			sa_status st = sa_server_validate(buf, len), want = image_flip_expect(img, off);
			if (st != want) {
				if (bad++ < 5)
					fprintf(stderr, "  stage %d image byte %zu bit %d (region %d): got %d want %d\n",
					        stage, off, bit, image_region(img, off), st, want);
				continue;
			}
			if (st == SA_OK)
				round_after_flip(img, buf, len, off, sum, &bad);
		}
	}
	for (size_t l = 0; l < len; l++)
		if (sa_server_validate(img, l) != SA_ERR_MALFORMED && bad++ < 5)
			fprintf(stderr, "  stage %d image truncated to %zu accepted\n", stage, l);
	memcpy(buf, img, len);
	for (size_t k = 1; k <= 8; k++) {
		buf[len + k - 1] = 0;
		if (sa_server_validate(buf, len + k) != SA_ERR_MALFORMED && bad++ < 5)
			fprintf(stderr, "  stage %d image extended by %zu accepted\n", stage, k);
	}
	free(buf);
	return bad;
}

static void
test_server_image_corruption(void)
{
	sess z;
	sess_start(&z, "tamper-image", NULL);
	uint64_t sum[M] = { 0 };
	for (int i = 0; i < N * M; i++)
		sum[i % M] += z.x[i];
	for (int r = 0; r <= 4; r++) {
		/* nothing pending, half the messages pending, then all */
		UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, r, sum), 0);
		answer_all(&z);
		for (int i = 0; i < N / 2; i++)
			UNIT_CHECK_EQ_U64(sim_recv(&z.s, z.s.ids[i], z.c2s[i], z.c2s_len[i]), SA_OK);
		UNIT_CHECK_EQ_U64(sa_server_validate(z.s.img, z.s.img_len), SA_OK);
		UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, r, sum), 0);
		for (int i = N / 2; i < N; i++)
			UNIT_CHECK_EQ_U64(sim_recv(&z.s, z.s.ids[i], z.c2s[i], z.c2s_len[i]), SA_OK);
		UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, r, sum), 0);
		close_round(&z);
		UNIT_CHECK_EQ_U64(sa_server_validate(z.s.img, z.s.img_len), SA_OK);
	}
	UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, 5, sum), 0);
	check_sum(&z);
	sess_free(&z);
}

/* Fields of a serialised client state (layout in client.c): what a flipped bit hits. */
enum cfield {
	CF_MAGIC, CF_VERSION, CF_STAGE,
	CF_FRAME,                  /* sid length, roster size, has-x flag, set sizes */
	CF_SID, CF_T, CF_M,
	CF_ROSTER_ID, CF_ROSTER_PK,
	CF_SIGNER,                 /* own id and signing key */
	CF_X,                      /* the input, until it is sent masked */
	CF_C_SK,                   /* X25519 secret of the share channel */
	CF_KEY,                    /* c_pk, r, s_pk */
	CF_SCALAR,                 /* b and the two own shares */
	CF_SET_ID,                 /* ids of U1, U2, U3 and ciphertext senders */
	CF_OWN_KEY,                /* own keys in U1 */
	CF_PEER_C_PK, CF_PEER_S_PK,
	CF_CT                      /* nonce and ciphertext addressed to this user */
};

typedef struct cfield_at {
	enum cfield f;
	size_t start, len;         /* the field's bytes */
	int own;                   /* roster entry of this user */
	uint64_t prev, next;       /* roster: neighbouring ids (0, UINT64_MAX at the ends) */
} cfield_at;

#define CF_SPAN(kind, n)                                                      \
	do {                                                                      \
		if (off < pos + (n)) {                                                \
			a.f = (kind); a.start = pos; a.len = (n);                         \
			return a;                                                         \
		}                                                                     \
		pos += (n);                                                           \
	} while (0)

static cfield_at
client_field(const uint8_t *img, size_t off, uint64_t self)
{
	cfield_at a = { CF_FRAME, 0, 0, 0, 0, UINT64_MAX };
	size_t pos = 0, sl = img[6];
	CF_SPAN(CF_MAGIC, 4);
	CF_SPAN(CF_VERSION, 1);
	CF_SPAN(CF_STAGE, 1);
	CF_SPAN(CF_FRAME, 1);
	CF_SPAN(CF_SID, sl);
	CF_SPAN(CF_T, 4);
	uint32_t m = sa_load_u32_be(img + pos), n = sa_load_u32_be(img + pos + 4);
	CF_SPAN(CF_M, 4);
	CF_SPAN(CF_FRAME, 4);
	for (uint32_t i = 0; i < n; i++) {
		a.own = sa_load_u64_be(img + pos) == self;
		a.prev = i > 0 ? sa_load_u64_be(img + pos - 40) : 0;
		a.next = i + 1 < n ? sa_load_u64_be(img + pos + 40) : UINT64_MAX;
		CF_SPAN(CF_ROSTER_ID, 8);
		CF_SPAN(CF_ROSTER_PK, 32);
	}
	a.own = 0;
	CF_SPAN(CF_SIGNER, 72);
	int has_x = img[pos];
	CF_SPAN(CF_FRAME, 1);
	CF_SPAN(CF_X, has_x ? (size_t) m * 8 : 0);
	CF_SPAN(CF_C_SK, 32);
	for (int k = 0; k < 3; k++)
		CF_SPAN(CF_KEY, 32);
	for (int k = 0; k < 3; k++)
		CF_SPAN(CF_SCALAR, 32);
	uint32_t n1 = sa_load_u32_be(img + pos);
	CF_SPAN(CF_FRAME, 4);
	for (uint32_t i = 0; i < n1; i++) {
		int own = sa_load_u64_be(img + pos) == self;
		CF_SPAN(CF_SET_ID, 8);
		CF_SPAN(own ? CF_OWN_KEY : CF_PEER_C_PK, 32);
		CF_SPAN(own ? CF_OWN_KEY : CF_PEER_S_PK, 32);
	}
	uint32_t n2 = sa_load_u32_be(img + pos);
	CF_SPAN(CF_FRAME, 4);
	CF_SPAN(CF_SET_ID, (size_t) n2 * 8);
	for (uint32_t i = 0; i + 1 < n2; i++) {
		CF_SPAN(CF_SET_ID, 8);
		CF_SPAN(CF_CT, SA_CT_ENTRY_BYTES - 8);
	}
	CF_SPAN(CF_FRAME, 4);
	CF_SPAN(CF_SET_ID, (size_t) sa_load_u32_be(img + pos - 4) * 8);
	return a;
}

/* What a corrupted state must give: loading it, answering the next server
 * message with it (if it loads), and offering it as a recovery of the original. */
typedef struct cexpect {
	sa_status load, next, recover;
} cexpect;

static const cexpect refused = { SA_ERR_MALFORMED, SA_OK, SA_OK };
/* A self-consistent state of another session: the next message is not for it. */
static const cexpect other_session = { SA_OK, SA_ERR_SESSION, SA_ERR_SESSION };

/* A state of the same session and stage that differs: a fork, never a recovery. */
static cexpect
same_session(sa_status next)
{
	cexpect e = { SA_OK, next, SA_ERR_ROLLBACK };
	return e;
}

static cexpect
stage_flip_expect(uint8_t from, uint8_t to)
{
	cexpect e = refused;
	if (from == 1 && to == 0)          /* stage 0 does not check keys: it waits for round 0 */
		e = (cexpect) { SA_OK, SA_ERR_WRONG_ROUND, SA_ERR_ROLLBACK };
	else if (from == 4 && to == 5)     /* finished: a later stage, so recovery accepts it */
		e = (cexpect) { SA_OK, SA_ERR_STATE, SA_OK };
	else if (from == 5 && to == 4)
		e = (cexpect) { SA_OK, SA_OK, SA_ERR_ROLLBACK };
	return e;                          /* others break the stage's structure */
}

static cexpect
client_flip_expect(const uint8_t *img, size_t off, int bit, uint64_t self)
{
	cfield_at a = client_field(img, off, self);
	uint8_t stage = img[5], v[32] = { 0 };        /* the flipped value of a short field */
	if (a.len <= sizeof v) {
		memcpy(v, img + a.start, a.len);
		v[off - a.start] ^= (uint8_t) (1 << bit);
	}
	uint32_t v32 = a.len == 4 ? sa_load_u32_be(v) : 0;
	uint64_t v64 = a.len == 8 ? sa_load_u64_be(v) : 0;
	switch (a.f) {
	case CF_VERSION:
		return (cexpect) { SA_ERR_VERSION, SA_OK, SA_OK };
	case CF_STAGE:
		return stage_flip_expect(stage, v[0]);
	case CF_SID:
		return other_session;
	case CF_T:                         /* another valid threshold (every set here has N users) */
		return v32 > N / 2 && v32 <= N ? other_session : refused;
	case CF_M:                         /* while x is held its length follows m */
		return stage >= 3 && v32 >= 1 && v32 <= SA_MAX_VECTOR_LENGTH ? other_session : refused;
	case CF_ROSTER_ID:                 /* from round 1 on, U1 names every roster id */
		return !a.own && stage < 2 && a.prev < v64 && v64 < a.next ? other_session : refused;
	case CF_ROSTER_PK:                 /* own key: no longer the signing key's */
		return a.own ? refused : other_session;
	case CF_X:
		return same_session(SA_OK);
	case CF_C_SK:                      /* X25519 clamps bits 0-2 and 255 away: the same key */
		if ((off == a.start && bit < 3) || (off == a.start + 31 && bit == 7))
			return same_session(SA_OK);
		return stage == 0 ? same_session(SA_OK) : refused;
	case CF_KEY:                       /* from round 0 on, keys must match their seeds */
		return stage == 0 ? same_session(SA_OK) : refused;
	case CF_SCALAR:                    /* from round 1 on, scalars must be canonical */
		return stage >= 2 && !below_group_order(v) ? refused : same_session(SA_OK);
	case CF_PEER_C_PK:                 /* the shares from that peer no longer decrypt */
	case CF_CT:
		return same_session(stage == 4 ? SA_ERR_DECRYPT : SA_OK);
	case CF_PEER_S_PK:                 /* only changes a pairwise mask (no one dropped) */
		return same_session(SA_OK);
	default:                           /* magic, framing, signer, set ids, own keys */
		return refused;
	}
}

/* A corrupted state that loaded: answers `next` (unchanged if refused) and is offered for recovery. */
static int
use_loaded(sa_client *d, const uint8_t *img, const uint8_t *buf, size_t len, const uint8_t *ctx,
           const uint8_t *next, size_t next_len, cexpect want)
{
	int ok = (memcmp(sa_client_ctx(d), ctx, SA_CTX_BYTES) == 0) == (want.recover != SA_ERR_SESSION);
	if (next != NULL) {
		uint8_t *before, *out = NULL;
		size_t before_len, out_len;
		sa_client_serialize(d, &before, &before_len);
		sa_status st = sa_client_round(d, next, next_len, &out, &out_len);
		ok = ok && st == want.next;
		if (st != SA_OK) {
			uint8_t *after;
			size_t after_len;
			sa_client_serialize(d, &after, &after_len);
			ok = ok && after_len == before_len && memcmp(after, before, before_len) == 0;
			sa_free(after);
		}
		sa_free(before);
		sa_free(out);
	}
	return ok && sa_client_check_recover(img, len, buf, len) == want.recover;
}

static int
corrupt_client(const sa_client *c, const uint8_t *next, size_t next_len, int stage)
{
	uint8_t *img;
	size_t len;
	int bad = 0;
	if (sa_client_serialize(c, &img, &len) != SA_OK)
		return 1;
	uint8_t *buf = malloc(len + 8);
	for (size_t off = 0; off < len; off++) {
		for (int bit = 0; bit < 8; bit += 7) {
			memcpy(buf, img, len);
			buf[off] ^= (uint8_t) (1 << bit);
			sa_client *d = NULL;
			sa_status st = sa_client_deserialize(buf, len, &d);
			cexpect want = client_flip_expect(img, off, bit, sa_client_user_id(c));
			int ok = st == want.load &&
			         (st != SA_OK || use_loaded(d, img, buf, len, sa_client_ctx(c), next, next_len, want));
			if (!ok && bad++ < 5)
				fprintf(stderr, "  stage %d client byte %zu bit %d (field %d): load %d, want %d/%d/%d\n",
				        stage, off, bit, client_field(img, off, sa_client_user_id(c)).f, st, want.load,
				        want.next, want.recover);
			sa_client_free(d);
		}
	}
	for (size_t l = 0; l < len; l++) {
		sa_client *d = NULL;
		sa_status st = sa_client_deserialize(img, l, &d);
		if (st != SA_ERR_MALFORMED && bad++ < 5)
			fprintf(stderr, "  stage %d client truncated to %zu: got %d\n", stage, l, st);
		if (st == SA_OK)
			sa_client_free(d);
		if (sa_client_check_recover(img, len, img, l) != SA_ERR_MALFORMED && bad++ < 5)
			fprintf(stderr, "  stage %d check_recover of a truncated candidate accepted\n", stage);
	}
	memcpy(buf, img, len);
	for (size_t k = 1; k <= 8; k++) {
		buf[len + k - 1] = 0;
		sa_client *d = NULL;
		sa_status st = sa_client_deserialize(buf, len + k, &d);
		if (st != SA_ERR_MALFORMED && bad++ < 5)
			fprintf(stderr, "  stage %d client extended by %zu: got %d\n", stage, k, st);
		if (st == SA_OK)
			sa_client_free(d);
	}
	free(buf);
	sa_free(img);
	return bad;
}

static void
test_client_state_corruption(void)
{
	sess z;
	sess_start(&z, "tamper-client", NULL);
	for (int r = 0; r <= 5; r++) {
		for (int u = 0; u < N; u += 5) {
			UNIT_CHECK_EQ_U64(sa_client_stage(z.s.clients[u]), r);
			UNIT_CHECK_EQ_U64(corrupt_client(z.s.clients[u], r <= 4 ? z.s.inbox[u] : NULL,
			                                 r <= 4 ? z.s.inbox_len[u] : 0, r), 0);
		}
		if (r == 5)
			break;
		answer_all(&z);
		deliver_all(&z);
		close_round(&z);
	}
	check_sum(&z);
	sess_free(&z);
}

/*
 * Reference parse of an "SAO1" round output (layout in server.h):
 * "SAO1" | kind | state_len u64 | state | count u32 | items, the items being
 * count records (id u64 | len u32 | message), count little-endian words, or
 * (broadcast) count strictly increasing ids u64 then len u32 | message.
 * Returns the status sa_output_open must give.
 */
static sa_status
output_ref(const uint8_t *b, size_t len)
{
	if (len < 13 || memcmp(b, "SAO1", 4) != 0 ||
	    (b[4] != SA_OUTPUT_MESSAGES && b[4] != SA_OUTPUT_VECTOR && b[4] != SA_OUTPUT_BROADCAST))
		return SA_ERR_MALFORMED;
	uint64_t sl = sa_load_u64_be(b + 5);
	if (sl > len - 13 || len - 13 - sl < 4)
		return SA_ERR_MALFORMED;
	size_t pos = 13 + (size_t) sl + 4;
	uint32_t count = sa_load_u32_be(b + pos - 4);
	if (b[4] == SA_OUTPUT_VECTOR)
		return count <= SA_MAX_VECTOR_LENGTH && len - pos == (size_t) count * 8 ? SA_OK : SA_ERR_MALFORMED;
	if (b[4] == SA_OUTPUT_BROADCAST) {
		if (count > SA_MAX_USERS || (len - pos) / 8 < count)
			return SA_ERR_MALFORMED;
		for (uint32_t i = 1; i < count; i++)
			if (sa_load_u64_be(b + pos + 8 * (size_t) i) <= sa_load_u64_be(b + pos + 8 * (size_t) (i - 1)))
				return SA_ERR_MALFORMED;
		pos += 8 * (size_t) count;
		if (len - pos < 4)
			return SA_ERR_MALFORMED;
		return len - pos - 4 == sa_load_u32_be(b + pos) ? SA_OK : SA_ERR_MALFORMED;
	}
	for (uint32_t i = 0; i < count; i++) {
		if (len - pos < 12 || len - pos - 12 < sa_load_u32_be(b + pos + 8))
			return SA_ERR_MALFORMED;
		pos += 12 + (size_t) sa_load_u32_be(b + pos + 8);
	}
	return pos == len ? SA_OK : SA_ERR_MALFORMED;
}

/* An output that opened: the view shows exactly the parts the reference finds. */
static int
output_view_matches(const uint8_t *b, size_t len, const sa_output_view *ov)
{
	size_t sl = (size_t) sa_load_u64_be(b + 5), pos = 13 + sl + 4, it = 0, ml;
	uint32_t count = sa_load_u32_be(b + pos - 4);
	int ok = ov->kind == b[4] && ov->state == b + 13 && ov->state_len == sl &&
	         ov->count == count && ov->items == b + pos && ov->items_len == len - pos;
	uint64_t id;
	const uint8_t *m;
	uint32_t k = 0;
	const uint8_t *bmsg = b + pos + 8 * (size_t) count + 4;     /* broadcast: the one message */
	for (; ok && sa_output_next_message(ov, &it, &id, &m, &ml); k++) {
		if (ov->kind == SA_OUTPUT_BROADCAST) {
			ok = id == sa_load_u64_be(b + pos + 8 * (size_t) k) && m == bmsg &&
			     ml == sa_load_u32_be(bmsg - 4);
			continue;
		}
		ok = id == sa_load_u64_be(b + pos) && ml == sa_load_u32_be(b + pos + 8) && m == b + pos + 12;
		pos += 12 + ml;
	}
	for (uint32_t i = 0; ok && ov->kind == SA_OUTPUT_VECTOR && i < ov->count; i++)
		ok = sa_output_vector_at(ov, i) == sa_load_u64_le(b + pos + 8 * (size_t) i);
	return ok && k == (ov->kind == SA_OUTPUT_VECTOR ? 0 : ov->count);
}

/*
 * Round outputs: every truncation refused; every flip (bits 0 and 7) gives
 * the reference's status, and what opens shows the reference's parts. (A
 * flip inside the state or a message opens: the image and the message are
 * checked where they are used, by the image and message tests above.)
 */
static void
test_output_corruption(void)
{
	sess z;
	sess_start(&z, "tamper-output", NULL);
	int bad = 0;
	for (int r = 0; r <= 4; r++) {
		answer_all(&z);
		deliver_all(&z);
		uint8_t *out;
		size_t out_len;
		UNIT_CHECK_EQ_U64(sa_server_round(z.s.img, z.s.img_len, 1, &out, &out_len), SA_OK);
		UNIT_CHECK_EQ_U64(output_ref(out, out_len), SA_OK);
		sa_output_view ov;
		for (size_t l = 0; l < out_len; l++)
			if (sa_output_open(out, l, &ov) != SA_ERR_MALFORMED && bad++ < 5)
				fprintf(stderr, "  round %d output truncated to %zu accepted\n", r, l);
		uint8_t *buf = malloc(out_len);
		for (size_t off = 0; off < out_len; off++) {
			for (int bit = 0; bit < 8; bit += 7) {
				memcpy(buf, out, out_len);
				buf[off] ^= (uint8_t) (1 << bit);
				sa_status st = sa_output_open(buf, out_len, &ov), want = output_ref(buf, out_len);
				if ((st != want || (st == SA_OK && !output_view_matches(buf, out_len, &ov))) && bad++ < 5)
					fprintf(stderr, "  round %d output byte %zu bit %d: got %d want %d\n", r, off, bit, st, want);
			}
		}
		free(buf);
		UNIT_CHECK_EQ_U64(sim_apply_output(&z.s, out, out_len, z.sum), SA_OK);
		sa_free(out);
	}
	UNIT_CHECK_EQ_U64(bad, 0);
	check_sum(&z);
	sess_free(&z);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	sa_set_default_threads(2);   /* a flipped signature late in a key list is the second worker's to find */
	UNIT_RUN(test_c2s_every_byte);
	UNIT_RUN(test_s2c_every_byte);
	UNIT_RUN(test_ciphertext_detected_round4);
	UNIT_RUN(test_replay_across_sessions);
	UNIT_RUN(test_duplicates);
	UNIT_RUN(test_round0_crafted_keys);
	UNIT_RUN(test_server_image_corruption);
	UNIT_RUN(test_client_state_corruption);
	UNIT_RUN(test_output_corruption);
	return UNIT_DONE();
}
