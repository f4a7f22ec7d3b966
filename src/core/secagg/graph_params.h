/*
 * graph_params.h: the degree k and threshold t of SecAgg+ (Bell, Bonawitz,
 * Gascon, Lepoint, Raykova, CCS 2020), chosen as federated-compute's parameter
 * finder (fcp/secagg/server/graph_parameter_finder.cc) chooses them,
 * restated: the README's "SecAgg+ parameters" gives the rules below.
 *
 * SecAgg+ arranges the n users on a ring in a random order; each is
 * adjacent to the k/2 users on either side (k even), and shares its secrets
 * t-of-(k+1) among itself and those k neighbours. The finder takes the
 * first even k = 2, 4, ... < n-1 for which
 *   1. the honest surviving users stay connected except with probability
 *      below 2^-sigma (a union bound over pairs of gaps in the ring),
 *   2. t1 = the (1 - 2^-sigma/n) quantile of the number of corrupt
 *      neighbours (hypergeometric: k drawn from n, floor(gamma n) corrupt),
 *      raised for a semi-malicious server to floor((t1 + k) / 2),
 *   3. t2 = the 2^-eta/n quantile of the number of surviving neighbours
 *      (hypergeometric: k drawn from n, ceil((1 - delta) n) surviving),
 * satisfy t1 < t2; then t = max(t1 + 1, 2). sigma = 41, eta = 20. (Like
 * fcp, this gives t = 2 > t2 when t1 = 0 and t2 = 1.)
 *
 * When no such k exists fcp falls back to the complete graph (see
 * graph_params.c for the exact rule and for the complete graph's t).
 *
 * All arithmetic is in double precision with log-binomials from lgamma;
 * lgamma writes the global signgam, so these functions are meant for the
 * host's main thread, not for the core's worker threads (parallel.h).
 */
#ifndef SECAGG_SECAGG_GRAPH_PARAMS_H
#define SECAGG_SECAGG_GRAPH_PARAMS_H

#include <stdbool.h>
#include <stdint.h>

#include "common/status.h"

#define SA_GRAPH_SIGMA      41          /* statistical security, bits (fcp: 40 + 1 per bad event) */
#define SA_GRAPH_ETA        20          /* correctness, bits (fcp's kCorrectnessParameter) */
#define SA_GRAPH_MAX_USERS  1000000u    /* fcp's kMaxNumberOfClients */

typedef enum sa_graph_model {
	SA_GRAPH_HONEST_BUT_CURIOUS = 0,    /* fcp's CURIOUS_SERVER */
	SA_GRAPH_SEMI_MALICIOUS = 1         /* fcp's SEMI_MALICIOUS_SERVER */
} sa_graph_model;

/* Which rule decided the answer (sa_graph_params.rule). */
typedef enum sa_graph_rule {
	SA_GRAPH_RULE_OK = 0,
	SA_GRAPH_RULE_INPUT,          /* n, gamma, delta or the model is invalid */
	SA_GRAPH_RULE_K_RANGE,        /* check: k = 0 or k >= n */
	SA_GRAPH_RULE_K_ODD,          /* check: k < n-1 is odd */
	SA_GRAPH_RULE_CONNECTIVITY,   /* check: disconnection bound not below 2^-sigma */
	SA_GRAPH_RULE_T_SMALL,        /* check: t <= t1 or t < 2 */
	SA_GRAPH_RULE_T_LARGE,        /* check: t > t2 */
	SA_GRAPH_RULE_INFEASIBLE      /* find: no even k < n-1, and the complete graph fails too */
} sa_graph_rule;

typedef struct sa_graph_params_in {
	uint32_t n;                 /* users, 2 .. SA_GRAPH_MAX_USERS */
	double corrupt;             /* gamma: largest fraction of corrupt users, [0, 1) */
	double dropout;             /* delta: largest fraction of users that drop, [0, 1) */
	sa_graph_model model;
} sa_graph_params_in;

