/*
 * test_mutation_kills.c: checks written for mutants of test/mutations.txt
 * that no other unit test noticed (scripts/mutate.sh). Each test names the
 * catalogue entry it kills; all of them drive the public C API only.
 */
#include "unit.h"
#include "secagg_sim.h"

#include "common/codec.h"
#include "secagg/protocol.h"

#define N 5
#define T 3
#define M 4

static const char SID[] = "mutation-kills";

/* A session of N users up to the server's round-0 output: key lists in the inboxes. */
static void
start_session(sim *s, uint64_t *x)
{
	sim_init(s, N, T, M, 11);
	for (int i = 0; i < N * M; i++)
		x[i] = 7u * (uint64_t) i + 1;
	sa_roster r = sim_roster(s);
	UNIT_CHECK_EQ_U64(sa_server_create((const uint8_t *) SID, sizeof SID - 1, T, M, &r, &s->img,
	                                   &s->img_len), SA_OK);
	s->img_cap = s->img_len;
	uint8_t *r0;
	size_t r0_len;
	UNIT_CHECK_EQ_U64(sa_server_round0_msg(s->img, s->img_len, &r0, &r0_len), SA_OK);
	for (uint32_t i = 0; i < N; i++) {
		UNIT_CHECK_EQ_U64(sa_client_create((const uint8_t *) SID, sizeof SID - 1, T, &r, s->ids[i],
		                                   s->sks[i], x + (size_t) i * M, M, &s->clients[i]), SA_OK);
		s->inbox[i] = malloc(r0_len);
		memcpy(s->inbox[i], r0, r0_len);
		s->inbox_len[i] = r0_len;
	}
	sa_free(r0);
}

/* Every user answers its inbox; the server receives all and closes the round. */
static void
play_round(sim *s)
{
	for (uint32_t i = 0; i < N; i++) {
		uint8_t *msg;
		size_t len;
		UNIT_CHECK_EQ_U64(sa_client_round(s->clients[i], s->inbox[i], s->inbox_len[i], &msg, &len), SA_OK);
		UNIT_CHECK_EQ_U64(sim_recv(s, s->ids[i], msg, len), SA_OK);
		sa_free(msg);
	}
	uint8_t *out;
	size_t out_len;
	uint64_t sum[M];
	UNIT_CHECK_EQ_U64(sa_server_round(s->img, s->img_len, 1, &out, &out_len), SA_OK);
	UNIT_CHECK_EQ_U64(sim_apply_output(s, out, out_len, sum), SA_OK);
	sa_free(out);
}

/*
 * client-r1-threshold: a ShareKeys key list of t - 1 users is refused for
 * the threshold (SA_ERR_THRESHOLD), before any secret is shared.
 */
static void
test_round1_key_list_below_threshold(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	play_round(&s);                                  /* round 0: key lists of N users */
	const size_t hdr = SA_S2C_HEADER_BYTES, rec = 136;
	UNIT_CHECK_EQ_U64(sa_load_u32_be(s.inbox[0] + hdr), N);
	size_t len = hdr + 4 + (T - 1) * rec;            /* the first t - 1 entries (user 0 among them) */
	uint8_t *msg = malloc(len);
	memcpy(msg, s.inbox[0], len);
	sa_store_u32_be(msg + hdr, T - 1);
	uint8_t *out = NULL;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[0], msg, len, &out, &out_len), SA_ERR_THRESHOLD);
	UNIT_CHECK(out == NULL);
	/* the client is still in round 1 and answers the full list */
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[0], s.inbox[0], s.inbox_len[0], &out, &out_len), SA_OK);
	sa_free(out);
	free(msg);
	sim_free(&s);
}

