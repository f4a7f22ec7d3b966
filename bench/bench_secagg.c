/*
 * bench_secagg.c: per-round cost of secure aggregation (Bonawitz et al.,
 * CCS 2017, Figure 8), with the PRG floor of the unmasking round measured
 * in the same run.
 *
 *   bench_secagg                 full grid: n in {100, 500, 1000},
 *                                m in {10,000, 100,000}, dropouts {0, 10, 30}%
 *   bench_secagg --quick         only n = 100, m = 10,000
 *   options:  --reps R           repetitions of ordinary configs (default 3)
 *             --reps-big R       repetitions of big configs (default 1; a
 *                                config is big when its unmasking expands
 *                                more than 8e8 mask elements)
 *             --only N,M,D       a single config (D in percent)
 *             --client-threads T threads of the real clients' Shamir sharing (default 2)
 *             --exact-prg        time the raw PRG floor on exactly as many
 *                                masks as the unmasking round expands (by
 *                                default at most --prg-cap elements' worth of
 *                                calls are timed and the time is scaled; every
 *                                call is identical work, so this is linear)
 *             --prg-cap E        that cap, in mask elements (default 2e9: 20,000
 *                                masks at m = 100,000)
 *
 * The harness. Running n real clients is O(n^2 t) Shamir and O(n^2) masks,
 * far too slow at n = 1000, so the session has K = 3 REAL sa_client users
 * (their per-round times are the client figures: median of the K) and n - K
 * SIMULATED users built here from the public protocol primitives. The
 * server is always the real sa_server_* code, timed per round (recv of all
 * messages, then the round close), and it does exactly the work it does in
 * a session of n real clients:
 *   - simulated u: random c key pair, r_u, (s_pk, s_sk) = sa_mask_keypair(r_u),
 *     b_u; a real Ed25519 signature on its advertisement;
 *   - ShareKeys: commitment to b_u, one entry per other member of U1; for
 *     REAL recipients a genuine XChaCha20-Poly1305 ciphertext whose shares
 *     are DEGENERATE (equal to the secrets: the constant polynomial, whose
 *     Lagrange interpolation at 0 returns the secret, so the server's
 *     reconstruction and checks do the same work); random bytes for
 *     simulated recipients, which nobody decrypts;
 *   - masked input: x_u + PRG(self key) + sum over v in (real users U dropped
 *     users) of sign(u,v) PRG(pair key). Masks between two surviving
 *     simulated users are left out: they cancel in the sum, so the sum stays
 *     exact while the harness costs O(n (d + K)) expansions, not O(n^2);
 *   - ConsistencyCheck: a real signature on U3;
 *   - Unmasking: for each v in U2 the secret itself (simulated v) or the
 *     share v encrypted to u in ShareKeys (real v, decrypted here).
 * d = dropout% of n simulated users send ShareKeys and then nothing, as in
 * the paper. t = n/2 + 1. Inputs are random u64; the harness computes the
 * expected sum over U3 and checks the server's output (both thread counts).
 *
 * All harness work (building the simulated messages, partly on 2 threads)
 * is outside the timed regions; nothing else of ours runs while a timed
 * region runs. Times are wall clock (CLOCK_MONOTONIC), medians over R.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/parallel.h"
#include "common/status.h"
#include "secagg/client.h"
#include "secagg/mask_prg.h"
#include "secagg/protocol.h"
#include "secagg/server.h"
#include "bench_prg.h"
#include "bench_util.h"
#include "common/codec.h"
#include "secagg/shamir.h"

#define K_REAL      3
#define H_THREADS   2          /* harness threads (outside timed regions) */
#define BIG_ELEMS   8e8        /* unmasking elements above which a config is "big" */
#define MAX_REPS    15

/* ---------------------------------------------------------------------- */
/* small helpers                                                          */
/* ---------------------------------------------------------------------- */

/* CPU time of the calling thread: robust to other processes on the machine. */
static double
cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

/* Thread CPU time spent in server calls on 1 thread during the current session. */
static double g_srv_cpu;

static void
die(const char *what, sa_status st)
{
	fprintf(stderr, "bench_secagg: %s: %s\n", what, sa_status_message(st));
	exit(2);
}

static void
check(sa_status st, const char *what)
{
	if (st != SA_OK)
		die(what, st);
}

static void *
xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);
	if (p == NULL) {
		fprintf(stderr, "bench_secagg: out of memory (%zu bytes)\n", len);
		exit(2);
	}
	return p;
}

/* u64 array -> little-endian bytes */
static void
store_le_vec(uint8_t *dst, const uint64_t *v, size_t m)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(dst, v, m * 8);
#else
	for (size_t i = 0; i < m; i++)
		for (int b = 0; b < 8; b++)
			dst[8 * i + b] = (uint8_t) (v[i] >> (8 * b));
#endif
}

/* Runs fn(arg_i) on `threads` threads (the caller runs the first). */
static void
par_run(unsigned threads, void *(*fn)(void *), void *args, size_t arg_size)
{
	pthread_t th[16];
	for (unsigned k = 1; k < threads; k++)
		if (pthread_create(&th[k], NULL, fn, (char *) args + k * arg_size) != 0) {
			fprintf(stderr, "bench_secagg: pthread_create failed\n");
			exit(2);
		}
	fn(args);
	for (unsigned k = 1; k < threads; k++)
		pthread_join(th[k], NULL);
}

/* ---------------------------------------------------------------------- */
/* session                                                                */
/* ---------------------------------------------------------------------- */

enum { ROLE_ALIVE = 0, ROLE_DROPPED = 1, ROLE_REAL = 2 };

typedef struct user {
	int role;
	int real;                       /* index into real[] for ROLE_REAL */
	uint8_t c_sk[32], c_pk[32];     /* c_sk, r, s_sk, b: simulated users only */
	uint8_t r[32], s_pk[32], s_sk[32], b[32];
} user;

typedef struct msg {
	uint64_t id;
	uint8_t *p;
	size_t len;
} msg;

