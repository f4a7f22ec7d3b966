/*
 * test_lib_session.c: whole sessions of library clients against the core's
 * server, on the complete graph and on a SecAgg+ graph: exact sums (mod
 * 2^64) with and without dropouts, states serialised and restored at every
 * round with the rollback guard checked, forks and other sessions refused,
 * messages of the wrong round or session refused with the client unchanged.
 */
#include "session.h"

/* x[u][j] = a value that wraps when summed: u * 2^61 + j + 1. */
static uint64_t *
make_inputs(uint32_t n, uint32_t m)
{
	uint64_t *x = calloc((size_t) n * m, sizeof *x);
	for (uint32_t u = 0; u < n; u++)
		for (uint32_t j = 0; j < m; j++)
			x[(size_t) u * m + j] = ((uint64_t) u << 61) + j + 1;
	return x;
}

/* The sum over the users that sent their masked input (drop_before > 2). */
static void
expected_sum(const uint64_t *x, uint32_t n, uint32_t m, const int *drop_before, uint64_t *sum)
{
	memset(sum, 0, m * sizeof *sum);
	for (uint32_t u = 0; u < n; u++)
		if (drop_before[u] > 2)
			for (uint32_t j = 0; j < m; j++)
				sum[j] += x[(size_t) u * m + j];
}

static void
run_and_check(uint32_t n, uint32_t t, uint32_t m, uint32_t degree, int roundtrip, const int *drop_before)
{
	lib_session s;
	lib_session_init(&s, n, t, m, degree);
	s.roundtrip = roundtrip;
	uint64_t *x = make_inputs(n, m), *want = calloc(m, sizeof *want);
	UNIT_CHECK_EQ_U64(lib_session_run(&s, x, drop_before), SECAGG_OK);
	expected_sum(x, n, m, drop_before, want);
	UNIT_CHECK_MEM(s.server.sum, want, m * sizeof *want);
	for (uint32_t i = 0; i < n; i++)
		if (drop_before[i] == SECAGG_ROUND_DONE)
			UNIT_CHECK_EQ_U64(secagg_client_round_number(s.clients[i]), SECAGG_ROUND_DONE);
	free(x);
	free(want);
	lib_session_free(&s);
}

