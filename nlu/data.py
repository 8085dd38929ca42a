"""Finds and loads the language data in locales/ (YAML), once per process."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import yaml

# libyaml's loader is several times faster; the pure-Python one is the fallback where it is not built.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@cache
def locales_dir() -> Path:
    """CENTAVO_LOCALES_DIR, else locales/ beside the packages (a checkout or an editable install)."""
    configured = os.environ.get("CENTAVO_LOCALES_DIR")
    candidates = [Path(configured)] if configured else []
    candidates += [Path(__file__).resolve().parents[1] / "locales", Path.cwd() / "locales"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("no locales/ directory found; set CENTAVO_LOCALES_DIR")


@cache
def load(relative: str) -> Any:
    """Parsed YAML of locales/<relative>, e.g. load("pt/currencies.yaml") or load("merchants.yaml")."""
    with (locales_dir() / relative).open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)


def load_lang(lang: str, name: str) -> Any:
    """locales/<lang>/<name>.yaml."""
    return load(f"{lang}/{name}.yaml")
