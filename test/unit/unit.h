/*
 * unit.h: a minimal assertion harness for the C core's unit tests.
 *
 * Each test program includes this header, defines test functions and calls
 * them through UNIT_RUN from main(); UNIT_DONE() prints the plain
 * "N passed, N failed" line and returns the exit status.
 */
#ifndef SECAGG_UNIT_H
#define SECAGG_UNIT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_passed;
static int unit_failed;
static int unit_current_failed;

#define UNIT_CHECK(cond)                                                      \
	do {                                                                      \
		if (!(cond)) {                                                        \
			fprintf(stderr, "  %s:%d: check failed: %s\n", __FILE__,          \
			        __LINE__, #cond);                                         \
			unit_current_failed = 1;                                          \
		}                                                                     \
	} while (0)

#define UNIT_CHECK_EQ_U64(a, b)                                               \
	do {                                                                      \
		uint64_t unit_a_ = (uint64_t) (a), unit_b_ = (uint64_t) (b);          \
		if (unit_a_ != unit_b_) {                                             \
			fprintf(stderr, "  %s:%d: %s == %s failed: %llu != %llu\n",       \
			        __FILE__, __LINE__, #a, #b,                               \
			        (unsigned long long) unit_a_,                             \
			        (unsigned long long) unit_b_);                            \
			unit_current_failed = 1;                                          \
		}                                                                     \
	} while (0)

#define UNIT_CHECK_MEM(a, b, n)                                               \
	do {                                                                      \
		if (memcmp((a), (b), (n)) != 0) {                                     \
			fprintf(stderr, "  %s:%d: bytes differ: %s vs %s (%zu bytes)\n",  \
			        __FILE__, __LINE__, #a, #b, (size_t) (n));                \
			unit_current_failed = 1;                                          \
		}                                                                     \
	} while (0)

#define UNIT_RUN(fn)                                                          \
	do {                                                                      \
		unit_current_failed = 0;                                              \
		fn();                                                                 \
		if (unit_current_failed) {                                            \
			unit_failed++;                                                    \
			printf("not ok - %s\n", #fn);                                     \
		} else {                                                              \
			unit_passed++;                                                    \
			printf("ok - %s\n", #fn);                                         \
		}                                                                     \
	} while (0)

#define UNIT_DONE()                                                           \
	(printf("%d passed, %d failed\n", unit_passed, unit_failed),              \
	 unit_failed == 0 ? 0 : 1)

/* Hex helpers for test vectors. Returns the number of bytes, or -1. */
static inline long
unit_hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);
	if (n % 2 != 0 || n / 2 > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t) v;
	}
	return (long) (n / 2);
}

#endif
