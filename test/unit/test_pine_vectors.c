/*
 * test_pine_vectors.c: replay every official PINE test vector byte for
 * byte: public share, input shares, prep shares, prep message, output
 * shares, aggregate shares and the aggregate result. The 24
 * draft-chen-cfrg-vdaf-pine-01 files run under draft -01 and again under
 * -02 (at the -02 tag they are byte-identical), and the 6 -02 files of
 * Pine40HmacSha256Aes128 (Field40) under -02.
 * Run with cwd test/unit; vectors in ../vectors/pine-01/ and ../vectors/pine-02/.
 */
#include "unit.h"
#include "vecjson.h"

#include <sodium.h>

#include "pine/pine.h"

#define VEC_DIR_01 "../vectors/pine-01/"
#define VEC_DIR_02 "../vectors/pine-02/"
#define OFFICIAL_VECTOR_RUNS (2 * 24 + 6)

static int vectors_passed;
static int vectors_total;

typedef struct {
	const char *dir;
	const char *prefix;
	pine_variant variant;
	pine_draft draft;
	int count;
} vec_family;

static const vec_family families[] = {
	{ VEC_DIR_01, "Pine64", PINE_VARIANT_PINE64, PINE_DRAFT_01, 4 },
	{ VEC_DIR_01, "Pine128", PINE_VARIANT_PINE128, PINE_DRAFT_01, 4 },
	{ VEC_DIR_01, "Pine64HmacSha256Aes128", PINE_VARIANT_PINE64_HMAC_SHA256_AES128, PINE_DRAFT_01, 8 },
	{ VEC_DIR_01, "Pine32HmacSha256Aes128", PINE_VARIANT_PINE32_HMAC_SHA256_AES128, PINE_DRAFT_01, 8 },
	{ VEC_DIR_01, "Pine64", PINE_VARIANT_PINE64, PINE_DRAFT_02, 4 },
	{ VEC_DIR_01, "Pine128", PINE_VARIANT_PINE128, PINE_DRAFT_02, 4 },
	{ VEC_DIR_01, "Pine64HmacSha256Aes128", PINE_VARIANT_PINE64_HMAC_SHA256_AES128, PINE_DRAFT_02, 8 },
	{ VEC_DIR_01, "Pine32HmacSha256Aes128", PINE_VARIANT_PINE32_HMAC_SHA256_AES128, PINE_DRAFT_02, 8 },
	{ VEC_DIR_02, "Pine40HmacSha256Aes128", PINE_VARIANT_PINE40_HMAC_SHA256_AES128, PINE_DRAFT_02, 6 },
};

static int get_u64(const vj_value *root, const char *key, uint64_t *out)
{
	return vj_u64(vj_get(root, key), out);
}

/* Decode a hex node, compare with (buf, len). Returns 1 if equal. */
static int hex_eq(const vj_value *node, const uint8_t *buf, size_t len)
{
	uint8_t *b;
	size_t n;
	int eq;
	if (vj_hex_alloc(node, &b, &n) != 0)
		return 0;
	eq = n == len && memcmp(b, buf, len) == 0;
	free(b);
	return eq;
}

