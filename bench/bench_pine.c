/*
 * bench_pine.c: PINE core benchmarks (plain C, links the core only).
 *
 *   bench_pine          full run: d in {1e3, 1e4, 1e5, 1e6}
 *   bench_pine quick    d in {1e3, 1e4}, fewer repetitions (a few seconds)
 *   bench_pine d N      only dimension N (and the quick fold)
 *   bench_pine pine64 N [REPS [cpu]]   only Pine64 at dimension N (REPS runs,
 *                       default 5), timed by the wall clock or with "cpu" by
 *                       the thread's CPU time; bench/bench_pine_sql.sh
 *                       interleaves it with the SQL runs
 *
 * Prints medians of repeated runs: shard per report, prep_init per report
 * for the Leader (its state in the output-share form, pine_prep_init, and
 * in the digest form, pine_prep_init_digest, as the SQL layer calls it) and
 * a Helper, for Pine64 and Pine128 (2 Aggregators, l2
 * bound 1.0 with 15 fractional bits, r = r_succ = 100, chunk lengths that
 * minimise the proof size); the aggregate fold throughput over 10,000
 * encoded output shares; and the XOF floor: TurboSHAKE128 absorb/squeeze
 * rates, the bytes each step absorbs and squeezes, the implied minimum time
 * and the ratio measured / floor.
 */
#define _POSIX_C_SOURCE 199309L

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "pine/pine.h"
#include "vdaf/turboshake.h"

/* Wall clock by default; the thread's CPU time with "cpu" (pine64 mode). */
static clockid_t bench_clock = CLOCK_MONOTONIC;

static double now(void)
{
	struct timespec ts;
	clock_gettime(bench_clock, &ts);
	return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t) n, sizeof *v, cmp_dbl);
	return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* TurboSHAKE128 rates in bytes/s (absorb, squeeze). */
static void xof_rates(double *absorb, double *squeeze)
{
	size_t n = 16u << 20;
	uint8_t *buf = malloc(n);
	double ta[5], tq[5];
	memset(buf, 0x5a, n);
	for (int i = 0; i < 5; i++) {
		vdaf_turboshake128 ts;
		double t0 = now();
		vdaf_turboshake128_init(&ts);
		vdaf_turboshake128_absorb(&ts, buf, n);
		vdaf_turboshake128_finalize(&ts, 0x01);
		double t1 = now();
		vdaf_turboshake128_squeeze(&ts, buf, n);
		double t2 = now();
		ta[i] = t1 - t0;
		tq[i] = t2 - t1;
	}
	*absorb = (double) n / median(ta, 5);
	*squeeze = (double) n / median(tq, 5);
	free(buf);
}

typedef struct {
	double absorbed, squeezed; /* bytes */
} xof_work;

/* Bytes through the XOF per step (2 Aggregators), from the parameters. */
static xof_work work_prep(const pine_params *P, int helper)
{
	xof_work w = { 0, 0 };
	double E = (double) P->elem_size;
	/* joint-rand parts: wr part over d + 2 n_sq, vf part over MEAS_LEN */
	w.absorbed = (double) (P->grad_norm_len + P->meas_len) * E;
	/* wraparound stream */
	w.squeezed = (double) P->wr_stream_len;
	if (helper) /* measurement share and proofs share expansion */
		w.squeezed += (double) (P->meas_len + P->proofs_len) * E;
	return w;
}

static xof_work work_shard(const pine_params *P)
{
	xof_work w = { 0, 0 };
	double E = (double) P->elem_size;
	/* both parts for both shares */
	w.absorbed = 2.0 * (double) (P->grad_norm_len + P->meas_len) * E;
	/* helper meas share (once), helper proofs share, prove rands, wr stream */
	w.squeezed = (double) (P->meas_len + P->proofs_len + P->prove_rands_len) * E +
	             (double) P->wr_stream_len;
	return w;
}

static double floor_s(xof_work w, double ra, double rs)
{
	return w.absorbed / ra + w.squeezed / rs;
}

