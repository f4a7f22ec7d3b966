/*
 * alloc.h: the core's allocator hook.
 *
 * By default the core uses malloc/free. The PostgreSQL layer installs
 * palloc-based hooks (returning NULL instead of raising on failure) so that
 * every core allocation belongs to a memory context and is released if an
 * ERROR unwinds the call. sa_free_secret() wipes before freeing.
 */
#ifndef SECAGG_COMMON_ALLOC_H
#define SECAGG_COMMON_ALLOC_H

#include <stddef.h>

typedef void *(*sa_alloc_fn)(size_t size);
typedef void (*sa_free_fn)(void *ptr);

void sa_set_allocator(sa_alloc_fn alloc_fn, sa_free_fn free_fn);

void *sa_alloc(size_t size);            /* NULL on failure or size == 0 overflow */
void *sa_alloc_zero(size_t size);
void *sa_alloc_array(size_t count, size_t elem); /* overflow-checked */
void sa_free(void *ptr);
void sa_free_secret(void *ptr, size_t size);     /* sodium_memzero, then free */

#endif