/* Returns the number of failed checks for one vector file. */
static int run_vector(const char *path, pine_variant variant, pine_draft draft)
{
	vj_value *root = vj_load_file(path);
	int fails = 0;
#define VCHECK(cond)                                                          \
	do {                                                                      \
		if (!(cond)) {                                                        \
			if (fails < 5)                                                    \
				fprintf(stderr, "  %s: check failed: %s (line %d)\n", path,  \
				        #cond, __LINE__);                                     \
			fails++;                                                          \
		}                                                                     \
	} while (0)
	if (root == NULL)
		return 1;

	pine_config cfg;
	pine_params P;
	uint64_t u;
	const char *why = NULL;

	memset(&cfg, 0, sizeof cfg);
	cfg.variant = variant;
	cfg.draft = draft;
	get_u64(root, "l2_norm_bound", &cfg.l2_norm_bound);
	get_u64(root, "num_frac_bits", &u), cfg.num_frac_bits = (uint32_t) u;
	get_u64(root, "dimension", &cfg.dimension);
	get_u64(root, "chunk_length", &cfg.chunk_length);
	get_u64(root, "chunk_length_norm_equality", &cfg.chunk_length_norm_equality);
	get_u64(root, "shares", &u), cfg.num_shares = (uint32_t) u;
	get_u64(root, "proofs", &u), cfg.num_proofs = (uint32_t) u;
	get_u64(root, "proofs_norm_equality", &u), cfg.num_proofs_norm_equality = (uint32_t) u;
	get_u64(root, "num_wr_checks", &u), cfg.num_wr_checks = (uint32_t) u;
	get_u64(root, "num_wr_successes", &u), cfg.num_wr_successes = (uint32_t) u;
	cfg.alpha = vj_num(vj_get(root, "alpha"));

	pine_status st = pine_params_init(&P, &cfg, &why);
	VCHECK(st == PINE_OK);
	if (st != PINE_OK) {
		fprintf(stderr, "  params: %s\n", why);
		vj_free(root);
		return fails;
	}

	uint8_t *vk = NULL;
	size_t vk_len = 0;
	VCHECK(vj_hex_alloc(vj_get(root, "verify_key"), &vk, &vk_len) == 0);
	VCHECK(vk_len == P.verify_key_len);

	size_t S = P.num_shares, d = P.dimension;
	const vj_value *prep = vj_get(root, "prep");
	uint8_t **agg = calloc(S, sizeof *agg);
	for (size_t j = 0; j < S; j++) {
		agg[j] = malloc(P.agg_share_len);
		pine_agg_init(&P, agg[j]);
	}

	for (size_t rep = 0; rep < vj_len(prep); rep++) {
		const vj_value *R = vj_at(prep, rep);
		const vj_value *mv = vj_get(R, "measurement");
		double *meas = calloc(vj_len(mv) + 1, sizeof *meas);
		for (size_t i = 0; i < vj_len(mv); i++)
			meas[i] = vj_num(vj_at(mv, i));
		uint8_t *nonce = NULL, *rand = NULL;
		size_t nonce_len = 0, rand_len = 0;
		VCHECK(vj_hex_alloc(vj_get(R, "nonce"), &nonce, &nonce_len) == 0);
		VCHECK(vj_hex_alloc(vj_get(R, "rand"), &rand, &rand_len) == 0);
		VCHECK(rand_len == P.rand_len);

		uint8_t *pub = malloc(P.public_share_len);
		uint8_t **in = calloc(S, sizeof *in);
		for (size_t j = 0; j < S; j++)
			in[j] = malloc(pine_input_share_len(&P, (uint32_t) j));
		st = pine_shard(&P, meas, vj_len(mv), nonce, nonce_len, rand, rand_len, pub, in, &why);
		VCHECK(st == PINE_OK);
		if (st != PINE_OK)
			fprintf(stderr, "  shard: %s\n", why);
		VCHECK(hex_eq(vj_get(R, "public_share"), pub, P.public_share_len));
		for (size_t j = 0; j < S; j++)
			VCHECK(hex_eq(vj_at(vj_get(R, "input_shares"), j), in[j],
			              pine_input_share_len(&P, (uint32_t) j)));

		/* Prepare from the vector's own bytes (identical if shard passed). */
		uint8_t **states = calloc(S, sizeof *states);
		uint8_t **dstates = calloc(S, sizeof *dstates);   /* pine_prep_init_digest's */
		uint8_t **vins = calloc(S, sizeof *vins);
		size_t *vin_lens = calloc(S, sizeof *vin_lens);
		uint8_t **pshares = calloc(S, sizeof *pshares);
		size_t *plens = calloc(S, sizeof *plens);
		uint8_t *vpub = NULL;
		size_t vpub_len = 0;
		VCHECK(vj_hex_alloc(vj_get(R, "public_share"), &vpub, &vpub_len) == 0);
		for (size_t j = 0; j < S; j++) {
			uint8_t *vin = NULL;
			size_t vin_len = 0;
			VCHECK(vj_hex_alloc(vj_at(vj_get(R, "input_shares"), j), &vin, &vin_len) == 0);
			states[j] = malloc(pine_prep_state_len(&P, (uint32_t) j));
			pshares[j] = malloc(P.prep_share_len);
			plens[j] = P.prep_share_len;
			st = pine_prep_init(&P, vk, vk_len, (uint32_t) j, nonce, nonce_len, vpub,
			                    vpub_len, vin, vin_len, states[j], pshares[j], &why);
			VCHECK(st == PINE_OK);
			if (st != PINE_OK)
				fprintf(stderr, "  prep_init %zu: %s\n", j, why);
			VCHECK(hex_eq(vj_at(vj_at(vj_get(R, "prep_shares"), 0), j), pshares[j],
			              P.prep_share_len));
			/* the digest form: the same prep share */
			uint8_t *dshare = malloc(P.prep_share_len);
			dstates[j] = malloc(pine_prep_state_len_digest(&P, (uint32_t) j));
			st = pine_prep_init_digest(&P, vk, vk_len, (uint32_t) j, nonce, nonce_len, vpub,
			                           vpub_len, vin, vin_len, dstates[j], dshare, &why);
			VCHECK(st == PINE_OK);
			VCHECK(memcmp(dshare, pshares[j], P.prep_share_len) == 0);
			free(dshare);
			vins[j] = vin;
			vin_lens[j] = vin_len;
		}
		uint8_t *msg = malloc(P.prep_msg_len);
		st = pine_prep_shares_to_prep(&P, (const uint8_t *const *) pshares, plens, S, msg,
		                              &why);
		VCHECK(st == PINE_OK);
		VCHECK(hex_eq(vj_at(vj_get(R, "prep_messages"), 0), msg, P.prep_msg_len));

		uint8_t *outs = malloc(P.out_share_len);
		for (size_t j = 0; j < S; j++) {
			st = pine_prep_next(&P, states[j], pine_prep_state_len(&P, (uint32_t) j), msg, P.prep_msg_len, outs,
			                    &why);
			VCHECK(st == PINE_OK);
			const vj_value *ov = vj_at(vj_get(R, "out_shares"), j);
			VCHECK(vj_len(ov) == d);
			for (size_t i = 0; i < d && i < vj_len(ov); i++)
				VCHECK(hex_eq(vj_at(ov, i), outs + i * P.elem_size, P.elem_size));
			VCHECK(pine_agg_add(&P, agg[j], P.agg_share_len, outs, P.out_share_len, &why) ==
			       PINE_OK);
			/* the digest form, given the input share again: the same output share */
			uint8_t *douts = malloc(P.out_share_len);
			st = pine_prep_next_input(&P, dstates[j], pine_prep_state_len_digest(&P, (uint32_t) j),
			                          vins[j], vin_lens[j], msg, P.prep_msg_len, douts, NULL, &why);
			VCHECK(st == PINE_OK);
			VCHECK(memcmp(douts, outs, P.out_share_len) == 0);
			free(douts);
		}

		free(outs);
		free(msg);
		for (size_t j = 0; j < S; j++) {
			free(states[j]);
			free(dstates[j]);
			free(vins[j]);
			free(pshares[j]);
			free(in[j]);
		}
		free(states);
		free(dstates);
		free(vins);
		free(vin_lens);
		free(pshares);
		free(plens);
		free(in);
		free(vpub);
		free(pub);
		free(nonce);
		free(rand);
		free(meas);
	}

	for (size_t j = 0; j < S; j++)
		VCHECK(hex_eq(vj_at(vj_get(root, "agg_shares"), j), agg[j], P.agg_share_len));
	double *res = calloc(d, sizeof *res);
	size_t *alens = calloc(S, sizeof *alens);
	for (size_t j = 0; j < S; j++)
		alens[j] = P.agg_share_len;
	st = pine_unshard(&P, (const uint8_t *const *) agg, alens, S, vj_len(prep), res, &why);
	VCHECK(st == PINE_OK);
	const vj_value *ar = vj_get(root, "agg_result");
	VCHECK(vj_len(ar) == d);
	for (size_t i = 0; i < d && i < vj_len(ar); i++)
		VCHECK(res[i] == vj_num(vj_at(ar, i)));

	free(res);
	free(alens);
	for (size_t j = 0; j < S; j++)
		free(agg[j]);
	free(agg);
	free(vk);
	vj_free(root);
	return fails;
#undef VCHECK
}

static void test_all_vectors(void)
{
	char path[256];
	for (size_t fam = 0; fam < sizeof families / sizeof families[0]; fam++) {
		const vec_family *F = &families[fam];
		const char *draft = F->draft == PINE_DRAFT_02 ? "02" : "01";
		for (int i = 0; i < F->count; i++) {
			snprintf(path, sizeof path, "%s%s_%d.json", F->dir, F->prefix, i);
			int fails = run_vector(path, F->variant, F->draft);
			vectors_total++;
			if (fails == 0)
				vectors_passed++;
			printf("  %s_%d (draft %s): %s\n", F->prefix, i, draft, fails == 0 ? "PASS" : "FAIL");
			UNIT_CHECK(fails == 0);
		}
	}
	printf("  %d/%d official vector runs pass\n", vectors_passed, vectors_total);
	UNIT_CHECK(vectors_total == OFFICIAL_VECTOR_RUNS);
}

/*
 * Extra known-answer cases beyond the official files: 3 and 4 Aggregators,
 * negative and fractional entries, r_succ < r, custom proof counts. The
 * expected SHA-256 digests were produced once with the independent Python
 * model (tools/pine-model, which agrees with the -01 POC on such cases)
 * over: per report public share || input shares || prep shares || prep
 * message || out shares; then the aggregate shares and the result doubles
 * (little-endian IEEE-754). Randomness: nonce[i] = i + 17k, rand[i] =
 * 7i + 31k + 101 attempt, vk[i] = 3i + 1 (all mod 256).
 */
typedef struct {
	const char *variant;
	uint64_t l2;
	uint32_t nfb;
	uint64_t d, c, cne;
	uint32_t shares, proofs, proofs_ne, r, rs;
	int reports;
	const char *digest;
} extra_case;

static const extra_case extra_cases[] = {
	{ "Pine64", 32768, 15, 13, 10, 4, 3, 2, 1, 100, 100, 2, "f7449b2ebc252e18bb924e0b9db9b7ec8d7192777c76268aa764b5909faa2a31" },
	{ "Pine128", 32768, 15, 33, 37, 6, 3, 1, 1, 100, 100, 2, "5b8e9cbe8553b91029902b66c52742fdd51778e5c3a2a6194793cee1df2bfec2" },
	{ "Pine32Hmac", 4096, 12, 21, 20, 5, 3, 6, 2, 60, 40, 2, "db08cd6528e029c71478844db522b677e92f68d8d235e91b23156e452b36db36" },
	{ "Pine64Hmac", 32768, 15, 50, 37, 7, 2, 3, 1, 100, 90, 3, "af6708f835b71ad8fbb8afcdc11b016ed6312b35eca28d8a8c28a5670fcda047" },
	{ "Pine64", 1048576, 20, 5, 1, 1, 4, 2, 1, 7, 7, 2, "f627efb74f0cda247d393fc276298b1a7458d231043069957229dd14db5557d4" },
};

static void extra_meas(double *x, size_t d, int k)
{
	for (size_t i = 0; i < d; i++)
		x[i] = 0.0;
	x[0] = -0.3 + 0.01 * k;
	x[1 % d] += 0.1;
	x[(2 + (size_t) k) % d] += -0.0001;
	x[(5 + 3 * (size_t) k) % d] += 0.5;
	x[d - 1] += -0.25;
	x[(7 * (size_t) k + 3) % d] += 0.123456789;
}

static int run_extra(const extra_case *ec)
{
	pine_config cfg;
	pine_params P;
	const char *why = NULL;
	int fails = 0;

	memset(&cfg, 0, sizeof cfg);
	cfg.variant = strcmp(ec->variant, "Pine64") == 0       ? PINE_VARIANT_PINE64
	              : strcmp(ec->variant, "Pine128") == 0    ? PINE_VARIANT_PINE128
	              : strcmp(ec->variant, "Pine64Hmac") == 0 ? PINE_VARIANT_PINE64_HMAC_SHA256_AES128
	                                                       : PINE_VARIANT_PINE32_HMAC_SHA256_AES128;
	cfg.l2_norm_bound = ec->l2;
	cfg.num_frac_bits = ec->nfb;
	cfg.dimension = ec->d;
	cfg.chunk_length = ec->c;
	cfg.chunk_length_norm_equality = ec->cne;
	cfg.num_shares = ec->shares;
	cfg.num_proofs = ec->proofs;
	cfg.num_proofs_norm_equality = ec->proofs_ne;
	cfg.alpha = 8.7;
	cfg.num_wr_checks = ec->r;
	cfg.num_wr_successes = ec->rs;
	if (pine_params_init(&P, &cfg, &why) != PINE_OK) {
		fprintf(stderr, "  extra %s: params: %s\n", ec->variant, why);
		return 1;
	}
	size_t S = P.num_shares, d = P.dimension, L = P.seed_size;
	crypto_hash_sha256_state h;
	crypto_hash_sha256_init(&h);
	uint8_t vk[64], nonce[16];
	for (size_t i = 0; i < L; i++)
		vk[i] = (uint8_t) (3 * i + 1);
	uint8_t *rnd = malloc(P.rand_len), *pub = malloc(P.public_share_len);
	uint8_t *msg = malloc(P.prep_msg_len), *outs = malloc(P.out_share_len);
	uint8_t *in[8], *stt[8], *ps[8], *agg[8];
	size_t plen[8], alen[8];
	double *x = calloc(d, sizeof *x), *res = calloc(d, sizeof *res);
	for (size_t j = 0; j < S; j++) {
		in[j] = malloc(pine_input_share_len(&P, (uint32_t) j));
		stt[j] = malloc(pine_prep_state_len(&P, (uint32_t) j));
		ps[j] = malloc(P.prep_share_len);
		plen[j] = P.prep_share_len;
		agg[j] = malloc(P.agg_share_len);
		alen[j] = P.agg_share_len;
		pine_agg_init(&P, agg[j]);
	}
	for (int k = 0; k < ec->reports; k++) {
		pine_status st = PINE_RETRY;
		for (size_t i = 0; i < 16; i++)
			nonce[i] = (uint8_t) (i + 17 * (size_t) k);
		extra_meas(x, d, k);
		for (int att = 0; att < 20 && st == PINE_RETRY; att++) {
			for (size_t i = 0; i < P.rand_len; i++)
				rnd[i] = (uint8_t) (i * 7 + 31 * (size_t) k + 101 * (size_t) att);
			st = pine_shard(&P, x, d, nonce, 16, rnd, P.rand_len, pub, in, &why);
		}
		fails += st != PINE_OK;
		crypto_hash_sha256_update(&h, pub, P.public_share_len);
		for (size_t j = 0; j < S; j++)
			crypto_hash_sha256_update(&h, in[j], pine_input_share_len(&P, (uint32_t) j));
		for (size_t j = 0; j < S; j++) {
			fails += pine_prep_init(&P, vk, L, (uint32_t) j, nonce, 16, pub, P.public_share_len,
			                        in[j], pine_input_share_len(&P, (uint32_t) j), stt[j], ps[j],
			                        &why) != PINE_OK;
			crypto_hash_sha256_update(&h, ps[j], P.prep_share_len);
		}
		fails += pine_prep_shares_to_prep(&P, (const uint8_t *const *) ps, plen, S, msg, &why) !=
		         PINE_OK;
		crypto_hash_sha256_update(&h, msg, P.prep_msg_len);
		for (size_t j = 0; j < S; j++) {
			fails += pine_prep_next(&P, stt[j], pine_prep_state_len(&P, (uint32_t) j), msg, P.prep_msg_len, outs,
			                        &why) != PINE_OK;
			crypto_hash_sha256_update(&h, outs, P.out_share_len);
			fails += pine_agg_add(&P, agg[j], P.agg_share_len, outs, P.out_share_len, &why) !=
			         PINE_OK;
		}
	}
	for (size_t j = 0; j < S; j++)
		crypto_hash_sha256_update(&h, agg[j], P.agg_share_len);
	fails += pine_unshard(&P, (const uint8_t *const *) agg, alen, S, (uint64_t) ec->reports,
	                      res, &why) != PINE_OK;
	for (size_t i = 0; i < d; i++) {
		uint8_t b[8];
		memcpy(b, &res[i], 8);
		crypto_hash_sha256_update(&h, b, 8);
	}
	uint8_t dig[32], want[32];
	crypto_hash_sha256_final(&h, dig);
	fails += unit_hex_decode(ec->digest, want, sizeof want) != 32;
	if (memcmp(dig, want, 32) != 0) {
		fprintf(stderr, "  extra %s (S=%u, d=%llu): digest mismatch\n", ec->variant,
		        ec->shares, (unsigned long long) ec->d);
		fails++;
	}
	for (size_t j = 0; j < S; j++) {
		free(in[j]);
		free(stt[j]);
		free(ps[j]);
		free(agg[j]);
	}
	free(rnd);
	free(pub);
	free(msg);
	free(outs);
	free(x);
	free(res);
	return fails;
}

static void test_extra_cases(void)
{
	int passed = 0;
	for (size_t i = 0; i < sizeof extra_cases / sizeof extra_cases[0]; i++) {
		int f = run_extra(&extra_cases[i]);
		UNIT_CHECK(f == 0);
		passed += f == 0;
	}
	printf("  %d/%zu extra model cases pass\n", passed,
	       sizeof extra_cases / sizeof extra_cases[0]);
}

int main(void)
{
	UNIT_RUN(test_all_vectors);
	UNIT_RUN(test_extra_cases);
	return UNIT_DONE();
}
