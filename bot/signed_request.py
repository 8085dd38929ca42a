"""A ready-to-run curl command posting a Twilio-signed message to this server's webhook, for trying it out."""

from __future__ import annotations

import shlex
import uuid
from urllib.parse import urlencode

from twilio.request_validator import RequestValidator

WEBHOOK_PATH = "/webhooks/twilio"


def twilio_form(text: str, sender: str, recipient: str, *, whatsapp: bool = True) -> dict[str, str]:
    """The fields Twilio posts for one inbound text, with a fresh MessageSid (a reused one is a retry)."""
    prefix = "whatsapp:" if whatsapp else ""
    sid = "SM" + uuid.uuid4().hex
    return {
        "MessageSid": sid,
        "SmsMessageSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": prefix + sender,
        "To": prefix + recipient,
        "Body": text,
        "NumMedia": "0",
    }


def curl_command(form: dict[str, str], *, public_base_url: str, auth_token: str) -> str:
    """curl posting `form` to PUBLIC_BASE_URL/webhooks/twilio, signed as Twilio signs it (X-Twilio-Signature).

    The signature covers the public URL, so the command only verifies against a server configured with the
    same PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN.
    """
    url = public_base_url.rstrip("/") + WEBHOOK_PATH
    signature = RequestValidator(auth_token).compute_signature(url, form)
    return " ".join(
        [
            "curl -sS",
            shlex.quote(url),
            "-H",
            shlex.quote(f"X-Twilio-Signature: {signature}"),
            "-H",
            shlex.quote("Content-Type: application/x-www-form-urlencoded"),
            "--data",
            shlex.quote(urlencode(form)),
        ]
    )
