/*
 * test_graph_params.c: the SecAgg+ parameter finder and checker
 * (secagg/graph_params.h; the README's "SecAgg+ parameters").
 *
 * The finder must reproduce fcp's own test table (k exactly, t at or below
 * fcp's), the degrees of the benchmark grid (README, Benchmarks), fall back to the complete graph exactly
 * when no sparse degree exists, and refuse bad input; the checker must name
 * the rule a (k, t) breaks. The hypergeometric numerics are compared with
 * exact sums for small populations.
 */
#include <math.h>
#include <time.h>

#include "unit.h"

#include "common/interrupt.h"
#include "secagg/graph_params.h"
#include "secagg/protocol.h"

#define HBC SA_GRAPH_HONEST_BUT_CURIOUS
#define SM  SA_GRAPH_SEMI_MALICIOUS

typedef struct row {
	uint32_t n;
	double corrupt, dropout;
	sa_graph_model model;
	uint32_t k, t_max;
} row;

/* fcp's own table: fcp/secagg/server/graph_parameter_finder_test.cc. */
static const row fcp_rows[] = {
	{ 1000, 0.45, 0.45, HBC, 822, 417 },
	{ 10000, 0.45, 0.45, HBC, 3494, 1771 },
	{ 1000, 0.33, 0.33, HBC, 286, 150 },
	{ 10000, 0.33, 0.33, HBC, 422, 221 },
	{ 1000, 0.30, 0.30, SM, 872, 584 },
	{ 10000, 0.30, 0.30, SM, 4822, 3230 },
	{ 1000, 0.05, 0.33, HBC, 72, 24 },
	{ 10000, 0.05, 0.33, HBC, 86, 29 },
	{ 1000, 0.05, 0.33, SM, 398, 223 },
	{ 10000, 0.05, 0.33, SM, 746, 420 },
	{ 1000, 0.05, 0.05, HBC, 30, 17 },
	{ 10000, 0.05, 0.05, SM, 62, 44 },
	{ 1000, 0.33, 0.05, HBC, 78, 60 },
};
#define FCP_ROWS (sizeof fcp_rows / sizeof fcp_rows[0])

static const char *
model_name(sa_graph_model m)
{
	return m == SM ? "semi-malicious" : "honest-but-curious";
}

static sa_status
find(uint32_t n, double corrupt, double dropout, sa_graph_model model, sa_graph_params *out)
{
	sa_graph_params_in in = { n, corrupt, dropout, model };
	return sa_graph_params_find(&in, out);
}

