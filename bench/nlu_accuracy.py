"""NLU accuracy per field and language on the test tables (tests/locales/<lang>/*.yaml); `--vs REF` also
scores commit REF's NLU on the same tables (before and after on one run)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# `--nlu-from DIR` (set by --vs): import the nlu package from DIR, the tables from this checkout.
if "--nlu-from" in sys.argv:
    sys.path.insert(0, sys.argv[sys.argv.index("--nlu-from") + 1])
sys.path.insert(1 if "--nlu-from" in sys.argv else 0, str(ROOT))

from tests.locales.tables import load_cases, mismatches  # noqa: E402 (after the path is set)

FIELDS = ("intent", "amount", "currency", "amounts", "date", "unresolved", "period", "merchant", "category")


def score_commit(ref: str) -> None:
    """The same tables read by commit `ref`'s nlu/ and locales/ (unpacked from git), in a child process."""
    with tempfile.TemporaryDirectory(prefix="nlu-accuracy-") as folder:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "nlu", "locales"], capture_output=True
        )
        if archive.returncode != 0:
            print(f"{ref}: not in this clone's history, skipped")
            return
        subprocess.run(["tar", "-x", "-C", folder], input=archive.stdout, check=True)
        print(f"== {ref} on this checkout's tables")
        env = {**os.environ, "CENTAVO_LOCALES_DIR": str(Path(folder) / "locales")}
        subprocess.run([sys.executable, __file__, "--nlu-from", folder], env=env, check=True)


def main() -> None:
    if "--vs" in sys.argv:
        score_commit(sys.argv[sys.argv.index("--vs") + 1])
        print("== this checkout")
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
