/*
 * test_vdaf_prio3.c: a test-only Prio3 (draft-irtf-cfrg-vdaf-11 §7.2) on top
 * of the vdaf building blocks, replaying every vendored VDAF-11 Prio3 vector
 * (Count, Sum, SumVec, Histogram, MultihotCountVec; 2 and 3 Aggregators)
 * byte for byte: public share, input shares, prep shares, prep messages,
 * out shares, aggregate shares and the aggregate result.
 *
 * The circuits here are test code only; they exercise the FLP with the Mul,
 * Range2 and ParallelSum(Mul) gadgets, joint randomness, 1/num_shares
 * normalisation and Field64/Field128.
 */
#include "unit.h"
#include "vecjson.h"

#include "vdaf/flp.h"
#include "vdaf/xof.h"

#define VEC_DIR "../vectors/vdaf-11/"
#define SEED 16
#define NONCE 16
#define MAXV 4096 /* generous bound on vector lengths in these tests */

enum { USAGE_MEAS_SHARE = 1, USAGE_PROOF_SHARE, USAGE_JOINT_RANDOMNESS, USAGE_PROVE_RANDOMNESS,
       USAGE_QUERY_RANDOMNESS, USAGE_JOINT_RAND_SEED, USAGE_JOINT_RAND_PART };

enum kind { COUNT, SUM, SUMVEC, HISTOGRAM, MULTIHOT };

typedef struct {
	enum kind kind;
	uint32_t id;
	const vdaf_field *f;
	vdaf_valid valid;
	size_t shares, proofs;
	size_t length, bits, chunk, bits_for_weight;
	uint64_t offset;
	size_t output_len;
} prio3;

/* ------------------------------------------------------------ circuits */

static vdaf_elem
sinv_of(const vdaf_field *f, size_t num_shares)
{
	return f->inv(f->from_u64(num_shares));
}

static int
eval_count(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
           size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	vdaf_elem in[2] = { m[0], m[0] }, sq;
	int rc = vdaf_flp_gadget_call(g, 0, in, &sq);
	if (rc != VDAF_OK)
		return rc;
	out[0] = f->sub(sq, m[0]);
	return VDAF_OK;
}

static int
eval_sum(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
         size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	const prio3 *p = v->params;
	vdaf_elem acc = vdaf_elem_zero(), r = jr[0];
	for (size_t i = 0; i < p->bits; i++) {
		vdaf_elem y;
		int rc = vdaf_flp_gadget_call(g, 0, &m[i], &y);
		if (rc != VDAF_OK)
			return rc;
		acc = f->add(acc, f->mul(r, y));
		r = f->mul(r, jr[0]);
	}
	out[0] = acc;
	return VDAF_OK;
}

/* VDAF-11 chunked bit check: per index, positions past the end count as 0
 * (inputs (0, -1/S)), powers of r start at r^1. */
static int
range_check(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, size_t n, vdaf_elem r,
            size_t ns, vdaf_elem *res)
{
	const vdaf_field *f = v->field;
	const prio3 *p = v->params;
	vdaf_elem sinv = sinv_of(f, ns), rp = r, acc = vdaf_elem_zero();
	vdaf_elem in[2 * MAXV];
	size_t calls = v->gadgets[0].calls;
	for (size_t i = 0; i < calls; i++) {
		for (size_t j = 0; j < p->chunk; j++) {
			size_t idx = i * p->chunk + j;
			vdaf_elem x = idx < n ? m[idx] : vdaf_elem_zero();
			in[2 * j] = f->mul(rp, x);
			in[2 * j + 1] = f->sub(x, sinv);
			rp = f->mul(rp, r);
		}
		vdaf_elem y;
		int rc = vdaf_flp_gadget_call(g, 0, in, &y);
		if (rc != VDAF_OK)
			return rc;
		acc = f->add(acc, y);
	}
	*res = acc;
	return VDAF_OK;
}

static int
eval_sumvec(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
            size_t ns, vdaf_elem *out)
{
	return range_check(v, g, m, v->meas_len, jr[0], ns, &out[0]);
}

