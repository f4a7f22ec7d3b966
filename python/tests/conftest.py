"""Shared fixtures: the package from this tree, and a database with the extension.

The SQL tests need ``SECAGG_TEST_DSN`` (scripts/python_test.sh sets it to a
throwaway cluster); without it they are skipped, unless
``SECAGG_TEST_REQUIRE_DB=1``, which makes a missing database a failure.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def dsn() -> str:
    value = os.environ.get("SECAGG_TEST_DSN")
    if not value:
        if os.environ.get("SECAGG_TEST_REQUIRE_DB") == "1":
            pytest.fail("SECAGG_TEST_DSN is not set")
        pytest.skip("no database: set SECAGG_TEST_DSN (scripts/python_test.sh does)")
    return value


@pytest.fixture(scope="session")
def db(dsn: str) -> Iterator["object"]:
    if os.environ.get("SECAGG_TEST_REQUIRE_DB") == "1":
        import psycopg
    else:
        psycopg = pytest.importorskip("psycopg")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS secagg")
        yield conn
