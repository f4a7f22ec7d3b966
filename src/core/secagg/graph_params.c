/*
 * graph_params.c: SecAgg+ degree and threshold (graph_params.h), a
 * restatement of federated-compute's (fcp's)
 * graph_parameter_finder.cc and distribution_utilities.cc.
 *
 * The rules and the degree they pick are fcp's; how the numbers are
 * computed is not:
 *   - hypergeometric tails are summed relative to their first term (whose
 *     ln comes from lgamma), so nothing underflows however far out the tail
 *     starts (fcp's linear-space sums do underflow for degrees of several
 *     hundred thousand and then report t1 = 0; only for inputs its
 *     parameter checks refuse, e.g. gamma + 2 delta > 0.9);
 *   - each quantile search starts from a point at or above the answer
 *     (Hoeffding's inequality, or the previous degree's answer) and walks
 *     down, instead of up from a lower bound;
 *   - degrees that provably fail t1 < t2 are skipped (next_candidate).
 * The complete-graph fallback's threshold is this project's choice
 * (complete_bounds).
 */
#include "secagg/graph_params.h"

#include <math.h>
#include <string.h>

#include "common/interrupt.h"

#define LN2 0.693147180559945309417232309

/*
 * fcp's kSmall: floor((gamma + 1e-14) n) and ceil((1 - delta - 1e-14) n),
 * so that a product such as 0.29 * 100 = 28.999999999999996 counts the 29
 * users the caller meant rather than 28 (and likewise for survivors).
 */
#define RATE_SLACK 1e-14

/* A tail sum stops once what is left is below this fraction of it. */
#define TAIL_EPS 1e-17

/* Tail sums that start below the mode are rescaled by 2^-600 as they grow. */
#define RESCALE 0x1p600
#define LOG_RESCALE (600.0 * LN2)

/* The finder polls the host's interrupt check every this many degrees. */
#define INTERRUPT_EVERY 1024u

/* ---------------------------------------------------------------------
 * Hypergeometric distribution: X = marked items among m drawn without
 * replacement from N, K of them marked. Support [lo, hi].
 * --------------------------------------------------------------------- */

typedef struct hg {
	double N, K, m;
	int64_t lo, hi;
	double log_norm;        /* ln C(N, m) */
} hg;

/* ln C(a, b) for 0 <= b <= a. */
static double
log_choose(double a, double b)
{
	return lgamma(a + 1.0) - lgamma(b + 1.0) - lgamma(a - b + 1.0);
}

static void
hg_init(hg *h, uint32_t N, uint32_t K, uint32_t m)
{
	h->N = N;
	h->K = K;
	h->m = m;
	h->lo = m > N - K ? (int64_t) m - (int64_t) (N - K) : 0;
	h->hi = m < K ? m : K;
	h->log_norm = log_choose(N, m);
}

/* ln P(X = x) for lo <= x <= hi. */
static double
hg_log_pmf(const hg *h, int64_t x)
{
	double xd = (double) x;
	return log_choose(h->K, xd) + log_choose(h->N - h->K, h->m - xd) - h->log_norm;
}

/* P(X = x + 1) / P(X = x) for lo <= x < hi; non-increasing in x (log-concave pmf). */
static double
hg_ratio(const hg *h, int64_t x)
{
	double xd = (double) x;
	return ((h->K - xd) * (h->m - xd)) / ((xd + 1.0) * (h->N - h->K - h->m + xd + 1.0));
}

/*
 * ln P(X > x). The terms P(X = j), j > x, are summed relative to the first
 * one; once the ratio r of consecutive terms is below 1 the rest of the sum
 * is at most term * r / (1 - r) (the ratios only decrease), and the sum
 * stops when that is below TAIL_EPS of what has been summed.
 */
