"""Loads the per-language test tables (tests/locales/<lang>/<intent>.yaml) into runnable cases."""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from nlu import Parse, parse

TABLES = Path(__file__).resolve().parent
REQUEST_KEYS = ("now", "tz", "currency", "lang", "country")


@dataclass(frozen=True)
class Case:
    """One sentence with its request and the fields it must produce."""

    file: str
    """tests/locales/<lang>/<intent>.yaml, relative, for failure messages."""
    language: str
    intent: str
    text: str
    request: dict[str, Any]
    expect: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.file}::{self.text}"

    def run(self) -> Parse:
        now = self.request.get("now")
        # `country` only for an NLU that takes it: bench/nlu_accuracy.py --vs runs these tables through NLUs
        # from before the key existed.
        takes = "country" in inspect.signature(parse).parameters
        extra = {"country": self.request["country"]} if takes and self.request.get("country") else {}
        return parse(
            self.text,
            now=datetime.fromisoformat(now) if now else None,
            lang=self.request.get("lang"),
            currency=self.request.get("currency"),
            tz=self.request.get("tz"),
            **extra,
        )


def load_cases(languages: tuple[str, ...] = ("en", "es", "pt")) -> list[Case]:
    cases = []
    for lang in languages:
        for path in sorted((TABLES / lang).glob("*.yaml")):
            table = yaml.safe_load(path.read_text(encoding="utf-8"))
            defaults = {key: table.get(key) for key in REQUEST_KEYS}
            for entry in table.get("cases") or []:
                request = {**defaults, **{k: entry[k] for k in REQUEST_KEYS if k in entry}}
                cases.append(
                    Case(
                        file=f"tests/locales/{lang}/{path.name}",
                        language=table["language"],
                        intent=table["intent"],
                        text=str(entry["text"]),
                        request=request,
                        expect=dict(entry.get("expect") or {}),
                    )
                )
    return cases


def mismatches(case: Case, result: Parse) -> dict[str, tuple[object, object]]:
    """Field -> (expected, got) for every checked field that differs."""
    got = result.to_json()
    wrong: dict[str, tuple[object, object]] = {}
    if got["lang"] != case.language:
        wrong["lang"] = (case.language, got["lang"])
    if got["intent"] != case.intent:
        wrong["intent"] = (case.intent, got["intent"])
    for key, expected in case.expect.items():
        actual = got.get(key)
        if not _same(key, expected, actual):
            wrong[key] = (expected, actual)
    return wrong


def _same(key: str, expected: object, actual: object) -> bool:
    if key == "amount" and expected is not None and actual is not None:
        return Decimal(str(expected)) == Decimal(str(actual))
    if key == "amounts" and isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(
            Decimal(str(e["amount"])) == Decimal(str(a["amount"])) and e.get("currency") == a.get("currency")
            for e, a in zip(expected, actual, strict=True)
        )
    if key == "period" and isinstance(expected, dict) and isinstance(actual, dict):
        return str(expected["start"]) == actual["start"] and str(expected["end"]) == actual["end"]
    if key == "date" and expected is not None:
        return str(expected) == actual
    if key == "merchant" and isinstance(expected, str) and isinstance(actual, str):
        return expected.casefold() == actual.casefold()
    return expected == actual
