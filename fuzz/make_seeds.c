/*
 * make_seeds: writes the seed corpora fuzz/corpus/<harness>/seed-* from the
 * same deterministic fixtures the harnesses build at start-up
 * (secagg_fixture.h, pine_fixture.h) and from the official PINE-01 test
 * vectors (and the PINE-02 ones in the sibling directory pine-02). For the
 * five official parameter sets the seeds are the vector
 * files' own bytes, after checking that the fixture produced exactly those
 * bytes (so the harness, which uses its fixture, takes them as genuine).
 *
 *   make_seeds <corpus dir> <dir of test/vectors/pine-01>
 *
 * Old seed-* files are removed first; other files (regression inputs) stay.
 * Run it through `make fuzz-seeds`.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "secagg_fixture.h"
#include "pine_fixture.h"
#include "pine/pine_internal.h"
#include "vecjson.h"

static const char *corpus_dir;
static const char *vectors_dir;
static int written;
static size_t written_bytes;
static const char *seed_tag = "";    /* prefix of seed names; non-empty: a second pass */

static void
prepare_dir(const char *harness)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", corpus_dir, harness);
	if (mkdir(path, 0755) != 0 && errno != EEXIST) {
		perror(path);
		exit(1);
	}
	if (*seed_tag)
		return;                 /* a second pass adds to the seeds of the first */
	DIR *d = opendir(path);
	FUZZ_CHECK(d != NULL);
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, "seed-", 5) == 0) {
			char f[2048];
			snprintf(f, sizeof f, "%s/%s", path, e->d_name);
			FUZZ_CHECK(unlink(f) == 0);
		}
	}
	closedir(d);
}

/* Writes prefix (0 or 1 byte, -1 for none) || the parts. */
static void
seed(const char *harness, const char *name, int prefix, const uint8_t *a, size_t a_len,
     const uint8_t *b, size_t b_len)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s/seed-%s%s", corpus_dir, harness, seed_tag, name);
	FILE *f = fopen(path, "wb");
	if (f == NULL) {
		perror(path);
		exit(1);
	}
	if (prefix >= 0) {
		uint8_t p = (uint8_t) prefix;
		FUZZ_CHECK(fwrite(&p, 1, 1, f) == 1);
		written_bytes++;
	}
	if (a_len)
		FUZZ_CHECK(fwrite(a, 1, a_len, f) == a_len);
	if (b_len)
		FUZZ_CHECK(fwrite(b, 1, b_len, f) == b_len);
	FUZZ_CHECK(fclose(f) == 0);
	written++;
	written_bytes += a_len + b_len;
}

/* ---------------------------------------------------------------------- */

