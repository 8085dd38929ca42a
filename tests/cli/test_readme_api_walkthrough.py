"""The README's admin API walk-through, run as written (bash, curl) against a real `centavo serve`: it must
keep working, from `centavo tenant create` to the exported CSV."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli.test_serve import CENTAVO, free_port, serving, wait_healthy

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("From a new tenant to an exported CSV")
    block = re.search(r"```sh\n(.*?)```", text[start:], re.S)
    assert block is not None, "the walk-through's ```sh block is gone"
    return block.group(1)


@pytest.mark.skipif(not (shutil.which("curl") and shutil.which("bash")), reason="needs bash and curl")
def test_the_readme_walkthrough_ends_with_the_exported_csv(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"PORT", "REDIS_URL", "MIGRATION_DATABASE_URL"}},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'centavo.db'}",
        "CENTAVO_PLATFORM_KEY": "walkthrough-platform-key",
    }
    subprocess.run([CENTAVO, "migrate"], env=env, check=True, capture_output=True, timeout=120)
    script = "\n".join(
        line
        for line in walkthrough().splitlines()
        if "centavo serve" not in line and "CENTAVO_PLATFORM_KEY=" not in line
    )
    script = script.replace(".venv/bin/centavo", CENTAVO).replace("localhost:8080", f"127.0.0.1:{port}")
    with serving(env, "--port", str(port)) as process:
        wait_healthy(port, process)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            timeout=120,
        )
    assert done.returncode == 0, done.stderr.decode()
    rows = list(csv.DictReader((tmp_path / "transactions.csv").open(encoding="utf-8")))
    assert sorted((r["merchant"], r["amount"], r["currency"], r["source"]) for r in rows) == [
        ("Mercado", "45.90", "BRL", "admin_api"),
        ("Padaria do Zé", "45.90", "BRL", "import"),
        ("Uber", "12.00", "BRL", "admin_api"),
    ]
    imported = next(r for r in rows if r["source"] == "import")
    assert imported["category"] == "dining", "the statement line was not matched to the tenant's merchant"
