"""Twilio webhook verification and parsing, with requests signed by the Twilio SDK itself."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from bot.delivery import status_url
from bot.webhooks import BadRequest, BadSignature, PayloadTooLarge, UnsupportedMediaType, WebhookError
from bot.webhooks.twilio import verify_and_parse, verify_and_parse_status
from domain.messages import Attachment
from domain.model import Channel

TOKEN = "test-auth-token-0123456789abcdef"
PUBLIC = "https://centavo.example.com"
PATH = "/webhooks/twilio"
STATUS_PATH = "/webhooks/twilio/status"
NOW = datetime(2025, 3, 14, 12, 0, tzinfo=UTC)
FORM = "application/x-www-form-urlencoded"


def signed(
    params: dict[str, str], *, url: str = PUBLIC + PATH, token: str = TOKEN
) -> tuple[dict[str, str], bytes]:
    """Headers and body as Twilio would send them for these form fields."""
    signature = RequestValidator(token).compute_signature(url, params)
    headers = {"Content-Type": f"{FORM}; charset=utf-8", "X-Twilio-Signature": signature}
    return headers, urlencode(params).encode("ascii")


def parse(headers: dict[str, str], body: bytes, path: str = PATH):
    return verify_and_parse(path, headers, body, public_base_url=PUBLIC, auth_token=TOKEN, received_at=NOW)


def whatsapp(text: str | None = "gastei 45,90 no almoço", **extra: str) -> dict[str, str]:
    params = {
        "MessageSid": "SM0123456789abcdef0123456789abcdef",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": "whatsapp:+5511987654321",
        "To": "whatsapp:+14155238886",
        "NumMedia": "0",
        "ProfileName": "João",
        "WaId": "5511987654321",
    }
    if text is not None:
        params["Body"] = text
    params.update(extra)
    return params


@pytest.mark.parametrize(
    "text",
    [
        "gastei 45,90 no almoço ontem",
        "presupuesto de 300 para comida al mes ¿cuánto?",
        "how much on uber? café",
    ],
)
def test_whatsapp_message_in_each_language(text: str) -> None:
    message = parse(*signed(whatsapp(text)))
    assert message.channel is Channel.WHATSAPP
    assert message.provider == "twilio"
    assert message.sender == "+5511987654321"
    assert message.recipient == "+14155238886"
    assert message.text == text
    assert message.provider_message_id == "SM0123456789abcdef0123456789abcdef"
    assert message.received_at == NOW
    assert message.media_count == 0
    assert message.profile_name == "João"


def test_sms_message_uses_plain_numbers() -> None:
    params = {
        "MessageSid": "SMabc",
        "From": "+5215512345678",
        "To": "+15005550006",
        "Body": "gasté 120 en taxi",
    }
    message = parse(*signed(params))
    assert message.channel is Channel.SMS
    assert message.sender == "+5215512345678"
    assert message.recipient == "+15005550006"
    assert message.text == "gasté 120 en taxi"
    assert message.profile_name is None


def test_forged_signature_is_403() -> None:
    headers, body = signed(whatsapp(), token="not-our-token")
    with pytest.raises(BadSignature) as caught:
        parse(headers, body)
    assert caught.value.status == 403


def test_tampered_body_is_403() -> None:
    headers, _ = signed(whatsapp("gastei 10"))
    with pytest.raises(BadSignature):
        parse(headers, urlencode(whatsapp("gastei 10000")).encode())


def test_missing_signature_is_403() -> None:
    headers, body = signed(whatsapp())
    del headers["X-Twilio-Signature"]
    with pytest.raises(BadSignature):
        parse(headers, body)


def test_header_names_are_case_insensitive() -> None:
    headers, body = signed(whatsapp())
    lowered = {name.lower(): value for name, value in headers.items()}
    assert parse(lowered, body).text == "gastei 45,90 no almoço"


def test_signature_is_checked_against_the_configured_public_url() -> None:
    # Twilio signed the public URL; a proxy forwarded it to http://10.0.0.7:8080. Only path and query reach
    # us, so the configured PUBLIC_BASE_URL rebuilds what Twilio signed and the request passes.
    headers, body = signed(whatsapp(), url=PUBLIC + PATH + "?tenant=acme")
    message = verify_and_parse(
        PATH + "?tenant=acme", headers, body, public_base_url=PUBLIC, auth_token=TOKEN, received_at=NOW
    )
    assert message.sender == "+5511987654321"


def test_signature_for_another_host_fails() -> None:
    # Signed for the internal address (as if PUBLIC_BASE_URL were misconfigured or the URL were rewritten).
    headers, body = signed(whatsapp(), url="http://10.0.0.7:8080" + PATH)
    with pytest.raises(BadSignature):
        parse(headers, body)
    # ... and the same request passes once PUBLIC_BASE_URL names that host.
    message = verify_and_parse(
        PATH, headers, body, public_base_url="http://10.0.0.7:8080/", auth_token=TOKEN, received_at=NOW
    )
    assert message.channel is Channel.WHATSAPP


def test_unconfigured_auth_token_refuses_everything() -> None:
    headers, body = signed(whatsapp(), token="")
    with pytest.raises(BadSignature):
        verify_and_parse(PATH, headers, body, public_base_url=PUBLIC, auth_token="", received_at=NOW)


def test_empty_body_unsigned_is_403() -> None:
    with pytest.raises(BadSignature):
        parse({"Content-Type": FORM}, b"")


def test_empty_body_correctly_signed_is_400_naming_from() -> None:
    headers, body = signed({})
    assert body == b""
    with pytest.raises(BadRequest, match="From"):
        parse(headers, body)


@pytest.mark.parametrize("content_type", [None, "application/json", "text/plain", "multipart/form-data"])
def test_not_form_data_is_415(content_type: str | None) -> None:
    headers, _ = signed(whatsapp())
    headers.pop("Content-Type")
    if content_type:
        headers["Content-Type"] = content_type
    with pytest.raises(UnsupportedMediaType) as caught:
        parse(headers, b'{"From": "+15550001111"}')
    assert caught.value.status == 415


def test_form_content_type_with_a_json_body_is_400() -> None:
    headers, _ = signed(whatsapp())
    with pytest.raises(BadRequest, match="form"):
        parse(headers, b'{"From": "+15550001111"}')


@pytest.mark.parametrize("body", [b"Body=caf\xe9&From=%2B15550001111", b"Body=caf%E9&From=%2B15550001111"])
def test_invalid_utf8_is_400(body: bytes) -> None:
    headers, _ = signed(whatsapp())
    with pytest.raises(BadRequest, match="UTF-8") as caught:
        parse(headers, body)
    assert caught.value.status == 400


def test_100_kb_body_is_413_before_anything_else() -> None:
    headers, body = signed(whatsapp("x" * 100 * 1024))
    with pytest.raises(PayloadTooLarge) as caught:
        parse(headers, body)
    assert caught.value.status == 413


def test_longest_twilio_message_fits() -> None:
    text = "ção" * 534  # 1,602 characters of 2-byte letters, percent-encoded
    assert parse(*signed(whatsapp(text))).text == text


@pytest.mark.parametrize("field", ["From", "To", "MessageSid"])
def test_missing_required_field_is_400_naming_it(field: str) -> None:
    params = whatsapp()
    del params[field]
    with pytest.raises(BadRequest, match=field) as caught:
        parse(*signed(params))
    assert caught.value.status == 400


def test_missing_body_without_media_is_400() -> None:
    with pytest.raises(BadRequest, match="Body"):
        parse(*signed(whatsapp(text=None)))


def test_empty_body_text_is_accepted_for_a_helpful_reply() -> None:
    assert parse(*signed(whatsapp(text=""))).text == ""


@pytest.mark.parametrize("text", [None, ""])
def test_media_without_text(text: str | None) -> None:
    params = whatsapp(
        text, NumMedia="2", MediaUrl0="https://api.twilio.com/m/0", MediaContentType0="image/jpeg"
    )
    message = parse(*signed(params))
    assert message.text == ""
    assert message.media_count == 2
    # Only the attachment Twilio named is kept (the second's URL is missing): what a retry downloads.
    assert message.media == (Attachment("https://api.twilio.com/m/0", "image/jpeg"),)


@pytest.mark.parametrize(
    ("url", "content_type", "kept"),
    [
        ("https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1", "image/JPEG", "image/jpeg"),
        ("https://api.twilio.com/m/1", "audio/ogg", "audio/ogg"),
        ("https://api.twilio.com/m/1", "image/jpeg; charset=x\x00", ""),  # a type we cannot read: unknown
        ("https://api.twilio.com/m/1", "", ""),
    ],
)
def test_attachment_types_are_kept_normalised(url: str, content_type: str, kept: str) -> None:
    params = whatsapp(None, NumMedia="1", MediaUrl0=url, MediaContentType0=content_type)
    assert parse(*signed(params)).media == (Attachment(url, kept),)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://api.twilio.com/m/0",
        "file:///etc/passwd",
        "https://api.twilio.com/m/\x00",
        "https://api.twilio.com/m 0",
        "https://api.twilio.com/" + "m" * 2000,
    ],
)
def test_a_malformed_media_url_is_left_out_and_the_message_kept(url: str) -> None:
    params = whatsapp("uber 23", NumMedia="1", MediaUrl0=url, MediaContentType0="image/jpeg")
    message = parse(*signed(params))
    assert (message.text, message.media_count, message.media) == ("uber 23", 1, ())


def test_bad_num_media_is_400() -> None:
    with pytest.raises(BadRequest, match="NumMedia"):
        parse(*signed(whatsapp(NumMedia="lots")))


@pytest.mark.parametrize("sender", ["messenger:12345", "whatsapp:5511987654321", "not-a-number"])
def test_sender_that_is_not_a_phone_number_is_400(sender: str) -> None:
    with pytest.raises(BadRequest, match="From"):
        parse(*signed(whatsapp(From=sender)))


def test_unknown_fields_are_ignored_but_signed() -> None:
    params = whatsapp(SmsStatus="received", NewTwilioField="ñandú", ReferralNumMedia="0")
    assert parse(*signed(params)).text == "gastei 45,90 no almoço"


def test_every_error_is_a_webhook_error_with_a_reason() -> None:
    with pytest.raises(WebhookError) as caught:
        parse({"Content-Type": FORM}, b"From=%2B1")
    assert caught.value.reason
    assert caught.value.status in {400, 403, 413, 415}


def status(path: str = STATUS_PATH, **params: str):
    headers, body = signed(params, url=PUBLIC + path)
    return verify_and_parse_status(path, headers, body, public_base_url=PUBLIC, auth_token=TOKEN)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("queued", "queued"),
        ("sending", "queued"),
        ("sent", "sent"),
        ("delivered", "delivered"),
        ("read", "read"),
        ("failed", "failed"),
        ("undelivered", "undelivered"),
    ],
)
def test_status_callback(raw: str, normalized: str) -> None:
    update = status(MessageSid="SMout1", MessageStatus=raw, AccountSid="ACx", ChannelToAddress="+5511")
    assert update.provider == "twilio"
    assert update.provider_message_id == "SMout1"
    assert update.status == normalized
    assert update.error_code is None


def test_failed_status_carries_the_error_code() -> None:
    update = status(MessageSid="SMout2", MessageStatus="undelivered", ErrorCode="63016")
    assert (update.status, update.error_code) == ("undelivered", "63016")


def test_unknown_status_is_400() -> None:
    with pytest.raises(BadRequest, match="MessageStatus"):
        status(MessageSid="SMout3", MessageStatus="teleported")


def test_status_callback_forged_is_403() -> None:
    headers, body = signed({"MessageSid": "SMout4", "MessageStatus": "read"}, token="wrong")
    with pytest.raises(BadSignature):
        verify_and_parse_status(STATUS_PATH, headers, body, public_base_url=PUBLIC, auth_token=TOKEN)


def test_status_signature_covers_the_path() -> None:
    # A signature made for the message endpoint does not pass on the status endpoint.
    headers, body = signed({"MessageSid": "SMout5", "MessageStatus": "read"}, url=PUBLIC + PATH)
    with pytest.raises(BadSignature):
        verify_and_parse_status(STATUS_PATH, headers, body, public_base_url=PUBLIC, auth_token=TOKEN)


def test_a_status_to_a_reply_action_url_names_the_inbox_message() -> None:
    inbox_id = uuid.uuid4()
    url = status_url(PUBLIC, inbox_id)
    assert url == f"{PUBLIC}{STATUS_PATH}?inbox={inbox_id}"
    update = status(url.removeprefix(PUBLIC), MessageSid="SMout6", MessageStatus="sent")
    assert update.reply_to == inbox_id
    assert status(MessageSid="SMout7", MessageStatus="sent").reply_to is None
    # Upper case is the same id; other query parameters are left alone.
    upper = status(
        f"{STATUS_PATH}?x=1&inbox={str(inbox_id).upper()}", MessageSid="SMout8", MessageStatus="read"
    )
    assert upper.reply_to == inbox_id


@pytest.mark.parametrize(
    "query",
    [
        "inbox=nope",
        "inbox=",
        "inbox=" + "0" * 32,  # a UUID's digits without its dashes: not as we write one
        "inbox=" + "9" * 400,
        "inbox=%C3%28",  # not UTF-8
        f"inbox={uuid.UUID(int=1)}&inbox={uuid.UUID(int=2)}",  # given twice
    ],
)
def test_a_malformed_inbox_is_400_after_the_signature(query: str) -> None:
    with pytest.raises(BadRequest, match="query"):
        status(f"{STATUS_PATH}?{query}", MessageSid="SMout9", MessageStatus="failed")
    # Unsigned, it is refused for its signature first: the query tells an unsigned caller nothing.
    headers, body = signed({"MessageSid": "SMout9", "MessageStatus": "failed"}, token="wrong")
    with pytest.raises(BadSignature):
        verify_and_parse_status(
            f"{STATUS_PATH}?{query}", headers, body, public_base_url=PUBLIC, auth_token=TOKEN
        )
