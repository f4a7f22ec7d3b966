/*
 * bench_secagg_plus.c: per-round cost of SecAgg+ (Bell et al., CCS 2020):
 * sessions on a random k-regular Harary graph, k and t from the parameter
 * finder, with the AES-128-CTR floor of the unmasking round measured in the
 * same run (issue 8, section 3).
 *
 *   bench_secagg_plus              grid: n in {1,000, 10,000}, m = 100,000,
 *                                  dropouts {0, 10, 30} %, both server models
 *   bench_secagg_plus --quick      n = 1,000, m = 10,000, 30 % (seconds)
 *   options:  --only N,M,D,MODEL   one config (D in percent; MODEL hbc or sm)
 *             --reps R             repetitions of ordinary configs (default 3)
 *             --reps-big R         repetitions of big configs (default 1; big:
 *                                  the unmasking expands more than 8e8 elements)
 *             --threads T          threads of sa_server_round (default 2)
 *             --client-threads T   threads of the real clients (default 2)
 *             --real K             real clients (default 5, at most 16)
 *             --prg-cap E          the floor is timed on at most E mask elements'
 *                                  worth of expansions and scaled (default 2e9)
 *             --sql CONNINFO       the server in PostgreSQL instead of the C core
 *                                  (with --only; see "the server in PostgreSQL"
 *                                  below and bench/sql_server_plus.sh)
 *
 * Parameters. k and t come from sa_graph_params_find with n, corrupt fraction
 * 0.05, dropout fraction max(D / 100, 0.05) and the server model (the finder
 * needs a positive dropout bound to size t2 even when nobody drops).
 *
 * The harness. n real clients cost O(n k) Shamir, signatures and key
 * agreements plus n (k + 1) mask expansions, and hold n m-element vectors
 * (8 GB at n = 10,000, m = 100,000); a semi-malicious session at n = 10,000
 * (k = 522) would take most of an hour of client work on this machine. So,
 * as bench_secagg.c does for the complete graph, K users are REAL sa_client
 * objects (their per-round times are the client figures) and the other
 * n - K are SIMULATED from the public protocol primitives so that the real
 * server code (sa_server_recv / sa_server_close, timed) does exactly
 * the work of a session of n real clients:
 *   - the ring is read from a real client's round-1 message (Merkle root ->
 *     sa_ring_seed -> sa_graph_harary), as every client derives it;
 *   - AdvertiseKeys: fresh keys, a real Ed25519 signature;
 *   - ShareKeys: commitment to b, one entry per neighbour in id order (the
 *     server checks the list exactly); for a REAL neighbour a genuine
 *     XChaCha20-Poly1305 ciphertext of DEGENERATE shares (the secrets
 *     themselves: the constant polynomial, which Lagrange interpolation
 *     rebuilds exactly, so the server's reconstruction and its checks do
 *     the same work), random bytes for simulated neighbours (nobody
 *     decrypts them);
 *   - MaskedInputCollection: x + PRG(b) + the pairwise masks with the
 *     neighbours that are real or dropped. Masks between two surviving
 *     simulated neighbours are left out: they cancel in the sum;
 *   - ConsistencyCheck: a real signature on the digest of the U3 bitmap;
 *   - Unmasking: for each member of the closed neighbourhood, the secret
 *     itself (simulated) or the share the real neighbour encrypted to this
 *     user (decrypted here).
 * d = D % of n simulated users (chosen at random, never a real one) send
 * AdvertiseKeys and ShareKeys and then stop. Inputs are random u64; the
 * harness checks the server's sum over U3 exactly and fails loudly if it
 * differs. Everything the harness does is outside the timed regions.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "common/alloc.h"
#include "common/parallel.h"
#include "common/status.h"
#include "secagg/client.h"
#include "secagg/graph.h"
#include "secagg/graph_params.h"
#include "secagg/mask_prg.h"
#include "secagg/protocol.h"
#include "secagg/server.h"
#include "bench_prg.h"
#include "bench_util.h"
#include "common/codec.h"
#include "secagg/shamir.h"

#define MAX_REAL   16
#define H_THREADS  2           /* harness threads (outside timed regions) */
#define BIG_ELEMS  8e8
#define MAX_REPS   15
#define SHARE_ENT  41          /* id u64 | kind u8 | share 32 */

static const char *PROG = "bench_secagg_plus";

/* ---------------------------------------------------------------------- */
/* helpers                                                                */
/* ---------------------------------------------------------------------- */

static void
fail(const char *what)
{
	fprintf(stderr, "%s: %s\n", PROG, what);
	exit(2);
}

static void
check(sa_status st, const char *what)
{
	if (st != SA_OK) {
		fprintf(stderr, "%s: %s: %s\n", PROG, what, sa_status_message(st));
		exit(2);
	}
}

static void *
xmalloc(size_t len)
{
	void *p = malloc(len ? len : 1);
	if (p == NULL)
		fail("out of memory");
	return p;
}

static void *
xdup(const void *src, size_t len)
{
	void *p = xmalloc(len);
	memcpy(p, src, len);
	return p;
}

static void
par_run(unsigned threads, void *(*fn)(void *), void *args, size_t arg_size)
{
	pthread_t th[16];
	for (unsigned k = 1; k < threads; k++)
		if (pthread_create(&th[k], NULL, fn, (char *) args + k * arg_size) != 0)
			fail("pthread_create failed");
	fn(args);
	for (unsigned k = 1; k < threads; k++)
		pthread_join(th[k], NULL);
}

/* ---------------------------------------------------------------------- */
/* options and results                                                    */
/* ---------------------------------------------------------------------- */

static int opt_real = 5;
static unsigned opt_threads = 2;
static double opt_prg_cap = 2e9;

typedef struct config {
	uint32_t n, m, dpct;
	sa_graph_model model;
	uint32_t k, t;
	double delta;                   /* the dropout fraction given to the finder */
} config;

typedef struct result {
	double recv[5], close[5];       /* close[4]: the unmasking, opt_threads threads */
	double cli[5];                  /* median over the real clients */
	double prg1, prgT;              /* the floor on 1 and opt_threads threads */
	double kaT;                     /* the key agreements of the pairwise masks, opt_threads threads */
	size_t masks;                   /* expansions of the unmasking round */
	size_t max_out, max_img, max_msg;
	int prg_sampled, ok;
} result;

/* ---------------------------------------------------------------------- */
/* session                                                                */
/* ---------------------------------------------------------------------- */

enum { ROLE_ALIVE = 0, ROLE_DROPPED = 1, ROLE_REAL = 2 };

typedef struct user {
	int role, real;
	uint8_t c_sk[32], c_pk[32], r[32], s_pk[32], s_sk[32], b[32];
} user;

typedef struct msg {
	uint64_t id;
	uint8_t *p;
	size_t len;
} msg;

typedef struct session {
	const config *cf;
	uint32_t n, m, k, d;
	uint64_t seed;
	uint64_t *ids;
	uint8_t (*sign_pk)[32];
	uint8_t (*sign_sk)[64];
	sa_roster roster;
	user *u;
	uint8_t ctx[SA_CTX_BYTES];
	sa_graph g;
	int nreal;
	uint32_t real_pos[MAX_REAL];
	sa_client *cl[MAX_REAL];
	uint64_t *real_x[MAX_REAL];
	uint8_t *inbox[MAX_REAL];
	size_t inbox_len[MAX_REAL];
	msg real_r1[MAX_REAL];          /* their ShareKeys messages, for round 4 */
	uint8_t **r1_in;                /* per roster index: the ShareKeys / Unmasking message the server got */
	size_t *r1_in_len;
	uint8_t stmt3[SA_CONSISTENCY_GRAPH_BYTES];
	uint8_t *img;
	size_t img_len, img_cap;
	uint64_t *expected;
	result *res;
} session;

static const uint8_t SID[] = "bench-secagg-plus";

static void
put_c2s_header(uint8_t *p, const session *S, int round, uint64_t id)
{
	p[0] = SA_WIRE_VERSION_GRAPH;
	p[1] = SA_MSG_C2S(round);
	memcpy(p + 2, S->ctx, SA_CTX_BYTES);
	sa_store_u64_be(p + 2 + SA_CTX_BYTES, id);
}

static void
note_max(size_t *max, size_t v)
{
	if (v > *max)
		*max = v;
}

static long
real_of(const session *S, uint64_t id)
{
	long i = sa_roster_find(&S->roster, id);
	return i >= 0 && S->u[i].role == ROLE_REAL ? S->u[i].real : -1;
}

/* ---------------------------------------------------------------------- */
/* the server in PostgreSQL (--sql CONNINFO)                              */
/* ---------------------------------------------------------------------- */

