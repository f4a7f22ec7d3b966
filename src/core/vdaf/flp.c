/*
 * flp.c: prove / query / decide of the BBCGGI19 FLP (VDAF-11 §7.3).
 *
 * During evaluation every gadget call goes through vdaf_flp_gadget_call,
 * which records the call's inputs as one row of the gadget's wire table
 * (row 0 holds the wire seeds, row k the inputs of call k; rows are
 * contiguous, so recording is a memcpy and the verifier's interpolation
 * at t is a sum of rows scaled by Lagrange coefficients).
 *
 * Prover: each wire column (padded with zeros to P = next_pow2(1 + calls))
 * is interpolated with an inverse NTT of size P, evaluated on N points with
 * a forward NTT (N = next_pow2(degree * (P - 1) + 1)), the base gadget is
 * applied pointwise and summed over the ParallelSum slots, and one inverse
 * NTT of size N gives the gadget polynomial's coefficients.
 *
 * Verifier: the gadget polynomial is reduced mod x^P - 1 and evaluated at
 * all P-th roots with one NTT, so the k-th call returns h(w^k) by lookup.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "common/interrupt.h"
#include "vdaf/flp.h"
#include "vdaf/ntt.h"

/* Bounds that keep every size computation far from overflow. */
#define FLP_MAX_PARALLEL ((size_t) 1 << 28)
#define FLP_MAX_CALLS ((size_t) 1 << 28)

enum flp_mode { MODE_EVAL, MODE_PROVE, MODE_QUERY };

typedef struct {
	size_t arity, degree, calls, P, hlen, N;
	size_t k;           /* calls made so far */
	vdaf_elem *wires;   /* (calls + 1) rows of arity elements */
	vdaf_elem *hvals;   /* query: h(w_P^k), k < P */
	vdaf_elem pcoeffs[VDAF_POLY_EVAL_MAX_COEFFS]; /* POLY_EVAL constants in the field */
} gadget_state;

struct vdaf_flp_ctx {
	const vdaf_valid *v;
	const vdaf_field *f;
	enum flp_mode mode;
	gadget_state g[VDAF_FLP_MAX_GADGETS];
};

/* ---------------------------------------------------------------- shapes */

static size_t
base_arity(vdaf_gadget_kind k)
{
	return k == VDAF_GADGET_MUL ? 2 : 1;
}

size_t
vdaf_gadget_arity(const vdaf_gadget *g)
{
	return g == NULL ? 0 : g->parallel * base_arity(g->kind);
}

size_t
vdaf_gadget_degree(const vdaf_gadget *g)
{
	if (g == NULL)
		return 0;
	switch (g->kind) {
	case VDAF_GADGET_MUL:
	case VDAF_GADGET_RANGE2:
		return 2;
	case VDAF_GADGET_POLY_EVAL: {
		size_t d = 0;
		for (size_t j = 0; j < g->num_coeffs && j < VDAF_POLY_EVAL_MAX_COEFFS; j++)
			if (g->coeffs[j] != 0)
				d = j;
		return d;
	}
	}
	return 0;
}

int
vdaf_valid_check(const vdaf_valid *v)
{
	if (v == NULL || v->field == NULL || v->eval == NULL || v->num_gadgets == 0 ||
	    v->num_gadgets > VDAF_FLP_MAX_GADGETS || v->eval_output_len == 0)
		return VDAF_ERR_INVALID;
	if (v->meas_len > SIZE_MAX / 64 || v->joint_rand_len > SIZE_MAX / 64 ||
	    v->eval_output_len > SIZE_MAX / 64)
		return VDAF_ERR_INVALID;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		const vdaf_gadget *g = &v->gadgets[i];
		if (g->kind != VDAF_GADGET_MUL && g->kind != VDAF_GADGET_RANGE2 &&
		    g->kind != VDAF_GADGET_POLY_EVAL)
			return VDAF_ERR_INVALID;
		if (g->parallel == 0 || g->parallel > FLP_MAX_PARALLEL || g->calls == 0 ||
		    g->calls > FLP_MAX_CALLS)
			return VDAF_ERR_INVALID;
		if (g->kind == VDAF_GADGET_POLY_EVAL &&
		    (g->num_coeffs > VDAF_POLY_EVAL_MAX_COEFFS || vdaf_gadget_degree(g) < 1))
			return VDAF_ERR_INVALID;
		size_t P = vdaf_next_pow2(1 + g->calls);
		size_t D = vdaf_gadget_degree(g);
		size_t N = vdaf_next_pow2(D * (P - 1) + 1);
		if (vdaf_log2_pow2(N) > v->field->two_adicity)
			return VDAF_ERR_INVALID;
	}
	return VDAF_OK;
}

