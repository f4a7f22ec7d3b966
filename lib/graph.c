/*
 * graph.c: the SecAgg+ parameter finder (src/core/secagg/graph_params.c).
 * Its numerics call lgamma, which writes libm's global signgam: a mutex
 * keeps two threads of the host out of it at the same time.
 */
#include "internal.h"

#include <pthread.h>

#include "secagg/graph_params.h"

static pthread_mutex_t finder_lock = PTHREAD_MUTEX_INITIALIZER;

static int
model_of(int model, sa_graph_model *out)
{
	if (model != SECAGG_MODEL_HONEST_BUT_CURIOUS && model != SECAGG_MODEL_SEMI_MALICIOUS)
		return SECAGG_ERR_PARAM;
	*out = model == SECAGG_MODEL_SEMI_MALICIOUS ? SA_GRAPH_SEMI_MALICIOUS : SA_GRAPH_HONEST_BUT_CURIOUS;
	return SECAGG_OK;
}

int
secagg_graph_find(uint32_t n, double corrupt_fraction, double dropout_fraction, int model, uint32_t *k,
                  uint32_t *t, int *complete)
{
	if (k == NULL || t == NULL || complete == NULL)
		return SECAGG_ERR_NULL;
	sa_graph_params_in in = { n, corrupt_fraction, dropout_fraction, SA_GRAPH_HONEST_BUT_CURIOUS };
	int rc = model_of(model, &in.model);
	if (rc != SECAGG_OK)
		return rc;
	sa_graph_params p;
	pthread_mutex_lock(&finder_lock);
	sa_status st = sa_graph_params_find(&in, &p);
	pthread_mutex_unlock(&finder_lock);
	if (st != SA_OK)
		return secagg_code_from_sa(st);
	*k = p.k;
	*t = p.t;
	*complete = p.complete ? 1 : 0;
	return SECAGG_OK;
}

int
secagg_graph_check(uint32_t n, uint32_t k, uint32_t t, double corrupt_fraction, double dropout_fraction,
                   int model)
{
	sa_graph_model m;
	int rc = model_of(model, &m);
	if (rc != SECAGG_OK)
		return rc;
	sa_graph_params p;
	pthread_mutex_lock(&finder_lock);
	sa_status st = sa_graph_params_check(n, k, t, corrupt_fraction, dropout_fraction, m, &p);
	pthread_mutex_unlock(&finder_lock);
	return secagg_code_from_sa(st);
}