/*
 * With --sql, the same session runs its server through the extension
 * instead of the C core: the state is a row of plus_session, every round's
 * messages are COPYed into plus_in, and each close is the statements of
 * the README's SecAgg+ walkthrough (server_round_agg ... GROUP BY session,
 * output_messages, share_routes + share_message_agg ... GROUP BY
 * recipient, unmask_shares + unmask_secret_agg ... GROUP BY owner +
 * unmask_agg). The harness reads back only what its real clients need,
 * untimed. recvN is the COPY of the round's messages; clN the statements.
 * The backend's peak resident memory is read from /proc (VmHWM, reset
 * before each round through clear_refs, so it needs the server on this
 * machine and the right to write there).
 */
typedef struct sqlsrv {
	PGconn *c;
	uint8_t *copy;                 /* the round's messages, binary COPY rows */
	size_t copy_len, copy_cap;
	int pid;
	int round;                     /* the round being closed */
	double peak[5];                /* the backend's peak RSS during each round's close (bytes) */
	size_t in_bytes[5];            /* the round's messages */
	size_t state_bytes[5];         /* the stored state after the round */
} sqlsrv;

static sqlsrv *DB;                 /* NULL: the C core is the server */

static PGresult *
sql_run(const char *q, int nparams, const char *const *params, int binary)
{
	PGresult *r = PQexecParams(DB->c, q, nparams, NULL, params, NULL, NULL, binary);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		fprintf(stderr, "%s: SQL failed: %s\n  in: %.200s\n", PROG, PQerrorMessage(DB->c), q);
		exit(2);
	}
	return r;
}

static void
sql_do(const char *q)
{
	PQclear(sql_run(q, 0, NULL, 0));
}

/* Reads a field of /proc/PID/status in kB, as bytes. */
static double
proc_kb(const char *field)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", DB->pid);
	FILE *f = fopen(path, "r");
	double v = -1;
	size_t fl = strlen(field);
	while (f != NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			v = atof(line + fl + 1) * 1024;
	if (f != NULL)
		fclose(f);
	return v;
}

/* Resets the backend's peak RSS to its current RSS (Linux clear_refs 5). */
static void
proc_reset_peak(void)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/clear_refs", DB->pid);
	FILE *f = fopen(path, "w");
	if (f != NULL) {
		fputs("5", f);
		fclose(f);
	}
}

static void
copy_put(const void *p, size_t len)
{
	if (DB->copy_len + len > DB->copy_cap) {
		size_t cap = DB->copy_cap ? DB->copy_cap : 1 << 20;
		while (cap < DB->copy_len + len)
			cap *= 2;
		uint8_t *q = realloc(DB->copy, cap);
		if (q == NULL)
			fail("out of memory (COPY buffer)");
		DB->copy = q;
		DB->copy_cap = cap;
	}
	memcpy(DB->copy + DB->copy_len, p, len);
	DB->copy_len += len;
}

static void
copy_u16(uint16_t v)
{
	uint8_t b[2] = { (uint8_t) (v >> 8), (uint8_t) v };
	copy_put(b, 2);
}

static void
copy_u32(uint32_t v)
{
	uint8_t b[4];
	sa_store_u32_be(b, v);
	copy_put(b, 4);
}

/* One row (round int, user_id bigint, message bytea) for the next COPY. */
static void
sql_add(int round, uint64_t id, const uint8_t *p, size_t len)
{
	if (DB->copy_len == 0)
		copy_put("PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0", 19);
	uint8_t b[8];
	copy_u16(3);
	copy_u32(4);
	copy_u32((uint32_t) round);
	copy_u32(8);
	sa_store_u64_be(b, id);
	copy_put(b, 8);
	copy_u32((uint32_t) len);
	copy_put(p, len);
	DB->in_bytes[round] += len;
}

/* Sends the pending rows to plus_in; returns the time it took. */
static double
sql_flush(void)
{
	double t0 = now();
	copy_u16(0xffff);
	PGresult *c = PQexec(DB->c, "COPY plus_in FROM STDIN (FORMAT binary)");
	if (PQresultStatus(c) != PGRES_COPY_IN)
		fail(PQerrorMessage(DB->c));
	PQclear(c);
	for (size_t off = 0; off < DB->copy_len; off += 1 << 20) {
		size_t n = DB->copy_len - off < (1u << 20) ? DB->copy_len - off : 1u << 20;
		if (PQputCopyData(DB->c, (const char *) DB->copy + off, (int) n) != 1)
			fail(PQerrorMessage(DB->c));
	}
	if (PQputCopyEnd(DB->c, NULL) != 1)
		fail(PQerrorMessage(DB->c));
	PGresult *r = PQgetResult(DB->c);
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: COPY failed: %s\n", PROG, PQerrorMessage(DB->c));
		exit(2);
	}
	PQclear(r);
	DB->copy_len = 0;
	return now() - t0;
}

/* The single bytea of a one-row query, as a malloc'd copy. */
static uint8_t *
sql_bytea(const char *q, size_t *len)
{
	PGresult *r = sql_run(q, 0, NULL, 1);
	if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0))
		fail("expected one non-NULL bytea");
	*len = (size_t) PQgetlength(r, 0, 0);
	uint8_t *p = xdup(PQgetvalue(r, 0, 0), *len);
	PQclear(r);
	return p;
}

/*
 * Runs a round's statement with the backend's peak memory tracked: the
 * growth of its private memory, VmHWM less the shared and file pages it
 * has mapped after the statement (which only grow) less its private pages
 * before: a lower bound, exact when it maps no new shared pages.
 */
static double
sql_timed(int round, const char *q)
{
	double anon0 = proc_kb("RssAnon");
	proc_reset_peak();
	double t0 = now();
	sql_do(q);
	double t = now() - t0;
	double grow = proc_kb("VmHWM") - proc_kb("RssShmem") - proc_kb("RssFile") - anon0;
	if (getenv("SQL_VERBOSE") != NULL)
		fprintf(stderr, "\n  round %d: %.3f s, private %.1fM, peak growth %.1fM: %.90s", round, t, anon0 / 1e6,
		        grow / 1e6, q);
	if (grow > DB->peak[round])
		DB->peak[round] = grow;
	return t;
}

/*
 * The session in SQL: the roster COPYed in, server_create with the
 * finder's graph object; its image must be the C core's, byte for byte.
 */
static void
sql_setup(session *S)
{
	sql_do("SET max_parallel_workers_per_gather = 0");
	sql_do("SET client_min_messages = warning");
	if (getenv("SQL_HASHAGG") == NULL)       /* as the README advises for large sessions */
		sql_do("SET enable_hashagg = off");
	sql_do("DROP TABLE IF EXISTS plus_users, plus_session, plus_in, plus_out, plus_to_user");
	sql_do("CREATE TABLE plus_users (id bigint, pk bytea)");
	sql_do("CREATE TABLE plus_session (id int PRIMARY KEY, state jsonb)");
	sql_do("CREATE TABLE plus_in (round int, user_id bigint, message bytea)");
	sql_do("ALTER TABLE plus_in ALTER COLUMN message SET STORAGE EXTERNAL");
	sql_do("CREATE TABLE plus_out (o bytea)");
	sql_do("ALTER TABLE plus_out ALTER COLUMN o SET STORAGE EXTERNAL");
	sql_do("CREATE TABLE plus_to_user (user_id bigint, message bytea)");
	sql_do("ALTER TABLE plus_to_user ALTER COLUMN message SET STORAGE EXTERNAL");
	for (uint32_t i = 0; i < S->n; i++)       /* the roster goes through plus_in's COPY as (id, key) rows */
		sql_add(0, S->ids[i], S->sign_pk[i], 32);
	DB->in_bytes[0] = 0;
	sql_flush();
	sql_do("INSERT INTO plus_users SELECT user_id, message FROM plus_in");
	sql_do("TRUNCATE plus_in");
	char sid[2 * sizeof SID + 1], q[1024];
	sodium_bin2hex(sid, sizeof sid, SID, sizeof SID - 1);
	snprintf(q, sizeof q,
	         "INSERT INTO plus_session SELECT 1, secagg.server_create('\\x%s'::bytea, %u, %u, "
	         "(SELECT secagg.roster(array_agg(id ORDER BY id), array_agg(pk ORDER BY id)) FROM plus_users), "
	         "graph => secagg.graph_params(%u, 0.05, %.17g, '%s'))",
	         sid, S->cf->t, S->m, S->n, S->cf->delta,
	         S->cf->model == SA_GRAPH_SEMI_MALICIOUS ? "semi-malicious" : "honest-but-curious");
	sql_do(q);
	size_t len;
	uint8_t *img = sql_bytea("SELECT decode(state->>'image', 'base64') FROM plus_session", &len);
	if (len != S->img_len || memcmp(img, S->img, len) != 0)
		fail("the SQL session's image differs from the C core's");
	free(img);
}

