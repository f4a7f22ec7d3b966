#define _POSIX_C_SOURCE 200809L
/*
 * test_vdaf_flp.c: the generic FLP with the gadgets PINE-01 uses
 * (ParallelSum(Mul), ParallelSum(PolyEval x^2)), general PolyEval, multiple
 * outputs, multiple proofs, error paths, and timings at PINE-like sizes.
 * (Byte-exact FLP proofs/verifiers are covered by test_vdaf_prio3.c.)
 */
#include <time.h>

#include "unit.h"

#include "vdaf/flp.h"
#include "vdaf/xof.h"

/* ---- a norm-equality-like circuit: sum of squares of x[0..d) == x[d] ---- */
typedef struct {
	size_t d, chunk;
} sq_params;

static int
eval_sumsq(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
           size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	const sq_params *p = v->params;
	vdaf_elem acc = vdaf_elem_zero(), y;
	vdaf_elem *pad = calloc(p->chunk, sizeof *pad);
	if (pad == NULL)
		return VDAF_ERR_NOMEM;
	for (size_t off = 0; off < p->d; off += p->chunk) {
		const vdaf_elem *in = m + off;
		if (off + p->chunk > p->d) { /* zero-padded final chunk */
			memcpy(pad, m + off, (p->d - off) * sizeof *pad);
			in = pad;
		}
		int rc = vdaf_flp_gadget_call(g, 0, in, &y);
		if (rc != VDAF_OK) {
			free(pad);
			return rc;
		}
		acc = f->add(acc, y);
	}
	free(pad);
	out[0] = f->sub(m[p->d], acc);
	return VDAF_OK;
}

static vdaf_valid
sumsq_circuit(const vdaf_field *f, const sq_params *p)
{
	vdaf_valid v = { 0 };
	v.field = f;
	v.meas_len = p->d + 1;
	v.eval_output_len = 1;
	v.num_gadgets = 1;
	v.gadgets[0].kind = VDAF_GADGET_POLY_EVAL;
	v.gadgets[0].parallel = p->chunk;
	v.gadgets[0].calls = (p->d + p->chunk - 1) / p->chunk;
	v.gadgets[0].num_coeffs = 3;
	v.gadgets[0].coeffs[2] = 1;
	v.eval = eval_sumsq;
	v.params = p;
	return v;
}

/* Fill deterministic pseudo-random elements from an XOF. */
static void
fill(const vdaf_field *f, vdaf_elem *out, size_t n, uint8_t tag)
{
	uint8_t seed[16] = { tag };
	vdaf_xof_expand_into_vec(VDAF_XOF_TURBOSHAKE128, f, seed, 16, (const uint8_t *) "t", 1,
	                         NULL, 0, out, n);
}

/* Split meas into two additive shares, prove, query both, sum, decide. */
static int
prove_and_decide(const vdaf_valid *v, size_t proofs, const vdaf_elem *meas, const vdaf_elem *jr)
{
	const vdaf_field *f = v->field;
	size_t ml = v->meas_len, pl = vdaf_flp_proof_len(v) * proofs;
	size_t vl = vdaf_flp_verifier_len(v) * proofs, ql = vdaf_flp_query_rand_len(v) * proofs;
	size_t prl = vdaf_flp_prove_rand_len(v) * proofs;
	vdaf_elem *m1 = calloc(ml, sizeof *m1), *m0 = calloc(ml, sizeof *m0);
	vdaf_elem *pf = calloc(pl, sizeof *pf), *p1 = calloc(pl, sizeof *p1);
	vdaf_elem *pr = calloc(prl, sizeof *pr), *qr = calloc(ql, sizeof *qr);
	vdaf_elem *v0 = calloc(vl, sizeof *v0), *v1 = calloc(vl, sizeof *v1);
	int result = -100;
	if (!m1 || !m0 || !pf || !p1 || !pr || !qr || !v0 || !v1)
		goto out;
	fill(f, pr, prl, 1);
	fill(f, qr, ql, 2);
	fill(f, m1, ml, 3);
	fill(f, p1, pl, 4);
	memcpy(m0, meas, ml * sizeof *m0);
	f->vec_sub(m0, m1, ml);
	if ((result = vdaf_flp_prove_multi(v, proofs, meas, pr, jr, pf)) != VDAF_OK)
		goto out;
	f->vec_sub(pf, p1, pl);
	if ((result = vdaf_flp_query_multi(v, proofs, m0, pf, qr, jr, 2, v0)) != VDAF_OK)
		goto out;
	if ((result = vdaf_flp_query_multi(v, proofs, m1, p1, qr, jr, 2, v1)) != VDAF_OK)
		goto out;
	f->vec_add(v0, v1, vl);
	result = vdaf_flp_decide_multi(v, proofs, v0);
out:
	free(m1);
	free(m0);
	free(pf);
	free(p1);
	free(pr);
	free(qr);
	free(v0);
	free(v1);
	return result;
}

