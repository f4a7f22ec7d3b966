"""PINE as a deployment looks: client processes, a Leader and a Helper in two clusters, a collector.

Each client process shards its real-valued vector (L2 norm at most the
task's bound) with secagg.PineParams.shard and uploads the Leader's input
share to the Leader's database and the Helper's input share to the Helper's
database, each over its own connection; neither aggregator ever sees the
other's share. A few clients cheat: their vectors are over the norm bound,
and they shard them under a looser bound with the same message sizes (the
client library refuses to shard an over-bound vector under the task's own
parameters). The aggregators prepare in SQL, exchange prep shares and prep
messages (carried by this process, as an aggregator-to-aggregator channel
would), reject the cheaters as values, and aggregate the valid reports; the
collector adds the two aggregate shares and decodes the sum.

For the comparison only, every client tells the demo its vector through a
pipe; the demo prints the decoded sum next to the true sum of the honest
clients' vectors (exact in the encoded domain: floor(x * 2^15) / 2^15).

Usage: python3 pine_deploy.py LEADER_DSN HELPER_DSN [--clients N] [--cheaters K]
"""
from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import multiprocessing.connection
import random
import sys
import time
from typing import Dict, List

import psycopg

import secagg

DIM = 100
BOUND = 1.0
LOOSE = 1.4          # a cheater's bound: same message sizes as 1.0
FRAC = 1 << 15

TABLES = """
CREATE EXTENSION IF NOT EXISTS secagg;
CREATE TABLE task (params jsonb, verify_key bytea);
CREATE TABLE report (report_id int PRIMARY KEY, nonce bytea, public_share bytea, input_share bytea);
"""


def log(msg: str) -> None:
    print(msg, flush=True)