/* Seeds of one fixture: the complete graph (degree 0) or SecAgg+ (names "plus-..."). */
static void
secagg_seeds(uint32_t degree)
{
	static secagg_fixture fixtures[2];
	secagg_fixture *fp = &fixtures[degree != 0];
#define F (*fp)
	char name[128];
	fx_build(fp, degree);
	seed_tag = degree ? "plus-" : "";
	const char *H;

	H = "sa_server_recv";
	prepare_dir(H);
	for (int k = 0; k < FX_STAGES; k++)
		for (int u = 0; u < FX_N; u++) {
			const fx_buf *m = &F.c2s[k][u];
			if (m->p == NULL)
				continue;
			if (u >= FX_PARTIAL) {          /* completes the partial image: the round closes */
				snprintf(name, sizeof name, "stage%d-user%d-closes", k, u);
				seed(H, name, k, m->p, m->len, NULL, 0);
			} else if (u == 0) {            /* first message of the round */
				snprintf(name, sizeof name, "stage%d-user%d-first", k, u);
				seed(H, name, k + 5, m->p, m->len, NULL, 0);
			}
			if (k == 0 && u == 2) {          /* AdvertiseKeys, re-signing mode */
				snprintf(name, sizeof name, "stage%d-user%d-closes-resign", k, u);
				seed(H, name, k + 5 * (0 + 3 * 2), m->p, m->len, NULL, 0);
			}
			if (F.drop[u] <= k) {     /* a user that did not send, on the full image */
				snprintf(name, sizeof name, "stage%d-user%d-late", k, u);
				seed(H, name, k + 5 * 2, m->p, m->len, NULL, 0);
			}
		}

	H = "sa_client_round";
	prepare_dir(H);
	for (int k = 0; k < FX_STAGES; k++)
		for (int u = 0; u < FX_N; u++)
			if (F.s2c[k][u].p != NULL && (u == 0 || u == 3 || u == 4)) {
				snprintf(name, sizeof name, "stage%d-user%d", k, u);
				seed(H, name, k + 5 * u, F.s2c[k][u].p, F.s2c[k][u].len, NULL, 0);
				if (k == 1 || k == 4) {     /* the same, in the re-signing mode */
					snprintf(name, sizeof name, "stage%d-user%d-resign", k, u);
					seed(H, name, 25 + k + 5 * u, F.s2c[k][u].p, F.s2c[k][u].len, NULL, 0);
				}
			}

	H = "sa_server_state";
	prepare_dir(H);
	for (int k = 0; k < FX_STAGES; k++) {
		snprintf(name, sizeof name, "stage%d-empty", k);
		seed(H, name, 0, F.img_empty[k].p, F.img_empty[k].len, NULL, 0);
		snprintf(name, sizeof name, "stage%d-partial", k);
		seed(H, name, 1, F.img_partial[k].p, F.img_partial[k].len, NULL, 0);
		snprintf(name, sizeof name, "stage%d-full", k);
		seed(H, name, k & 1, F.img_full[k].p, F.img_full[k].len, NULL, 0);
	}
	/* Unmasking with 4 responders for t = 3: a corrupt share can be left out */
	if (F.k == 0) {
		size_t cap, len = F.img_full[4].len;
		uint8_t *img = fx_image_copy(&F.img_full[4], 0, &cap);
		FUZZ_CHECK(fx_recv(&img, &len, &cap, F.ids[3], F.c2s[4][3].p, F.c2s[4][3].len) == SA_OK);
		seed(H, "stage4-four-responders", 0, img, len, NULL, 0);
		free(img);
	}
	{
		sa_output_view ov;
		FUZZ_CHECK(sa_output_open(F.out[4].p, F.out[4].len, &ov) == SA_OK);
		seed(H, "stage5-done", 1, ov.state, ov.state_len, NULL, 0);
	}

	H = "sa_client_state";
	prepare_dir(H);
	for (int k = 0; k <= FX_STAGES; k++)
		for (int u = 0; u < FX_N; u++)
			if (F.cstate[k][u].p != NULL && (u == 0 || u == 3 || u == 4 || k == 0)) {
				snprintf(name, sizeof name, "stage%d-user%d", k, u);
				seed(H, name, -1, F.cstate[k][u].p, F.cstate[k][u].len, NULL, 0);
			}

	if (F.k != 0) {             /* rosters and rejections: the complete graph's pass covers them */
		for (int k = 0; k < FX_STAGES; k++) {
			snprintf(name, sizeof name, "round%d", k);
			seed("sa_output", name, k == 2, F.out[k].p, F.out[k].len, NULL, 0);
		}
		/* the rows harness: outputs (modes 0, 3) and messages (modes 1, 4) of rounds 1 and 4 */
		prepare_dir("sa_rows");
		uint8_t hdr[2];
		for (int r = 1; r <= 4; r += 3) {
			hdr[0] = (uint8_t) (r == 1 ? 0 : 3);
			hdr[1] = 0;
			snprintf(name, sizeof name, "output-round%d", r);
			seed("sa_rows", name, -1, hdr, 2, F.out[r].p, F.out[r].len);
			for (int u = 0; u < FX_N; u++) {
				hdr[0] = (uint8_t) (r == 1 ? 1 : 4);
				hdr[1] = (uint8_t) u;
				snprintf(name, sizeof name, "message-round%d-user%d", r, u);
				seed("sa_rows", name, -1, hdr, 2, F.c2s[r][u].p, F.c2s[r][u].len);
			}
		}
		seed_tag = "";
		return;
	}
	H = "sa_roster";
	prepare_dir(H);
	seed(H, "five-users", -1, F.roster.p, F.roster.len, NULL, 0);
	{
		uint8_t two[4 + 4 + 2 * 40];
		memcpy(two, "SAR1", 4);
		sa_store_u32_be(two + 4, 2);
		memcpy(two + 8, F.roster.p + 8, 80);
		seed(H, "two-users", -1, two, sizeof two, NULL, 0);
	}

	H = "sa_output";
	prepare_dir(H);
	for (int k = 0; k < FX_STAGES; k++) {
		snprintf(name, sizeof name, "round%d", k);
		seed(H, name, k == 2, F.out[k].p, F.out[k].len, NULL, 0);
	}

	/* rejection records: one per stage on the full image, and an SAO2 output */
	H = "sa_rejections";
	prepare_dir(H);
	const char *H2 = "sa_output";
	for (int k = 0; k < FX_STAGES; k++) {
		uint8_t rec[2 * SA_REJECTION_BYTES];
		sa_rejection_put(rec, F.ids[4], (uint8_t) k, SA_ERR_SIGNATURE);
		sa_rejection_put(rec + SA_REJECTION_BYTES, F.ids[1], (uint8_t) k, SA_ERR_MALFORMED);
		snprintf(name, sizeof name, "stage%d-full-two", k);
		seed(H, name, k + 5, rec, sizeof rec, NULL, 0);
		snprintf(name, sizeof name, "stage%d-partial-one", k);
		seed(H, name, k, rec, SA_REJECTION_BYTES, NULL, 0);
		uint8_t *out;
		size_t out_len;
		FUZZ_CHECK(sa_server_round_rejecting(F.img_full[k].p, F.img_full[k].len, 1, rec, 2, &out,
		                                     &out_len) == SA_OK);
		snprintf(name, sizeof name, "round%d-rejections", k);
		seed(H2, name, 0, out, out_len, NULL, 0);
		sa_free(out);
	}
#undef F
}

