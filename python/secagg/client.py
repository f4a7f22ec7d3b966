"""The secure-aggregation client (``zero.aggregation.UserWrapper``) over libsecagg."""
from __future__ import annotations

import ctypes
import threading
from typing import Any, Mapping, Optional, Union

from ._lib import Bytes, OwnedBytes, c_buffer, check, lib, nbytes, refuse, wipe, wipe_c
from ._vectors import IntVector, u64_array, wipe_array
from .errors import KeysError, ParamError
from .graph import GraphSpec, session_degree
from .keys import SIGN_SK_BYTES, PublicKeys, public_key_of, roster_bytes

#: The round number of a client that has finished (rounds 0..4 are awaited before).
ROUND_DONE = 5
SESSION_ID_MAX = 64

#: A roster: {user_id: public_key}, a :class:`PublicKeys`, or the canonical roster bytes.
Roster = Union[PublicKeys, Mapping[int, Bytes], bytes, bytearray]


def session_id_bytes(session_id: Union[bytes, bytearray, str]) -> bytes:
    """A session id from bytes or hex text (the server state's ``session_id``, with or without ``\\x``)."""
    if isinstance(session_id, str):
        text = session_id[2:] if session_id.startswith("\\x") else session_id
        try:
            return bytes.fromhex(text)
        except ValueError:
            raise refuse(ParamError.code, "session_id: not hex text") from None
    return bytes(session_id)


def _roster_of(roster: Roster) -> bytes:
    if isinstance(roster, (bytes, bytearray, memoryview)):
        return bytes(roster)
    if isinstance(roster, PublicKeys):
        return roster.to_bytes()
    return roster_bytes(roster)


def _roster_size(roster: bytes) -> int:
    # doc/wire-format.md, "Roster": "SAR1" | n u32 | ... (the library validates the rest).
    return int.from_bytes(roster[4:8], "big") if len(roster) >= 8 and roster[:4] == b"SAR1" else 0


