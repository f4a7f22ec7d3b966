"""Whole sessions: Python clients (secagg.User) against the SQL server (SqlServer)."""
from __future__ import annotations

import random
from typing import Any, Callable, Dict, List, Mapping, Optional

import secagg
from sql_server import SqlServer

U64 = 1 << 64
NEVER = secagg.ROUND_DONE


class Session:
    """n users with fresh keys, a SQL server session, and one Python client per user."""

    def __init__(self, db: Any, n: int, t: int, m: int, graph: Optional[Dict[str, Any]] = None,
                 seed: int = 1) -> None:
        rng = random.Random(seed)
        self.ids = [100 + 3 * i for i in range(n)]
        self.keys = {u: secagg.gen_keypair() for u in self.ids}
        self.vectors = {u: [rng.randrange(-(1 << 63), 1 << 63) for _ in range(m)] for u in self.ids}
        self.server = SqlServer(db, t, m, {u: pk for u, (pk, _) in self.keys.items()}, graph)
        self.clients = {
            u: secagg.User(u, t, pk, sk, self.vectors[u], self.server.roster,
                           session_id=self.server.session_id, graph=graph)
            for u, (pk, sk) in self.keys.items()}

    def run(self, drop_before: Mapping[int, int] = {},
            before_answer: Optional[Callable[["Session", int, int], None]] = None) -> List[int]:
        """Runs rounds 0..4; user u answers rounds < drop_before[u]. Returns the SQL server's sum (bigints)."""
        inbox: Dict[int, bytes] = {u: self.server.round0_msg() for u in self.ids}
        total = None
        for r in range(5):
            replies = {}
            for u, msg in inbox.items():
                if drop_before.get(u, NEVER) <= r:
                    continue
                if before_answer is not None:
                    before_answer(self, u, r)
                replies[u] = self.clients[u].round(msg)
            messages, total, rejected = self.server.close_round(replies)
            assert rejected == []
            inbox = messages or {}
        assert total is not None
        return total

    def expected_sum(self, survivors: List[int]) -> List[int]:
        """The sum of the survivors' vectors mod 2^64, as two's-complement bigints."""
        m = len(next(iter(self.vectors.values())))
        sums = [sum(self.vectors[u][j] for u in survivors) % U64 for j in range(m)]
        return [s - U64 if s >> 63 else s for s in sums]