static int setup(pine_params *P, pine_variant v, uint64_t d)
{
	pine_config c;
	const char *why = NULL;
	pine_config_defaults(&c, v);
	c.num_frac_bits = 15;
	c.l2_norm_bound = 1u << 15;
	c.dimension = d;
	if (pine_optimal_chunk_lengths(&c, &c.chunk_length, &c.chunk_length_norm_equality, &why) !=
	        PINE_OK ||
	    pine_params_init(P, &c, &why) != PINE_OK) {
		fprintf(stderr, "params: %s\n", why ? why : "?");
		return 0;
	}
	return 1;
}

static void bench_variant(const char *name, pine_variant v, uint64_t d, int reps, double ra,
                          double rs)
{
	pine_params P;
	if (!setup(&P, v, d))
		return;
	size_t S = 2;
	double *x = calloc(d, sizeof *x);
	uint8_t *rnd = malloc(P.rand_len), *pub = malloc(P.public_share_len);
	uint8_t *in[2] = { malloc(P.leader_input_share_len), malloc(P.helper_input_share_len) };
	uint8_t *st = malloc(P.prep_state_len > P.helper_prep_state_len ? P.prep_state_len : P.helper_prep_state_len), *ps = malloc(P.prep_share_len);
	uint8_t vk[32], nonce[16];
	double *ts = malloc((size_t) reps * sizeof *ts);
	double *tl = malloc((size_t) reps * sizeof *tl);
	double *tld = malloc((size_t) reps * sizeof *tld);
	uint8_t *std = malloc(P.leader_digest_state_len);
	double *th = malloc((size_t) reps * sizeof *th);
	randombytes_buf(vk, sizeof vk);
	for (uint64_t i = 0; i < d; i++)
		x[i] = (i % 7 == 0) ? 0.001 : -0.0005; /* small non-zero gradient */

	for (int k = 0; k < reps; k++) {
		pine_status s;
		double t0;
		randombytes_buf(nonce, sizeof nonce);
		do {
			randombytes_buf(rnd, P.rand_len);
			t0 = now();
			s = pine_shard(&P, x, d, nonce, 16, rnd, P.rand_len, pub, in, NULL);
			ts[k] = now() - t0;
		} while (s == PINE_RETRY);
		if (s != PINE_OK) {
			fprintf(stderr, "shard failed: %s\n", pine_strerror(s));
			goto out;
		}
		t0 = now();
		s = pine_prep_init(&P, vk, P.verify_key_len, 0, nonce, 16, pub, P.public_share_len,
		                   in[0], P.leader_input_share_len, st, ps, NULL);
		tl[k] = now() - t0;
		t0 = now();
		s |= pine_prep_init_digest(&P, vk, P.verify_key_len, 0, nonce, 16, pub, P.public_share_len,
		                           in[0], P.leader_input_share_len, std, ps, NULL);
		tld[k] = now() - t0;
		t0 = now();
		s |= pine_prep_init(&P, vk, P.verify_key_len, 1, nonce, 16, pub, P.public_share_len,
		                    in[1], P.helper_input_share_len, st, ps, NULL);
		th[k] = now() - t0;
		if (s != PINE_OK) {
			fprintf(stderr, "prep_init failed\n");
			goto out;
		}
	}
	{
		double mts = median(ts, reps), mtl = median(tl, reps), mth = median(th, reps);
		xof_work wl = work_prep(&P, 0), wh = work_prep(&P, 1), ws = work_shard(&P);
		double fl = floor_s(wl, ra, rs), fh = floor_s(wh, ra, rs), fs = floor_s(ws, ra, rs);
		printf("%-8s d=%-8llu c=%-4zu c_ne=%-5zu leader_share=%zuB\n", name,
		       (unsigned long long) d, P.chunk_length, P.chunk_length_ne,
		       P.leader_input_share_len);
		printf("  %-16s %9.3f ms   xof: absorb %9.0f B, squeeze %9.0f B, floor %8.3f ms, "
		       "ratio %.2f\n", "shard", 1e3 * mts, ws.absorbed, ws.squeezed, 1e3 * fs, mts / fs);
		printf("  %-16s %9.3f ms   xof: absorb %9.0f B, squeeze %9.0f B, floor %8.3f ms, "
		       "ratio %.2f\n", "prep_init leader", 1e3 * mtl, wl.absorbed, wl.squeezed, 1e3 * fl,
		       mtl / fl);
		printf("  %-16s %9.3f ms   (the same with the digest-form state: SHA-256 of the input share)\n",
		       "prep_init leader digest", 1e3 * median(tld, reps));
		printf("  %-16s %9.3f ms   xof: absorb %9.0f B, squeeze %9.0f B, floor %8.3f ms, "
		       "ratio %.2f\n", "prep_init helper", 1e3 * mth, wh.absorbed, wh.squeezed, 1e3 * fh,
		       mth / fh);
	}
out:
	(void) S;
	free(x);
	free(rnd);
	free(pub);
	free(in[0]);
	free(in[1]);
	free(st);
	free(ps);
	free(ts);
	free(tl);
	free(tld);
	free(std);
	free(th);
}

