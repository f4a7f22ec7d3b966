"""Every refusal a client can meet: the exception class, the library code and the SQL side's SQLSTATE.

Where the SQL functions can make the same refusal, the test runs both and
compares the SQLSTATEs.
"""
from __future__ import annotations

import json
import math
from typing import Any, Callable

import pytest

import secagg
from session_driver import Session

# (class, code, SQLSTATE): the README's error tables
EXPECTED = [
    (secagg.NoMemoryError, 1, "53200"), (secagg.ParamError, 2, "22023"), (secagg.MalformedError, 3, "22P03"),
    (secagg.NoncanonicalError, 4, "22003"), (secagg.VersionError, 5, "0A000"), (secagg.SessionError, 6, "SA001"),
    (secagg.WrongRoundError, 7, "SA002"), (secagg.UnknownUserError, 8, "SA003"), (secagg.DuplicateError, 9, "SA004"),
    (secagg.SignatureError, 10, "SA005"), (secagg.DecryptError, 11, "SA006"), (secagg.KeysError, 12, "SA007"),
    (secagg.ThresholdError, 13, "SA008"), (secagg.LengthError, 14, "SA009"), (secagg.ReconstructError, 15, "SA010"),
    (secagg.FinishedError, 16, "SA011"), (secagg.RollbackError, 17, "SA012"), (secagg.LimitError, 18, "54000"),
    (secagg.CryptoError, 19, "XX000"), (secagg.InterruptedCallError, 20, "57014"), (secagg.GraphError, 21, "SA013"),
    (secagg.NeighbourhoodError, 22, "SA014"), (secagg.NullError, 23, "22004"), (secagg.InitError, 24, "XX000"),
    (secagg.ParamsMismatchError, 25, "22023"), (secagg.MeasurementError, 26, "22023"),
    (secagg.NormError, 27, "22003"), (secagg.RetryError, 28, "SA021"), (secagg.RangeError, 29, "22003"),
    (secagg.InternalError, 30, "XX000"),
]


def raises(cls: type, code: int, sqlstate: str, fn: Callable[[], Any]) -> secagg.SecaggError:
    with pytest.raises(cls) as exc:
        fn()
    err = exc.value
    assert type(err) is cls
    assert isinstance(err, secagg.SecaggError) and isinstance(err, OSError)
    assert (err.code, err.sqlstate) == (code, sqlstate), str(err)
    assert sqlstate in str(err)
    return err


def sql_sqlstate(db: Any, sql: str, args: tuple = ()) -> str:
    import psycopg
    with pytest.raises(psycopg.Error) as exc:
        db.execute(sql, args)
    return exc.value.sqlstate


# ---- the mapping ----------------------------------------------------------------

@pytest.mark.parametrize("cls,code,sqlstate", EXPECTED)
def test_every_code_has_its_class_and_sqlstate(cls: type, code: int, sqlstate: str) -> None:
    assert secagg.ERROR_CLASSES[code] is cls and cls.code == code
    assert secagg.sqlstate(code) == sqlstate
    assert secagg.strerror(code) not in ("", "unknown error code")
    from secagg._lib import error_for
    err = error_for(code, "context")
    assert type(err) is cls and err.sqlstate == sqlstate and str(err).startswith("context: ")


def test_unknown_code_is_the_base_class() -> None:
    from secagg._lib import error_for
    err = error_for(999)
    assert type(err) is secagg.SecaggError and err.code == 999 and err.sqlstate == "XX000"


def test_value_errors_are_value_errors() -> None:
    for cls in (secagg.ParamError, secagg.MalformedError, secagg.NormError, secagg.MeasurementError,
                secagg.RangeError, secagg.ParamsMismatchError):
        assert issubclass(cls, ValueError)


# ---- creating a client ------------------------------------------------------------

@pytest.fixture
def five(db: Any) -> Session:
    return Session(db, n=5, t=3, m=2, seed=11)


def make(s: Session, u: int, **over: Any) -> secagg.User:
    pk, sk = s.keys[u]
    args = dict(id=u, threshold=3, sign_pk=pk, sign_sk=sk, vec=s.vectors[u], others_sign_pks=s.server.roster,
                session_id=s.server.session_id)
    args.update(over)
    return secagg.User(**args)