/* Client i's X25519 secret of the share channel, read from its serialised state (stage 1 or 2). */
static void
client_c_sk(const sim *s, uint32_t i, uint8_t c_sk[32])
{
	uint8_t *st;
	size_t len;
	UNIT_CHECK_EQ_U64(sa_client_serialize(s->clients[i], &st, &len), SA_OK);
	/* "SAC1" | version | stage | sid_len | sid | t | m | n | roster | id | sign_sk | has_x | x | c_sk */
	size_t off = 4 + 1 + 1 + 1 + st[6] + 4 + 4 + 4 + (size_t) N * 40 + 8 + 64;
	UNIT_CHECK_EQ_U64(st[off], 1);               /* x still held */
	off += 1 + (size_t) M * 8;
	UNIT_CHECK(off + 32 <= len);
	memcpy(c_sk, st + off, 32);
	sodium_memzero(st, len);
	sa_free(st);
}

/*
 * client-r1-repeated-key: a ShareKeys key list in which one peer's c_pk
 * and s_pk are equal (re-signed with that peer's own key, so every
 * signature is valid) is refused (SA_ERR_KEYS).
 */
static void
test_round1_repeated_key_refused(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	play_round(&s);
	const uint32_t u = 0, v = 3;
	const size_t hdr = SA_S2C_HEADER_BYTES, rec = 136;
	uint8_t *msg = malloc(s.inbox_len[u]);
	memcpy(msg, s.inbox[u], s.inbox_len[u]);
	uint8_t *e = msg + hdr + 4 + v * rec;        /* U1 = every user, in id order */
	UNIT_CHECK_EQ_U64(sa_load_u64_be(e), s.ids[v]);
	memcpy(e + 40, e + 8, 32);                   /* s_pk := c_pk */
	uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	sa_advertise_signed(signed_msg, sa_client_ctx(s.clients[u]), s.ids[v], e + 8, e + 40);
	crypto_sign_detached(e + 72, NULL, signed_msg, sizeof signed_msg, s.sks[v]);
	uint8_t *out = NULL;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[u], msg, s.inbox_len[u], &out, &out_len), SA_ERR_KEYS);
	sa_free(out);
	free(msg);
	sim_free(&s);
}

/*
 * client-r4-share-canonical: a peer whose (authentic) ShareKeys ciphertext
 * carries a share that is not a canonical scalar makes the client refuse
 * round 4 (SA_ERR_NONCANONICAL) instead of revealing anything.
 */
