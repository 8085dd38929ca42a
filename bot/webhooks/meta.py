"""Meta WhatsApp Cloud API webhooks: the verify-token handshake, and signed message and status notifications.

The X-Hub-Signature-256 HMAC is checked over the raw body bytes before anything parses them: a re-serialized
body (whitespace, key order, escapes) would not match what Meta signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import pydantic
from pydantic import Field, TypeAdapter

from bot.webhooks.fields import (
    CONTENT_TYPE,
    Address,
    MessageId,
    ProfileName,
    Strict,
    Text,
    WaId,
    first_error,
)
from bot.webhooks.inbound import (
    BadRequest,
    BadSignature,
    DeliveryStatus,
    PayloadTooLarge,
    StatusUpdate,
    header,
)
from domain.messages import Attachment, InboundMessage
from domain.model import Channel

_TEXT: TypeAdapter[str] = TypeAdapter(Text)
_ADDRESS: TypeAdapter[str] = TypeAdapter(Address)
_NAME: TypeAdapter[str] = TypeAdapter(ProfileName)

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
# Meta's Graph webhooks batch at most 1,000 updates, but WhatsApp notifications come one message or a few
# statuses to a change, a few KB; 256 KB is far above what they send and bounds what an unsigned sender can
# make us buffer (the route reads at most this much, bot/webhooks/body.py).
MAX_BODY_BYTES = 256 * 1024
# A WhatsApp notification nests about 10 levels (entry, changes, value, statuses, errors, error_data...).
MAX_DEPTH = 32

MEDIA_TYPES = frozenset({"image", "audio", "voice", "video", "document", "sticker"})
MEDIA_KINDS = {"image": "image/*", "audio": "audio/*", "voice": "audio/*", "video": "video/*",
               "document": "application/octet-stream", "sticker": "image/webp"}  # fmt: skip
"""The type a media message of each kind has when Meta names none."""
_MEDIA_ID = re.compile(r"[0-9A-Za-z._-]{1,128}")

# Meta's status values, normalized; anything else (e.g. "deleted", "warning") is skipped, not refused,
# so one odd entry does not make Meta retry a whole batch.
STATUS_MAP: dict[str, DeliveryStatus] = {
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
}


def verify_handshake(query: Mapping[str, str], verify_token: str) -> str:
    """Answer GET /webhooks/meta: return hub.challenge when the mode is "subscribe" and the token matches."""
    if not verify_token:
        raise BadSignature("Meta verify token is not configured")
    if query.get("hub.mode") != "subscribe":
        raise BadSignature("hub.mode is not subscribe")
    given = query.get("hub.verify_token", "")
    if not hmac.compare_digest(given.encode("utf-8"), verify_token.encode("utf-8")):
        raise BadSignature("hub.verify_token does not match")
    challenge = query.get("hub.challenge")
    if not challenge:
        raise BadRequest("missing hub.challenge")
    return challenge


def verify_and_parse(
    headers: Mapping[str, str],
    body: bytes,
    *,
    app_secret: str,
    received_at: datetime,
    on_skip: Callable[[str], None] | None = None,
) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """Check POST /webhooks/meta and return the text/media messages and delivery statuses it carries.

    A malformed item (a message, a status, a change) is skipped and `on_skip` told why; the others are
    returned, so one bad item never makes Meta retry, and lose, the whole batch."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is larger than {MAX_BODY_BYTES} bytes")
    _check_signature(headers, body, app_secret)

    try:
        payload = json.loads(body)
    except RecursionError:
        raise BadRequest(f"body nests deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:  # includes invalid UTF-8
        raise BadRequest("body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise BadRequest("body is not a JSON object")
    if _depth(payload) > MAX_DEPTH:
        raise BadRequest(f"body nests deeper than {MAX_DEPTH} levels")

    skip = on_skip or (lambda reason: None)
    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in _list(payload, "entry"):
        for change in _items(entry, "changes", skip):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                skip("entry[].changes[].value is not an object")
                continue
            messages.extend(_messages(value, received_at, skip))
            statuses.extend(_statuses(value, _phone_number_id(value), skip))
    return messages, statuses


def _check_signature(headers: Mapping[str, str], body: bytes, app_secret: str) -> None:
    if not app_secret:
        raise BadSignature("Meta app secret is not configured")
    given = header(headers, SIGNATURE_HEADER) or ""
    if not given.startswith(SIGNATURE_PREFIX):
        raise BadSignature(f"missing or malformed {SIGNATURE_HEADER}")
    expected = hmac.new(app_secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(given[len(SIGNATURE_PREFIX) :].strip().lower().encode(), expected.encode()):
        raise BadSignature(f"{SIGNATURE_HEADER} does not match")


class _Message(Strict):
    """The fields of one messages[] item we store; its content is read by _content."""

    wa_id: WaId = Field(alias="from")
    id: MessageId


def _messages(
    value: dict[str, Any], received_at: datetime, skip: Callable[[str], None]
) -> list[InboundMessage]:
    raw_messages = _items(value, "messages", skip)
    if not raw_messages:
        return []
    recipient = _phone_number_id(value)
    if recipient is None:
        skip(f"{len(raw_messages)} messages[] without a valid metadata.phone_number_id")
        return []

    names: dict[str, str] = {}
    for contact in _items(value, "contacts", skip):
        if isinstance(contact, dict):
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else None
            if isinstance(contact.get("wa_id"), str) and isinstance(name, str) and name:
                names[contact["wa_id"]] = _NAME.validate_python(name)

    result = []
    for message in raw_messages:
        if not isinstance(message, dict):
            skip("messages[] item is not an object")
            continue
        try:
            fields = _Message.model_validate(message)
            text, media = _content(message)
        except pydantic.ValidationError as exc:
            skip("messages[]." + first_error(exc).removeprefix("field "))
            continue
        result.append(
            InboundMessage(
                channel=Channel.WHATSAPP,
                provider="meta",
                sender="+" + fields.wa_id,  # Meta sends the wa_id as digits, without the "+"
                recipient=recipient,
                text=text,
                provider_message_id=fields.id,
                received_at=received_at,
                media_count=len(media) or int(message.get("type") in MEDIA_TYPES),
                profile_name=names.get(fields.wa_id),
                media=media,
            )
        )
    return result


def _content(message: dict[str, Any]) -> tuple[str, tuple[Attachment, ...]]:
    """The text a person typed and the attachment that came with it, for every message type."""
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    part = part if isinstance(part, dict) else {}
    if kind == "text":
        return _text(part.get("body")), ()
    if kind in MEDIA_TYPES:
        return _text(part.get("caption")), _attachment(str(kind), part)
    if kind == "button":
        return _text(part.get("text")), ()
    if kind == "interactive":
        for reply_key in ("button_reply", "list_reply"):
            reply = part.get(reply_key)
            if isinstance(reply, dict) and isinstance(reply.get("title"), str):
                return _text(reply["title"]), ()
    # location, contacts, reaction, unsupported...: no text; the agent answers with a helpful reply.
    return "", ()


def _attachment(kind: str, part: dict[str, Any]) -> tuple[Attachment, ...]:
    """The media id Meta sends (downloaded later with the access token) and its announced type; a voice note
    without a mime_type is still audio. A malformed id is left out: the reply says the file was unreadable."""
    media_id, mime = part.get("id"), part.get("mime_type")
    if not isinstance(media_id, str) or not _MEDIA_ID.fullmatch(media_id):
        return ()
    content_type = mime.split(";", 1)[0].strip().lower() if isinstance(mime, str) else ""
    if not CONTENT_TYPE.fullmatch(content_type):
        content_type = MEDIA_KINDS.get(kind, "")
    return (Attachment(media_id, content_type),)


def _text(value: object) -> str:
    """A typed text without NULs (fields.py says why), "" when absent; too long raises ValidationError."""
    return _TEXT.validate_python(value) if isinstance(value, str) else ""


def _phone_number_id(value: dict[str, Any]) -> str | None:
    metadata = value.get("metadata")
    found = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    try:
        return _ADDRESS.validate_python(found) if found is not None else None
    except pydantic.ValidationError:
        return None


class _Status(Strict):
    """One statuses[] item: our message's id and its status (unknown statuses are skipped by the caller)."""

    id: MessageId
    status: str = Field(max_length=32)


def _statuses(
    value: dict[str, Any], business_address: str | None, skip: Callable[[str], None]
) -> list[StatusUpdate]:
    result = []
    for raw in _items(value, "statuses", skip):
        if not isinstance(raw, dict):
            skip("statuses[] item is not an object")
            continue
        try:
            fields = _Status.model_validate(raw)
        except pydantic.ValidationError as exc:
            skip("statuses[]." + first_error(exc).removeprefix("field "))
            continue
        status = STATUS_MAP.get(fields.status)
        if status is None:
            continue
        result.append(
            StatusUpdate(
                provider="meta",
                provider_message_id=fields.id,
                status=status,
                error_code=_error_code(raw.get("errors")),
                business_address=business_address,
            )
        )
    return result


def _error_code(errors: object) -> str | None:
    """The first error's code as a short printable string, or None: kept for operators, never looked up."""
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        code = errors[0].get("code")
        if isinstance(code, int | str) and not isinstance(code, bool):
            text = "".join(ch for ch in str(code) if "!" <= ch <= "~")[:32]
            return text or None
    return None


def _items(obj: Any, key: str, skip: Callable[[str], None]) -> list[Any]:
    """obj[key] as a list inside a change: anything but a list is skipped with its reason."""
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        skip(f"field {key} is not a list")
        return []
    return value


def _depth(root: object) -> int:
    """How deep the parsed JSON nests, without recursion (a deep body must not exhaust the stack twice)."""
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_DEPTH:
            return level
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def _list(obj: Any, key: str) -> list[Any]:
    """obj[key] as a list: missing means empty, anything but a list is malformed."""
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"field {key} is not a list")
    return value