def test_create_refusals(db: Any, five: Session) -> None:
    s, u, other = five, five.ids[0], five.ids[1]
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, threshold=2))          # t <= n/2
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, threshold=6))          # t > n
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, vec=[]))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, vec=[1 << 64, 0]))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, vec=[1.5, 0]))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, session_id=b""))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, session_id=b"x" * 65))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, session_id="not hex"))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, sign_sk=b"short"))
    raises(secagg.KeysError, 12, "SA007", lambda: make(s, u, sign_pk=s.keys[other][0]))
    raises(secagg.KeysError, 12, "SA007", lambda: make(s, u, sign_pk=None, sign_sk=s.keys[other][1]))
    raises(secagg.UnknownUserError, 8, "SA003", lambda: make(s, u, id=7))
    raises(secagg.MalformedError, 3, "22P03", lambda: make(s, u, others_sign_pks=s.server.roster[:-1]))
    raises(secagg.DuplicateError, 9, "SA004", lambda: secagg.PublicKeys({1: s.keys[u][0]}).insert(1, s.keys[u][0]))
    raises(secagg.KeysError, 12, "SA007",
           lambda: secagg.roster_bytes({1: s.keys[u][0], 2: s.keys[u][0]}))            # a key twice
    raises(secagg.KeysError, 12, "SA007", lambda: secagg.roster_bytes({1: b"short", 2: s.keys[u][0]}))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.roster_bytes({0: s.keys[u][0], 2: s.keys[other][0]}))
    # the SQL client makes the same refusals
    sk = s.keys[u][1]
    create = "SELECT secagg.client_create(%s, %s, %s, %s, '{1,2}'::bigint[], %s)"
    assert sql_sqlstate(db, create, (s.server.session_id, u, 2, sk, s.server.roster)) == "22023"
    assert sql_sqlstate(db, create, (s.server.session_id, u, 3, s.keys[other][1], s.server.roster)) == "SA007"
    assert sql_sqlstate(db, create, (s.server.session_id, 7, 3, sk, s.server.roster)) == "SA003"


def test_graph_refusals(db: Any) -> None:
    n = 10
    g = json.loads(db.execute("SELECT secagg.graph_params(%s, 0.0, 0.1, k => 4, t => 3)::text", (n,)).fetchone()[0])
    s = Session(db, n=n, t=3, m=2, graph=g, seed=12)
    u = s.ids[0]
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=dict(g, users=11)))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, threshold=4, graph=g))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=dict(g, graph="ring")))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=dict(g, k=5)))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=dict(g, allow_unsafe=True)))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=dict(g, corrupt_fraction=0.4)))  # rules fail
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=dict(g, server_model="evil")))
    raises(secagg.MalformedError, 3, "22P03", lambda: make(s, u, graph="{not json"))
    raises(secagg.ParamError, 2, "22023", lambda: make(s, u, graph=5))                 # odd degree
    assert make(s, u, graph=dict(g, allow_unsafe=True), allow_unsafe=True).round_number == 0
    # SQL refuses the same altered objects
    create = "SELECT secagg.client_create(%s, %s, 3, %s, '{1,2}'::bigint[], %s, %s::jsonb)"
    for bad in (dict(g, users=11), dict(g, corrupt_fraction=0.4)):
        assert sql_sqlstate(db, create, (s.server.session_id, u, s.keys[u][1], s.server.roster,
                                         json.dumps(bad))) == "22023"
    raises(secagg.ParamError, 2, "22023", lambda: secagg.graph_find(1, 0.05, 0.05))
    raises(secagg.LimitError, 18, "54000", lambda: secagg.graph_find(2000000, 0.05, 0.05))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.graph_find(1000, 0.05, 0.05, "evil"))
    k, t = secagg.graph_find(1000, 0.05, 0.05, "semi-malicious")
    secagg.graph_check(1000, k, t, 0.05, 0.05, "semi-malicious")
    raises(secagg.ParamError, 2, "22023", lambda: secagg.graph_check(1000, k, 2, 0.05, 0.05, "semi-malicious"))


# ---- answering messages -------------------------------------------------------------

def test_round_refusals(db: Any, five: Session) -> None:
    s = five
    u = s.ids[0]
    client = s.clients[u]
    msg0 = s.server.round0_msg()
    raises(secagg.MalformedError, 3, "22P03", lambda: client.round(msg0[:-1]))
    raises(secagg.MalformedError, 3, "22P03", lambda: client.round(b""))
    raises(secagg.VersionError, 5, "0A000", lambda: client.round(b"\x09" + msg0[1:]))
    other = Session(db, n=5, t=3, m=2, seed=13)
    raises(secagg.SessionError, 6, "SA001", lambda: client.round(other.server.round0_msg()))
    # the SQL client refuses the other session's message alike
    state = db.execute("SELECT secagg.client_create(%s, %s, 3, %s, '{1,2}'::bigint[], %s)::text",
                       (s.server.session_id, u, s.keys[u][1], s.server.roster)).fetchone()[0]
    assert sql_sqlstate(db, "SELECT secagg.client_round(%s::jsonb, %s)", (state, other.server.round0_msg())) == "SA001"
    assert client.round_number == 0
    # round 1's message: every user answers round 0 first
    replies = {v: c.round(msg0) for v, c in s.clients.items()}
    messages, _, _ = s.server.close_round(replies)
    raises(secagg.WrongRoundError, 7, "SA002", lambda: client.round(msg0))
    tampered = bytearray(messages[u])
    tampered[-1] ^= 1                                    # the last signature of the key list
    raises(secagg.SignatureError, 10, "SA005", lambda: client.round(bytes(tampered)))
    assert client.round_number == 1                       # unchanged by every refusal
    client.round(messages[u])
    assert client.round_number == 2