/* Per round: the messages COPYed in, the state after, the backend's peak memory growth while closing. */
static void
sql_report(void)
{
	printf("\nSQL server, per round (max over runs): in = the round's messages; state = stored state after;\n"
	       "peak = the largest growth of the backend's private memory during one of the round's statements (from VmHWM)\n");
	printf("round         in      state       peak\n");
	for (int r = 0; r < 5; r++)
		printf("%5d %10.1fM %9.1fM %9.1fM\n", r, DB->in_bytes[r] / 1e6, DB->state_bytes[r] / 1e6, DB->peak[r] / 1e6);
}

/* Connects; the server's own threads are --threads (secagg.threads). */
static void
sql_connect(const char *conninfo, int have_only)
{
	static sqlsrv db;
	if (!have_only)
		fail("--sql runs one configuration: give --only too");
	db.c = PQconnectdb(conninfo);
	if (PQstatus(db.c) != CONNECTION_OK)
		fail(PQerrorMessage(db.c));
	db.pid = PQbackendPID(db.c);
	DB = &db;
	char q[64];
	snprintf(q, sizeof q, "SET secagg.threads = %u", opt_threads);
	sql_do(q);
	PGresult *r = sql_run("SELECT extversion FROM pg_extension WHERE extname = 'secagg'", 0, NULL, 0);
	if (PQntuples(r) != 1)
		fail("--sql: the database has no secagg extension");
	printf("server: PostgreSQL backend %d, secagg %s, secagg.threads = %u, no parallel workers, %s\n", db.pid,
	       PQgetvalue(r, 0, 0), opt_threads,
	       getenv("SQL_HASHAGG") ? "hash aggregation allowed (SQL_HASHAGG)" : "enable_hashagg = off (groups by sorting)");
	PQclear(r);
}

/* The real clients' messages of the next round, from plus_to_user. */
static void
sql_fetch_real(session *S)
{
	char ids[MAX_REAL * 24 + 4] = "{";
	for (int k = 0; k < S->nreal; k++)
		snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%llu", k ? "," : "",
		         (unsigned long long) S->ids[S->real_pos[k]]);
	strcat(ids, "}");
	const char *p[1] = { ids };
	PGresult *r = sql_run("SELECT user_id, message FROM plus_to_user WHERE user_id = ANY($1::bigint[])", 1, p, 1);
	for (int row = 0; row < PQntuples(r); row++) {
		long k = real_of(S, sa_load_u64_be((const uint8_t *) PQgetvalue(r, row, 0)));
		if (k < 0)
			fail("a message for a user who is not real");
		S->inbox[k] = xdup(PQgetvalue(r, row, 1), (size_t) PQgetlength(r, row, 1));
		S->inbox_len[k] = (size_t) PQgetlength(r, row, 1);
	}
	PQclear(r);
}