typedef struct session {
	uint32_t n, t, m, d;
	uint64_t seed;
	uint64_t *ids;
	uint8_t (*sign_pk)[32];
	uint8_t (*sign_sk)[64];
	user *u;
	uint8_t ctx[SA_CTX_BYTES];
	/* real clients */
	int real_pos[K_REAL];
	sa_client *cl[K_REAL];
	uint64_t *real_x[K_REAL];
	uint8_t *inbox[K_REAL];
	size_t inbox_len[K_REAL];
	uint8_t *real_r1[K_REAL];       /* their ShareKeys messages (for decryption) */
	size_t real_r1_len[K_REAL];
	/* partners of every surviving simulated user: real users and dropped users */
	uint32_t *partners;
	uint32_t npartners;
	/* server */
	uint8_t *img;
	size_t img_len, img_cap;
	uint8_t *u3_be;                 /* U3 as sent by the server (big-endian ids) */
	uint32_t n3;
	uint64_t *expected;             /* sum of x over U3 */
} session;

typedef struct result {
	double cli[5], cli_tot;
	double recv[5], close[4], close4_1, close4_2;
	double prg1, prg2, evp1;
	double cpu_cli_tot, cpu_srv1, cpu_unm1, cpu_prg1;   /* thread CPU time, 1-thread work */
	int prg_sampled, evp_sampled;
	int ok;
} result;

static const uint8_t SID[] = "bench-secagg";

static void
put_c2s_header(uint8_t *p, const session *S, int round, uint64_t id)
{
	p[0] = SA_WIRE_VERSION;
	p[1] = SA_MSG_C2S(round);
	memcpy(p + 2, S->ctx, SA_CTX_BYTES);
	sa_store_u64_be(p + 2 + SA_CTX_BYTES, id);
}

/* ---- server driving ---- */

static void
srv_reserve(session *S, const msg *ms, size_t count)
{
	size_t need = S->img_len;
	for (size_t i = 0; i < count; i++)
		need += 12 + ms[i].len - SA_C2S_HEADER_BYTES;
	if (need > S->img_cap) {
		uint8_t *p = realloc(S->img, need);
		if (p == NULL) {
			fprintf(stderr, "bench_secagg: out of memory\n");
			exit(2);
		}
		S->img = p;
		S->img_cap = need;
	}
}

/* One recv, timed; a capacity miss (should not happen) is grown untimed. */
static double
srv_recv(session *S, uint64_t id, const uint8_t *p, size_t len)
{
	for (;;) {
		size_t need = 0;
		double c0 = cpu_now(), t0 = now();
		sa_status st = sa_server_recv(S->img, &S->img_len, S->img_cap, id, p, len, &need);
		double t1 = now(), c1 = cpu_now();
		if (st == SA_OK) {
			g_srv_cpu += c1 - c0;
			return t1 - t0;
		}
		if (st != SA_ERR_LIMIT)
			die("sa_server_recv", st);
		uint8_t *q = realloc(S->img, need);
		if (q == NULL)
			die("realloc", SA_ERR_NOMEM);
		S->img = q;
		S->img_cap = need;
	}
}

static double
srv_recv_all(session *S, const msg *ms, size_t count)
{
	srv_reserve(S, ms, count);
	double t = 0;
	for (size_t i = 0; i < count; i++)
		t += srv_recv(S, ms[i].id, ms[i].p, ms[i].len);
	return t;
}

