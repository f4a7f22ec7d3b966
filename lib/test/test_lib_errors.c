/*
 * test_lib_errors.c: every refusal of the library's argument checks
 * returns its code and leaves the outputs alone; texts and SQLSTATEs of
 * every code. Links only the library (lib/secagg.h).
 */
#include "secagg.h"
#include "unit.h"

static uint64_t ids[4] = { 5, 9, 12, 40 };
static uint8_t pks[4][SECAGG_SIGN_PK_BYTES], sks[4][SECAGG_SIGN_SK_BYTES];
static uint8_t *roster;
static size_t roster_len;
static const uint8_t sid[] = "errors";
static const uint64_t x[3] = { 1, 2, 3 };

static int
new_client(uint64_t id, uint32_t t, uint32_t k, const uint8_t *sk, size_t sk_len, size_t sid_len, size_t m,
           const uint8_t *ro, size_t ro_len, secagg_client **c)
{
	return secagg_client_new(sid, sid_len, id, t, k, sk, sk_len, x, m, ro, ro_len, c);
}

static void
test_codes_texts_and_sqlstates(void)
{
	for (int code = 0; code < SECAGG_ERROR_COUNT; code++) {
		UNIT_CHECK(secagg_strerror(code) != NULL && strlen(secagg_strerror(code)) > 3);
		UNIT_CHECK(strlen(secagg_sqlstate(code)) == 5);
	}
	UNIT_CHECK(strcmp(secagg_strerror(-1), "unknown error code") == 0);
	UNIT_CHECK(strcmp(secagg_strerror(SECAGG_ERROR_COUNT), "unknown error code") == 0);
	UNIT_CHECK(strcmp(secagg_sqlstate(SECAGG_ERR_ROLLBACK), "SA012") == 0);
	UNIT_CHECK(strcmp(secagg_sqlstate(SECAGG_ERR_FINISHED), "SA011") == 0);
	UNIT_CHECK(strcmp(secagg_sqlstate(SECAGG_ERR_NEIGHBOURHOOD), "SA014") == 0);
	UNIT_CHECK(strcmp(secagg_sqlstate(SECAGG_ERR_RETRY), "SA021") == 0);
	UNIT_CHECK(strcmp(secagg_sqlstate(SECAGG_OK), "00000") == 0);
	UNIT_CHECK(strcmp(secagg_version(), SECAGG_VERSION_STRING) == 0);
}

