"""Receipt photos: how many of the generated set (tests/receipts/generate.py) ReceiptOcr + read_receipt read
right, per language and overall, the misses, and the time one photo takes to read.

A total, date or currency is right when it equals the truth; a merchant when it equals it folded and without
spaces (OCR drops the spaces between printed words: "PADARIABOMJESUS"). The currency is the one the expense
would be recorded in: the one read from the receipt, else the user's. The photo's language is the user's.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from adapters.ocr import ReceiptOcr
from nlu import read_receipt
from nlu.normalize import fold
from tests.receipts.generate import cases

FIELDS = ("total", "merchant", "day", "currency")


def _same_name(read: str | None, truth: str) -> bool:
    return fold(read or "").replace(" ", "") == fold(truth).replace(" ", "")


def main() -> None:
    started = time.perf_counter()
    receipts = cases()
    print(f"{len(receipts)} generated receipts in {time.perf_counter() - started:.2f} s")
    ocr = ReceiptOcr()
    started = time.perf_counter()
    ocr.load()
    print(f"model load: {time.perf_counter() - started:.2f} s")

    right: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS, 0))
    counts: dict[str, int] = defaultdict(int)
    seconds: list[float] = []
    misses: list[str] = []
    for receipt in receipts:
        started = time.perf_counter()
        rows = ocr.read_rows(receipt.image)
        seconds.append(time.perf_counter() - started)
        read = read_receipt(rows, currency=receipt.user_currency, today=receipt.today, lang=receipt.lang)
        found = {
            "total": read.total == receipt.total,
            "merchant": _same_name(read.merchant, receipt.merchant),
            "day": read.day == receipt.day,
            "currency": (read.currency or receipt.user_currency) == receipt.currency,
        }
        for group in (receipt.lang, "all"):
            counts[group] += 1
            for field, ok in found.items():
                right[group][field] += ok
        wrong = [field for field, ok in found.items() if not ok]
        if wrong:
            truth = {"total": receipt.total, "merchant": receipt.merchant, "day": receipt.day,
                     "currency": receipt.currency}  # fmt: skip
            got = {"total": read.total, "merchant": read.merchant, "day": read.day, "currency": read.currency}
            detail = ", ".join(f"{f} {got[f]!s} (truth {truth[f]!s})" for f in wrong)
            misses.append(f"  {receipt.name}: {detail}")

    print()
    print(f"{'':6}{'n':>4}" + "".join(f"{field:>10}" for field in FIELDS))
    for group in ("en", "es", "pt", "all"):
        n = counts[group]
        cells = "".join(f"{right[group][field] / n:>10.0%}" for field in FIELDS)
        print(f"{group:6}{n:>4}{cells}")
    print()
    print("misses:" if misses else "misses: none")
    for line in misses:
        print(line)
    print()
    ordered = sorted(seconds)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    print(
        f"read time per photo: median {statistics.median(seconds):.2f} s, p90 {p90:.2f} s, "
        f"mean {statistics.fmean(seconds):.2f} s, max {max(seconds):.2f} s"
    )


if __name__ == "__main__":
    main()