def client_main(leader_dsn: str, helper_dsn: str, rid: int, params: str, loose: str, cheat: bool,
                seed: int, pipe: "mp.connection.Connection") -> None:
    """One client: its vector, its shards, one upload to each aggregator."""
    rng = random.Random(seed * 7919 + rid)
    x = [rng.gauss(0, 1) for _ in range(DIM)]
    norm = math.sqrt(sum(v * v for v in x))
    target = rng.uniform(1.1, 1.3) if cheat else rng.uniform(0.2, 0.95)   # honest: within the bound 1.0
    x = [v * target / norm for v in x]
    report = secagg.PineParams(loose if cheat else params).shard(x)
    pipe.send((rid, x, cheat))
    with psycopg.connect(leader_dsn, autocommit=True) as leader:
        leader.execute("INSERT INTO report VALUES (%s, %s, %s, %s)",
                       (rid, report.nonce, report.public_share, report.input_shares[0]))
    with psycopg.connect(helper_dsn, autocommit=True) as helper:
        helper.execute("INSERT INTO report VALUES (%s, %s, %s, %s)",
                       (rid, report.nonce, report.public_share, report.input_shares[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("leader_dsn")
    ap.add_argument("helper_dsn")
    ap.add_argument("--clients", type=int, default=100)
    ap.add_argument("--cheaters", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    leader = psycopg.connect(a.leader_dsn, autocommit=True)
    helper = psycopg.connect(a.helper_dsn, autocommit=True)
    for db in (leader, helper):
        db.execute(TABLES)
    # the task: the collector's parameters, one verify key shared by the two aggregators
    params = leader.execute("SELECT secagg.pine_params('Pine64', %s, %s)::text", (BOUND, DIM)).fetchone()[0]
    loose = leader.execute("SELECT secagg.pine_params('Pine64', %s, %s)::text", (LOOSE, DIM)).fetchone()[0]
    verify_key = secagg.random_bytes(json.loads(params)["verify_key_len"])
    for db in (leader, helper):
        db.execute("INSERT INTO task VALUES (%s::jsonb, %s)", (params, verify_key))
    log(f"PINE task: Pine64, dimension {DIM}, L2 norm bound {BOUND}; Leader and Helper in two clusters")

    rng = random.Random(a.seed)
    cheaters = set(rng.sample(range(1, a.clients + 1), a.cheaters))
    ctx = mp.get_context("fork")
    pipes: Dict[object, int] = {}
    procs = []
    t0 = time.monotonic()
    for rid in range(1, a.clients + 1):
        recv, send = ctx.Pipe(duplex=False)
        pr = ctx.Process(target=client_main, daemon=True,
                         args=(a.leader_dsn, a.helper_dsn, rid, params, loose, rid in cheaters, a.seed, send))
        pr.start()
        send.close()
        pipes[recv] = rid
        procs.append(pr)
    truth: Dict[int, List[float]] = {}
    cheated: Dict[int, bool] = {}
    while pipes:
        for c in mp.connection.wait(list(pipes), 30):
            try:
                rid, x, cheat = c.recv()
                truth[rid], cheated[rid] = x, cheat
            except EOFError:
                pass
            del pipes[c]
    for pr in procs:
        pr.join(30)
    n_up = [db.execute("SELECT count(*) FROM report").fetchone()[0] for db in (leader, helper)]
    log(f"clients: {a.clients} processes sharded and uploaded in {time.monotonic() - t0:.1f} s "
        f"(Leader holds {n_up[0]} Leader shares, Helper {n_up[1]} Helper shares; {len(cheaters)} over the bound)")

    # both aggregators: prep_init over their own shares
    t1 = time.monotonic()
    prep_init = """CREATE TABLE prep AS
      SELECT r.report_id, p.prep_state, p.prep_share
      FROM report r, task t, LATERAL secagg.pine_prep_init(t.params, t.verify_key, %s, r.nonce, r.public_share,
                                                           r.input_share) p"""
    leader.execute(prep_init, (0,))
    helper.execute(prep_init, (1,))
    # Helper -> Leader: prep shares; the Leader combines and finishes its own
    leader.execute("CREATE TABLE helper_prep (report_id int PRIMARY KEY, prep_share bytea)")
    with leader.cursor() as cur:
        cur.executemany("INSERT INTO helper_prep VALUES (%s, %s)",
                        helper.execute("SELECT report_id, prep_share FROM prep").fetchall())
    # (the Leader's prep state holds only a digest of its input share: it passes the share again)
    leader.execute("""CREATE TABLE outcome AS
      SELECT l.report_id, f.accepted, f.reject_reason, f.prep_message, f.output_share
      FROM prep l JOIN helper_prep h USING (report_id) JOIN report r USING (report_id), task t,
           LATERAL secagg.pine_prep_finish(t.params, l.prep_state, ARRAY[l.prep_share, h.prep_share],
                                           r.input_share) f""")
    rejected = leader.execute("SELECT report_id, reject_reason FROM outcome WHERE NOT accepted "
                              "ORDER BY report_id").fetchall()
    # Leader -> Helper: prep messages of the accepted reports; the Helper finishes
    helper.execute("CREATE TABLE leader_msg (report_id int PRIMARY KEY, prep_message bytea)")
    with helper.cursor() as cur:
        cur.executemany("INSERT INTO leader_msg VALUES (%s, %s)",
                        leader.execute("SELECT report_id, prep_message FROM outcome WHERE accepted").fetchall())
    helper.execute("""CREATE TABLE outcome AS
      SELECT h.report_id, n.accepted, n.output_share
      FROM prep h JOIN leader_msg m USING (report_id), task t,
           LATERAL secagg.pine_prep_next(t.params, h.prep_state, m.prep_message) n""")
    t2 = time.monotonic()
    # each aggregator: one aggregate share
    agg = "SELECT secagg.pine_agg(t.params, o.output_share), count(*) FROM outcome o, task t WHERE o.accepted GROUP BY t.params"
    l_share, l_n = leader.execute(agg).fetchone()
    h_share, h_n = helper.execute(agg).fetchone()
    t3 = time.monotonic()
    log(f"aggregators: prepared {n_up[0]} reports in {t2 - t1:.2f} s, aggregated in {(t3 - t2) * 1000:.0f} ms; "
        f"accepted by Leader {l_n}, by Helper {h_n}")
    for r, reason in rejected:
        norm = math.sqrt(sum(v * v for v in truth[r]))
        log(f"  rejected report {r}: {reason} (its vector's L2 norm {norm:.3f} > {BOUND})")
    # the collector: adds the two aggregate shares and decodes
    total = leader.execute("SELECT secagg.pine_unshard(%s::jsonb, ARRAY[%s, %s]::bytea[], %s)",
                           (params, l_share, h_share, l_n)).fetchone()[0]
    honest = sorted(r for r in truth if not cheated[r])
    exact = [sum(math.floor(truth[r][j] * FRAC) for r in honest) / FRAC for j in range(DIM)]
    plain = [sum(truth[r][j] for r in honest) for j in range(DIM)]
    log(f"collector: decoded sum of {l_n} reports (first 5 of {DIM}): {[round(v, 5) for v in total[:5]]}")
    log(f"  true sum of the {len(honest)} honest clients' vectors:  {[round(v, 5) for v in plain[:5]]}")
    err = max(abs(u - v) for u, v in zip(total, plain))
    ok = (total == exact and sorted(r for r, _ in rejected) == sorted(cheaters) and l_n == h_n == len(honest))
    log(f"  exact equality with the encoded sum (floor(x * 2^15) / 2^15): {'YES' if total == exact else 'NO'}; "
        f"largest difference from the float sum {err:.2e} (at most n / 2^15 = {len(honest) / FRAC:.2e})")
    log(f"  rejected exactly the {len(cheaters)} clients over the bound: {'YES' if ok else 'NO'}")
    leader.close()
    helper.close()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
