"""Settings by chat: currency, time zone, the day the week starts and the language, each said back exactly."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation.context import Context
from bot.conversation.forms import Form, Slot, Slots, SlotValues
from bot.conversation.handlers import Handlers
from bot.conversation.pending import Pending
from bot.conversation.reply import Line, Phrase, Reply
from domain.model import Language, User
from domain.operators import UNSET, UpdateUser, update_user
from domain.periods import WEEK_STARTS, user_week_start
from nlu.normalize import normalize
from nlu.settings import SETTINGS, value_of

CHANGE = Form("change_setting")
"""The message named the setting and its value: applied at once (asked first when the reading was unsure)."""


def _current(user: User, setting: str) -> str:
    return {
        "currency": user.currency,
        "timezone": user.timezone,
        "week_start": user_week_start(user),
        "language": str(user.language),
    }[setting]


def _shown(setting: str, value: str) -> object:
    """A value as the reply shows it: weekdays and languages in the reader's words, codes and zones as is."""
    if setting == "week_start":
        return Phrase(f"weekday_{value}")
    if setting == "language":
        return Phrase(f"language_{value}")
    return value


def _valid(setting: str, value: str | None) -> bool:
    if value is None:
        return False
    if setting == "week_start":
        return value in WEEK_STARTS
    if setting == "language":
        return value in {str(lang) for lang in Language}
    return True


def _on(setting: str, value: str) -> object:
    """A value after "starts": "on Monday", "el lunes", "no domingo" for weekdays; others as _shown."""
    return Phrase(f"on_weekday_{value}") if setting == "week_start" else _shown(setting, value)


def _asked(ctx: Context, setting: str, reason: str, choices: tuple[str, ...] = ()) -> Reply:
    """Why the value cannot be used yet, and the question for it, with that setting's form left waiting."""
    current = _on(setting, _current(ctx.user, setting))
    if choices:
        first = Line(f"setting_ambiguous_{setting}", {"choices": choices, "current": current})
    else:
        first = Line(f"setting_{reason}_{setting}", {"current": current})
    pending = Pending(f"setting_{setting}", "value", {"setting": setting})
    return Reply(lines=(first, Line(f"ask_setting_{setting}")), asked="value", pending=pending)


async def _apply(ctx: Context, setting: str, value: str) -> Reply:
    """Store the new value and say exactly what it is now."""
    before = _current(ctx.user, setting)
    if value == before:
        name = Phrase(f"setting_name_{setting}")
        return Reply.say("setting_unchanged", setting=name, value=_shown(setting, value))

    def new(name: str) -> object:
        return value if name == setting else UNSET

    cmd = UpdateUser(
        user_id=ctx.user.id,
        currency=new("currency"),
        timezone=new("timezone"),
        week_start=new("week_start"),
        language=new("language"),
    )
    async with ctx.uow() as uow:
        _, after = await update_user(cmd, uow)
    ctx.user = replace(after)
    if setting == "language":
        return Reply.say("language_changed")
    if setting == "currency":
        # Stored amounts keep their currency: nothing is converted, and the reply says so.
        return Reply.say("setting_changed_currency", value=value, before=before)
    return Reply.say(f"setting_changed_{setting}", value=_on(setting, value))


class ChangeSettingForm:
    """ "change my currency to euros", "mude meu fuso pra Lisboa", "my week starts on sunday"."""

    form = CHANGE

    async def prefill(self, ctx: Context) -> SlotValues | Reply:
        parse = ctx.understood
        setting = parse.setting
        if setting is None:
            user = ctx.user
            return Reply.say(
                "which_setting",
                currency=user.currency,
                zone=user.timezone,
                day=Phrase(f"weekday_{user_week_start(user)}"),
            )
        if parse.choices:
            return _asked(ctx, setting, "ambiguous", parse.choices)
        if not _valid(setting, parse.value):
            return _asked(ctx, setting, "unknown")
        return {"setting": setting, "value": parse.value}

    async def question(self, ctx: Context, slots: Slots) -> Reply:
        setting = str(slots["setting"])
        return Reply.say(
            "confirm_setting",
            setting=Phrase(f"setting_name_{setting}"),
            value=_shown(setting, str(slots["value"])),
        )

    async def submit(self, ctx: Context, slots: Slots) -> Reply:
        return await _apply(ctx, str(slots["setting"]), str(slots["value"]))

    def dropped(self, ctx: Context, slots: Slots) -> Reply:
        return Reply.say(
            "dropped_setting", setting=Phrase(f"setting_name_{slots.get('setting', 'currency')}")
        )


class SettingValueForm(ChangeSettingForm):
    """The answer to "which currency / city / day?" after an unknown or ambiguous value."""

    def __init__(self, setting: str) -> None:
        self.setting = setting
        self.form = Form(
            f"setting_{setting}", (Slot("value", f"ask_setting_{setting}", _has_value, self.read),)
        )

    def read(self, ctx: Context) -> SlotValues | Reply | None:
        """The value named in the answer ("Lisboa", "EUR", "pesos argentinos"); None when it names none."""
        found = value_of(self.setting, normalize(ctx.message.text), ctx.understood.lang, ctx.user.currency)
        return {"setting": self.setting, "value": found.value} if _valid(self.setting, found.value) else None


def _has_value(slots: Slots) -> bool:
    return slots.get("value") is not None


def register(handlers: Handlers) -> None:
    handlers.add_form(ChangeSettingForm())
    for setting in SETTINGS:
        handlers.add_form(SettingValueForm(setting))