static double
hg_log_sf(const hg *h, int64_t x)
{
	if (x >= h->hi)
		return -INFINITY;
	if (x < h->lo)
		return 0.0;
	int64_t j = x + 1;
	double log_first = hg_log_pmf(h, j);
	double term = 1.0, sum = 1.0;
	for (; j < h->hi; j++) {
		double r = hg_ratio(h, j);
		term *= r;
		sum += term;
		if (r < 1.0 && term * r < TAIL_EPS * (1.0 - r) * sum)
			break;
		if (sum > RESCALE) {            /* started below the mode: keep it finite */
			term /= RESCALE;
			sum /= RESCALE;
			log_first += LOG_RESCALE;
		}
	}
	return log_first + log(sum);
}

/* ln(e^a + e^b) for b finite (a may be -INFINITY: exp(-inf) = 0). */
static double
log_add(double a, double b)
{
	return a > b ? a + log1p(exp(b - a)) : b + log1p(exp(a - b));
}

/*
 * The least x in [lo, hi] with P(X > x) < q = e^log_q (log_q < 0). From
 * the hint (clamped into the support) it first moves up, doubling its step,
 * while the tail there is still >= q (only when the hint was too low), then
 * walks down adding one term at a time: P(X > x - 1) = P(X > x) + P(X = x).
 */
static int64_t
hg_upper_quantile(const hg *h, double log_q, int64_t hint)
{
	int64_t x = hint < h->lo ? h->lo : hint > h->hi ? h->hi : hint;
	double lt = hg_log_sf(h, x);
	for (int64_t step = 1; !(lt < log_q) && x < h->hi; step *= 2) {
		x = x + step > h->hi ? h->hi : x + step;
		lt = hg_log_sf(h, x);
	}
	double lp = hg_log_pmf(h, x);
	while (x > h->lo) {
		double below = log_add(lt, lp);
		if (!(below < log_q))
			break;
		lt = below;
		x--;
		lp -= log(hg_ratio(h, x));
	}
	return x;
}

/*
 * Hoeffding's bound for sampling without replacement: P(X >= m K/N + m e)
 * <= exp(-2 m e^2). With e = sqrt(-log_q / (2m)) the returned point has
 * P(X > point) <= q, so it lies at or above the quantile.
 */
static int64_t
hg_hoeffding_start(const hg *h, double log_q)
{
	return (int64_t) ceil(h->m * h->K / h->N + sqrt(-log_q * h->m / 2.0));
}

double
sa_hypergeom_log_sf(uint32_t N, uint32_t K, uint32_t m, int64_t x)
{
	if (K > N || m > N)
		return NAN;
	hg h;
	hg_init(&h, N, K, m);
	return hg_log_sf(&h, x);
}

uint32_t
sa_hypergeom_upper_quantile(uint32_t N, uint32_t K, uint32_t m, double log_q, int64_t hint)
{
	if (K > N || m > N)
		return 0;
	hg h;
	hg_init(&h, N, K, m);
	return (uint32_t) hg_upper_quantile(&h, log_q, hint);
}

/* ---------------------------------------------------------------------
 * The finder's rules.
 * --------------------------------------------------------------------- */

typedef struct finder {
	uint32_t n;
	uint32_t c;             /* floor(gamma n): corrupt users */
	uint32_t d;             /* floor(delta n): users that may drop */
	uint32_t s;             /* ceil((1 - delta) n): users that survive */
	sa_graph_model model;
	double log_q1;          /* ln(2^-sigma / n) */
	double log_q2;          /* ln(2^-eta / n) */
} finder;

