/*
 * pine_pg.h: what the PINE SQL files (pine_*_sql.c) share: the parameters
 * argument and the batch-size errors.
 */
#ifndef SECAGG_PINE_PG_H
#define SECAGG_PINE_PG_H

#include "pg_util.h"

#include "pine/pine.h"

/*
 * The parameters of argument argno, a pine_params() jsonb: checked in full
 * (22023, 0A000 or 54000 if it is not a canonical parameter object) and
 * cached in fn_extra (pine_params_sql.c).
 */
const pine_params *pine_pg_params_arg(FunctionCallInfo fcinfo, int argno);
/* 22023 unless 0 <= agg_id < num_shares. */
void pine_pg_check_agg_id(const pine_params *P, int32 agg_id);

/* 54000: a batch of more reports than the parameters' cap (pine_agg_sql.c). */
pg_attribute_noreturn() void pine_pg_batch_cap(uint64 count, uint64 max);
/* SA022: the sum of fewer reports than min_batch_size is not released. */
pg_attribute_noreturn() void pine_pg_batch_too_small(const char *who, uint64 count, uint64 min);

#endif