static void
test_round4_noncanonical_share_refused(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	play_round(&s);                               /* round 0 */
	const uint32_t u = 1, v = 2;
	uint8_t c_sk_v[32];
	client_c_sk(&s, v, c_sk_v);                   /* before v answers round 1 */
	play_round(&s);                               /* round 1: inboxes hold the ciphertexts */
	/* v's ciphertext to u, encrypted again around a non-canonical b-share */
	const uint8_t *ctx = sa_client_ctx(s.clients[u]);
	const uint8_t *list = s.inbox[u] + SA_S2C_HEADER_BYTES + 4;
	uint8_t *entry = NULL;
	for (uint32_t k = 0; k + 1 < N; k++)
		if (sa_load_u64_be(list + (size_t) k * SA_CT_ENTRY_BYTES) == s.ids[v])
			entry = (uint8_t *) list + (size_t) k * SA_CT_ENTRY_BYTES;
	UNIT_CHECK(entry != NULL);
	if (entry == NULL) {
		sim_free(&s);
		return;
	}
	uint8_t c_pk_u[32], c_pk_v[32], q[32], key[32], ad[SA_SHARE_AD_BYTES], plain[SA_SHARE_PLAIN_BYTES];
	crypto_scalarmult_base(c_pk_v, c_sk_v);
	uint8_t *u_state;
	size_t u_len;
	/* u's c_pk is in its round-0 advertisement, echoed in U1 of the state: derive it from v's view */
	UNIT_CHECK_EQ_U64(sa_client_serialize(s.clients[u], &u_state, &u_len), SA_OK);
	size_t off = 4 + 1 + 1 + 1 + u_state[6] + 4 + 4 + 4 + (size_t) N * 40 + 8 + 64;
	off += 1 + (u_state[off] ? (size_t) M * 8 : 0) + 32;          /* skip has_x, x, c_sk */
	memcpy(c_pk_u, u_state + off, 32);
	sodium_memzero(u_state, u_len);
	sa_free(u_state);
	UNIT_CHECK_EQ_U64(sa_kx_agree(q, c_sk_v, c_pk_u), SA_OK);
	sa_share_enc_key(key, ctx, q, s.ids[v], c_pk_v, s.ids[u], c_pk_u);
	sa_share_ad(ad, ctx, s.ids[v], s.ids[u]);
	UNIT_CHECK_EQ_U64(crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, entry + 8 + SA_NONCE_BYTES,
	                                                             SA_SHARE_CT_BYTES, ad, sizeof ad, entry + 8, key), 0);
	memset(plain + 48, 0xff, 32);                 /* b-share: 2^256 - 1, not below the group order */
	crypto_aead_xchacha20poly1305_ietf_encrypt(entry + 8 + SA_NONCE_BYTES, NULL, plain, sizeof plain, ad, sizeof ad,
	                                           NULL, entry + 8, key);
	/* rounds 2 and 3 as usual: the ciphertexts are opened only in round 4 */
	play_round(&s);
	play_round(&s);
	uint8_t *out = NULL;
	size_t out_len;
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[u], s.inbox[u], s.inbox_len[u], &out, &out_len),
	                  SA_ERR_NONCANONICAL);
	UNIT_CHECK(out == NULL);
	/* every other user answers round 4 */
	UNIT_CHECK_EQ_U64(sa_client_round(s.clients[0], s.inbox[0], s.inbox_len[0], &out, &out_len), SA_OK);
	sa_free(out);
	sim_free(&s);
}

/* client-deserialize-stage: a finished client's state with a stage beyond "done" is malformed. */
static void
test_client_state_stage_beyond_done(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	for (int r = 0; r < 5; r++)
		play_round(&s);
	uint8_t *st;
	size_t len;
	sa_client *c = NULL;
	UNIT_CHECK_EQ_U64(sa_client_stage(s.clients[0]), SA_CLIENT_STAGE_DONE);
	UNIT_CHECK_EQ_U64(sa_client_serialize(s.clients[0], &st, &len), SA_OK);
	UNIT_CHECK_EQ_U64(sa_client_deserialize(st, len, &c), SA_OK);
	sa_client_free(c);
	c = NULL;
	for (int stage = SA_CLIENT_STAGE_DONE + 1; stage <= 255; stage++) {
		st[5] = (uint8_t) stage;
		UNIT_CHECK_EQ_U64(sa_client_deserialize(st, len, &c), SA_ERR_MALFORMED);
		sa_client_free(c);
		c = NULL;
	}
	sodium_memzero(st, len);
	sa_free(st);
	sim_free(&s);
}

/*
 * protocol-pks-distinct-loop: a repeated signing key is found wherever it
 * sorts, the two smallest keys included, and in a roster of two users.
 */
static void
test_repeated_sign_key_anywhere(void)
{
	for (uint32_t n = 2; n <= 5; n++) {
		for (uint32_t lo = 0; lo < 3; lo++) {     /* 0: the repeated key sorts first */
			uint64_t ids[5];
			uint8_t pks[5][32];
			for (uint32_t i = 0; i < n; i++) {
				ids[i] = 10 + i;
				memset(pks[i], 0x40 + 0x10 * (int) i, 32);
			}
			uint8_t dup = lo == 0 ? 0x00 : lo == 1 ? 0x45 : 0xff;
			memset(pks[0], dup, 32);
			memset(pks[n - 1], dup, 32);
			sa_roster r = { n, ids, (const uint8_t (*)[32]) pks };
			UNIT_CHECK_EQ_U64(sa_sign_pks_distinct(pks[0], 32, n), SA_ERR_KEYS);
			UNIT_CHECK_EQ_U64(sa_roster_check(&r), SA_ERR_KEYS);
			memset(pks[n - 1], 0x01, 32);          /* all distinct again */
			UNIT_CHECK_EQ_U64(sa_roster_check(&r), SA_OK);
		}
	}
}