static int
eval_histogram(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
               size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	vdaf_elem rc_v;
	int rc = range_check(v, g, m, v->meas_len, jr[0], ns, &rc_v);
	if (rc != VDAF_OK)
		return rc;
	vdaf_elem sc = f->sub(f->vec_sum(m, v->meas_len), sinv_of(f, ns));
	out[0] = f->add(f->mul(jr[1], rc_v), f->mul(f->mul(jr[1], jr[1]), sc));
	return VDAF_OK;
}

static int
eval_multihot(const vdaf_valid *v, vdaf_flp_ctx *g, const vdaf_elem *m, const vdaf_elem *jr,
              size_t ns, vdaf_elem *out)
{
	const vdaf_field *f = v->field;
	const prio3 *p = v->params;
	vdaf_elem rc_v, rep;
	int rc = range_check(v, g, m, v->meas_len, jr[0], ns, &rc_v);
	if (rc != VDAF_OK)
		return rc;
	vdaf_elem weight = f->vec_sum(m, p->length);
	rc = vdaf_field_decode_bits(f, &rep, m + p->length, p->bits_for_weight);
	if (rc != VDAF_OK)
		return rc;
	vdaf_elem wc = f->sub(f->add(f->mul(f->from_u64(p->offset), sinv_of(f, ns)), weight), rep);
	out[0] = f->add(f->mul(jr[1], rc_v), f->mul(f->mul(jr[1], jr[1]), wc));
	return VDAF_OK;
}

static size_t
ceil_div(size_t a, size_t b)
{
	return (a + b - 1) / b;
}

static unsigned
bit_length(uint64_t x)
{
	unsigned n = 0;
	while (x) {
		n++;
		x >>= 1;
	}
	return n;
}

/* Set up the Prio3 instance for a vector file; 0 on success. */
static int
prio3_setup(prio3 *p, enum kind kind, const vj_value *root)
{
	memset(p, 0, sizeof *p);
	p->kind = kind;
	p->shares = (size_t) vj_int_or(vj_get(root, "shares"), 0);
	p->proofs = 1;
	p->length = (size_t) vj_int_or(vj_get(root, "length"), 0);
	p->bits = (size_t) vj_int_or(vj_get(root, "bits"), 0);
	p->chunk = (size_t) vj_int_or(vj_get(root, "chunk_length"), 0);
	vdaf_valid *v = &p->valid;
	v->params = p;
	v->eval_output_len = 1;
	v->num_gadgets = 1;
	v->gadgets[0].parallel = 1;
	p->f = &vdaf_field128;
	switch (kind) {
	case COUNT:
		p->id = 0;
		p->f = &vdaf_field64;
		v->meas_len = 1;
		p->output_len = 1;
		v->gadgets[0].kind = VDAF_GADGET_MUL;
		v->gadgets[0].calls = 1;
		v->eval = eval_count;
		break;
	case SUM:
		p->id = 1;
		v->meas_len = p->bits;
		p->output_len = 1;
		v->joint_rand_len = 1;
		v->gadgets[0].kind = VDAF_GADGET_RANGE2;
		v->gadgets[0].calls = p->bits;
		v->eval = eval_sum;
		break;
	case SUMVEC:
		p->id = 2;
		v->meas_len = p->length * p->bits;
		p->output_len = p->length;
		v->joint_rand_len = 1;
		v->eval = eval_sumvec;
		break;
	case HISTOGRAM:
		p->id = 3;
		v->meas_len = p->length;
		p->output_len = p->length;
		v->joint_rand_len = 2;
		v->eval = eval_histogram;
		break;
	case MULTIHOT: {
		uint64_t mw = (uint64_t) vj_int_or(vj_get(root, "max_weight"), 0);
		p->id = 4;
		p->bits_for_weight = bit_length(mw);
		p->offset = (((uint64_t) 1 << p->bits_for_weight) - 1) - mw;
		v->meas_len = p->length + p->bits_for_weight;
		p->output_len = p->length;
		v->joint_rand_len = 2;
		v->eval = eval_multihot;
		break;
	}
	}
	if (kind == SUMVEC || kind == HISTOGRAM || kind == MULTIHOT) {
		v->gadgets[0].kind = VDAF_GADGET_MUL;
		v->gadgets[0].parallel = p->chunk;
		v->gadgets[0].calls = ceil_div(v->meas_len, p->chunk);
	}
	v->field = p->f;
	v->output_len = p->output_len;
	return vdaf_valid_check(v) == VDAF_OK && p->shares >= 2 && v->meas_len <= MAXV ? 0 : -1;
}

