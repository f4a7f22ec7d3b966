/*
 * pine_dp.c: central differential privacy for PINE aggregate shares, in the
 * style of Janus's DP strategies: an Aggregator adds independent noise from
 * an exact discrete Gaussian or discrete Laplace sampler (dp_sampler.c) to
 * each coordinate of its aggregate share, in the field (mod p), before it
 * releases the share to the Collector.
 *
 * Sensitivity (add/remove one report): the sum of the encoded gradients
 * changes by one encoded gradient g, an integer vector with ||g||_2 <= B,
 * B = l2_norm_bound (the fixed-point integer). So Delta_2 = B, and
 * Delta_1 = ||g||_1 <= min(sqrt(d) B, B^2) (|x| <= x^2 for integers).
 */
#include <math.h>
#include <string.h>

#include "pine/dp_sampler.h"
#include "pine/pine_internal.h"
#include "pine/pine_testing.h"

#define FAIL(code, msg)                                                       \
	do {                                                                      \
		pine_set_why(why, msg);                                               \
		return (code);                                                        \
	} while (0)

/* Rounding margin: every scale derived in double is raised by 2^-40 so
 * that rounding never gives less noise than the formula asks for. */
#define DP_ROUND_UP (1.0 + 0x1p-40)

static double
field_p(const pine_params *P)
{
	return (double) pine_field_modulus(P->field);
}

static pine_status
check_scale(const pine_params *P, double scale, const char **why)
{
	if (!isfinite(scale) || !(scale > 0.0))
		FAIL(PINE_ERR_PARAM, "the noise scale must be a positive finite number");
	/* noise beyond 64 scales has probability below e^-64 (Laplace) and
	 * e^-2048 (Gaussian); keep that far from wrapping around p/2 */
	if (!(128.0 * scale < field_p(P) / 2.0))
		FAIL(PINE_ERR_PARAM, "the noise scale is too large for the field (128 * scale must stay below p / 2)");
	return PINE_OK;
}

/* floor(sqrt(n)) */
static pine_u128
isqrt_u128(pine_u128 n)
{
	pine_u128 x = (pine_u128) sqrtl((long double) n);
	/* correct the floating estimate to the exact floor */
	while (x > 0 && x > n / x)
		x--;
	while (x + 1 <= n / (x + 1))
		x++;
	return x;
}

/* u128 to double, rounded up. */
static double
u128_up(pine_u128 v)
{
	double x = (double) v;
	if (x < 0x1p128 && (pine_u128) x < v)
		x = nextafter(x, INFINITY);
	return x;
}

/* Delta_1 = max ||g||_1 over integer vectors g of dimension d with
 * ||g||_2 <= B: at most floor(sqrt(d B^2)) (Cauchy-Schwarz; an integer) and
 * at most B^2 (|x| <= x^2 for integers). Exact where d B^2 fits 128 bits. */
static double
l1_sensitivity(const pine_params *P)
{
	pine_u128 B = P->cfg.l2_norm_bound, b2 = B * B; /* B^2 < p: no overflow */
	pine_u128 d = P->dimension, l1;
	if (b2 <= ~(pine_u128) 0 / d)
		l1 = isqrt_u128(d * b2);
	else
		return fmin(ceil(sqrt((double) d) * (double) B * (1.0 + 0x1p-50)), u128_up(b2));
	return u128_up(l1 < b2 ? l1 : b2);
}

