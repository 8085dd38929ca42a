"""Reading a statement file's text, lines, delimiter, dates and amounts, as banks in en/es/pt write them."""

from __future__ import annotations

import codecs
import csv
import re
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

DELIMITERS = (";", "\t", ",")
"""Sniffed in this order of preference: a file consistent with several is most likely the first (files
with decimal commas separate columns with ';')."""
DAY_FIRST = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%d-%m-%y", "%d.%m.%y")
MONTH_FIRST = ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y")
NAMED = ("%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%b %d, %Y", "%d %B %Y", "%B %d, %Y")
ISO = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d")
MAX_AMOUNT_CHARS = 40
PLAUSIBLE_YEARS = (1970, 2200)

_TIME = re.compile(r"^(\S+?)(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$")
_CURRENCY = re.compile(r"(?i)R\$|US\$|[$€£¥]|\b(?:BRL|USD|EUR|MXN|ARS|COP|CLP|GBP|PEN|UYU)\b")
_MARK = re.compile(r"(?i)^(.*?\d\)?)\s*(DR|CR|D|C)$")
_GROUPS = {  # ASCII digits only: "٣" is a digit to \d and to Decimal, not to a bank
    ",": re.compile(r"([0-9]{1,3}(?:[. '\u00a0\u202f][0-9]{3})+|[0-9]+)(?:,([0-9]+))?"),
    ".": re.compile(r"([0-9]{1,3}(?:[, '\u00a0\u202f][0-9]{3})+|[0-9]+)(?:\.([0-9]+))?"),
}
_SEPARATOR = re.compile(r"[.,]([0-9]+)$")


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (a BOM is dropped), UTF-16 with its BOM (Excel's "Unicode text"), else
    Windows-1252, the Latin-1 superset Windows banks export ("Descrição" as 0xE7 0xE3), else Latin-1."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace"), "utf-16"
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def split_lines(text: str) -> list[str]:
    """Physical lines: \\r\\n, \\r or \\n end one (not the other separators str.splitlines knows, which a
    Latin-1 byte can decode to inside a line). A record is one line: quoted newlines are not supported."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def cells(line: str, delimiter: str) -> list[str]:
    """The cells of one line, quotes honoured; csv.Error when the quoting is broken."""
    return next(csv.reader([line], delimiter=delimiter, strict=True), [])


def sniff_delimiter(lines: Sequence[str]) -> str:
    """The delimiter that splits the sample lines into the same number (> 1) of cells most often (lines
    above a header, such as "Conta: 12345", split into one); of equals, the first of DELIMITERS."""
    best: tuple[int, int, int] | None = None
    chosen = ","
    for rank, delimiter in enumerate(DELIMITERS):
        counts: Counter[int] = Counter()
        for line in lines:
            try:
                counts[len(cells(line, delimiter))] += 1
            except csv.Error:
                continue
        split = [(often, width) for width, often in counts.items() if width > 1]
        if not split:
            continue
        often, width = max(split)
        score = (often, width > 0, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def parse_date(text: str, fmt: str) -> date:
    """The day in a cell, a time after it ignored ("2024-03-15 10:22", "2024-03-15T10:22:00Z")."""
    text = text.strip()
    found = _TIME.match(text)
    if found is not None and fmt.count(" ") == 0:
        text = found.group(1)
    return datetime.strptime(text, fmt).date()


def date_formats(samples: Sequence[str], day_first: bool) -> list[str]:
    """Candidate formats, best first: the one reading every sample, then those reading most. "03/04/2024"
    is read the way the locale writes it unless another sample ("13/04/2024") settles the order."""
    candidates = [*ISO, *(DAY_FIRST + MONTH_FIRST if day_first else MONTH_FIRST + DAY_FIRST), *NAMED]
    scores = []
    for order, fmt in enumerate(candidates):
        read = 0
        for sample in samples:
            try:
                # "15/03/24" read with %Y is the year 24: only a plausible year counts as read.
                read += PLAUSIBLE_YEARS[0] <= parse_date(sample, fmt).year <= PLAUSIBLE_YEARS[1]
            except ValueError:
                pass
        scores.append((read, -order, fmt))
    return [fmt for read, _, fmt in sorted(scores, reverse=True) if read > 0] or [candidates[0]]


def is_date(text: str) -> bool:
    """Whether any known format reads the cell as a date."""
    for fmt in (*ISO, *DAY_FIRST, *MONTH_FIRST, *NAMED):
        try:
            parse_date(text, fmt)
            return True
        except ValueError:
            continue
    return False


def guess_decimal(samples: Sequence[str], fallback: str) -> str:
    """The decimal separator the file uses: the last of both marks in "1.234,56", else a mark followed by
    one or two digits at the end ("45,90"), else `fallback` (the locale's)."""
    votes: Counter[str] = Counter()
    for sample in samples:
        text = _CURRENCY.sub("", sample).strip().strip("()+-").strip()
        if "," in text and "." in text:
            votes["," if text.rfind(",") > text.rfind(".") else "."] += 1
            continue
        found = _SEPARATOR.search(text)
        if found is not None and len(found.group(1)) <= 2:
            votes[text[found.start()]] += 1
    if not votes:
        return fallback
    return votes.most_common(1)[0][0]


def parse_amount(text: str, decimal: str) -> Decimal:
    """A signed amount: "-45,90", "1.234,56", "(45.90)", "R$ 45,90", "45.90-", "45,90 D" (debit) / "C".
    ValueError naming what is wrong."""
    raw = text.strip()
    if not raw:
        raise ValueError("is empty")
    if len(raw) > MAX_AMOUNT_CHARS:
        raise ValueError(f"is longer than {MAX_AMOUNT_CHARS} characters")
    value = _CURRENCY.sub("", raw).replace("\u00a0", " ").replace("\u2212", "-").strip()
    negative = False
    mark = _MARK.match(value)
    if mark is not None:
        value, negative = mark.group(1).strip(), mark.group(2).upper().startswith("D")
    if value.startswith("(") and value.endswith(")"):
        value, negative = value[1:-1].strip(), not negative
    value = _CURRENCY.sub("", value).strip()
    if value.startswith(("-", "+")):
        negative ^= value[0] == "-"
        value = value[1:].strip()
    elif value.endswith("-"):
        value, negative = value[:-1].strip(), not negative
    value = _CURRENCY.sub("", value).strip()
    found = _GROUPS[decimal].fullmatch(value)
    if found is None:
        raise ValueError(f"{raw!r} is not an amount")
    whole = re.sub(r"[^0-9]", "", found.group(1))
    number = whole + ("." + found.group(2) if found.group(2) else "")
    try:
        amount = Decimal(number)
    except InvalidOperation:  # pragma: no cover - the pattern only lets digits through
        raise ValueError(f"{raw!r} is not an amount") from None
    return -amount if negative else amount