/* flp.encode */
static int
prio3_encode(const prio3 *p, const vj_value *m, vdaf_elem *out)
{
	const vdaf_field *f = p->f;
	uint64_t x;
	switch (p->kind) {
	case COUNT:
		if (vj_u64(m, &x) != 0)
			return -1;
		out[0] = f->from_u64(x);
		return 0;
	case SUM:
		if (vj_u64(m, &x) != 0)
			return -1;
		return vdaf_field_encode_bits(f, out, x, 0, p->bits) == VDAF_OK ? 0 : -1;
	case SUMVEC:
		if (vj_len(m) != p->length)
			return -1;
		for (size_t i = 0; i < p->length; i++) {
			if (vj_u64(vj_at(m, i), &x) != 0 ||
			    vdaf_field_encode_bits(f, out + i * p->bits, x, 0, p->bits) != VDAF_OK)
				return -1;
		}
		return 0;
	case HISTOGRAM:
		if (vj_u64(m, &x) != 0 || x >= p->length)
			return -1;
		for (size_t i = 0; i < p->length; i++)
			out[i] = f->from_u64(i == x);
		return 0;
	case MULTIHOT: {
		uint64_t w = p->offset;
		if (vj_len(m) != p->length)
			return -1;
		for (size_t i = 0; i < p->length; i++) {
			if (vj_u64(vj_at(m, i), &x) != 0 || x > 1)
				return -1;
			out[i] = f->from_u64(x);
			w += x;
		}
		return vdaf_field_encode_bits(f, out + p->length, w, 0, p->bits_for_weight) == VDAF_OK
		           ? 0 : -1;
	}
	}
	return -1;
}

/* flp.truncate */
static void
prio3_truncate(const prio3 *p, const vdaf_elem *meas, vdaf_elem *out)
{
	switch (p->kind) {
	case COUNT:
		out[0] = meas[0];
		break;
	case SUM:
		vdaf_field_decode_bits(p->f, out, meas, p->bits);
		break;
	case SUMVEC:
		for (size_t i = 0; i < p->length; i++)
			vdaf_field_decode_bits(p->f, out + i, meas + i * p->bits, p->bits);
		break;
	case HISTOGRAM:
	case MULTIHOT:
		memcpy(out, meas, p->length * sizeof *out);
		break;
	}
}

/* ----------------------------------------------------------- Prio3 glue */

static void
dst(const prio3 *p, uint16_t usage, uint8_t out[8])
{
	vdaf_dst_vdaf11(out, 0, p->id, usage);
}

static int
expand(const prio3 *p, const uint8_t *seed, uint16_t usage, const uint8_t *binder,
       size_t binder_len, vdaf_elem *out, size_t n)
{
	uint8_t d[8];
	dst(p, usage, d);
	return vdaf_xof_expand_into_vec(VDAF_XOF_TURBOSHAKE128, p->f, seed, SEED, d, 8, binder,
	                                binder_len, out, n);
}