size_t
vdaf_flp_prove_rand_len(const vdaf_valid *v)
{
	if (vdaf_valid_check(v) != VDAF_OK)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < v->num_gadgets; i++)
		n += vdaf_gadget_arity(&v->gadgets[i]);
	return n;
}

size_t
vdaf_flp_query_rand_len(const vdaf_valid *v)
{
	if (vdaf_valid_check(v) != VDAF_OK)
		return 0;
	return v->num_gadgets + (v->eval_output_len > 1 ? 1 : 0);
}

size_t
vdaf_flp_proof_len(const vdaf_valid *v)
{
	if (vdaf_valid_check(v) != VDAF_OK)
		return 0;
	size_t n = 0;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		const vdaf_gadget *g = &v->gadgets[i];
		size_t P = vdaf_next_pow2(1 + g->calls);
		n += vdaf_gadget_arity(g) + vdaf_gadget_degree(g) * (P - 1) + 1;
	}
	return n;
}

size_t
vdaf_flp_verifier_len(const vdaf_valid *v)
{
	if (vdaf_valid_check(v) != VDAF_OK)
		return 0;
	size_t n = 1;
	for (size_t i = 0; i < v->num_gadgets; i++)
		n += vdaf_gadget_arity(&v->gadgets[i]) + 1;
	return n;
}

/* --------------------------------------------------------- gadget values */

static vdaf_elem
int_to_elem(const vdaf_field *f, int64_t c)
{
	if (c >= 0)
		return f->from_u64((uint64_t) c);
	return f->neg(f->from_u64(0 - (uint64_t) c));
}

static int
is_square_poly(const vdaf_gadget *g)
{
	return g->kind == VDAF_GADGET_POLY_EVAL && vdaf_gadget_degree(g) == 2 &&
	       g->coeffs[0] == 0 && g->coeffs[1] == 0 && g->coeffs[2] == 1;
}

/* The gadget on concrete inputs x (arity elements). */
static vdaf_elem
gadget_value(const vdaf_field *f, const vdaf_gadget *g, const vdaf_elem *pc, const vdaf_elem *x)
{
	size_t n = g->parallel;
	switch (g->kind) {
	case VDAF_GADGET_MUL:
		return f->vec_pair_products(x, n);
	case VDAF_GADGET_RANGE2:
		return f->sub(f->vec_inner(x, x, n), f->vec_sum(x, n));
	case VDAF_GADGET_POLY_EVAL:
		if (is_square_poly(g))
			return f->vec_inner(x, x, n);
		{
			size_t D = vdaf_gadget_degree(g);
			vdaf_elem acc = vdaf_elem_zero();
			for (size_t s = 0; s < n; s++) {
				vdaf_elem r = pc[D];
				for (size_t j = D; j-- > 0;)
					r = f->add(f->mul(r, x[s]), pc[j]);
				acc = f->add(acc, r);
			}
			return acc;
		}
	}
	return vdaf_elem_zero();
}

/* ------------------------------------------------------------- context */

static void
ctx_free(vdaf_flp_ctx *c)
{
	for (size_t i = 0; i < VDAF_FLP_MAX_GADGETS; i++) {
		gadget_state *s = &c->g[i];
		if (s->wires != NULL) {
			sodium_memzero(s->wires, (s->calls + 1) * s->arity * sizeof(vdaf_elem));
			free(s->wires);
		}
		if (s->hvals != NULL) {
			sodium_memzero(s->hvals, s->P * sizeof(vdaf_elem));
			free(s->hvals);
		}
		s->wires = s->hvals = NULL;
	}
}

static int
ctx_init(vdaf_flp_ctx *c, const vdaf_valid *v, enum flp_mode mode)
{
	memset(c, 0, sizeof *c);
	int rc = vdaf_valid_check(v);
	if (rc != VDAF_OK)
		return rc;
	c->v = v;
	c->f = v->field;
	c->mode = mode;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		const vdaf_gadget *g = &v->gadgets[i];
		gadget_state *s = &c->g[i];
		s->arity = vdaf_gadget_arity(g);
		s->degree = vdaf_gadget_degree(g);
		s->calls = g->calls;
		s->P = vdaf_next_pow2(1 + g->calls);
		s->hlen = s->degree * (s->P - 1) + 1;
		s->N = vdaf_next_pow2(s->hlen);
		if (g->kind == VDAF_GADGET_POLY_EVAL)
			for (size_t j = 0; j < g->num_coeffs; j++)
				s->pcoeffs[j] = int_to_elem(c->f, g->coeffs[j]);
		if (mode != MODE_EVAL) {
			s->wires = calloc((s->calls + 1) * s->arity, sizeof(vdaf_elem));
			if (s->wires == NULL) {
				ctx_free(c);
				return VDAF_ERR_NOMEM;
			}
		}
	}
	return VDAF_OK;
}