static void
test_lengths_pine_shapes(void)
{
	/* The shapes of the official vector Pine64_0 (draft-chen-cfrg-vdaf-pine-01, test_vec/01): c = 150, calls 10; c_ne = 4, calls 5 */
	vdaf_valid v = { 0 };
	v.field = &vdaf_field64;
	v.meas_len = 1450;
	v.joint_rand_len = 3;
	v.eval_output_len = 1;
	v.num_gadgets = 1;
	v.gadgets[0] = (vdaf_gadget) { .kind = VDAF_GADGET_MUL, .parallel = 150, .calls = 10 };
	v.eval = eval_sumsq; /* not run */
	UNIT_CHECK_EQ_U64(vdaf_flp_proof_len(&v), 331);
	UNIT_CHECK_EQ_U64(vdaf_flp_verifier_len(&v), 302);
	UNIT_CHECK_EQ_U64(vdaf_flp_prove_rand_len(&v), 300);
	UNIT_CHECK_EQ_U64(vdaf_flp_query_rand_len(&v), 1);
	v.joint_rand_len = 0;
	v.gadgets[0] = (vdaf_gadget) { .kind = VDAF_GADGET_POLY_EVAL, .parallel = 4, .calls = 5,
	                               .num_coeffs = 3, .coeffs = { 0, 0, 1 } };
	UNIT_CHECK_EQ_U64(vdaf_flp_proof_len(&v), 19);
	UNIT_CHECK_EQ_U64(vdaf_flp_verifier_len(&v), 6);
	UNIT_CHECK_EQ_U64(vdaf_flp_prove_rand_len(&v), 4);
	/* a multi-output circuit needs one more query randomness element */
	v.eval_output_len = 2;
	UNIT_CHECK_EQ_U64(vdaf_flp_query_rand_len(&v), 2);
	/* invalid descriptors */
	v.gadgets[0].parallel = 0;
	UNIT_CHECK(vdaf_valid_check(&v) == VDAF_ERR_INVALID);
	UNIT_CHECK_EQ_U64(vdaf_flp_proof_len(&v), 0);
	v.gadgets[0].parallel = 4;
	v.gadgets[0].coeffs[2] = 0; /* degree 0 PolyEval */
	UNIT_CHECK(vdaf_valid_check(&v) == VDAF_ERR_INVALID);
	v.gadgets[0].coeffs[2] = 1;
	v.gadgets[0].calls = (size_t) 1 << 20; /* P = 2^21 > 2^20 for Field32 */
	v.field = &vdaf_field32;
	UNIT_CHECK(vdaf_valid_check(&v) == VDAF_ERR_INVALID);
}

static void
test_sum_of_squares_all_fields(void)
{
	const vdaf_field *all[3] = { &vdaf_field64, &vdaf_field128, &vdaf_field32 };
	const size_t dims[] = { 1, 5, 20, 33 };
	for (int fi = 0; fi < 3; fi++) {
		const vdaf_field *f = all[fi];
		for (size_t di = 0; di < sizeof dims / sizeof dims[0]; di++) {
			sq_params p = { dims[di], 4 };
			vdaf_valid v = sumsq_circuit(f, &p);
			vdaf_elem meas[64];
			fill(f, meas, p.d, 9);
			meas[p.d] = f->vec_inner(meas, meas, p.d);
			UNIT_CHECK(prove_and_decide(&v, 1, meas, NULL) == 1);
			UNIT_CHECK(prove_and_decide(&v, 3, meas, NULL) == 1);
			meas[p.d] = f->add(meas[p.d], f->from_u64(1));
			UNIT_CHECK(prove_and_decide(&v, 1, meas, NULL) == 0);
			UNIT_CHECK(prove_and_decide(&v, 2, meas, NULL) == 0);
		}
	}
}

/* ---- bit check like PINE's main circuit: ParallelSum(Mul) over (r^i b, b - 1/S) ---- */
typedef struct {
	size_t n, chunk;
} bits_params;