/* Closes a round in SQL: the COPY, the round's aggregate, the new state; returns the statements' time. */
static double
sql_close(session *S, int round, uint8_t **out, size_t *out_len)
{
	DB->round = round;
	S->res->recv[round] += sql_flush();
	char q[512];
	snprintf(q, sizeof q,
	         "INSERT INTO plus_out SELECT secagg.server_round_agg(s.state, m.user_id, m.message) "
	         "FROM plus_session s JOIN plus_in m ON m.round = %d GROUP BY s.id", round);
	double t = sql_timed(round, "TRUNCATE plus_out");
	t += sql_timed(round, q);
	t += sql_timed(round, "UPDATE plus_session SET state = secagg.output_state((SELECT o FROM plus_out))");
	*out = sql_bytea("SELECT o FROM plus_out", out_len);
	PGresult *r = sql_run("SELECT pg_column_size(state) FROM plus_session", 0, NULL, 0);
	DB->state_bytes[round] = (size_t) strtoull(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	note_max(&S->res->max_out, *out_len);
	return t;
}

/* The next round's messages in SQL: derived from the output, or routed from the round's rows. */
static double
sql_messages(session *S, int routed)
{
	double t = sql_timed(DB->round, "TRUNCATE plus_to_user");
	t += sql_timed(DB->round, routed
	    ? "INSERT INTO plus_to_user SELECT x.recipient, secagg.share_message_agg(x.route) "
	      "FROM plus_out, plus_in m, LATERAL secagg.share_routes(plus_out.o, m.user_id, m.message) x "
	      "GROUP BY x.recipient"
	    : "INSERT INTO plus_to_user SELECT x.user_id, x.message FROM plus_out, LATERAL secagg.output_messages(plus_out.o) x");
	sql_fetch_real(S);
	sql_do("TRUNCATE plus_in");
	return t;
}

/* The unmasking in SQL: shares to their owners, secrets rebuilt, the sum. */
static double
sql_unmask(uint8_t **out, size_t *out_len)
{
	double t = sql_timed(4,
	    "UPDATE plus_out SET o = (SELECT secagg.unmask_agg(plus_out.o, g.secret) FROM "
	    "(SELECT secagg.unmask_secret_agg(x.share) AS secret "
	    "FROM plus_in m, secagg.unmask_shares(plus_out.o, m.user_id, m.message) x GROUP BY x.owner) g)");
	t += sql_timed(4, "UPDATE plus_session SET state = secagg.output_state((SELECT o FROM plus_out))");
	*out = sql_bytea("SELECT o FROM plus_out", out_len);
	return t;
}

/* ---- the server, timed ---- */

/* One sa_server_recv, timed; the buffer is doubled untimed when it is full. */
static double
srv_recv(session *S, uint64_t id, const uint8_t *p, size_t len)
{
	note_max(&S->res->max_msg, len);
	if (DB != NULL) {
		sql_add(p[1] - SA_MSG_C2S(0), id, p, len);
		return 0;
	}
	for (;;) {
		size_t need = 0;
		double t0 = now();
		sa_status st = sa_server_recv(S->img, &S->img_len, S->img_cap, id, p, len, &need);
		double t = now() - t0;
		if (st == SA_OK) {
			note_max(&S->res->max_img, S->img_len);
			if (p[1] == SA_MSG_C2S(1) || p[1] == SA_MSG_C2S(4)) {   /* kept for the routing, as a host's table does */
				long i = sa_roster_find(&S->roster, id);
				S->r1_in[i] = xdup(p, len);
				S->r1_in_len[i] = len;
			}
			return t;
		}
		if (st != SA_ERR_LIMIT)
			check(st, "sa_server_recv");
		size_t cap = S->img_cap * 2 > need ? S->img_cap * 2 : need;
		uint8_t *q = realloc(S->img, cap);
		if (q == NULL)
			fail("out of memory (image)");
		S->img = q;
		S->img_cap = cap;
	}
}

/* Routes of the real clients' round-2 messages (the others are built and dropped). */
typedef struct route_acc {
	uint8_t **buf;
	size_t *len;
	const sa_roster *r;
	size_t *cap;
} route_acc;

/* Appends `size` bytes to group i, doubling its buffer as a host's aggregate state does. */
static void
group_append(uint8_t **buf, size_t *len, size_t *cap, const void *row, size_t size)
{
	if (*len + size > *cap) {
		*cap = *cap ? 2 * *cap : 16 * size;
		uint8_t *q = realloc(*buf, *cap);
		if (q == NULL)
			fail("out of memory (rows)");
		*buf = q;
	}
	memcpy(*buf + *len, row, size);
	*len += size;
}

static sa_status
take_route(void *arg, uint64_t to, const uint8_t route[SA_ROUTE_BYTES])
{
	route_acc *A = arg;
	long i = sa_roster_find(A->r, to);
	if (i < 0)
		return SA_ERR_UNKNOWN_USER;
	group_append(&A->buf[i], &A->len[i], &A->cap[i], route, SA_ROUTE_BYTES);
	return SA_OK;
}

/*
 * A ROUTES output: what a host does with its rows — every ShareKeys
 * message split into routes, every recipient's message built — timed by
 * the caller; the real clients' messages go to their inboxes.
 */
static void
route_round1(session *S, const uint8_t *out, size_t out_len)
{
	sa_routes rv;
	check(sa_routes_open(out, out_len, &rv), "sa_routes_open");
	route_acc A = { calloc(S->n, sizeof(uint8_t *)), calloc(S->n, sizeof(size_t)), &S->roster,
	                calloc(S->n, sizeof(size_t)) };
	for (uint32_t i = 0; i < S->n; i++)
		if (S->r1_in[i] != NULL)
			check(sa_routes_split(&rv, S->ids[i], S->r1_in[i], S->r1_in_len[i], take_route, &A),
			      "sa_routes_split");
	for (uint32_t i = 0; i < S->n; i++) {
		if (A.buf[i] == NULL)
			continue;
		uint8_t *m;
		size_t ml;
		check(sa_share_message(A.buf[i], A.len[i] / SA_ROUTE_BYTES, &m, &ml), "sa_share_message");
		long k = real_of(S, S->ids[i]);
		if (k >= 0) {
			S->inbox[k] = xdup(m, ml);
			S->inbox_len[k] = ml;
		}
		sa_free(m);
		free(A.buf[i]);
		free(S->r1_in[i]);
		S->r1_in[i] = NULL;
	}
	free(A.buf);
	free(A.len);
	free(A.cap);
}

/* Shares grouped by owner, and each owner's secret rebuilt on the worker threads. */
typedef struct share_groups {
	uint8_t **buf;
	size_t *len, *cap;
	const sa_roster *r;
	uint8_t *secrets;
	uint32_t *owners;          /* roster indices with shares */
	sa_status st[64];
} share_groups;

static sa_status
take_share(void *arg, uint64_t owner, const uint8_t share[SA_UNMASK_SHARE_BYTES])
{
	share_groups *G = arg;
	long i = sa_roster_find(G->r, owner);
	if (i < 0)
		return SA_ERR_UNKNOWN_USER;
	group_append(&G->buf[i], &G->len[i], &G->cap[i], share, SA_UNMASK_SHARE_BYTES);
	return SA_OK;
}

static void
rebuild_range(void *arg, unsigned w, size_t from, size_t to)
{
	share_groups *G = arg;
	G->st[w] = SA_OK;
	for (size_t j = from; j < to && G->st[w] == SA_OK; j++) {
		uint32_t i = G->owners[j];
		G->st[w] = sa_unmask_rebuild(G->buf[i], G->len[i] / SA_UNMASK_SHARE_BYTES,
		                             G->secrets + j * SA_UNMASK_SECRET_BYTES);
	}
}

/*
 * An UNMASK output: what a host does with its rows — every Unmasking
 * message split into shares, each owner's secret rebuilt (on opt_threads
 * threads, as a parallel GROUP BY would), the sum from the secrets.
 */
static void
unmask_rows(session *S, const uint8_t *blob, size_t len, uint8_t **out, size_t *out_len)
{
	sa_unmask_view uv;
	check(sa_unmask_open(blob, len, &uv), "sa_unmask_open");
	share_groups G = { calloc(S->n, sizeof(uint8_t *)), calloc(S->n, sizeof(size_t)), calloc(S->n, sizeof(size_t)), &S->roster,
	                   calloc(S->n, SA_UNMASK_SECRET_BYTES), calloc(S->n, sizeof(uint32_t)), { SA_OK } };
	for (uint32_t i = 0; i < S->n; i++)
		if (S->r1_in[i] != NULL) {
			check(sa_unmask_split(&uv, S->ids[i], S->r1_in[i], S->r1_in_len[i], take_share, &G),
			      "sa_unmask_split");
			free(S->r1_in[i]);
			S->r1_in[i] = NULL;
		}
	size_t no = 0;
	for (uint32_t i = 0; i < S->n; i++)
		if (G.buf[i] != NULL)
			G.owners[no++] = i;
	unsigned used = sa_parallel_for(no, (unsigned) opt_threads, rebuild_range, &G);
	for (unsigned w = 0; w < used; w++)
		check(G.st[w], "sa_unmask_rebuild");
	uint64_t failed = 0;
	check(sa_unmask_finish(blob, len, G.secrets, no, (unsigned) opt_threads, out, out_len, &failed),
	      "sa_unmask_finish");
	for (uint32_t i = 0; i < S->n; i++)
		free(G.buf[i]);
	sodium_memzero(G.secrets, (size_t) S->n * SA_UNMASK_SECRET_BYTES);
	free(G.secrets);
	free(G.buf);
	free(G.len);
	free(G.cap);
	free(G.owners);
}

/*
 * Installs the next image and the real clients' inboxes from a round
 * output; returns the time the host's part took (deriving every user's
 * message of rounds 0 and 3, routing round 1).
 */
static double
apply_output(session *S, const uint8_t *out, size_t out_len)
{
	sa_output_view ov;
	check(sa_output_open(out, out_len, &ov), "sa_output_open");
	free(S->img);
	S->img = xdup(ov.state, ov.state_len);
	S->img_len = S->img_cap = ov.state_len;
	note_max(&S->res->max_img, ov.state_len);
	for (int k = 0; k < S->nreal; k++) {
		free(S->inbox[k]);
		S->inbox[k] = NULL;
	}
	if (ov.kind == SA_OUTPUT_VECTOR)
		return 0;
	if (DB != NULL)
		return sql_messages(S, ov.kind == SA_OUTPUT_ROUTES);
	double t0 = now();
	if (ov.kind == SA_OUTPUT_ROUTES) {
		route_round1(S, out, out_len);
		return now() - t0;
	}
	size_t ml;
	uint64_t id;
	const uint8_t *mp;
	bool end = false;
	sa_output_cursor *c;
	check(sa_output_cursor_open(&ov, &c), "sa_output_cursor_open");
	while (check(sa_output_cursor_next(c, &id, &mp, &ml, &end), "sa_output_cursor_next"), !end) {
		long k = real_of(S, id);
		if (k >= 0) {
			S->inbox[k] = xdup(mp, ml);
			S->inbox_len[k] = ml;
		}
	}
	sa_output_cursor_free(c);
	return now() - t0;
}

/* Closes a round (timed) and checks the size of the next user set. */
static double
srv_close(session *S, int round, uint8_t **out, size_t *out_len)
{
	if (DB != NULL)
		return sql_close(S, round, out, out_len);
	uint64_t blame = 0;
	double t0 = now();
	sa_round_opts o = { (unsigned) opt_threads, NULL, 0, false, 0, &blame };
	sa_status st = sa_server_close(S->img, S->img_len, &o, out, out_len);
	double t = now() - t0;
	if (st != SA_OK) {
		fprintf(stderr, "%s: round %d close failed: %s (user %llu)\n", PROG, round,
		        sa_status_message(st), (unsigned long long) blame);
		exit(2);
	}
	note_max(&S->res->max_out, *out_len);
	return t;
}

static void
srv_close_apply(session *S, int round)
{
	uint8_t *out;
	size_t out_len;
	S->res->close[round] = srv_close(S, round, &out, &out_len);
	S->res->close[round] += apply_output(S, out, out_len);
	sa_free(out);
	sa_server_info info;
	check(sa_server_info_get(S->img, S->img_len, &info), "sa_server_info_get");
	uint32_t want[4] = { S->n, S->n, S->n - S->d, S->n - S->d };
	uint32_t got[4] = { info.u1, info.u2, info.u3, info.u4 };
	if (got[round] != want[round]) {
		fprintf(stderr, "%s: round %d closed with %u users, expected %u\n", PROG, round,
		        got[round], want[round]);
		exit(2);
	}
}

/* ---- the real clients, timed ---- */

static void
real_round(session *S, int round)
{
	double t[MAX_REAL];
	for (int k = 0; k < S->nreal; k++) {
		if (S->inbox[k] == NULL) {
			fprintf(stderr, "%s: real client %d has no message in round %d\n", PROG, k, round);
			exit(2);
		}
		uint8_t *o;
		size_t ol;
		double t0 = now();
		sa_status st = sa_client_round(S->cl[k], S->inbox[k], S->inbox_len[k], &o, &ol);
		t[k] = now() - t0;
		check(st, "sa_client_round");
		uint64_t id = S->ids[S->real_pos[k]];
		S->res->recv[round] += srv_recv(S, id, o, ol);
		if (round == 1)
			S->real_r1[k] = (msg) { id, xdup(o, ol), ol };
		sa_free(o);
	}
	S->res->cli[round] = median(t, S->nreal);
}

/* ---- the simulated users ---- */

static void
sim_keys(user *u)
{
	do {
		randombytes_buf(u->c_sk, 32);
		crypto_scalarmult_base(u->c_pk, u->c_sk);
		sa_scalar_random(u->r);
		sa_mask_keypair(u->s_pk, u->s_sk, u->r);
	} while (memcmp(u->c_pk, u->s_pk, 32) == 0);
	sa_scalar_random(u->b);
}

static msg
sim_round0(const session *S, uint32_t i)
{
	const user *u = &S->u[i];
	uint8_t signed_msg[SA_ADVERTISE_SIGNED_BYTES];
	msg o = { S->ids[i], NULL, SA_C2S_HEADER_BYTES + 128 };
	o.p = xmalloc(o.len);
	put_c2s_header(o.p, S, 0, o.id);
	memcpy(o.p + SA_C2S_HEADER_BYTES, u->c_pk, 32);
	memcpy(o.p + SA_C2S_HEADER_BYTES + 32, u->s_pk, 32);
	sa_advertise_signed(signed_msg, S->ctx, o.id, u->c_pk, u->s_pk);
	crypto_sign_detached(o.p + SA_C2S_HEADER_BYTES + 64, NULL, signed_msg, sizeof signed_msg,
	                     S->sign_sk[i]);
	return o;
}

/* The genuine ciphertext entry from simulated i to real j: degenerate shares. */
static void
sim_encrypt_to_real(const session *S, uint32_t i, uint32_t j, uint8_t *ent)
{
	const user *u = &S->u[i];
	const uint8_t *c_pk_v = S->u[j].c_pk;
	uint64_t id = S->ids[i], v = S->ids[j];
	uint8_t q[32], key[32], plain[SA_SHARE_PLAIN_BYTES], ad[SA_SHARE_AD_BYTES];
	check(sa_kx_agree(q, u->c_sk, c_pk_v), "sa_kx_agree (share)");
	sa_share_enc_key(key, S->ctx, q, id, u->c_pk, v, c_pk_v);
	sa_store_u64_be(plain, id);
	sa_store_u64_be(plain + 8, v);
	memcpy(plain + 16, u->r, 32);
	memcpy(plain + 48, u->b, 32);
	sa_share_ad(ad, S->ctx, id, v);
	randombytes_buf(ent + 8, SA_NONCE_BYTES);
	crypto_aead_xchacha20poly1305_ietf_encrypt(ent + 8 + SA_NONCE_BYTES, NULL, plain, sizeof plain,
	                                           ad, sizeof ad, NULL, ent + 8, key);
}

/* ShareKeys of simulated i: every neighbour is in U1 (nobody drops before round 2). */
static msg
sim_round1(const session *S, uint32_t i, uint32_t *nb)
{
	uint32_t k = sa_graph_neighbours(&S->g, i, nb);
	msg o = { S->ids[i], NULL, SA_C2S_HEADER_BYTES + SA_COMMIT_BYTES + 4 + (size_t) k * SA_CT_ENTRY_BYTES };
	o.p = xmalloc(o.len);
	uint8_t *p = o.p;
	put_c2s_header(p, S, 1, o.id);
	p += SA_C2S_HEADER_BYTES;
	sa_self_commit(p, S->ctx, o.id, S->u[i].b);
	sa_store_u32_be(p + SA_COMMIT_BYTES, k);
	p += SA_COMMIT_BYTES + 4;
	randombytes_buf(p, (size_t) k * SA_CT_ENTRY_BYTES);
	for (uint32_t d = 0; d < k; d++, p += SA_CT_ENTRY_BYTES) {
		sa_store_u64_be(p, S->ids[nb[d]]);
		if (S->u[nb[d]].role == ROLE_REAL)
			sim_encrypt_to_real(S, i, nb[d], p);
	}
	return o;
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

static sa_status
sim_masked(const session *S, EVP_CIPHER_CTX *prg, uint32_t i, uint64_t *y, uint32_t *nb)
{
	const user *u = &S->u[i];
	uint64_t id = S->ids[i];
	uint8_t key[SA_MASK_KEY_BYTES], q[32];
	sa_self_mask_key(key, S->ctx, id, u->b);
	hprg_apply(prg, y, S->m, key, 1);
	uint32_t k = sa_graph_neighbours(&S->g, i, nb);
	for (uint32_t d = 0; d < k; d++) {
		const user *w = &S->u[nb[d]];
		if (w->role == ROLE_ALIVE)
			continue;               /* cancels with w's mask on u */
		sa_status st = sa_kx_agree(q, u->s_sk, w->s_pk);
		if (st != SA_OK)
			return st;
		sa_pair_mask_key(key, S->ctx, q, id, u->s_pk, S->ids[nb[d]], w->s_pk);
		hprg_apply(prg, y, S->m, key, sa_mask_sign(id, S->ids[nb[d]]));
	}
	return SA_OK;
}

static void *
r2_run(void *arg)
{
	r2_job *J = arg;
	session *S = J->S;
	size_t m = S->m;
	uint64_t *y = xmalloc(m * 8);
	uint32_t *nb = xmalloc(((size_t) S->k + 1) * 4);
	EVP_CIPHER_CTX *prg = EVP_CIPHER_CTX_new();
	J->st = prg ? SA_OK : SA_ERR_NOMEM;
	for (size_t w = J->from; w < J->to && J->st == SA_OK; w++) {
		uint32_t i = J->who[w];
		uint64_t id = S->ids[i];
		gen_x(y, m, S->seed, id);
		for (size_t e = 0; e < m; e++)
			J->exp[e] += y[e];
		J->st = sim_masked(S, prg, i, y, nb);
		msg *o = &J->out[w - J->from];
		*o = (msg) { id, NULL, SA_C2S_HEADER_BYTES + 4 + m * 8 };
		o->p = xmalloc(o->len);
		put_c2s_header(o->p, S, 2, id);
		sa_store_u32_be(o->p + SA_C2S_HEADER_BYTES, (uint32_t) m);
		memcpy(o->p + SA_C2S_HEADER_BYTES + 4, y, m * 8);   /* little-endian hosts (x86-64) */
	}
	EVP_CIPHER_CTX_free(prg);
	free(nb);
	free(y);
	return NULL;
}

static msg
sim_round3(const session *S, uint32_t i)
{
	msg o = { S->ids[i], NULL, SA_C2S_HEADER_BYTES + SA_SIG_BYTES };
	o.p = xmalloc(o.len);
	put_c2s_header(o.p, S, 3, o.id);
	crypto_sign_detached(o.p + SA_C2S_HEADER_BYTES, NULL, S->stmt3, sizeof S->stmt3, S->sign_sk[i]);
	return o;
}

/* The share real user j encrypted to simulated i in ShareKeys (b-share: j survives). */
static void
share_from_real(const session *S, uint32_t i, uint32_t j, uint8_t out[32])
{
	const user *u = &S->u[i], *v = &S->u[j];
	uint64_t id = S->ids[i], vid = S->ids[j];
	const msg *r1 = &S->real_r1[v->real];
	const uint8_t *ents = r1->p + SA_C2S_HEADER_BYTES + SA_COMMIT_BYTES + 4;
	uint32_t cnt = sa_load_u32_be(ents - 4), lo = 0, hi = cnt;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (sa_load_u64_be(ents + (size_t) mid * SA_CT_ENTRY_BYTES) < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	const uint8_t *ent = ents + (size_t) lo * SA_CT_ENTRY_BYTES;
	if (lo == cnt || sa_load_u64_be(ent) != id)
		fail("no ShareKeys entry of a real neighbour");
	uint8_t q[32], key[32], ad[SA_SHARE_AD_BYTES], plain[SA_SHARE_PLAIN_BYTES];
	check(sa_kx_agree(q, u->c_sk, v->c_pk), "sa_kx_agree (decrypt)");
	sa_share_enc_key(key, S->ctx, q, id, u->c_pk, vid, v->c_pk);
	sa_share_ad(ad, S->ctx, vid, id);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, NULL, NULL, ent + 8 + SA_NONCE_BYTES,
	                                               SA_SHARE_CT_BYTES, ad, sizeof ad, ent + 8, key) != 0 ||
	    sa_load_u64_be(plain) != vid || sa_load_u64_be(plain + 8) != id)
		fail("cannot decrypt the share of a real neighbour");
	memcpy(out, plain + 48, 32);
}

/* Unmasking of surviving simulated i: one share per member of N[i], in id order. */
static msg
sim_round4(const session *S, uint32_t i, uint32_t *nb)
{
	uint32_t k = sa_graph_neighbours(&S->g, i, nb), c = k;
	while (c > 0 && nb[c - 1] > i) {
		nb[c] = nb[c - 1];
		c--;
	}
	nb[c] = i;
	msg o = { S->ids[i], NULL, SA_C2S_HEADER_BYTES + 4 + (size_t) (k + 1) * SHARE_ENT };
	o.p = xmalloc(o.len);
	uint8_t *p = o.p;
	put_c2s_header(p, S, 4, o.id);
	sa_store_u32_be(p + SA_C2S_HEADER_BYTES, k + 1);
	p += SA_C2S_HEADER_BYTES + 4;
	for (uint32_t d = 0; d <= k; d++, p += SHARE_ENT) {
		const user *v = &S->u[nb[d]];
		bool alive = v->role != ROLE_DROPPED;
		sa_store_u64_be(p, S->ids[nb[d]]);
		p[8] = alive ? SA_SHARE_KIND_SELF : SA_SHARE_KIND_PAIR;
		if (v->role == ROLE_REAL)
			share_from_real(S, i, nb[d], p + 9);
		else
			memcpy(p + 9, alive ? v->b : v->r, 32);
	}
	return o;
}

/* ---------------------------------------------------------------------- */
/* the rounds                                                             */
/* ---------------------------------------------------------------------- */

static void
setup(session *S, const config *cf, result *res)
{
	memset(S, 0, sizeof *S);
	memset(res, 0, sizeof *res);
	S->cf = cf;
	S->res = res;
	S->n = cf->n;
	S->m = cf->m;
	S->k = cf->k;
	S->d = cf->n * cf->dpct / 100;
	S->nreal = opt_real;
	randombytes_buf(&S->seed, sizeof S->seed);
	S->ids = xmalloc((size_t) S->n * 8);
	S->sign_pk = xmalloc((size_t) S->n * 32);
	S->sign_sk = xmalloc((size_t) S->n * 64);
	S->u = calloc(S->n, sizeof(user));
	S->expected = calloc(S->m, 8);
	S->r1_in = calloc(S->n, sizeof(uint8_t *));
	S->r1_in_len = calloc(S->n, sizeof(size_t));
	if (S->u == NULL || S->expected == NULL || S->r1_in == NULL || S->r1_in_len == NULL)
		fail("out of memory");
	for (uint32_t i = 0; i < S->n; i++) {
		S->ids[i] = 1000 + 7 * (uint64_t) i;
		crypto_sign_keypair(S->sign_pk[i], S->sign_sk[i]);
	}
	S->roster = (sa_roster) { S->n, S->ids, (const uint8_t (*)[32]) S->sign_pk };
	check(sa_server_create_graph(SID, sizeof SID - 1, cf->t, S->m, S->k, &S->roster, &S->img, &S->img_len),
	      "sa_server_create_graph");
	S->img_cap = S->img_len;
	sa_server_info info;
	check(sa_server_info_get(S->img, S->img_len, &info), "sa_server_info_get");
	memcpy(S->ctx, info.ctx, SA_CTX_BYTES);
	if (DB != NULL)
		sql_setup(S);
}

/* Real clients at distinct random positions; their inputs; the round-0 message. */
static void
setup_real(session *S)
{
	uint8_t *r0;
	size_t r0_len;
	check(sa_server_round0_msg(S->img, S->img_len, &r0, &r0_len), "sa_server_round0_msg");
	for (int k = 0; k < S->nreal; k++) {
		uint32_t p;
		do
			p = randombytes_uniform(S->n);
		while (S->u[p].role == ROLE_REAL);
		S->u[p].role = ROLE_REAL;
		S->u[p].real = k;
		S->real_pos[k] = p;
		S->real_x[k] = xmalloc((size_t) S->m * 8);
		gen_x(S->real_x[k], S->m, S->seed, S->ids[p]);
		for (uint32_t e = 0; e < S->m; e++)
			S->expected[e] += S->real_x[k][e];
		check(sa_client_create_graph(SID, sizeof SID - 1, S->cf->t, S->k, &S->roster, S->ids[p],
		                             S->sign_sk[p], S->real_x[k], S->m, &S->cl[k]),
		      "sa_client_create_graph");
		S->inbox[k] = xdup(r0, r0_len);
		S->inbox_len[k] = r0_len;
	}
	sa_free(r0);
}

static void
round0(session *S)
{
	real_round(S, 0);
	for (uint32_t i = 0; i < S->n; i++) {
		if (S->u[i].role == ROLE_REAL)
			continue;
		sim_keys(&S->u[i]);
		msg o = sim_round0(S, i);
		S->res->recv[0] += srv_recv(S, o.id, o.p, o.len);
		free(o.p);
	}
	srv_close_apply(S, 0);
}

/* The ring, as a client derives it from its round-1 message; then the dropouts. */
static void
read_ring(session *S)
{
	const uint8_t *p = S->inbox[0] + SA_S2C_HEADER_BYTES;
	uint8_t seed[SA_GRAPH_SEED_BYTES];
	sa_ring_seed(seed, S->ctx, sa_load_u32_be(p), p + 4);
	check(sa_graph_harary(&S->g, S->n, S->k, seed), "sa_graph_harary");
	for (uint32_t dropped = 0; dropped < S->d;) {
		uint32_t i = randombytes_uniform(S->n);
		if (S->u[i].role == ROLE_ALIVE) {
			S->u[i].role = ROLE_DROPPED;
			dropped++;
		}
	}
}

/* The real clients' advertised keys, from the key lists the server sent them. */
static void
real_keys(session *S)
{
	for (int k = 0; k < S->nreal; k++) {
		const uint8_t *p = S->inbox[k] + SA_S2C_HEADER_BYTES;
		uint8_t plen = p[4 + 32 + 4];
		const uint8_t *list = p + 4 + 32 + 4 + 1 + (size_t) plen * 32;
		uint32_t n1 = sa_load_u32_be(list);
		for (uint32_t e = 0; e < n1; e++) {
			const uint8_t *ent = list + 4 + (size_t) e * 136;
			long i = sa_roster_find(&S->roster, sa_load_u64_be(ent));
			if (i >= 0 && S->u[i].role == ROLE_REAL) {
				memcpy(S->u[i].c_pk, ent + 8, 32);
				memcpy(S->u[i].s_pk, ent + 40, 32);
			}
		}
	}
	for (int k = 0; k < S->nreal; k++)
		if (sodium_is_zero(S->u[S->real_pos[k]].c_pk, 32))
			fail("a real client's keys are in no key list (no two real neighbours?)");
}

static void
round1(session *S)
{
	read_ring(S);
	real_keys(S);
	real_round(S, 1);
	uint32_t *nb = xmalloc(((size_t) S->k + 1) * 4);
	for (uint32_t i = 0; i < S->n; i++) {
		if (S->u[i].role == ROLE_REAL)
			continue;
		msg o = sim_round1(S, i, nb);
		S->res->recv[1] += srv_recv(S, o.id, o.p, o.len);
		free(o.p);
	}
	free(nb);
	srv_close_apply(S, 1);
}

/* Round 2: the real clients, then the survivors in batches built on harness threads. */
static void
round2(session *S)
{
	real_round(S, 2);
	uint32_t *who = xmalloc((size_t) S->n * 4), nwho = 0;
	for (uint32_t i = 0; i < S->n; i++)
		if (S->u[i].role == ROLE_ALIVE)
			who[nwho++] = i;
	size_t batch = S->m >= 50000 ? 16 : 128;
	msg *ms = xmalloc(batch * sizeof(msg));
	r2_job J[H_THREADS];
	for (int h = 0; h < H_THREADS; h++)
		if ((J[h].exp = calloc(S->m, 8)) == NULL)
			fail("out of memory");
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
		for (size_t w = 0; w < b1 - b0; w++) {
			S->res->recv[2] += srv_recv(S, ms[w].id, ms[w].p, ms[w].len);
			free(ms[w].p);
		}
	}
	for (int h = 0; h < H_THREADS; h++) {
		for (uint32_t e = 0; e < S->m; e++)
			S->expected[e] += J[h].exp[e];
		free(J[h].exp);
	}
	free(ms);
	free(who);
	srv_close_apply(S, 2);
}