static long
find_id(const session *S, uint64_t id)
{
	size_t lo = 0, hi = S->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (S->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < S->n && S->ids[lo] == id ? (long) lo : -1;
}

/* Closes the round, timed; installs the next image and the real clients' inboxes. */
static double
srv_close(session *S, int round)
{
	uint8_t *out;
	size_t out_len;
	double c0 = cpu_now(), t0 = now();
	sa_status st = sa_server_round(S->img, S->img_len, 1, &out, &out_len);
	double t1 = now();
	g_srv_cpu += cpu_now() - c0;
	check(st, "sa_server_round");
	sa_output_view ov;
	check(sa_output_open(out, out_len, &ov), "sa_output_open");
	free(S->img);
	S->img = xmalloc(ov.state_len);
	memcpy(S->img, ov.state, ov.state_len);
	S->img_len = S->img_cap = ov.state_len;
	for (int k = 0; k < K_REAL; k++) {
		free(S->inbox[k]);
		S->inbox[k] = NULL;
	}
	size_t pos = 0;
	uint64_t id;
	const uint8_t *mp;
	size_t ml;
	bool first = true;
	while (sa_output_next_message(&ov, &pos, &id, &mp, &ml)) {
		if (round == 2 && first) {
			/* U3 broadcast: header | count | ids */
			uint32_t c = sa_load_u32_be(mp + SA_S2C_HEADER_BYTES);
			free(S->u3_be);
			S->u3_be = xmalloc((size_t) c * 8);
			memcpy(S->u3_be, mp + SA_S2C_HEADER_BYTES + 4, (size_t) c * 8);
			S->n3 = c;
		}
		first = false;
		long i = find_id(S, id);
		if (i >= 0 && S->u[i].role == ROLE_REAL) {
			int k = S->u[i].real;
			S->inbox[k] = xmalloc(ml);
			memcpy(S->inbox[k], mp, ml);
			S->inbox_len[k] = ml;
		}
	}
	sa_free(out);
	sa_server_info info;
	check(sa_server_info_get(S->img, S->img_len, &info), "sa_server_info_get");
	uint32_t want[4] = { S->n, S->n, S->n - S->d, S->n - S->d };
	uint32_t got[4] = { info.u1, info.u2, info.u3, info.u4 };
	if (got[round] != want[round]) {
		fprintf(stderr, "bench_secagg: round %d closed with %u users, expected %u\n",
		        round, got[round], want[round]);
		exit(2);
	}
	return t1 - t0;
}

/* Each real client answers its inbox (timed); returns the messages. */
static void
real_round(session *S, int round, msg *out, result *res)
{
	double t[K_REAL], c[K_REAL];
	for (int k = 0; k < K_REAL; k++) {
		if (S->inbox[k] == NULL) {
			fprintf(stderr, "bench_secagg: real client %d has no message in round %d\n", k, round);
			exit(2);
		}
		uint8_t *o;
		size_t ol;
		double c0 = cpu_now(), t0 = now();
		sa_status st = sa_client_round(S->cl[k], S->inbox[k], S->inbox_len[k], &o, &ol);
		t[k] = now() - t0;
		c[k] = cpu_now() - c0;
		check(st, "sa_client_round");
		out[k].id = S->ids[S->real_pos[k]];
		out[k].p = xmalloc(ol);
		memcpy(out[k].p, o, ol);
		out[k].len = ol;
		sa_free(o);
	}
	res->cli[round] = median(t, K_REAL);
	static double tot[K_REAL], ctot[K_REAL];
	for (int k = 0; k < K_REAL; k++) {
		tot[k] = round == 0 ? t[k] : tot[k] + t[k];
		ctot[k] = round == 0 ? c[k] : ctot[k] + c[k];
	}
	if (round == 4) {
		res->cli_tot = median(tot, K_REAL);
		res->cpu_cli_tot = median(ctot, K_REAL);
	}
}

static void
free_msgs(msg *ms, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(ms[i].p);
}

/* ---- the simulated users ---- */

static void
sim_keys(session *S, uint32_t i)
{
	user *u = &S->u[i];
	do {
		randombytes_buf(u->c_sk, 32);
		crypto_scalarmult_base(u->c_pk, u->c_sk);
		sa_scalar_random(u->r);
		sa_mask_keypair(u->s_pk, u->s_sk, u->r);
	} while (memcmp(u->c_pk, u->s_pk, 32) == 0);
	sa_scalar_random(u->b);
}

static void
sim_round0(session *S, uint32_t i, msg *out)
{
	user *u = &S->u[i];
	uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	out->id = S->ids[i];
	out->len = SA_C2S_HEADER_BYTES + 128;
	out->p = xmalloc(out->len);
	put_c2s_header(out->p, S, 0, S->ids[i]);
	memcpy(out->p + SA_C2S_HEADER_BYTES, u->c_pk, 32);
	memcpy(out->p + SA_C2S_HEADER_BYTES + 32, u->s_pk, 32);
	sa_advertise_signed(signed_msg, S->ctx, S->ids[i], u->c_pk, u->s_pk);
	crypto_sign_detached(out->p + SA_C2S_HEADER_BYTES + 64, NULL, signed_msg, sizeof signed_msg,
	                     S->sign_sk[i]);
}

/* ShareKeys of simulated user i: U1 = everyone. */
static void
sim_round1(session *S, uint32_t i, msg *out)
{
	user *u = &S->u[i];
	uint64_t id = S->ids[i];
	out->id = id;
	out->len = SA_C2S_HEADER_BYTES + SA_COMMIT_BYTES + 4 + (size_t) (S->n - 1) * SA_CT_ENTRY_BYTES;
	out->p = xmalloc(out->len);
	uint8_t *p = out->p;
	put_c2s_header(p, S, 1, id);
	p += SA_C2S_HEADER_BYTES;
	sa_self_commit(p, S->ctx, id, u->b);
	p += SA_COMMIT_BYTES;
	sa_store_u32_be(p, S->n - 1);
	p += 4;
	randombytes_buf(p, (size_t) (S->n - 1) * SA_CT_ENTRY_BYTES);
	for (uint32_t j = 0; j < S->n; j++) {
		if (j == i)
			continue;
		uint64_t v = S->ids[j];
		sa_store_u64_be(p, v);
		if (S->u[j].role == ROLE_REAL) {
			const uint8_t *c_pk_v = S->u[j].c_pk;
			uint8_t q[32], key[32], plain[SA_SHARE_PLAIN_BYTES], ad[SA_SHARE_AD_BYTES];
			check(sa_kx_agree(q, u->c_sk, c_pk_v), "sa_kx_agree (share)");
			sa_share_enc_key(key, S->ctx, q, id, u->c_pk, v, c_pk_v);
			sa_store_u64_be(plain, id);
			sa_store_u64_be(plain + 8, v);
			memcpy(plain + 16, u->r, 32);          /* degenerate shares: the secrets */
			memcpy(plain + 48, u->b, 32);
			sa_share_ad(ad, S->ctx, id, v);
			crypto_aead_xchacha20poly1305_ietf_encrypt(p + 8 + SA_NONCE_BYTES, NULL, plain,
			                                           sizeof plain, ad, sizeof ad, NULL, p + 8, key);
		}
		p += SA_CT_ENTRY_BYTES;
	}
}

/* Masked inputs of a batch of surviving simulated users, on harness threads. */
typedef struct r2_job {
	session *S;
	const uint32_t *who;
	size_t from, to;
	msg *out;
	uint64_t *exp;                  /* per-thread partial expected sum */
	sa_status st;
} r2_job;

static void *
r2_run(void *arg)
{
	r2_job *J = arg;
	session *S = J->S;
	size_t m = S->m;
	uint64_t *y = xmalloc(m * 8);
	EVP_CIPHER_CTX *prg = EVP_CIPHER_CTX_new();
	J->st = prg ? SA_OK : SA_ERR_NOMEM;
	for (size_t w = J->from; w < J->to && J->st == SA_OK; w++) {
		uint32_t i = J->who[w];
		user *u = &S->u[i];
		uint64_t id = S->ids[i];
		gen_x(y, m, S->seed, id);
		for (size_t e = 0; e < m; e++)
			J->exp[e] += y[e];
		uint8_t key[SA_MASK_KEY_BYTES], q[32];
		sa_self_mask_key(key, S->ctx, id, u->b);
		hprg_apply(prg, y, m, key, 1);
		for (uint32_t pi = 0; pi < S->npartners && J->st == SA_OK; pi++) {
			uint32_t j = S->partners[pi];
			uint64_t v = S->ids[j];
			if ((J->st = sa_kx_agree(q, u->s_sk, S->u[j].s_pk)) != SA_OK)
				break;
			sa_pair_mask_key(key, S->ctx, q, id, u->s_pk, v, S->u[j].s_pk);
			hprg_apply(prg, y, m, key, sa_mask_sign(id, v));
		}
		msg *o = &J->out[w - J->from];
		o->id = id;
		o->len = SA_C2S_HEADER_BYTES + 4 + m * 8;
		o->p = xmalloc(o->len);
		put_c2s_header(o->p, S, 2, id);
		sa_store_u32_be(o->p + SA_C2S_HEADER_BYTES, (uint32_t) m);
		store_le_vec(o->p + SA_C2S_HEADER_BYTES + 4, y, m);
	}
	EVP_CIPHER_CTX_free(prg);
	free(y);
	return NULL;
}

static void
sim_round3(session *S, uint32_t i, const uint8_t *stmt, size_t stmt_len, msg *out)
{
	out->id = S->ids[i];
	out->len = SA_C2S_HEADER_BYTES + SA_SIG_BYTES;
	out->p = xmalloc(out->len);
	put_c2s_header(out->p, S, 3, S->ids[i]);
	crypto_sign_detached(out->p + SA_C2S_HEADER_BYTES, NULL, stmt, stmt_len, S->sign_sk[i]);
}

/* Unmasking message of surviving simulated user i: U2 = everyone. */
static void
sim_round4(session *S, uint32_t i, msg *out)
{
	user *u = &S->u[i];
	uint64_t id = S->ids[i];
	out->id = id;
	out->len = SA_C2S_HEADER_BYTES + 4 + (size_t) S->n * 41;
	out->p = xmalloc(out->len);
	uint8_t *p = out->p;
	put_c2s_header(p, S, 4, id);
	p += SA_C2S_HEADER_BYTES;
	sa_store_u32_be(p, S->n);
	p += 4;
	for (uint32_t j = 0; j < S->n; j++, p += 41) {
		const user *v = &S->u[j];
		uint64_t vid = S->ids[j];
		bool alive = v->role != ROLE_DROPPED;
		sa_store_u64_be(p, vid);
		p[8] = alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR;
		if (v->role != ROLE_REAL) {
			memcpy(p + 9, alive ? v->b : v->r, 32);    /* j == i included: own share of b */
			continue;
		}
		/* the share real user j encrypted to us in ShareKeys */
		int k = v->real;
		uint32_t e = i - (i > j ? 1 : 0);
		const uint8_t *ent = S->real_r1[k] + SA_C2S_HEADER_BYTES + SA_COMMIT_BYTES + 4 +
		                     (size_t) e * SA_CT_ENTRY_BYTES;
		if (sa_load_u64_be(ent) != id) {
			fprintf(stderr, "bench_secagg: real ShareKeys entry order\n");
			exit(2);
		}
		uint8_t q[32], key[32], ad[SA_SHARE_AD_BYTES], plain[SA_SHARE_PLAIN_BYTES];
		check(sa_kx_agree(q, u->c_sk, v->c_pk), "sa_kx_agree (decrypt)");
		sa_share_enc_key(key, S->ctx, q, id, u->c_pk, vid, v->c_pk);
		sa_share_ad(ad, S->ctx, vid, id);
		if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, ent + 8 + SA_NONCE_BYTES,
		                                               SA_SHARE_CT_BYTES, ad, sizeof ad, ent + 8,
		                                               key) != 0 ||
		    sa_load_u64_be(plain) != vid || sa_load_u64_be(plain + 8) != id) {
			fprintf(stderr, "bench_secagg: cannot decrypt the share of real user %d\n", k);
			exit(2);
		}
		memcpy(p + 9, plain + 48, 32);
	}
}