/* Validates the inputs, derives the user counts and fills the common fields of out. */
static sa_status
finder_init(finder *f, uint32_t n, double corrupt, double dropout, sa_graph_model model,
            sa_graph_params *out)
{
	memset(out, 0, sizeof *out);
	out->n = n;
	out->sigma = SA_GRAPH_SIGMA;
	out->eta = SA_GRAPH_ETA;
	out->log2_disconnect = NAN;
	out->rule = SA_GRAPH_RULE_INPUT;
	if (n < 2)
		return SA_ERR_PARAM;
	if (!(corrupt >= 0.0 && corrupt < 1.0))     /* NaN fails too */
		return SA_ERR_PARAM;
	if (!(dropout >= 0.0 && dropout < 1.0))
		return SA_ERR_PARAM;
	if (model != SA_GRAPH_HONEST_BUT_CURIOUS && model != SA_GRAPH_SEMI_MALICIOUS)
		return SA_ERR_PARAM;
	if (n > SA_GRAPH_MAX_USERS)
		return SA_ERR_LIMIT;
	f->n = n;
	f->c = (uint32_t) floor((corrupt + RATE_SLACK) * n);
	f->d = (uint32_t) floor((dropout + RATE_SLACK) * n);
	f->s = (uint32_t) ceil((1.0 - dropout - RATE_SLACK) * n);
	f->model = model;
	f->log_q1 = -SA_GRAPH_SIGMA * LN2 - log((double) n);
	f->log_q2 = -SA_GRAPH_ETA * LN2 - log((double) n);
	out->corrupt_users = f->c;
	out->dropout_users = f->d;
	out->survivors = f->s;
	out->rule = SA_GRAPH_RULE_OK;
	return SA_OK;
}

/*
 * Rule 1, fcp's union bound on the honest survivors' subgraph being
 * disconnected: cutting the ring needs k/2 consecutive bad users (corrupt
 * or dropped, at most b) in two places; there are n (n - k - 1) / 2 such
 * pairs of gaps and each is all bad with probability at most
 * C(b, k) / C(n, k). Returns the natural log of the bound; -INFINITY when
 * k > b (there are not enough bad users to cut it).
 */
static double
log_disconnect(uint32_t n, uint32_t b, uint32_t k)
{
	if (k > b)
		return -INFINITY;
	double nd = n, bd = b, kd = k;
	return log(nd) + log(nd - kd - 1.0) - LN2
	     + lgamma(bd + 1.0) + lgamma(nd - kd + 1.0) - lgamma(nd + 1.0) - lgamma(bd - kd + 1.0);
}

static bool
connected_enough(double log_bound)
{
	return log_bound < -SA_GRAPH_SIGMA * LN2;
}

/* Last quantiles computed, a starting point for the next degree's search. */
typedef struct hints {
	bool valid;
	uint32_t k;
	int64_t corrupt_q;      /* the t1 quantile at degree k */
	int64_t dropped_q;      /* the dropped-neighbour quantile at degree k */
} hints;

/*
 * Rules 2 to 4 for an even degree k < n - 1:
 *   t1_raw = least x with P(corrupt neighbours > x) < 2^-sigma / n;
 *   t2     = least x with P(surviving neighbours <= x) >= 2^-eta / n,
 *            computed as k - y with y the least y such that
 *            P(dropped neighbours > y) < 2^-eta / n;
 *   t1     = t1_raw, or for a semi-malicious server
 *            ceil((t1_raw + k - 1.25) / 2), which for integers is
 *            floor((t1_raw + k) / 2).
 * Drawing two more neighbours adds at most two of either kind, so the
 * quantiles at k are at most those at a smaller k' plus k - k': with the
 * Hoeffding start, an upper bound the search walks down from.
 */
