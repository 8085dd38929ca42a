"""Twilio Programmable Messaging webhooks (WhatsApp and SMS in one endpoint, plus status callbacks).

Checks run in a fixed order so an unsigned request learns nothing about the fields we expect:
size (413), content type (415), strict UTF-8 form decoding (400), signature (403), then fields (400).
An empty body with the form content type therefore gets 403 unless it is correctly signed, and a correctly
signed empty body gets 400 naming "From" (or "MessageSid" for a status callback).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, TypeVar
from urllib.parse import parse_qsl, urlsplit

import pydantic
from multidict import MultiDict
from pydantic import BeforeValidator, Field
from twilio.request_validator import (
    SIGNATURE_HEADER,
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)

from bot.webhooks.fields import (
    ATTACHMENTS_READ,
    CONTENT_TYPE,
    CONTENT_TYPE_MAX,
    MEDIA_MAX,
    MEDIA_URL,
    Address,
    AsciiCount,
    E164Number,
    ErrorCode,
    MessageId,
    ProfileName,
    Strict,
    Text,
    first_error,
)
from bot.webhooks.inbound import (
    BadRequest,
    BadSignature,
    DeliveryStatus,
    PayloadTooLarge,
    StatusUpdate,
    UnsupportedMediaType,
    header,
)
from domain.messages import Attachment, InboundMessage
from domain.model import Channel

# Twilio caps a message body at 1,600 characters; even fully percent-encoded 3-byte characters plus the other
# fields stay far below this, so anything larger did not come from Twilio.
MAX_BODY_BYTES = 64 * 1024
MAX_FIELDS = 200
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
WHATSAPP_PREFIX = "whatsapp:"
INBOX_PARAM = "inbox"
"""The status URL's query parameter naming the inbox message a TwiML reply answered (bot/delivery.py)."""
UUID_CHARS = 36

FieldsT = TypeVar("FieldsT", bound=Strict)

# Twilio's MessageStatus values, normalized to the six we act on.
STATUS_MAP: dict[str, DeliveryStatus] = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "read",
    "failed": "failed",
    "canceled": "failed",
    "undelivered": "undelivered",
    "partially_delivered": "undelivered",
}


def verify_and_parse(
    path_qs: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    public_base_url: str,
    auth_token: str,
    received_at: datetime,
) -> InboundMessage:
    """Check an inbound-message webhook (POST /webhooks/twilio) and build the channel-neutral message."""
    params = _verified_form(path_qs, headers, body, public_base_url=public_base_url, auth_token=auth_token)
    raw_from = _required(params, "From")
    _required(params, "To")
    _required(params, "MessageSid")
    channel = Channel.WHATSAPP if raw_from.startswith(WHATSAPP_PREFIX) else Channel.SMS
    fields = _validated(MessageFields, params)
    if fields.body is None and fields.media_count == 0:
        raise BadRequest("missing field Body")
    return InboundMessage(
        channel=channel,
        provider="twilio",
        sender=fields.sender,
        recipient=fields.recipient,
        text=fields.body or "",
        provider_message_id=fields.sid,
        received_at=received_at,
        media_count=fields.media_count,
        profile_name=fields.profile_name or None,
        media=attachments(params, fields.media_count),
    )


def attachments(params: MultiDict[str], count: int) -> tuple[Attachment, ...]:
    """The MediaUrlN / MediaContentTypeN pairs Twilio sends with a picture, a voice note or a file. An URL
    that is not one (too long, not http(s), blanks or control characters) is left out rather than refusing
    the message: its text still counts, and the reply says the file could not be read."""
    found = []
    for index in range(min(count, ATTACHMENTS_READ)):
        url = params.get(f"MediaUrl{index}", "").strip()
        content_type = params.get(f"MediaContentType{index}", "").strip().lower()
        if not MEDIA_URL.fullmatch(url) or len(content_type) > CONTENT_TYPE_MAX:
            continue
        found.append(Attachment(url, content_type if CONTENT_TYPE.fullmatch(content_type) else ""))
    return tuple(found)


def verify_and_parse_status(
    path_qs: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    public_base_url: str,
    auth_token: str,
) -> StatusUpdate:
    """Check a status callback (POST /webhooks/twilio/status) and normalize its status."""
    params = _verified_form(path_qs, headers, body, public_base_url=public_base_url, auth_token=auth_token)
    _required(params, "MessageSid")
    raw_status = _required(params, "MessageStatus").lower()
    status = STATUS_MAP.get(raw_status)
    if status is None:
        raise BadRequest(f"field MessageStatus has an unknown value {raw_status[:40]!r}")
    fields = _validated(StatusFields, params)
    return StatusUpdate(
        provider="twilio",
        provider_message_id=fields.sid,
        status=status,
        error_code=fields.error_code,
        business_address=fields.ours,
        reply_to=_reply_to(path_qs),
    )


