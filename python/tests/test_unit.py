"""Library-level tests without a database: loading, keys, rosters, quantization, graphs, PINE parameters."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import secagg
from secagg import _lib

TREE = Path(__file__).resolve().parents[2]


def test_library_is_loaded_and_versioned() -> None:
    assert secagg.library_version() == secagg.__version__
    assert Path(secagg.library_path()).name == secagg.SONAME


def test_search_order_env_then_tree_then_system(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECAGG_LIB", "/nonexistent/libsecagg.so.0")
    paths = secagg.candidate_paths()
    assert paths[0] == "/nonexistent/libsecagg.so.0"
    assert paths[-1] == secagg.SONAME
    if (TREE / "build/lib" / secagg.SONAME).exists():
        assert paths[1] == str(TREE / "build/lib" / secagg.SONAME)


def test_env_var_names_the_library_and_a_bad_path_falls_back() -> None:
    code = "import secagg; print(secagg.library_path())"
    env = dict(os.environ, PYTHONPATH=str(TREE / "python"), SECAGG_LIB=str(TREE / "build/lib" / secagg.SONAME))
    # (not from the tree root: `make` leaves the extension's secagg.so there, which Python would import)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=str(TREE / "python"))
    assert out.stdout.strip() == env["SECAGG_LIB"]
    env["SECAGG_LIB"] = "/nonexistent/libsecagg.so.0"
    # (not from the tree root: `make` leaves the extension's secagg.so there, which Python would import)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=str(TREE / "python"))
    assert out.stdout.strip() != env["SECAGG_LIB"]


def test_keypairs() -> None:
    pk, sk = secagg.gen_keypair()
    assert (len(pk), len(sk)) == (32, 64) and isinstance(sk, bytes)
    assert secagg.public_key_of(sk) == pk
    pk2, sk2 = secagg.gen_keypair(wipeable=True)
    assert isinstance(sk2, bytearray) and pk2 != pk
    secagg.wipe(sk2)
    assert sk2 == bytearray(64)
    with pytest.raises(TypeError):
        secagg.wipe(sk)


def test_roster_bytes_follow_the_wire_format() -> None:
    keys = {9: secagg.gen_keypair()[0], 3: secagg.gen_keypair()[0]}
    roster = secagg.PublicKeys(keys)
    assert roster == {3: keys[3], 9: keys[9]}
    data = roster.to_bytes()
    assert data == secagg.roster_bytes(keys)
    # "SAR1" | n u32 | n x (id u64 | pk): sorted ids
    assert data[:4] == b"SAR1" and int.from_bytes(data[4:8], "big") == 2
    assert data[8:16] == (3).to_bytes(8, "big") and data[16:48] == keys[3]
    assert data[48:56] == (9).to_bytes(8, "big") and len(data) == 8 + 2 * 40
    assert secagg.PublicKeysWrapper is secagg.PublicKeys and secagg.UserWrapper is secagg.User


def test_session_id_forms() -> None:
    assert secagg.session_id_bytes("\\x0aff") == b"\x0a\xff"
    assert secagg.session_id_bytes("0aff") == b"\x0a\xff"
    assert secagg.session_id_bytes(bytearray(b"ab")) == b"ab"


def test_quantize_lists_and_numpy() -> None:
    q = secagg.quantize([-5.0, -1.0, 1.0, 7.0], 1.0, 8)
    assert q == [0, 0, 255, 255]                     # clipped, then the ends are exact
    half = secagg.quantize([0.0] * 2000, 1.0, 1)     # s = 0.5: rounds to 0 or 1
    assert set(half) == {0, 1} and 800 < sum(half) < 1200
    w = secagg.quantize_weighted([1.0, -1.0], 3, 1.0, 4)
    assert w == [3, 45, 0]
    assert secagg.dequantize([255, 0], 1, 1.0, 8) == [1.0, -1.0]
    assert secagg.dequantize([2 * 255, 255], 2, 1.0, 8) == [2.0, 0.0]
    assert secagg.dequantize_weighted([3, 45, 0], 1.0, 4) == [1.0, -1.0]
    np = pytest.importorskip("numpy")
    qa = secagg.quantize(np.array([-1.0, 1.0]), 1.0, 16)
    assert qa.dtype == np.uint64 and qa.tolist() == [0, 65535]
    back = secagg.dequantize(np.array([65535, 0], dtype=np.uint64), 1, 1.0, 16)
    assert back.dtype == np.float64 and back.tolist() == [1.0, -1.0]
    # a sum as PostgreSQL's bigint[] shows it (two's complement) is read mod 2^64
    # 2048 clients at the top of 2^53 - 1 levels: S = 2^64 - 2048, bigint -2048
    assert secagg.dequantize([-2048], 2048, 1.0, 53) == [2048.0]


def test_graph_find_and_check() -> None:
    g = secagg.graph_find(10000, 0.05, 0.30)
    assert (g.k, g.t) == (80, 29) and not g.complete     # the README's example
    secagg.graph_check(10000, g.k, g.t, 0.05, 0.30)
    assert secagg.Graph(0, 3).complete and not secagg.Graph(4, 3).complete
    assert secagg.session_degree(None, 3, 5) == 0
    assert secagg.session_degree(secagg.Graph(4, 3), 3, 10) == 4


def test_pine_params_from_the_recorded_objects() -> None:
    for name in ("pine_params_pine64.json", "pine_params_pine32_3shares.json", "pine_params_pine64_min_batch.json"):
        text = (TREE / "test/vectors/secagg" / name).read_text()
        obj = json.loads(text)
        for source in (text, obj, text.encode()):
            p = secagg.PineParams(source)
            assert p.dimension == obj["dimension"] and p.num_shares == obj["num_shares"]
            assert p.nonce_len == obj["nonce_len"] and p.rand_len == obj["rand_len"]
            assert p.public_share_len == obj["public_share_len"]
            assert p.input_share_len(0) == obj["leader_input_share_len"]
            assert p.input_share_len(1) == obj["helper_input_share_len"]
            assert p.digest.hex() == obj["digest"]


def test_pine_shard_deterministic_with_rand_and_fresh_without() -> None:
    p = secagg.PineParams((TREE / "test/vectors/secagg/pine_params_pine64.json").read_text())
    m = [0.5, 0.0, -0.25, 0.125]
    nonce = bytes(p.nonce_len)
    rand = bytes((7 * i + 1) % 256 for i in range(p.rand_len))
    try:
        a, b = p.shard(m, nonce, rand=rand), p.shard(m, nonce, rand=rand)
        assert a == b
    except secagg.RetryError:
        pass
    fresh1, fresh2 = p.shard(m), p.shard(m)
    assert fresh1.nonce != fresh2.nonce and len(fresh1.nonce) == p.nonce_len
    assert len(fresh1.input_shares) == 2


def test_one_client_from_many_threads() -> None:
    keys = {u: secagg.gen_keypair() for u in (1, 2, 3)}
    roster = {u: pk for u, (pk, _) in keys.items()}
    user = secagg.User(1, 2, keys[1][0], keys[1][1], [1, 2], roster, session_id=b"s")
    errors = []

    def work() -> None:
        try:
            for _ in range(50):
                assert secagg.User.from_state(user.serialize_state()).round_number == 0
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with user:
        assert repr(user).startswith("<secagg.User id=1 round=0")
    assert repr(user) == "<secagg.User closed>"


def test_c_buffers_are_wiped() -> None:
    buf = _lib.c_buffer(bytearray(b"secret"))
    assert buf.raw == b"secret"
    _lib.wipe_c(buf)
    assert buf.raw == bytes(6)


def test_set_threads_range() -> None:
    for bad in (0, 65, -1, True, 2.0):
        with pytest.raises(ValueError):
            secagg.set_threads(bad)  # type: ignore[arg-type]
    secagg.set_threads(3)
    secagg.set_threads(1)
