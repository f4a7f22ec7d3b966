/*
 * test_lib_pine.c: PINE through the library. Parameters from the JSON text
 * the extension's pine_params() returned (test/vectors/secagg/pine_params_*.json,
 * made by secagg 0.4.0), tampered copies refused; reports sharded by the
 * library and prepared, aggregated and unsharded by the core's aggregator
 * code give the exact sum of the measurements.
 */
#include <math.h>
#include <sodium.h>
#include <stdio.h>

#include "pine/pine.h"
#include "secagg.h"
#include "unit.h"

#define VECTORS "test/vectors/secagg/"

static char *
read_text(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	char *buf = calloc(1, 1 << 16);
	*len = fread(buf, 1, (1 << 16) - 1, f);
	fclose(f);
	while (*len > 0 && (buf[*len - 1] == '\n' || buf[*len - 1] == '\r'))
		buf[--*len] = '\0';
	return buf;
}

static int
parse_file(const char *path, secagg_pine_params **p)
{
	size_t len;
	char *text = read_text(path, &len);
	if (text == NULL)
		return -1;
	int rc = secagg_pine_params_parse(text, len, p);
	free(text);
	return rc;
}

/* text with the first `from` replaced by `to` */
static int
parse_edited(const char *path, const char *from, const char *to)
{
	size_t len;
	char *text = read_text(path, &len);
	char *at = strstr(text, from);
	if (at == NULL) {
		free(text);
		return -1;
	}
	char *out = calloc(1, len + strlen(to) + 1);
	size_t head = (size_t) (at - text);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	secagg_pine_params *p = NULL;
	int rc = secagg_pine_params_parse(out, strlen(out), &p);
	secagg_pine_params_free(p);
	free(text);
	free(out);
	return rc;
}

static const char *const pine64 = VECTORS "pine_params_pine64.json";
static const char *const pine32 = VECTORS "pine_params_pine32_3shares.json";
static const char *const pine64_min = VECTORS "pine_params_pine64_min_batch.json";

static void
test_params_from_sql_text(void)
{
	secagg_pine_params *p = NULL, *q = NULL;
	UNIT_CHECK_EQ_U64(parse_file(pine64, &p), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_pine_dimension(p), 4);
	UNIT_CHECK_EQ_U64(secagg_pine_num_shares(p), 2);
	UNIT_CHECK_EQ_U64(secagg_pine_nonce_len(p), 16);
	UNIT_CHECK_EQ_U64(secagg_pine_rand_len(p), 112);
	UNIT_CHECK_EQ_U64(secagg_pine_public_share_len(p), 64);
	UNIT_CHECK_EQ_U64(secagg_pine_input_share_len(p, 0), 20632);
	UNIT_CHECK_EQ_U64(secagg_pine_input_share_len(p, 1), 64);
	UNIT_CHECK_EQ_U64(secagg_pine_input_share_len(p, 2), 0);
	uint8_t d[32], want[32];
	UNIT_CHECK(secagg_pine_digest(p, d) == SECAGG_OK);
	sodium_hex2bin(want, 32, "e254fea3821505a0a56c3181421a8cfe6b4924bfe0f0d60847274e3348c65085", 64, NULL, NULL,
	               NULL);
	UNIT_CHECK_MEM(d, want, 32);
	/* with min_batch_size (0.4.0): the key is read and its digest covers it */
	secagg_pine_params *r = NULL;
	UNIT_CHECK_EQ_U64(parse_file(pine64_min, &r), SECAGG_OK);
	uint8_t dm[32];
	UNIT_CHECK(secagg_pine_digest(r, dm) == SECAGG_OK && memcmp(dm, d, 32) != 0);
	secagg_pine_params_free(r);
	UNIT_CHECK_EQ_U64(parse_edited(pine64_min, "\"min_batch_size\": 10", "\"min_batch_size\": 11"),
	                  SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64_min, "\"min_batch_size\": 10", "\"min_batch_size\": 0"), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(parse_file(pine32, &q), SECAGG_OK);
	UNIT_CHECK_EQ_U64(secagg_pine_num_shares(q), 3);
	UNIT_CHECK_EQ_U64(secagg_pine_input_share_len(q, 2), 128);
	secagg_pine_params_free(p);
	secagg_pine_params_free(q);
}

