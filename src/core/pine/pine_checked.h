/*
 * pine_checked.h: overflow-checked size arithmetic for the PINE core's
 * parameter derivation. Internal to the core.
 */
#ifndef SECAGG_PINE_CHECKED_H
#define SECAGG_PINE_CHECKED_H

#include <stddef.h>
#include <stdint.h>

/* *out = a + b; 0 (and *out untouched) on overflow, else 1. */
static inline int
pine_add_sz(size_t a, size_t b, size_t *out)
{
	if (a > SIZE_MAX - b)
		return 0;
	*out = a + b;
	return 1;
}

/* *out = a * b; 0 (and *out untouched) on overflow, else 1. */
static inline int
pine_mul_sz(size_t a, size_t b, size_t *out)
{
	if (a != 0 && b > SIZE_MAX / a)
		return 0;
	*out = a * b;
	return 1;
}

#endif