/* ---------------------------------------------------------------------- */

/* The hex string at `node`, checked equal to (p, n). */
static uint8_t *
vec_hex(const vj_value *node, const uint8_t *p, size_t n, const char *what, const char *file)
{
	uint8_t *b;
	size_t len;
	if (vj_hex_alloc(node, &b, &len) != 0 || !fuzz_eq(b, len, p, n)) {
		fprintf(stderr, "%s: %s differs from the fixture\n", file, what);
		exit(1);
	}
	return b;
}

/* A list of hex field elements, concatenated, checked equal to (p, n). */
static uint8_t *
vec_elems(const vj_value *list, const uint8_t *p, size_t n, const char *what, const char *file)
{
	uint8_t *all = malloc(n ? n : 1);
	size_t off = 0;
	for (size_t i = 0; i < vj_len(list); i++) {
		uint8_t *b;
		size_t len;
		FUZZ_CHECK(vj_hex_alloc(vj_at(list, i), &b, &len) == 0 && off + len <= n);
		memcpy(all + off, b, len);
		off += len;
		free(b);
	}
	if (!fuzz_eq(all, off, p, n)) {
		fprintf(stderr, "%s: %s differs from the fixture\n", file, what);
		exit(1);
	}
	return all;
}

static void
params_seed(const char *H, const char *name, const pine_params *P)
{
	uint8_t enc[PINE_PARAMS_ENCODED_LEN];
	pine_params_encode(P, enc);
	seed(H, name, -1, enc, sizeof enc, NULL, 0);
}

