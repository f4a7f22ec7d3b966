/*
 * test_interrupt.c: the core's long loops stop when the host's interrupt
 * check says so, return the *_INTERRUPTED status, leave their inputs
 * unchanged and free what they held (the ASan build's leak checker runs
 * these too); once the check is clear the same call succeeds.
 */
#include "unit.h"
#include "secagg_sim.h"
#include "common/interrupt.h"
#include "pine/pine.h"
#include "vdaf/flp.h"
#include "vdaf/status.h"

static int armed;        /* the check returns true while armed */
static long polls;       /* how often it was asked */

static bool
check(void)
{
	polls++;
	return armed != 0;
}

/* Clients answer round r (all of them), then the server closes it. */
static sa_status
play_round(sim *s, int r, uint64_t *sum)
{
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->inbox[i] == NULL)
			continue;
		uint8_t *out;
		size_t out_len;
		sa_status st = sa_client_round(s->clients[i], s->inbox[i], s->inbox_len[i], &out, &out_len);
		if (st != SA_OK)
			return st;
		st = sim_recv(s, s->ids[i], out, out_len);
		sa_free(out);
		if (st != SA_OK)
			return st;
	}
	uint8_t *out;
	size_t out_len;
	sa_status st = sa_server_round(s->img, s->img_len, 2, &out, &out_len);
	if (st != SA_OK)
		return st;
	st = sim_apply_output(s, out, out_len, sum);
	sa_free(out);
	(void) r;
	return st;
}

static void
start(sim *s, const uint64_t *x)
{
	sa_roster r = sim_roster(s);
	static const uint8_t sid[] = "interrupt";
	UNIT_CHECK(sa_server_create(sid, sizeof sid - 1, s->t, s->m, &r, &s->img, &s->img_len) == SA_OK);
	s->img_cap = s->img_len;
	uint8_t *r0;
	size_t r0_len;
	sa_server_round0_msg(s->img, s->img_len, &r0, &r0_len);
	for (uint32_t i = 0; i < s->n; i++) {
		UNIT_CHECK(sa_client_create(sid, sizeof sid - 1, s->t, &r, s->ids[i], s->sks[i], x + (size_t) i * s->m,
		                            s->m, &s->clients[i]) == SA_OK);
		s->inbox[i] = malloc(r0_len);
		memcpy(s->inbox[i], r0, r0_len);
		s->inbox_len[i] = r0_len;
	}
	sa_free(r0);
}

static void
test_client_masking_stops(void)
{
	enum { N = 6, T = 4, M = 4096 };
	uint64_t x[N * M], sum[M];
	for (size_t i = 0; i < N * M; i++)
		x[i] = i * 2654435761u;
	sim s;
	sim_init(&s, N, T, M, 100);
	start(&s, x);
	UNIT_CHECK(play_round(&s, 0, sum) == SA_OK);
	UNIT_CHECK(play_round(&s, 1, sum) == SA_OK);
	/* round 2: the first client's masking loop is interrupted */
	uint8_t *before, *after, *out;
	size_t before_len, after_len, out_len;
	UNIT_CHECK(sa_client_serialize(s.clients[0], &before, &before_len) == SA_OK);
	armed = 1;
	UNIT_CHECK(sa_client_round(s.clients[0], s.inbox[0], s.inbox_len[0], &out, &out_len) == SA_ERR_INTERRUPTED);
	armed = 0;
	UNIT_CHECK(sa_client_serialize(s.clients[0], &after, &after_len) == SA_OK);
	UNIT_CHECK(before_len == after_len && memcmp(before, after, before_len) == 0);
	sa_free_secret(before, before_len);
	sa_free_secret(after, after_len);
	/* and the session completes with the exact sum */
	UNIT_CHECK(play_round(&s, 2, sum) == SA_OK);
	UNIT_CHECK(play_round(&s, 3, sum) == SA_OK);
	UNIT_CHECK(play_round(&s, 4, sum) == SA_OK);
	for (size_t k = 0; k < M; k++) {
		uint64_t e = 0;
		for (size_t i = 0; i < N; i++)
			e += x[i * M + k];
		if (sum[k] != e) {
			UNIT_CHECK(sum[k] == e);
			break;
		}
	}
	sim_free(&s);
}

static void
test_server_unmasking_stops(void)
{
	enum { N = 6, T = 4, M = 4096 };
	uint64_t x[N * M], sum[M];
	for (size_t i = 0; i < N * M; i++)
		x[i] = i ^ 0x5555;
	sim s;
	sim_init(&s, N, T, M, 7);
	start(&s, x);
	for (int r = 0; r < 4; r++)
		UNIT_CHECK(play_round(&s, r, sum) == SA_OK);
	/* round 4: every client answers, then the server's unmasking is interrupted */
	for (uint32_t i = 0; i < s.n; i++) {
		uint8_t *out;
		size_t out_len;
		UNIT_CHECK(sa_client_round(s.clients[i], s.inbox[i], s.inbox_len[i], &out, &out_len) == SA_OK);
		UNIT_CHECK(sim_recv(&s, s.ids[i], out, out_len) == SA_OK);
		sa_free(out);
	}
	uint8_t *img = malloc(s.img_len), *out;
	size_t out_len;
	memcpy(img, s.img, s.img_len);
	armed = 1;
	UNIT_CHECK(sa_server_round(s.img, s.img_len, 2, &out, &out_len) == SA_ERR_INTERRUPTED);
	armed = 0;
	UNIT_CHECK(memcmp(img, s.img, s.img_len) == 0);
	UNIT_CHECK(sa_server_round(s.img, s.img_len, 2, &out, &out_len) == SA_OK);
	UNIT_CHECK(sim_apply_output(&s, out, out_len, sum) == SA_OK);
	sa_free(out);
	uint64_t e = 0;
	for (size_t i = 0; i < N; i++)
		e += x[i * M + 17];
	UNIT_CHECK_EQ_U64(sum[17], e);
	free(img);
	sim_free(&s);
}

