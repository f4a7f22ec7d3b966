"""SecAgg+ graphs: the degree k and threshold t of a session.

A session runs on the complete graph (degree 0 for the library) or on a
Harary graph of even degree k. A client takes the graph from the same
authenticated source as the roster: usually the ``jsonb`` object
``secagg.graph_params(...)`` returned to the server (as a dict or its text),
which :func:`session_degree` checks as ``client_create`` does.
"""
from __future__ import annotations

import ctypes
import json
from typing import Any, Mapping, NamedTuple, Union

from ._lib import check, lib, refuse
from .errors import MalformedError, ParamError

MODELS = {"honest-but-curious": 0, "semi-malicious": 1}

#: What a client may be given as its session's graph: None (complete graph),
#: a degree k (int), a :class:`Graph`, or graph_params' object (dict or JSON text).
GraphSpec = Union[None, int, "Graph", Mapping[str, Any], str, bytes]


class Graph(NamedTuple):
    """A session graph: degree ``k`` (0 for the complete graph) and threshold ``t``."""

    k: int
    t: int

    @property
    def complete(self) -> bool:
        """Is this the complete graph?"""
        return self.k == 0


def graph_find(users: int, corrupt_fraction: float, dropout_fraction: float,
               server_model: str = "honest-but-curious") -> Graph:
    """k and t as ``secagg.graph_params(users, corrupt, dropout, model)`` finds them (k = 0: complete graph)."""
    k, t, complete = ctypes.c_uint32(), ctypes.c_uint32(), ctypes.c_int()
    check(lib().secagg_graph_find(users, corrupt_fraction, dropout_fraction, _model(server_model),
                                  ctypes.byref(k), ctypes.byref(t), ctypes.byref(complete)), "graph_find")
    return Graph(0 if complete.value else k.value, t.value)


def graph_check(users: int, k: int, t: int, corrupt_fraction: float, dropout_fraction: float,
                server_model: str = "honest-but-curious") -> None:
    """Raises :class:`ParamError` unless (k, t) meet the finder's security rules for these fractions."""
    check(lib().secagg_graph_check(users, k, t, corrupt_fraction, dropout_fraction, _model(server_model)),
          f"graph: k = {k}, t = {t} for {users} users")


def _model(server_model: str) -> int:
    if server_model not in MODELS:
        raise refuse(ParamError.code, 'graph: "server_model" must be "honest-but-curious" or "semi-malicious"')
    return MODELS[server_model]


def parse_graph_object(graph: Union[Mapping[str, Any], str, bytes]) -> Mapping[str, Any]:
    """graph_params' object from a dict or its JSON text."""
    if isinstance(graph, (str, bytes)):
        try:
            graph = json.loads(graph)
        except ValueError as exc:
            raise refuse(MalformedError.code, f"graph: not JSON: {exc}") from None
    if not isinstance(graph, Mapping):
        raise refuse(ParamError.code, "graph: a JSON object is needed")
    return graph


def _field(g: Mapping[str, Any], key: str, kind: type) -> Any:
    value = g.get(key)
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if value is None or isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
        raise refuse(ParamError.code, f'graph: "{key}" is missing or not a {kind.__name__}')
    return value


def session_degree(graph: GraphSpec, threshold: int, users: int, *, allow_unsafe: bool = False) -> int:
    """The library degree (0: complete graph) of a session, with the checks ``secagg.client_create`` makes.

    For graph_params' object: it must be for ``users`` users and this
    threshold, and (k, t) must meet the finder's rules for the fractions and
    server model it records. An object with ``"allow_unsafe": true`` skips
    that last check in SQL; a client refuses it unless ``allow_unsafe=True``
    (README, "Security model"). A bare degree or :class:`Graph` gets the
    library's structural checks only (k even, 2 <= k <= n - 2, 2 <= t <= k + 1).
    """
    if graph is None:
        return 0
    if isinstance(graph, Graph):
        if graph.t != threshold:
            raise refuse(ParamError.code, f"threshold {threshold} differs from the graph's t = {graph.t}")
        return graph.k
    if isinstance(graph, int) and not isinstance(graph, bool):
        return graph
    g = parse_graph_object(graph)
    kind = _field(g, "graph", str)
    if kind not in ("complete", "harary"):
        raise refuse(ParamError.code, 'graph: "graph" must be "complete" or "harary"')
    n, k, t = _field(g, "users", int), _field(g, "k", int), _field(g, "t", int)
    if n != users:
        raise refuse(ParamError.code, f"graph parameters are for {n} users, the roster has {users}")
    if t != threshold:
        raise refuse(ParamError.code, f"threshold {threshold} differs from the graph's t = {t}")
    if kind == "complete":
        return 0
    if k < 2 or k > users - 2 or k % 2 != 0 or not 2 <= t <= k + 1:
        raise refuse(ParamError.code, f"graph: k = {k}, t = {t} is not a SecAgg+ graph for {users} users")
    if g.get("allow_unsafe", False) is not False:
        if g["allow_unsafe"] is not True:
            raise refuse(ParamError.code, 'graph: "allow_unsafe" must be true or false')
        if not allow_unsafe:
            raise refuse(ParamError.code, 'graph: the object says "allow_unsafe": refused (pass allow_unsafe=True '
                                          "for tests and measurements)")
        return k
    graph_check(users, k, t, _field(g, "corrupt_fraction", float), _field(g, "dropout_fraction", float),
                _field(g, "server_model", str))
    return k

