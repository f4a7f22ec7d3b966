"""PINE client side: task parameters and sharding a measurement."""
from __future__ import annotations

import ctypes
import json
from typing import Any, List, Mapping, NamedTuple, Optional, Union

from ._lib import Bytes, OwnedBytes, c_buffer, check, lib, nbytes, refuse, wipe_c
from ._vectors import FloatVector, f64_array, wipe_array
from .errors import ParamError

#: What PineParams accepts: the text ``secagg.pine_params()`` returns, or that jsonb as a dict.
ParamsSource = Union[str, bytes, Mapping[str, Any]]


class Report(NamedTuple):
    """A sharded measurement: what the client uploads (``input_shares[0]`` to the Leader, then the Helpers)."""

    nonce: bytes
    public_share: bytes
    input_shares: List[bytes]


class PineParams:
    """PINE task parameters, from the canonical object ``secagg.pine_params()`` returns.

    As the SQL functions do, every derived value and the digest are checked
    against the configuration keys: an altered object raises
    :class:`ParamsMismatchError`, an invalid configuration :class:`ParamError`,
    an unknown version :class:`VersionError`, text that is not one JSON object
    of scalars :class:`MalformedError`. Read-only; safe to share between threads.
    """

    def __init__(self, params: ParamsSource) -> None:
        self._handle = ctypes.c_void_p()
        if isinstance(params, Mapping):
            text = json.dumps(dict(params)).encode()
        elif isinstance(params, str):
            text = params.encode()
        elif isinstance(params, (bytes, bytearray)):
            text = bytes(params)
        else:
            raise refuse(ParamError.code, "pine params: the text or dict secagg.pine_params() returns is needed")
        check(lib().secagg_pine_params_parse(text, len(text), ctypes.byref(self._handle)), "pine params")

    def __del__(self) -> None:
        handle = getattr(self, "_handle", None)
        if handle is not None and handle.value:
            lib().secagg_pine_params_free(handle)
            self._handle = ctypes.c_void_p()

    @property
    def dimension(self) -> int:
        """The measurement's length."""
        return int(lib().secagg_pine_dimension(self._handle))

    @property
    def num_shares(self) -> int:
        """The number of Aggregators (Leader first)."""
        return int(lib().secagg_pine_num_shares(self._handle))

    @property
    def nonce_len(self) -> int:
        """The report nonce's length in bytes."""
        return int(lib().secagg_pine_nonce_len(self._handle))

    @property
    def rand_len(self) -> int:
        """The randomness :meth:`shard` draws, in bytes (for ``rand=``)."""
        return int(lib().secagg_pine_rand_len(self._handle))

    @property
    def public_share_len(self) -> int:
        """The public share's length in bytes."""
        return int(lib().secagg_pine_public_share_len(self._handle))

    def input_share_len(self, agg_id: int) -> int:
        """The input share length of Aggregator ``agg_id`` (0 = the Leader)."""
        if not 0 <= agg_id < self.num_shares:
            raise refuse(ParamError.code, f"agg_id {agg_id} outside 0..{self.num_shares - 1}")
        return int(lib().secagg_pine_input_share_len(self._handle, agg_id))

    @property
    def digest(self) -> bytes:
        """The parameters' SHA-256 digest (the object's ``"digest"``)."""
        out = (ctypes.c_char * 32)()
        check(lib().secagg_pine_digest(self._handle, out), "pine digest")
        return out.raw

    def shard(self, measurement: FloatVector, nonce: Optional[Bytes] = None, *,
              rand: Optional[Bytes] = None) -> Report:
        """Shards a measurement (``dimension`` floats, a list or numpy array) for a report nonce.

        Without ``nonce``, a fresh random one of ``nonce_len`` bytes (returned
        in the report). Without ``rand``, fresh randomness, drawn again when
        the wraparound checks fail (``secagg.pine_shard(params, m, nonce)``);
        with ``rand`` (``rand_len`` bytes) deterministic, and
        :class:`RetryError` possible. A measurement over the L2 bound raises
        :class:`NormError` (22003), a NaN or infinite entry
        :class:`MeasurementError`.
        """
        x = f64_array(measurement)
        nonce_bytes = random_bytes(self.nonce_len) if nonce is None else bytes(nonce)
        secret_rand = c_buffer(rand) if rand is not None else None
        try:
            with OwnedBytes() as pub, OwnedBytes() as shares:
                if secret_rand is None:
                    rc = lib().secagg_pine_shard(self._handle, x, len(x), nonce_bytes, len(nonce_bytes),
                                                 *pub.refs(), *shares.refs())
                else:
                    rc = lib().secagg_pine_shard_with_rand(self._handle, x, len(x), nonce_bytes, len(nonce_bytes),
                                                           secret_rand, nbytes(rand), *pub.refs(), *shares.refs())
                check(rc, "pine shard")
                public_share, joined = pub.to_bytes(), shares.to_bytes()
        finally:
            wipe_array(x)
            if secret_rand is not None:
                wipe_c(secret_rand)
        input_shares, offset = [], 0
        for agg_id in range(self.num_shares):
            size = self.input_share_len(agg_id)
            input_shares.append(joined[offset:offset + size])
            offset += size
        return Report(nonce_bytes, public_share, input_shares)


def pine_shard(params: Union[PineParams, ParamsSource], measurement: FloatVector, nonce: Optional[Bytes] = None,
               *, rand: Optional[Bytes] = None) -> Report:
    """``secagg.pine_shard(params, measurement, nonce [, rand])`` on the client: see :meth:`PineParams.shard`."""
    p = params if isinstance(params, PineParams) else PineParams(params)
    return p.shard(measurement, nonce, rand=rand)


def random_bytes(n: int) -> bytes:
    """n random bytes from libsodium (report nonces)."""
    buf = (ctypes.c_char * max(n, 1))()
    check(lib().secagg_random_bytes(buf, n), "random_bytes")
    return buf.raw[:n]
