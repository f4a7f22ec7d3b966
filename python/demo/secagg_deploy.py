"""Secure aggregation as a deployment looks: a server loop and N client processes.

The server is this process: it owns the session row (the server state, a
jsonb only the server reads) and, for each round, waits until every user it
sent a message to has answered in the inbox table, or until a timeout has
passed with at least t answers, then closes the round with ONE SQL statement
(server_round_agg ... GROUP BY session) under the README's lock
(server_expect_round ... FOR UPDATE) and writes the per-user messages of the
next round to the outbox table.

Every client is a separate process with its own psycopg connection. It
generates its key pair, registers its public key, and keeps its secret key,
its vector and its client state in its own memory (never in the database).
It polls the outbox for its own message of the round, answers it into the
inbox, and repeats until round 4. Some clients are killed (SIGKILL) by the
demo at different rounds: they simply stop answering.

For the comparison only, each client tells the demo its vector through a
pipe just before it posts its masked input (round 2): the sum the server
recovers is, by the protocol, the sum of the users whose round-2 message it
accepted (U3) -- including those killed later in rounds 3 and 4 -- so the
demo adds up the reported vectors of exactly those users.

Usage: python3 secagg_deploy.py DSN [--users N] [--graph] [--session K] ...
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import multiprocessing.connection
import os
import random
import signal
import sys
import time
from typing import Dict, List, Optional

import psycopg

import secagg

U64 = 1 << 64

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS secagg;
-- the server's tables; in a deployment clients reach them only through
-- column privileges or a front end: session.state is for the server alone
CREATE TABLE IF NOT EXISTS registry (session int, user_id bigint, public_key bytea,
                                     PRIMARY KEY (session, user_id));
CREATE TABLE IF NOT EXISTS session (id int PRIMARY KEY, session_id bytea, threshold int, vector_length int,
                                    roster bytea, graph jsonb, round int, state jsonb, result bigint[]);
CREATE TABLE IF NOT EXISTS outbox (session int, round int, user_id bigint, message bytea,
                                   PRIMARY KEY (session, round, user_id));
CREATE TABLE IF NOT EXISTS inbox  (session int, round int, user_id bigint, message bytea,
                                   received timestamptz DEFAULT clock_timestamp(),
                                   PRIMARY KEY (session, round, user_id));
"""

# One statement closes round %(r)s of session %(s)s: aggregates the inbox,
# stores the next state, writes the next round's messages to the outbox
# (or the sum after round 4), and returns what the loop prints.
CLOSE_ROUND = """
WITH closed AS (
  SELECT s.id, secagg.server_round_agg(s.state, m.user_id, m.message) AS output, count(*) AS answered
  FROM session s JOIN inbox m ON m.session = s.id AND m.round = %(r)s
  WHERE s.id = %(s)s
  GROUP BY s.id
), secrets AS (
  -- SecAgg+ Unmasking: the shares routed to their owners, each secret rebuilt ...
  SELECT c.id, secagg.unmask_secret_agg(x.share) AS secret
  FROM closed c JOIN inbox m ON m.session = c.id AND m.round = %(r)s,
       secagg.unmask_shares(c.output, m.user_id, m.message) x
  WHERE secagg.output_kind(c.output) = 'unmask'
  GROUP BY c.id, x.owner
), out AS (
  -- ... and the sum from the secrets; every other round's output as it is
  SELECT c.id, CASE WHEN secagg.output_kind(c.output) = 'unmask'
                    THEN (SELECT secagg.unmask_agg(c.output, g.secret) FROM secrets g WHERE g.id = c.id)
                    ELSE c.output END AS output, c.answered
  FROM closed c
), upd AS (
  UPDATE session s SET state = secagg.output_state(o.output), round = %(r)s + 1,
                       result = CASE WHEN secagg.output_is_vector(o.output) THEN secagg.output_vector(o.output) END
  FROM out o WHERE o.id = s.id
  RETURNING s.id
), sent AS (
  INSERT INTO outbox
  SELECT o.id, %(r)s + 1, x.user_id, x.message
  FROM out o, secagg.output_messages(o.output) x
  WHERE secagg.output_kind(o.output) IN ('messages', 'broadcast', 'derived')
  RETURNING user_id
), routed AS (
  -- SecAgg+ ShareKeys: the round's inbox routed as rows to the recipients
  INSERT INTO outbox
  SELECT o.id, %(r)s + 1, x.recipient, secagg.share_message_agg(x.route)
  FROM out o JOIN inbox m ON m.session = o.id AND m.round = %(r)s,
       secagg.share_routes(o.output, m.user_id, m.message) x
  WHERE secagg.output_kind(o.output) = 'routed'
  GROUP BY o.id, x.recipient
  RETURNING user_id
)
SELECT o.answered,
       (SELECT count(*) FROM sent) + (SELECT count(*) FROM routed),
       (SELECT count(*) FROM upd),
       ARRAY(SELECT r.user_id || ':' || r.sqlstate FROM secagg.output_rejected(o.output) r)
FROM out o
"""