typedef struct sa_graph_params {
	uint32_t n;
	uint32_t k;                 /* neighbours per user; n-1 for the complete graph; 0 on failure */
	uint32_t t;                 /* Shamir threshold; 0 on failure */
	bool complete;              /* the complete graph was chosen (or checked) */
	sa_graph_rule rule;         /* SA_GRAPH_RULE_OK, or the rule that failed */
	uint32_t sigma;             /* SA_GRAPH_SIGMA */
	uint32_t eta;               /* SA_GRAPH_ETA */
	double log2_disconnect;     /* log2 of the disconnection bound at k; -INFINITY if k > b
	                               or complete; NAN if not computed */
	uint32_t t1_corrupt;        /* the corrupt-neighbour quantile, before the semi-malicious rule */
	uint32_t t1;                /* lower bound: t > t1 */
	uint32_t t2;                /* upper bound: t <= t2 (but see sa_graph_params_check) */
	uint32_t corrupt_users;     /* floor(gamma n) */
	uint32_t dropout_users;     /* floor(delta n); b = corrupt_users + dropout_users */
	uint32_t survivors;         /* ceil((1 - delta) n) */
} sa_graph_params;

/*
 * Finds k and t for `in`. SA_OK: out->k, out->t (and out->complete) are the
 * answer. SA_ERR_PARAM with out->rule == SA_GRAPH_RULE_INPUT: invalid
 * input (n < 2, a fraction outside [0, 1) or NaN, unknown model);
 * SA_ERR_LIMIT: n > SA_GRAPH_MAX_USERS; SA_ERR_PARAM with out->rule ==
 * SA_GRAPH_RULE_INFEASIBLE: no even k < n-1 meets the rules and the
 * complete graph does not either (out->t1, out->t2 are the complete
 * graph's bounds); SA_ERR_INTERRUPTED: the host's interrupt check fired
 * (out->k = out->t = 0). `out` is always filled.
 *
 * Unlike fcp's ComputeHararyGraphParameters, inputs are not refused for
 * gamma + delta > 0.9 (honest-but-curious) or gamma + 2 delta > 0.9
 * (semi-malicious): the rules do not list those checks; such inputs get
 * whatever degree the rules give (often a very large one) or INFEASIBLE.
 */
sa_status sa_graph_params_find(const sa_graph_params_in *in, sa_graph_params *out);

/*
 * Checks a user-chosen (k, t) against the finder's rules for that k: k in
 * [1, n), k even unless k = n-1 (the complete graph, whose rules are those
 * of the finder's fallback), the connectivity bound, t1 < t <= t2 and t >= 2
 * (t = 2 is accepted when t1 = 0 and t2 = 1: the finder's rule
 * t = max(t1 + 1, 2) gives it, as fcp's does).
 * SA_OK, or SA_ERR_PARAM with out->rule naming the first rule that fails
 * (SA_ERR_LIMIT for n > SA_GRAPH_MAX_USERS). `out` is always filled with
 * what was computed (k and t as given).
 */
sa_status sa_graph_params_check(uint32_t n, uint32_t k, uint32_t t, double corrupt, double dropout,
                                sa_graph_model model, sa_graph_params *out);

/*
 * The hypergeometric numerics the finder is built on, exposed for the unit
 * tests. X counts the marked items among m drawn without replacement from
 * N items of which K are marked (K > N or m > N: NAN, resp. 0).
 *
 * sa_hypergeom_log_sf: ln P(X > x) (-INFINITY when x >= min(m, K), 0 when
 * x is below the support).
 * sa_hypergeom_upper_quantile: the least x with P(X > x) < exp(log_q),
 * for log_q < 0; `hint` is where the search starts (any value works, one at
 * or just above the answer is fastest).
 */
double sa_hypergeom_log_sf(uint32_t N, uint32_t K, uint32_t m, int64_t x);
uint32_t sa_hypergeom_upper_quantile(uint32_t N, uint32_t K, uint32_t m, double log_q, int64_t hint);

#endif