class User:
    """One user's client for one session (``zero.aggregation.UserWrapper``).

    Created with the session parameters and the vector; then :meth:`round`
    answers each server message (rounds 0 to 4) with the message to send
    back. The object holds secrets (the signing key, mask seeds, shares and,
    until round 2, the vector); :meth:`close` (or leaving a ``with`` block,
    or garbage collection) wipes and frees them. Calls on one object are
    serialised by a lock.
    """

    def __init__(self, id: int, threshold: int, sign_pk: Optional[Bytes], sign_sk: Bytes, vec: IntVector,
                 others_sign_pks: Roster, *, session_id: Union[bytes, bytearray, str], graph: GraphSpec = None,
                 allow_unsafe: bool = False) -> None:
        """A client for a session.

        :param id: this user's id (in the roster).
        :param threshold: the session's threshold t (for SecAgg+, the graph's t).
        :param sign_pk: this user's public key (checked against ``sign_sk``), or None.
        :param sign_sk: this user's 64-byte Ed25519 secret key (bytes or a wipeable bytearray).
        :param vec: the vector to sum (ints in [-2^63, 2^64), taken mod 2^64; a list or a numpy integer array).
        :param others_sign_pks: the roster: ``{id: public_key}``, :class:`PublicKeys` or ``secagg.roster()``'s bytes.
        :param session_id: the session id (bytes, or the hex of the server state's ``session_id``).
        :param graph: None (complete graph), the object ``secagg.graph_params()`` returned (dict or text),
            a :class:`~secagg.graph.Graph` or a SecAgg+ degree k.
        :param allow_unsafe: accept a graph object with ``"allow_unsafe": true`` (tests only).
        """
        self._lock = threading.Lock()
        self._handle = ctypes.c_void_p()
        sid = session_id_bytes(session_id)
        if len(sid) > SESSION_ID_MAX:
            raise refuse(ParamError.code, f"session_id: at most {SESSION_ID_MAX} bytes, got {len(sid)}")
        if nbytes(sign_sk) != SIGN_SK_BYTES:
            raise refuse(ParamError.code, f"a secret key has {SIGN_SK_BYTES} bytes")
        if sign_pk is not None and bytes(sign_pk) != public_key_of(sign_sk):
            raise refuse(KeysError.code, f"user {id}: the public key does not match the secret key")
        roster = _roster_of(others_sign_pks)
        degree = session_degree(graph, threshold, _roster_size(roster), allow_unsafe=allow_unsafe)
        if not 0 < id < (1 << 64) or not 0 <= threshold < (1 << 32) or not 0 <= degree < (1 << 32):
            raise refuse(ParamError.code, f"user id {id}, threshold {threshold}, degree {degree}: out of range")
        sk = c_buffer(sign_sk)
        words = u64_array(vec)
        try:
            check(lib().secagg_client_new(sid, len(sid), id, threshold, degree, sk, SIGN_SK_BYTES, words,
                                          len(words), roster, len(roster), ctypes.byref(self._handle)),
                  f"user {id}: client")
        finally:
            wipe_c(sk)
            wipe_array(words)

    # ---- construction from a state -------------------------------------------

    @classmethod
    def _adopt(cls, handle: ctypes.c_void_p) -> "User":
        user = cls.__new__(cls)
        user._lock = threading.Lock()
        user._handle = handle
        return user

    @classmethod
    def from_state(cls, state: Bytes, *, last_used: Optional[Bytes] = None) -> "User":
        """A client restored from :meth:`serialize_state`'s bytes (e.g. in a new process).

        With ``last_used`` (the last state this client used, kept by the
        caller), the rollback guard runs first: :class:`RollbackError` if
        ``state`` is older than it or forks from it, :class:`SessionError`
        if it belongs to another session or user.
        """
        handle = ctypes.c_void_p()
        cand = c_buffer(state)
        try:
            if last_used is None:
                check(lib().secagg_client_deserialize(cand, nbytes(state), ctypes.byref(handle)),
                      "recover_state")
            else:
                cur = c_buffer(last_used)
                try:
                    check(lib().secagg_client_recover(cur, nbytes(last_used), cand,
                                                      nbytes(state), ctypes.byref(handle)),
                          "recover_state")
                finally:
                    wipe_c(cur)
        finally:
            wipe_c(cand)
        return cls._adopt(handle)

    # ---- the protocol ----------------------------------------------------------

    def _live(self) -> ctypes.c_void_p:
        if not self._handle.value:
            raise refuse(ParamError.code, "the client is closed")
        return self._handle

    def round(self, input: Bytes) -> bytes:
        """Answers the server's message of this client's round; returns the message to send to the server.

        A refused message (another session's or round's, a bad signature...)
        raises and leaves the client unchanged: it can still answer a valid
        message of the same round. :class:`FinishedError` once finished.
        """
        msg = bytes(input)
        with self._lock, OwnedBytes() as out:
            check(lib().secagg_client_round(self._live(), msg, len(msg), *out.refs()),
                  f"round {self.round_number}")
            return out.to_bytes()

    def serialize_state(self, *, wipeable: bool = False) -> Union[bytes, bytearray]:
        """The client's state as bytes (``doc/wire-format.md``, "Client state"). It HOLDS SECRETS.

        With ``wipeable=True`` a ``bytearray`` the caller can wipe with
        :func:`secagg.wipe` once stored.
        """
        with self._lock, OwnedBytes() as out:
            check(lib().secagg_client_serialize(self._live(), *out.refs()), "serialize_state")
            return out.to_bytearray() if wipeable else out.to_bytes()

    def recover_state(self, state: Bytes) -> None:
        """Replaces this client's state by ``state`` (from :meth:`serialize_state`), with the rollback guard.

        The guard compares ``state`` with this client's current state: a
        state of an earlier round, or a different state of the same round
        (a fork), raises :class:`RollbackError` (SQLSTATE SA012); another
        session's or user's raises :class:`SessionError` (SA001). The
        client is unchanged on any error.
        """
        current = self.serialize_state(wipeable=True)
        try:
            fresh = User.from_state(state, last_used=current)
        finally:
            wipe(current)
        with self._lock:
            old, self._handle = self._handle, fresh._handle
            fresh._handle = ctypes.c_void_p()
        lib().secagg_client_free(old)

    # ---- properties --------------------------------------------------------------

    @property
    def round_number(self) -> int:
        """0..4: the round whose server message is awaited; 5 (:data:`ROUND_DONE`): finished."""
        return lib().secagg_client_round_number(self._handle) if self._handle.value else -1

    @property
    def finished(self) -> bool:
        """Has the client answered round 4?"""
        return self.round_number == ROUND_DONE

    @property
    def id(self) -> int:
        """The user id."""
        return int(lib().secagg_client_user_id(self._live()))

    @property
    def vector_length(self) -> int:
        """The session's vector length m."""
        return int(lib().secagg_client_vector_length(self._live()))

    # ---- lifetime ----------------------------------------------------------------

    def close(self) -> None:
        """Wipes and frees the client's secrets (idempotent)."""
        lock = getattr(self, "_lock", None)
        if lock is None:
            return
        with lock:
            handle = getattr(self, "_handle", None)
            if handle is not None and handle.value:
                lib().secagg_client_free(handle)
                self._handle = ctypes.c_void_p()

    def __enter__(self) -> "User":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def __repr__(self) -> str:
        if not self._handle.value:
            return "<secagg.User closed>"
        return f"<secagg.User id={self.id} round={self.round_number} m={self.vector_length}>"


#: zero.aggregation's name for the client.
UserWrapper = User


def check_recover(current: Bytes, candidate: Bytes) -> None:
    """The rollback guard alone: may ``candidate`` replace ``current``, the last state used? Raises if not."""
    cur, cand = c_buffer(current), c_buffer(candidate)
    try:
        check(lib().secagg_client_check_recover(cur, nbytes(current), cand,
                                                nbytes(candidate)), "check_recover")
    finally:
        wipe_c(cur)
        wipe_c(cand)