def log(msg: str) -> None:
    print(msg, flush=True)


# ---------------------------------------------------------------- client ----

def client_main(dsn: str, sess: int, uid: int, m: int, seed: int, report_fd: "mp.connection.Connection",
                poll: float) -> None:
    """One client process: its own connection, key pair, vector and state."""
    rng = random.Random(seed * 1_000_003 + uid)
    vector = [rng.randrange(-10**6, 10**6) for _ in range(m)]
    pk, sk = secagg.gen_keypair()
    db = psycopg.connect(dsn, autocommit=True)
    db.execute("INSERT INTO registry VALUES (%s, %s, %s)", (sess, uid, pk))

    def wait_for(sql, args):
        while True:
            row = db.execute(sql, args).fetchone()
            if row is not None and row[0] is not None:
                return row
            time.sleep(poll * (0.5 + rng.random()))

    # the session's public parts (never its state)
    sid, t, roster, graph = wait_for("SELECT session_id, threshold, roster, graph::text FROM session WHERE id = %s",
                                     (sess,))
    user = secagg.User(uid, t, pk, sk, vector, roster, session_id=sid, graph=graph)
    del sk
    for r in range(5):
        # my message of round r, or the news that the server moved on without me
        while True:
            row = db.execute("SELECT o.message, s.round FROM session s LEFT JOIN outbox o "
                             "ON o.session = s.id AND o.round = %s AND o.user_id = %s WHERE s.id = %s",
                             (r, uid, sess)).fetchone()
            if row[0] is not None:
                break
            if row[1] > r:
                report_fd.send(("excluded", uid, r))
                return
            time.sleep(poll * (0.5 + rng.random()))
        answer = user.round(row[0])
        if r == 2:
            report_fd.send(("input", uid, vector))    # for the demo's comparison only
        db.execute("INSERT INTO inbox (session, round, user_id, message) VALUES (%s, %s, %s, %s)",
                   (sess, r, uid, answer))
    report_fd.send(("done", uid, vector))              # a surviving client reports its vector
    db.close()


# ---------------------------------------------------------------- server ----

