/*
 * sign_codes.c: constant tables for the 2-bit sign codes of PINE's
 * wraparound checks (field.h vec_signed_sum2): per code byte, lane t
 * (bits 2t..2t+1) means 0b00 -> -1, 0b11 -> +1, 0b01/0b10 -> 0.
 */
#include "vdaf/sign_codes.h"

#define SS_LANE(b, t) (((b) >> (2 * (t))) & 3)
#define SS_NZ(b, t) ((SS_LANE(b, t) == 0 || SS_LANE(b, t) == 3) ? ~0ULL : 0ULL)
#define SS_NG(b, t) (SS_LANE(b, t) == 0 ? ~0ULL : 0ULL)
#define SS_ROW(b) { SS_NZ(b, 0), SS_NG(b, 0), SS_NZ(b, 1), SS_NG(b, 1), \
                    SS_NZ(b, 2), SS_NG(b, 2), SS_NZ(b, 3), SS_NG(b, 3) }
#define SS_R4(b) SS_ROW(b), SS_ROW((b) + 1), SS_ROW((b) + 2), SS_ROW((b) + 3)
#define SS_R16(b) SS_R4(b), SS_R4((b) + 4), SS_R4((b) + 8), SS_R4((b) + 12)
#define SS_R64(b) SS_R16(b), SS_R16((b) + 16), SS_R16((b) + 32), SS_R16((b) + 48)
const uint64_t vdaf_sign_code_masks[256][8] = { SS_R64(0), SS_R64(64), SS_R64(128), SS_R64(192) };

#define SS_NEGS(b) ((SS_LANE(b, 0) == 0) + (SS_LANE(b, 1) == 0) + (SS_LANE(b, 2) == 0) + \
                    (SS_LANE(b, 3) == 0))
#define SS_C4(b) SS_NEGS(b), SS_NEGS((b) + 1), SS_NEGS((b) + 2), SS_NEGS((b) + 3)
#define SS_C16(b) SS_C4(b), SS_C4((b) + 4), SS_C4((b) + 8), SS_C4((b) + 12)
#define SS_C64(b) SS_C16(b), SS_C16((b) + 16), SS_C16((b) + 32), SS_C16((b) + 48)
const uint8_t vdaf_sign_code_negs[256] = { SS_C64(0), SS_C64(64), SS_C64(128), SS_C64(192) };
