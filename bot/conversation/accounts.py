"""Which of the user's accounts a message names: tolerant of accents, typos and case, and never a guess
between two (then the user is asked which), nor an account made up (then the user is asked to create it)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import nlu
from domain.model import Account, AccountKind
from nlu.normalize import fold

_WORD = re.compile(r"[a-z0-9]+")
_FILLER = frozenset(
    {
        "my",
        "the",
        "account",
        "acct",
        "meu",
        "minha",
        "o",
        "a",
        "conta",
        "mi",
        "la",
        "el",
        "cuenta",
        "do",
        "da",
    }
    | {"de", "del", "of", "from"}
)
"""Words that do not tell accounts apart: "my amex" is "amex", "conta do itaú" is "itaú"."""


@dataclass(frozen=True, slots=True)
class Named:
    """What an account phrase of a message points to: exactly one of the three is set."""

    account: Account | None = None
    candidates: tuple[Account, ...] = ()
    """Several accounts fit: the user picks one."""
    new_name: str | None = None
    """No account fits: the name to offer creating, as typed with a capital."""
    kind: AccountKind = AccountKind.CHECKING
    """For a new account: the kind its words say (a card, cash, savings), else checking."""


def _core(text: str) -> tuple[str, ...]:
    return tuple(w for w in _WORD.findall(fold(text)) if w not in _FILLER)


def _near(a: str, b: str) -> bool:
    """A typo apart: one edit for names of 4+ letters, two for 8+."""
    if a == b:
        return True
    allowed = 2 if min(len(a), len(b)) >= 8 else 1 if min(len(a), len(b)) >= 4 else 0
    if allowed == 0 or abs(len(a) - len(b)) > allowed:
        return False
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    swapped = any(a[:k] + a[k + 1] + a[k] + a[k + 2 :] == b for k in range(len(a) - 1))
    return previous[-1] <= allowed or swapped


def match(phrase: str, accounts: Sequence[Account], lang: str) -> Named:
    """The account `phrase` names among `accounts`: by name (exact, then contained or a typo apart), then by
    kind when the phrase is only a kind ("o cartão", "savings")."""
    core = _core(phrase)
    kind_said = nlu.account_kind(phrase, lang)
    kind = AccountKind(kind_said) if kind_said else AccountKind.CHECKING
    if not core:
        return Named(new_name=_shown(phrase), kind=kind)
    joined = " ".join(core)
    exact = [a for a in accounts if " ".join(_core(a.name)) == joined]
    if len(exact) == 1:
        return Named(account=exact[0])
    if exact:
        return Named(candidates=tuple(exact))
    close = [a for a in accounts if _close(core, _core(a.name))]
    if len(close) == 1:
        return Named(account=close[0])
    if close:
        return Named(candidates=tuple(close))
    if kind_said is not None and _bare_kind(core, lang):
        same = [a for a in accounts if a.kind == kind]
        if len(same) == 1:
            return Named(account=same[0])
        if same:
            return Named(candidates=tuple(same))
    return Named(new_name=_shown(phrase), kind=kind)


def _close(said: tuple[str, ...], name: tuple[str, ...]) -> bool:
    if not name:
        return False
    if set(name) <= set(said) or set(said) <= set(name):
        return True
    return _near(" ".join(said), " ".join(name)) or any(
        _near(w, n) for w in said for n in name if len(w) >= 4 and len(n) >= 4 and len(name) == 1
    )


def _bare_kind(core: tuple[str, ...], lang: str) -> bool:
    """Whether the phrase only says a kind of account ("cartão", "credit card"), no name of its own
    ("amex" is a card, but a name: it never picks another card)."""
    return all(word in nlu.account_kind_words(lang) for word in core)


def _shown(phrase: str) -> str:
    text = " ".join(phrase.split())
    return text[:1].upper() + text[1:]


def by_id(accounts: Sequence[Account], account_id: object) -> Account | None:
    return next((a for a in accounts if str(a.id) == str(account_id)), None)


def choice(text: str, options: Sequence[Account], lang: str) -> Account | None:
    """The account an answer to "which account?" picks: its number in the list, or its name."""
    words = _WORD.findall(fold(text))
    numbers = [int(w) for w in words if w.isdigit()]
    if len(numbers) == 1 and len(words) <= 3 and 1 <= numbers[0] <= len(options):
        return options[numbers[0] - 1]
    named = match(text, options, lang)
    return named.account


def ids(accounts: Sequence[Account]) -> list[str]:
    return [str(a.id) for a in accounts]


def pick(accounts: Sequence[Account], wanted: Sequence[str]) -> tuple[Account, ...]:
    chosen = {uuid.UUID(w) for w in wanted}
    return tuple(a for a in accounts if a.id in chosen)


__all__ = ["Named", "by_id", "choice", "ids", "match", "pick"]