int
vdaf_flp_gadget_call(vdaf_flp_ctx *c, size_t gi, const vdaf_elem *inputs, vdaf_elem *out)
{
	if (c == NULL || inputs == NULL || out == NULL || gi >= c->v->num_gadgets)
		return VDAF_ERR_CIRCUIT;
	gadget_state *s = &c->g[gi];
	if (s->k >= s->calls)
		return VDAF_ERR_CIRCUIT;
	/* a long proof or query stops within 1024 calls of an interrupt request */
	if ((s->k & 1023) == 1023 && sa_interrupted())
		return VDAF_ERR_INTERRUPTED;
	s->k++;
	if (c->mode != MODE_EVAL)
		memcpy(s->wires + s->k * s->arity, inputs, s->arity * sizeof(vdaf_elem));
	if (c->mode == MODE_QUERY)
		*out = s->hvals[s->k];
	else
		*out = gadget_value(c->f, &c->v->gadgets[gi], s->pcoeffs, inputs);
	return VDAF_OK;
}

const vdaf_field *
vdaf_flp_ctx_field(const vdaf_flp_ctx *c)
{
	return c == NULL ? NULL : c->f;
}

/* Run the circuit and check that every gadget was called exactly `calls` times. */
static int
run_eval(vdaf_flp_ctx *c, const vdaf_elem *meas, const vdaf_elem *jr, size_t num_shares,
         vdaf_elem *out)
{
	if (num_shares == 0 || (c->v->meas_len > 0 && meas == NULL) ||
	    (c->v->joint_rand_len > 0 && jr == NULL))
		return VDAF_ERR_INVALID;
	int rc = c->v->eval(c->v, c, meas, jr, num_shares, out);
	if (rc != VDAF_OK)
		return rc;
	for (size_t i = 0; i < c->v->num_gadgets; i++)
		if (c->g[i].k != c->g[i].calls)
			return VDAF_ERR_CIRCUIT;
	return VDAF_OK;
}

int
vdaf_flp_eval(const vdaf_valid *v, const vdaf_elem *meas, const vdaf_elem *joint_rand,
              size_t num_shares, vdaf_elem *out)
{
	vdaf_flp_ctx c;
	int rc = ctx_init(&c, v, MODE_EVAL);
	if (rc != VDAF_OK)
		return rc;
	if (out == NULL)
		rc = VDAF_ERR_INVALID;
	else
		rc = run_eval(&c, meas, joint_rand, num_shares, out);
	ctx_free(&c);
	return rc;
}

/* ----------------------------------------------------------------- prove */

/*
 * Evaluations of wire column j at the N-th roots of unity, into col[0..N).
 * With m = N / P, the point w_N^(r + m*k) lies in coset r of the P-th roots,
 * and f(w_N^r * w_P^k) is the size-P NTT of the coefficients twisted by
 * w_N^(r*i). Coset 0 is the recorded wire values themselves, so each wire
 * costs one inverse NTT and m - 1 forward NTTs of size P. twist holds
 * w_N^(r*i) for r = 1..m-1, i < P (row r-1); tmp has room for 2P elements.
 */
static void
wire_evals(const vdaf_field *f, const gadget_state *s, size_t j, const vdaf_ntt_plan *plan,
           const vdaf_elem *twist, vdaf_elem *tmp, vdaf_elem *col)
{
	size_t P = s->P, m = s->N / s->P;
	vdaf_elem *coeff = tmp, *t = tmp + P;
	memset(coeff, 0, P * sizeof *coeff);
	for (size_t k = 0; k <= s->calls; k++)
		coeff[k] = s->wires[k * s->arity + j];
	for (size_t k = 0; k < P; k++)
		col[m * k] = coeff[k];
	vdaf_ntt_plan_inverse(plan, coeff);
	for (size_t r = 1; r < m; r++) {
		memcpy(t, coeff, P * sizeof *t);
		f->vec_mul(t, twist + (r - 1) * P, P);
		vdaf_ntt_plan_forward(plan, t);
		for (size_t k = 0; k < P; k++)
			col[r + m * k] = t[k];
	}
}