static void
pine_seeds(void)
{
	char name[256], path[1024];
	px_build();
	const char *H_INIT = "pine_prep_init", *H_SHARES = "pine_prep_shares", *H_MSG = "pine_prep_msg",
	           *H_STATE = "pine_prep_state", *H_AGG = "pine_agg", *H_UNSHARD = "pine_unshard",
	           *H_PARAMS = "pine_params", *H_FIELD = "vdaf_field";
	prepare_dir(H_INIT);
	prepare_dir(H_SHARES);
	prepare_dir(H_MSG);
	prepare_dir(H_STATE);
	prepare_dir(H_AGG);
	prepare_dir(H_UNSHARD);
	prepare_dir(H_PARAMS);
	prepare_dir(H_FIELD);

	for (int c = 0; c < PX_NCTX; c++) {
		const pine_ctx *C = &px_ctx[c];
		const pine_params *P = &C->P;
		unsigned S = P->num_shares;
		const char *nm = C->spec->name;
		vj_value *root = NULL;
		const vj_value *R = NULL;
		if (C->spec->official) {
			snprintf(path, sizeof path, "%s/%s%s.json", vectors_dir,
			         C->spec->draft == PINE_DRAFT_02 ? "../pine-02/" : "", nm);
			root = vj_load_file(path);
			if (root == NULL) {
				fprintf(stderr, "%s: cannot read\n", path);
				exit(1);
			}
			R = vj_at(vj_get(root, "prep"), 0);
		}
		/* the bytes: from the vector where there is one (checked against the fixture) */
		uint8_t *pub, *in[PX_MAXS], *ps[PX_MAXS], *msg, *out[PX_MAXS], *agg[PX_MAXS];
		if (R != NULL) {
			pub = vec_hex(vj_get(R, "public_share"), C->pub[0], P->public_share_len, "public share", path);
			msg = vec_hex(vj_at(vj_get(R, "prep_messages"), 0), C->pmsg[0], P->prep_msg_len,
			              "prep message", path);
			for (unsigned j = 0; j < S; j++) {
				in[j] = vec_hex(vj_at(vj_get(R, "input_shares"), j), C->in[0][j],
				                pine_input_share_len(P, j), "input share", path);
				ps[j] = vec_hex(vj_at(vj_at(vj_get(R, "prep_shares"), 0), j), C->pshare[0][j],
				                P->prep_share_len, "prep share", path);
				out[j] = vec_elems(vj_at(vj_get(R, "out_shares"), j), C->out[0][j], P->out_share_len,
				                   "out share", path);
				agg[j] = vec_hex(vj_at(vj_get(root, "agg_shares"), j), C->agg[j], P->agg_share_len,
				                 "agg share", path);
			}
		} else {
			pub = fuzz_dup(C->pub[0], P->public_share_len);
			msg = fuzz_dup(C->pmsg[0], P->prep_msg_len);
			for (unsigned j = 0; j < S; j++) {
				in[j] = fuzz_dup(C->in[0][j], pine_input_share_len(P, j));
				ps[j] = fuzz_dup(C->pshare[0][j], P->prep_share_len);
				out[j] = fuzz_dup(C->out[0][j], P->out_share_len);
				agg[j] = fuzz_dup(C->agg[j], P->agg_share_len);
			}
		}

		/* prep_init: sel = j -> Aggregator j, report 0 */
		for (unsigned j = 0; j < S; j++) {
			snprintf(name, sizeof name, "%s-agg%u", nm, j);
			seed(H_INIT, name, c + PX_NCTX * (int) j, pub, P->public_share_len, in[j],
			     pine_input_share_len(P, j));
		}
		/* prep_shares: all shares (k = S), and Aggregator 0's alone (k = 0) */
		{
			size_t n = P->prep_share_len * S;
			uint8_t *all = malloc(n);
			for (unsigned j = 0; j < S; j++)
				memcpy(all + j * P->prep_share_len, ps[j], P->prep_share_len);
			snprintf(name, sizeof name, "%s-all", nm);
			seed(H_SHARES, name, c + PX_NCTX * (int) (2 * S), all, n, NULL, 0);
			snprintf(name, sizeof name, "%s-leader", nm);
			seed(H_SHARES, name, c, ps[0], P->prep_share_len, NULL, 0);
			free(all);
		}
		/* prep_msg: report 0, Aggregators 0 and S-1 */
		snprintf(name, sizeof name, "%s-leader", nm);
		seed(H_MSG, name, c, msg, P->prep_msg_len, NULL, 0);
		snprintf(name, sizeof name, "%s-helper", nm);
		seed(H_MSG, name, c + PX_NCTX * (int) (2 * (S - 1)), msg, P->prep_msg_len, NULL, 0);
		/* prep_state: every Aggregator's state of report 0 */
		for (unsigned j = 0; j < S; j++) {
			snprintf(name, sizeof name, "%s-agg%u", nm, j);
			seed(H_STATE, name, c, C->state[0][j], pine_prep_state_len(P, j), NULL, 0);
		}
		/* and the Leader's digest-form state of report 0 */
		{
			uint8_t *dst = malloc(P->leader_digest_state_len), *dps = malloc(P->prep_share_len);
			if (pine_prep_init_digest(P, C->vk, P->verify_key_len, 0, C->nonce, PINE_NONCE_SIZE, C->pub[0],
			                          P->public_share_len, C->in[0][0], P->leader_input_share_len, dst, dps,
			                          NULL) != PINE_OK) {
				fprintf(stderr, "make_seeds: prep_init_digest failed\n");
				exit(1);
			}
			snprintf(name, sizeof name, "%s-agg0-digest", nm);
			seed(H_STATE, name, c, dst, P->leader_digest_state_len, NULL, 0);
			free(dst);
			free(dps);
		}
		/* agg: Aggregator j adds report 1's output share to report 0's */
		for (unsigned j = 0; j < S; j++) {
			snprintf(name, sizeof name, "%s-agg%u", nm, j);
			seed(H_AGG, name, c + PX_NCTX * (int) j, C->out[1][j], P->out_share_len, NULL, 0);
		}
		/* unshard: the aggregate shares of the two reports */
		{
			size_t n = 8 + P->agg_share_len * S;
			uint8_t *all = calloc(1, n);
			all[7] = PX_REPORTS;
			for (unsigned j = 0; j < S; j++)
				memcpy(all + 8 + j * P->agg_share_len, agg[j], P->agg_share_len);
			snprintf(name, sizeof name, "%s", nm);
			seed(H_UNSHARD, name, c, all, n, NULL, 0);
			free(all);
		}
		/* field: an output share in the context's field */
		{
			static const int field_sel[4] = { 0, 1, 2, 3 };   /* PINE numbering */
			snprintf(name, sizeof name, "%s-out", nm);
			seed(H_FIELD, name, field_sel[P->field], out[0], P->out_share_len, NULL, 0);
		}
		params_seed(H_PARAMS, nm, P);

		free(pub);
		free(msg);
		for (unsigned j = 0; j < S; j++) {
			free(in[j]);
			free(ps[j]);
			free(out[j]);
			free(agg[j]);
		}
		vj_free(root);
	}

	/* the parameters of all 24 official -01 vectors and the 6 -02 ones */
	static const struct { const char *prefix; pine_variant v; int count; pine_draft draft; } fam[] = {
		{ "Pine64", PINE_VARIANT_PINE64, 4, PINE_DRAFT_01 },
		{ "Pine128", PINE_VARIANT_PINE128, 4, PINE_DRAFT_01 },
		{ "Pine64HmacSha256Aes128", PINE_VARIANT_PINE64_HMAC_SHA256_AES128, 8, PINE_DRAFT_01 },
		{ "Pine32HmacSha256Aes128", PINE_VARIANT_PINE32_HMAC_SHA256_AES128, 8, PINE_DRAFT_01 },
		{ "Pine40HmacSha256Aes128", PINE_VARIANT_PINE40_HMAC_SHA256_AES128, 6, PINE_DRAFT_02 },
	};
	for (size_t f = 0; f < sizeof fam / sizeof fam[0]; f++)
		for (int i = 0; i < fam[f].count; i++) {
			snprintf(path, sizeof path, "%s/%s%s_%d.json", vectors_dir,
			         fam[f].draft == PINE_DRAFT_02 ? "../pine-02/" : "", fam[f].prefix, i);
			vj_value *root = vj_load_file(path);
			FUZZ_CHECK(root != NULL);
			pine_config cfg;
			pine_params P;
			uint64_t u;
			memset(&cfg, 0, sizeof cfg);
			cfg.variant = fam[f].v;
			cfg.draft = fam[f].draft;
			vj_u64(vj_get(root, "l2_norm_bound"), &cfg.l2_norm_bound);
			vj_u64(vj_get(root, "num_frac_bits"), &u), cfg.num_frac_bits = (uint32_t) u;
			vj_u64(vj_get(root, "dimension"), &cfg.dimension);
			vj_u64(vj_get(root, "chunk_length"), &cfg.chunk_length);
			vj_u64(vj_get(root, "chunk_length_norm_equality"), &cfg.chunk_length_norm_equality);
			vj_u64(vj_get(root, "shares"), &u), cfg.num_shares = (uint32_t) u;
			vj_u64(vj_get(root, "proofs"), &u), cfg.num_proofs = (uint32_t) u;
			vj_u64(vj_get(root, "proofs_norm_equality"), &u), cfg.num_proofs_norm_equality = (uint32_t) u;
			vj_u64(vj_get(root, "num_wr_checks"), &u), cfg.num_wr_checks = (uint32_t) u;
			vj_u64(vj_get(root, "num_wr_successes"), &u), cfg.num_wr_successes = (uint32_t) u;
			cfg.alpha = vj_num(vj_get(root, "alpha"));
			FUZZ_CHECK(pine_params_init(&P, &cfg, NULL) == PINE_OK);
			snprintf(name, sizeof name, "vector-%s_%d", fam[f].prefix, i);
			params_seed(H_PARAMS, name, &P);
			vj_free(root);
		}

	/* field edges: 0, 1, p - 1 and p (non-canonical) in each field */
	for (int k = 0; k < 4; k++) {
		static const pine_field_id ids[4] = { PINE_FIELD64, PINE_FIELD128, PINE_FIELD32, PINE_FIELD40 };
		size_t E = pine_field_elem_size(ids[k]);
		uint8_t v[4 * 16];
		memset(v, 0, sizeof v);
		v[E] = 1;
		pine_u128 p = pine_field_modulus(ids[k]);
		for (size_t i = 0; i < E; i++) {
			v[2 * E + i] = (uint8_t) ((p - 1) >> (8 * i));
			v[3 * E + i] = (uint8_t) (p >> (8 * i));
		}
		snprintf(name, sizeof name, "edges-field%d", k);
		seed(H_FIELD, name, k, v, 4 * E, NULL, 0);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s <corpus dir> <pine-01 vectors dir>\n", argv[0]);
		return 2;
	}
	corpus_dir = argv[1];
	vectors_dir = argv[2];
	if (mkdir(corpus_dir, 0755) != 0 && errno != EEXIST) {
		perror(corpus_dir);
		return 1;
	}
	fuzz_sodium_init();
	secagg_seeds(0);
	secagg_seeds(2);
	pine_seeds();
	printf("make_seeds: %d seeds, %zu bytes, in %s\n", written, written_bytes, corpus_dir);
	return 0;
}
