/*
 * quantize.h: the inverse of the clients' quantization (lib/secagg.h
 * "quantization"): from the secure sum of quantized words back to reals.
 * One implementation for libsecagg and the SQL functions dequantize and
 * dequantize_weighted. For a clipping range c > 0 and b bits (1..53),
 * L = 2^b - 1:
 *   sum of n clients:  out_i = (double) S_i * (2 c / L) - (double) n * c
 *                      (SA_ERR_LIMIT if S_i > n L: no n clients give it)
 *   weighted mean:     from [W, S_1..S_m], out_i = ((double) S_i / W) * (2 c / L) - c
 *                      (SA_ERR_LIMIT if W = 0, W L >= 2^64 or S_i > W L)
 * Bad parameters (c not finite and positive, b outside 1..53, n = 0 or
 * n L >= 2^64) give SA_ERR_PARAM.
 */
#ifndef SECAGG_COMMON_QUANTIZE_H
#define SECAGG_COMMON_QUANTIZE_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

#define SA_QUANTIZE_MAX_BITS 53

/* L = 2^bits - 1 after checking clip and bits. */
sa_status sa_quantize_levels(double clip, uint32_t bits, uint64_t *levels);
/* sum: m words summed over n clients; out: m doubles. */
sa_status sa_dequantize(const uint64_t *sum, size_t m, uint64_t n, double clip, uint32_t bits, double *out);
/* sum: m + 1 words [W, S_1..S_m]; out: m doubles (the weighted mean). */
sa_status sa_dequantize_weighted(const uint64_t *sum, size_t m_plus_1, double clip, uint32_t bits, double *out);

#endif