/* Coefficients of the gadget polynomial (s->hlen of them) into h. */
static int
gadget_poly(const vdaf_field *f, const vdaf_gadget *g, const gadget_state *s, vdaf_elem *h)
{
	size_t N = s->N, P = s->P, m = N / P;
	size_t total = 3 * N + 2 * P + (m - 1) * P;
	vdaf_elem *buf = calloc(total, sizeof *buf);
	if (buf == NULL)
		return VDAF_ERR_NOMEM;
	vdaf_elem *acc = buf, *c0 = buf + N, *c1 = buf + 2 * N, *tmp = buf + 3 * N;
	vdaf_elem *twist = tmp + 2 * P, wN;
	vdaf_ntt_plan plan_p, plan_n;
	memset(&plan_p, 0, sizeof plan_p);
	memset(&plan_n, 0, sizeof plan_n);
	int rc = f->root_of_unity(vdaf_log2_pow2(N), &wN);
	if (rc == VDAF_OK)
		rc = vdaf_ntt_plan_init(&plan_p, f, P);
	if (rc == VDAF_OK)
		rc = vdaf_ntt_plan_init(&plan_n, f, N);
	for (size_t r = 1; r < m && rc == VDAF_OK; r++) /* w_N^(r*i) */
		f->vec_powers(twist + (r - 1) * P, f->from_u64(1), f->pow(wN, r), P);
	for (size_t slot = 0; slot < g->parallel && rc == VDAF_OK; slot++) {
		switch (g->kind) {
		case VDAF_GADGET_MUL:
			wire_evals(f, s, 2 * slot, &plan_p, twist, tmp, c0);
			wire_evals(f, s, 2 * slot + 1, &plan_p, twist, tmp, c1);
			f->vec_mul(c0, c1, N);
			f->vec_add(acc, c0, N);
			break;
		case VDAF_GADGET_RANGE2:
			wire_evals(f, s, slot, &plan_p, twist, tmp, c0);
			memcpy(c1, c0, N * sizeof *c0);
			f->vec_mul(c0, c1, N);
			f->vec_sub(c0, c1, N);
			f->vec_add(acc, c0, N);
			break;
		case VDAF_GADGET_POLY_EVAL:
			wire_evals(f, s, slot, &plan_p, twist, tmp, c0);
			if (is_square_poly(g)) {
				f->vec_mul(c0, c0, N);
				f->vec_add(acc, c0, N);
			} else {
				for (size_t i = 0; i < N; i++) {
					vdaf_elem r = s->pcoeffs[s->degree];
					for (size_t j = s->degree; j-- > 0;)
						r = f->add(f->mul(r, c0[i]), s->pcoeffs[j]);
					acc[i] = f->add(acc[i], r);
				}
			}
			break;
		}
	}
	if (rc == VDAF_OK) {
		vdaf_ntt_plan_inverse(&plan_n, acc);
		memcpy(h, acc, s->hlen * sizeof *h); /* coefficients >= hlen are zero */
	}
	vdaf_ntt_plan_free(&plan_p);
	vdaf_ntt_plan_free(&plan_n);
	sodium_memzero(buf, total * sizeof *buf);
	free(buf);
	return rc;
}

int
vdaf_flp_prove(const vdaf_valid *v, const vdaf_elem *meas, const vdaf_elem *prove_rand,
               const vdaf_elem *joint_rand, vdaf_elem *proof)
{
	vdaf_flp_ctx c;
	int rc = ctx_init(&c, v, MODE_PROVE);
	if (rc != VDAF_OK)
		return rc;
	vdaf_elem *out = NULL;
	if (prove_rand == NULL || proof == NULL) {
		rc = VDAF_ERR_INVALID;
		goto done;
	}
	out = calloc(v->eval_output_len, sizeof *out);
	if (out == NULL) {
		rc = VDAF_ERR_NOMEM;
		goto done;
	}
	/* wire seeds */
	size_t off = 0;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		memcpy(c.g[i].wires, prove_rand + off, c.g[i].arity * sizeof(vdaf_elem));
		off += c.g[i].arity;
	}
	rc = run_eval(&c, meas, joint_rand, 1, out);
	if (rc != VDAF_OK)
		goto done;
	off = 0;
	for (size_t i = 0; i < v->num_gadgets && rc == VDAF_OK; i++) {
		gadget_state *s = &c.g[i];
		memcpy(proof + off, s->wires, s->arity * sizeof(vdaf_elem));
		off += s->arity;
		rc = gadget_poly(v->field, &v->gadgets[i], s, proof + off);
		off += s->hlen;
	}
