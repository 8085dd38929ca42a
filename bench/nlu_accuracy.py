"""NLU accuracy per field and language on the test tables (tests/locales/<lang>/*.yaml)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.locales.tables import load_cases, mismatches

FIELDS = ("intent", "amount", "currency", "amounts", "date", "unresolved", "period", "merchant", "category")


def main() -> None:
    verbose = "-v" in sys.argv
    if "--misses" in sys.argv:
        # YAML for tests/locales/known_misses.yaml: every sentence missed today, with its fields.
        for case in load_cases():
            wrong = mismatches(case, case.run())
            if wrong:
                print(f"- file: {case.file}\n  text: {yaml_quote(case.text)}\n  fields: {sorted(wrong)}")
        return
    for lang in ("en", "es", "pt"):
        checked: Counter[str] = Counter()
        right: Counter[str] = Counter()
        cases = load_cases((lang,))
        for case in cases:
            wrong = mismatches(case, case.run())
            for name in FIELDS:
                if name == "intent" or name in case.expect:
                    checked[name] += 1
                    right[name] += name not in wrong
            if verbose and wrong:
                print(f"  {case.file}: {case.text!r}: {wrong}")
        line = ", ".join(f"{n} {right[n] / checked[n]:.3f} ({checked[n]})" for n in FIELDS if checked[n])
        print(f"nlu accuracy {lang}: {len(cases)} cases; {line}")


def yaml_quote(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


if __name__ == "__main__":
    main()
