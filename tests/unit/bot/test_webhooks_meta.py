"""Meta WhatsApp Cloud API webhook: handshake, raw-body HMAC, and parsing of messages and statuses."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.webhooks import BadRequest, BadSignature, PayloadTooLarge
from bot.webhooks.meta import verify_and_parse, verify_handshake
from domain.messages import Attachment
from domain.model import Channel

SECRET = "meta-app-secret-fedcba9876543210"
VERIFY = "centavo-verify-token"
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
PHONE_ID = "106540352242922"


def sign(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + digest}


def envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": PHONE_ID}, **value}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA1", "changes": [{"field": "messages", "value": value}]}],
    }


def text_payload(text: str, wa_id: str = "5511987654321", name: str = "João") -> dict[str, Any]:
    return envelope(
        {
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [
                {
                    "from": wa_id,
                    "id": "wamid.HBgN1",
                    "timestamp": "1741953600",
                    "type": "text",
                    "text": {"body": text},
                }
            ],
        }
    )


def parse(headers: dict[str, str], body: bytes):
    return verify_and_parse(headers, body, app_secret=SECRET, received_at=NOW)


def raw(payload: dict[str, Any]) -> bytes:
    # Meta's own serialization: compact, non-ASCII escaped; the test signs exactly these bytes.
    return json.dumps(payload, separators=(",", ":")).encode()


def test_handshake_returns_the_challenge() -> None:
    query = {"hub.mode": "subscribe", "hub.verify_token": VERIFY, "hub.challenge": "1158201444"}
    assert verify_handshake(query, VERIFY) == "1158201444"


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1"},
        {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.verify_token": VERIFY, "hub.challenge": "1"},
        {"hub.mode": "subscribe", "hub.challenge": "1"},
    ],
)
def test_handshake_refused_is_403(query: dict[str, str]) -> None:
    with pytest.raises(BadSignature) as caught:
        verify_handshake(query, VERIFY)
    assert caught.value.status == 403


def test_handshake_without_configured_token_is_403() -> None:
    with pytest.raises(BadSignature):
        verify_handshake({"hub.mode": "subscribe", "hub.verify_token": "", "hub.challenge": "1"}, "")


def test_handshake_without_challenge_is_400() -> None:
    with pytest.raises(BadRequest, match=r"hub\.challenge"):
        verify_handshake({"hub.mode": "subscribe", "hub.verify_token": VERIFY}, VERIFY)


@pytest.mark.parametrize(
    "text",
    ["gastei 45,90 no almoço", "presupuesto de 300 para comida, ¿cuánto queda?", "spent 12 at the café"],
)
def test_signed_text_message(text: str) -> None:
    body = raw(text_payload(text))
    messages, statuses = parse(sign(body), body)
    assert statuses == []
    [message] = messages
    assert message.channel is Channel.WHATSAPP
    assert message.provider == "meta"
    assert message.sender == "+5511987654321"
    assert message.recipient == PHONE_ID
    assert message.text == text
    assert message.provider_message_id == "wamid.HBgN1"
    assert message.received_at == NOW
    assert message.media_count == 0
    assert message.profile_name == "João"


def test_forged_signature_is_403() -> None:
    body = raw(text_payload("gastei 10"))
    with pytest.raises(BadSignature) as caught:
        parse(sign(body, secret="someone-else"), body)
    assert caught.value.status == 403


@pytest.mark.parametrize("signature", [None, "", "sha1=abc", "sha256=", "sha256=zz"])
def test_missing_or_malformed_signature_is_403(signature: str | None) -> None:
    body = raw(text_payload("gastei 10"))
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    with pytest.raises(BadSignature):
        parse(headers, body)


def test_signature_is_checked_over_the_raw_body() -> None:
    payload = text_payload("gastei 10 no café")
    signed_bytes = raw(payload)
    reserialized = json.dumps(payload, indent=2, ensure_ascii=False).encode()
    assert json.loads(reserialized) == json.loads(signed_bytes)  # same JSON, different bytes
    with pytest.raises(BadSignature):
        parse(sign(signed_bytes), reserialized)


def test_lowercase_header_name_and_uppercase_hex() -> None:
    body = raw(text_payload("ok"))
    signature = sign(body)["X-Hub-Signature-256"]
    headers = {"x-hub-signature-256": "sha256=" + signature.removeprefix("sha256=").upper()}
    assert parse(headers, body)[0][0].text == "ok"


def test_unconfigured_app_secret_refuses_everything() -> None:
    body = raw(text_payload("gastei 10"))
    with pytest.raises(BadSignature):
        verify_and_parse(sign(body, secret=""), body, app_secret="", received_at=NOW)


@pytest.mark.parametrize("body", [b"", b"{not json", b'{"entry": [', b"\xff\xfe{}", b"[1, 2]"])
def test_invalid_json_correctly_signed_is_400(body: bytes) -> None:
    with pytest.raises(BadRequest) as caught:
        parse(sign(body), body)
    assert caught.value.status == 400


def test_malformed_structure_is_400() -> None:
    body = raw({"object": "whatsapp_business_account", "entry": {"changes": []}})
    with pytest.raises(BadRequest, match="entry"):
        parse(sign(body), body)


def test_oversized_body_is_413() -> None:
    body = raw(text_payload("x" * (2 * 1024 * 1024)))
    with pytest.raises(PayloadTooLarge):
        parse(sign(body), body)


def test_statuses() -> None:
    body = raw(
        envelope(
            {
                "statuses": [
                    {"id": "wamid.out1", "status": "sent", "timestamp": "1", "recipient_id": "5511987654321"},
                    {"id": "wamid.out2", "status": "delivered", "timestamp": "2", "recipient_id": "5511"},
                    {"id": "wamid.out3", "status": "read", "timestamp": "3", "recipient_id": "5511"},
                    {
                        "id": "wamid.out4",
                        "status": "failed",
                        "timestamp": "4",
                        "recipient_id": "5511",
                        "errors": [{"code": 131047, "title": "Re-engagement message"}],
                    },
                    {"id": "wamid.out5", "status": "deleted", "timestamp": "5", "recipient_id": "5511"},
                ]
            }
        )
    )
    messages, statuses = parse(sign(body), body)
    assert messages == []
    assert [(s.provider_message_id, s.status, s.error_code) for s in statuses] == [
        ("wamid.out1", "sent", None),
        ("wamid.out2", "delivered", None),
        ("wamid.out3", "read", None),
        ("wamid.out4", "failed", "131047"),
    ]
    assert {s.provider for s in statuses} == {"meta"}
    assert {s.business_address for s in statuses} == {PHONE_ID}  # names the tenant without a search


KIND_OF = {
    "image": "image",
    "audio": "audio",
    "video": "video",
    "document": "application",
    "sticker": "image",
}


@pytest.mark.parametrize("kind", ["image", "audio", "video", "document", "sticker"])
def test_media_message_without_text(kind: str) -> None:
    message = {
        "from": "5215512345678",
        "id": "wamid.m1",
        "timestamp": "1",
        "type": kind,
        kind: {"id": "media1"},
    }
    body = raw(envelope({"messages": [message]}))
    [parsed], _ = parse(sign(body), body)
    assert (parsed.text, parsed.media_count) == ("", 1)
    assert parsed.sender == "+5215512345678"
    assert parsed.profile_name is None
    # No mime_type: the kind Meta named says what it is, so a voice note is never downloaded as a photo.
    assert [(a.ref, a.kind) for a in parsed.media] == [("media1", KIND_OF[kind])]


def test_media_id_and_mime_type_are_kept() -> None:
    message = {
        "from": "5511",
        "id": "wamid.m3",
        "type": "image",
        "image": {"id": "1234567890", "mime_type": "image/jpeg", "sha256": "abc"},
    }
    body = raw(envelope({"messages": [message]}))
    [parsed], _ = parse(sign(body), body)
    assert parsed.media == (Attachment("1234567890", "image/jpeg"),)


@pytest.mark.parametrize("media_id", ["../../me/messages", "a b", "x" * 200, 42])
def test_a_malformed_media_id_is_left_out(media_id: object) -> None:
    message = {"from": "5511", "id": "wamid.m4", "type": "image", "image": {"id": media_id}}
    body = raw(envelope({"messages": [message]}))
    [parsed], _ = parse(sign(body), body)
    assert (parsed.media_count, parsed.media) == (1, ())


def test_image_caption_is_the_text() -> None:
    message = {
        "from": "5511",
        "id": "wamid.m2",
        "type": "image",
        "image": {"id": "m", "caption": "recibo 45,90"},
    }
    body = raw(envelope({"messages": [message]}))
    [parsed], _ = parse(sign(body), body)
    assert (parsed.text, parsed.media_count) == ("recibo 45,90", 1)


def test_interactive_reply_title_is_the_text() -> None:
    message = {
        "from": "5511",
        "id": "wamid.i1",
        "type": "interactive",
        "interactive": {"type": "button_reply", "button_reply": {"id": "yes", "title": "Sim"}},
    }
    body = raw(envelope({"messages": [message]}))
    [parsed], _ = parse(sign(body), body)
    assert parsed.text == "Sim"


def test_several_entries_and_messages_in_one_batch() -> None:
    first, second = text_payload("um", wa_id="5511111"), text_payload("dos", wa_id="5222222", name="Ana")
    second["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = "wamid.2"
    body = raw({"object": "whatsapp_business_account", "entry": first["entry"] + second["entry"]})
    messages, _ = parse(sign(body), body)
    assert [(m.sender, m.text, m.profile_name) for m in messages] == [
        ("+5511111", "um", "João"),
        ("+5222222", "dos", "Ana"),
    ]


def test_message_missing_from_is_skipped_with_its_reason() -> None:
    # One bad item must not make Meta retry (and lose) the batch: it is skipped and the reason reported.
    body = raw(envelope({"messages": [{"id": "wamid.x", "type": "text", "text": {"body": "hi"}}]}))
    reasons: list[str] = []
    messages, statuses = verify_and_parse(
        sign(body), body, app_secret=SECRET, received_at=datetime.now(UTC), on_skip=reasons.append
    )
    assert (messages, statuses) == ([], [])
    assert len(reasons) == 1 and "from" in reasons[0]


def test_unknown_fields_are_ignored() -> None:
    payload = text_payload("oi")
    payload["entry"][0]["changes"][0]["value"]["brand_new_field"] = {"x": 1}
    payload["entry"][0]["changes"][0]["value"]["messages"][0]["context"] = {"forwarded": True}
    body = raw(payload)
    assert parse(sign(body), body)[0][0].text == "oi"