done:
	if (out != NULL) {
		sodium_memzero(out, v->eval_output_len * sizeof *out);
		free(out);
	}
	ctx_free(&c);
	return rc;
}

/* ----------------------------------------------------------------- query */

/* h(t) by Horner. */
static vdaf_elem
poly_at(const vdaf_field *f, const vdaf_elem *h, size_t n, vdaf_elem t)
{
	vdaf_elem r = vdaf_elem_zero();
	for (size_t i = n; i-- > 0;)
		r = f->add(f->mul(r, t), h[i]);
	return r;
}

/* x = sum_k wires[k] * L_k(t) over the recorded rows; y = h(t). */
static int
query_gadget(const vdaf_field *f, const gadget_state *s, const vdaf_elem *h, vdaf_elem t,
             vdaf_elem *x, vdaf_elem *y)
{
	size_t P = s->P, rows = s->calls + 1;
	vdaf_elem one = f->from_u64(1);
	vdaf_elem tP = f->pow(t, (uint64_t) P);
	if (vdaf_elem_eq(tP, one))
		return VDAF_ERR_ROOT;

	vdaf_elem w;
	int rc = f->root_of_unity(vdaf_log2_pow2(P), &w);
	if (rc != VDAF_OK)
		return rc;
	vdaf_elem *buf = malloc(2 * rows * sizeof *buf);
	if (buf == NULL)
		return VDAF_ERR_NOMEM;
	vdaf_elem *wk = buf, *den = buf + rows;
	f->vec_powers(wk, one, w, rows); /* w^k */
	for (size_t k = 0; k < rows; k++)
		den[k] = f->sub(t, wk[k]);
	rc = vdaf_field_batch_inv(f, den, den, rows);
	if (rc == VDAF_OK) {
		/* L_k(t) = w^k * (t^P - 1) / P / (t - w^k) */
		vdaf_elem scale = f->mul(f->sub(tP, one), f->inv(f->from_u64((uint64_t) P)));
		memset(x, 0, s->arity * sizeof *x);
		for (size_t k = 0; k < rows; k++) {
			vdaf_elem lk = f->mul(f->mul(wk[k], den[k]), scale);
			f->vec_axpy(x, lk, s->wires + k * s->arity, s->arity);
		}
		*y = poly_at(f, h, s->hlen, t);
	}
	sodium_memzero(buf, 2 * rows * sizeof *buf);
	free(buf);
	return rc;
}

int
vdaf_flp_query(const vdaf_valid *v, const vdaf_elem *meas, const vdaf_elem *proof,
               const vdaf_elem *query_rand, const vdaf_elem *joint_rand, size_t num_shares,
               vdaf_elem *verifier)
{
	vdaf_flp_ctx c;
	int rc = ctx_init(&c, v, MODE_QUERY);
	if (rc != VDAF_OK)
		return rc;
	const vdaf_field *f = v->field;
	vdaf_elem *out = NULL;
	if (proof == NULL || query_rand == NULL || verifier == NULL) {
		rc = VDAF_ERR_INVALID;
		goto done;
	}
	out = calloc(v->eval_output_len, sizeof *out);
	if (out == NULL) {
		rc = VDAF_ERR_NOMEM;
		goto done;
	}
	/* seeds and h(w^k) for every gadget */
	size_t off = 0;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		gadget_state *s = &c.g[i];
		memcpy(s->wires, proof + off, s->arity * sizeof(vdaf_elem));
		off += s->arity;
		s->hvals = calloc(s->P, sizeof(vdaf_elem));
		if (s->hvals == NULL) {
			rc = VDAF_ERR_NOMEM;
			goto done;
		}
		for (size_t j = 0; j < s->hlen; j++) /* h mod (x^P - 1) */
			s->hvals[j % s->P] = f->add(s->hvals[j % s->P], proof[off + j]);
		rc = vdaf_ntt_forward(f, s->hvals, s->P);
		if (rc != VDAF_OK)
			goto done;
		off += s->hlen;
	}
	rc = run_eval(&c, meas, joint_rand, num_shares, out);
	if (rc != VDAF_OK)
		goto done;

	size_t q = 0;
	if (v->eval_output_len > 1) {
		vdaf_elem r = query_rand[q++], rp = r, acc = vdaf_elem_zero();
		for (size_t i = 0; i < v->eval_output_len; i++) {
			acc = f->add(acc, f->mul(rp, out[i]));
			rp = f->mul(rp, r);
		}
		verifier[0] = acc;
	} else {
		verifier[0] = out[0];
	}
	size_t vo = 1;
	off = 0;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		gadget_state *s = &c.g[i];
		rc = query_gadget(f, s, proof + off + s->arity, query_rand[q++], verifier + vo,
		                  verifier + vo + s->arity);
		if (rc != VDAF_OK)
			goto done;
		off += s->arity + s->hlen;
		vo += s->arity + 1;
	}
