"""Vectors between Python (lists, tuples, numpy arrays) and C arrays.

numpy is optional: it is imported only when a value is a numpy array (then
the results are numpy arrays too) or when the caller asks for one.
"""
from __future__ import annotations

import ctypes
import sys
from typing import Any, List, Sequence, Union

from ._lib import refuse
from .errors import ParamError

U64_MASK = (1 << 64) - 1

IntVector = Union[Sequence[int], Any]      # a sequence of ints or a numpy integer array
FloatVector = Union[Sequence[float], Any]  # a sequence of floats or a numpy array


def is_numpy(value: Any) -> bool:
    """Is value a numpy array (without importing numpy when it is not loaded)?"""
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.ndarray)


def _numpy() -> Any:
    import numpy  # noqa: PLC0415 (optional dependency, imported lazily)
    return numpy


def u64_array(values: IntVector, what: str = "vector") -> ctypes.Array:
    """A C uint64_t array of values; ints in [-2^63, 2^64) are taken mod 2^64 (two's complement, as bigint)."""
    if is_numpy(values):
        np = _numpy()
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise refuse(ParamError.code, f"{what}: a one-dimensional array is needed, got {arr.ndim} dimensions")
        if arr.dtype.kind not in "iu":
            raise refuse(ParamError.code, f"{what}: an integer array is needed, got dtype {arr.dtype}")
        words = arr.astype(np.uint64) if arr.dtype.kind == "u" else arr.astype(np.int64).view(np.uint64)
        words = np.ascontiguousarray(words)
        out = (ctypes.c_uint64 * len(words))()
        if len(words):
            ctypes.memmove(out, words.ctypes.data, 8 * len(words))
        if not np.shares_memory(words, arr):
            words.fill(0)  # our temporary copy of the vector
        return out
    seq = list(values)
    out = (ctypes.c_uint64 * len(seq))()
    for i, v in enumerate(seq):
        if isinstance(v, bool) or not isinstance(v, int):
            try:
                v = int(v.__index__())
            except AttributeError:
                raise refuse(ParamError.code, f"{what}[{i}]: an integer is needed, got {type(v).__name__}") from None
        if not -(1 << 63) <= v <= U64_MASK:
            raise refuse(ParamError.code, f"{what}[{i}] = {v} is outside [-2^63, 2^64)")
        out[i] = v & U64_MASK
    return out


def f64_array(values: FloatVector) -> ctypes.Array:
    """A C double array of values."""
    if is_numpy(values):
        np = _numpy()
        arr = np.ascontiguousarray(values, dtype=np.float64)
        if arr.ndim != 1:
            raise refuse(ParamError.code, f"a one-dimensional array is needed, got {arr.ndim} dimensions")
        out = (ctypes.c_double * len(arr))()
        ctypes.memmove(out, arr.ctypes.data, 8 * len(arr))
        return out
    seq = [float(v) for v in values]
    return (ctypes.c_double * len(seq))(*seq)


def u64_result(words: ctypes.Array, like: Any) -> Union[List[int], Any]:
    """words as a list of ints (or a numpy uint64 array when `like` is a numpy array)."""
    if is_numpy(like):
        np = _numpy()
        return np.ctypeslib.as_array(words).copy() if len(words) else np.zeros(0, dtype=np.uint64)
    return list(words)


def f64_result(values: ctypes.Array, like: Any) -> Union[List[float], Any]:
    """values as a list of floats (or a numpy float64 array when `like` is a numpy array)."""
    if is_numpy(like):
        np = _numpy()
        return np.ctypeslib.as_array(values).copy() if len(values) else np.zeros(0)
    return list(values)


def wipe_array(arr: ctypes.Array) -> None:
    """Overwrites a ctypes array with zeros."""
    ctypes.memset(arr, 0, ctypes.sizeof(arr))
