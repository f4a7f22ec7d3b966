/* module.c: module magic, library initialisation and GUCs. */
#include "pg_util.h"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sodium.h>

#include "miscadmin.h"
#include "utils/guc.h"

#include "common/alloc.h"
#include "common/interrupt.h"
#include "common/parallel.h"

PG_MODULE_MAGIC;

int sa_threads = 2;
static int sa_malloc_trim_mb = 64;

static void
assign_threads(int newval, void *extra)
{
	sa_set_default_threads((unsigned) newval);
}

void _PG_init(void);

/*
 * The core's cancellation check: a cancel request, a statement or lock
 * timeout, or a terminate signal is pending. Only reads flags the signal
 * handlers set, so worker threads may call it too. The PostgreSQL layer
 * turns the core's *_INTERRUPTED status into CHECK_FOR_INTERRUPTS().
 */
static bool
pg_interrupt_pending(void)
{
	return QueryCancelPending || ProcDiePending;
}

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
	sa_set_interrupt_check(pg_interrupt_pending);
	DefineCustomIntVariable("secagg.threads",
	                        "Threads for the heavy loops of one call: mask recomputation in the "
	                        "Unmasking round, and a client's ShareKeys and masking.",
	                        "The threads run only libsodium and OpenSSL code, never PostgreSQL code.",
	                        &sa_threads, 2, 1, 64, PGC_USERSET, 0, NULL, assign_threads, NULL);
	DefineCustomIntVariable("secagg.malloc_trim_threshold",
	                        "Freed heap memory a backend that loaded secagg keeps for reuse "
	                        "(glibc's M_TRIM_THRESHOLD); 0 leaves glibc's own policy.",
	                        "A PINE report at d = 100,000 moves several megabyte-sized values per "
	                        "row; with glibc's adaptive policy the backend returns that memory "
	                        "after every row and faults it in again (about 1,100 page faults per "
	                        "report). Read when the library loads; set it in postgresql.conf, with "
	                        "ALTER ROLE/DATABASE ... SET, or at connection start.",
	                        &sa_malloc_trim_mb, 64, 0, 1024, PGC_SU_BACKEND, GUC_UNIT_MB, NULL, NULL, NULL);
	MarkGUCPrefixReserved("secagg");
#ifdef __GLIBC__
	/*
	 * Fixing either threshold turns glibc's adaptive policy off, so both are
	 * set: allocations under 32 MB (glibc's own ceiling for its adaptive mmap
	 * threshold) come from the heap, and up to secagg.malloc_trim_threshold
	 * of free heap top stays mapped for the next row.
	 */
	if (sa_malloc_trim_mb > 0) {
		mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
		mallopt(M_TRIM_THRESHOLD, sa_malloc_trim_mb * 1024 * 1024);
	}
#endif
}