/* protocol-roster-order: a roster naming one user id twice is refused (SA_ERR_DUPLICATE), by server_create too. */
static void
test_roster_repeated_id_refused(void)
{
	uint64_t ids[3] = { 5, 9, 9 };
	uint8_t pks[3][32];
	for (int i = 0; i < 3; i++)
		memset(pks[i], 0x20 + i, 32);
	sa_roster r = { 3, ids, (const uint8_t (*)[32]) pks };
	UNIT_CHECK_EQ_U64(sa_roster_check(&r), SA_ERR_DUPLICATE);
	uint8_t *img = NULL;
	size_t len;
	UNIT_CHECK_EQ_U64(sa_server_create((const uint8_t *) SID, sizeof SID - 1, 2, 1, &r, &img, &len),
	                  SA_ERR_DUPLICATE);
	sa_free(img);
	ids[2] = 10;
	UNIT_CHECK_EQ_U64(sa_roster_check(&r), SA_OK);
}

/*
 * server-r0-repeated-key: in AdvertiseKeys, a user whose (validly signed)
 * c_pk or s_pk repeats the s_pk another user already advertised is refused
 * (SA_ERR_KEYS); the same keys of its own are accepted.
 */
static void
test_round0_key_repeating_peer_s_pk_refused(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	uint8_t *adv[2];
	size_t adv_len[2];
	for (int i = 0; i < 2; i++)
		UNIT_CHECK_EQ_U64(sa_client_round(s.clients[i], s.inbox[i], s.inbox_len[i], &adv[i], &adv_len[i]), SA_OK);
	UNIT_CHECK_EQ_U64(sim_recv(&s, s.ids[0], adv[0], adv_len[0]), SA_OK);
	const size_t h = SA_C2S_HEADER_BYTES;
	const uint8_t *s_pk_0 = adv[0] + h + 32;
	for (int which = 0; which < 2; which++) {     /* 0: c_pk of user 1, 1: its s_pk */
		uint8_t msg[SA_C2S_HEADER_BYTES + 128], signed_msg[SA_ADVERTISE_SIGNED_BYTES];
		memcpy(msg, adv[1], sizeof msg);
		memcpy(msg + h + 32 * which, s_pk_0, 32);
		sa_advertise_signed(signed_msg, sa_client_ctx(s.clients[1]), s.ids[1], msg + h, msg + h + 32);
		crypto_sign_detached(msg + h + 64, NULL, signed_msg, sizeof signed_msg, s.sks[1]);
		UNIT_CHECK_EQ_U64(sim_recv(&s, s.ids[1], msg, sizeof msg), SA_ERR_KEYS);
	}
	UNIT_CHECK_EQ_U64(sim_recv(&s, s.ids[1], adv[1], adv_len[1]), SA_OK);
	sa_free(adv[0]);
	sa_free(adv[1]);
	sim_free(&s);
}

/*
 * server-recv-ri: a (structurally sound, unvalidated) round-1 image whose
 * U1 names an id outside the roster: a message from that id is refused as
 * malformed, not looked up in the roster's bitmap at index -1.
 */