static void
sparse_bounds(const finder *f, uint32_t k, hints *hs, uint32_t *t1_raw, uint32_t *t1, uint32_t *t2)
{
	hg corrupt, dropped;
	hg_init(&corrupt, f->n, f->c, k);
	hg_init(&dropped, f->n, f->n - f->s, k);
	int64_t start_c = hg_hoeffding_start(&corrupt, f->log_q1);
	int64_t start_d = hg_hoeffding_start(&dropped, f->log_q2);
	if (hs != NULL && hs->valid) {
		int64_t grow = (int64_t) k - (int64_t) hs->k;
		if (hs->corrupt_q + grow < start_c)
			start_c = hs->corrupt_q + grow;
		if (hs->dropped_q + grow < start_d)
			start_d = hs->dropped_q + grow;
	}
	int64_t qc = hg_upper_quantile(&corrupt, f->log_q1, start_c);
	int64_t qd = hg_upper_quantile(&dropped, f->log_q2, start_d);
	if (hs != NULL) {
		hs->valid = true;
		hs->k = k;
		hs->corrupt_q = qc;
		hs->dropped_q = qd;
	}
	*t1_raw = (uint32_t) qc;
	*t1 = f->model == SA_GRAPH_SEMI_MALICIOUS ? (uint32_t) ((qc + k) / 2) : (uint32_t) qc;
	*t2 = (uint32_t) (k - qd);
}

/*
 * The complete graph (k = n - 1), the finder's fallback.
 *
 * fcp has no fixed size below which it uses the complete graph: the
 * "e.g. < 65" is a comment in SecAggServer::Create (secagg_server.cc),
 * which runs full-graph SecAgg exactly when ComputeHararyGraphParameters
 * finds no even k < n - 1, with threshold
 * max(minimum_number_of_clients_to_proceed, ceil((1 - delta) n)) vetted by
 * CheckFullGraphParameters. The same holds here: complete graph if and only
 * if the search finds nothing.
 *
 * Every user holds a share of every secret, so the counts are exact rather
 * than drawn:
 *   t2 = ceil((1 - delta) n), the users that survive: a larger t could not
 *        be reached;
 *   t1 = floor(gamma n) for an honest-but-curious server (the corrupt
 *        users' shares alone stay below t), floor((n + floor(gamma n)) / 2)
 *        for a semi-malicious one (t > (n + n_C) / 2, Bonawitz et al. 2017:
 *        a server announcing different dropout sets to different users still
 *        cannot collect t shares of both secrets of one user);
 *   and t1 >= floor(n / 2): this project's complete-graph rule t > n / 2
 *        (sa_check_threshold), which for n >= 2 also gives t >= 2.
 * The threshold chosen is t2, as in fcp: the session then needs exactly the
 * survivors that delta promises, tolerates every dropout it allows, and has
 * the widest margin above t1 (no reconstruction cost argues for a smaller t
 * here, unlike the sparse graph's t1 + 1). fcp's CheckFullGraphParameters
 * asks t > ceil(gamma n), resp. t > ceil((n + gamma n) / 2): the same
 * rules, but one stricter when gamma n is not an integer, resp. when
 * n + floor(gamma n) is odd (at most floor(gamma n) users are corrupt, and
 * the server gets both secrets of a user only if 2t <= n + n_C).
 */
static void
complete_bounds(const finder *f, uint32_t *t1, uint32_t *t2)
{
	uint32_t lower = f->model == SA_GRAPH_SEMI_MALICIOUS ? (f->n + f->c) / 2 : f->c;
	if (lower < f->n / 2)
		lower = f->n / 2;
	*t1 = lower;
	*t2 = f->s;
}

/*
 * After an even degree k failed rule 5 (t1 >= t2), the next degree that
 * can pass it. Two more neighbours never lower the corrupt-neighbour
 * quantile and raise t2 by at most 2 (see sparse_bounds), so with
 * gap = t1 - t2 at k, after j more steps of 2:
 *   honest-but-curious: t1 stays >= t1(k), t2 <= t2(k) + 2j: needs 2j > gap;
 *   semi-malicious: t1 = floor((t1_raw + k) / 2) grows by >= j: needs j > gap.
 * Every degree skipped fails rule 5 whatever the other rules say, so the
 * first degree that passes them all is still the one returned; this only
 * saves time where t1 and t2 close slowly (gamma + delta near 1).
 */
static uint32_t
next_candidate(uint32_t k, uint32_t t1, uint32_t t2, sa_graph_model model)
{
	uint32_t gap = t1 - t2;
	uint32_t steps = model == SA_GRAPH_SEMI_MALICIOUS ? gap + 1 : gap / 2 + 1;
	return k + 2 * steps;
}