static int
jr_part(const prio3 *p, size_t j, const uint8_t *blind, const vdaf_elem *share,
        const uint8_t *nonce, uint8_t *out)
{
	uint8_t d[8], jb = (uint8_t) j;
	vdaf_xof x;
	dst(p, USAGE_JOINT_RAND_PART, d);
	int rc = vdaf_xof_init(&x, VDAF_XOF_TURBOSHAKE128, blind, SEED, d, 8);
	if (rc == VDAF_OK)
		rc = vdaf_xof_update(&x, &jb, 1);
	if (rc == VDAF_OK)
		rc = vdaf_xof_update(&x, nonce, NONCE);
	if (rc == VDAF_OK)
		rc = vdaf_xof_update_vec(&x, p->f, share, p->valid.meas_len);
	if (rc == VDAF_OK)
		rc = vdaf_xof_next(&x, out, SEED);
	vdaf_xof_free(&x);
	return rc;
}

static int
jr_seed(const prio3 *p, const uint8_t *parts, uint8_t *out)
{
	uint8_t d[8], zero[SEED] = { 0 };
	dst(p, USAGE_JOINT_RAND_SEED, d);
	return vdaf_xof_derive_seed(VDAF_XOF_TURBOSHAKE128, zero, SEED, d, 8, parts,
	                            p->shares * SEED, out);
}

static int
joint_rands(const prio3 *p, const uint8_t *seed, vdaf_elem *out)
{
	uint8_t b = (uint8_t) p->proofs;
	return expand(p, seed, USAGE_JOINT_RANDOMNESS, &b, 1, out,
	              p->valid.joint_rand_len * p->proofs);
}

/* Compare bytes with a hex string node. */
static int
hex_eq(const vj_value *node, const uint8_t *bytes, size_t len)
{
	uint8_t *want;
	size_t wl;
	if (vj_hex_alloc(node, &want, &wl) != 0)
		return 0;
	int ok = wl == len && memcmp(want, bytes, len) == 0;
	free(want);
	return ok;
}

/* Everything for one report; checks against the vector's prep entry and
 * accumulates the out shares into agg (shares x output_len). */
