"""The merchant at the top of a receipt: the tenant's or a shipped one by its name glued or in words, else the
first header row that looks like a name."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from nlu.merchants import index as merchant_index
from nlu.merchants import phrase_keys
from nlu.normalize import fold
from nlu.overlay import MerchantOverlay
from nlu.receipt_words import AMOUNT, DATE, letters_back, words

_HEADER_ROWS = 7
"""The merchant's name is among the first rows, above the items."""
_MIN_GLUED = 5
"""Shorter names are matched only as a whole row or whole words: "coto" and "oxxo" hide inside other words."""


def merchant_of(rows: Sequence[str], overlay: MerchantOverlay | None) -> tuple[str | None, str | None]:
    """The tenant's or a shipped merchant named in a header row, else the first header row that looks like a
    name. Header words ("CAIXA", "STORE #12", "CNPJ") are taken out before names are looked for: a row
    "CAIXA 01" is the till, not the bank."""
    header = []
    for row in rows[:_HEADER_ROWS]:
        if AMOUNT.search(row):
            break  # the items have begun: a priced line is never the name
        if not DATE.search(row):
            header.append(row)
    for row in header:
        keys = _without_skip_words(_name_keys(row))
        whole = "".join(_without_skip_words(_name_keys(row, suffixes=False)))
        if overlay is not None:
            for merchant in overlay.merchants:
                names = (merchant.name, *merchant.aliases)
                if any(_names_match(keys, phrase_keys(fold(n)), False) for n in names):
                    return merchant.name, merchant.category
        found = _known(keys, whole)
        if found is not None:
            return found
    for row in header:
        keys = _name_keys(row)
        if _plausible(row, keys):
            return _title(row, keys), None
    return None, None


def _name_keys(row: str, suffixes: bool = True) -> tuple[str, ...]:
    """The row's words, OCR's digits-for-letters read back, without a company suffix at the end."""
    keys = phrase_keys(letters_back(fold(row)))
    for _ in range(3 if suffixes else 0):  # "PADARIA ZE LTDA ME": suffixes come in runs
        for suffix in words().suffixes:
            if len(keys) > len(suffix) and keys[-len(suffix) :] == suffix:
                keys = keys[: -len(suffix)]
                break
    return keys


def _without_skip_words(keys: tuple[str, ...]) -> tuple[str, ...]:
    skip = _skip_phrases()
    out: list[str] = []
    i = 0
    while i < len(keys):
        size = next((n for n in range(min(3, len(keys) - i), 0, -1) if keys[i : i + n] in skip), 0)
        if size:
            i += size
        else:
            out.append(keys[i])
            i += 1
    return tuple(out)


@cache
def _skip_phrases() -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(w.split()) for phrases in words().skip.values() for w in phrases)


def _names_match(keys: tuple[str, ...], name: tuple[str, ...], weak: bool) -> bool:
    """A header row names a merchant: the whole row is the name, or (for a name that is not an everyday word)
    the name is a run of the row's words or starts the row glued ("PAODEACUCAR LTDA")."""
    glued, target = "".join(keys), "".join(name)
    if not glued or not any(ch.isalpha() for ch in target):
        return False
    if target in _glued_forms(glued):
        return True
    if weak:
        return False
    if any(keys[i : i + len(name)] == name for i in range(len(keys) - len(name) + 1)):
        return len(target) >= 3
    return len(target) >= _MIN_GLUED and glued.startswith(target)


@cache
def _glued_forms(glued: str) -> frozenset[str]:
    """The glued row, and without a company suffix OCR glued on: "cotocicsa" -> "coto"."""
    forms = {glued}
    for suffix in words().suffixes:
        tail = "".join(suffix)
        if len(tail) >= 3 and glued.endswith(tail) and len(glued) - len(tail) >= 3:
            forms.add(glued[: -len(tail)])
    return frozenset(forms)


@dataclass(frozen=True)
class _Aliases:
    """The shipped merchants' aliases, for lookups: glued ("paodeacucar") and as word runs."""

    glued: dict[str, tuple[int, bool]]
    """Glued alias -> (merchant number, weak)."""
    runs: dict[tuple[str, ...], int]
    """Word keys of aliases that are not everyday words -> merchant number."""


@cache
def _aliases() -> _Aliases:
    glued: dict[str, tuple[int, bool]] = {}
    runs: dict[tuple[str, ...], int] = {}
    for keys, alias in merchant_index().exact.items():
        joined = "".join(keys)
        if not any(ch.isalpha() for ch in joined):
            continue  # "99" alone on a till row is a number, not the ride app
        glued.setdefault(joined, (alias.merchant, alias.weak))
        if not alias.weak and len(joined) >= 3:
            runs.setdefault(keys, alias.merchant)
    return _Aliases(glued, runs)


def _known(keys: tuple[str, ...], whole: str) -> tuple[str, str | None] | None:
    """The shipped merchant the row names (the rules of _names_match, by lookups), the longest alias winning
    ("Uber Eats" over "Uber"). `whole` is the row glued with its suffixes, which OCR may have run into the
    name ("COTOC.I.C.S.A.")."""
    aliases = _aliases()
    found: list[tuple[int, int]] = []
    glued = "".join(keys)
    for form in _glued_forms(glued) | _glued_forms(whole):
        if form in aliases.glued:
            found.append((len(form), aliases.glued[form][0]))
    for size in range(1, len(keys) + 1):
        for start in range(len(keys) - size + 1):
            run = keys[start : start + size]
            if run in aliases.runs:
                found.append((sum(len(k) for k in run), aliases.runs[run]))
    for end in range(_MIN_GLUED, len(glued)):
        hit = aliases.glued.get(glued[:end])
        if hit is not None and not hit[1]:
            found.append((end, hit[0]))
    if not found:
        return None
    merchant = merchant_index().merchants[max(found)[1]]
    return merchant.name, merchant.category


def _plausible(row: str, keys: tuple[str, ...]) -> bool:
    """A name: mostly letters, at least three of them, and no tax id, title or address word."""
    letters = sum(ch.isalpha() for ch in row)
    if letters < 3 or letters < 0.6 * sum(not ch.isspace() for ch in row):
        return False
    present = set(phrase_keys(fold(row)))
    folded = " ".join(phrase_keys(fold(row)))
    for skip in words().skip.values():
        if any((" " in w and f" {w} " in f" {folded} ") or w in present for w in skip):
            return False
    return bool(keys)


def _title(row: str, keys: tuple[str, ...]) -> str:
    """The name as printed, in title case, without its company suffix: "PADARIA ZE LTDA" -> "Padaria Ze"."""
    words = row.split()
    kept = len(phrase_keys(fold(row))) - len(keys)
    while kept > 0 and words:
        dropped = len(phrase_keys(fold(words[-1])))
        words.pop()
        kept -= max(dropped, 1)
    text = " ".join(words) if words else " ".join(keys)
    return re.sub(r"['’]S\b", "'s", text.strip(" .,-:;").title())
