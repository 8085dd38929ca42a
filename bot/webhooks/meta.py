"""Meta WhatsApp Cloud API webhooks: the verify-token handshake, and signed message and status notifications.

The X-Hub-Signature-256 HMAC is checked over the raw body bytes before anything parses them: a re-serialized
body (whitespace, key order, escapes) would not match what Meta signed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.webhooks.inbound import (
    BadRequest,
    BadSignature,
    DeliveryStatus,
    PayloadTooLarge,
    StatusUpdate,
    header,
)
from domain.messages import InboundMessage
from domain.model import Channel

SIGNATURE_HEADER = "X-Hub-Signature-256"
SIGNATURE_PREFIX = "sha256="
# Meta batches notifications but stays far below this; larger bodies are refused before hashing.
MAX_BODY_BYTES = 1024 * 1024

MEDIA_TYPES = frozenset({"image", "audio", "voice", "video", "document", "sticker"})

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
) -> tuple[list[InboundMessage], list[StatusUpdate]]:
    """Check POST /webhooks/meta and return the text/media messages and delivery statuses it carries."""
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is larger than {MAX_BODY_BYTES} bytes")
    _check_signature(headers, body, app_secret)

    try:
        payload = json.loads(body)
    except ValueError as exc:  # includes invalid UTF-8
        raise BadRequest("body is not valid JSON") from exc
    if not isinstance(payload, dict):
        raise BadRequest("body is not a JSON object")

    messages: list[InboundMessage] = []
    statuses: list[StatusUpdate] = []
    for entry in _list(payload, "entry"):
        for change in _list(entry, "changes"):
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict):
                raise BadRequest("entry[].changes[].value is not an object")
            messages.extend(_messages(value, received_at))
            statuses.extend(_statuses(value, _phone_number_id(value)))
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


def _messages(value: dict[str, Any], received_at: datetime) -> list[InboundMessage]:
    raw_messages = _list(value, "messages")
    if not raw_messages:
        return []
    metadata = value.get("metadata")
    recipient = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    if not isinstance(recipient, str) or not recipient:
        raise BadRequest("missing field metadata.phone_number_id")

    names: dict[str, str] = {}
    for contact in _list(value, "contacts"):
        if isinstance(contact, dict):
            profile = contact.get("profile")
            name = profile.get("name") if isinstance(profile, dict) else None
            if isinstance(contact.get("wa_id"), str) and isinstance(name, str) and name:
                names[contact["wa_id"]] = name

    result = []
    for message in raw_messages:
        if not isinstance(message, dict):
            raise BadRequest("messages[] item is not an object")
        wa_id, message_id = message.get("from"), message.get("id")
        if not isinstance(wa_id, str) or not wa_id.isdigit():
            raise BadRequest("field messages[].from is not a WhatsApp id")
        if not isinstance(message_id, str) or not message_id:
            raise BadRequest("missing field messages[].id")
        text, media_count = _content(message)
        result.append(
            InboundMessage(
                channel=Channel.WHATSAPP,
                provider="meta",
                sender="+" + wa_id,  # Meta sends the wa_id as digits, without the "+"
                recipient=recipient,
                text=text,
                provider_message_id=message_id,
                received_at=received_at,
                media_count=media_count,
                profile_name=names.get(wa_id),
            )
        )
    return result


def _content(message: dict[str, Any]) -> tuple[str, int]:
    """The text a person typed and how many attachments came with it, for every message type."""
    kind = message.get("type")
    part = message.get(kind) if isinstance(kind, str) else None
    part = part if isinstance(part, dict) else {}
    if kind == "text":
        body = part.get("body")
        return (body if isinstance(body, str) else ""), 0
    if kind in MEDIA_TYPES:
        caption = part.get("caption")
        return (caption if isinstance(caption, str) else ""), 1
    if kind == "button":
        button_text = part.get("text")
        return (button_text if isinstance(button_text, str) else ""), 0
    if kind == "interactive":
        for reply_key in ("button_reply", "list_reply"):
            reply = part.get(reply_key)
            if isinstance(reply, dict) and isinstance(reply.get("title"), str):
                return reply["title"], 0
    # location, contacts, reaction, unsupported...: no text; the agent answers with a helpful reply.
    return "", 0


def _phone_number_id(value: dict[str, Any]) -> str | None:
    metadata = value.get("metadata")
    found = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
    return found if isinstance(found, str) and found else None


def _statuses(value: dict[str, Any], business_address: str | None) -> list[StatusUpdate]:
    result = []
    for raw in _list(value, "statuses"):
        if not isinstance(raw, dict):
            raise BadRequest("statuses[] item is not an object")
        message_id, raw_status = raw.get("id"), raw.get("status")
        if not isinstance(message_id, str) or not message_id:
            raise BadRequest("missing field statuses[].id")
        status = STATUS_MAP.get(raw_status) if isinstance(raw_status, str) else None
        if status is None:
            continue
        errors = raw.get("errors")
        error_code = None
        if isinstance(errors, list) and errors and isinstance(errors[0], dict) and "code" in errors[0]:
            error_code = str(errors[0]["code"])
        result.append(
            StatusUpdate(
                provider="meta",
                provider_message_id=message_id,
                status=status,
                error_code=error_code,
                business_address=business_address,
            )
        )
    return result


def _list(obj: Any, key: str) -> list[Any]:
    """obj[key] as a list: missing means empty, anything but a list is malformed."""
    value = obj.get(key) if isinstance(obj, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise BadRequest(f"field {key} is not a list")
    return value
