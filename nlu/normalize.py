"""Text normalization that remembers where every character came from, so spans map back to the original."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Characters that are neither letters, digits, currency signs nor ordinary punctuation become spaces:
# emoji, pictographs, control characters, lone surrogates. Currency signs (Sc) must survive: "R$", "€".
_KEEP_CATEGORIES = {
    "Lu",
    "Ll",
    "Lt",
    "Lm",
    "Lo",
    "Nd",
    "Nl",
    "No",
    "Sc",
    "Pc",
    "Pd",
    "Ps",
    "Pe",
    "Pi",
    "Pf",
    "Po",
    "Sm",
    "Zs",
}
# Emoji that answer a question stand for a word every language's data knows ("ok", "no"); other emoji are
# decoration and fold to a space.
_EMOJI_WORDS = {
    "\U0001f44d": " ok ",
    "\U0001f44c": " ok ",
    "\u2705": " ok ",
    "\u2714": " ok ",
    "\U0001f44e": " no ",
    "\u274c": " no ",
    "\u2716": " no ",
    "\U0001f6ab": " no ",
}
_REPEAT = re.compile(r"([a-z])\1{2,}")
_NEEDS_COLLAPSE = re.compile(r"([a-z])\1\1|\s\s|^\s|\s$|[^\S ]")


@dataclass(frozen=True, slots=True)
class Normalized:
    """A message folded for matching: lower case, no accents, emoji and controls as spaces, runs of 3+ same
    letters cut to 2 ("siiiim" -> "siim"), whitespace collapsed. `offsets[i]` is the index in `original` of
    the character that produced `text[i]`; `offsets` has one extra entry, len(original), for span ends."""

    original: str
    text: str
    offsets: tuple[int, ...]

    def original_span(self, start: int, end: int) -> str:
        """The original text behind text[start:end], accents and case as the person typed them."""
        if start >= end:
            return ""
        return self.original[self.offsets[start] : self.offsets[end - 1] + 1].strip()

    @property
    def tokens(self) -> list[str]:
        return self.text.split()


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    """One character folded: lower case without accents ("Ã" -> "a", "ß" -> "ss"); "" for combining marks."""
    if ch in _EMOJI_WORDS:
        return _EMOJI_WORDS[ch]
    if unicodedata.category(ch) not in _KEEP_CATEGORIES:
        return " "
    decomposed = unicodedata.normalize("NFKD", ch.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def fold(text: str) -> str:
    """Folded text without offsets: for data files (keywords, names) that must match normalized messages."""
    return normalize(text).text


def normalize(text: str) -> Normalized:
    """Fold `text` keeping offsets. Never raises: any str in, a Normalized out."""
    pieces = [fold_char(ch) for ch in text]
    folded = "".join(pieces)
    if len(folded) == len(text) and not _NEEDS_COLLAPSE.search(folded):
        # The common case: one character out per character in, nothing to collapse; offsets are the identity.
        return Normalized(original=text, text=folded, offsets=tuple(range(len(text) + 1)))
    offsets = [index for index, piece in enumerate(pieces) for _ in piece]
    # Collapse repeated letters and whitespace while carrying offsets along.
    keep = [True] * len(folded)
    for match in _REPEAT.finditer(folded):
        for i in range(match.start() + 2, match.end()):
            keep[i] = False
    previous_space = True
    for i, ch in enumerate(folded):
        if not keep[i]:
            continue
        if ch.isspace():
            if previous_space:
                keep[i] = False
            previous_space = True
        else:
            previous_space = False
    out_chars = [c if not c.isspace() else " " for c, k in zip(folded, keep, strict=True) if k]
    out_offsets = [o for o, k in zip(offsets, keep, strict=True) if k]
    while out_chars and out_chars[-1] == " ":
        out_chars.pop()
        out_offsets.pop()
    out_offsets.append(len(text))
    return Normalized(original=text, text="".join(out_chars), offsets=tuple(out_offsets))
