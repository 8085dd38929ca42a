"""The structured answer to one message: reply keys with their values, what was written, what is pending."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from bot.conversation.control import ALL_SPENDING, INTENT_LABELS
from bot.conversation.pending import Pending
from bot.replies import replies
from domain.money import Money


@dataclass(frozen=True, slots=True)
class CategoryName:
    """A canonical category shown in the reader's language ("groceries" -> "mercado"); None: all spending."""

    key: str | None


@dataclass(frozen=True, slots=True)
class Phrase:
    """Another reply key rendered in place ("period_week" -> "week"), so it follows the reader's language."""

    key: str


@dataclass(frozen=True, slots=True)
class IntentLabel:
    """An intent as a choice is offered in the reader's language ("record an expense")."""

    intent: str


@dataclass(frozen=True, slots=True)
class Line:
    """One line of a reply: a key of locales/<lang>/replies.yaml and the values it takes."""

    key: str
    values: Mapping[str, Any] = field(default_factory=dict)


WriteKind = Literal["recorded", "deleted", "edited", "budget_set", "budget_deleted", "transferred", "loan"]


@dataclass(frozen=True, slots=True)
class Written:
    """One change to the ledger a reply reports; the dialogue tests check the text states every part."""

    kind: WriteKind
    transaction_id: uuid.UUID | None
    """The transaction touched (None for a budget)."""
    amount: Money
    day: date | None
    """The transaction's day (None for a budget)."""
    label: str | None
    """The merchant, else the category key, shown with it."""
    income: bool = False


@dataclass(frozen=True, slots=True)
class Picture:
    """An image sent with a reply (a chart): the channel edge publishes it (a media URL on WhatsApp, a file
    on the console); the reply's lines are its caption."""

    png: bytes
    name: str
    """A short file name without extension ("chart-categories-2026-12"): the console saves it under it."""
    alt: tuple[Line, ...] = ()
    """The same numbers as text, sent in its place where a picture cannot go (SMS, or no public URL)."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What the assistant answers. Rendered to text only at the edge (`render`), in `lang` and `locale`."""

    lines: tuple[Line, ...] = ()
    written: tuple[Written, ...] = ()
    asked: str | None = None
    """What the reply asks for: a slot name ("amount", "payee", "kind") or "confirm"; None for no question."""
    pending: Pending | None = None
    """The form left waiting for the next message, None when nothing is; the agent stores it after the
    reply is made, so a failure before that leaves the earlier state for the retry."""
    lang: str = "en"
    locale: str = "en_US"
    silent: bool = False
    """Nothing is sent (a second message from someone who opted out)."""
    picture: Picture | None = None
    """An image sent with the text (a chart), None for text alone."""

    @classmethod
    def say(cls, key: str, **values: Any) -> Reply:
        return cls(lines=(Line(key, values),))

    def then(self, other: Reply) -> Reply:
        """This reply then `other`: lines and writes joined; the later question and pending state win."""
        return replace(
            other,
            lines=self.lines + other.lines,
            written=self.written + other.written,
            silent=self.silent and other.silent,
            picture=other.picture or self.picture,
        )

    def to(self, lang: str, locale: str) -> Reply:
        return replace(self, lang=lang, locale=locale)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(line.key for line in self.lines)

    def render(self) -> str | None:
        """The text, one line per Line; None when nothing is to be sent."""
        if self.silent or not self.lines:
            return None
        return "\n".join(render_line(line, self.lang, self.locale) for line in self.lines)


def render_line(line: Line, lang: str, locale: str) -> str:
    values = {name: _shown(value, lang, locale) for name, value in line.values.items()}
    return replies().render(line.key, lang, locale, **values)


def _shown(value: Any, lang: str, locale: str) -> Any:
    r = replies()
    if isinstance(value, CategoryName):
        if value.key is None:
            return ALL_SPENDING.get(lang, "total")
        return r.category(value.key, lang)
    if isinstance(value, IntentLabel):
        return INTENT_LABELS.get(lang, INTENT_LABELS["en"]).get(value.intent, value.intent)
    if isinstance(value, Phrase):
        return r.render(value.key, lang, locale)
    if isinstance(value, tuple):
        # A list of values (several currencies): shown joined, each formatted for the locale.
        return ", ".join(r.format_value("item", _shown(v, lang, locale), lang, locale) for v in value)
    return value