static void
run_report(const prio3 *p, const uint8_t *vk, const vj_value *prep, vdaf_elem *agg)
{
	const vdaf_field *f = p->f;
	const vdaf_valid *v = &p->valid;
	size_t S = p->shares, E = f->encoded_size, ml = v->meas_len;
	size_t pl = vdaf_flp_proof_len(v) * p->proofs, prl = vdaf_flp_prove_rand_len(v) * p->proofs;
	size_t vl = vdaf_flp_verifier_len(v) * p->proofs, ql = vdaf_flp_query_rand_len(v) * p->proofs;
	size_t jl = v->joint_rand_len * p->proofs;
	int use_jr = v->joint_rand_len > 0;
	uint8_t *rand = NULL, *nonce = NULL;
	size_t rand_len = 0, nonce_len = 0;
	UNIT_CHECK(vj_hex_alloc(vj_get(prep, "rand"), &rand, &rand_len) == 0);
	UNIT_CHECK(vj_hex_alloc(vj_get(prep, "nonce"), &nonce, &nonce_len) == 0);
	if (unit_current_failed)
		goto out_free;
	size_t per_helper = use_jr ? 3 : 2;
	UNIT_CHECK_EQ_U64(rand_len, SEED * (per_helper * (S - 1) + (use_jr ? 2 : 1)));
	UNIT_CHECK_EQ_U64(nonce_len, NONCE);

	/* big scratch, all in one allocation */
	vdaf_elem *meas = calloc(ml, sizeof *meas), *leader = calloc(ml, sizeof *meas);
	vdaf_elem *h = calloc(ml, sizeof *h), *proofs = calloc(pl, sizeof *proofs);
	vdaf_elem *hp = calloc(pl, sizeof *hp), *prove_rands = calloc(prl, sizeof *hp);
	vdaf_elem *jrs = calloc(jl + 1, sizeof *jrs), *qrs = calloc(ql, sizeof *qrs);
	vdaf_elem *ver = calloc(vl * S, sizeof *ver), *vsum = calloc(vl, sizeof *vsum);
	vdaf_elem *outsh = calloc(p->output_len, sizeof *outsh);
	uint8_t *parts = calloc(S, SEED), *buf = calloc((ml + pl + vl) * E + 4 * SEED, 1);
	UNIT_CHECK(meas && leader && h && proofs && hp && prove_rands && jrs && qrs && ver && vsum &&
	           outsh && parts && buf);
	if (unit_current_failed)
		goto out;

	/* ---------------- shard ---------------- */
	const uint8_t *seeds = rand;
#define HSEED(j, k) (seeds + SEED * (per_helper * ((j) - 1) + (k)))
	const uint8_t *k_blind0 = use_jr ? seeds + SEED * per_helper * (S - 1) : NULL;
	const uint8_t *k_prove = seeds + SEED * (per_helper * (S - 1) + (use_jr ? 1 : 0));

	UNIT_CHECK(prio3_encode(p, vj_get(prep, "measurement"), meas) == 0);
	memcpy(leader, meas, ml * sizeof *meas);
	for (size_t j = 1; j < S; j++) {
		uint8_t b = (uint8_t) j;
		UNIT_CHECK(expand(p, HSEED(j, 0), USAGE_MEAS_SHARE, &b, 1, h, ml) == VDAF_OK);
		f->vec_sub(leader, h, ml);
		if (use_jr)
			UNIT_CHECK(jr_part(p, j, HSEED(j, 2), h, nonce, parts + SEED * j) == VDAF_OK);
	}
	uint8_t seed_jr[SEED];
	if (use_jr) {
		UNIT_CHECK(jr_part(p, 0, k_blind0, leader, nonce, parts) == VDAF_OK);
		UNIT_CHECK(jr_seed(p, parts, seed_jr) == VDAF_OK);
		UNIT_CHECK(joint_rands(p, seed_jr, jrs) == VDAF_OK);
	}
	uint8_t pb = (uint8_t) p->proofs;
	UNIT_CHECK(expand(p, k_prove, USAGE_PROVE_RANDOMNESS, &pb, 1, prove_rands, prl) == VDAF_OK);
	UNIT_CHECK(vdaf_flp_prove_multi(v, p->proofs, meas, prove_rands, use_jr ? jrs : NULL,
	                                proofs) == VDAF_OK);
	for (size_t j = 1; j < S; j++) {
		uint8_t b[2] = { (uint8_t) p->proofs, (uint8_t) j };
		UNIT_CHECK(expand(p, HSEED(j, 1), USAGE_PROOF_SHARE, b, 2, hp, pl) == VDAF_OK);
		f->vec_sub(proofs, hp, pl);
	}
	/* public share and input shares */
	UNIT_CHECK(hex_eq(vj_get(prep, "public_share"), parts, use_jr ? S * SEED : 0));
	f->encode_vec(buf, leader, ml);
	f->encode_vec(buf + ml * E, proofs, pl);
	if (use_jr)
		memcpy(buf + (ml + pl) * E, k_blind0, SEED);
	UNIT_CHECK(hex_eq(vj_at(vj_get(prep, "input_shares"), 0), buf,
	                  (ml + pl) * E + (use_jr ? SEED : 0)));
	for (size_t j = 1; j < S; j++)
		UNIT_CHECK(hex_eq(vj_at(vj_get(prep, "input_shares"), j), HSEED(j, 0),
		                  per_helper * SEED));

	/* ---------------- prep_init per Aggregator, from the wire bytes ---------------- */
	uint8_t *pub = NULL, *ins = NULL, pparts[SEED * 8];
	size_t pub_len = 0, ins_len = 0;
	UNIT_CHECK(S <= 8);
	for (size_t j = 0; j < S && !unit_current_failed; j++) {
		UNIT_CHECK(vj_hex_alloc(vj_get(prep, "public_share"), &pub, &pub_len) == 0);
		UNIT_CHECK(vj_hex_alloc(vj_at(vj_get(prep, "input_shares"), j), &ins, &ins_len) == 0);
		if (unit_current_failed)
			break;
		const uint8_t *blind = NULL;
		if (j == 0) {
			UNIT_CHECK(ins_len == (ml + pl) * E + (use_jr ? SEED : 0));
			UNIT_CHECK(f->decode_vec(h, ml, ins, ml * E) == VDAF_OK);
			UNIT_CHECK(f->decode_vec(hp, pl, ins + ml * E, pl * E) == VDAF_OK);
			blind = use_jr ? ins + (ml + pl) * E : NULL;
		} else {
			uint8_t b = (uint8_t) j, b2[2] = { (uint8_t) p->proofs, (uint8_t) j };
			UNIT_CHECK(ins_len == per_helper * SEED);
			UNIT_CHECK(expand(p, ins, USAGE_MEAS_SHARE, &b, 1, h, ml) == VDAF_OK);
			UNIT_CHECK(expand(p, ins + SEED, USAGE_PROOF_SHARE, b2, 2, hp, pl) == VDAF_OK);
			blind = use_jr ? ins + 2 * SEED : NULL;
		}
		uint8_t part[SEED], corrected[SEED];
		if (use_jr) {
			memcpy(pparts, pub, S * SEED);
			UNIT_CHECK(jr_part(p, j, blind, h, nonce, part) == VDAF_OK);
			memcpy(pparts + j * SEED, part, SEED);
			UNIT_CHECK(jr_seed(p, pparts, corrected) == VDAF_OK);
			UNIT_CHECK(joint_rands(p, corrected, jrs) == VDAF_OK);
		}
		uint8_t qb[1 + NONCE];
		qb[0] = (uint8_t) p->proofs;
		memcpy(qb + 1, nonce, NONCE);
		uint8_t d[8];
		dst(p, USAGE_QUERY_RANDOMNESS, d);
		UNIT_CHECK(vdaf_xof_expand_into_vec(VDAF_XOF_TURBOSHAKE128, f, vk, SEED, d, 8, qb,
		                                    sizeof qb, qrs, ql) == VDAF_OK);
		UNIT_CHECK(vdaf_flp_query_multi(v, p->proofs, h, hp, qrs, use_jr ? jrs : NULL, S,
		                                ver + j * vl) == VDAF_OK);
		/* prep share = encvec(verifiers) || part */
		f->encode_vec(buf, ver + j * vl, vl);
		if (use_jr)
			memcpy(buf + vl * E, part, SEED);
		const vj_value *ps = vj_at(vj_at(vj_get(prep, "prep_shares"), 0), j);
		UNIT_CHECK(hex_eq(ps, buf, vl * E + (use_jr ? SEED : 0)));
		if (use_jr)
			memcpy(parts + j * SEED, part, SEED);
		/* out share */
		prio3_truncate(p, h, outsh);
		f->encode_vec(buf, outsh, p->output_len);
		const vj_value *os = vj_at(vj_get(prep, "out_shares"), j);
		UNIT_CHECK(vj_len(os) == p->output_len);
		for (size_t k = 0; k < p->output_len; k++)
			UNIT_CHECK(hex_eq(vj_at(os, k), buf + k * E, E));
		f->vec_add(agg + j * p->output_len, outsh, p->output_len);
		/* the prepared corrected seed must equal the message (checked below) */
		if (use_jr)
			UNIT_CHECK(memcmp(corrected, seed_jr, SEED) == 0);
		free(pub);
		free(ins);
		pub = ins = NULL;
	}
	free(pub);
	free(ins);

	/* ---------------- prep_shares_to_prep ---------------- */
	memset(vsum, 0, vl * sizeof *vsum);
	for (size_t j = 0; j < S; j++)
		f->vec_add(vsum, ver + j * vl, vl);
	UNIT_CHECK(vdaf_flp_decide_multi(v, p->proofs, vsum) == 1);
	uint8_t msg[SEED];
	if (use_jr) {
		UNIT_CHECK(jr_seed(p, parts, msg) == VDAF_OK);
		UNIT_CHECK(hex_eq(vj_at(vj_get(prep, "prep_messages"), 0), msg, SEED));
	} else {
		UNIT_CHECK(hex_eq(vj_at(vj_get(prep, "prep_messages"), 0), msg, 0));
	}

	/* a tampered verifier share must be rejected */
	vsum[0] = f->add(vsum[0], f->from_u64(1));
	UNIT_CHECK(vdaf_flp_decide_multi(v, p->proofs, vsum) == 0);
#undef HSEED
out:
	free(meas);
	free(leader);
	free(h);
	free(proofs);
	free(hp);
	free(prove_rands);
	free(jrs);
	free(qrs);
	free(ver);
	free(vsum);
	free(outsh);
	free(parts);
	free(buf);
out_free:
	free(rand);
	free(nonce);
}