/* ---------------------------------------------------------------------- */
/* raw PRG floor                                                          */
/* ---------------------------------------------------------------------- */

typedef struct prg_job {
	size_t m, calls, base;
	int evp;                        /* 0: sa_mask_expand, 1: raw OpenSSL EVP AES-128-CTR */
} prg_job;

static void *
prg_run(void *arg)
{
	prg_job *J = arg;
	uint64_t *buf = xmalloc(J->m * 8);
	memset(buf, 0, J->m * 8);
	uint8_t key[16] = { 0x5a }, iv[16] = { 0 };
	if (!J->evp) {
		sa_mask_prg *prg = sa_mask_prg_new();
		for (size_t c = 0; c < J->calls; c++) {
			sa_store_u64_be(key + 8, J->base + c);
			if (sa_mask_expand(prg, buf, J->m, key) != SA_OK) {
				fprintf(stderr, "bench_secagg: sa_mask_expand failed\n");
				exit(2);
			}
		}
		sa_mask_prg_free(prg);
	} else {
		EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
		for (size_t c = 0; c < J->calls; c++) {
			int outl;
			sa_store_u64_be(key + 8, J->base + c);
			if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv) != 1 ||
			    EVP_EncryptUpdate(ctx, (uint8_t *) buf, &outl, (uint8_t *) buf, (int) (J->m * 8)) != 1) {
				fprintf(stderr, "bench_secagg: EVP failed\n");
				exit(2);
			}
		}
		EVP_CIPHER_CTX_free(ctx);
	}
	free(buf);
	return NULL;
}

/* Time of `total` expansions of m elements on `threads` threads (sampled up to cap). */
static double g_prg_cpu;       /* scaled thread CPU time of the last 1-thread prg_floor */

static double
prg_floor(size_t total, size_t m, unsigned threads, int evp, size_t cap, int *sampled)
{
	size_t calls = total > cap ? cap : total;
	*sampled = calls < total;
	prg_job J[16];
	for (unsigned k = 0; k < threads; k++)
		J[k] = (prg_job) { m, calls * (k + 1) / threads - calls * k / threads, calls * k / threads, evp };
	double c0 = cpu_now(), t0 = now();
	par_run(threads, prg_run, J, sizeof J[0]);
	double t = now() - t0;
	g_prg_cpu = (cpu_now() - c0) * (double) total / (double) calls;
	return t * (double) total / (double) calls;
}