/* Round 3: the U3 bitmap the server broadcast; everyone signs its digest. */
static void
round3(session *S)
{
	const uint8_t *p = S->inbox[0] + SA_S2C_HEADER_BYTES;
	uint8_t digest[32];
	sa_u3_digest(digest, S->ctx, S->n, p + 4, ((size_t) S->n + 7) / 8);
	sa_consistency_graph_signed(S->stmt3, S->ctx, digest);
	real_round(S, 3);
	for (uint32_t i = 0; i < S->n; i++) {
		if (S->u[i].role != ROLE_ALIVE)
			continue;
		msg o = sim_round3(S, i);
		S->res->recv[3] += srv_recv(S, o.id, o.p, o.len);
		free(o.p);
	}
	srv_close_apply(S, 3);
}

/* Expansions the unmasking does: a self mask per survivor, a pair mask per (dropped, surviving neighbour). */
static size_t
count_masks(const session *S)
{
	uint32_t *nb = xmalloc(((size_t) S->k + 1) * 4);
	size_t E = S->n - S->d;
	for (uint32_t i = 0; i < S->n; i++) {
		if (S->u[i].role != ROLE_DROPPED)
			continue;
		uint32_t k = sa_graph_neighbours(&S->g, i, nb);
		for (uint32_t d = 0; d < k; d++)
			E += S->u[nb[d]].role != ROLE_DROPPED;
	}
	free(nb);
	return E;
}