sa_status
sa_graph_params_find(const sa_graph_params_in *in, sa_graph_params *out)
{
	finder f;
	sa_status st = finder_init(&f, in->n, in->corrupt, in->dropout, in->model, out);
	if (st != SA_OK)
		return st;
	hints hs = { 0 };
	uint32_t next = 2;
	for (uint32_t k = 2; k < f.n - 1; k += 2) {
		if (k % INTERRUPT_EVERY == 0 && sa_interrupted())
			return SA_ERR_INTERRUPTED;
		if (k < next)
			continue;
		double ld = log_disconnect(f.n, f.c + f.d, k);
		if (!connected_enough(ld))
			continue;
		uint32_t t1_raw, t1, t2;
		sparse_bounds(&f, k, &hs, &t1_raw, &t1, &t2);
		if (t1 < t2) {
			out->k = k;
			out->t = t1 + 1 < 2 ? 2 : t1 + 1;
			out->log2_disconnect = ld / LN2;
			out->t1_corrupt = t1_raw;
			out->t1 = t1;
			out->t2 = t2;
			return SA_OK;
		}
		next = next_candidate(k, t1, t2, f.model);
	}
	/* No sparse graph: the complete graph, if it meets the rules. */
	uint32_t t1, t2;
	complete_bounds(&f, &t1, &t2);
	out->log2_disconnect = -INFINITY;
	out->t1_corrupt = f.c;
	out->t1 = t1;
	out->t2 = t2;
	if (t1 < t2) {
		out->k = f.n - 1;
		out->t = t2;
		out->complete = true;
		return SA_OK;
	}
	out->rule = SA_GRAPH_RULE_INFEASIBLE;
	return SA_ERR_PARAM;
}

/*
 * The largest t the rules allow. Normally t2; but rule 5 (t = max(t1 + 1, 2)
 * once t1 < t2) answers t = 2 when t1 = 0 and t2 = 1, as fcp does (its
 * test table has such rows, e.g. n = 10, gamma = 0, delta = 0.33: k = 4,
 * t = 2), so the checker accepts that t too.
 */
static uint32_t
upper_bound(uint32_t t1, uint32_t t2)
{
	return t1 < t2 && t2 < 2 ? 2 : t2;
}

static sa_status
refuse(sa_graph_params *out, sa_graph_rule rule)
{
	out->rule = rule;
	return SA_ERR_PARAM;
}

sa_status
sa_graph_params_check(uint32_t n, uint32_t k, uint32_t t, double corrupt, double dropout,
                      sa_graph_model model, sa_graph_params *out)
{
	finder f;
	sa_status st = finder_init(&f, n, corrupt, dropout, model, out);
	if (st != SA_OK)
		return st;
	out->k = k;
	out->t = t;
	if (k < 1 || k >= n)
		return refuse(out, SA_GRAPH_RULE_K_RANGE);
	if (k == n - 1) {
		out->complete = true;
		out->log2_disconnect = -INFINITY;
		out->t1_corrupt = f.c;
		complete_bounds(&f, &out->t1, &out->t2);
	} else {
		if (k % 2 != 0)
			return refuse(out, SA_GRAPH_RULE_K_ODD);
		double ld = log_disconnect(n, f.c + f.d, k);
		out->log2_disconnect = ld / LN2;
		if (!connected_enough(ld))
			return refuse(out, SA_GRAPH_RULE_CONNECTIVITY);
		sparse_bounds(&f, k, NULL, &out->t1_corrupt, &out->t1, &out->t2);
	}
	if (t <= out->t1 || t < 2)
		return refuse(out, SA_GRAPH_RULE_T_SMALL);
	if (t > upper_bound(out->t1, out->t2))
		return refuse(out, SA_GRAPH_RULE_T_LARGE);
	return SA_OK;
}
