/*
 * test_lib_vectors.c: fixed-randomness test vectors of the client's
 * messages (test/vectors/secagg/, one .txt file per session, doc/wire-format.md "Test vectors").
 *
 * libsodium's randomness is the deterministic stream of det_rng.h (seed =
 * the session's number), so a whole session (the users' Ed25519 keys from
 * secagg_sign_keypair, the client's key pairs, Shamir coefficients and
 * nonces, the server's messages) is the same byte for byte in every run.
 * Each file lists, one "name hex" line each: the roster, every user's
 * signing secret key and vector, for every round the message each user
 * received and the one it answered, user 0's state after each round, and
 * the sum. The test replays the session and compares its transcript with
 * the file byte for byte; SECAGG_WRITE_VECTORS=1 (make lib-vectors)
 * rewrites the files instead.
 */
#include <stdio.h>

#include "det_rng.h"
#include "session.h"

#define VECTORS "test/vectors/secagg/"

typedef struct transcript {
	char *text;
	size_t len, cap;
} transcript;

static transcript current;

static void
reserve(transcript *t, size_t need)
{
	if (t->len + need + 1 >= t->cap) {
		t->cap = (t->len + need + 1) * 2;
		t->text = realloc(t->text, t->cap);
	}
}

static void
put_text(transcript *t, const char *text)
{
	reserve(t, strlen(text));
	memcpy(t->text + t->len, text, strlen(text) + 1);
	t->len += strlen(text);
}

static void
put_line(transcript *t, const char *name, const uint8_t *bytes, size_t n)
{
	reserve(t, strlen(name) + 2 * n + 3);
	t->len += (size_t) sprintf(t->text + t->len, "%s ", name);
	sodium_bin2hex(t->text + t->len, 2 * n + 1, bytes, n);
	t->len += 2 * n;
	t->text[t->len++] = '\n';
	t->text[t->len] = '\0';
}

static void
put_words(transcript *t, const char *name, const uint64_t *w, size_t m)
{
	uint8_t *le = malloc(8 * m);
	for (size_t i = 0; i < m; i++)
		for (int b = 0; b < 8; b++)
			le[8 * i + b] = (uint8_t) (w[i] >> (8 * b));
	put_line(t, name, le, 8 * m);
	free(le);
}

static void
record(lib_session *s, int round, uint32_t user, const uint8_t *msg, size_t len)
{
	char name[64];
	snprintf(name, sizeof name, "round%d.server_to_user.%llu", round, (unsigned long long) s->ids[user]);
	put_line(&current, name, s->server.out_msg[user], s->server.out_len[user]);
	snprintf(name, sizeof name, "round%d.user_to_server.%llu", round, (unsigned long long) s->ids[user]);
	put_line(&current, name, msg, len);
	if (user == 0) {
		uint8_t *st;
		size_t st_len;
		if (secagg_client_serialize(s->clients[0], &st, &st_len) == SECAGG_OK) {
			snprintf(name, sizeof name, "state_after_round%d.user.%llu", round, (unsigned long long) s->ids[0]);
			put_line(&current, name, st, st_len);
			secagg_free(st, st_len);
		}
	}
}

/* The transcript of one session, with seed `seed`. */
static int
run_session(uint8_t seed, uint32_t n, uint32_t t, uint32_t m, uint32_t degree)
{
	det_rng_reset(seed);
	free(current.text);
	memset(&current, 0, sizeof current);
	lib_session s;
	lib_session_init(&s, n, t, m, degree);
	s.on_message = record;
	char head[160];
	snprintf(head, sizeof head, "# secagg test vector: n=%u t=%u m=%u degree=%u session_id=%s rng_seed=%u\n", n, t, m,
	         degree, (const char *) lib_session_id, seed);
	put_text(&current, head);
	put_line(&current, "session_id", lib_session_id, sizeof lib_session_id - 1);
	put_line(&current, "roster", s.roster, s.roster_len);
	uint64_t *x = calloc((size_t) n * m, sizeof *x);
	for (uint32_t u = 0; u < n; u++) {
		char name[64];
		snprintf(name, sizeof name, "sign_sk.%llu", (unsigned long long) s.ids[u]);
		put_line(&current, name, s.sks[u], SECAGG_SIGN_SK_BYTES);
		for (uint32_t j = 0; j < m; j++)
			x[(size_t) u * m + j] = 1000 * (uint64_t) (u + 1) + j;
		snprintf(name, sizeof name, "vector.%llu", (unsigned long long) s.ids[u]);
		put_words(&current, name, x + (size_t) u * m, m);
	}
	static const int drops[8] = { 5, 5, 5, 5, 5, 5, 5, 4 };   /* the last user skips unmasking */
	int rc = lib_session_run(&s, x, drops + (8 - n));
	put_words(&current, "sum", s.server.sum, m);
	free(x);
	lib_session_free(&s);
	return rc;
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t) size + 1);
	*len = fread(buf, 1, (size_t) size, f);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* Compares the transcript with the file (or writes it); prints the first differing line. */
static void
check_against(const char *path)
{
	if (getenv("SECAGG_WRITE_VECTORS") != NULL) {
		FILE *f = fopen(path, "wb");
		UNIT_CHECK(f != NULL && fwrite(current.text, 1, current.len, f) == current.len);
		if (f != NULL)
			fclose(f);
		printf("  wrote %s (%zu bytes)\n", path, current.len);
		return;
	}
	size_t len;
	char *want = read_file(path, &len);
	UNIT_CHECK(want != NULL);
	if (want == NULL)
		return;
	if (len != current.len || memcmp(want, current.text, len) != 0) {
		size_t i = 0, line = 1;
		while (i < len && i < current.len && want[i] == current.text[i])
			line += want[i++] == '\n';
		fprintf(stderr, "  %s differs from the replayed session at line %zu\n", path, line);
		UNIT_CHECK(!"vectors match");
	}
	free(want);
}

static void
test_complete_graph_vectors(void)
{
	UNIT_CHECK_EQ_U64(run_session(1, 4, 3, 3, 0), SECAGG_OK);
	check_against(VECTORS "complete_graph.txt");
}

static void
test_secagg_plus_vectors(void)
{
	UNIT_CHECK_EQ_U64(run_session(2, 6, 2, 2, 2), SECAGG_OK);
	check_against(VECTORS "secagg_plus.txt");
}

/* The deterministic stream itself (det_rng.h), pinned: ChaCha20-IETF of call 0 and 1. */
static void
test_rng_stream_pinned(void)
{
	uint8_t a[8], b[8], a2[8];
	det_rng_reset(1);
	randombytes_buf(a, 8);
	randombytes_buf(b, 8);
	det_rng_reset(1);
	randombytes_buf(a2, 8);
	UNIT_CHECK(memcmp(a, a2, 8) == 0 && memcmp(a, b, 8) != 0);
	uint8_t key[32] = "secagg-test-rng", nonce[12] = { 0 }, want[8];
	key[31] = 1;
	crypto_stream_chacha20_ietf(want, 8, nonce, key);
	UNIT_CHECK_MEM(a, want, 8);
}

int
main(void)
{
	if (det_rng_install() != 0 || secagg_init() != SECAGG_OK)
		return 1;
	UNIT_RUN(test_rng_stream_pinned);
	UNIT_RUN(test_complete_graph_vectors);
	UNIT_RUN(test_secagg_plus_vectors);
	free(current.text);
	return UNIT_DONE();
}
