"""The weekly-digest sentences of locales/<lang>/digest.yaml: what each sets, and what is no such sentence."""

from __future__ import annotations

import re

import pytest

from bot.conversation.digest_settings import Said, read
from bot.replies import replies
from nlu.types import LANGUAGES

CASES = [
    # (message, what it says: kind, weekday said (0 = Monday), hour said)
    ("send me a weekly summary", Said("start")),
    ("Send me a weekly summary, please", Said("start")),
    ("weekly summary on mondays at 8am", Said("start", 0, 8)),
    ("weekly summary every friday at 6pm", Said("start", 4, 18)),
    ("weekly summary at 18:00", Said("start", None, 18)),
    ("send me a summary every sunday at 12am", Said("start", 6, 0)),
    ("turn on the weekly digest", Said("start")),
    ("stop the summary", Said("stop")),
    ("no more weekly summaries", Said("stop")),
    ("resumen semanal todos los domingos", Said("start", 6)),
    ("mándame un resumen cada semana", Said("start")),
    ("quiero un resumen semanal los lunes a las 8 de la mañana", Said("start", 0, 8)),
    ("resumen semanal cada miércoles a las 21", Said("start", 2, 21)),
    ("para el resumen", Said("stop")),
    ("ya no me mandes el resumen semanal", Said("stop")),
    ("quero um resumo toda segunda às 9h", Said("start", 0, 9)),
    ("me manda um resumo semanal", Said("start")),
    ("resumo semanal toda sexta-feira às 20h", Said("start", 4, 20)),
    ("parar o resumo", Said("stop")),
    ("não quero mais o resumo semanal", Said("stop")),
    ("weekly summary at 7:30pm", Said("start", None, 19, on_the_hour=False)),
]


@pytest.mark.parametrize(("text", "said"), CASES, ids=[c[0] for c in CASES])
def test_each_sentence_says_what_it_sets(text: str, said: Said) -> None:
    assert read(text) == said


@pytest.mark.parametrize(
    "text",
    [
        # A bare "weekly summary" asks for this week's spending now: the classifier's summary, not a digest.
        "weekly summary",
        "resumen semanal",
        "resumo semanal",
        "summary",
        "weekly summary at 25",
        "weekly summary at 14pm",
        "spent 20 on sunday",
        "stop",
    ],
)
def test_other_messages_set_nothing(text: str) -> None:
    assert read(text) is None


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sentences_the_replies_suggest_do_what_they_say(lang: str) -> None:
    texts = replies()
    for key, kind in (("digest_set", "stop"), ("digest_off", "start"), ("digest_already_off", "start")):
        (suggested,) = re.findall(r"“([^”]+)”", str(texts.text(key, lang)))
        found = read(suggested)
        assert found is not None and found.kind == kind, f"{lang}/{key}: {suggested}"
