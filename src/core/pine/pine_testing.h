/*
 * pine_testing.h: entry points of the PINE core that tests (and the
 * fuzzers) use to reach inside: a client that cheats, an explicit
 * wraparound-check kernel, a given noise source. Production code calls
 * them only with the switches off (cheat 0, PINE_WR_KERNEL_AUTO, the
 * system randomness).
 */
#ifndef SECAGG_PINE_TESTING_H
#define SECAGG_PINE_TESTING_H

#include "pine/dp_sampler.h"
#include "pine/pine.h"
#include "vdaf/field.h"
#include "vdaf/xof.h"

/* ---- pine_shard.c (pine_shard is pine_shard_impl with cheat 0) ---- */

/* "Malicious client" switches of pine_shard_impl and the encoders: */
#define PINE_CHEAT_NORM 1u /* skip the client's norm checks; claim sq = bound if it does not fit */
#define PINE_CHEAT_WR 2u   /* claim success for every wraparound check */

pine_status pine_shard_impl(const pine_params *P, const double *measurement,
                            size_t meas_len, const uint8_t *nonce, size_t nonce_len,
                            const uint8_t *rand, size_t rand_len, uint8_t *public_share,
                            uint8_t *const *input_shares, unsigned cheat, const char **why);

/* ---- pine_encode.c ---- */

/* pine_run_wr_checks with an explicit kernel: */
#define PINE_WR_KERNEL_AUTO 0
#define PINE_WR_KERNEL_SCALAR 1
#define PINE_WR_KERNEL_SSE2 2   /* falls back to AUTO where unavailable */
pine_status pine_run_wr_checks_with(const pine_params *P, const vdaf_elem *grad,
                                    vdaf_xof *x, vdaf_elem *res, int which,
                                    const char **why);

/* ---- pine_dp.c ---- */

/* pine_dp_add_noise with a given randomness source (tests: dp_test_rng). */
pine_status pine_dp_add_noise_rng(const pine_params *P, pine_dp_mechanism mech, double scale,
                                  uint8_t *agg_share, size_t len, const dp_rng *rng,
                                  const char **why);

#endif