def test_finished_and_closed(db: Any) -> None:
    s = Session(db, n=3, t=2, m=1, seed=14)
    s.run()
    c = s.clients[s.ids[0]]
    raises(secagg.FinishedError, 16, "SA011", lambda: c.round(s.server.round0_msg()))
    c.close()
    c.close()
    raises(secagg.ParamError, 2, "22023", lambda: c.round(b"x"))
    assert c.round_number == -1


def test_state_refusals(five: Session) -> None:
    s = five
    state = s.clients[s.ids[0]].serialize_state()
    raises(secagg.MalformedError, 3, "22P03", lambda: secagg.User.from_state(state[:-1]))
    raises(secagg.MalformedError, 3, "22P03", lambda: secagg.User.from_state(b"XXXX" + state[4:]))
    raises(secagg.MalformedError, 3, "22P03", lambda: secagg.check_recover(state, b""))
    raises(secagg.SessionError, 6, "SA001",
           lambda: secagg.check_recover(state, s.clients[s.ids[1]].serialize_state()))
    raises(secagg.SessionError, 6, "SA001",
           lambda: secagg.User.from_state(s.clients[s.ids[1]].serialize_state(), last_used=state))


# ---- PINE ------------------------------------------------------------------------------

def test_pine_refusals(db: Any) -> None:
    params = db.execute("SELECT secagg.pine_params('Pine64', 1.0, 4)::text").fetchone()[0]
    p = secagg.PineParams(params)
    raises(secagg.MalformedError, 3, "22P03", lambda: secagg.PineParams("{not json"))
    raises(secagg.MalformedError, 3, "22P03", lambda: secagg.PineParams(params + params))
    altered = json.dumps(dict(json.loads(params), dimension=5))
    raises(secagg.ParamsMismatchError, 25, "22023", lambda: secagg.PineParams(altered))
    assert sql_sqlstate(db, "SELECT secagg.pine_params_check(%s::jsonb)", (altered,)) == "22023"
    raises(secagg.VersionError, 5, "0A000", lambda: secagg.PineParams(dict(json.loads(params), version=9)))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.PineParams(12))
    nonce = bytes(p.nonce_len)
    raises(secagg.NormError, 27, "22003", lambda: p.shard([0.8, 0.8, 0, 0], nonce))
    assert sql_sqlstate(db, "SELECT secagg.pine_shard(%s::jsonb, '{0.8,0.8,0,0}', %s)", (params, nonce)) == "22003"
    raises(secagg.MeasurementError, 26, "22023", lambda: p.shard([math.nan, 0, 0, 0], nonce))
    raises(secagg.MeasurementError, 26, "22023", lambda: p.shard([math.inf, 0, 0, 0], nonce))
    raises(secagg.ParamError, 2, "22023", lambda: p.shard([0.1, 0.1, 0.1], nonce))          # dimension
    raises(secagg.ParamError, 2, "22023", lambda: p.shard([0.1] * 4, b"short"))
    raises(secagg.ParamError, 2, "22023", lambda: p.shard([0.1] * 4, nonce, rand=b"short"))
    raises(secagg.ParamError, 2, "22023", lambda: p.input_share_len(2))
    tight = db.execute("SELECT secagg.pine_params('Pine64', 1.0, 4, alpha => 0.1)::text").fetchone()[0]
    t = secagg.PineParams(tight)
    meas = [0.6, 0.6, 0.5, 0.0]
    raises(secagg.RetryError, 28, "SA021", lambda: t.shard(meas, nonce, rand=b"\xab" * t.rand_len))
    raises(secagg.RetryError, 28, "SA021", lambda: t.shard(meas, nonce))
    assert sql_sqlstate(db, "SELECT secagg.pine_shard(%s::jsonb, '{0.6,0.6,0.5,0}', %s, %s)",
                        (tight, nonce, b"\xab" * t.rand_len)) == "SA021"


# ---- quantization -------------------------------------------------------------------------

def test_quantize_refusals() -> None:
    raises(secagg.ParamError, 2, "22023", lambda: secagg.quantize([0.5], 1.0, 0))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.quantize([0.5], 1.0, secagg.MAX_BITS + 1))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.quantize([0.5], 0.0, 8))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.quantize([0.5], math.inf, 8))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.quantize([math.nan], 1.0, 8))
    raises(secagg.ParamError, 2, "22023", lambda: secagg.quantize_weighted([0.5], 1 << 60, 1.0, 8))  # w L >= 2^64
    raises(secagg.RangeError, 29, "22003", lambda: secagg.dequantize([256], 1, 1.0, 8))
    raises(secagg.RangeError, 29, "22003", lambda: secagg.dequantize_weighted([0, 0], 1.0, 8))     # W = 0
    raises(secagg.ParamError, 2, "22023", lambda: secagg.dequantize([1], 1, 1.0, 8 + 100))