static int
eval_bits(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
          size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	const bits_params *p = v->params;
	vdaf_elem sinv = f->inv(f->from_u64(ns)), rp = f->from_u64(1), acc = vdaf_elem_zero();
	vdaf_elem in[2 * 16];
	for (size_t off = 0; off < p->n; off += p->chunk) {
		memset(in, 0, sizeof in);
		for (size_t j = 0; j < p->chunk && off + j < p->n; j++) {
			in[2 * j] = f->mul(rp, m[off + j]);
			in[2 * j + 1] = f->sub(m[off + j], sinv);
			rp = f->mul(rp, jr[0]);
		}
		vdaf_elem y;
		int rc = vdaf_flp_gadget_call(g, 0, in, &y);
		if (rc != VDAF_OK)
			return rc;
		acc = f->add(acc, y);
	}
	out[0] = acc;
	/* second output: sum of the bits minus a constant (tests output reduction) */
	out[1] = f->sub(f->vec_sum(m, p->n), f->mul(f->from_u64(3), sinv));
	return VDAF_OK;
}

static void
test_bit_check_two_outputs(void)
{
	const vdaf_field *f = &vdaf_field64;
	bits_params p = { 11, 4 };
	vdaf_valid v = { 0 };
	v.field = f;
	v.meas_len = p.n;
	v.joint_rand_len = 1;
	v.eval_output_len = 2;
	v.num_gadgets = 1;
	v.gadgets[0] = (vdaf_gadget) { .kind = VDAF_GADGET_MUL, .parallel = p.chunk, .calls = 3 };
	v.eval = eval_bits;
	v.params = &p;
	vdaf_elem meas[11], jr[2];
	fill(f, jr, 2, 7);
	for (size_t i = 0; i < p.n; i++)
		meas[i] = f->from_u64(i == 1 || i == 4 || i == 10);
	UNIT_CHECK(prove_and_decide(&v, 1, meas, jr) == 1);
	UNIT_CHECK(prove_and_decide(&v, 2, meas, jr) == 1);
	meas[3] = f->from_u64(2); /* not a bit */
	UNIT_CHECK(prove_and_decide(&v, 1, meas, jr) == 0);
	meas[3] = f->from_u64(1); /* bits, but four ones: second output non-zero */
	UNIT_CHECK(prove_and_decide(&v, 1, meas, jr) == 0);
	/* plain evaluation */
	vdaf_elem out[2];
	meas[3] = f->from_u64(0);
	UNIT_CHECK(vdaf_flp_eval(&v, meas, jr, 1, out) == VDAF_OK);
	UNIT_CHECK(vdaf_elem_is_zero(out[0]) && vdaf_elem_is_zero(out[1]));
}

/* ---- a general PolyEval gadget: ParallelSum(-1 + 3x^2 + x^3, 3) ---- */
static int
eval_poly(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
          size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	vdaf_elem y1, y2;
	int rc = vdaf_flp_gadget_call(g, 0, m, &y1);
	if (rc == VDAF_OK)
		rc = vdaf_flp_gadget_call(g, 0, m + 3, &y2);
	if (rc != VDAF_OK)
		return rc;
	/* output = gadget sum - claimed value m[6] (no constant: gadget is not affine) */
	out[0] = f->sub(f->add(y1, y2), m[6]);
	return VDAF_OK;
}

static void
test_general_poly_eval(void)
{
	const vdaf_field *f = &vdaf_field128;
	vdaf_valid v = { 0 };
	v.field = f;
	v.meas_len = 7;
	v.eval_output_len = 1;
	v.num_gadgets = 1;
	v.gadgets[0] = (vdaf_gadget) { .kind = VDAF_GADGET_POLY_EVAL, .parallel = 3, .calls = 2,
	                               .num_coeffs = 4, .coeffs = { -1, 0, 3, 1 } };
	v.eval = eval_poly;
	UNIT_CHECK_EQ_U64(vdaf_gadget_degree(&v.gadgets[0]), 3);
	UNIT_CHECK_EQ_U64(vdaf_flp_proof_len(&v), 3 + 3 * 3 + 1);
	vdaf_elem meas[7], want = vdaf_elem_zero();
	fill(f, meas, 6, 11);
	for (int i = 0; i < 6; i++) {
		vdaf_elem x = meas[i], x2 = f->mul(x, x);
		want = f->add(want, f->add(f->sub(f->mul(f->from_u64(3), x2), f->from_u64(1)),
		                           f->mul(x2, x)));
	}
	meas[6] = want;
	UNIT_CHECK(prove_and_decide(&v, 1, meas, NULL) == 1);
	meas[6] = f->neg(want);
	UNIT_CHECK(prove_and_decide(&v, 1, meas, NULL) == 0);
}

/* ---- error paths ---- */
static int
eval_too_many_calls(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m,
                    const vdaf_elem *jr, size_t ns, vdaf_elem *out)
{
	vdaf_elem in[2] = { m[0], m[0] }, y;
	for (int i = 0; i < 2; i++) {
		int rc = vdaf_flp_gadget_call(g, 0, in, &y);
		if (rc != VDAF_OK)
			return rc;
	}
	out[0] = y;
	return VDAF_OK;
}

