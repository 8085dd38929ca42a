"""A write dated after today is never recorded on the first message: it is confirmed with the day said
(tomorrow) or refused (further ahead), in every language and for every form that records a day."""

from __future__ import annotations

from datetime import date

import pytest

from tests.unit.bot.test_dialogues import Conversation

# (language, message, first reply key): every one names a day after the user's today (2026-12-06, Sunday).
FUTURE_WRITES = [
    ("en", "spent 20 at cvs tomorrow", "future_day"),
    ("en", "got paid 300 tomorrow", "future_day"),
    ("en", "lent 50 to mike tomorrow", "future_day"),
    ("en", "spent 20 at cvs the day after tomorrow", "invalid_future_date"),
    ("en", "spent 20 at cvs in a week", "invalid_future_date"),
    ("es", "gasté 200 en liverpool mañana", "future_day"),
    ("es", "me pagaron 300 mañana", "future_day"),
    ("es", "gasté 200 en liverpool pasado mañana", "invalid_future_date"),
    ("es", "gasté 200 en liverpool dentro de una semana", "invalid_future_date"),
    ("pt", "gastei 50 na farmácia amanhã", "future_day"),
    ("pt", "recebi 300 amanhã", "future_day"),
    ("pt", "gastei 50 na farmácia depois de amanhã", "invalid_future_date"),
    ("pt", "gastei 50 na farmácia daqui a uma semana", "invalid_future_date"),
]


@pytest.mark.parametrize(("lang", "text", "first"), FUTURE_WRITES, ids=[t for _, t, _ in FUTURE_WRITES])
async def test_a_future_day_is_confirmed_or_refused_never_written_at_once(
    lang: str, text: str, first: str
) -> None:
    conversation = await Conversation(lang).setup()
    turn = await conversation.say(text)
    assert turn.after == turn.before, f"{text!r} wrote at once: {turn.rendered}"
    assert turn.reply.keys[0] == first, turn.rendered
    if first == "future_day":
        assert turn.reply.asked == "confirm", turn.rendered
        # Both the warning and the question name the day that would be written: tomorrow, 7 December.
        assert turn.reply.lines[0].values["day"] == date(2026, 12, 7), turn.rendered
        assert turn.reply.lines[1].values["day"] == date(2026, 12, 7), turn.rendered
