/*
 * internal.h: what the library's own files share (never installed).
 * Every public function is declared in secagg.h with SECAGG_API, which
 * this header turns into default visibility; everything else, the core
 * included, is compiled with -fvisibility=hidden.
 */
#ifndef SECAGG_LIB_INTERNAL_H
#define SECAGG_LIB_INTERNAL_H

#define SECAGG_BUILDING_LIBRARY 1
#include "secagg.h"

#include "common/status.h"
#include "pine/pine.h"

/* The library code of a core status (sa_status values 0..22 are kept). */
int secagg_code_from_sa(sa_status st);
/* The library code of a PINE status. */
int secagg_code_from_pine(pine_status st);

/* The core's parameters behind a handle (pine_params.c). */
const pine_params *secagg_pine_core_params(const secagg_pine_params *p);

#endif
