"""Signing keys and rosters (``zero.aggregation``'s ``gen_keypair`` and ``PublicKeysWrapper``)."""
from __future__ import annotations

import ctypes
from typing import Dict, Iterator, Mapping, Tuple, Union

from ._lib import Bytes, OwnedBytes, check, lib, refuse, wipe_c
from .errors import DuplicateError, KeysError, ParamError

SIGN_PK_BYTES = 32
SIGN_SK_BYTES = 64

#: An Ed25519 public key, 32 bytes (alias for bytes, as in zero.aggregation).
SignPublicKey = bytes
#: An Ed25519 secret key in libsodium's form (seed || public key), 64 bytes.
SignSecretKey = bytes


def gen_keypair(*, wipeable: bool = False) -> Tuple[bytes, Union[bytes, bytearray]]:
    """A fresh Ed25519 key pair ``(public_key, secret_key)`` (32 and 64 bytes), as ``secagg.gen_keypair()``.

    With ``wipeable=True`` the secret key is a ``bytearray`` the caller can
    wipe with :func:`secagg.wipe` once it is no longer needed.
    """
    pk = (ctypes.c_char * SIGN_PK_BYTES)()
    sk = (ctypes.c_char * SIGN_SK_BYTES)()
    try:
        check(lib().secagg_sign_keypair(pk, sk), "gen_keypair")
        secret = bytearray(sk.raw) if wipeable else sk.raw
        return pk.raw, secret
    finally:
        wipe_c(sk)


def public_key_of(secret_key: Bytes) -> bytes:
    """The public key inside a 64-byte libsodium secret key (its last 32 bytes)."""
    view = memoryview(secret_key).cast("B")
    if len(view) != SIGN_SK_BYTES:
        raise refuse(ParamError.code, f"a secret key has {SIGN_SK_BYTES} bytes, got {len(view)}")
    return bytes(view[SIGN_SK_BYTES - SIGN_PK_BYTES:])


class PublicKeys(Mapping[int, bytes]):
    """The roster: user ids mapped to their signing public keys (``zero.aggregation.PublicKeysWrapper``).

    A read-only mapping once built; :meth:`insert` adds users. :meth:`to_bytes`
    gives the canonical roster bytes ``secagg.roster()`` returns.
    """

    def __init__(self, keys: Union[Mapping[int, Bytes], None] = None) -> None:
        self._keys: Dict[int, bytes] = {}
        for user_id, pk in (keys or {}).items():
            self.insert(user_id, pk)

    def insert(self, u: int, pk: Bytes) -> None:
        """Registers the public key of user id ``u`` (a positive bigint; each id once)."""
        if isinstance(u, bool) or not isinstance(u, int) or not 0 < u < (1 << 63):
            raise refuse(ParamError.code, f"user id {u!r} is not a positive bigint")
        if u in self._keys:
            raise refuse(DuplicateError.code, f"user id {u} is already in the roster")
        key = bytes(pk)
        if len(key) != SIGN_PK_BYTES:
            raise refuse(KeysError.code, f"user {u}: a public key has {SIGN_PK_BYTES} bytes, got {len(key)}")
        self._keys[u] = key

    def __getitem__(self, u: int) -> bytes:
        return self._keys[u]

    def __iter__(self) -> Iterator[int]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def to_bytes(self) -> bytes:
        """The canonical roster bytes (sorted ids and keys), as ``secagg.roster(ids, keys)`` returns them."""
        return roster_bytes(self._keys)


#: zero.aggregation's name for the roster.
PublicKeysWrapper = PublicKeys


def roster_bytes(keys: Mapping[int, Bytes]) -> bytes:
    """The canonical roster bytes of ``{user_id: public_key}`` (``secagg.roster()``); the library checks them."""
    ids = sorted(keys)
    n = len(ids)
    c_ids = (ctypes.c_uint64 * max(n, 1))()
    c_pks = (ctypes.c_char * max(n * SIGN_PK_BYTES, 1))()
    for i, user_id in enumerate(ids):
        if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id < (1 << 64):
            raise refuse(ParamError.code, f"user id {user_id!r} is not a positive integer")
        pk = bytes(keys[user_id])
        if len(pk) != SIGN_PK_BYTES:
            raise refuse(KeysError.code, f"user {user_id}: a public key has {SIGN_PK_BYTES} bytes, got {len(pk)}")
        c_ids[i] = user_id
        ctypes.memmove(ctypes.byref(c_pks, i * SIGN_PK_BYTES), pk, SIGN_PK_BYTES)
    with OwnedBytes() as out:
        check(lib().secagg_roster_encode(c_ids, c_pks, n, *out.refs()), "roster")
        return out.to_bytes()