static void
test_params_equal_forms_accepted(void)
{
	/* a -01 object from before the "draft" key: its digest never covered a draft */
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"draft\": \"01\", ", ""), SECAGG_OK);
	/* numbers compare by value, layout and key order do not matter */
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"vdaf_id\": 4294967295", "\"vdaf_id\" :\n 4.294967295e9"), SECAGG_OK);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"alpha\": 8.7", "\"alpha\": 87e-1"), SECAGG_OK);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "{\"xof\": \"XofTurboShake128\", ", "{"), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "}", ", \"xof\": \"XofTurboShake128\"}"), SECAGG_ERR_MALFORMED);
}

static void
test_params_tampered_refused(void)
{
	/* the digest, a derived value, a configuration key, the draft */
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "e254fea3", "e254fea4"), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"max_measurements\": 281474976645120",
	                               "\"max_measurements\": 281474976645121"), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"dimension\": 4", "\"dimension\": 5"), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"draft\": \"01\"", "\"draft\": \"02\""), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"l2_norm_bound_float\": 1", "\"l2_norm_bound_float\": 1.5"),
	                  SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "}", ", \"extra\": 1}"), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"seed_size\": 16, ", ""), SECAGG_ERR_PARAMS_MISMATCH);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"seed_size\": 16", "\"seed_size\": \"16\""), SECAGG_ERR_PARAMS_MISMATCH);
	/* the configuration itself */
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"version\": 1", "\"version\": 2"), SECAGG_ERR_VERSION);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "secagg.pine.params", "secagg.pine.param"), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"num_frac_bits\": 15", "\"num_frac_bits\": 15.0"), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"num_shares\": 2", "\"num_shares\": 1"), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"variant\": \"Pine64\"", "\"variant\": \"Pine65\""), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"num_shares\": 2, ", ""), SECAGG_ERR_PARAM);
	/* not one JSON object of scalars */
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "}", ""), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "}", "} x"), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"alpha\": 8.7", "\"alpha\": 8.7."), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(parse_edited(pine64, "\"xof\": \"XofTurboShake128\"", "\"xof\": [1, {\"a\": [\"b\"]}]"),
	                  SECAGG_ERR_PARAMS_MISMATCH);
	secagg_pine_params *p = NULL;
	UNIT_CHECK_EQ_U64(secagg_pine_params_parse("[]", 2, &p), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(secagg_pine_params_parse("{\"a\": \"\\u00e9\"}", 15, &p), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(secagg_pine_params_parse("{}", 2, &p), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_pine_params_parse("{", 1, &p), SECAGG_ERR_MALFORMED);
	UNIT_CHECK_EQ_U64(secagg_pine_params_parse("", 0, &p), SECAGG_ERR_MALFORMED);
	UNIT_CHECK(p == NULL);
}

/*
 * num_reports reports sharded by the library (measurement r: entries
 * (r + 1) * base[i]), prepared by every Aggregator with the core's code,
 * aggregated and unsharded: the exact sum.
 */
static void
shard_prepare_sum(const char *path, const double *base, int num_reports)
{
	secagg_pine_params *p = NULL;
	UNIT_CHECK_EQ_U64(parse_file(path, &p), SECAGG_OK);
	if (p == NULL)
		return;
	size_t d = secagg_pine_dimension(p), S = secagg_pine_num_shares(p);
	/* the aggregators' core parameters from the same configuration: equal digests prove them the same */
	pine_params P;
	pine_config c;
	{
		int variant = strstr(path, "pine64") ? PINE_VARIANT_PINE64 : PINE_VARIANT_PINE32_HMAC_SHA256_AES128;
		pine_config_defaults(&c, (pine_variant) variant);
		if (variant == PINE_VARIANT_PINE64) {
			c.l2_norm_bound = 32768; c.num_frac_bits = 15; c.dimension = 4;
			c.chunk_length = 37; c.chunk_length_norm_equality = 4;
		} else {
			c.draft = PINE_DRAFT_02; c.l2_norm_bound = 10240; c.num_frac_bits = 12; c.dimension = 7;
			c.chunk_length = 34; c.chunk_length_norm_equality = 3; c.num_shares = 3; c.alpha = 9.25;
		}
	}
	UNIT_CHECK(pine_params_init(&P, &c, NULL) == PINE_OK);
	uint8_t digest[32];
	secagg_pine_digest(p, digest);
	UNIT_CHECK_MEM(digest, P.digest, 32);

	uint8_t **agg = calloc(S, sizeof *agg);
	for (size_t j = 0; j < S; j++) {
		agg[j] = malloc(P.agg_share_len);
		pine_agg_init(&P, agg[j]);
	}
	uint8_t vk[32], nonce[16];
	randombytes_buf(vk, sizeof vk);
	double *meas = calloc(d, sizeof *meas), *want = calloc(d, sizeof *want), *got = calloc(d, sizeof *got);
	for (int r = 0; r < num_reports; r++) {
		for (size_t i = 0; i < d; i++) {
			meas[i] = (r + 1) * base[i];
			want[i] += meas[i];
		}
		UNIT_CHECK(secagg_random_bytes(nonce, sizeof nonce) == SECAGG_OK);
		uint8_t *pub, *shares;
		size_t pub_len, shares_len;
		UNIT_CHECK_EQ_U64(secagg_pine_shard(p, meas, d, nonce, 16, &pub, &pub_len, &shares, &shares_len), SECAGG_OK);
		UNIT_CHECK_EQ_U64(pub_len, P.public_share_len);
		uint8_t **state = calloc(S, sizeof *state), **prep = calloc(S, sizeof *prep);
		size_t *prep_lens = calloc(S, sizeof *prep_lens), off = 0;
		for (size_t j = 0; j < S; j++) {
			size_t in_len = secagg_pine_input_share_len(p, (uint32_t) j);
			state[j] = malloc(pine_prep_state_len(&P, (uint32_t) j));
			prep[j] = malloc(P.prep_share_len);
			prep_lens[j] = P.prep_share_len;
			UNIT_CHECK(pine_prep_init(&P, vk, P.verify_key_len, (uint32_t) j, nonce, 16, pub, pub_len, shares + off,
			                          in_len, state[j], prep[j], NULL) == PINE_OK);
			off += in_len;
		}
		UNIT_CHECK_EQ_U64(off, shares_len);
		uint8_t *msg = malloc(P.prep_msg_len), *out = malloc(P.out_share_len);
		UNIT_CHECK(pine_prep_shares_to_prep(&P, (const uint8_t *const *) prep, prep_lens, S, msg, NULL) == PINE_OK);
		for (size_t j = 0; j < S; j++) {
			UNIT_CHECK(pine_prep_next(&P, state[j], pine_prep_state_len(&P, (uint32_t) j), msg, P.prep_msg_len, out,
			                          NULL) == PINE_OK);
			UNIT_CHECK(pine_agg_add(&P, agg[j], P.agg_share_len, out, P.out_share_len, NULL) == PINE_OK);
			free(state[j]);
			free(prep[j]);
		}
		free(msg); free(out); free(state); free(prep); free(prep_lens);
		secagg_free(pub, pub_len);
		secagg_free(shares, shares_len);
	}
	size_t *agg_lens = calloc(S, sizeof *agg_lens);
	for (size_t j = 0; j < S; j++)
		agg_lens[j] = P.agg_share_len;
	UNIT_CHECK(pine_unshard(&P, (const uint8_t *const *) agg, agg_lens, S, (uint64_t) num_reports, got, NULL) ==
	           PINE_OK);
	for (size_t i = 0; i < d; i++)
		if (got[i] != want[i]) {
			fprintf(stderr, "  entry %zu: %.17g != %.17g\n", i, got[i], want[i]);
			UNIT_CHECK(got[i] == want[i]);
		}
	for (size_t j = 0; j < S; j++)
		free(agg[j]);
	free(agg); free(agg_lens); free(meas); free(want); free(got);
	secagg_pine_params_free(p);
}

static void
test_shard_two_aggregators_exact_sum(void)
{
	const double base[4] = { 0.25, -0.125, 0.0, 0.0625 };
	shard_prepare_sum(pine64, base, 3);
}

static void
test_shard_three_aggregators_exact_sum(void)
{
	const double base[7] = { 0.5, -0.25, 0.125, 0.0, -0.5, 0.25, 0.03125 };
	shard_prepare_sum(pine32, base, 2);
}

static void
test_shard_refusals(void)
{
	secagg_pine_params *p = NULL;
	UNIT_CHECK_EQ_U64(parse_file(pine64, &p), SECAGG_OK);
	uint8_t nonce[16] = { 0 }, rand[112] = { 0 }, *pub = NULL, *sh = NULL;
	size_t pub_len = 0, sh_len = 0;
	double over[4] = { 1.5, 0, 0, 0 }, nan_meas[4] = { NAN, 0, 0, 0 }, ok[4] = { 0.5, 0.5, 0, 0 };
	UNIT_CHECK_EQ_U64(secagg_pine_shard(p, over, 4, nonce, 16, &pub, &pub_len, &sh, &sh_len), SECAGG_ERR_NORM);
	UNIT_CHECK_EQ_U64(secagg_pine_shard(p, nan_meas, 4, nonce, 16, &pub, &pub_len, &sh, &sh_len),
	                  SECAGG_ERR_MEASUREMENT);
	UNIT_CHECK_EQ_U64(secagg_pine_shard(p, ok, 3, nonce, 16, &pub, &pub_len, &sh, &sh_len), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_pine_shard(p, ok, 4, nonce, 15, &pub, &pub_len, &sh, &sh_len), SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_pine_shard(p, ok, 4, nonce, 16, NULL, &pub_len, &sh, &sh_len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_pine_shard(NULL, ok, 4, nonce, 16, &pub, &pub_len, &sh, &sh_len), SECAGG_ERR_NULL);
	UNIT_CHECK_EQ_U64(secagg_pine_shard_with_rand(p, ok, 4, nonce, 16, rand, 111, &pub, &pub_len, &sh, &sh_len),
	                  SECAGG_ERR_PARAM);
	UNIT_CHECK_EQ_U64(secagg_pine_shard_with_rand(p, ok, 4, nonce, 16, NULL, 112, &pub, &pub_len, &sh, &sh_len),
	                  SECAGG_ERR_NULL);
	UNIT_CHECK(pub == NULL && sh == NULL && pub_len == 0 && sh_len == 0);
	/* explicit randomness is deterministic: the same bytes twice */
	uint8_t *pub2, *sh2;
	size_t pub2_len, sh2_len;
	for (int i = 0; i < 112; i++)
		rand[i] = (uint8_t) (7 * i + 1);
	int rc1 = secagg_pine_shard_with_rand(p, ok, 4, nonce, 16, rand, 112, &pub, &pub_len, &sh, &sh_len);
	int rc2 = secagg_pine_shard_with_rand(p, ok, 4, nonce, 16, rand, 112, &pub2, &pub2_len, &sh2, &sh2_len);
	UNIT_CHECK(rc1 == rc2 && (rc1 == SECAGG_OK || rc1 == SECAGG_ERR_RETRY));
	if (rc1 == SECAGG_OK) {
		UNIT_CHECK(pub_len == pub2_len && memcmp(pub, pub2, pub_len) == 0);
		UNIT_CHECK(sh_len == sh2_len && memcmp(sh, sh2, sh_len) == 0);
		secagg_free(pub, pub_len); secagg_free(sh, sh_len); secagg_free(pub2, pub2_len); secagg_free(sh2, sh2_len);
	}
	secagg_pine_params_free(p);
}

int
main(void)
{
	if (secagg_init() != SECAGG_OK)
		return 1;
	UNIT_RUN(test_params_from_sql_text);
	UNIT_RUN(test_params_equal_forms_accepted);
	UNIT_RUN(test_params_tampered_refused);
	UNIT_RUN(test_shard_two_aggregators_exact_sum);
	UNIT_RUN(test_shard_three_aggregators_exact_sum);
	UNIT_RUN(test_shard_refusals);
	return UNIT_DONE();
}
