"""Whole sessions: Python clients, the SQL server, exact sums with dropouts; states at every round."""
from __future__ import annotations

import json

import pytest

import secagg
from session_driver import NEVER, Session


def survivors(s: Session, drop_before: dict) -> list:
    return [u for u in s.ids if drop_before.get(u, NEVER) > 2]   # U3: the users who sent round 2


def test_complete_graph_with_dropouts(db) -> None:
    s = Session(db, n=7, t=4, m=5)
    drop = {s.ids[1]: 1, s.ids[4]: 3}          # one before ShareKeys, one before ConsistencyCheck
    total = s.run(drop)
    assert total == s.expected_sum(survivors(s, drop))
    assert all(c.finished for u, c in s.clients.items() if u not in drop)


def test_complete_graph_dropouts_in_every_round(db) -> None:
    s = Session(db, n=9, t=5, m=3, seed=2)
    drop = {s.ids[0]: 1, s.ids[2]: 2, s.ids[5]: 3, s.ids[8]: 4}
    assert s.run(drop) == s.expected_sum(survivors(s, drop))


def test_secagg_plus_with_graph_params_object(db) -> None:
    n = 12
    graph = db.execute("SELECT secagg.graph_params(%s, 0.05, 0.2, k => 6, t => 4)::text", (n,)).fetchone()[0]
    g = json.loads(graph)
    assert g["graph"] == "harary"
    s = Session(db, n=n, t=g["t"], m=4, graph=g, seed=3)
    drop = {s.ids[3]: 2, s.ids[7]: 4}
    assert s.run(drop) == s.expected_sum(survivors(s, drop))


def test_secagg_plus_graph_as_text_and_as_degree(db) -> None:
    n = 10
    text = db.execute("SELECT secagg.graph_params(%s, 0.0, 0.1, k => 4, t => 3)::text", (n,)).fetchone()[0]
    s = Session(db, n=n, t=3, m=2, graph=json.loads(text), seed=4)
    # the same session's clients made from the text and from the bare degree agree with the server
    for u, (pk, sk) in s.keys.items():
        s.clients[u] = secagg.User(u, 3, pk, sk, s.vectors[u], s.server.roster,
                                   session_id=s.server.session_id, graph=text if u % 2 else secagg.Graph(4, 3))
    drop = {s.ids[5]: 3}
    assert s.run(drop) == s.expected_sum(survivors(s, drop))


def test_numpy_vectors_and_quantized_mean(db) -> None:
    np = pytest.importorskip("numpy")
    s = Session(db, n=5, t=3, m=4, seed=5)
    x = {u: np.array([0.25, -0.5, 1.0, 0.0]) * (i + 1) / 5 for i, u in enumerate(s.ids)}
    for u, (pk, sk) in s.keys.items():
        q = secagg.quantize(x[u], 2.0, 20)
        assert q.dtype == np.uint64
        s.vectors[u] = [int(v) for v in q]
        s.clients[u] = secagg.User(u, 3, pk, sk, q, s.server.roster, session_id=s.server.session_id.hex())
    drop = {s.ids[2]: 2}
    total = s.run(drop)
    alive = survivors(s, drop)
    assert total == s.expected_sum(alive)
    got = secagg.dequantize(np.array(total, dtype=np.int64), len(alive), 2.0, 20)
    want = sum(x[u] for u in alive)
    assert np.allclose(got, want, atol=len(alive) * 4.0 / ((1 << 20) - 1))


@pytest.mark.parametrize("graph_kind", ["complete", "harary"])
def test_serialize_and_recover_at_every_round(db, graph_kind: str) -> None:
    n = 8
    graph = None
    t = 5
    if graph_kind == "harary":
        graph = json.loads(db.execute("SELECT secagg.graph_params(%s, 0.0, 0.1, k => 4, t => 3)::text",
                                      (n,)).fetchone()[0])
        t = 3
    s = Session(db, n=n, t=t, m=3, graph=graph, seed=6)
    history = {u: [] for u in s.ids}

    def roundtrip(sess: Session, u: int, r: int) -> None:
        # store the state, continue from a fresh object restored from it (the guard against the last used)
        state = sess.clients[u].serialize_state()
        last = history[u][-1] if history[u] else None
        restored = secagg.User.from_state(state, last_used=last)
        assert restored.round_number == r and restored.id == u
        sess.clients[u].close()
        sess.clients[u] = restored
        history[u].append(state)
        # any older state is a rollback now; the same state is fine
        for old in history[u][:-1]:
            with pytest.raises(secagg.RollbackError) as exc:
                secagg.check_recover(state, old)
            assert exc.value.sqlstate == "SA012" and exc.value.code == 17
        secagg.check_recover(state, state)

    drop = {s.ids[6]: 3}
    assert s.run(drop, before_answer=roundtrip) == s.expected_sum(survivors(s, drop))
    for u in s.ids:
        if u in drop:
            continue
        final = s.clients[u].serialize_state()
        assert secagg.User.from_state(final).finished
        # recover_state on a live client: forward is fine, back is refused and leaves it unchanged
        client = s.clients[u]
        for old in history[u]:
            with pytest.raises(secagg.RollbackError):
                client.recover_state(old)
            assert client.finished
        client.recover_state(final)
        with pytest.raises(secagg.RollbackError):
            secagg.User.from_state(history[u][0], last_used=final)


def test_recover_state_moves_forward_and_refuses_a_fork(db) -> None:
    s = Session(db, n=4, t=3, m=2, seed=7)
    u = s.ids[0]
    client = s.clients[u]
    start = client.serialize_state(wipeable=True)
    assert isinstance(start, bytearray)
    msg0 = s.server.round0_msg()
    client.round(msg0)
    after = client.serialize_state()
    # a second client restored from the start answers round 0 again: a fork of the same round
    twin = secagg.User.from_state(start)
    twin.round(msg0)
    with pytest.raises(secagg.RollbackError):
        client.recover_state(twin.serialize_state())
    assert client.serialize_state() == after
    # the start state on an older object may move forward
    older = secagg.User.from_state(start)
    older.recover_state(after)
    assert older.round_number == 1
    secagg.wipe(start)
    assert start == bytearray(len(start))
    # another user's state
    other = s.clients[s.ids[1]].serialize_state()
    with pytest.raises(secagg.SessionError) as exc:
        client.recover_state(other)
    assert exc.value.sqlstate == "SA001"
