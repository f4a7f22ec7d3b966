/*
 * mask_sum.c: many masks added into one vector on worker threads (see
 * mask_sum.h). Each worker adds its share of the tasks into an accumulator
 * of its own; the caller adds those up, mod 2^64, in the order of the
 * workers, so the result does not depend on the thread count.
 */
#include "secagg/mask_sum.h"

#include <sodium.h>

#include "common/alloc.h"
#include "common/interrupt.h"
#include "common/parallel.h"
#include "secagg/mask_prg.h"

typedef struct sum_job {
	const sa_mask_task *tasks;
	const sa_mask_owners *ow;
	uint64_t **accs;              /* one accumulator per worker */
	size_t m;
	sa_status st[SA_MAX_THREADS];
} sum_job;

static void
sum_range(void *arg, unsigned k, size_t from, size_t to)
{
	sum_job *j = arg;
	sa_mask_prg *prg = sa_mask_prg_new();
	if (prg == NULL) {
		j->st[k] = SA_ERR_NOMEM;
		return;
	}
	sa_status st = SA_OK;
	uint8_t q[32], key[SA_MASK_KEY_BYTES];
	for (size_t i = from; i < to && st == SA_OK; i++) {
		if (sa_interrupted()) {       /* a flag read: safe on worker threads */
			st = SA_ERR_INTERRUPTED;
			break;
		}
		const sa_mask_task *t = &j->tasks[i];
		const uint8_t *mk = t->key;
		if (t->owner >= 0) {
			int32_t d = t->owner;
			if ((st = sa_kx_agree(q, j->ow->sk[d], t->pk_w)) != SA_OK)
				break;
			sa_pair_mask_key(key, j->ow->ctx, q, j->ow->ids[d], j->ow->pk[d], t->w, t->pk_w);
			mk = key;
		}
		st = sa_mask_apply(prg, j->accs[k], j->m, mk, t->sign);
	}
	sodium_memzero(q, sizeof q);
	sodium_memzero(key, sizeof key);
	sa_mask_prg_free(prg);
	j->st[k] = st;
}

sa_status
sa_mask_sum(const sa_mask_task *tasks, const sa_mask_owners *ow, size_t ntasks, uint64_t *acc, size_t m,
            unsigned threads)
{
	if (threads > SA_MAX_THREADS)
		threads = SA_MAX_THREADS;
	if (threads > ntasks)
		threads = ntasks ? (unsigned) ntasks : 1;
	uint64_t *accs[SA_MAX_THREADS] = { acc };
	sum_job j = { tasks, ow, accs, m, { SA_OK } };
	sa_status st = SA_OK;
	/* Extra accumulators are allocated here, on the calling thread. */
	for (unsigned k = 1; k < threads; k++)
		if ((accs[k] = sa_alloc_zero((size_t) m * 8)) == NULL)
			st = SA_ERR_NOMEM;
	if (st == SA_OK) {
		sa_parallel_for(ntasks, threads, sum_range, &j);
		for (unsigned k = 0; k < threads; k++) {
			if (j.st[k] != SA_OK)
				st = j.st[k];
			if (k > 0)
				for (size_t i = 0; i < m; i++)
					acc[i] += accs[k][i];
		}
	}
	for (unsigned k = 1; k < threads; k++)
		sa_free_secret(accs[k], (size_t) m * 8);
	return st;
}
