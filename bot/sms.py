"""SMS text rules: the GSM-7 alphabet (GSM 03.38), segment counting, and transliteration to GSM-7."""

from __future__ import annotations

import re
import unicodedata

# GSM 03.38 default alphabet, without ESC (0x1B), which only introduces the extension table.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table: each character is sent as ESC + code, so it takes two septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67

# Common chat characters outside GSM-7 whose NFKD decomposition does not give a GSM-7 look-alike.
_REPLACEMENTS = {
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "´": "'",
    "`": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": "-",
    "\t": " ",
    "\u00a0": " ",
    "\u202f": " ",
    "\u2009": " ",
    "\u2007": " ",
    "º": "o",
    "ª": "a",
    "°": "o",
}


def is_gsm7(text: str) -> bool:
    """True when every character is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _units(text: str, gsm: bool) -> list[int]:
    """Per-character cost: septets for GSM-7 (extension = 2), UTF-16 code units for UCS-2."""
    if gsm:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> int:
    """How many SMS parts the text takes (GSM-7 160/153, UCS-2 70/67); an empty text is one part."""
    gsm = is_gsm7(text)
    units = _units(text, gsm)
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    if sum(units) <= single:
        return 1
    # Fill parts one character at a time: an escape pair or a surrogate pair is never split across parts.
    count, used = 1, 0
    for cost in units:
        if used + cost > part:
            count, used = count + 1, 0
        used += cost
    return count


def _transliterate(ch: str) -> str:
    if ch in GSM7_BASIC or ch in GSM7_EXTENSION:
        return ch
    if ch in _REPLACEMENTS:
        return _REPLACEMENTS[ch]
    # ã -> a + combining tilde: keep the GSM-7 base letters, drop marks; emoji decompose to nothing usable.
    return "".join(c for c in unicodedata.normalize("NFKD", ch) if c in GSM7_BASIC or c in GSM7_EXTENSION)


def to_gsm7(text: str) -> str:
    """Text rewritten with GSM-7 characters only; characters already in GSM-7 (é, ñ, ü, Ç, ¿, ¡, €) stay."""
    out = "".join(_transliterate(ch) for ch in text)
    # Removed emoji leave doubled or trailing spaces behind.
    out = re.sub(r" {2,}", " ", out)
    return "\n".join(line.strip(" ") for line in out.split("\n")).strip()
