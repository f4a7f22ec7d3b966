"""Loading libsecagg through ctypes, the C prototypes, and the call helpers.

The loaded library handle is the package's only global state. It is found,
in this order, at:

1. the path in the environment variable ``SECAGG_LIB`` (a file), if set;
2. the source tree's build directory, ``<tree>/build/lib/libsecagg.so.0``,
   when this package runs from ``<tree>/python/secagg`` (``make lib``);
3. the system library path (``libsecagg.so.0`` through the dynamic loader,
   e.g. after ``make lib-install``).
"""
from __future__ import annotations

import ctypes
import os
import threading
from ctypes import POINTER, c_char_p, c_double, c_int, c_size_t, c_uint32, c_uint64, c_void_p
from pathlib import Path
from typing import List, Optional, Tuple, Union

from .errors import ERROR_CLASSES, LibraryNotFoundError, SecaggError

SONAME = "libsecagg.so.0"
ENV_VAR = "SECAGG_LIB"

c_uint8_p = POINTER(ctypes.c_uint8)
c_uint64_p = POINTER(c_uint64)
c_double_p = POINTER(c_double)

# name: (restype, argtypes)
_PROTOTYPES = {
    "secagg_version": (c_char_p, []),
    "secagg_strerror": (c_char_p, [c_int]),
    "secagg_sqlstate": (c_char_p, [c_int]),
    "secagg_init": (c_int, []),
    "secagg_free": (None, [c_void_p, c_size_t]),
    "secagg_random_bytes": (c_int, [c_void_p, c_size_t]),
    "secagg_set_threads": (c_int, [ctypes.c_uint]),
    "secagg_sign_keypair": (c_int, [c_void_p, c_void_p]),
    "secagg_roster_encode": (c_int, [c_uint64_p, c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t)]),
    "secagg_client_new": (c_int, [c_void_p, c_size_t, c_uint64, c_uint32, c_uint32, c_void_p, c_size_t,
                                  c_uint64_p, c_size_t, c_void_p, c_size_t, POINTER(c_void_p)]),
    "secagg_client_free": (None, [c_void_p]),
    "secagg_client_round": (c_int, [c_void_p, c_void_p, c_size_t, POINTER(c_void_p), POINTER(c_size_t)]),
    "secagg_client_round_number": (c_int, [c_void_p]),
    "secagg_client_user_id": (c_uint64, [c_void_p]),
    "secagg_client_vector_length": (c_uint32, [c_void_p]),
    "secagg_client_serialize": (c_int, [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]),
    "secagg_client_deserialize": (c_int, [c_void_p, c_size_t, POINTER(c_void_p)]),
    "secagg_client_check_recover": (c_int, [c_void_p, c_size_t, c_void_p, c_size_t]),
    "secagg_client_recover": (c_int, [c_void_p, c_size_t, c_void_p, c_size_t, POINTER(c_void_p)]),
    "secagg_graph_find": (c_int, [c_uint32, c_double, c_double, c_int, POINTER(c_uint32), POINTER(c_uint32),
                                  POINTER(c_int)]),
    "secagg_graph_check": (c_int, [c_uint32, c_uint32, c_uint32, c_double, c_double, c_int]),
    "secagg_pine_params_parse": (c_int, [c_char_p, c_size_t, POINTER(c_void_p)]),
    "secagg_pine_params_free": (None, [c_void_p]),
    "secagg_pine_dimension": (c_size_t, [c_void_p]),
    "secagg_pine_num_shares": (c_size_t, [c_void_p]),
    "secagg_pine_nonce_len": (c_size_t, [c_void_p]),
    "secagg_pine_rand_len": (c_size_t, [c_void_p]),
    "secagg_pine_public_share_len": (c_size_t, [c_void_p]),
    "secagg_pine_input_share_len": (c_size_t, [c_void_p, c_uint32]),
    "secagg_pine_digest": (c_int, [c_void_p, c_void_p]),
    "secagg_pine_shard": (c_int, [c_void_p, c_double_p, c_size_t, c_void_p, c_size_t,
                                  POINTER(c_void_p), POINTER(c_size_t), POINTER(c_void_p), POINTER(c_size_t)]),
    "secagg_pine_shard_with_rand": (c_int, [c_void_p, c_double_p, c_size_t, c_void_p, c_size_t, c_void_p, c_size_t,
                                            POINTER(c_void_p), POINTER(c_size_t), POINTER(c_void_p),
                                            POINTER(c_size_t)]),
    "secagg_quantize": (c_int, [c_double_p, c_size_t, c_double, c_uint32, c_uint64_p]),
    "secagg_quantize_weighted": (c_int, [c_double_p, c_size_t, c_uint64, c_double, c_uint32, c_uint64_p]),
    "secagg_dequantize": (c_int, [c_uint64_p, c_size_t, c_uint64, c_double, c_uint32, c_double_p]),
    "secagg_dequantize_weighted": (c_int, [c_uint64_p, c_size_t, c_double, c_uint32, c_double_p]),
}

