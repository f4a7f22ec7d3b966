/* memory.c: initialisation, the one free function, randomness, threads, version. */
#include "internal.h"

#include <sodium.h>

#include "common/alloc.h"
#include "common/parallel.h"

int
secagg_init(void)
{
	return sodium_init() < 0 ? SECAGG_ERR_INIT : SECAGG_OK;
}

void
secagg_free(void *buf, size_t len)
{
	if (buf != NULL)
		sa_free_secret(buf, len);
}

int
secagg_random_bytes(uint8_t *buf, size_t n)
{
	if (buf == NULL && n > 0)
		return SECAGG_ERR_NULL;
	int rc = secagg_init();
	if (rc == SECAGG_OK && n > 0)
		randombytes_buf(buf, n);
	return rc;
}

int
secagg_set_threads(unsigned threads)
{
	if (threads < 1 || threads > SA_MAX_THREADS)
		return SECAGG_ERR_PARAM;
	sa_set_default_threads(threads);
	return SECAGG_OK;
}

const char *
secagg_version(void)
{
	return SECAGG_VERSION_STRING;
}