static void
run_file(const char *name, enum kind kind)
{
	char path[256];
	snprintf(path, sizeof path, VEC_DIR "%s", name);
	vj_value *root = vj_load_file(path);
	UNIT_CHECK(root != NULL);
	if (root == NULL)
		return;
	prio3 p;
	UNIT_CHECK(prio3_setup(&p, kind, root) == 0);
	uint8_t *vk = NULL;
	size_t vk_len = 0;
	UNIT_CHECK(vj_hex_alloc(vj_get(root, "verify_key"), &vk, &vk_len) == 0 && vk_len == SEED);
	if (unit_current_failed) {
		free(vk);
		vj_free(root);
		return;
	}
	const vdaf_field *f = p.f;
	vdaf_elem *agg = calloc(p.shares * p.output_len, sizeof *agg);
	const vj_value *preps = vj_get(root, "prep");
	for (size_t r = 0; r < vj_len(preps); r++)
		run_report(&p, vk, vj_at(preps, r), agg);

	/* aggregate shares and the result */
	uint8_t buf[MAXV];
	for (size_t j = 0; j < p.shares; j++) {
		f->encode_vec(buf, agg + j * p.output_len, p.output_len);
		UNIT_CHECK(hex_eq(vj_at(vj_get(root, "agg_shares"), j), buf,
		                  p.output_len * f->encoded_size));
	}
	for (size_t j = 1; j < p.shares; j++)
		f->vec_add(agg, agg + j * p.output_len, p.output_len);
	const vj_value *res = vj_get(root, "agg_result");
	for (size_t k = 0; k < p.output_len; k++) {
		uint64_t want = 0, got[2];
		const vj_value *node = res->type == VJ_ARR ? vj_at(res, k) : res;
		UNIT_CHECK(vj_u64(node, &want) == 0);
		f->to_u128(agg[k], got);
		UNIT_CHECK(got[0] == want && got[1] == 0);
	}
	free(agg);
	free(vk);
	vj_free(root);
}