/* ---------------------------------------------------------------------- */
/* one session                                                            */
/* ---------------------------------------------------------------------- */

static double opt_prg_cap = 2e9;      /* elements */
static int opt_exact_prg = 0;

static void
run_session(uint32_t n, uint32_t m, uint32_t dpct, result *res)
{
	session S0, *S = &S0;
	memset(S, 0, sizeof *S);
	memset(res, 0, sizeof *res);
	g_srv_cpu = 0;
	S->n = n;
	S->m = m;
	S->t = n / 2 + 1;
	S->d = n * dpct / 100;
	randombytes_buf(&S->seed, sizeof S->seed);
	S->ids = xmalloc((size_t) n * 8);
	S->sign_pk = xmalloc((size_t) n * 32);
	S->sign_sk = xmalloc((size_t) n * 64);
	S->u = calloc(n, sizeof(user));
	S->expected = calloc(m, 8);
	if (S->u == NULL || S->expected == NULL)
		die("calloc", SA_ERR_NOMEM);
	for (uint32_t i = 0; i < n; i++) {
		S->ids[i] = 1000 + 7 * (uint64_t) i;
		sa_sign_keypair(S->sign_pk[i], S->sign_sk[i]);
	}
	/* roles: K real users spread over the id range, d random simulated users dropped */
	for (int k = 0; k < K_REAL; k++) {
		S->real_pos[k] = (int) ((2 * (uint64_t) k + 1) * n / (2 * K_REAL));
		S->u[S->real_pos[k]].role = ROLE_REAL;
		S->u[S->real_pos[k]].real = k;
	}
	for (uint32_t c = 0; c < S->d;) {
		uint32_t i = randombytes_uniform(n);
		if (S->u[i].role == ROLE_ALIVE) {
			S->u[i].role = ROLE_DROPPED;
			c++;
		}
	}
	S->partners = xmalloc((size_t) n * 4);
	for (uint32_t i = 0; i < n; i++)
		if (S->u[i].role != ROLE_ALIVE)
			S->partners[S->npartners++] = i;

	sa_roster ro = { n, S->ids, (const uint8_t (*)[32]) S->sign_pk };
	check(sa_server_create(SID, sizeof SID - 1, S->t, m, &ro, &S->img, &S->img_len), "sa_server_create");
	S->img_cap = S->img_len;
	sa_server_info info;
	check(sa_server_info_get(S->img, S->img_len, &info), "sa_server_info_get");
	memcpy(S->ctx, info.ctx, SA_CTX_BYTES);
	uint8_t *r0;
	size_t r0_len;
	check(sa_server_round0_msg(S->img, S->img_len, &r0, &r0_len), "sa_server_round0_msg");
	for (int k = 0; k < K_REAL; k++) {
		int i = S->real_pos[k];
		S->real_x[k] = xmalloc((size_t) m * 8);
		gen_x(S->real_x[k], m, S->seed, S->ids[i]);
		for (uint32_t e = 0; e < m; e++)
			S->expected[e] += S->real_x[k][e];
		check(sa_client_create(SID, sizeof SID - 1, S->t, &ro, S->ids[i], S->sign_sk[i], S->real_x[k],
		                       m, &S->cl[k]), "sa_client_create");
		S->inbox[k] = xmalloc(r0_len);
		memcpy(S->inbox[k], r0, r0_len);
		S->inbox_len[k] = r0_len;
	}
	sa_free(r0);

	msg *ms = calloc(n, sizeof(msg));
	if (ms == NULL)
		die("calloc", SA_ERR_NOMEM);
	size_t cnt;

	/* ---- round 0: AdvertiseKeys ---- */
	fprintf(stderr, " r0");
	real_round(S, 0, ms, res);
	for (int k = 0; k < K_REAL; k++) {
		user *u = &S->u[S->real_pos[k]];
		memcpy(u->c_pk, ms[k].p + SA_C2S_HEADER_BYTES, 32);
		memcpy(u->s_pk, ms[k].p + SA_C2S_HEADER_BYTES + 32, 32);
	}
	cnt = K_REAL;
	for (uint32_t i = 0; i < n; i++)
		if (S->u[i].role != ROLE_REAL) {
			sim_keys(S, i);
			sim_round0(S, i, &ms[cnt++]);
		}
	res->recv[0] = srv_recv_all(S, ms, cnt);
	free_msgs(ms, cnt);
	res->close[0] = srv_close(S, 0);

	/* ---- round 1: ShareKeys (everyone, including the users who drop next) ---- */
	fprintf(stderr, " r1");
	real_round(S, 1, ms, res);
	for (int k = 0; k < K_REAL; k++) {
		S->real_r1[k] = ms[k].p;             /* kept for round 4 */
		S->real_r1_len[k] = ms[k].len;
	}
	cnt = K_REAL;
	for (uint32_t i = 0; i < n; i++)
		if (S->u[i].role != ROLE_REAL)
			sim_round1(S, i, &ms[cnt++]);
	res->recv[1] = srv_recv_all(S, ms, cnt);
	free_msgs(ms + K_REAL, cnt - K_REAL);
	res->close[1] = srv_close(S, 1);

	/* ---- round 2: MaskedInputCollection (dropped users are silent) ---- */
	fprintf(stderr, " r2");
	real_round(S, 2, ms, res);
	res->recv[2] = srv_recv_all(S, ms, K_REAL);
	free_msgs(ms, K_REAL);
	{
		uint32_t *who = xmalloc((size_t) n * 4);
		uint32_t nwho = 0;
		for (uint32_t i = 0; i < n; i++)
			if (S->u[i].role == ROLE_ALIVE)
				who[nwho++] = i;
		size_t batch = m >= 50000 ? 16 : 128;
		r2_job J[H_THREADS];
		for (int h = 0; h < H_THREADS; h++) {
			J[h].exp = calloc(m, 8);
			if (J[h].exp == NULL)
				die("calloc", SA_ERR_NOMEM);
		}
		for (size_t b0 = 0; b0 < nwho; b0 += batch) {
			size_t b1 = b0 + batch < nwho ? b0 + batch : nwho;
			for (int h = 0; h < H_THREADS; h++) {
				J[h].S = S;
				J[h].who = who;
				J[h].from = b0 + (b1 - b0) * h / H_THREADS;
				J[h].to = b0 + (b1 - b0) * (h + 1) / H_THREADS;
				J[h].out = ms + J[h].from - b0;
			}
			par_run(H_THREADS, r2_run, J, sizeof J[0]);
			for (int h = 0; h < H_THREADS; h++)
				check(J[h].st, "simulated masked input");
			res->recv[2] += srv_recv_all(S, ms, b1 - b0);
			free_msgs(ms, b1 - b0);
		}
		for (int h = 0; h < H_THREADS; h++) {
			for (uint32_t e = 0; e < m; e++)
				S->expected[e] += J[h].exp[e];
			free(J[h].exp);
		}
		free(who);
	}
	res->close[2] = srv_close(S, 2);

	/* ---- round 3: ConsistencyCheck ---- */
	fprintf(stderr, " r3");
	real_round(S, 3, ms, res);
	{
		uint8_t *stmt;
		size_t stmt_len;
		check(sa_consistency_signed(&stmt, &stmt_len, S->ctx, S->u3_be, S->n3, 8), "consistency");
		cnt = K_REAL;
		for (uint32_t i = 0; i < n; i++)
			if (S->u[i].role == ROLE_ALIVE)
				sim_round3(S, i, stmt, stmt_len, &ms[cnt++]);
		sa_free(stmt);
	}
	res->recv[3] = srv_recv_all(S, ms, cnt);
	free_msgs(ms, cnt);
	res->close[3] = srv_close(S, 3);

	/* ---- round 4: Unmasking ---- */
	fprintf(stderr, " r4");
	real_round(S, 4, ms, res);
	cnt = K_REAL;
	for (uint32_t i = 0; i < n; i++)
		if (S->u[i].role == ROLE_ALIVE)
			sim_round4(S, i, &ms[cnt++]);
	res->recv[4] = srv_recv_all(S, ms, cnt);
	free_msgs(ms, cnt);
	res->ok = 1;
	for (unsigned threads = 1; threads <= 2; threads++) {
		fprintf(stderr, " unmask@%uT", threads);
		uint8_t *out;
		size_t out_len;
		double c0 = cpu_now(), t0 = now();
		sa_status st = sa_server_round(S->img, S->img_len, threads, &out, &out_len);
		double t = now() - t0, c = cpu_now() - c0;
		check(st, "sa_server_round (unmasking)");
		if (threads == 1) {
			res->close4_1 = t;
			res->cpu_unm1 = c;
			res->cpu_srv1 = g_srv_cpu + c;
		}
		else
			res->close4_2 = t;
		sa_output_view ov;
		check(sa_output_open(out, out_len, &ov), "sa_output_open (sum)");
		if (ov.kind != SA_OUTPUT_VECTOR || ov.count != m)
			res->ok = 0;
		else
			for (uint32_t e = 0; e < m; e++)
				if (sa_output_vector_at(&ov, e) != S->expected[e]) {
					res->ok = 0;
					break;
				}
		sa_free(out);
	}

	/* ---- raw PRG floor: exactly the unmasking round's expansions ---- */
	size_t n3 = n - S->d, E = n3 + (size_t) S->d * n3;
	size_t cap = opt_exact_prg ? E : (size_t) (opt_prg_cap / m);
	fprintf(stderr, " prg");
	res->prg1 = prg_floor(E, m, 1, 0, cap, &res->prg_sampled);
	res->cpu_prg1 = g_prg_cpu;
	res->prg2 = prg_floor(E, m, 2, 0, cap, &res->prg_sampled);
	res->evp1 = prg_floor(E, m, 1, 1, opt_exact_prg ? E : cap / 4, &res->evp_sampled);

	for (int k = 0; k < K_REAL; k++) {
		sa_client_free(S->cl[k]);
		free(S->real_x[k]);
		free(S->inbox[k]);
		free(S->real_r1[k]);
	}
	sodium_memzero(S->u, (size_t) n * sizeof(user));
	free(S->u);
	free(ms);
	free(S->ids);
	free(S->sign_pk);
	free(S->sign_sk);
	free(S->partners);
	free(S->img);
	free(S->u3_be);
	free(S->expected);
}

