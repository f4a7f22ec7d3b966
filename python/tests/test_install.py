"""`pip install python/` into a venv (offline: the venv's own setuptools), then the package outside the tree."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

TREE = Path(__file__).resolve().parents[2]
LIB = TREE / "build" / "lib" / "libsecagg.so.0"


@pytest.mark.skipif(not LIB.exists(), reason="make lib first")
def test_pip_install_into_a_venv(tmp_path: Path) -> None:
    pytest.importorskip("venv")
    src = tmp_path / "src"
    shutil.copytree(TREE / "python", src, ignore=shutil.ignore_patterns("tests", "build", "*.egg-info", "__pycache__"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--no-build-isolation", str(src)],
                   check=True, capture_output=True)
    env = dict(os.environ, SECAGG_LIB=str(LIB))
    env.pop("PYTHONPATH", None)
    code = ("import secagg; pk, sk = secagg.gen_keypair(); "
            "print(secagg.__file__, secagg.library_path(), secagg.public_key_of(sk) == pk)")
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], env=env, cwd=str(tmp_path),
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0].startswith(str(venv)) and out[1] == str(LIB) and out[2] == "True"