pine_status
pine_dp_scale(const pine_params *P, pine_dp_mechanism mech, double epsilon,
              double delta, double *scale, const char **why)
{
	double B, s;

	if (P == NULL || scale == NULL)
		FAIL(PINE_ERR_PARAM, "NULL argument");
	if (!isfinite(epsilon) || !(epsilon > 0.0))
		FAIL(PINE_ERR_PARAM, "epsilon must be a positive finite number");
	if (!(delta >= 0.0 && delta < 1.0))
		FAIL(PINE_ERR_PARAM, "delta must be in (0, 1) (or absent)");
	B = (double) P->cfg.l2_norm_bound;
	switch (mech) {
	case PINE_DP_DISCRETE_GAUSSIAN:
		if (delta == 0.0) {
			/* rho-zCDP with rho = epsilon^2 / 2 (Janus's ZCdpDiscreteGaussian):
			 * rho = Delta_2^2 / (2 sigma^2) gives sigma = Delta_2 / epsilon */
			s = B / epsilon;
		} else {
			/* (epsilon, delta)-DP through rho-zCDP: rho + 2 sqrt(rho ln(1/delta))
			 * = epsilon, i.e. rho = (sqrt(epsilon + L) - sqrt(L))^2, L = ln(1/delta) */
			double L = -log(delta);
			double r = sqrt(epsilon + L) - sqrt(L);
			s = B / (sqrt(2.0) * r);
		}
		break;
	case PINE_DP_DISCRETE_LAPLACE:
		if (delta != 0.0)
			FAIL(PINE_ERR_PARAM, "the discrete Laplace mechanism is pure epsilon-DP: no delta");
		s = l1_sensitivity(P) / epsilon;
		break;
	default:
		FAIL(PINE_ERR_PARAM, "unknown DP mechanism");
	}
	s *= DP_ROUND_UP;
	pine_status st = check_scale(P, s, why);
	if (st != PINE_OK)
		return st;
	*scale = s;
	return PINE_OK;
}

/* v + (neg ? -m : m) mod p, for v < p, m < p. */
static pine_u128
add_signed(pine_u128 v, int neg, pine_u128 m, pine_u128 p)
{
	if (m == 0)
		return v;
	if (neg)
		return v >= m ? v - m : v + (p - m);
	return v >= p - m ? v - (p - m) : v + m;
}

pine_status
pine_dp_add_noise_rng(const pine_params *P, pine_dp_mechanism mech, double scale,
                      uint8_t *agg_share, size_t len, const dp_rng *rng,
                      const char **why)
{
	dp_sampler *s = NULL;
	dp_status ds;
	pine_status st;
	size_t E, d;
	pine_u128 p;

	if (P == NULL || agg_share == NULL || rng == NULL)
		FAIL(PINE_ERR_PARAM, "NULL argument");
	if ((st = check_scale(P, scale, why)) != PINE_OK)
		return st;
	if (len != P->agg_share_len)
		FAIL(PINE_ERR_MALFORMED, "aggregate share has the wrong length");
	E = P->elem_size, d = P->dimension, p = pine_field_modulus(P->field);
	if (pine_vec_check_encoded(P->field, agg_share, d) != PINE_OK)
		FAIL(PINE_ERR_NONCANONICAL, "aggregate share has a non-canonical element");
	switch (mech) {
	case PINE_DP_DISCRETE_GAUSSIAN: ds = dp_sampler_gaussian(&s, scale); break;
	case PINE_DP_DISCRETE_LAPLACE: ds = dp_sampler_laplace(&s, scale); break;
	default: FAIL(PINE_ERR_PARAM, "unknown DP mechanism");
	}
	if (ds != DP_OK)
		FAIL(ds == DP_ERR_NOMEM ? PINE_ERR_NOMEM : PINE_ERR_PARAM, "cannot set up the noise sampler");
	for (size_t i = 0; i < d; i++) {
		uint8_t *b = agg_share + i * E;
		pine_u128 v = 0, m;
		int neg;
		if ((ds = dp_sample(s, rng, &neg, &m)) != DP_OK) {
			dp_sampler_free(s);
			FAIL(ds == DP_ERR_NOMEM ? PINE_ERR_NOMEM : PINE_ERR_INTERNAL, "noise sampling failed");
		}
		for (size_t k = E; k-- > 0;)
			v = (v << 8) | b[k];
		v = add_signed(v, neg, m % p, p);
		for (size_t k = 0; k < E; k++, v >>= 8)
			b[k] = (uint8_t) v;
	}
	dp_sampler_free(s);
	return PINE_OK;
}

pine_status
pine_dp_add_noise(const pine_params *P, pine_dp_mechanism mech, double scale,
                  uint8_t *agg_share, size_t len, const char **why)
{
	dp_rng rng = dp_rng_system();
	return pine_dp_add_noise_rng(P, mech, scale, agg_share, len, &rng, why);
}