def _reply_to(path_qs: str) -> uuid.UUID | None:
    """The `inbox` of our `<Message action>` URL, checked after the signature like any field: one value, a
    UUID in its canonical form (nothing longer), else 400. It only ever selects among the tenant's own
    rows (the tenant comes from our number), so a valid id of another tenant's matches nothing."""
    query = urlsplit(path_qs).query
    try:
        pairs = parse_qsl(query, keep_blank_values=True, errors="strict", max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("query is not valid") from exc
    values = [value for key, value in pairs if key == INBOX_PARAM]
    if not values:
        return None
    if len(values) > 1:
        raise BadRequest(f"query {INBOX_PARAM} is given more than once")
    value = values[0]
    try:
        parsed = uuid.UUID(value) if len(value) == UUID_CHARS else None
    except ValueError:
        parsed = None
    if parsed is None or str(parsed) != value.lower():
        raise BadRequest(f"query {INBOX_PARAM} is not a message id")
    return parsed


def _verified_form(
    path_qs: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    public_base_url: str,
    auth_token: str,
) -> MultiDict[str]:
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLarge(f"body is larger than {MAX_BODY_BYTES} bytes")

    content_type = (header(headers, "Content-Type") or "").split(";", 1)[0].strip().lower()
    if content_type != FORM_CONTENT_TYPE:
        raise UnsupportedMediaType(f"expected {FORM_CONTENT_TYPE}")

    params = _decode_form(body)

    # An empty token would make signatures anyone can compute; refuse rather than accept.
    if not auth_token:
        raise BadSignature("Twilio auth token is not configured")
    signature = header(headers, SIGNATURE_HEADER)
    if not signature:
        raise BadSignature(f"missing {SIGNATURE_HEADER}")
    # The public URL, not the one we were reached at: proxies rewrite scheme, host and port.
    url = public_base_url.rstrip("/") + path_qs
    algorithm = get_signature_algorithm(header(headers, SIGNATURE_SETTINGS_HEADER))
    if not RequestValidator(auth_token).validate(url, params, signature, algorithm):
        raise BadSignature(f"{SIGNATURE_HEADER} does not match")
    return params


def _decode_form(body: bytes) -> MultiDict[str]:
    try:
        # Raw bytes must be UTF-8 (really ASCII), and so must the percent-encoded bytes they spell.
        text = body.decode("utf-8")
        pairs = parse_qsl(
            text,
            keep_blank_values=True,
            strict_parsing=bool(text),
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError as exc:
        raise BadRequest("body is not valid UTF-8") from exc
    except ValueError as exc:
        raise BadRequest("body is not valid form data") from exc
    # A MultiDict keeps repeated keys, which Twilio's signature covers.
    return MultiDict(pairs)


def _ours(value: object) -> object:
    """Drop the "whatsapp:" prefix and surrounding blanks, as Twilio's numbers are compared without them."""
    return value.strip().removeprefix(WHATSAPP_PREFIX) if isinstance(value, str) else value


def _blank_is_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


class MessageFields(Strict):
    """An inbound message's fields, as pydantic checks them after the signature."""

    sender: Annotated[E164Number, BeforeValidator(_ours)] = Field(alias="From")
    recipient: Annotated[Address, BeforeValidator(_ours)] = Field(alias="To")
    sid: Annotated[MessageId, BeforeValidator(str.strip)] = Field(alias="MessageSid")
    num_media: Annotated[AsciiCount | None, BeforeValidator(_blank_is_none)] = Field(None, alias="NumMedia")
    body: Text | None = Field(None, alias="Body")
    profile_name: ProfileName | None = Field(None, alias="ProfileName")

    @pydantic.field_validator("num_media")
    @classmethod
    def _at_most_media_max(cls, value: str | None) -> str | None:
        if value is not None and int(value) > MEDIA_MAX:
            raise ValueError(f"more than {MEDIA_MAX} attachments")
        return value

    @property
    def media_count(self) -> int:
        return int(self.num_media or "0")


class StatusFields(Strict):
    """A status callback's fields: our message's id, the error code if any, and our number ("From")."""

    sid: Annotated[MessageId, BeforeValidator(str.strip)] = Field(alias="MessageSid")
    error_code: Annotated[ErrorCode | None, BeforeValidator(_blank_is_none)] = Field(None, alias="ErrorCode")
    ours: Annotated[Address | None, BeforeValidator(_ours), BeforeValidator(_blank_is_none)] = Field(
        None, alias="From"
    )


def _validated(model: type[FieldsT], params: MultiDict[str]) -> FieldsT:
    try:
        return model.model_validate(dict(params))
    except pydantic.ValidationError as exc:
        raise BadRequest(first_error(exc)) from None


def _required(params: MultiDict[str], name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        raise BadRequest(f"missing field {name}")
    return value