/* ---------------------------------------------------------------------- */
/* context: one mask of m elements with each keystream                     */
/* ---------------------------------------------------------------------- */

typedef struct mask_costs {
	double sa, evp, chacha;         /* seconds per mask of m elements */
} mask_costs;

static mask_costs
measure_mask_costs(size_t m)
{
	mask_costs c;
	int dummy;
	size_t calls = m >= 50000 ? 1000 : 10000;
	c.sa = prg_floor(calls, m, 1, 0, calls, &dummy) / (double) calls;
	c.evp = prg_floor(calls, m, 1, 1, calls, &dummy) / (double) calls;
	uint8_t *buf = xmalloc(m * 8);
	uint8_t key[32] = { 7 }, nonce[12] = { 0 };
	double t0 = now();
	for (size_t i = 0; i < calls; i++) {
		sa_store_u64_be(key, i);
		crypto_stream_chacha20_ietf(buf, m * 8, nonce, key);
	}
	c.chacha = (now() - t0) / (double) calls;
	free(buf);
	return c;
}

/* ---------------------------------------------------------------------- */
/* output                                                                 */
/* ---------------------------------------------------------------------- */

static const char *
fms(char *b, double sec)
{
	double ms = sec * 1e3;
	if (ms < 10)
		snprintf(b, 16, "%.2f", ms);
	else if (ms < 1000)
		snprintf(b, 16, "%.1f", ms);
	else
		snprintf(b, 16, "%.0f", ms);
	return b;
}