static const int no_drops[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
/* user 1 drops before its masked input (not summed), user 3 before unmasking (summed) */
static const int two_drops[8] = { 5, 2, 5, 4, 5, 5, 5, 5 };

static void test_complete_graph_sum(void) { run_and_check(5, 3, 4, 0, 0, no_drops); }
static void test_complete_graph_dropouts(void) { run_and_check(5, 3, 4, 0, 0, two_drops); }
static void test_complete_graph_states_every_round(void) { run_and_check(5, 3, 4, 0, 1, two_drops); }
static void test_secagg_plus_sum(void) { run_and_check(8, 3, 3, 4, 0, no_drops); }
static void test_secagg_plus_dropouts(void) { run_and_check(8, 3, 3, 4, 0, two_drops); }
static void test_secagg_plus_states_every_round(void) { run_and_check(8, 3, 3, 4, 1, two_drops); }

/* The same sessions with clients on 3 threads; 0 and 65 threads refused. */
static void
test_threads(void)
{
	UNIT_CHECK_EQ_U64(secagg_set_threads(0), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_set_threads(65), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_set_threads(3), SECAGG_OK);
	run_and_check(5, 3, 4, 0, 0, two_drops);
	run_and_check(8, 3, 3, 4, 1, two_drops);
	UNIT_CHECK_EQ_U64(secagg_set_threads(1), SECAGG_OK);
}

/* Two restorations of one state that each answer round 0 are a fork: refused. */
static void
test_fork_and_other_session_refused(void)
{
	lib_session s;
	lib_session_init(&s, 4, 3, 2, 0);
	uint64_t x[2] = { 1, 2 };
	UNIT_CHECK(core_server_start(&s.server, lib_session_id, sizeof lib_session_id - 1, 3, 2, 0, s.roster,
	                             s.roster_len) == SA_OK);
	secagg_client *a, *b, *other;
	UNIT_CHECK(secagg_client_new(lib_session_id, sizeof lib_session_id - 1, s.ids[0], 3, 0, s.sks[0], 64, x, 2,
	                             s.roster, s.roster_len, &a) == SECAGG_OK);
	UNIT_CHECK(secagg_client_new((const uint8_t *) "another", 7, s.ids[0], 3, 0, s.sks[0], 64, x, 2, s.roster,
	                             s.roster_len, &other) == SECAGG_OK);
	uint8_t *st0, *sta, *stb, *sto, *ra, *rb;
	size_t st0_len, sta_len, stb_len, sto_len, ra_len, rb_len;
	UNIT_CHECK(secagg_client_serialize(a, &st0, &st0_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_deserialize(st0, st0_len, &b) == SECAGG_OK);
	UNIT_CHECK(secagg_client_round(a, s.server.out_msg[0], s.server.out_len[0], &ra, &ra_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_round(b, s.server.out_msg[0], s.server.out_len[0], &rb, &rb_len) == SECAGG_OK);
	UNIT_CHECK(ra_len == rb_len && memcmp(ra, rb, ra_len) != 0);     /* fresh keys each time */
	UNIT_CHECK(secagg_client_serialize(a, &sta, &sta_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_serialize(b, &stb, &stb_len) == SECAGG_OK);
	UNIT_CHECK(secagg_client_serialize(other, &sto, &sto_len) == SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_client_check_recover(sta, sta_len, stb, stb_len), SECAGG_ERR_ROLLBACK);
	UNIT_CHECK_EQ_U64(secagg_client_check_recover(st0, st0_len, sta, sta_len), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_client_check_recover(sta, sta_len, sto, sto_len), SECAGG_ERR_SESSION);
	UNIT_CHECK_EQ_U64(secagg_client_check_recover(sta, sta_len, st0, st0_len - 1), SECAGG_ERR_MALFORMED);
	/* the other session's client refuses this session's message */
	uint8_t *r;
	size_t r_len;
	UNIT_CHECK_EQ_U64(secagg_client_round(other, s.server.out_msg[0], s.server.out_len[0], &r, &r_len),
	                  SECAGG_ERR_SESSION);
	/* a's round is 1 now: the round-0 message again is the wrong round, and a is unchanged */
	UNIT_CHECK_EQ_U64(secagg_client_round(a, s.server.out_msg[0], s.server.out_len[0], &r, &r_len),
	                  SECAGG_ERR_WRONG_ROUND);
	UNIT_CHECK_EQ_U64(secagg_client_round(a, s.server.out_msg[0], s.server.out_len[0] - 1, &r, &r_len),
	                  SECAGG_ERR_MALFORMED);
	uint8_t *again;
	size_t again_len;
	UNIT_CHECK(secagg_client_serialize(a, &again, &again_len) == SECAGG_OK);
	UNIT_CHECK(again_len == sta_len && memcmp(again, sta, sta_len) == 0);
	UNIT_CHECK_EQ_U64(secagg_client_round_number(a), 1);
	UNIT_CHECK_EQ_U64(secagg_client_user_id(a), s.ids[0]);
	UNIT_CHECK_EQ_U64(secagg_client_vector_length(a), 2);
	secagg_free(again, again_len);
	secagg_free(st0, st0_len); secagg_free(sta, sta_len); secagg_free(stb, stb_len); secagg_free(sto, sto_len);
	secagg_free(ra, ra_len); secagg_free(rb, rb_len);
	secagg_client_free(a); secagg_client_free(b); secagg_client_free(other);
	lib_session_free(&s);
}

/* A finished client answers nothing more; a state of each round restores. */
static void
test_finished_client_refuses(void)
{
	lib_session s;
	lib_session_init(&s, 4, 3, 2, 0);
	uint64_t x[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	UNIT_CHECK_EQ_U64(lib_session_run(&s, x, no_drops), SECAGG_OK);
	UNIT_CHECK_EQ_U64(s.server.sum[0], 16);
	UNIT_CHECK_EQ_U64(s.server.sum[1], 20);
	uint8_t msg[34] = { 1, 0 }, *r;
	size_t r_len;
	UNIT_CHECK_EQ_U64(secagg_client_round(s.clients[0], msg, sizeof msg, &r, &r_len), SECAGG_ERR_FINISHED);
	lib_session_free(&s);
}

int
main(void)
{
	if (secagg_init() != SECAGG_OK)
		return 1;
	UNIT_RUN(test_complete_graph_sum);
	UNIT_RUN(test_complete_graph_dropouts);
	UNIT_RUN(test_complete_graph_states_every_round);
	UNIT_RUN(test_secagg_plus_sum);
	UNIT_RUN(test_secagg_plus_dropouts);
	UNIT_RUN(test_secagg_plus_states_every_round);
	UNIT_RUN(test_fork_and_other_session_refused);
	UNIT_RUN(test_finished_client_refuses);
	UNIT_RUN(test_threads);
	return UNIT_DONE();
}
