/*
 * bench_util.h: small helpers both secure-aggregation benchmarks use
 * (bench_secagg.c, bench_secagg_plus.c): wall-clock time, deterministic
 * test data, medians.
 */
#ifndef SECAGG_BENCH_UTIL_H
#define SECAGG_BENCH_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static inline double
now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + 1e-9 * (double) ts.tv_nsec;
}

static inline uint64_t
splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Input vector of user id in session `seed`: deterministic, so nothing is stored. */
static inline void
gen_x(uint64_t *x, size_t m, uint64_t seed, uint64_t id)
{
	uint64_t s = seed ^ (id * 0xd6e8feb86659fd93ULL);
	for (size_t i = 0; i < m; i++)
		x[i] = splitmix(&s);
}

static inline int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *) a, y = *(const double *) b;
	return (x > y) - (x < y);
}

static inline double
median(const double *v, int n)
{
	double t[64];
	memcpy(t, v, (size_t) n * sizeof(double));
	qsort(t, (size_t) n, sizeof(double), cmp_dbl);
	return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

#endif