static void
machine_info(void)
{
	char model[256] = "unknown", line[8192];
	int aes = 0, vaes = 0, avx2 = 0, avx512 = 0;
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof line, f)) {
			if (strncmp(line, "model name", 10) == 0 && strcmp(model, "unknown") == 0) {
				char *c = strchr(line, ':');
				if (c) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = 0;
				}
			}
			if (strncmp(line, "flags", 5) == 0) {
				aes = strstr(line, " aes") != NULL;
				vaes = strstr(line, " vaes") != NULL;
				avx2 = strstr(line, " avx2") != NULL;
				avx512 = strstr(line, " avx512f") != NULL;
			}
		}
		fclose(f);
	}
	double la[3] = { 0, 0, 0 };
	f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
			la[0] = -1;
		fclose(f);
	}
	printf("machine: %s, nproc %ld, flags:%s%s%s%s\n", model, sysconf(_SC_NPROCESSORS_ONLN),
	       aes ? " aes" : "", vaes ? " vaes" : "", avx2 ? " avx2" : "", avx512 ? " avx512f" : "");
	printf("libs: %s, libsodium %s\n", OpenSSL_version(OPENSSL_VERSION), sodium_version_string());
	printf("load average at start: %.2f %.2f %.2f (other processes share the 2 cores; times are wall clock)\n",
	       la[0], la[1], la[2]);
}

static void
print_header(void)
{
	printf("\nAll times in ms (median over R runs). K = %d real clients; t = n/2 + 1; "
	       "d = dropped users (after ShareKeys).\n", K_REAL);
	printf("client  : sa_client_round per round (median of the K real clients); tot = median of their totals\n");
	printf("recv    : all sa_server_recv calls of the round; close: sa_server_round; "
	       "unm1/unm2 = unmasking close on 1/2 threads\n");
	printf("srv     : server total, sum of recv + close of all rounds with unm1 (unm2 in brackets)\n");
	printf("masks   : expansions of the unmasking round, (n-d) + d(n-d); prg1/prg2 = that many "
	       "sa_mask_expand calls on 1/2 threads\n");
	printf("          (~ = timed on the first %.0e elements' worth of them and scaled: identical calls, "
	       "linear); r1 = unm1/prg1, r2 = unm2/prg2;\n", opt_prg_cap);
	printf("          evp = raw OpenSSL AES-128-CTR keystream, same count, 1 thread (~ = sampled on a "
	       "quarter of that); chacha = libsodium\n");
	printf("          ChaCha20-IETF for the same bytes, estimated from its per-mask cost above\n");
	printf("c.*     : the same in thread CPU time (1-thread work only): client total, server total "
	       "with unm1, unm1, prg1, c.r1 = c.unm1/c.prg1.\n");
	printf("          CPU time leaves out the time other processes took the core; wall > CPU means "
	       "the machine was busy\n");
	printf("\n%5s %6s %4s %4s %2s | %6s %6s %7s %5s %6s %7s | %6s %7s %7s %5s %6s | %6s %7s %6s %5s"
	       " %8s %8s | %8s %9s | %6s %8s %8s %5s %5s %8s %8s | %7s %8s %8s %8s %5s | %s\n",
	       "n", "m", "drop", "d", "R",
	       "cli0", "cli1", "cli2", "cli3", "cli4", "clitot",
	       "recv0", "recv1", "recv2", "recv3", "recv4",
	       "close0", "close1", "close2", "close3", "unm1", "unm2",
	       "srv1T", "(srv2T)",
	       "masks", "prg1", "prg2", "r1", "r2", "evp", "chacha",
	       "c.cli", "c.srv1T", "c.unm1", "c.prg1", "c.r1", "sum");
	fflush(stdout);
}