static double
now_ms(void)
{
	struct timespec ts;
	timespec_get(&ts, TIME_UTC);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Common properties of any sparse answer. */
static void
check_sparse_answer(const sa_graph_params *p)
{
	UNIT_CHECK(p->rule == SA_GRAPH_RULE_OK);
	UNIT_CHECK(!p->complete);
	UNIT_CHECK_EQ_U64(p->sigma, 41);
	UNIT_CHECK_EQ_U64(p->eta, 20);
	UNIT_CHECK(p->k % 2 == 0 && p->k >= 2 && p->k + 1 < p->n);
	UNIT_CHECK(p->t1 < p->t2);
	UNIT_CHECK_EQ_U64(p->t, p->t1 + 1 < 2 ? 2 : p->t1 + 1);
	/* t <= t2, except t = 2 when t2 = 1 (rule 5, as in fcp) */
	UNIT_CHECK(p->t <= (p->t2 < 2 ? 2 : p->t2) && p->t2 <= p->k);
	UNIT_CHECK(p->log2_disconnect < -41.0);
}

/* The 13 rows of fcp's table: k exactly, t at or below fcp's. */
static void
test_fcp_table(void)
{
	for (size_t i = 0; i < FCP_ROWS; i++) {
		const row *r = &fcp_rows[i];
		sa_graph_params p;
		double t0 = now_ms();
		sa_status st = find(r->n, r->corrupt, r->dropout, r->model, &p);
		double ms = now_ms() - t0;
		printf("# n=%-6u gamma=%.2f delta=%.2f %-18s k=%-5u (fcp %-5u) t=%-5u (fcp <= %-5u)"
		       " t1=%u t1_corrupt=%u t2=%u log2_bound=%.2f %.2f ms\n",
		       r->n, r->corrupt, r->dropout, model_name(r->model), p.k, r->k, p.t, r->t_max,
		       p.t1, p.t1_corrupt, p.t2, p.log2_disconnect, ms);
		UNIT_CHECK(st == SA_OK);
		UNIT_CHECK_EQ_U64(p.k, r->k);
		UNIT_CHECK(p.t <= r->t_max);
		check_sparse_answer(&p);
	}
}

/* The degrees of the README's SecAgg+ benchmark grid: gamma = 0.05, delta = 0.30. */
static void
test_cost_table(void)
{
	static const row rows[] = {
		{ 1000, 0.05, 0.30, HBC, 66, 0 },
		{ 1000, 0.05, 0.30, SM, 314, 0 },
		{ 10000, 0.05, 0.30, HBC, 80, 0 },
		{ 10000, 0.05, 0.30, SM, 522, 0 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sa_graph_params p;
		UNIT_CHECK(find(rows[i].n, rows[i].corrupt, rows[i].dropout, rows[i].model, &p) == SA_OK);
		printf("# grid: n=%-6u %-18s k=%u (README %u) t=%u t2=%u\n", rows[i].n,
		       model_name(rows[i].model), p.k, rows[i].k, p.t, p.t2);
		UNIT_CHECK_EQ_U64(p.k, rows[i].k);
		check_sparse_answer(&p);
	}
}

/*
 * The rest of fcp's feasible rows (graph_parameter_finder_test.cc), k
 * exactly, t at or below: all but its AdversaryClass::NONE rows (the same
 * numbers as honest-but-curious with gamma = 0) and, of its gamma = delta =
 * 0 rows (all k = 2, t = 2), only n = 10 and 10^6.
 */
static void
test_fcp_more_rows(void)
{
	static const row rows[] = {
		{ 100, 0.45, 0.45, HBC, 92, 46 },
		{ 100000, 0.45, 0.45, HBC, 5508, 2788 },
		{ 1000000, 0.45, 0.45, HBC, 6240, 3156 },
		{ 10, 0.33, 0.33, HBC, 8, 4 },
		{ 100, 0.33, 0.33, HBC, 68, 34 },
		{ 100000, 0.33, 0.33, HBC, 480, 251 },
		{ 1000000, 0.33, 0.33, HBC, 518, 270 },
		{ 100, 0.30, 0.30, SM, 92, 62 },
		{ 100000, 0.30, 0.30, SM, 9388, 6286 },
		{ 1000000, 0.30, 0.30, SM, 11136, 7454 },
		{ 10, 0.05, 0.33, HBC, 4, 2 },
		{ 100, 0.05, 0.33, HBC, 28, 6 },
		{ 100000, 0.05, 0.33, HBC, 96, 32 },
		{ 1000000, 0.05, 0.33, HBC, 102, 34 },
		{ 10, 0.05, 0.33, SM, 8, 5 },
		{ 100, 0.05, 0.33, SM, 72, 39 },
		{ 100000, 0.05, 0.33, SM, 882, 496 },
		{ 1000000, 0.05, 0.33, SM, 970, 545 },
		{ 10, 0.33, 0.05, HBC, 4, 4 },
		{ 100, 0.33, 0.05, HBC, 34, 29 },
		{ 10000, 0.33, 0.05, HBC, 92, 70 },
		{ 100000, 0.33, 0.05, HBC, 102, 77 },
		{ 1000000, 0.33, 0.05, HBC, 110, 83 },
		{ 10, 0.33, 0.05, SM, 4, 4 },
		{ 100, 0.33, 0.05, SM, 42, 37 },
		{ 1000, 0.33, 0.05, SM, 132, 109 },
		{ 10000, 0.33, 0.05, SM, 178, 146 },
		{ 100000, 0.33, 0.05, SM, 196, 160 },
		{ 1000000, 0.33, 0.05, SM, 212, 173 },
		{ 10, 0.05, 0.05, HBC, 2, 2 },
		{ 100, 0.05, 0.05, HBC, 12, 6 },
		{ 10000, 0.05, 0.05, HBC, 34, 20 },
		{ 100000, 0.05, 0.05, HBC, 36, 21 },
		{ 1000000, 0.05, 0.05, HBC, 38, 22 },
		{ 10, 0.05, 0.05, SM, 2, 2 },
		{ 100, 0.05, 0.05, SM, 16, 11 },
		{ 1000, 0.05, 0.05, SM, 52, 37 },
		{ 100000, 0.05, 0.05, SM, 68, 48 },
		{ 1000000, 0.05, 0.05, SM, 74, 52 },
		{ 10, 0.33, 0.0, HBC, 4, 4 },
		{ 100, 0.33, 0.0, HBC, 26, 25 },
		{ 1000, 0.33, 0.0, HBC, 38, 36 },
		{ 10000, 0.33, 0.0, HBC, 42, 40 },
		{ 100000, 0.33, 0.0, HBC, 46, 44 },
		{ 1000000, 0.33, 0.0, HBC, 50, 47 },
		{ 10, 0.33, 0.0, SM, 4, 4 },
		{ 100, 0.33, 0.0, SM, 26, 26 },
		{ 1000, 0.33, 0.0, SM, 38, 37 },
		{ 10000, 0.33, 0.0, SM, 42, 41 },
		{ 100000, 0.33, 0.0, SM, 46, 45 },
		{ 1000000, 0.33, 0.0, SM, 50, 49 },
		{ 10, 0.0, 0.33, HBC, 4, 2 },
		{ 100, 0.0, 0.33, HBC, 26, 2 },
		{ 1000, 0.0, 0.33, HBC, 38, 2 },
		{ 10000, 0.0, 0.33, HBC, 42, 2 },
		{ 100000, 0.0, 0.33, HBC, 46, 2 },
		{ 1000000, 0.0, 0.33, HBC, 50, 2 },
		{ 10, 0.0, 0.33, SM, 8, 5 },
		{ 100, 0.0, 0.33, SM, 68, 35 },
		{ 1000, 0.0, 0.33, SM, 228, 115 },
		{ 10000, 0.0, 0.33, SM, 326, 164 },
		{ 100000, 0.0, 0.33, SM, 372, 187 },
		{ 1000000, 0.0, 0.33, SM, 410, 206 },
		{ 10, 0.0, 0.0, HBC, 2, 2 },
		{ 1000000, 0.0, 0.0, HBC, 2, 2 },
		{ 10, 0.0, 0.0, SM, 2, 2 },
		{ 1000000, 0.0, 0.0, SM, 2, 2 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const row *r = &rows[i];
		sa_graph_params p;
		sa_status st = find(r->n, r->corrupt, r->dropout, r->model, &p);
		if (st != SA_OK || p.k != r->k || p.t > r->t_max)
			printf("# MISMATCH n=%u gamma=%.2f delta=%.2f %s: k=%u t=%u, fcp k=%u t<=%u\n",
			       r->n, r->corrupt, r->dropout, model_name(r->model), p.k, p.t, r->k, r->t_max);
		UNIT_CHECK(st == SA_OK);
		UNIT_CHECK_EQ_U64(p.k, r->k);
		UNIT_CHECK(p.t <= r->t_max);
		check_sparse_answer(&p);
	}
}

/* Timing of the search (printed, not asserted: the machine is shared). */
static void
test_timing(void)
{
	static const row rows[] = {
		{ 100000, 0.33, 0.33, HBC, 0, 0 },
		{ 100000, 0.45, 0.45, HBC, 0, 0 },
		{ 100000, 0.30, 0.30, SM, 0, 0 },
		{ 100000, 0.05, 0.30, HBC, 0, 0 },
		{ 100000, 0.05, 0.30, SM, 0, 0 },
		{ 1000000, 0.30, 0.30, SM, 0, 0 },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		sa_graph_params p;
		double t0 = now_ms();
		sa_status st = find(rows[i].n, rows[i].corrupt, rows[i].dropout, rows[i].model, &p);
		double ms = now_ms() - t0;
		printf("# timing: n=%-7u gamma=%.2f delta=%.2f %-18s k=%-5u t=%-5u %.2f ms\n", rows[i].n,
		       rows[i].corrupt, rows[i].dropout, model_name(rows[i].model), p.k, p.t, ms);
		UNIT_CHECK(st == SA_OK);
	}
}

static void
expect_input_refused(uint32_t n, double corrupt, double dropout, sa_graph_model model, sa_status want)
{
	sa_graph_params p;
	UNIT_CHECK(find(n, corrupt, dropout, model, &p) == want);
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INPUT);
	UNIT_CHECK(p.k == 0 && p.t == 0);
	UNIT_CHECK(sa_graph_params_check(n, 2, 2, corrupt, dropout, model, &p) == want);
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INPUT);
}

static void
test_invalid_inputs(void)
{
	expect_input_refused(0, 0.1, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(1, 0.1, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(SA_GRAPH_MAX_USERS + 1, 0.1, 0.1, HBC, SA_ERR_LIMIT);
	expect_input_refused(UINT32_MAX, 0.1, 0.1, HBC, SA_ERR_LIMIT);
	expect_input_refused(1000, -0.01, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, -0.0 - 1e-300, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, 1.0, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, NAN, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, INFINITY, 0.1, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, 0.1, -0.01, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, 0.1, 1.0, HBC, SA_ERR_PARAM);
	expect_input_refused(1000, 0.1, NAN, SM, SA_ERR_PARAM);
	expect_input_refused(1000, 0.1, -INFINITY, SM, SA_ERR_PARAM);
	expect_input_refused(1000, 0.1, 0.1, (sa_graph_model) 2, SA_ERR_PARAM);
	expect_input_refused(1000, 0.1, 0.1, (sa_graph_model) -1, SA_ERR_PARAM);

	/* The edges that are valid. */
	sa_graph_params p;
	UNIT_CHECK(find(2, 0.0, 0.0, HBC, &p) == SA_OK);
	UNIT_CHECK(find(SA_GRAPH_MAX_USERS, 0.05, 0.05, HBC, &p) == SA_OK);
	UNIT_CHECK(find(1000, nextafter(1.0, 0.0), 0.0, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INFEASIBLE);
}

/* floor(gamma n), floor(delta n), ceil((1-delta) n) with fcp's 1e-14 slack. */
static void
test_user_counts(void)
{
	sa_graph_params p;
	/* 0.29 * 100 = 28.999999999999996 in double. */
	UNIT_CHECK(find(100, 0.29, 0.29, HBC, &p) == SA_OK);
	UNIT_CHECK_EQ_U64(p.corrupt_users, 29);
	UNIT_CHECK_EQ_U64(p.dropout_users, 29);
	UNIT_CHECK_EQ_U64(p.survivors, 71);
	/*
	 * 1 - 0.7 = 0.30000000000000004: 3 survivors of 10, not 4. (k = 8 then
	 * has t1 = 0, t2 = 1: one surviving neighbour is all 2^-20/n allows, yet
	 * rule 5 answers t = 2, as fcp would.)
	 */
	UNIT_CHECK(find(10, 0.0, 0.7, HBC, &p) == SA_OK);
	UNIT_CHECK_EQ_U64(p.dropout_users, 7);
	UNIT_CHECK_EQ_U64(p.survivors, 3);
	UNIT_CHECK(p.k == 8 && p.t == 2 && p.t1 == 0 && p.t2 == 1);
	/* Plain rounding. */
	UNIT_CHECK(find(1001, 0.333, 0.05, HBC, &p) == SA_OK);
	UNIT_CHECK_EQ_U64(p.corrupt_users, 333);
	UNIT_CHECK_EQ_U64(p.dropout_users, 50);
	UNIT_CHECK_EQ_U64(p.survivors, 951);
}

/*
 * fcp has no size threshold: the complete graph comes exactly when no even
 * k < n-1 passes. n = 2, 3: there is no such k at all.
 */
static void
test_complete_graph(void)
{
	sa_graph_params p;
	for (uint32_t n = 2; n <= 3; n++) {
		UNIT_CHECK(find(n, 0.0, 0.0, HBC, &p) == SA_OK);
		UNIT_CHECK(p.complete);
		UNIT_CHECK_EQ_U64(p.k, n - 1);
		UNIT_CHECK_EQ_U64(p.t, n);
		UNIT_CHECK(isinf(p.log2_disconnect) && p.log2_disconnect < 0);
		UNIT_CHECK(sa_check_threshold(p.t, n) == SA_OK);
		UNIT_CHECK(sa_graph_params_check(n, p.k, p.t, 0.0, 0.0, HBC, &p) == SA_OK);
	}
	/* n = 3, delta = 0.34: one may drop, t = 2 > 3/2. */
	UNIT_CHECK(find(3, 0.0, 0.34, SM, &p) == SA_OK);
	UNIT_CHECK(p.complete && p.k == 2 && p.t == 2);
	/* n = 4, k = 2 is tried: with nobody bad it passes. */
	UNIT_CHECK(find(4, 0.0, 0.0, HBC, &p) == SA_OK);
	UNIT_CHECK(!p.complete && p.k == 2 && p.t == 2);

	/*
	 * Small cohorts under strong threat models: the complete graph,
	 * t = ceil((1-delta) n). n = 20, 30% corrupt, 30% drop, semi-malicious:
	 * t1 = floor((20 + 6) / 2) = 13, t2 = 14.
	 */
	UNIT_CHECK(find(20, 0.30, 0.30, SM, &p) == SA_OK);
	UNIT_CHECK(p.complete);
	UNIT_CHECK_EQ_U64(p.k, 19);
	UNIT_CHECK_EQ_U64(p.t, 14);
	UNIT_CHECK_EQ_U64(p.t1, 13);
	UNIT_CHECK_EQ_U64(p.t2, 14);
	UNIT_CHECK_EQ_U64(p.t1_corrupt, 6);
	UNIT_CHECK(sa_check_threshold(p.t, 20) == SA_OK);
	/* The same model at n = 27 still, t2 = ceil(0.7 * 27) = 19, t1 = floor(35 / 2). */
	UNIT_CHECK(find(27, 0.30, 0.30, SM, &p) == SA_OK);
	UNIT_CHECK(p.complete && p.k == 26 && p.t == 19 && p.t1 == 17 && p.t2 == 19);
	/* Honest-but-curious, 45% / 45%, n = 25: t1 = max(11, 12) = 12, t2 = ceil(13.75). */
	UNIT_CHECK(find(25, 0.45, 0.45, HBC, &p) == SA_OK);
	UNIT_CHECK(p.complete && p.k == 24 && p.t == 14 && p.t1 == 12 && p.t2 == 14);
	UNIT_CHECK_EQ_U64(p.t1_corrupt, 11);
	UNIT_CHECK(sa_check_threshold(p.t, 25) == SA_OK);
	/* ... but n = 20, 30% / 30% honest-but-curious is sparse already. */
	UNIT_CHECK(find(20, 0.30, 0.30, HBC, &p) == SA_OK);
	UNIT_CHECK(!p.complete && p.k == 14);

	/* Where the complete graph breaks the rules too: infeasible. */
	UNIT_CHECK(find(20, 0.30, 0.35, SM, &p) == SA_ERR_PARAM);   /* t1 = 13, t2 = 13 */
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INFEASIBLE && !p.complete && p.k == 0 && p.t == 0);
	UNIT_CHECK(p.t1 == 13 && p.t2 == 13);
	UNIT_CHECK(find(1000, 0.5, 0.5, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INFEASIBLE);
	UNIT_CHECK(find(1000, 0.5, 0.5, SM, &p) == SA_ERR_PARAM);
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INFEASIBLE);
}

/* For each size, the largest n whose search finds no sparse graph (printed). */
static void
test_complete_graph_crossover(void)
{
	static const row models[] = {
		{ 0, 0.05, 0.05, HBC, 0, 0 }, { 0, 0.05, 0.05, SM, 0, 0 },
		{ 0, 0.05, 0.30, HBC, 0, 0 }, { 0, 0.05, 0.30, SM, 0, 0 },
		{ 0, 0.33, 0.33, HBC, 0, 0 }, { 0, 0.30, 0.30, SM, 0, 0 },
		{ 0, 0.45, 0.45, HBC, 0, 0 },
	};
	for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
		uint32_t last_complete = 0;
		for (uint32_t n = 2; n <= 400; n++) {
			sa_graph_params p;
			sa_status st = find(n, models[i].corrupt, models[i].dropout, models[i].model, &p);
			if (st == SA_OK && p.complete)
				last_complete = n;
			if (st == SA_OK && p.complete)
				UNIT_CHECK(sa_check_threshold(p.t, n) == SA_OK);
			if (st == SA_OK && !p.complete)
				check_sparse_answer(&p);
		}
		printf("# gamma=%.2f delta=%.2f %-18s: largest n <= 400 with the complete graph: %u\n",
		       models[i].corrupt, models[i].dropout, model_name(models[i].model), last_complete);
	}
}

static void
expect_rule(uint32_t n, uint32_t k, uint32_t t, double corrupt, double dropout, sa_graph_model model,
            sa_graph_rule rule)
{
	sa_graph_params p;
	sa_status st = sa_graph_params_check(n, k, t, corrupt, dropout, model, &p);
	UNIT_CHECK(st == (rule == SA_GRAPH_RULE_OK ? SA_OK : SA_ERR_PARAM));
	if (p.rule != rule)
		fprintf(stderr, "  check(n=%u k=%u t=%u gamma=%.2f delta=%.2f %s): rule %d, want %d\n",
		        n, k, t, corrupt, dropout, model_name(model), (int) p.rule, (int) rule);
	UNIT_CHECK(p.rule == rule);
	UNIT_CHECK(p.k == k && p.t == t);
}

/* The checker on every table row: the finder's own (k, t), then one broken rule at a time. */
static void
test_check_rows(void)
{
	for (size_t i = 0; i < FCP_ROWS; i++) {
		const row *r = &fcp_rows[i];
		sa_graph_params f, c;
		UNIT_CHECK(find(r->n, r->corrupt, r->dropout, r->model, &f) == SA_OK);
		UNIT_CHECK(sa_graph_params_check(r->n, f.k, f.t, r->corrupt, r->dropout, r->model, &c) == SA_OK);
		UNIT_CHECK(c.rule == SA_GRAPH_RULE_OK && !c.complete);
		UNIT_CHECK(c.t1 == f.t1 && c.t2 == f.t2 && c.t1_corrupt == f.t1_corrupt);
		UNIT_CHECK(c.log2_disconnect == f.log2_disconnect);
		/* Every t in (t1, t2] is accepted; the ends outside are not. */
		UNIT_CHECK(sa_graph_params_check(r->n, f.k, f.t2, r->corrupt, r->dropout, r->model, &c) == SA_OK);
		expect_rule(r->n, f.k, f.t1, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_T_SMALL);
		expect_rule(r->n, f.k, f.t2 + 1, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_T_LARGE);
		expect_rule(r->n, f.k - 1, f.t, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_K_ODD);
		expect_rule(r->n, f.k + 1, f.t, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_K_ODD);
		expect_rule(r->n, r->n, f.t, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_K_RANGE);
		expect_rule(r->n, r->n + 1, f.t, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_K_RANGE);
		expect_rule(r->n, 0, f.t, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_K_RANGE);
		/* k = 2 cannot keep the survivors connected with this many bad users. */
		expect_rule(r->n, 2, 2, r->corrupt, r->dropout, r->model, SA_GRAPH_RULE_CONNECTIVITY);
		/* The degree just below the answer fails some rule (the search took the first). */
		UNIT_CHECK(sa_graph_params_check(r->n, f.k - 2, f.t, r->corrupt, r->dropout, r->model, &c)
		           == SA_ERR_PARAM);
	}
}

/* The checker's individual rules on hand-picked cases. */
static void
test_check_rules(void)
{
	sa_graph_params p;
	/* The connectivity bound is computed when k <= b and only then. */
	UNIT_CHECK(sa_graph_params_check(1000, 102, 60, 0.05, 0.05, HBC, &p) == SA_OK);
	UNIT_CHECK(isinf(p.log2_disconnect) && p.log2_disconnect < 0);      /* k = 102 > b = 100 */
	UNIT_CHECK(sa_graph_params_check(1000, 100, 60, 0.05, 0.05, HBC, &p) == SA_OK);
	UNIT_CHECK(isfinite(p.log2_disconnect) && p.log2_disconnect < -41);
	/*
	 * k = b: the bound is C(b,b) / C(n,b) times the gap pairs, not zero. With
	 * n = 10, b = 2: log(10 * 7 / 2 / 45) > -41 fails.
	 */
	expect_rule(10, 2, 2, 0.1, 0.1, HBC, SA_GRAPH_RULE_CONNECTIVITY);
	UNIT_CHECK(sa_graph_params_check(10, 2, 2, 0.1, 0.1, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK(fabs(p.log2_disconnect - log2(35.0 / 45.0)) < 1e-9);
	/* The bound at n = 1000, b = 100, k = 30 by a direct product. */
	UNIT_CHECK(sa_graph_params_check(1000, 30, 17, 0.05, 0.05, HBC, &p) == SA_OK);
	double direct = log2(1000.0 * 969.0 / 2.0);
	for (int i = 0; i < 30; i++)
		direct += log2((100.0 - i) / (1000.0 - i));
	UNIT_CHECK(fabs(p.log2_disconnect - direct) < 1e-6);
	/* The connectivity boundary there: k = 16 (log2 -35.9) fails, k = 18 (-43.0) passes. */
	expect_rule(1000, 16, 17, 0.05, 0.05, HBC, SA_GRAPH_RULE_CONNECTIVITY);
	UNIT_CHECK(sa_graph_params_check(1000, 16, 17, 0.05, 0.05, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK(p.log2_disconnect > -36.0 && p.log2_disconnect < -35.8);
	expect_rule(1000, 18, 17, 0.05, 0.05, HBC, SA_GRAPH_RULE_T_LARGE);
	UNIT_CHECK(sa_graph_params_check(1000, 18, 17, 0.05, 0.05, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK(p.log2_disconnect > -43.1 && p.log2_disconnect < -42.9);
	UNIT_CHECK(p.t1 == 13 && p.t2 == 8);

	/* Right at 2^-41: log2 bound -40.947 fails, -41.120 passes. */
	expect_rule(100, 16, 2, 0.01, 0.17, HBC, SA_GRAPH_RULE_CONNECTIVITY);
	UNIT_CHECK(sa_graph_params_check(100, 16, 2, 0.01, 0.17, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK(p.log2_disconnect > -40.95 && p.log2_disconnect < -40.94);
	UNIT_CHECK(sa_graph_params_check(100, 36, 2, 0.01, 0.48, HBC, &p) == SA_OK);
	UNIT_CHECK(p.log2_disconnect > -41.13 && p.log2_disconnect < -41.11);

	/* t >= 2 even when t1 = 0 (no corrupt users). */
	UNIT_CHECK(sa_graph_params_check(1000, 38, 2, 0.0, 0.33, HBC, &p) == SA_OK);
	UNIT_CHECK_EQ_U64(p.t1, 0);
	expect_rule(1000, 38, 1, 0.0, 0.33, HBC, SA_GRAPH_RULE_T_SMALL);
	expect_rule(1000, 38, 0, 0.0, 0.33, HBC, SA_GRAPH_RULE_T_SMALL);
	/*
	 * t = 2 with t1 = 0, t2 = 1 (rule 5's answer) is accepted; with
	 * t1 = t2 = 1 it is not (n = 10, one dropout, k = 2: semi-malicious
	 * t1 = floor((0 + 2) / 2) = 1).
	 */
	expect_rule(10, 2, 2, 0.0, 0.1, HBC, SA_GRAPH_RULE_OK);
	UNIT_CHECK(sa_graph_params_check(10, 2, 2, 0.0, 0.1, HBC, &p) == SA_OK && p.t1 == 0 && p.t2 == 1);
	expect_rule(10, 2, 3, 0.0, 0.1, HBC, SA_GRAPH_RULE_T_LARGE);
	expect_rule(10, 2, 2, 0.0, 0.1, SM, SA_GRAPH_RULE_T_LARGE);
	UNIT_CHECK(sa_graph_params_check(10, 2, 2, 0.0, 0.1, SM, &p) == SA_ERR_PARAM && p.t1 == 1 && p.t2 == 1);
	UNIT_CHECK(find(10, 0.0, 0.1, SM, &p) == SA_OK && p.k == 4 && p.t == 3);
	/* No dropouts: t2 = k; no corrupt users: t1 = 0. */
	UNIT_CHECK(sa_graph_params_check(1000, 2, 2, 0.0, 0.0, HBC, &p) == SA_OK);
	UNIT_CHECK(p.t1 == 0 && p.t2 == 2);
	/* The semi-malicious rule t1 = floor((t1_corrupt + k) / 2). */
	UNIT_CHECK(sa_graph_params_check(1000, 398, 223, 0.05, 0.33, SM, &p) == SA_OK);
	UNIT_CHECK_EQ_U64(p.t1, (p.t1_corrupt + 398) / 2);
	UNIT_CHECK(sa_graph_params_check(1000, 398, 30, 0.05, 0.33, HBC, &p) == SA_ERR_PARAM);
	UNIT_CHECK_EQ_U64(p.t1, p.t1_corrupt);
	/* Odd k is refused below n-1 only; k = n-1 is the complete graph. */
	expect_rule(1001, 999, 600, 0.05, 0.05, HBC, SA_GRAPH_RULE_K_ODD);
	expect_rule(1000, 1, 2, 0.0, 0.0, HBC, SA_GRAPH_RULE_K_ODD);
	expect_rule(2, 1, 2, 0.0, 0.0, HBC, SA_GRAPH_RULE_OK);
	expect_rule(2, 2, 2, 0.0, 0.0, HBC, SA_GRAPH_RULE_K_RANGE);

	/* The complete graph's rules: t in (max(t1, n/2), ceil((1-delta) n)]. */
	UNIT_CHECK(sa_graph_params_check(1000, 999, 700, 0.05, 0.30, HBC, &p) == SA_OK);
	UNIT_CHECK(p.complete && p.t1 == 500 && p.t2 == 700 && p.t1_corrupt == 50);
	UNIT_CHECK(isinf(p.log2_disconnect));
	expect_rule(1000, 999, 501, 0.05, 0.30, HBC, SA_GRAPH_RULE_OK);
	expect_rule(1000, 999, 500, 0.05, 0.30, HBC, SA_GRAPH_RULE_T_SMALL);
	expect_rule(1000, 999, 701, 0.05, 0.30, HBC, SA_GRAPH_RULE_T_LARGE);
	UNIT_CHECK(sa_graph_params_check(1000, 999, 700, 0.20, 0.30, SM, &p) == SA_OK);
	UNIT_CHECK(p.t1 == 600);
	expect_rule(1000, 999, 600, 0.20, 0.30, SM, SA_GRAPH_RULE_T_SMALL);
	expect_rule(1000, 999, 601, 0.20, 0.30, SM, SA_GRAPH_RULE_OK);
	/* honest-but-curious, corrupt above n/2: t1 = floor(gamma n) = 600 */
	expect_rule(1000, 999, 600, 0.60, 0.0, HBC, SA_GRAPH_RULE_T_SMALL);
	expect_rule(1000, 999, 601, 0.60, 0.0, HBC, SA_GRAPH_RULE_OK);
	/* The finder's complete-graph answers pass the checker. */
	UNIT_CHECK(find(20, 0.30, 0.30, SM, &p) == SA_OK && p.complete);
	expect_rule(20, p.k, p.t, 0.30, 0.30, SM, SA_GRAPH_RULE_OK);
	expect_rule(20, p.k, p.t + 1, 0.30, 0.30, SM, SA_GRAPH_RULE_T_LARGE);
}

/* ------------------------------------------------------------------ */
/* Hypergeometric numerics against exact sums.                         */

static uint64_t binom_tab[61][61];

static void
binom_init(void)
{
	for (int a = 0; a <= 60; a++) {
		binom_tab[a][0] = 1;
		for (int b = 1; b <= a; b++)
			binom_tab[a][b] = binom_tab[a - 1][b - 1] + (b <= a - 1 ? binom_tab[a - 1][b] : 0);
	}
}

/* P(X > x), summed exactly in long double from exact binomials. */
static long double
brute_sf(int N, int K, int m, int x)
{
	long double s = 0;
	for (int j = x + 1; j <= m && j <= K; j++) {
		if (m - j > N - K || j < 0)
			continue;
		s += (long double) binom_tab[K][j] * (long double) binom_tab[N - K][m - j];
	}
	return s / (long double) binom_tab[N][m];
}

static void
test_hypergeom_exact(void)
{
	binom_init();
	static const double log_qs[] = { -0.01, -0.7, -3.0, -10.0, -25.0, -37.0 };
	int bad = 0;
	for (int N = 1; N <= 60 && bad < 5; N += (N < 12 ? 1 : 7)) {
		for (int K = 0; K <= N; K += (N < 12 ? 1 : 5)) {
			for (int m = 0; m <= N; m += (N < 12 ? 1 : 4)) {
				int lo = m > N - K ? m - (N - K) : 0, hi = m < K ? m : K;
				for (int x = lo - 2; x <= hi + 1; x++) {
					long double e = brute_sf(N, K, m, x);
					double got = sa_hypergeom_log_sf(N, K, m, x);
					double want = e > 0 ? (double) logl(e) : -INFINITY;
					int ok = (want == -INFINITY) ? (got == -INFINITY)
					         : fabs(got - want) <= 1e-9 * (1.0 + fabs(want));
					if (!ok && bad++ < 5)
						fprintf(stderr, "  log_sf(%d,%d,%d,%d) = %.15g, want %.15g\n", N, K, m, x, got, want);
				}
				for (size_t q = 0; q < sizeof log_qs / sizeof log_qs[0]; q++) {
					int want = lo;
					while (want < hi && !(logl(brute_sf(N, K, m, want)) < log_qs[q]))
						want++;
					const int64_t hints[] = { -5, lo, (lo + hi) / 2, hi, hi + 7, 1000000000 };
					for (size_t h = 0; h < sizeof hints / sizeof hints[0]; h++) {
						uint32_t got = sa_hypergeom_upper_quantile(N, K, m, log_qs[q], hints[h]);
						if (got != (uint32_t) want && bad++ < 5)
							fprintf(stderr, "  quantile(%d,%d,%d,%g,hint %lld) = %u, want %d\n", N, K, m,
							        log_qs[q], (long long) hints[h], got, want);
					}
				}
			}
		}
	}
	UNIT_CHECK(bad == 0);
	/* Bad arguments. */
	UNIT_CHECK(isnan(sa_hypergeom_log_sf(10, 11, 3, 1)));
	UNIT_CHECK(isnan(sa_hypergeom_log_sf(10, 3, 11, 1)));
	UNIT_CHECK(!isnan(sa_hypergeom_log_sf(10, 10, 10, 1)));
	UNIT_CHECK_EQ_U64(sa_hypergeom_upper_quantile(10, 11, 3, -1.0, 0), 0);
	UNIT_CHECK_EQ_U64(sa_hypergeom_upper_quantile(10, 3, 11, -1.0, 0), 0);
	UNIT_CHECK_EQ_U64(sa_hypergeom_upper_quantile(10, 10, 10, -1.0, 0), 10);
}

/* Large populations: far tails (no underflow) and sums through the whole bulk. */
static void
test_hypergeom_large(void)
{
	/* P(X > m-1) = P(X = m) = prod (K-i)/(N-i). */
	double direct = 0;
	for (int i = 0; i < 50; i++)
		direct += log((300000.0 - i) / (1000000.0 - i));
	double got = sa_hypergeom_log_sf(1000000, 300000, 50, 49);
	UNIT_CHECK(fabs(got - direct) < 1e-8 * fabs(direct));
	/* A tail of about e^-1300: no underflow. */
	direct = 0;
	for (int i = 0; i < 2000; i++)
		direct += log((300000.0 - i) / (1000000.0 - i));
	got = sa_hypergeom_log_sf(1000000, 300000, 2000, 1999);
	UNIT_CHECK(direct < -2000 && fabs(got - direct) < 1e-8 * fabs(direct));
	/*
	 * From far below the mode (P(X = 1) ~ e^-100000): the sum is rescaled,
	 * P(X > 0) ~ 1 (lgamma near 10^6 is good to ~1e-9 absolute). Five
	 * standard deviations below the mean: P(X <= 99000) ~ 2.9e-7.
	 */
	got = sa_hypergeom_log_sf(1000000, 500000, 200000, 0);
	UNIT_CHECK(fabs(got) < 1e-7);
	got = sa_hypergeom_log_sf(1000000, 500000, 200000, 99000);
	UNIT_CHECK(got < -2.5e-7 && got > -3.3e-7);
	/* The median: P(X > 100000) close to 1/2 by symmetry (K = N/2). */
	got = sa_hypergeom_log_sf(1000000, 500000, 200000, 100000);
	UNIT_CHECK(fabs(exp(got) - 0.5) < 0.01);
	/* Quantiles from any hint agree, and match the tail on both sides. */
	double lq = -41 * log(2.0) - log(1e6);
	uint32_t q = sa_hypergeom_upper_quantile(1000000, 300000, 11136, lq, 0);
	UNIT_CHECK(q == sa_hypergeom_upper_quantile(1000000, 300000, 11136, lq, 11136));
	UNIT_CHECK(q == sa_hypergeom_upper_quantile(1000000, 300000, 11136, lq, q));
	UNIT_CHECK(q == sa_hypergeom_upper_quantile(1000000, 300000, 11136, lq, q - 1));
	UNIT_CHECK(sa_hypergeom_log_sf(1000000, 300000, 11136, q) < lq);
	UNIT_CHECK(sa_hypergeom_log_sf(1000000, 300000, 11136, q - 1) >= lq);
	printf("# quantile n=1e6 K=3e5 m=11136: %u (mean 3340.8)\n", q);
}

/* The long search polls the host's interrupt check. */
static int armed;
static long polls;

static bool
interrupt_check(void)
{
	polls++;
	return armed != 0;
}

static void
test_interrupt(void)
{
	sa_graph_params p;
	sa_set_interrupt_check(interrupt_check);
	armed = 1;
	polls = 0;
	/* b >= n: no degree is ever connected enough, the search runs to n-1. */
	UNIT_CHECK(find(1000000, 0.6, 0.6, HBC, &p) == SA_ERR_INTERRUPTED);
	UNIT_CHECK(polls == 1);
	UNIT_CHECK(p.k == 0 && p.t == 0);
	armed = 0;
	polls = 0;
	double t0 = now_ms();
	UNIT_CHECK(find(1000000, 0.6, 0.6, HBC, &p) == SA_ERR_PARAM);
	printf("# infeasible search to k = n-1 at n = 1e6: %.1f ms, %ld polls\n", now_ms() - t0, polls);
	UNIT_CHECK(p.rule == SA_GRAPH_RULE_INFEASIBLE);
	UNIT_CHECK(polls == (1000000 - 2) / 1024);
	sa_set_interrupt_check(NULL);
}

int
main(void)
{
	UNIT_RUN(test_fcp_table);
	UNIT_RUN(test_cost_table);
	UNIT_RUN(test_fcp_more_rows);
	UNIT_RUN(test_timing);
	UNIT_RUN(test_invalid_inputs);
	UNIT_RUN(test_user_counts);
	UNIT_RUN(test_complete_graph);
	UNIT_RUN(test_complete_graph_crossover);
	UNIT_RUN(test_check_rows);
	UNIT_RUN(test_check_rules);
	UNIT_RUN(test_hypergeom_exact);
	UNIT_RUN(test_hypergeom_large);
	UNIT_RUN(test_interrupt);
	return UNIT_DONE();
}
