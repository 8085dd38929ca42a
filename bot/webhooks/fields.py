"""The webhook fields as pydantic types: lengths from adapters/db/tables.py, ASCII-only digits, no NUL in ids.

Texts (a Body, a Meta text or caption, a profile name) lose their NUL characters instead of refusing the
message: no phone keyboard types one, PostgreSQL's text cannot store one, and refusing would lose the rest
of a genuine message for good (Meta is answered 200 whatever we skip). Ids, numbers and codes with a NUL,
a space or a non-ASCII character are refused: they are keys we store and look up, and a wrong one is not a
typo we can repair.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

import pydantic
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, StringConstraints

# Column lengths (adapters/db/tables.py): inbox.provider_message_id and outbound_messages.provider_message_id
# String(128), inbox.sender String(32), inbox.recipient and channel_endpoints.address String(64),
# inbox.profile_name String(200).
MESSAGE_ID_MAX = 128
SENDER_MAX = 32
ADDRESS_MAX = 64
PROFILE_NAME_MAX = 200
# WhatsApp's longest text message; Twilio's SMS bodies (1,600) are shorter still. inbox.text is unbounded,
# so this bounds what one message can make us store and hand to the NLU.
TEXT_MAX = 4096
MEDIA_MAX = 100  # Twilio sends at most 10 attachments
ATTACHMENTS_READ = 10
"""Attachments whose references are kept (Twilio's own maximum); only the first is ever read."""
MEDIA_URL = re.compile(r"https?://[\x21-\x7e]{1,1000}")
"""A provider's media URL: http(s), printable ASCII, no blanks, bounded."""
CONTENT_TYPE = re.compile(r"[a-z0-9][a-z0-9.+-]{0,40}/[a-z0-9][a-z0-9.+-]{0,80}")
"""A MIME type without parameters ("image/jpeg"); anything else is kept as unknown ("")."""
CONTENT_TYPE_MAX = 200

# Printable ASCII without the space: what provider ids (SM..., wamid.HBgL...=) and addresses are made of.
_TOKEN = r"^[\x21-\x7e]+$"


def _strip_nul(value: str) -> str:
    return value.replace("\x00", "")


def _cut(limit: int) -> Callable[[object], object]:
    """A display name longer than its column is cut, not refused: it only decorates the greeting."""

    def cut(value: object) -> object:
        return value[:limit] if isinstance(value, str) else value

    return cut


MessageId = Annotated[str, StringConstraints(min_length=1, max_length=MESSAGE_ID_MAX, pattern=_TOKEN)]
Address = Annotated[str, StringConstraints(min_length=1, max_length=ADDRESS_MAX, pattern=_TOKEN)]
# E.164: at most 15 ASCII digits after the "+" (str.isdigit would take "²" and "٣").
E164Number = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{1,14}$")]
WaId = Annotated[str, StringConstraints(pattern=r"^[1-9][0-9]{1,14}$")]
AsciiCount = Annotated[str, StringConstraints(pattern=r"^[0-9]{1,3}$")]
ErrorCode = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=_TOKEN)]
Text = Annotated[str, AfterValidator(_strip_nul), StringConstraints(max_length=TEXT_MAX)]
ProfileName = Annotated[str, BeforeValidator(_cut(PROFILE_NAME_MAX)), AfterValidator(_strip_nul)]


class Strict(BaseModel):
    """Only strings where strings are expected (no number-to-string coercion), unknown fields ignored."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def first_error(exc: pydantic.ValidationError) -> str:
    """'field X: why' for the first failing field, short and without echoing the value."""
    error = exc.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in error["loc"]) or "body"
    return f"field {where}: {error['msg'][:120]}"