done:
	if (out != NULL) {
		sodium_memzero(out, v->eval_output_len * sizeof *out);
		free(out);
	}
	ctx_free(&c);
	return rc;
}

/* ---------------------------------------------------------------- decide */

int
vdaf_flp_decide(const vdaf_valid *v, const vdaf_elem *verifier)
{
	int rc = vdaf_valid_check(v);
	if (rc != VDAF_OK)
		return rc;
	if (verifier == NULL)
		return VDAF_ERR_INVALID;
	const vdaf_field *f = v->field;
	int ok = vdaf_elem_is_zero(verifier[0]);
	size_t off = 1;
	for (size_t i = 0; i < v->num_gadgets; i++) {
		const vdaf_gadget *g = &v->gadgets[i];
		vdaf_elem pc[VDAF_POLY_EVAL_MAX_COEFFS] = { { { 0, 0 } } };
		if (g->kind == VDAF_GADGET_POLY_EVAL)
			for (size_t j = 0; j < g->num_coeffs; j++)
				pc[j] = int_to_elem(f, g->coeffs[j]);
		size_t a = vdaf_gadget_arity(g);
		vdaf_elem y = gadget_value(f, g, pc, verifier + off);
		ok &= vdaf_elem_eq(y, verifier[off + a]);
		off += a + 1;
	}
	return ok;
}

/* ---------------------------------------------------------- multi-proof */

int
vdaf_flp_prove_multi(const vdaf_valid *v, size_t num_proofs, const vdaf_elem *meas,
                     const vdaf_elem *prove_rands, const vdaf_elem *joint_rands,
                     vdaf_elem *proofs)
{
	if (vdaf_valid_check(v) != VDAF_OK || num_proofs == 0)
		return VDAF_ERR_INVALID;
	size_t pr = vdaf_flp_prove_rand_len(v), jr = v->joint_rand_len;
	size_t pl = vdaf_flp_proof_len(v);
	for (size_t p = 0; p < num_proofs; p++) {
		int rc = vdaf_flp_prove(v, meas, prove_rands + p * pr,
		                        jr ? joint_rands + p * jr : NULL, proofs + p * pl);
		if (rc != VDAF_OK)
			return rc;
	}
	return VDAF_OK;
}

int
vdaf_flp_query_multi(const vdaf_valid *v, size_t num_proofs, const vdaf_elem *meas,
                     const vdaf_elem *proofs, const vdaf_elem *query_rands,
                     const vdaf_elem *joint_rands, size_t num_shares, vdaf_elem *verifiers)
{
	if (vdaf_valid_check(v) != VDAF_OK || num_proofs == 0)
		return VDAF_ERR_INVALID;
	size_t ql = vdaf_flp_query_rand_len(v), jr = v->joint_rand_len;
	size_t pl = vdaf_flp_proof_len(v), vl = vdaf_flp_verifier_len(v);
	for (size_t p = 0; p < num_proofs; p++) {
		int rc = vdaf_flp_query(v, meas, proofs + p * pl, query_rands + p * ql,
		                        jr ? joint_rands + p * jr : NULL, num_shares,
		                        verifiers + p * vl);
		if (rc != VDAF_OK)
			return rc;
	}
	return VDAF_OK;
}

int
vdaf_flp_decide_multi(const vdaf_valid *v, size_t num_proofs, const vdaf_elem *verifiers)
{
	if (vdaf_valid_check(v) != VDAF_OK || num_proofs == 0 || verifiers == NULL)
		return VDAF_ERR_INVALID;
	size_t vl = vdaf_flp_verifier_len(v);
	int ok = 1;
	for (size_t p = 0; p < num_proofs; p++) {
		int rc = vdaf_flp_decide(v, verifiers + p * vl);
		if (rc < 0)
			return rc;
		ok &= rc;
	}
	return ok;
}
