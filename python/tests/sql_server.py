"""The secure-aggregation server in SQL (the extension), driven from the tests through psycopg."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Mapping, Optional, Tuple


class SqlServer:
    """One session's server: its state is the jsonb the server functions return, kept here as text."""

    def __init__(self, conn: Any, threshold: int, vector_length: int, keys: Mapping[int, bytes],
                 graph: Optional[Dict[str, Any]] = None) -> None:
        self.conn = conn
        ids = sorted(keys)
        self.roster: bytes = self.one("SELECT secagg.roster(%s::bigint[], %s::bytea[])",
                                      (ids, [keys[i] for i in ids]))
        self.session_id: bytes = self.one("SELECT secagg.new_session_id()")
        self.state: str = self.one(
            "SELECT secagg.server_create(%s, %s, %s, %s, %s::jsonb)::text",
            (self.session_id, threshold, vector_length, self.roster, None if graph is None else json.dumps(graph)))
        self.round = 0

    def one(self, sql: str, args: Tuple[Any, ...] = ()) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return row[0]

    def round0_msg(self) -> bytes:
        return self.one("SELECT secagg.round0_msg(%s::jsonb)", (self.state,))

    def close_round(self, replies: Mapping[int, bytes]) -> Tuple[Optional[Dict[int, bytes]], Optional[List[int]],
                                                                List[Tuple[int, str]]]:
        """Closes the round over the replies: (messages per user, or None; the sum after round 4, or None; rejected)."""
        ids = sorted(replies)
        output: bytes = self.one(
            "SELECT secagg.server_round_agg(%s::jsonb, m.u, m.msg) FROM unnest(%s::bigint[], %s::bytea[]) m(u, msg)",
            (self.state, ids, [replies[i] for i in ids]))
        rejected = [(u, s) for u, s in self.conn.execute(
            "SELECT user_id, sqlstate FROM secagg.output_rejected(%s)", (output,)).fetchall()]
        if self.one("SELECT secagg.output_kind(%s)", (output,)) == "unmask":
            # SecAgg+ Unmasking: the shares routed to their owners, each secret rebuilt, the sum
            output = self.one(
                "SELECT secagg.unmask_agg(%s, g.secret) FROM (SELECT secagg.unmask_secret_agg(x.share) AS secret "
                "FROM unnest(%s::bigint[], %s::bytea[]) m(u, msg), secagg.unmask_shares(%s, m.u, m.msg) x "
                "GROUP BY x.owner) g", (output, ids, [replies[i] for i in ids], output))
        self.state = self.one("SELECT secagg.output_state(%s)::text", (output,))
        self.round += 1
        if self.one("SELECT secagg.output_is_vector(%s)", (output,)):
            return None, self.one("SELECT secagg.output_vector(%s)", (output,)), rejected
        if self.one("SELECT secagg.output_kind(%s)", (output,)) == "routed":
            # SecAgg+ ShareKeys: the replies routed as rows to their recipients
            messages = dict(self.conn.execute(
                "SELECT x.recipient, secagg.share_message_agg(x.route) "
                "FROM unnest(%s::bigint[], %s::bytea[]) m(u, msg), secagg.share_routes(%s, m.u, m.msg) x "
                "GROUP BY x.recipient", (ids, [replies[i] for i in ids], output)).fetchall())
        else:
            messages = dict(self.conn.execute("SELECT user_id, message FROM secagg.output_messages(%s)",
                                              (output,)).fetchall())
        return messages, None, rejected
