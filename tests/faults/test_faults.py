"""`make faults` as tests: PostgreSQL stopped and hung, Redis stopped, under a live serve + worker.

The stack (faults/run.py) is our own PostgreSQL cluster and redis-server on spare ports, started once for
the module (about 25 s in all); the cases run in order, as in `make faults`.
"""

from __future__ import annotations

import glob
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from faults import run

pytestmark = pytest.mark.faults

if not glob.glob("/usr/lib/postgresql/*/bin/initdb") and not shutil.which("initdb"):
    pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed", allow_module_level=True)
if not shutil.which("redis-server"):
    pytest.skip("redis-server is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def stack() -> Iterator[run.Stack]:
    tmp = Path(tempfile.mkdtemp(prefix="centavo-faults-"))
    stack = run.Stack(tmp)
    try:
        stack.up()
        yield stack
    finally:
        stack.down()
        shutil.rmtree(tmp, ignore_errors=True)


def _passes(result: run.Result) -> None:
    assert result.ok, f"{result.name}: {result.detail}"


def test_baseline(stack: run.Stack) -> None:
    _passes(run.case_baseline(stack))


def test_postgresql_stopped_5_s(stack: run.Stack) -> None:
    _passes(run.case_pg_stopped(stack))


def test_postgresql_hung(stack: run.Stack) -> None:
    _passes(run.case_pg_hung(stack))


def test_redis_stopped(stack: run.Stack) -> None:
    _passes(run.case_redis_stopped(stack))