static void test_count_0(void) { run_file("Prio3Count_0.json", COUNT); }
static void test_count_1(void) { run_file("Prio3Count_1.json", COUNT); }
static void test_sum_0(void) { run_file("Prio3Sum_0.json", SUM); }
static void test_sum_1(void) { run_file("Prio3Sum_1.json", SUM); }
static void test_sumvec_0(void) { run_file("Prio3SumVec_0.json", SUMVEC); }
static void test_sumvec_1(void) { run_file("Prio3SumVec_1.json", SUMVEC); }
static void test_histogram_0(void) { run_file("Prio3Histogram_0.json", HISTOGRAM); }
static void test_histogram_1(void) { run_file("Prio3Histogram_1.json", HISTOGRAM); }
static void test_multihot_0(void) { run_file("Prio3MultihotCountVec_0.json", MULTIHOT); }

int
main(void)
{
	UNIT_RUN(test_count_0);
	UNIT_RUN(test_count_1);
	UNIT_RUN(test_sum_0);
	UNIT_RUN(test_sum_1);
	UNIT_RUN(test_sumvec_0);
	UNIT_RUN(test_sumvec_1);
	UNIT_RUN(test_histogram_0);
	UNIT_RUN(test_histogram_1);
	UNIT_RUN(test_multihot_0);
	return UNIT_DONE();
}
