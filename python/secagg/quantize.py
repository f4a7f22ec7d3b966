"""Quantization before secure summation, and back (README, libsecagg "Quantization, exactly").

For a clipping range c and b bits (L = 2^b - 1): :func:`quantize` clips x to
[-c, c] and rounds stochastically to L + 1 levels (unsigned 64-bit words,
E[q] = (x + c) / (2c) * L); :func:`dequantize` turns the secure sum of n
clients' words back into the sum of their x. The weighted pair carries
[w, w*q_1, ..., w*q_m] for a weighted mean. Lists give lists; numpy arrays
give numpy arrays (uint64 words, float64 values).
"""
from __future__ import annotations

import ctypes
from typing import Any, List, Union

from ._lib import check, lib
from ._vectors import FloatVector, IntVector, f64_array, f64_result, u64_array, u64_result

MAX_BITS = 53


def quantize(x: FloatVector, clip: float, bits: int) -> Union[List[int], Any]:
    """x clipped to [-clip, clip] and stochastically rounded to 2^bits levels: words in [0, 2^bits - 1]."""
    values = f64_array(x)
    out = (ctypes.c_uint64 * len(values))()
    check(lib().secagg_quantize(values, len(values), clip, bits, out), "quantize")
    return u64_result(out, x)


def quantize_weighted(x: FloatVector, weight: int, clip: float, bits: int) -> Union[List[int], Any]:
    """[w, w*q_1, ..., w*q_m] (m + 1 words) for a weighted mean; w an integer >= 0 with w * (2^bits - 1) < 2^64."""
    values = f64_array(x)
    out = (ctypes.c_uint64 * (len(values) + 1))()
    check(lib().secagg_quantize_weighted(values, len(values), weight, clip, bits, out), "quantize_weighted")
    return u64_result(out, x)


def dequantize(total: IntVector, n_clients: int, clip: float, bits: int) -> Union[List[float], Any]:
    """The sum of n clients' x from the secure sum of their words (``output_vector``'s bigints accepted).

    :class:`RangeError` (22003) for a sum n clients cannot produce.
    """
    words = u64_array(total, "sum")
    out = (ctypes.c_double * len(words))()
    check(lib().secagg_dequantize(words, len(words), n_clients, clip, bits, out), "dequantize")
    return f64_result(out, total)


def dequantize_weighted(total: IntVector, clip: float, bits: int) -> Union[List[float], Any]:
    """The weighted mean of x from the secure sum [W, S_1, ..., S_m] (m values); RangeError if W = 0."""
    words = u64_array(total, "sum")
    out = (ctypes.c_double * max(len(words) - 1, 0))()
    check(lib().secagg_dequantize_weighted(words, len(words), clip, bits, out), "dequantize_weighted")
    return f64_result(out, total)