static void
round4(session *S)
{
	real_round(S, 4);
	uint32_t *nb = xmalloc(((size_t) S->k + 1) * 4);
	for (uint32_t i = 0; i < S->n; i++) {
		if (S->u[i].role != ROLE_ALIVE)
			continue;
		msg o = sim_round4(S, i, nb);
		S->res->recv[4] += srv_recv(S, o.id, o.p, o.len);
		free(o.p);
	}
	free(nb);
	uint8_t *unmask, *out;
	size_t unmask_len, out_len;
	S->res->close[4] = srv_close(S, 4, &unmask, &unmask_len);
	double t0 = now();
	if (DB != NULL)
		S->res->close[4] += sql_unmask(&out, &out_len);
	else
		unmask_rows(S, unmask, unmask_len, &out, &out_len);
	if (DB == NULL)
		S->res->close[4] += now() - t0;
	sa_free(unmask);
	sa_output_view ov;
	check(sa_output_open(out, out_len, &ov), "sa_output_open (sum)");
	S->res->ok = ov.kind == SA_OUTPUT_VECTOR && ov.count == S->m;
	for (uint32_t e = 0; e < S->m && S->res->ok; e++)
		S->res->ok = sa_output_vector_at(&ov, e) == S->expected[e];
	sa_free(out);
	if (!S->res->ok) {
		fprintf(stderr, "%s: WRONG SUM (n=%u m=%u d=%u k=%u)\n", PROG, S->n, S->m, S->d, S->k);
		exit(3);
	}
	S->res->masks = count_masks(S);
}

