"""Runs every sentence of the test tables through nlu.parse; a failure names the file and the sentence."""

from __future__ import annotations

from collections import Counter

import pytest
import yaml

from tests.locales.tables import TABLES, Case, load_cases, mismatches

CASES = load_cases()
# Sentences the NLU gets wrong today, each with the fields it misses. Strict: once one is fixed, its test
# fails until it is removed from the list, so the list only ever shrinks honestly.
KNOWN_MISSES = {
    f"{entry['file']}::{entry['text']}": entry["fields"]
    for entry in yaml.safe_load((TABLES / "known_misses.yaml").read_text(encoding="utf-8")) or []
}
# The targets, per language, on these tables (the held-out set is measured the same way).
TARGETS = {"intent": 0.95, "money": 0.97, "date": 0.95, "period": 0.95, "merchant": 0.90, "category": 0.90}


def _params() -> list[object]:
    params = []
    for case in CASES:
        fields = KNOWN_MISSES.get(case.id)
        marks = [pytest.mark.xfail(strict=True, reason=f"known miss: {fields}")] if fields else []
        params.append(pytest.param(case, id=case.id, marks=marks))
    return params


@pytest.mark.parametrize("case", _params())
def test_table_case(case: Case) -> None:
    wrong = mismatches(case, case.run())
    assert not wrong, f"{case.file}: {case.text!r}: " + "; ".join(
        f"{key} expected {exp!r} got {got!r}" for key, (exp, got) in wrong.items()
    )


def test_known_misses_name_real_cases() -> None:
    ids = {case.id for case in CASES}
    assert not set(KNOWN_MISSES) - ids, "known_misses.yaml names sentences that are not in the tables"


@pytest.mark.parametrize("lang", ["en", "es", "pt"])
def test_accuracy_per_field_meets_the_targets(lang: str) -> None:
    checked: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for case in (c for c in CASES if c.language == lang):
        wrong = mismatches(case, case.run())
        fields = {
            "intent": ["intent"],
            "money": ["amount", "currency"],
            "date": ["date"],
            "period": ["period"],
            "merchant": ["merchant"],
            "category": ["category"],
        }
        for name, keys in fields.items():
            present = [k for k in keys if k == "intent" or k in case.expect]
            if present:
                checked[name] += 1
                right[name] += not any(k in wrong for k in present)
    scores = {name: right[name] / checked[name] for name in TARGETS if checked[name]}
    below = {name: round(score, 3) for name, score in scores.items() if score < TARGETS[name]}
    assert not below, f"{lang}: below target {below} (all: { {n: round(s, 3) for n, s in scores.items()} })"