_handle: Optional[ctypes.CDLL] = None
_handle_lock = threading.Lock()


def candidate_paths() -> List[str]:
    """The places the library is looked for, in order (see the module docstring)."""
    paths = []
    env = os.environ.get(ENV_VAR)
    if env:
        paths.append(env)
    tree_build = Path(__file__).resolve().parent.parent.parent / "build" / "lib" / SONAME
    if tree_build.exists():
        paths.append(str(tree_build))
    paths.append(SONAME)
    return paths


def _load() -> ctypes.CDLL:
    errors = []
    for path in candidate_paths():
        try:
            dll = ctypes.CDLL(path)
        except OSError as exc:
            errors.append(f"{path}: {exc}")
            continue
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(dll, name)
            fn.restype = restype
            fn.argtypes = argtypes
        return dll
    raise LibraryNotFoundError(
        f"cannot load {SONAME} (set {ENV_VAR}, run `make lib` in the source tree, or `make lib-install`): "
        + "; ".join(errors))


def lib() -> ctypes.CDLL:
    """The loaded library (loaded on first use)."""
    global _handle
    if _handle is None:
        with _handle_lock:
            if _handle is None:
                _handle = _load()
    return _handle


def library_path() -> str:
    """The file the library was loaded from."""
    return lib()._name


def error_for(code: int, context: str = "") -> SecaggError:
    """The exception for a library error code (with the library's text and SQLSTATE)."""
    reason = lib().secagg_strerror(code).decode()
    sqlstate = lib().secagg_sqlstate(code).decode()
    cls = ERROR_CLASSES.get(code, SecaggError)
    message = f"{context}: {reason}" if context else reason
    return cls(message, code=code, sqlstate=sqlstate, reason=reason)


def check(code: int, context: str = "") -> None:
    """Raises the exception of a library error code; nothing for SECAGG_OK."""
    if code != 0:
        raise error_for(code, context)


def refuse(code: int, message: str) -> SecaggError:
    """An exception for a refusal this package makes on the library's behalf."""
    exc = error_for(code)
    return type(exc)(message, code=code, sqlstate=exc.sqlstate, reason=exc.reason)


# ---- buffers ---------------------------------------------------------------

Bytes = Union[bytes, bytearray, memoryview]


def c_buffer(data: Bytes) -> ctypes.Array:
    """A C copy of data (a ctypes char array, never NULL, copied without an intermediate ``bytes``).

    Wipe it with :func:`wipe_c` after the call if it is secret.
    """
    view = memoryview(data).cast("B")
    if len(view) == 0:
        return (ctypes.c_char * 1)()
    return (ctypes.c_char * len(view)).from_buffer_copy(view)


def nbytes(data: Bytes) -> int:
    """The length in bytes of a bytes-like object."""
    return memoryview(data).nbytes


def wipe(buf: Union[bytearray, memoryview]) -> None:
    """Overwrites a writable buffer (a bytearray from ``wipeable=True``) with zeros.

    ``bytes`` objects are immutable and cannot be wiped (README, "Python clients", Secrets).
    """
    view = memoryview(buf).cast("B")
    if view.readonly:
        raise TypeError("wipe: a writable buffer (bytearray) is needed; bytes objects cannot be wiped")
    view[:] = bytes(len(view))


def wipe_c(buf: ctypes.Array) -> None:
    """Overwrites a ctypes array with zeros."""
    ctypes.memset(buf, 0, ctypes.sizeof(buf))


class OwnedBytes:
    """An output buffer the library allocates: ``ptr``/``size`` to pass by reference, freed (wiped) on exit."""

    def __init__(self) -> None:
        self.ptr = c_void_p()
        self.size = c_size_t()

    def __enter__(self) -> "OwnedBytes":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.ptr.value:
            lib().secagg_free(self.ptr, self.size)
            self.ptr = c_void_p()

    def refs(self) -> Tuple[ctypes._CArgObject, ctypes._CArgObject]:  # type: ignore[name-defined]
        """(byref(ptr), byref(size)) for a ``uint8_t **out, size_t *out_len`` pair."""
        return ctypes.byref(self.ptr), ctypes.byref(self.size)

    def to_bytes(self) -> bytes:
        """A Python copy of the buffer."""
        return ctypes.string_at(self.ptr, self.size.value) if self.ptr.value else b""

    def to_bytearray(self) -> bytearray:
        """A wipeable Python copy of the buffer."""
        out = bytearray(self.size.value)
        if self.ptr.value:
            ctypes.memmove((ctypes.c_char * len(out)).from_buffer(out), self.ptr, len(out))
        return out