static void bench_fold(const char *name, pine_variant v, uint64_t d, size_t nshares)
{
	pine_params P;
	if (!setup(&P, v, d))
		return;
	size_t len = P.out_share_len;
	uint8_t *shares = malloc(nshares * len), *acc = malloc(P.agg_share_len);
	if (shares == NULL || acc == NULL) {
		fprintf(stderr, "fold: out of memory\n");
		free(shares);
		free(acc);
		return;
	}
	/* canonical random elements: clear the top byte of each element */
	randombytes_buf(shares, nshares * len);
	for (size_t i = 0; i < nshares * len; i += P.elem_size)
		shares[i + P.elem_size - 1] = 0;
	double t[5];
	for (int k = 0; k < 5; k++) {
		pine_agg_init(&P, acc);
		double t0 = now();
		for (size_t i = 0; i < nshares; i++)
			if (pine_agg_add(&P, acc, P.agg_share_len, shares + i * len, len, NULL) != PINE_OK)
				fprintf(stderr, "fold failed\n");
		t[k] = now() - t0;
	}
	double m = median(t, 5);
	printf("fold %-8s d=%llu x %zu output shares (%.1f MB): %.3f ms, %.2f GB/s\n", name,
	       (unsigned long long) d, nshares, (double) (nshares * len) / 1e6, 1e3 * m,
	       (double) (nshares * len) / m / 1e9);
	free(shares);
	free(acc);
}

int main(int argc, char **argv)
{
	int quick = argc > 1 && strcmp(argv[1], "quick") == 0;
	uint64_t full_d[] = { 1000, 10000, 100000, 1000000 };
	uint64_t quick_d[] = { 1000, 10000 };
	uint64_t one_d[1];
	uint64_t *ds = quick ? quick_d : full_d;
	size_t nd = quick ? 2 : 4;
	if (argc > 2 && strcmp(argv[1], "d") == 0) { /* bench_pine d N: one dimension */
		one_d[0] = strtoull(argv[2], NULL, 10);
		ds = one_d;
		nd = 1;
		quick = 1;
	}
	double ra, rs;

	if (sodium_init() < 0)
		return 1;
	xof_rates(&ra, &rs);
	printf("TurboSHAKE128: absorb %.1f MB/s, squeeze %.1f MB/s\n", ra / 1e6, rs / 1e6);
	if (argc > 2 && strcmp(argv[1], "pine64") == 0) {
		int reps = argc > 3 ? atoi(argv[3]) : 5;
		if (argc > 4 && strcmp(argv[4], "cpu") == 0)
			bench_clock = CLOCK_THREAD_CPUTIME_ID;
		bench_variant("Pine64", PINE_VARIANT_PINE64, strtoull(argv[2], NULL, 10),
		              reps > 0 && reps < 1000 ? reps : 5, ra, rs);
		return 0;
	}
	for (size_t i = 0; i < nd; i++) {
		int reps = ds[i] >= 1000000 ? 5 : ds[i] >= 100000 ? 11 : quick ? 7 : 21;
		bench_variant("Pine64", PINE_VARIANT_PINE64, ds[i], reps, ra, rs);
		bench_variant("Pine128", PINE_VARIANT_PINE128, ds[i], reps, ra, rs);
	}
	bench_fold("Pine64", PINE_VARIANT_PINE64, 1000, quick ? 1000 : 10000);
	bench_fold("Pine128", PINE_VARIANT_PINE128, 1000, quick ? 1000 : 10000);
	bench_fold("Pine64", PINE_VARIANT_PINE64, 100000, quick ? 20 : 100);
	return 0;
}