static void
test_null_arguments(void)
{
	secagg_client *c = NULL;
	uint8_t *out = NULL, buf[64];
	size_t len = 0;
	UNIT_CHECK_EQ_U64(secagg_sign_keypair(NULL, sks[0]), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_sign_keypair(pks[0], NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_roster_encode(NULL, &pks[0][0], 4, &out, &len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_roster_encode(ids, NULL, 4, &out, &len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_roster_encode(ids, &pks[0][0], 4, NULL, &len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_new(NULL, 6, 5, 3, 0, sks[0], 64, x, 3, roster, roster_len, &c), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_new(sid, 6, 5, 3, 0, NULL, 64, x, 3, roster, roster_len, &c), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_new(sid, 6, 5, 3, 0, sks[0], 64, NULL, 3, roster, roster_len, &c), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_new(sid, 6, 5, 3, 0, sks[0], 64, x, 3, NULL, roster_len, &c), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_new(sid, 6, 5, 3, 0, sks[0], 64, x, 3, roster, roster_len, NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_round(NULL, buf, 8, &out, &len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_serialize(NULL, &out, &len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(NULL, 8, &c), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(buf, 8, NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_check_recover(NULL, 8, buf, 8), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_check_recover(buf, 8, NULL, 8), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_client_recover(buf, 8, buf, 8, NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_random_bytes(NULL, 8), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_random_bytes(NULL, 0), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_pine_params_parse(NULL, 2, NULL), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_pine_digest(NULL, buf), SECAGG_ERR_NULL);
	uint32_t k, t;
	int complete;
	UNIT_CHECK_EQ_U64(secagg_graph_find(100, 0.1, 0.1, 0, NULL, &t, &complete), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_graph_find(100, 0.1, 0.1, 0, &k, NULL, &complete), SECAGG_ERR_NULL);
	/* NULL handles: queries answer a neutral value, frees do nothing */
	UNIT_CHECK_EQ_U64(secagg_client_round_number(NULL), (uint64_t) -1);
	UNIT_CHECK_EQ_U64(secagg_client_user_id(NULL), 0);
	UNIT_CHECK_EQ_U64(secagg_client_vector_length(NULL), 0);
	UNIT_CHECK_EQ_U64(secagg_pine_dimension(NULL), 0);
	UNIT_CHECK_EQ_U64(secagg_pine_input_share_len(NULL, 0), 0);
	secagg_client_free(NULL);
	secagg_pine_params_free(NULL);
	secagg_free(NULL, 10);
	UNIT_CHECK(c == NULL && out == NULL && len == 0);
}

static void
test_client_new_refusals(void)
{
	secagg_client *c = NULL;
	/* lengths */
	UNIT_CHECK_EQ_U64(new_client(5, 3, 0, sks[0], 64, 0, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(5, 3, 0, sks[0], 63, 6, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(5, 3, 0, sks[0], 64, 6, 0, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_client_new(sid, SECAGG_SESSION_ID_MAX + 1, 5, 3, 0, sks[0], 64, x, 3, roster, roster_len,
	                                    &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(5, 3, 0, sks[0], 64, 6, 3, roster, roster_len - 1, &c), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(new_client(5, 3, 0, sks[0], 64, 6, 3, roster, 3, &c), SECAGG_ERR_MALFORMED);
	/* parameters: threshold (complete graph needs t > n/2), degree, user, key */
	UNIT_CHECK_EQ_U64(new_client(5, 2, 0, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(5, 5, 0, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(5, 2, 1, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(5, 4, 2, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(0, 3, 0, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(new_client(6, 3, 0, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_UNKNOWN_USER);
	UNIT_CHECK_EQ_U64(new_client(5, 3, 0, sks[1], 64, 6, 3, roster, roster_len, &c), SECAGG_ERR_KEYS);
	UNIT_CHECK(c == NULL);
	/* a valid SecAgg+ client: n = 4, k = 2, t = 2 */
	UNIT_CHECK_EQ_U64(new_client(5, 2, 2, sks[0], 64, 6, 3, roster, roster_len, &c), SECAGG_OK);
	secagg_client_free(c);
}

static void
test_roster_refusals(void)
{
	uint8_t *out = NULL;
	size_t len = 0;
	uint64_t dup[2] = { 5, 5 }, zero[2] = { 0, 5 };
	UNIT_CHECK_EQ_U64(secagg_roster_encode(ids, &pks[0][0], 1, &out, &len), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_roster_encode(dup, &pks[0][0], 2, &out, &len), SECAGG_ERR_DUPLICATE);
	UNIT_CHECK_EQ_U64(secagg_roster_encode(zero, &pks[0][0], 2, &out, &len), SECAGG_ERR_PARAM);
	uint8_t same[2][32];
	memcpy(same[0], pks[0], 32);
	memcpy(same[1], pks[0], 32);
	UNIT_CHECK_EQ_U64(secagg_roster_encode(ids, &same[0][0], 2, &out, &len), SECAGG_ERR_KEYS);
	UNIT_CHECK(out == NULL && len == 0);
}

static void
test_state_refusals(void)
{
	secagg_client *c, *d = NULL;
	UNIT_CHECK_EQ_U64(new_client(9, 3, 0, sks[1], 64, 6, 3, roster, roster_len, &c), SECAGG_OK);
	uint8_t *st;
	size_t st_len;
	UNIT_CHECK_EQ_U64(secagg_client_serialize(c, &st, &st_len), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(st, st_len - 1, &d), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(st, 3, &d), SECAGG_ERR_MALFORMED);
	st[4] = 9;                                           /* the version byte */
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(st, st_len, &d), SECAGG_ERR_VERSION);
	st[4] = 1;
	st[5] = 7;                                           /* the round byte */
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(st, st_len, &d), SECAGG_ERR_MALFORMED);
	st[5] = 1;                                           /* round 1 without keys */
	UNIT_CHECK_EQ_U64(secagg_client_deserialize(st, st_len, &d), SECAGG_ERR_MALFORMED);
	UNIT_CHECK(d == NULL);
	secagg_free(st, st_len);
	secagg_client_free(c);
}

static void
test_graph_helpers(void)
{
	uint32_t k = 0, t = 0;
	int complete = -1;
	UNIT_CHECK_EQ_U64(secagg_graph_find(1000, 0.05, 0.05, SECAGG_MODEL_SEMI_MALICIOUS, &k, &t, &complete), SECAGG_OK);
	UNIT_CHECK(complete == 0 && k >= 2 && k % 2 == 0 && t >= 2 && t <= k + 1);
	UNIT_CHECK_EQ_U64(secagg_graph_check(1000, k, t, 0.05, 0.05, SECAGG_MODEL_SEMI_MALICIOUS), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_graph_check(1000, k, 2, 0.05, 0.05, SECAGG_MODEL_SEMI_MALICIOUS), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_graph_find(1000, 0.05, 0.05, 7, &k, &t, &complete), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_graph_find(1, 0.05, 0.05, 0, &k, &t, &complete), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_graph_find(2000000, 0.05, 0.05, 0, &k, &t, &complete), SECAGG_ERR_LIMIT);
}

int
main(void)
{
	if (secagg_init() != SECAGG_OK)
		return 1;
	for (int i = 0; i < 4; i++)
		secagg_sign_keypair(pks[i], sks[i]);
	if (secagg_roster_encode(ids, &pks[0][0], 4, &roster, &roster_len) != SECAGG_OK)
		return 1;
	UNIT_RUN(test_codes_texts_and_sqlstates);
	UNIT_RUN(test_null_arguments);
	UNIT_RUN(test_client_new_refusals);
	UNIT_RUN(test_roster_refusals);
	UNIT_RUN(test_state_refusals);
	UNIT_RUN(test_graph_helpers);
	secagg_free(roster, roster_len);
	return UNIT_DONE();
}
