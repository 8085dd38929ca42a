"""Tunes the write policy's confidence threshold on the test tables: friction on right writes against wrong
writes let through, per threshold (bot/conversation/policy.py WRITE_CONFIDENCE)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.conversation.policy import WRITE_CONFIDENCE, WRITE_INTENTS
from tests.locales.tables import load_cases

THRESHOLDS = (0.3, 0.4, 0.5, 0.55, 0.6, 0.65, 0.7, 0.8, 0.9)


def main() -> None:
    right: list[float] = []
    wrong: list[tuple[float, str, str, str]] = []
    for case in load_cases():
        result = case.run()
        if result.intent not in WRITE_INTENTS:
            continue
        if result.intent == case.intent:
            right.append(result.confidence)
        else:
            wrong.append((result.confidence, case.intent, result.intent, case.text))
    print(f"readings that would write: {len(right)} right, {len(wrong)} wrong (intent) on the test tables")
    print("threshold  right writes asked first  wrong writes not asked")
    for threshold in THRESHOLDS:
        asked = sum(c < threshold for c in right)
        through = sum(c >= threshold for c, *_ in wrong)
        mark = "  <- WRITE_CONFIDENCE" if threshold == WRITE_CONFIDENCE else ""
        print(f"{threshold:9.2f}  {asked:4d} ({asked / max(len(right), 1):6.1%})          {through:4d}{mark}")
    if "-v" in sys.argv:
        for confidence, expected, got, text in sorted(wrong, reverse=True):
            print(f"  {confidence:.2f} {expected} read as {got}: {text}")


if __name__ == "__main__":
    main()