def run(dsn: str, sess: int, n: int, m: int, graph_spec: Optional[tuple], kills: Dict[int, int],
        timeout: float, poll: float, seed: int) -> bool:
    with psycopg.connect(dsn, autocommit=True) as setup:
        setup.execute(SCHEMA)
    ids = [1000 + 7 * i for i in range(n)]
    ctx = mp.get_context("fork")
    procs: Dict[int, mp.Process] = {}
    pipes: Dict[object, int] = {}       # one pipe per client, for the comparison only
    t0 = time.monotonic()
    for uid in ids:
        recv, send = ctx.Pipe(duplex=False)
        p = ctx.Process(target=client_main, args=(dsn, sess, uid, m, seed, send, poll), daemon=True)
        p.start()
        send.close()
        procs[uid] = p
        pipes[recv] = uid
    log(f"session {sess}: started {n} client processes in {time.monotonic() - t0:.1f} s")
    db = psycopg.connect(dsn, autocommit=True)     # the server's connection, opened after the forks
    inputs: Dict[int, List[int]] = {}
    done: Dict[int, List[int]] = {}
    excluded: Dict[int, int] = {}

    def drain(wait: float = 0) -> None:
        for c in mp.connection.wait(list(pipes), wait):
            try:
                kind_, uid, payload = c.recv()
            except (EOFError, OSError):
                del pipes[c]
                continue
            {"input": inputs, "done": done}.get(kind_, excluded)[uid] = payload

    tty = sys.stdout.isatty()
    shown = [0.0]

    def progress(label: str, have: int, want: int, since: float) -> None:
        """A progress line while waiting: rewritten in place on a terminal, else one every 2 s."""
        waited = time.monotonic() - since
        if tty:
            sys.stdout.write(f"\r  {label}: {have}/{want} answered, {waited:4.1f} s ")
            sys.stdout.flush()
        elif waited >= shown[0] + 2:
            shown[0] = waited
            log(f"  ... {label}: {have}/{want} answered after {waited:.1f} s")

    def end_progress() -> None:
        shown[0] = 0.0
        if tty:
            sys.stdout.write("\n")

    # registration: every client posts its public key
    start = time.monotonic()
    while True:
        have = db.execute("SELECT count(*) FROM registry WHERE session = %s", (sess,)).fetchone()[0]
        progress("registration", have, n, start)
        if have == n or time.monotonic() - start > 4 * timeout + 30:
            break
        time.sleep(poll)
    end_progress()

    killed: Dict[int, int] = {}

    def kill_for_round(r: int) -> None:
        victims = [u for u, kr in kills.items() if kr == r]
        for u in victims:
            os.kill(procs[u].pid, signal.SIGKILL)
            killed[u] = r
        if victims:
            log(f"  killed {len(victims)} client processes before they answer round {r}: {victims}")

    # the session: roster from the registry, graph for SecAgg+
    roster = db.execute("SELECT secagg.roster_agg(user_id, public_key) FROM registry WHERE session = %s",
                        (sess,)).fetchone()[0]
    if graph_spec is None:
        t = (2 * n) // 3
        graph = None
        kind = f"complete graph, t = {t}"
    else:
        graph = db.execute("SELECT secagg.graph_params(%s, %s, %s)::text", (n,) + graph_spec).fetchone()[0]
        g = json.loads(graph)
        t = g["t"]
        kind = f"SecAgg+ (Harary graph, k = {g['k']}, t = {t}, from graph_params({n}, {graph_spec[0]}, {graph_spec[1]}))"
    kill_for_round(0)
    with db.transaction():
        db.execute("INSERT INTO session (id, session_id, threshold, vector_length, roster, graph, round, state) "
                   "SELECT %(s)s, sid, %(t)s, %(m)s, %(roster)s, %(g)s::jsonb, 0, "
                   "       secagg.server_create(sid, %(t)s, %(m)s, %(roster)s, %(g)s::jsonb) "
                   "FROM secagg.new_session_id() sid",
                   {"s": sess, "t": t, "m": m, "roster": roster, "g": graph})
        db.execute("INSERT INTO outbox SELECT %s, 0, r.user_id, secagg.round0_msg(s.state) "
                   "FROM registry r, session s WHERE r.session = %s AND s.id = %s", (sess, sess, sess))
    log(f"session {sess}: {n} users, {kind}, vectors of {m} bigints, round timeout {timeout:g} s")

    names = ["AdvertiseKeys", "ShareKeys", "MaskedInputCollection", "ConsistencyCheck", "Unmasking"]
    expected = n
    session_start = time.monotonic()
    for r in range(5):
        if r > 0:
            kill_for_round(r)
        start = time.monotonic()
        while True:
            have = db.execute("SELECT count(*) FROM inbox WHERE session = %s AND round = %s",
                              (sess, r)).fetchone()[0]
            waited = time.monotonic() - start
            progress(f"round {r} {names[r]}", have, expected, start)
            if have >= expected or (waited > timeout and have >= t) or waited > 10 * timeout:
                break
            drain(poll)
        end_progress()
        wait = time.monotonic() - start
        c0 = time.monotonic()
        with db.transaction():
            db.execute("SELECT secagg.server_expect_round(state, %s) FROM session WHERE id = %s FOR UPDATE",
                       (r, sess))
            answered, sent, updated, rejected = db.execute(CLOSE_ROUND, {"r": r, "s": sess}).fetchone()
        close = time.monotonic() - c0
        log(f"round {r} {names[r]:<22} answered {answered:>4}/{expected:<4}  clients+wait {wait:5.2f} s  "
            f"server close {close * 1000:6.1f} ms" + (f"  -> {sent} messages out" if r < 4 else "")
            + (f"  rejected {rejected}" if rejected else ""))
        expected = sent
    total_time = time.monotonic() - session_start
    result = db.execute("SELECT result FROM session WHERE id = %s", (sess,)).fetchone()[0]
    u3 = {u for (u,) in db.execute("SELECT user_id FROM inbox WHERE session = %s AND round = 2", (sess,))}

    # collect the clients' reports, then stop every process
    deadline = time.monotonic() + 10
    alive = {u for u in ids if u not in killed}
    while (set(done) | set(excluded)) < alive and time.monotonic() < deadline and pipes:
        drain(0.2)
    for p in procs.values():
        p.join(2)
        if p.is_alive():
            p.kill()
            p.join()
    db.close()

    # the comparison
    in_sum = sorted(u3)
    want = [sum(inputs[u][j] for u in in_sum) for j in range(m)]
    want = [((w % U64) ^ (1 << 63)) - (1 << 63) for w in want]
    same_done = all(done[u] == inputs[u] for u in done)
    log(f"session {sess}: done in {total_time:.1f} s; killed {len(killed)} "
        f"(by round: {dict(sorted((r, sum(1 for k in killed.values() if k == r)) for r in set(killed.values())))}), "
        f"{len(excluded)} too late and excluded, {len(done)} clients finished")
    log(f"  users in the sum (masked input accepted in round 2): {len(in_sum)} "
        f"(of them killed later: {sum(1 for u in in_sum if u in killed)})")
    log(f"  recovered sum (server, first 6 of {m}): {result[:6]}")
    log(f"  clients' own sum    (first 6 of {m}): {want[:6]}")
    ok = result == want and same_done and set(inputs) >= u3
    log(f"  exact equality over all {m} elements: {'YES' if ok else 'NO'}")
    return ok


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dsn")
    ap.add_argument("--users", type=int, default=120)
    ap.add_argument("--length", type=int, default=100, help="vector length")
    ap.add_argument("--session", type=int, default=1)
    ap.add_argument("--graph", action="store_true", help="SecAgg+ via graph_params(n, 0.05, 0.2)")
    ap.add_argument("--kills", default="2,3,3,2,2", help="clients killed before rounds 0..4")
    ap.add_argument("--timeout", type=float, default=4.0, help="seconds a round waits for stragglers")
    ap.add_argument("--poll", type=float, default=0.2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    ids = [1000 + 7 * i for i in range(a.users)]
    rng = random.Random(a.seed + a.session)
    victims = rng.sample(ids, sum(int(k) for k in a.kills.split(",")))
    kills = {}
    for r, k in enumerate(int(k) for k in a.kills.split(",")):
        for _ in range(k):
            kills[victims.pop()] = r
    ok = run(a.dsn, a.session, a.users, a.length, (0.05, 0.2) if a.graph else None, kills,
             a.timeout, a.poll, a.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
