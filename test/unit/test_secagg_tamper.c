/*
 * test_secagg_tamper.c: tampering with every message and state of the
 * secure-aggregation core. Every byte of every client->server and
 * server->client message type is flipped (two bits each), every message is
 * truncated to every shorter length and extended; messages are replayed
 * across sessions and received twice; server images and client states are
 * corrupted byte by byte and truncated. Each case must return the exact
 * sa_status the format dictates, leave the state it was given untouched
 * when it fails, and never crash (run it under ASan/UBSan too).
 */
#include "unit.h"
#include "secagg_sim.h"

#include "common/codec.h"
#include "secagg/shamir.h"

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
		return sa_scalar_is_canonical(share) ? SA_OK : SA_ERR_NONCANONICAL;
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

/* Validates every one-bit corruption of an image; returns failures. */
static int
corrupt_image(const uint8_t *img, size_t len, int stage)
{
	int bad = 0;
	uint8_t *buf = malloc(len + 8);
	size_t base_fixed = 136 + (size_t) N * 40;      /* header and roster: all bound by the context */
	for (size_t off = 0; off < len; off++) {
		for (int bit = 0; bit < 8; bit += 3) {
			memcpy(buf, img, len);
			buf[off] ^= (uint8_t) (1 << bit);
			sa_status st = sa_server_validate(buf, len);
			sa_status want = off < 4 ? SA_ERR_MALFORMED : off == 4 ? SA_ERR_VERSION :
			                 off < base_fixed ? SA_ERR_MALFORMED : st;
			if (st != want || (st != SA_OK && st != SA_ERR_MALFORMED && st != SA_ERR_VERSION)) {
				if (bad++ < 5)
					fprintf(stderr, "  stage %d image byte %zu bit %d: got %d\n", stage, off, bit, st);
				continue;
			}
			if (st == SA_OK) {
				/* whatever validates must be safe to use */
				uint8_t *out = NULL;
				size_t out_len;
				if (sa_server_round(buf, len, 1, &out, &out_len) == SA_OK) {
					sa_output_view ov;
					if (sa_output_open(out, out_len, &ov) != SA_OK && bad++ < 5)
						fprintf(stderr, "  stage %d byte %zu: round output does not open\n", stage, off);
					sa_free(out);
				}
			}
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
	UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, 0), 0);
	for (int r = 0; r <= 4; r++) {
		answer_all(&z);
		/* half the messages pending, then all */
		for (int i = 0; i < N / 2; i++)
			UNIT_CHECK_EQ_U64(sim_recv(&z.s, z.s.ids[i], z.c2s[i], z.c2s_len[i]), SA_OK);
		UNIT_CHECK_EQ_U64(sa_server_validate(z.s.img, z.s.img_len), SA_OK);
		UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, r), 0);
		for (int i = N / 2; i < N; i++)
			UNIT_CHECK_EQ_U64(sim_recv(&z.s, z.s.ids[i], z.c2s[i], z.c2s_len[i]), SA_OK);
		UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, r), 0);
		close_round(&z);
		UNIT_CHECK_EQ_U64(sa_server_validate(z.s.img, z.s.img_len), SA_OK);
	}
	UNIT_CHECK_EQ_U64(corrupt_image(z.s.img, z.s.img_len, 5), 0);
	check_sum(&z);
	sess_free(&z);
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
			sa_status want = off < 4 ? SA_ERR_MALFORMED : off == 4 ? SA_ERR_VERSION : st;
			if (st != want || (st != SA_OK && st != SA_ERR_MALFORMED && st != SA_ERR_VERSION)) {
				if (bad++ < 5)
					fprintf(stderr, "  stage %d client byte %zu bit %d: got %d\n", stage, off, bit, st);
			}
			if (st == SA_OK) {
				/* whatever loads must be safe to use */
				if (next != NULL) {
					uint8_t *out = NULL;
					size_t out_len;
					sa_client_round(d, next, next_len, &out, &out_len);
					sa_free(out);
				}
				sa_client_check_recover(img, len, buf, len);
				sa_client_free(d);
			}
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

/* Round outputs: every truncation refused, every flip safe. */
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
		sa_output_view ov;
		for (size_t l = 0; l < out_len; l++)
			if (sa_output_open(out, l, &ov) != SA_ERR_MALFORMED && bad++ < 5)
				fprintf(stderr, "  round %d output truncated to %zu accepted\n", r, l);
		uint8_t *buf = malloc(out_len);
		for (size_t off = 0; off < out_len; off++) {
			memcpy(buf, out, out_len);
			buf[off] ^= 0x80;
			if (sa_output_open(buf, out_len, &ov) == SA_OK) {
				size_t pos = 0, ml;
				uint64_t id;
				const uint8_t *m;
				while (sa_output_next_message(&ov, &pos, &id, &m, &ml))
					;
				if (ov.kind == SA_OUTPUT_VECTOR)
					for (uint32_t i = 0; i < ov.count; i++)
						(void) sa_output_vector_at(&ov, i);
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
