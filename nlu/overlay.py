"""A tenant's own merchants, matched ahead of the shipped list (locales/merchants.yaml)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nlu.merchants import MerchantMatch, Token, phrase_keys
from nlu.normalize import fold
from nlu.types import CATEGORIES

_MIN_JOINED = 5  # like the shipped list: shorter run-together forms are too close to ordinary words


@dataclass(frozen=True, slots=True)
class TenantMerchant:
    """One merchant of the tenant's, as the operator entered it."""

    name: str
    """Its display name: the Parse's merchant when the name or an alias is written."""
    aliases: tuple[str, ...] = ()
    category: str | None = None
    """One of CATEGORIES, or None to let the words of the message decide."""


class MerchantOverlay:
    """A tenant's merchants indexed like the shipped ones: every name and alias as a phrase of words
    ("padaria do ze") and, when long enough, run together ("padariadoze", as statements write them).
    Exact phrases only: an operator's alias is a deliberate spelling, so no typo is guessed at."""

    def __init__(self, merchants: Iterable[TenantMerchant]) -> None:
        self.merchants: tuple[TenantMerchant, ...] = tuple(merchants)
        self._exact: dict[tuple[str, ...], int] = {}
        self._joined: dict[str, int] = {}
        for number, merchant in enumerate(self.merchants):
            for text in (merchant.name, *merchant.aliases):
                keys = phrase_keys(fold(text))
                if not keys:
                    continue
                # The first merchant keeps a phrase two of them claim (the API refuses such duplicates).
                self._exact.setdefault(keys, number)
                glued = "".join(keys)
                if len(glued) >= _MIN_JOINED:
                    self._joined.setdefault(glued, number)
        self._longest = max((len(k) for k in self._exact), default=0)
        self.number_words = frozenset(w for key in self._exact for w in key if w.isdigit())
        """Digits that are words of a name ("Loja 21"): a bare amount made of them may be the name."""

    def __len__(self) -> int:
        return len(self.merchants)

    def find(self, tokens: Sequence[Token], negs: Sequence[bool]) -> tuple[bool, MerchantMatch] | None:
        """(negated, match) for the tenant's merchant named in the words: the longest, then the earliest,
        one outside a negation over one inside it; None when none is named."""
        best: tuple[tuple[bool, int, int], int, int, int] | None = None
        for i in range(len(tokens)):
            keys: list[str] = []
            for j in range(i, min(len(tokens), i + self._longest)):
                token = tokens[j]
                if (not token.free and not token.key.isdigit()) or (j > i and token.gap == 2):
                    break
                keys.append(token.key)
                number = self._exact.get(tuple(keys))
                if number is None and (j > i or len(keys[0]) >= _MIN_JOINED):
                    number = self._joined.get("".join(keys))
                if number is None or all(k.isdigit() for k in keys):
                    continue
                rank = (not negs[i], tokens[j].end - tokens[i].start, -i)
                if best is None or rank > best[0]:
                    best = (rank, number, i, j)
        if best is None:
            return None
        rank, number, i, j = best
        merchant = self.merchants[number]
        category = merchant.category if merchant.category in CATEGORIES else None
        match = MerchantMatch(merchant.name, True, category, tokens[i].start, tokens[j].end, 100.0, own=True)
        return not rank[0], match


@lru_cache(maxsize=64)
def _build(merchants: tuple[TenantMerchant, ...]) -> MerchantOverlay:
    return MerchantOverlay(merchants)


def merchant_overlay(
    merchants: MerchantOverlay | Iterable[TenantMerchant] | None,
) -> MerchantOverlay | None:
    """The overlay for `merchants` (built once per distinct list and kept); None when there are none."""
    if merchants is None or isinstance(merchants, MerchantOverlay):
        return merchants or None
    items = tuple(merchants)
    if not items:
        return None
    for item in items:
        if not isinstance(item, TenantMerchant):
            raise TypeError(f"a tenant merchant is a nlu.TenantMerchant, not {type(item).__name__}")
    return _build(items)
