"""The quiet-hours sentences of locales/<lang>/quiet.yaml: what each sets, and what is no such sentence."""

from __future__ import annotations

import pytest

from bot.conversation.quiet_hours import read

CASES = [
    # (message, kind, "start-end" set, or None for any hour; "from" keeps the end of 08:00 here)
    ("don't message me after 9pm", "from", "21:00-08:00"),
    ("dont text me after 21:00", "from", "21:00-08:00"),
    ("please don't message me after 10", "from", "22:00-08:00"),
    ("no messages between 10pm and 6am", "between", "22:00-06:00"),
    ("don't message me at night", "night", "22:00-08:00"),
    ("you can message me anytime", "anytime", None),
    ("turn off quiet hours", "anytime", None),
    ("no me mandes nada después de las 10 de la noche", "from", "22:00-08:00"),
    ("no me escribas después de las 21:30", "from", "21:30-08:00"),
    ("no me mandes nada entre las 23:30 y las 7", "between", "23:30-07:00"),
    ("no me mandes nada de noche", "night", "22:00-08:00"),
    ("puedes escribirme a cualquier hora", "anytime", None),
    ("não me manda nada depois das 21h", "from", "21:00-08:00"),
    ("nao me manda mensagem depois das 22", "from", "22:00-08:00"),
    ("silêncio das 23h às 7h", "between", "23:00-07:00"),
    ("não me manda nada à noite", "night", "22:00-08:00"),
    ("pode me mandar mensagem a qualquer hora", "anytime", None),
]


@pytest.mark.parametrize(("text", "kind", "window"), CASES, ids=[c[0] for c in CASES])
def test_each_sentence_sets_its_window(text: str, kind: str, window: str | None) -> None:
    found = read(text)
    assert found is not None, text
    assert found[0] == kind
    assert (None if found[1] is None else found[1].stored()) == window


@pytest.mark.parametrize(
    "text",
    ["spent 9 after lunch", "gastei 21 depois do almoço", "no messages after 25", "hello", "quiet", "no me"],
)
def test_other_messages_set_nothing(text: str) -> None:
    assert read(text) is None
