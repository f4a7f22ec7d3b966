/*
 * sign_codes.h: INTERNAL tables for vec_signed_sum2 (field*.c only).
 *
 * vdaf_sign_code_masks[b][2t]     all ones iff lane t of byte b is 0b00 or 0b11 (non-zero sign)
 * vdaf_sign_code_masks[b][2t + 1] all ones iff lane t of byte b is 0b00 (negative)
 * vdaf_sign_code_negs[b]          number of 0b00 lanes in byte b
 * A lane then contributes (x & nz) ^ neg: x, 0, or the one's complement of x,
 * whose excess over -x the caller removes using the count of negative lanes.
 * Indexed by public codes only.
 */
#ifndef SECAGG_VDAF_SIGN_CODES_H
#define SECAGG_VDAF_SIGN_CODES_H

#include <stdint.h>

extern const uint64_t vdaf_sign_code_masks[256][8];
extern const uint8_t vdaf_sign_code_negs[256];

#endif
