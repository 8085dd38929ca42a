"""Receipt photos: how many of the generated set (tests/receipts/generate.py) ReceiptOcr + read_receipt read
right, per language and overall, the misses, and the time one photo takes to read.

A total, date or currency is right when it equals the truth; a merchant when it equals it folded and without
spaces (OCR drops the spaces between printed words: "PADARIABOMJESUS"). The currency is the one the expense
would be recorded in: the one read from the receipt, else the user's. The photo's language is the user's.
"""

from __future__ import annotations

import io
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image

from adapters.ocr import ReceiptOcr
from bot.conversation.receipts import reading
from nlu import read_receipt
from nlu.normalize import fold
from tests.receipts.generate import ReceiptCase, cases

READER_LOCALES = {"BR": "pt_BR", "MX": "es_MX", "ES": "es_ES", "AR": "es_AR", "US": "en_US"}
"""The locale of someone who sends a receipt of each country."""

FIELDS = ("total", "merchant", "day", "currency")
VARIANTS = 20
"""Text-level variants per receipt: the printed lines garbled the ways OCR garbles them, without the OCR."""


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
    read_rows: list[tuple[ReceiptCase, list[str]]] = []
    for receipt in receipts:
        started = time.perf_counter()
        rows = ocr.read_rows(receipt.image)
        seconds.append(time.perf_counter() - started)
        read_rows.append((receipt, rows))
        # As the chat reads it (bot/conversation/receipts.py): the receipt's words first, then the reader's.
        read = reading(
            rows,
            currency=receipt.user_currency,
            today=receipt.today,
            lang=receipt.lang,
            locale=READER_LOCALES[receipt.country],
        )
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
    travellers(read_rows)


def travellers(read_rows: list[tuple[ReceiptCase, list[str]]]) -> None:
    """The receipts from outside the US read by someone whose money is dollars: is the expense in the
    receipt's currency (a "$" on a Mexican receipt is pesos, a Spanish one's missing "€" is euros)?"""
    abroad = [(receipt, rows) for receipt, rows in read_rows if receipt.country != "US"]
    right = sum(
        (read_receipt(rows, currency="USD", today=receipt.today).currency or "USD") == receipt.currency
        for receipt, rows in abroad
    )
    print(f"read by a dollar user (travellers): currency right {right}/{len(abroad)}")


def garble(lines: tuple[str, ...], rng: random.Random) -> list[str]:
    """The printed lines as a worse OCR might return them: spaces dropped inside labels, O for 0 and l for 1
    in amounts, R$ read RS and $ read S, a comma read as a full stop, an amount a row below its label, two
    lines run together, a line lost."""
    rows: list[str] = []
    for line in lines:
        row = re.sub(r"\s+", " ", line).strip()
        if not row or set(row) <= {"-"}:
            continue
        label, _, amount = row.rpartition(" ") if re.search(r"[0-9][.,][0-9]{2}$", row) else (row, "", "")
        if rng.random() < 0.5:
            label = label.replace(" ", "")
        if amount and rng.random() < 0.15:
            amount = amount.replace("0", "O", 1)
        if amount and rng.random() < 0.1:
            amount = amount.replace("1", "l", 1)
        if amount and rng.random() < 0.1:
            amount = amount.replace(",", ".")
        if rng.random() < 0.3:
            label = label.replace("R$", "RS").replace("$", "S")
        if rng.random() < 0.03:
            continue  # a line the OCR did not find at all
        if amount and rng.random() < 0.1:
            rows += [label, amount]  # the amount a row lower than its label
        elif rows and rng.random() < 0.05:
            rows[-1] = f"{rows[-1]} {label} {amount}".strip()
        else:
            rows.append(f"{label} {amount}".strip())
    return rows


def text_level() -> None:
    """Totals read from garbled copies of the printed text: many more receipts than photos, in no time."""
    rng = random.Random(7)
    right: dict[str, int] = defaultdict(int)
    wrong: dict[str, int] = defaultdict(int)
    counts: dict[str, int] = defaultdict(int)
    for receipt in cases():
        for _ in range(VARIANTS):
            rows = garble(receipt.lines, rng)
            total = read_receipt(rows, currency=receipt.user_currency, today=receipt.today).total
            for group in (receipt.lang, "all"):
                counts[group] += 1
                right[group] += total == receipt.total
                wrong[group] += total is not None and total != receipt.total
    print()
    print(f"text level: {VARIANTS} garbled copies of each receipt's printed lines, language not given")
    print(f"{'':6}{'n':>5}{'right':>8}{'wrong':>8}{'none':>8}")
    for group in ("en", "es", "pt", "all"):
        n = counts[group]
        none = n - right[group] - wrong[group]
        print(f"{group:6}{n:>5}{right[group] / n:>8.1%}{wrong[group] / n:>8.1%}{none / n:>8.1%}")


def turned(ocr: ReceiptOcr) -> None:
    """Totals of every fourth photo turned a quarter, a half and three quarters (`--turned`: 27 more reads,
    the sideways ones read twice)."""
    print()
    print("turned photos (every fourth receipt): total right per angle")
    for degrees in (90, 180, 270):
        right, seconds, misses = 0, [], []
        chosen = cases()[::4]
        for receipt in chosen:
            photo = Image.open(io.BytesIO(receipt.image)).rotate(degrees, expand=True, fillcolor=(90, 90, 90))
            data = io.BytesIO()
            photo.save(data, "JPEG", quality=90)
            started = time.perf_counter()
            rows = ocr.read_rows(data.getvalue())
            seconds.append(time.perf_counter() - started)
            read = read_receipt(rows, currency=receipt.user_currency, today=receipt.today, lang=receipt.lang)
            right += read.total == receipt.total
            if read.total != receipt.total:
                misses.append(f"{receipt.name} {read.total} (truth {receipt.total})")
        print(
            f"  {degrees:>3}°: {right}/{len(chosen)}, median read {statistics.median(seconds):.2f} s"
            + (f"; missed: {', '.join(misses)}" if misses else "")
        )


if __name__ == "__main__":
    main()
    text_level()
    if "--turned" in sys.argv:
        turned(ReceiptOcr())
