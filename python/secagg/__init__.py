"""secagg: Python clients for secagg's secure aggregation and PINE, over libsecagg (ctypes).

The client API mirrors ``zero.aggregation``: :func:`gen_keypair`, a roster
(:class:`PublicKeys`, alias ``PublicKeysWrapper``), and :class:`User` (alias
``UserWrapper``) with ``round(message) -> bytes``, ``serialize_state()`` and
``recover_state(state)``. The server runs in PostgreSQL (the secagg
extension). PINE sharding (:class:`PineParams`, :func:`pine_shard`) and the
quantization helpers complete it. Errors are :class:`SecaggError` subclasses
carrying the library code and the SQL side's SQLSTATE.
"""
from __future__ import annotations

from ._lib import SONAME, candidate_paths, library_path, wipe
from ._lib import check as _check
from ._lib import lib as _library
from .client import ROUND_DONE, Roster, User, UserWrapper, check_recover, session_id_bytes
from . import errors as _errors
from .errors import *  # noqa: F403 (SecaggError, its subclasses, ERROR_CLASSES)
from .graph import Graph, graph_check, graph_find, session_degree
from .keys import (SIGN_PK_BYTES, SIGN_SK_BYTES, PublicKeys, PublicKeysWrapper, SignPublicKey, SignSecretKey,
                   gen_keypair, public_key_of, roster_bytes)
from .pine import PineParams, Report, pine_shard, random_bytes
from .quantize import MAX_BITS, dequantize, dequantize_weighted, quantize, quantize_weighted

__version__ = "0.4.0"

__all__ = [
    "SONAME", "candidate_paths", "library_path", "library_version", "set_threads", "strerror", "sqlstate", "wipe",
    "ROUND_DONE", "Roster", "User", "UserWrapper", "check_recover", "session_id_bytes",
    "Graph", "graph_check", "graph_find", "session_degree",
    "SIGN_PK_BYTES", "SIGN_SK_BYTES", "PublicKeys", "PublicKeysWrapper", "SignPublicKey", "SignSecretKey",
    "gen_keypair", "public_key_of", "roster_bytes",
    "PineParams", "Report", "pine_shard", "random_bytes",
    "MAX_BITS", "dequantize", "dequantize_weighted", "quantize", "quantize_weighted",
] + _errors.__all__


def library_version() -> str:
    """The loaded libsecagg's version (``secagg_version()``)."""
    return _library().secagg_version().decode()


def set_threads(threads: int) -> None:
    """Threads a client round may use, 1 to 64 (``secagg_set_threads``; 1 by default).

    Process-wide: set it once, before clients run on several threads. The
    messages do not depend on it.
    """
    if not isinstance(threads, int) or isinstance(threads, bool) or not 1 <= threads <= 64:
        raise ValueError("threads must be an int from 1 to 64")
    _check(_library().secagg_set_threads(threads), "set_threads")


def strerror(code: int) -> str:
    """The library's fixed English text of an error code."""
    return _library().secagg_strerror(code).decode()


def sqlstate(code: int) -> str:
    """The SQLSTATE the SQL functions raise for an error code."""
    return _library().secagg_sqlstate(code).decode()
