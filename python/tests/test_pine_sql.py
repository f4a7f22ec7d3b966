"""PINE: reports sharded in Python, prepared, aggregated and unsharded by the SQL aggregators."""
from __future__ import annotations

import json
import math
import random
from typing import Any, List

import pytest

import secagg

FRAC = 1 << 15   # num_frac_bits 15: a measurement is encoded as floor(x * 2^15)


def run_aggregators(db: Any, params: str, reports: List[secagg.Report], rejected: int = 0) -> List[float]:
    """Every aggregator (agg_id 0 the Leader) prepares every report in SQL; the collector's unsharded sum.

    Checks that exactly `rejected` reports were rejected (as values) and that
    every aggregator counted the others.
    """
    num_shares = json.loads(params)["num_shares"]
    verify_key = secagg.random_bytes(json.loads(params)["verify_key_len"])
    db.execute("DROP TABLE IF EXISTS upload, prep")
    db.execute("CREATE TEMP TABLE upload (report_id int, agg_id int, nonce bytea, public_share bytea, input_share bytea)")
    with db.cursor() as cur:
        cur.executemany("INSERT INTO upload VALUES (%s, %s, %s, %s, %s)",
                        [(i, j, r.nonce, r.public_share, share)
                         for i, r in enumerate(reports) for j, share in enumerate(r.input_shares)])
    db.execute("""CREATE TEMP TABLE prep AS
                  SELECT u.report_id, u.agg_id, p.prep_state, p.prep_share, u.input_share
                  FROM upload u, LATERAL secagg.pine_prep_init(%s::jsonb, %s, u.agg_id, u.nonce, u.public_share,
                                                               u.input_share) p""", (params, verify_key))
    # the Leader combines all prep shares and finishes; the Helpers finish with its prep message
    rows = db.execute("""
        WITH leader AS (
          SELECT l.report_id, f.*
          FROM prep l, LATERAL secagg.pine_prep_finish(%s::jsonb, l.prep_state,
                 (SELECT array_agg(p.prep_share ORDER BY p.agg_id) FROM prep p WHERE p.report_id = l.report_id),
                 l.input_share) f
          WHERE l.agg_id = 0),
        helpers AS (
          SELECT h.agg_id, n.output_share
          FROM prep h JOIN leader l USING (report_id),
               LATERAL secagg.pine_prep_next(%s::jsonb, h.prep_state, l.prep_message) n
          WHERE h.agg_id > 0 AND l.accepted AND n.accepted),
        shares AS (
          SELECT 0 AS agg_id, output_share FROM leader WHERE accepted UNION ALL SELECT * FROM helpers),
        agg AS (
          SELECT agg_id, secagg.pine_agg(%s::jsonb, output_share) AS agg_share,
                 secagg.pine_agg_count(%s::jsonb, output_share) AS n
          FROM shares GROUP BY agg_id)
        SELECT (SELECT count(*) FROM leader WHERE NOT accepted),
               (SELECT array_agg(n ORDER BY agg_id) FROM agg),
               secagg.pine_unshard(%s::jsonb, (SELECT array_agg(agg_share ORDER BY agg_id) FROM agg),
                                   (SELECT n FROM agg WHERE agg_id = 0))""",
                      (params,) * 5).fetchone()
    n_rejected, counts, total = rows
    assert n_rejected == rejected
    assert counts == [len(reports) - rejected] * num_shares
    return total


def exact_sum(measurements: List[List[float]], draft: str = "01") -> List[float]:
    """The sum of the encoded measurements: floor(x * 2^15) under draft -01, round half to even under -02."""
    encode = math.floor if draft == "01" else round
    return [sum(encode(m[j] * FRAC) for m in measurements) / FRAC for j in range(len(measurements[0]))]


@pytest.mark.parametrize("variant,num_shares", [("Pine64", 2), ("Pine64HmacSha256Aes128", 3)])
def test_python_shards_sum_exactly_in_sql(db: Any, variant: str, num_shares: int) -> None:
    dim = 6
    params = db.execute("SELECT secagg.pine_params(%s, 1.0, %s, num_shares => %s)::text",
                        (variant, dim, num_shares)).fetchone()[0]
    p = secagg.PineParams(params)
    assert (p.dimension, p.num_shares) == (dim, num_shares)
    rng = random.Random(9)
    measurements = [[rng.uniform(-0.4, 0.4) for _ in range(dim)] for _ in range(12)]
    reports = [p.shard(m) for m in measurements]
    assert all(len(r.nonce) == p.nonce_len and len(r.public_share) == p.public_share_len for r in reports)
    assert [len(s) for s in reports[0].input_shares] == [p.input_share_len(j) for j in range(num_shares)]
    assert run_aggregators(db, params, reports) == exact_sum(measurements)


def test_numpy_measurements_and_params_as_dict(db: Any) -> None:
    np = pytest.importorskip("numpy")
    params_dict = db.execute("SELECT secagg.pine_params('Pine64', 2.0, 5, draft => '02')").fetchone()[0]
    assert isinstance(params_dict, dict)
    p = secagg.PineParams(params_dict)
    assert p.digest.hex() == params_dict["digest"]
    measurements = [np.linspace(-0.7, 0.7, 5) * (i + 1) / 4 for i in range(4)]
    reports = [secagg.pine_shard(p, m) for m in measurements]
    assert run_aggregators(db, json.dumps(params_dict), reports) == exact_sum([list(m) for m in measurements], "02")


def test_shard_with_rand_is_byte_identical_to_sql(db: Any) -> None:
    params = db.execute("SELECT secagg.pine_params('Pine64', 1.0, 4)::text").fetchone()[0]
    p = secagg.PineParams(params)
    nonce, rand = bytes(range(p.nonce_len)), bytes([0x5A]) * p.rand_len
    mine = p.shard([0.5, -0.25, 0.0, 0.125], nonce, rand=bytearray(rand))
    pub, shares = db.execute("SELECT public_share, input_shares FROM secagg.pine_shard(%s::jsonb, %s::float8[], %s, %s)",
                             (params, [0.5, -0.25, 0.0, 0.125], nonce, rand)).fetchone()
    assert (mine.nonce, mine.public_share, mine.input_shares) == (nonce, pub, shares)


def test_tampered_share_rejected_by_sql(db: Any) -> None:
    params = db.execute("SELECT secagg.pine_params('Pine64', 1.0, 4)::text").fetchone()[0]
    measurements = [[0.1, 0.2, 0.3, 0.4], [-0.5, 0.0, 0.25, 0.1], [0.3, -0.3, 0.0, 0.0]]
    reports = [secagg.pine_shard(params, m) for m in measurements]
    bad = bytearray(reports[1].input_shares[0])
    bad[40] ^= 4
    reports[1] = secagg.Report(reports[1].nonce, reports[1].public_share, [bytes(bad), reports[1].input_shares[1]])
    assert run_aggregators(db, params, reports, rejected=1) == exact_sum([measurements[0], measurements[2]])
