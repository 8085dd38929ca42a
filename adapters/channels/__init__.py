"""Outbound channels: Twilio (WhatsApp + SMS), Meta WhatsApp Cloud API, and the embedded-mode console."""

from adapters.channels.base import Channel, OutboundMessage, SendResult, Template
from adapters.channels.console import ConsoleChannel
from adapters.channels.meta import MetaChannel
from adapters.channels.twilio import TwilioChannel

__all__ = [
    "Channel",
    "ConsoleChannel",
    "MetaChannel",
    "OutboundMessage",
    "SendResult",
    "Template",
    "TwilioChannel",
]
