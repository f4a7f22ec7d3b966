/* parallel.c: a minimal pthread fork/join over index ranges. */
#define _POSIX_C_SOURCE 200809L
#include "common/parallel.h"

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

static unsigned default_threads = 1;

void
sa_set_default_threads(unsigned threads)
{
	default_threads = threads < 1 ? 1 : threads > SA_MAX_THREADS ? SA_MAX_THREADS : threads;
}

unsigned
sa_default_threads(void)
{
	return default_threads;
}

typedef struct job {
	sa_range_fn fn;
	void *ctx;
	unsigned k;
	size_t from, to;
} job;

static void *
job_run(void *arg)
{
	job *j = arg;
	j->fn(j->ctx, j->k, j->from, j->to);
	return NULL;
}

unsigned
sa_parallel_for(size_t count, unsigned threads, sa_range_fn fn, void *ctx)
{
	if (threads > SA_MAX_THREADS)
		threads = SA_MAX_THREADS;
	if (threads > count)
		threads = count ? (unsigned) count : 1;
	if (threads <= 1) {
		fn(ctx, 0, 0, count);
		return 1;
	}
	job jobs[SA_MAX_THREADS];
	pthread_t th[SA_MAX_THREADS];
	bool started[SA_MAX_THREADS] = { false };
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (unsigned k = 0; k < threads; k++) {
		jobs[k] = (job) { fn, ctx, k, count * k / threads, count * (k + 1) / threads };
		if (k > 0)
			started[k] = pthread_create(&th[k], NULL, job_run, &jobs[k]) == 0;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	job_run(&jobs[0]);
	for (unsigned k = 1; k < threads; k++) {
		if (started[k])
			pthread_join(th[k], NULL);
		else
			job_run(&jobs[k]);
	}
	return threads;
}