static void
test_recv_sender_outside_roster(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	play_round(&s);                               /* the image is now in round 1, U1 = all */
	const uint64_t outsider = 1000000;
	uint8_t *u1_last = s.img + 136 + (size_t) N * 40 + (size_t) (N - 1) * 72;
	UNIT_CHECK_EQ_U64(sa_load_u64_be(u1_last), s.ids[N - 1]);
	sa_store_u64_be(u1_last, outsider);           /* still sorted */
	UNIT_CHECK(sa_server_validate(s.img, s.img_len) != SA_OK);
	uint8_t msg[SA_C2S_HEADER_BYTES + 64] = { 0 };
	msg[0] = SA_WIRE_VERSION;
	msg[1] = SA_MSG_C2S(1);
	memcpy(msg + 2, sa_client_ctx(s.clients[0]), SA_CTX_BYTES);
	sa_store_u64_be(msg + 2 + SA_CTX_BYTES, outsider);
	size_t need = 0, len = s.img_len;
	UNIT_CHECK_EQ_U64(sa_server_recv(s.img, &len, s.img_cap, outsider, msg, sizeof msg, &need),
	                  SA_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(len, s.img_len);
	sim_free(&s);
}

/*
 * server-validate-set-sizes: a round-1 image whose U1 (closed) keeps only
 * t - 1 users, otherwise consistent, does not validate; with t users it does.
 */
static void
test_validate_closed_set_below_threshold(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	play_round(&s);                               /* round 1 image: U1 = all N */
	const size_t roster_end = 136 + (size_t) N * 40, rec = 72;
	UNIT_CHECK_EQ_U64(sa_load_u32_be(s.img + 116), N);
	UNIT_CHECK_EQ_U64(sa_server_validate(s.img, s.img_len), SA_OK);
	for (uint32_t keep = T - 1; keep <= T; keep++) {
		size_t len = s.img_len - (N - keep) * rec;
		uint8_t *img = malloc(len);
		memcpy(img, s.img, roster_end + keep * rec);
		memcpy(img + roster_end + keep * rec, s.img + roster_end + N * rec, s.img_len - roster_end - N * rec);
		sa_store_u32_be(img + 116, keep);
		UNIT_CHECK_EQ_U64(sa_server_validate(img, len), keep < T ? SA_ERR_MALFORMED : SA_OK);
		free(img);
	}
	sim_free(&s);
}

/*
 * server-rejections-ri: rejection records handed to a round close are
 * checked; one for an id outside the roster is malformed (never looked up
 * at roster index -1), one for a member of the round is accepted.
 */
static void
test_rejection_outside_roster_refused(void)
{
	sim s;
	uint64_t x[N * M];
	start_session(&s, x);
	uint8_t rec[SA_REJECTION_BYTES];
	sa_rejection_put(rec, 1000000, 0, SA_ERR_SIGNATURE);
	UNIT_CHECK_EQ_U64(sa_rejections_check(s.img, s.img_len, rec, 1), SA_ERR_MALFORMED);
	sa_rejection_put(rec, 10, 0, SA_ERR_SIGNATURE);            /* ids are 11, 14, ...: 10 is not one */
	UNIT_CHECK_EQ_U64(sa_rejections_check(s.img, s.img_len, rec, 1), SA_ERR_MALFORMED);
	sa_rejection_put(rec, s.ids[2], 0, SA_ERR_SIGNATURE);
	UNIT_CHECK_EQ_U64(sa_rejections_check(s.img, s.img_len, rec, 1), SA_OK);
	sim_free(&s);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	UNIT_RUN(test_round1_key_list_below_threshold);
	UNIT_RUN(test_round1_repeated_key_refused);
	UNIT_RUN(test_round4_noncanonical_share_refused);
	UNIT_RUN(test_client_state_stage_beyond_done);
	UNIT_RUN(test_repeated_sign_key_anywhere);
	UNIT_RUN(test_roster_repeated_id_refused);
	UNIT_RUN(test_round0_key_repeating_peer_s_pk_refused);
	UNIT_RUN(test_recv_sender_outside_roster);
	UNIT_RUN(test_validate_closed_set_below_threshold);
	UNIT_RUN(test_rejection_outside_roster_refused);
	return UNIT_DONE();
}