static int
eval_too_few_calls(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m,
                   const vdaf_elem *jr, size_t ns, vdaf_elem *out)
{
	out[0] = m[0];
	return VDAF_OK;
}

static void
test_errors(void)
{
	const vdaf_field *f = &vdaf_field64;
	vdaf_valid v = { 0 };
	v.field = f;
	v.meas_len = 1;
	v.eval_output_len = 1;
	v.num_gadgets = 1;
	v.gadgets[0] = (vdaf_gadget) { .kind = VDAF_GADGET_MUL, .parallel = 1, .calls = 1 };
	vdaf_elem meas[1] = { f->from_u64(1) }, pr[2], proof[16], qr[1], ver[4];
	fill(f, pr, 2, 1);
	v.eval = eval_too_many_calls;
	UNIT_CHECK(vdaf_flp_prove(&v, meas, pr, NULL, proof) == VDAF_ERR_CIRCUIT);
	v.eval = eval_too_few_calls;
	UNIT_CHECK(vdaf_flp_prove(&v, meas, pr, NULL, proof) == VDAF_ERR_CIRCUIT);
	/* query randomness on a root of unity: t = 1 and t = w_2 = -1 (P = 2) */
	v.eval = eval_too_many_calls;
	v.gadgets[0].calls = 2;
	UNIT_CHECK(vdaf_flp_prove(&v, meas, pr, NULL, proof) == VDAF_OK);
	qr[0] = f->from_u64(1);
	UNIT_CHECK(vdaf_flp_query(&v, meas, proof, qr, NULL, 1, ver) == VDAF_ERR_ROOT);
	qr[0] = f->neg(f->from_u64(1));
	UNIT_CHECK(vdaf_flp_query(&v, meas, proof, qr, NULL, 1, ver) == VDAF_ERR_ROOT);
	qr[0] = f->from_u64(5);
	UNIT_CHECK(vdaf_flp_query(&v, meas, proof, qr, NULL, 1, ver) == VDAF_OK);
	/* missing joint randomness when the circuit declares some */
	v.joint_rand_len = 1;
	UNIT_CHECK(vdaf_flp_prove(&v, meas, pr, NULL, proof) == VDAF_ERR_INVALID);
	UNIT_CHECK(vdaf_flp_prove(NULL, meas, pr, NULL, proof) == VDAF_ERR_INVALID);
}

static double
now_sec(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double) t.tv_sec + (double) t.tv_nsec * 1e-9;
}

/* Norm-equality shape at d = 100,000 (c_ne = 393, 255 calls, P = 256), Field64. */
static void
test_timing_pine_ne_shape(void)
{
	const vdaf_field *f = &vdaf_field64;
	sq_params p = { 100000, 393 };
	vdaf_valid v = sumsq_circuit(f, &p);
	size_t pl = vdaf_flp_proof_len(&v), vl = vdaf_flp_verifier_len(&v);
	UNIT_CHECK_EQ_U64(pl, 393 + 2 * 255 + 1); /* 904: c_ne + 2 (P - 1) + 1 (flp.h), Pine64's at d = 100,000 (test_pine_params.c) */
	vdaf_elem *meas = calloc(p.d + 1, sizeof *meas), *proof = calloc(pl, sizeof *proof);
	vdaf_elem *ver = calloc(vl, sizeof *ver), pr[393], qr[1];
	UNIT_CHECK(meas && proof && ver);
	if (!meas || !proof || !ver)
		goto out;
	fill(f, meas, p.d, 5);
	meas[p.d] = f->vec_inner(meas, meas, p.d);
	fill(f, pr, 393, 6);
	fill(f, qr, 1, 7);
	double t0 = now_sec();
	UNIT_CHECK(vdaf_flp_prove(&v, meas, pr, NULL, proof) == VDAF_OK);
	double t1 = now_sec();
	UNIT_CHECK(vdaf_flp_query(&v, meas, proof, qr, NULL, 1, ver) == VDAF_OK);
	double t2 = now_sec();
	UNIT_CHECK(vdaf_flp_decide(&v, ver) == 1);
	printf("# Field64 NE-shape FLP d=100000 c=393: prove %.1f ms, query %.1f ms\n",
	       (t1 - t0) * 1e3, (t2 - t1) * 1e3);
out:
	free(meas);
	free(proof);
	free(ver);
}

int
main(void)
{
	UNIT_RUN(test_lengths_pine_shapes);
	UNIT_RUN(test_sum_of_squares_all_fields);
	UNIT_RUN(test_bit_check_two_outputs);
	UNIT_RUN(test_general_poly_eval);
	UNIT_RUN(test_errors);
	UNIT_RUN(test_timing_pine_ne_shape);
	return UNIT_DONE();
}