static void
test_pine_prep_init_stops(void)
{
	pine_config c;
	pine_config_defaults(&c, PINE_VARIANT_PINE64);
	c.num_frac_bits = 15;
	c.l2_norm_bound = (uint64_t) 1 << c.num_frac_bits;   /* 1.0 */
	c.dimension = 20000;
	pine_params P;
	const char *why = NULL;
	UNIT_CHECK(pine_optimal_chunk_lengths(&c, &c.chunk_length, &c.chunk_length_norm_equality, NULL) == PINE_OK);
	UNIT_CHECK(pine_params_init(&P, &c, &why) == PINE_OK);
	uint8_t vk[16] = { 1 }, nonce[16] = { 2 };
	double *meas = calloc(P.dimension, sizeof(double));
	meas[0] = 0.5;
	uint8_t *rand = calloc(1, P.rand_len), *pub = malloc(P.public_share_len);
	uint8_t *in[2] = { malloc(pine_input_share_len(&P, 0)), malloc(pine_input_share_len(&P, 1)) };
	UNIT_CHECK(pine_shard(&P, meas, P.dimension, nonce, 16, rand, P.rand_len, pub, in, &why) == PINE_OK);
	uint8_t *state = malloc(pine_prep_state_len(&P, 1)), *share = malloc(P.prep_share_len);
	for (int attempt = 0; attempt < 2; attempt++) {
		armed = attempt == 0;
		polls = 0;
		pine_status st = pine_prep_init(&P, vk, 16, 1, nonce, 16, pub, P.public_share_len, in[1],
		                                pine_input_share_len(&P, 1), state, share, &why);
		UNIT_CHECK(st == (attempt == 0 ? PINE_ERR_INTERRUPTED : PINE_OK));
		/* uninterrupted, the check is asked many times: long loops poll it */
		if (attempt == 1)
			UNIT_CHECK(polls >= 10);
	}
	armed = 0;
	UNIT_CHECK(pine_shard(&P, meas, P.dimension, nonce, 16, rand, P.rand_len, pub, in, &why) == PINE_OK);
	free(meas); free(rand); free(pub); free(in[0]); free(in[1]); free(state); free(share);
}

/* A circuit of d squares (one gadget call per element), enough calls for the FLP's own polls. */
static int
eval_squares(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
             size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	vdaf_elem acc = vdaf_elem_zero(), y;
	for (size_t i = 0; i + 1 < v->meas_len; i++) {
		int rc = vdaf_flp_gadget_call(g, 0, m + i, &y);
		if (rc != VDAF_OK)
			return rc;
		acc = f->add(acc, y);
	}
	out[0] = f->sub(m[v->meas_len - 1], acc);
	(void) jr;
	(void) ns;
	return VDAF_OK;
}

/* The FLP prover itself stops (not only the XOF loops around it in PINE). */
static void
test_flp_prove_stops(void)
{
	enum { D = 4096 };
	vdaf_valid v = { 0 };
	v.field = &vdaf_field64;
	v.meas_len = D + 1;
	v.eval_output_len = 1;
	v.num_gadgets = 1;
	v.gadgets[0] = (vdaf_gadget) { .kind = VDAF_GADGET_POLY_EVAL, .parallel = 1, .calls = D,
	                               .num_coeffs = 3, .coeffs = { 0, 0, 1 } };
	v.eval = eval_squares;
	vdaf_elem *meas = calloc(D + 1, sizeof *meas);
	vdaf_elem *rand = calloc(vdaf_flp_prove_rand_len(&v), sizeof *rand);
	vdaf_elem *proof = calloc(vdaf_flp_proof_len(&v), sizeof *proof);
	armed = 1;
	UNIT_CHECK(vdaf_flp_prove(&v, meas, rand, NULL, proof) == VDAF_ERR_INTERRUPTED);
	armed = 0;
	UNIT_CHECK(vdaf_flp_prove(&v, meas, rand, NULL, proof) == VDAF_OK);
	free(meas); free(rand); free(proof);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	sa_set_interrupt_check(check);
	UNIT_RUN(test_client_masking_stops);
	UNIT_RUN(test_server_unmasking_stops);
	UNIT_RUN(test_pine_prep_init_stops);
	UNIT_RUN(test_flp_prove_stops);
	return UNIT_DONE();
}
