/*
 * pine_exit.h: the error exits of the long functions of pine_shard.c and
 * pine_prep.c (each has a pine_status st, a const char **why and an `out`
 * label that frees what it allocated). Internal to those two files.
 */
#ifndef SECAGG_PINE_EXIT_H
#define SECAGG_PINE_EXIT_H

#include "pine/pine_internal.h"

/* A VDAF call: on failure st = its status as a pine_status, and out. */
#define CHECK_VDAF(expr)                                                      \
	do {                                                                      \
		int rc_ = (expr);                                                     \
		if (rc_ != VDAF_OK) {                                                 \
			st = pine_map_vdaf(rc_, why);                                     \
			goto out;                                                         \
		}                                                                     \
	} while (0)

/* st = code, *why = msg, and out. */
#define FAIL(code, msg)                                                       \
	do {                                                                      \
		pine_set_why(why, msg);                                               \
		st = (code);                                                          \
		goto out;                                                             \
	} while (0)

#endif