static void
print_row(uint32_t n, uint32_t m, uint32_t dpct, const result *rs, int R, const mask_costs *mc)
{
	double v[MAX_REPS];
	result med;
	memset(&med, 0, sizeof med);
#define MED(field) do { for (int r = 0; r < R; r++) v[r] = rs[r].field; med.field = median(v, R); } while (0)
	for (int i = 0; i < 5; i++) {
		MED(cli[i]);
		MED(recv[i]);
	}
	for (int i = 0; i < 4; i++)
		MED(close[i]);
	MED(cli_tot); MED(close4_1); MED(close4_2); MED(prg1); MED(prg2); MED(evp1);
	MED(cpu_cli_tot); MED(cpu_srv1); MED(cpu_unm1); MED(cpu_prg1);
#undef MED
	/* server totals and ratios: median of the per-run values */
	double tot1[MAX_REPS], tot2[MAX_REPS], r1[MAX_REPS], r2[MAX_REPS], rc[MAX_REPS];
	int ok = 1;
	for (int r = 0; r < R; r++) {
		double base = 0;
		for (int i = 0; i < 5; i++)
			base += rs[r].recv[i];
		for (int i = 0; i < 4; i++)
			base += rs[r].close[i];
		tot1[r] = base + rs[r].close4_1;
		tot2[r] = base + rs[r].close4_2;
		r1[r] = rs[r].close4_1 / rs[r].prg1;
		r2[r] = rs[r].close4_2 / rs[r].prg2;
		rc[r] = rs[r].cpu_unm1 / rs[r].cpu_prg1;
		ok &= rs[r].ok;
	}
	uint32_t d = n * dpct / 100;
	size_t E = (size_t) (n - d) + (size_t) d * (n - d);
	char b[32][16];
	char pb1[20], pb2[20], eb[20], tb2[20];
	snprintf(pb1, sizeof pb1, "%s%s", rs[0].prg_sampled ? "~" : "", fms(b[20], med.prg1));
	snprintf(pb2, sizeof pb2, "%s%s", rs[0].prg_sampled ? "~" : "", fms(b[21], med.prg2));
	snprintf(eb, sizeof eb, "%s%s", rs[0].evp_sampled ? "~" : "", fms(b[22], med.evp1));
	snprintf(tb2, sizeof tb2, "(%s)", fms(b[23], median(tot2, R)));
	printf("%5u %6u %3u%% %4u %2d | %6s %6s %7s %5s %6s %7s | %6s %7s %7s %5s %6s | %6s %7s %6s %5s"
	       " %8s %8s | %8s %9s | %6zu %8s %8s %5.2f %5.2f %8s %8s | %7s %8s %8s %8s %5.2f | %s\n",
	       n, m, dpct, d, R,
	       fms(b[0], med.cli[0]), fms(b[1], med.cli[1]), fms(b[2], med.cli[2]), fms(b[3], med.cli[3]),
	       fms(b[4], med.cli[4]), fms(b[5], med.cli_tot),
	       fms(b[6], med.recv[0]), fms(b[7], med.recv[1]), fms(b[8], med.recv[2]),
	       fms(b[9], med.recv[3]), fms(b[10], med.recv[4]),
	       fms(b[11], med.close[0]), fms(b[12], med.close[1]), fms(b[13], med.close[2]),
	       fms(b[14], med.close[3]), fms(b[15], med.close4_1), fms(b[16], med.close4_2),
	       fms(b[17], median(tot1, R)), tb2,
	       E, pb1, pb2, median(r1, R), median(r2, R), eb, fms(b[18], (double) E * mc->chacha),
	       fms(b[24], med.cpu_cli_tot), fms(b[25], med.cpu_srv1), fms(b[26], med.cpu_unm1),
	       fms(b[27], med.cpu_prg1), median(rc, R), ok ? "OK" : "MISMATCH");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	int quick = 0, reps = 3, reps_big = 1, client_threads = 2;
	long only_n = -1, only_m = -1, only_d = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0)
			quick = 1;
		else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
			reps = atoi(argv[++i]);
		else if (strcmp(argv[i], "--reps-big") == 0 && i + 1 < argc)
			reps_big = atoi(argv[++i]);
		else if (strcmp(argv[i], "--client-threads") == 0 && i + 1 < argc)
			client_threads = atoi(argv[++i]);
		else if (strcmp(argv[i], "--exact-prg") == 0)
			opt_exact_prg = 1;
		else if (strcmp(argv[i], "--prg-cap") == 0 && i + 1 < argc)
			opt_prg_cap = atof(argv[++i]);
		else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
			if (sscanf(argv[++i], "%ld,%ld,%ld", &only_n, &only_m, &only_d) != 3) {
				fprintf(stderr, "--only N,M,D\n");
				return 2;
			}
		} else {
			fprintf(stderr, "usage: %s [--quick] [--reps R] [--reps-big R] [--only N,M,D] "
			        "[--exact-prg] [--prg-cap C] [--client-threads T]\n", argv[0]);
			return 2;
		}
	}
	if (reps < 1 || reps > MAX_REPS || reps_big < 1 || reps_big > MAX_REPS || opt_prg_cap < 1e6) {
		fprintf(stderr, "bench_secagg: bad --reps / --reps-big / --prg-cap\n");
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "bench_secagg: sodium_init failed\n");
		return 2;
	}
	static const uint32_t NS[] = { 100, 500, 1000 }, MS[] = { 10000, 100000 }, DS[] = { 0, 10, 30 };
	/* the real clients' secret sharing uses this many threads (secagg.threads, default 2) */
	sa_set_default_threads(client_threads < 1 ? 1 : (unsigned) client_threads);
	hprg_selftest();
	double t_start = now();
	printf("bench_secagg: secure aggregation per round (Bonawitz et al. 2017, Figure 8 setting)%s\n",
	       quick ? " [--quick]" : "");
	machine_info();
	printf("real clients: secret sharing on %d thread(s) (--client-threads)\n", client_threads);

	/* context: the keystreams per mask, once per m */
	mask_costs mc[2];
	printf("\nOne mask of m elements (1 thread):\n");
	for (int mi = 0; mi < 2; mi++) {
		if ((quick || only_m >= 0) && MS[mi] != (quick ? 10000u : (uint32_t) only_m))
			continue;
		fprintf(stderr, "mask costs m=%u\n", MS[mi]);
		mc[mi] = measure_mask_costs(MS[mi]);
		double gb = (double) MS[mi] * 8 / 1e9;
		printf("  m = %6u: sa_mask_expand %.3f ms (%.2f GB/s) | raw OpenSSL EVP AES-128-CTR %.3f ms "
		       "(%.2f GB/s) | libsodium ChaCha20-IETF %.3f ms (%.2f GB/s)\n",
		       MS[mi], mc[mi].sa * 1e3, gb / mc[mi].sa, mc[mi].evp * 1e3, gb / mc[mi].evp,
		       mc[mi].chacha * 1e3, gb / mc[mi].chacha);
	}
	print_header();

	for (int mi = 0; mi < 2; mi++)
		for (int ni = 0; ni < 3; ni++)
			for (int di = 0; di < 3; di++) {
				uint32_t n = NS[ni], m = MS[mi], dp = DS[di];
				if (quick && !(n == 100 && m == 10000))
					continue;
				if (only_n >= 0 && !(n == (uint32_t) only_n && m == (uint32_t) only_m &&
				                     dp == (uint32_t) only_d))
					continue;
				uint32_t d = n * dp / 100;
				double elems = ((double) (n - d) + (double) d * (n - d)) * m;
				int R = elems > BIG_ELEMS ? reps_big : reps;
				result rs[MAX_REPS];
				for (int r = 0; r < R; r++) {
					double t0 = now();
					fprintf(stderr, "n=%u m=%u drop=%u%% run %d/%d:", n, m, dp, r + 1, R);
					run_session(n, m, dp, &rs[r]);
					fprintf(stderr, " %s (%.1f s, elapsed %.0f s)\n", rs[r].ok ? "OK" : "MISMATCH",
					        now() - t0, now() - t_start);
				}
				print_row(n, m, dp, rs, R, &mc[mi]);
			}
	double la = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &la) != 1)
			la = -1;
		fclose(f);
	}
	printf("\ntotal bench time %.0f s; load average at end %.2f\n", now() - t_start, la);
	return 0;
}
