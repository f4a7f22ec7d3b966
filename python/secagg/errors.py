"""Exceptions raised by the secagg package.

Every refusal of libsecagg becomes a :class:`SecaggError` of the subclass that
names the library's error code. ``SecaggError`` derives from ``OSError`` (that
is ``IOError``, what ``zero.aggregation`` raises), and the subclasses for bad
values derive from ``ValueError`` too. Each exception carries:

* ``code``: the libsecagg error code (``SECAGG_ERR_*``, stable values);
* ``name``: the code's C name, e.g. ``"SECAGG_ERR_ROLLBACK"``;
* ``sqlstate``: the SQLSTATE the SQL functions raise for the same refusal
  (``secagg_sqlstate``), e.g. ``"SA012"``;
* ``reason``: the library's fixed English text of the code.

This module holds no library calls: :func:`secagg._lib.check` builds the
exceptions from a code.
"""
from __future__ import annotations

from typing import Dict, Optional, Type


class SecaggError(OSError):
    """A refusal by libsecagg, or by this package where the library would refuse the same."""

    code: int = -1
    name: str = "SECAGG_ERR_UNKNOWN"

    def __init__(self, message: str, *, code: Optional[int] = None, sqlstate: str = "XX000",
                 reason: str = "") -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.sqlstate = sqlstate
        self.reason = reason or message

    def __str__(self) -> str:
        return f"{self.args[0]} ({self.name}, SQLSTATE {self.sqlstate})"


class NoMemoryError(SecaggError, MemoryError):
    """Allocation failed (53200)."""

    code = 1
    name = "SECAGG_ERR_NOMEM"


class ParamError(SecaggError, ValueError):
    """Invalid parameter: threshold, length, id, range (22023)."""

    code = 2
    name = "SECAGG_ERR_PARAM"


class MalformedError(SecaggError, ValueError):
    """Bytes or text do not parse (22P03)."""

    code = 3
    name = "SECAGG_ERR_MALFORMED"


class NoncanonicalError(SecaggError):
    """A field element or scalar is not reduced (22003)."""

    code = 4
    name = "SECAGG_ERR_NONCANONICAL"


class VersionError(SecaggError):
    """Unknown format version (0A000)."""

    code = 5
    name = "SECAGG_ERR_VERSION"


class SessionError(SecaggError):
    """Message or state of another session or user (SA001)."""

    code = 6
    name = "SECAGG_ERR_SESSION"


class WrongRoundError(SecaggError):
    """Message does not belong to the client's round (SA002)."""

    code = 7
    name = "SECAGG_ERR_WRONG_ROUND"


class UnknownUserError(SecaggError):
    """Id outside the set allowed in this round (SA003)."""

    code = 8
    name = "SECAGG_ERR_UNKNOWN_USER"


class DuplicateError(SecaggError):
    """Repeated id (SA004)."""

    code = 9
    name = "SECAGG_ERR_DUPLICATE"


class SignatureError(SecaggError):
    """A signature does not verify (SA005)."""

    code = 10
    name = "SECAGG_ERR_SIGNATURE"


class DecryptError(SecaggError):
    """A ciphertext does not authenticate (SA006)."""

    code = 11
    name = "SECAGG_ERR_DECRYPT"


class KeysError(SecaggError):
    """Key mismatch, repeated or low-order keys (SA007)."""

    code = 12
    name = "SECAGG_ERR_KEYS"


class ThresholdError(SecaggError):
    """Fewer than t users remain (SA008)."""

    code = 13
    name = "SECAGG_ERR_THRESHOLD"


class LengthError(SecaggError):
    """Vector length differs from the session's (SA009)."""

    code = 14
    name = "SECAGG_ERR_LENGTH"


class ReconstructError(SecaggError):
    """Shares are inconsistent (SA010)."""

    code = 15
    name = "SECAGG_ERR_RECONSTRUCT"


class FinishedError(SecaggError):
    """The client has finished the session (SA011)."""

    code = 16
    name = "SECAGG_ERR_FINISHED"


class RollbackError(SecaggError):
    """A state older than, or forking from, one already used (SA012)."""

    code = 17
    name = "SECAGG_ERR_ROLLBACK"


class LimitError(SecaggError):
    """An implementation limit is exceeded (54000)."""

    code = 18
    name = "SECAGG_ERR_LIMIT"


class CryptoError(SecaggError):
    """A primitive failed unexpectedly (XX000)."""

    code = 19
    name = "SECAGG_ERR_CRYPTO"


class InterruptedCallError(SecaggError):
    """Interrupted (57014; the library never raises it)."""

    code = 20
    name = "SECAGG_ERR_INTERRUPTED"


class GraphError(SecaggError):
    """A message does not fit the SecAgg+ graph (SA013)."""

    code = 21
    name = "SECAGG_ERR_GRAPH"


class NeighbourhoodError(SecaggError):
    """A SecAgg+ neighbourhood is below t (SA014)."""

    code = 22
    name = "SECAGG_ERR_NEIGHBOURHOOD"


class NullError(SecaggError):
    """A required argument is missing (22004)."""

    code = 23
    name = "SECAGG_ERR_NULL"


class InitError(SecaggError):
    """libsodium could not be initialised (XX000)."""

    code = 24
    name = "SECAGG_ERR_INIT"


class ParamsMismatchError(SecaggError, ValueError):
    """PINE parameters: a key missing, extra or altered (22023)."""

    code = 25
    name = "SECAGG_ERR_PARAMS_MISMATCH"


class MeasurementError(SecaggError, ValueError):
    """PINE: a NaN, infinite, subnormal or too large entry (22023)."""

    code = 26
    name = "SECAGG_ERR_MEASUREMENT"


class NormError(SecaggError, ValueError):
    """PINE: the measurement's L2 norm exceeds the bound (22003)."""

    code = 27
    name = "SECAGG_ERR_NORM"


class RetryError(SecaggError):
    """PINE: the wraparound checks failed for this randomness (SA021)."""

    code = 28
    name = "SECAGG_ERR_RETRY"


class RangeError(SecaggError, ValueError):
    """Dequantize: a sum the given clients cannot produce (22003)."""

    code = 29
    name = "SECAGG_ERR_RANGE"


class InternalError(SecaggError):
    """An impossible condition (XX000)."""

    code = 30
    name = "SECAGG_ERR_INTERNAL"


#: The exception class of each libsecagg error code.
ERROR_CLASSES: Dict[int, Type[SecaggError]] = {
    cls.code: cls for cls in (
        NoMemoryError,
        ParamError,
        MalformedError,
        NoncanonicalError,
        VersionError,
        SessionError,
        WrongRoundError,
        UnknownUserError,
        DuplicateError,
        SignatureError,
        DecryptError,
        KeysError,
        ThresholdError,
        LengthError,
        ReconstructError,
        FinishedError,
        RollbackError,
        LimitError,
        CryptoError,
        InterruptedCallError,
        GraphError,
        NeighbourhoodError,
        NullError,
        InitError,
        ParamsMismatchError,
        MeasurementError,
        NormError,
        RetryError,
        RangeError,
        InternalError,
    )
}


class LibraryNotFoundError(ImportError):
    """libsecagg.so.0 could not be loaded (see :func:`secagg.find_library`)."""


__all__ = ["SecaggError", "LibraryNotFoundError", "ERROR_CLASSES"] + [cls.__name__ for cls in ERROR_CLASSES.values()]