static void
teardown(session *S)
{
	for (int k = 0; k < S->nreal; k++) {
		sa_client_free(S->cl[k]);
		free(S->real_x[k]);
		free(S->inbox[k]);
		free(S->real_r1[k].p);
	}
	sodium_memzero(S->u, (size_t) S->n * sizeof(user));
	sa_graph_free(&S->g);
	free(S->u);
	free(S->r1_in);
	free(S->r1_in_len);
	free(S->ids);
	free(S->sign_pk);
	free(S->sign_sk);
	free(S->img);
	free(S->expected);
}

/* ---------------------------------------------------------------------- */
/* the raw PRG floor                                                      */
/* ---------------------------------------------------------------------- */

typedef struct prg_job {
	size_t m, calls, base;
} prg_job;

static void *
prg_run(void *arg)
{
	prg_job *J = arg;
	uint64_t *buf = calloc(J->m, 8);
	uint8_t key[16] = { 0x5a };
	sa_mask_prg *prg = sa_mask_prg_new();
	if (buf == NULL || prg == NULL)
		fail("out of memory (floor)");
	for (size_t c = 0; c < J->calls; c++) {
		sa_store_u64_be(key + 8, J->base + c);
		check(sa_mask_expand(prg, buf, J->m, key), "sa_mask_expand");
	}
	sa_mask_prg_free(prg);
	free(buf);
	return NULL;
}

/* Time of `total` expansions of m elements on `threads` threads (timed on at most cap, scaled). */
static double
prg_floor(size_t total, size_t m, unsigned threads, int *sampled)
{
	size_t cap = (size_t) (opt_prg_cap / (double) m);
	size_t calls = total > cap ? cap : total;
	*sampled = calls < total;
	prg_job J[16];
	for (unsigned k = 0; k < threads; k++)
		J[k] = (prg_job) { m, calls * (k + 1) / threads - calls * k / threads, calls * k / threads };
	double t0 = now();
	par_run(threads, prg_run, J, sizeof J[0]);
	return (now() - t0) * (double) total / (double) calls;
}

typedef struct ka_job {
	size_t calls;
} ka_job;

static void *
ka_run(void *arg)
{
	ka_job *J = arg;
	uint8_t sk[32], pk[32], q[32];
	randombytes_buf(sk, sizeof sk);
	crypto_scalarmult_base(pk, sk);
	for (size_t c = 0; c < J->calls; c++) {
		if (crypto_scalarmult(q, sk, pk) != 0)
			fail("crypto_scalarmult");
		memcpy(pk, q, 32);                 /* the next point: a multiple of the last, never low order */
	}
	return NULL;
}

/*
 * Time of `total` X25519 key agreements on `threads` threads (at most
 * 20,000 timed, scaled): each pairwise mask the unmasking removes needs
 * one (libsodium's crypto_scalarmult, as sa_kx_agree).
 */
static double
ka_floor(size_t total, unsigned threads)
{
	if (total == 0)
		return 0;
	size_t calls = total > 20000 ? 20000 : total;
	ka_job J[16];
	for (unsigned k = 0; k < threads; k++)
		J[k] = (ka_job) { calls * (k + 1) / threads - calls * k / threads };
	double t0 = now();
	par_run(threads, ka_run, J, sizeof J[0]);
	return (now() - t0) * (double) total / (double) calls;
}

static void
run_session(const config *cf, result *res)
{
	session S0, *S = &S0;
	setup(S, cf, res);
	setup_real(S);
	fprintf(stderr, " r0");
	round0(S);
	fprintf(stderr, " r1");
	round1(S);
	fprintf(stderr, " r2");
	round2(S);
	fprintf(stderr, " r3");
	round3(S);
	fprintf(stderr, " r4");
	round4(S);
	teardown(S);
	fprintf(stderr, " floor");
	res->prg1 = prg_floor(res->masks, cf->m, 1, &res->prg_sampled);
	res->prgT = opt_threads > 1 ? prg_floor(res->masks, cf->m, opt_threads, &res->prg_sampled) : res->prg1;
	res->kaT = ka_floor(res->masks - (cf->n - cf->n * cf->dpct / 100), opt_threads);
}

/* ---------------------------------------------------------------------- */
/* output                                                                 */
/* ---------------------------------------------------------------------- */

static const char *
fms(char *b, double sec)
{
	double ms = sec * 1e3;
	snprintf(b, 16, ms < 10 ? "%.2f" : ms < 1000 ? "%.1f" : "%.0f", ms);
	return b;
}

static const char *
fmb(char *b, size_t bytes)
{
	if (bytes >= 1000000)
		snprintf(b, 16, "%.1fM", (double) bytes / 1e6);
	else
		snprintf(b, 16, "%.0fk", (double) bytes / 1e3);
	return b;
}

static const char *
model_name(sa_graph_model m)
{
	return m == SA_GRAPH_SEMI_MALICIOUS ? "sm" : "hbc";
}

static double
loadavg(void)
{
	double la = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &la) != 1)
			la = -1;
		fclose(f);
	}
	return la;
}

static void
machine_info(void)
{
	char model[256] = "unknown", line[8192];
	FILE *f = fopen("/proc/cpuinfo", "r");
	if (f) {
		while (fgets(line, sizeof line, f))
			if (strncmp(line, "model name", 10) == 0 && strcmp(model, "unknown") == 0) {
				char *c = strchr(line, ':');
				if (c) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = 0;
				}
			}
		fclose(f);
	}
	printf("machine: %s, nproc %ld\n", model, sysconf(_SC_NPROCESSORS_ONLN));
	printf("libs: %s, libsodium %s\n", OpenSSL_version(OPENSSL_VERSION), sodium_version_string());
	printf("load average at start: %.2f (other processes share the 2 cores; times are wall clock)\n",
	       loadavg());
}

static void
print_header(void)
{
	printf("\nk, t: sa_graph_params_find(n, corrupt 0.05, dropout max(D/100, 0.05), model); "
	       "d = dropped users (after ShareKeys).\n");
	printf("All times in ms, median over R runs. %d real clients, the rest simulated; "
	       "sa_server_round on %u thread(s).\n", opt_real, opt_threads);
	printf("cliN    : sa_client_round of round N, median of the real clients\n");
	printf("rcvN/clN: all sa_server_recv calls of round N / the close of round N "
	       "(cl4 = unmasking); srv = sum of all ten\n");
	printf("masks   : expansions of the unmasking round, (n-d) + sum over dropped v of |N(v) n U3|\n");
	printf("floor1/floorT: that many sa_mask_expand calls (raw AES-128-CTR) on 1 / %u thread(s), same run "
	       "(~ = timed on %.0e elements' worth and scaled)\n", opt_threads, opt_prg_cap);
	printf("rT      : cl4 / floorT (same thread count); r1 = cl4 / floor1\n");
	printf("kaT     : the X25519 key agreements of the pairwise masks among them (masks - (n-d)), "
	       "libsodium, %u thread(s); rKA = cl4 / (floorT + kaT)\n", opt_threads);
	if (DB != NULL)
		printf("--sql   : rcvN = the COPY of round N's messages into plus_in; clN = the round's statements: "
		       "server_round_agg ... GROUP BY session and\n"
		       "          the state update, then output_messages (rounds 0, 2, 3), share_routes + "
		       "share_message_agg ... GROUP BY recipient (round 1),\n"
		       "          unmask_shares + unmask_secret_agg ... GROUP BY owner + unmask_agg (round 4), "
		       "each into a table\n");
	else
		printf("cl0/cl3 include deriving every user's message (sa_output_cursor); cl1 includes routing the\n"
		       "          ShareKeys ciphertexts as a host does with rows (sa_routes_split + sa_share_message)\n");
	printf("out/img/msg: largest round output, server image and user message of the run (bytes)\n");
	printf("\n%6s %6s %4s %3s %4s %4s %2s | %6s %6s %6s %5s %6s | %6s %6s %6s %6s %6s | %6s %6s %6s %6s"
	       " %7s | %8s | %8s %8s %8s %5s %5s %8s %5s | %7s %7s %7s | %s\n",
	       "n", "m", "drop", "mdl", "k", "t", "R",
	       "cli0", "cli1", "cli2", "cli3", "cli4",
	       "rcv0", "rcv1", "rcv2", "rcv3", "rcv4", "cl0", "cl1", "cl2", "cl3", "cl4", "srv",
	       "masks", "floor1", "floorT", "r1", "rT", "kaT", "rKA", "out", "img", "msg", "sum");
	fflush(stdout);
}

