/*
 * parallel.h: split a loop over worker threads.
 *
 * The work function must call only thread-safe code that never uses the
 * allocator hook (libsodium, OpenSSL, plain C): inside PostgreSQL the hook
 * is palloc, which is not thread-safe. Workers run with every signal
 * blocked, so signal handlers of the host process run on the calling thread
 * only. If a thread cannot be started its range runs on the caller.
 */
#ifndef SECAGG_COMMON_PARALLEL_H
#define SECAGG_COMMON_PARALLEL_H

#include <stddef.h>

#define SA_MAX_THREADS 64

/* fn(ctx, k, from, to) handles items [from, to) as worker k (0 = caller). */
typedef void (*sa_range_fn)(void *ctx, unsigned k, size_t from, size_t to);

/* Runs fn over [0, count) on min(threads, count) threads; returns the number used. */
unsigned sa_parallel_for(size_t count, unsigned threads, sa_range_fn fn, void *ctx);

/* Process-wide default used where an API takes no thread count (client sharing). */
void sa_set_default_threads(unsigned threads);
unsigned sa_default_threads(void);

#endif
