"""The conversation layer's shape (issue 9): a short agent, and the hand-coded follow-up paths gone."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_agent_reads_at_a_glance() -> None:
    lines = (ROOT / "bot" / "conversation" / "agent.py").read_text(encoding="utf-8").splitlines()
    assert len(lines) < 150


def test_the_old_agent_and_module_level_registry_are_gone() -> None:
    assert not (ROOT / "bot" / "agent.py").exists()
    assert not (ROOT / "bot" / "handlers").exists()
    handlers = (ROOT / "bot" / "conversation" / "handlers" / "__init__.py").read_text(encoding="utf-8")
    assert "REGISTRY" not in handlers  # the registry belongs to each agent, not to the module
