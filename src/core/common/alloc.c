/* alloc.c: allocator hook with overflow-checked helpers. */
#include "common/alloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

static sa_alloc_fn current_alloc = malloc;
static sa_free_fn current_free = free;

void
sa_set_allocator(sa_alloc_fn alloc_fn, sa_free_fn free_fn)
{
	current_alloc = alloc_fn ? alloc_fn : malloc;
	current_free = free_fn ? free_fn : free;
}

void *
sa_alloc(size_t size)
{
	return current_alloc(size == 0 ? 1 : size);
}

void *
sa_alloc_zero(size_t size)
{
	void *p = sa_alloc(size);
	if (p != NULL)
		memset(p, 0, size == 0 ? 1 : size);
	return p;
}

void *
sa_alloc_array(size_t count, size_t elem)
{
	if (elem != 0 && count > SIZE_MAX / elem)
		return NULL;
	return sa_alloc(count * elem);
}

void
sa_free(void *ptr)
{
	if (ptr != NULL)
		current_free(ptr);
}

void
sa_free_secret(void *ptr, size_t size)
{
	if (ptr == NULL)
		return;
	sodium_memzero(ptr, size);
	current_free(ptr);
}
