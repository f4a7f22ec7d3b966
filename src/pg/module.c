/* module.c: module magic, library initialisation and GUCs. */
#include "pg_util.h"

#include <sodium.h>

#include "utils/guc.h"

#include "common/alloc.h"
#include "common/parallel.h"

PG_MODULE_MAGIC;

int sa_threads = 2;

static void
assign_threads(int newval, void *extra)
{
	sa_set_default_threads((unsigned) newval);
}

void _PG_init(void);

/* Core allocations go to the current memory context, NULL on failure. */
static void *
pg_core_alloc(size_t size)
{
	return palloc_extended(size, MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void
pg_core_free(void *p)
{
	pfree(p);
}

void
_PG_init(void)
{
	if (sodium_init() < 0)
		ereport(ERROR, (errcode(ERRCODE_INTERNAL_ERROR), errmsg("libsodium could not be initialised")));
	sa_set_allocator(pg_core_alloc, pg_core_free);
	DefineCustomIntVariable("secagg.threads",
	                        "Threads for the heavy loops of one call: mask recomputation in the "
	                        "Unmasking round and the client's secret sharing.",
	                        "The threads run only libsodium and OpenSSL code, never PostgreSQL code.",
	                        &sa_threads, 2, 1, 64, PGC_USERSET, 0, NULL, assign_threads, NULL);
	MarkGUCPrefixReserved("secagg");
}
