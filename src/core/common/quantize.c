/* quantize.c: back from summed quantized words to reals (see quantize.h). */
#include "common/quantize.h"

#include <math.h>

sa_status
sa_quantize_levels(double clip, uint32_t bits, uint64_t *levels)
{
	if (!isfinite(clip) || !(clip > 0.0) || bits < 1 || bits > SA_QUANTIZE_MAX_BITS)
		return SA_ERR_PARAM;
	*levels = ((uint64_t) 1 << bits) - 1;
	return SA_OK;
}

sa_status
sa_dequantize(const uint64_t *sum, size_t m, uint64_t n, double clip, uint32_t bits, double *out)
{
	uint64_t levels;
	sa_status st = sa_quantize_levels(clip, bits, &levels);
	if (st != SA_OK)
		return st;
	if (n < 1 || n > UINT64_MAX / levels)
		return SA_ERR_PARAM;                /* n L must fit: otherwise the sums wrapped */
	for (size_t i = 0; i < m; i++)
		if (sum[i] > n * levels)
			return SA_ERR_LIMIT;
	double step = 2.0 * clip / (double) levels;
	for (size_t i = 0; i < m; i++)
		out[i] = (double) sum[i] * step - (double) n * clip;
	return SA_OK;
}

sa_status
sa_dequantize_weighted(const uint64_t *sum, size_t m_plus_1, double clip, uint32_t bits, double *out)
{
	uint64_t levels;
	sa_status st = sa_quantize_levels(clip, bits, &levels);
	if (st != SA_OK)
		return st;
	if (m_plus_1 < 1)
		return SA_ERR_PARAM;
	uint64_t total = sum[0];
	if (total == 0 || total > UINT64_MAX / levels)
		return SA_ERR_LIMIT;
	for (size_t i = 1; i < m_plus_1; i++)
		if (sum[i] > total * levels)
			return SA_ERR_LIMIT;
	double step = 2.0 * clip / (double) levels;
	for (size_t i = 1; i < m_plus_1; i++)
		out[i - 1] = ((double) sum[i] / (double) total) * step - clip;
	return SA_OK;
}