static void
print_row(const config *cf, const result *rs, int R)
{
	double v[MAX_REPS], med[25], tot[MAX_REPS], r1[MAX_REPS], rT[MAX_REPS], rK[MAX_REPS], ka[MAX_REPS];
	size_t mo = 0, mi = 0, mm = 0;
	for (int f = 0; f < 15; f++) {
		for (int r = 0; r < R; r++)
			v[r] = f < 5 ? rs[r].cli[f] : f < 10 ? rs[r].recv[f - 5] : rs[r].close[f - 10];
		med[f] = median(v, R);
	}
	for (int r = 0; r < R; r++) {
		tot[r] = 0;
		for (int i = 0; i < 5; i++)
			tot[r] += rs[r].recv[i] + rs[r].close[i];
		r1[r] = rs[r].close[4] / rs[r].prg1;
		rT[r] = rs[r].close[4] / rs[r].prgT;
		rK[r] = rs[r].close[4] / (rs[r].prgT + rs[r].kaT);
		ka[r] = rs[r].kaT;
		v[r] = rs[r].prg1;
		note_max(&mo, rs[r].max_out);
		note_max(&mi, rs[r].max_img);
		note_max(&mm, rs[r].max_msg);
	}
	med[15] = median(v, R);
	for (int r = 0; r < R; r++)
		v[r] = rs[r].prgT;
	med[16] = median(v, R);
	char b[24][16], f1[20], fT[20];
	const char *tl = rs[0].prg_sampled ? "~" : "";
	snprintf(f1, sizeof f1, "%s%s", tl, fms(b[20], med[15]));
	snprintf(fT, sizeof fT, "%s%s", tl, fms(b[21], med[16]));
	printf("%6u %6u %3u%% %3s %4u %4u %2d | %6s %6s %6s %5s %6s | %6s %6s %6s %6s %6s | %6s %6s %6s %6s"
	       " %7s | %8s | %8zu %8s %8s %5.2f %5.2f %8s %5.2f | %7s %7s %7s | %s\n",
	       cf->n, cf->m, cf->dpct, model_name(cf->model), cf->k, cf->t, R,
	       fms(b[0], med[0]), fms(b[1], med[1]), fms(b[2], med[2]), fms(b[3], med[3]), fms(b[4], med[4]),
	       fms(b[5], med[5]), fms(b[6], med[6]), fms(b[7], med[7]), fms(b[8], med[8]), fms(b[9], med[9]),
	       fms(b[10], med[10]), fms(b[11], med[11]), fms(b[12], med[12]), fms(b[13], med[13]),
	       fms(b[14], med[14]), fms(b[15], median(tot, R)),
	       rs[0].masks, f1, fT, median(r1, R), median(rT, R), fms(b[22], median(ka, R)), median(rK, R),
	       fmb(b[16], mo), fmb(b[17], mi), fmb(b[18], mm), "OK");
	fflush(stdout);
}

/* ---------------------------------------------------------------------- */
/* main                                                                   */
/* ---------------------------------------------------------------------- */

static void
find_params(config *cf)
{
	cf->delta = cf->dpct / 100.0 < 0.05 ? 0.05 : cf->dpct / 100.0;
	sa_graph_params_in in = { cf->n, 0.05, cf->delta, cf->model };
	sa_graph_params gp;
	check(sa_graph_params_find(&in, &gp), "sa_graph_params_find");
	if (gp.complete)
		fail("the finder chose the complete graph");
	cf->k = gp.k;
	cf->t = gp.t;
}

static void
run_config(config *cf, int reps, int reps_big, double t_start)
{
	find_params(cf);
	uint32_t d = cf->n * cf->dpct / 100;
	double elems = ((double) (cf->n - d) + (double) d * cf->k) * cf->m;
	int R = elems > BIG_ELEMS ? reps_big : reps;
	result rs[MAX_REPS];
	for (int r = 0; r < R; r++) {
		double t0 = now();
		fprintf(stderr, "n=%u m=%u drop=%u%% %s k=%u t=%u run %d/%d:", cf->n, cf->m, cf->dpct,
		        model_name(cf->model), cf->k, cf->t, r + 1, R);
		run_session(cf, &rs[r]);
		fprintf(stderr, " OK (%.1f s, elapsed %.0f s)\n", now() - t0, now() - t_start);
	}
	print_row(cf, rs, R);
	if (DB != NULL)
		sql_report();
}

static int
parse_only(const char *arg, config *only)
{
	char mdl[8];
	if (sscanf(arg, "%u,%u,%u,%7s", &only->n, &only->m, &only->dpct, mdl) != 4)
		return -1;
	if (strcmp(mdl, "hbc") == 0)
		only->model = SA_GRAPH_HONEST_BUT_CURIOUS;
	else if (strcmp(mdl, "sm") == 0)
		only->model = SA_GRAPH_SEMI_MALICIOUS;
	else
		return -1;
	return only->n >= 4 && only->m >= 1 && only->dpct < 100 ? 0 : -1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: %s [--quick] [--only N,M,D,hbc|sm] [--reps R] [--reps-big R] [--threads T] "
	        "[--client-threads T] [--real K] [--prg-cap E] [--sql CONNINFO]\n", PROG);
	exit(2);
}

int
main(int argc, char **argv)
{
	int quick = 0, reps = 3, reps_big = 1, client_threads = 2, have_only = 0;
	const char *conninfo = NULL;
	config only = { 0 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--quick") == 0)
			quick = 1;
		else if (next == NULL)
			usage();
		else if (strcmp(a, "--only") == 0) {
			if (parse_only(argv[++i], &only) != 0)
				usage();
			have_only = 1;
		} else if (strcmp(a, "--reps") == 0)
			reps = atoi(argv[++i]);
		else if (strcmp(a, "--reps-big") == 0)
			reps_big = atoi(argv[++i]);
		else if (strcmp(a, "--threads") == 0)
			opt_threads = (unsigned) atoi(argv[++i]);
		else if (strcmp(a, "--client-threads") == 0)
			client_threads = atoi(argv[++i]);
		else if (strcmp(a, "--real") == 0)
			opt_real = atoi(argv[++i]);
		else if (strcmp(a, "--prg-cap") == 0)
			opt_prg_cap = atof(argv[++i]);
		else if (strcmp(a, "--sql") == 0)
			conninfo = argv[++i];
		else
			usage();
	}
	if (reps < 1 || reps > MAX_REPS || reps_big < 1 || reps_big > MAX_REPS || opt_threads < 1 ||
	    opt_threads > 16 || opt_real < 1 || opt_real > MAX_REAL || opt_prg_cap < 1e6 || client_threads < 1)
		usage();
	if (sodium_init() < 0)
		fail("sodium_init failed");
	sa_set_default_threads((unsigned) client_threads);
	hprg_selftest();
	if (conninfo != NULL)
		sql_connect(conninfo, have_only);
	double t_start = now();
	printf("%s: SecAgg+ per round (Bell et al. 2020; issue 8 section 3)%s\n", PROG, quick ? " [--quick]" : "");
	machine_info();
	printf("real clients: %d, on %d thread(s) (--client-threads)\n", opt_real, client_threads);
	print_header();
	static const uint32_t NS[] = { 1000, 10000 }, DS[] = { 0, 10, 30 };
	if (have_only) {
		run_config(&only, reps, reps_big, t_start);
	} else if (quick) {
		for (int md = 0; md < 2; md++) {
			config cf = { 1000, 10000, 30, (sa_graph_model) md, 0, 0, 0 };
			run_config(&cf, reps, reps_big, t_start);
		}
	} else {
		for (int ni = 0; ni < 2; ni++)
			for (int md = 0; md < 2; md++)
				for (int di = 0; di < 3; di++) {
					config cf = { NS[ni], 100000, DS[di], (sa_graph_model) md, 0, 0, 0 };
					run_config(&cf, reps, reps_big, t_start);
				}
	}
	printf("\ntotal bench time %.0f s; load average at end %.2f\n", now() - t_start, loadavg());
	return 0;
}
